"""Who may do what with fax credits (the shape: ``faxline.core.access``)."""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.core.access import Decision
from faxline.core.errors import Forbidden


def may_see_credits(actor: Actor) -> Decision:
    """A company's fax credits: its administrators, its channel partner, the operators."""
    if actor.is_operator or actor.is_partner or actor.is_administrator:
        return Decision.allow()
    return Decision.refuse(Forbidden("Only administrators can see the company's fax credits."))


def may_manage_credits(actor: Actor) -> Decision:
    """Adjust a company's credits and change its plan: the provider's operators."""
    if actor.is_operator and not actor.read_only:
        return Decision.allow()
    return Decision.refuse(
        Forbidden("Only the provider's operators can adjust fax credits and plans.")
    )


def may_see_sandbox_pstn(actor: Actor) -> Decision:
    """The sandbox PSTN's pages and API (what simulated remote machines received): the
    provider's operators, read-only ones included."""
    if actor.is_operator:
        return Decision.allow()
    return Decision.refuse(
        Forbidden("The sandbox PSTN is for the provider's operators.", code="operators_only")
    )


def may_send_fax(actor: Actor, *, has_number: bool) -> Decision:
    """Send a fax: an active, unlocked fax user, or an administrator of a company who has a
    fax number of their own (the number the fax is sent from); never a read-only
    administrator, an operator or a channel partner (they act for no sender)."""
    user = actor.user
    if not user.is_active or user.deleted_at is not None:
        return Decision.refuse(Forbidden("This user is not active.", code="user_inactive"))
    if user.is_locked:
        return Decision.refuse(
            Forbidden(
                "This user is locked: a locked user can neither send nor receive faxes.",
                code="user_locked",
            )
        )
    if actor.is_operator or actor.is_partner or user.company_id is None:
        return Decision.refuse(Forbidden("Only a company's users send faxes.", code="not_a_sender"))
    if actor.read_only:
        return Decision.refuse(
            Forbidden(
                "You are a read-only administrator: you can view but not change anything.",
                code="read_only",
            )
        )
    if not has_number:
        return Decision.refuse(
            Forbidden(
                "You have no fax number to send from: ask your administrator to assign one.",
                code="no_fax_number",
            )
        )
    return Decision.allow()


def may_see_fax_job(actor: Actor, *, sender_id: int | None, company_id: int) -> bool:
    """Whether ``actor`` sees a job at all (else it does not exist for them: 404): its
    sender, the company's administrators, the channel partner and operators."""
    if actor.is_operator:
        return True
    if actor.is_partner:
        return True  # narrowed to the partner's companies by the selector
    if actor.is_administrator:
        return actor.user.company_id == company_id
    return sender_id == actor.user.pk


RESEND_RIGHT = "activity.resend"
OUTBOUND_RIGHT = "activity.outbound"


def may_change_fax_job(actor: Actor, *, sender_id: int | None) -> Decision:
    """Cancel or resend a job (the Activity Details' Cancel and Resend tabs): its sender,
    or an administrator holding "Resend faxes" (``activity.resend``) whose scope holds the
    job (the caller found it through ``job_get``). Read-only administrators look only (403
    ``read_only``); operators and channel partners act for no sender."""
    if actor.read_only:
        return Decision.refuse(
            Forbidden(
                "You are a read-only administrator: you can view but not change anything.",
                code="read_only",
            )
        )
    if actor.user.pk == sender_id:
        return Decision.allow()
    if actor.is_administrator:
        return actor.may(RESEND_RIGHT)
    return Decision.refuse(
        Forbidden("Only the person who sent a fax can cancel or resend it.", code="not_sender")
    )


def may_view_fax_job_content(actor: Actor, *, sender_id: int | None) -> Decision:
    """See the document of a job (the Activity Details' View tab): its sender, or an
    administrator holding "View outbound activity" (``activity.outbound``; read-only ones
    too: it is a view) whose scope holds the job. Not the provider's operators nor channel
    partners: they see the job's facts, never what was faxed (personal data)."""
    if actor.user.pk == sender_id:
        return Decision.allow()
    if actor.is_administrator and actor.can(OUTBOUND_RIGHT):
        return Decision.allow()
    return Decision.refuse(
        Forbidden(
            "Only the sender and their company's administrators with the right to view "
            "outbound activity can see what was faxed.",
            code="no_content_right",
        )
    )
