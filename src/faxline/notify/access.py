"""Who may read and resend notifications (the shape: ``faxline.core.access``)."""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.core.access import Decision
from faxline.core.errors import Forbidden


def may_read_log(actor: Actor) -> Decision:
    """The notification log: operators, channel partners (their clients) and company-level
    administrators."""
    if actor.is_operator or actor.is_partner or actor.is_company_admin:
        return Decision.allow()
    return Decision.refuse(
        Forbidden(
            "You do not have access to the notification log: only the provider's operators, "
            "channel partners and company-level administrators can see it.",
            code="no_notification_log",
        )
    )


def may_resend(actor: Actor) -> Decision:
    """Queue a failed message again: those who read the log, except read-only
    administrators."""
    if actor.read_only or not may_read_log(actor):
        return Decision.refuse(
            Forbidden("Only operators and administrators can resend notifications.")
        )
    return Decision.allow()
