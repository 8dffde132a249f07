"""Who may do what in Number Porting and on the porting desk (the shape: ``faxline.core.access``).

The porting team is the provider's operators (read-only operators may look at the desk but
change nothing); a carrier adapter acting on its own clock is a system actor and acts as the
team. Customers are administrators of the company with the Number Porting rights, and
channel partners for their clients. Fax users see nothing of porting.

Services check these rules before writing (``.check()``); the portal pages, the API and the
templates show the same decisions. Nothing else re-derives them.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from faxline.accounts.access import Actor, SystemActor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company
from faxline.core.access import Decision
from faxline.core.errors import Conflict, Forbidden, NotFound
from faxline.porting.choices import TERMINAL, DocumentKind, PortStatus
from faxline.porting.models import PortDocument, PortRequest

# Documents that state the carrier account number and PIN in full (the LOA faxline
# generates and the signed LOA), served under ``may_read_credentials``.
CREDENTIAL_KINDS = frozenset({DocumentKind.LOA, DocumentKind.SIGNED_LOA})
# A customer may cancel while the porting team has not started with the losing carrier.
CUSTOMER_CANCELLABLE = frozenset({PortStatus.DRAFT, PortStatus.NEW, PortStatus.REJECTED})
# ... and never this close to the FOC date.
CANCEL_CUTOFF_BEFORE_FOC = timedelta(days=2)


def _team_only() -> Decision:
    return Decision.refuse(
        Forbidden("Only the provider's porting team can do this.", code="porting_team_only")
    )


# --- the porting team -------------------------------------------------------------------


def may_act_as_porting_team(actor: Actor | SystemActor) -> Decision:
    """Accept, schedule, reject, complete, snap back, waive fees, decide change requests,
    reveal credentials: operators who are not read-only, and carrier adapters."""
    if isinstance(actor, SystemActor) or (actor.is_operator and not actor.read_only):
        return Decision.allow()
    return _team_only()


def may_see_team_internals(actor: Actor) -> Decision:
    """What the porting team keeps to itself: private notes, who is assigned a request,
    which team member uploaded a file or sent a link (customers read "Porting team"). The
    provider's operators, read-only ones included."""
    if actor.is_operator:
        return Decision.allow()
    return Decision.refuse(
        Forbidden("Only the provider's porting team sees this.", code="porting_team_only")
    )


def may_use_desk(actor: Actor) -> Decision:
    """The operator console: the provider's operators, read-only ones included (to look)."""
    if actor.is_operator:
        return Decision.allow()
    return Decision.refuse(
        Forbidden("The porting desk is for the provider's porting team.", code="porting_team_only")
    )


# --- customers ----------------------------------------------------------------------------


def may_use_porting(actor: Actor) -> Decision:
    """Number Porting at all (pages and API): operators, channel partners, administrators
    with the right to view port requests, and read-only administrators."""
    if actor.role != Role.FAX_USER and (
        actor.is_operator or actor.is_partner or actor.can("porting.view") or actor.read_only
    ):
        return Decision.allow()
    return Decision.refuse(
        Forbidden(
            "Number Porting is for administrators with the right to view port requests.",
            code="no_porting",
        )
    )


def may_see_company_porting(actor: Actor, company: Company) -> Decision:
    """A company's port requests and service addresses."""
    if not actor.sees_company(company):
        return Decision.refuse(NotFound("Company not found.", field="company_id"))
    return may_use_porting(actor)


def _sees_port_requests(actor: Actor) -> bool:
    """Port requests at all: operators, channel partners, administrators with the right to
    view them, read-only administrators (within their companies)."""
    return actor.is_operator or actor.is_partner or actor.can("porting.view") or actor.read_only


def requests_q(actor: Actor) -> Q:
    """The port requests the actor may see, as a filter (``may_see_request`` for a list)."""
    if not _sees_port_requests(actor):
        return Q(pk__in=[])
    return actor.in_companies_q()


def may_see_request(actor: Actor, request: PortRequest) -> Decision:
    """One port request (outside the actor's scope it does not exist: 404)."""
    if _sees_port_requests(actor) and (actor.is_operator or actor.sees_company(request.company)):
        return Decision.allow()
    return Decision.refuse(NotFound("Port request not found.", field="request_id"))


def sees_request(actor: Actor, request: PortRequest) -> bool:
    return bool(may_see_request(actor, request))


def may_write_requests(actor: Actor) -> Decision:
    """Create and change port requests in general (the portal's buttons): the porting team,
    or the Number Porting manage right (never read-only)."""
    if actor.is_operator and not actor.read_only:
        return Decision.allow()
    return actor.may("porting.manage")


