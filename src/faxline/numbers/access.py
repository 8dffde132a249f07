"""Who may do what with fax numbers (see ``faxline.core.access`` for the shape).

The services check these before writing; the inventory pages and the API show them.
"""

from __future__ import annotations

from faxline.accounts.access import Actor, SystemActor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company
from faxline.core.access import Decision
from faxline.core.errors import Forbidden, NotFound


def _outside(actor: Actor, company: Company | None) -> Decision | None:
    """404 for a company outside the actor's scope (None: inside, or no company asked)."""
    if company is None or actor.user.company_id == company.pk or actor.sees_company(company):
        return None
    return Decision.refuse(NotFound("Company not found.", field="company_id"))


def may_view_inventory(actor: Actor, company: Company | None = None) -> Decision:
    """The Fax Number Inventory (and its Dashboard widget): administrators with the right to
    view it and read-only administrators; operators and partners hold every right."""
    outside = _outside(actor, company)
    if outside is not None:
        return outside
    if actor.role == Role.FAX_USER or not (actor.can("numbers.view") or actor.read_only):
        return Decision.refuse(
            Forbidden(
                "The Fax Number Inventory is for administrators with the right to view it.",
                code="missing_right",
            )
        )
    return Decision.allow()


def may_browse_available(actor: Actor) -> Decision:
    """See which numbers could be requested (Request Inventory's choice, onboarding)."""
    if actor.can("numbers.request") or actor.can("numbers.view") or actor.read_only:
        return Decision.allow()
    return Decision.refuse(Forbidden("You do not have the right to request inventory."))


def may_request_numbers(actor: Actor, company: Company | None = None) -> Decision:
    """Request Inventory (and mark a number of it temporary): the Request inventory right."""
    outside = _outside(actor, company)
    return outside if outside is not None else actor.may("numbers.request")


def may_assign_numbers(actor: Actor) -> Decision:
    """Assign, unassign, release, and choose a user's outbound number."""
    return actor.may("numbers.assign")


def may_manage_stock(actor: Actor) -> Decision:
    """The provider's number stock and each company's maximum inventory: operators only."""
    if actor.is_operator and not actor.read_only:
        return Decision.allow()
    return Decision.refuse(
        Forbidden("Only the provider's operators can manage number stock and inventory limits.")
    )


def may_move_ported_numbers(actor: Actor | SystemActor) -> Decision:
    """Bring numbers in by a port and send them back by snap-back: the porting team
    (operators), or a carrier adapter acting on its own clock."""
    if isinstance(actor, SystemActor) or (actor.is_operator and not actor.read_only):
        return Decision.allow()
    return Decision.refuse(
        Forbidden("Only the provider's porting team can do this.", code="porting_team_only")
    )
