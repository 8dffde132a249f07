"""Who may run reports: administrators holding "Run reports" (read-only ones too: it is a
view right), channel partners and the provider's operators; never fax users."""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.core.access import Decision
from faxline.core.errors import Forbidden

RIGHT = "reports.run"


def may_run_reports(actor: Actor) -> Decision:
    """Reports: the right "Run reports" (operators and channel partners hold every right);
    fax users have no reports."""
    if actor.user.role == Role.FAX_USER:
        return Decision.refuse(
            Forbidden("Reports are for administrators.", code="not_administrator")
        )
    if not actor.can(RIGHT):
        return Decision.refuse(
            Forbidden("You do not have the right to run reports.", code="missing_right")
        )
    return Decision.allow()