def may_write_company_requests(actor: Actor, company: Company) -> Decision:
    """Start port requests (one, or a bulk file) and keep service addresses for a company."""
    if not actor.sees_company(company):
        return Decision.refuse(NotFound("Company not found.", field="company_id"))
    return may_write_requests(actor)


def may_change_request(actor: Actor, request: PortRequest) -> Decision:
    """Change one request: edit, submit, documents, the LOA, notes, change requests."""
    seen = may_see_request(actor, request)
    return may_write_requests(actor) if seen else seen


def _within_cutoff(request: PortRequest) -> bool:
    if request.foc_date is None:
        return False
    return request.foc_date - timezone.localdate() <= CANCEL_CUTOFF_BEFORE_FOC


def may_cancel(actor: Actor, request: PortRequest) -> Decision:
    """Customers may cancel while the request is a Draft, New or Rejected, and not within
    48 hours of the FOC; the porting team from any state that is not final."""
    seen = may_see_request(actor, request)
    if not seen:
        return seen
    if request.status in TERMINAL:
        return Decision.refuse(
            Conflict(
                f"The request is {PortStatus(request.status).label}: it can no longer be "
                "cancelled.",
                code="invalid_transition",
            )
        )
    if may_act_as_porting_team(actor):
        return Decision.allow()
    write = may_write_requests(actor)
    if not write:
        return write
    if request.status not in CUSTOMER_CANCELLABLE:
        return Decision.refuse(
            Forbidden(
                "The porting team is already working with the losing carrier: to cancel, ask "
                "them in a note.",
                code="cancel_needs_porting_team",
            )
        )
    if _within_cutoff(request):
        return Decision.refuse(
            Forbidden(
                "Within 48 hours of the FOC date only the porting team can cancel.",
                code="cancel_needs_porting_team",
            )
        )
    return Decision.allow()


def may_sign_loa(actor: Actor, request: PortRequest) -> Decision:
    """Sign the LOA while signed in: the customer (the manage right); the porting team never
    signs for a customer, it sends the signing link instead."""
    change = may_change_request(actor, request)
    if not change:
        return change
    if actor.is_operator:
        return Decision.refuse(
            Forbidden(
                "The porting team cannot sign for the customer: send the signing link to the "
                "authorized person.",
                code="not_authorized_person",
            )
        )
    return loa_open(request)


def loa_open(request: PortRequest) -> Decision:
    """The LOA of a completed or cancelled request no longer changes (409
    ``request_closed``): not generated again, signed or sent for signing."""
    if request.status in TERMINAL:
        return Decision.refuse(
            Conflict(
                f"The request is {PortStatus(request.status).label}: its LOA cannot change.",
                code="request_closed",
            )
        )
    return Decision.allow()


def may_read_credentials(actor: Actor, request: PortRequest) -> Decision:
    """Read what states the carrier account number and PIN in full: the Letter of
    Authorization as a PDF (the unsigned preview, the generated LOA, the signed LOA, as a
    download from the Files tab, the LOA page or the API). The losing carrier needs them in
    full, so the PDF states them; it is therefore served only to those who may reveal them:

    - the porting team (operators who are not read-only: they may reveal the credentials on
      the desk as well);
    - those who may change the request: the company's administrators with the Number
      Porting manage right and the company's channel partner, never read-only (they enter
      and sign the LOA, so they know what it says).

    Refused (403 ``credentials_withheld``) to read-only administrators and read-only
    operators, who see the LOA page with the account number and PIN masked; outside the
    actor's scope the request does not exist (404). The emailed signing link shows the LOA
    to the authorized person who holds it (the token is their proof), not through this rule.
    Verifying the signed LOA's seal shows neither, so it is not under this rule.
    """
    seen = may_see_request(actor, request)
    if not seen:
        return seen
    if may_act_as_porting_team(actor) or may_write_requests(actor):
        return Decision.allow()
    return Decision.refuse(
        Forbidden(
            "The Letter of Authorization states the carrier account number and PIN in full: "
            "only administrators who may change port requests and the porting team can open "
            "it. The LOA page shows it with both masked.",
            code="credentials_withheld",
        )
    )


def may_read_document(actor: Actor, document: PortDocument) -> Decision:
    """Download one of a request's documents: whoever sees the request, except that the
    LOA kinds (:data:`CREDENTIAL_KINDS`) follow :func:`may_read_credentials`."""
    if document.kind in CREDENTIAL_KINDS:
        return may_read_credentials(actor, document.request)
    return may_see_request(actor, document.request)


def may_write_private_notes(actor: Actor) -> Decision:
    """Private notes and "ask the customer for action" are the porting team's."""
    if may_act_as_porting_team(actor):
        return Decision.allow()
    return Decision.refuse(
        Forbidden("Only the porting team writes private notes or asks for action.")
    )
