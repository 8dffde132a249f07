"""Who may see and change a company's webhooks (the shape: ``faxline.core.access``).

Webhooks send a company's fax and porting events to its own systems: they are company
settings. The provider's operators, channel partners (their clients) and company-level
administrators see them (read-only administrators included); changing them takes the
Notification settings right and not being read-only. Department administrators are refused:
an endpoint receives events of the whole company.
"""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.core.access import Decision
from faxline.core.errors import Forbidden, NotFound

RIGHT = "settings.notifications"


def may_open_webhooks(actor: Actor) -> Decision:
    """The Webhooks page at all (the menu entry)."""
    if actor.is_operator or actor.is_partner or actor.is_company_admin:
        return Decision.allow()
    return Decision.refuse(
        Forbidden(
            "Only the provider's operators, channel partners and company-level administrators "
            "can see webhooks.",
            code="no_webhooks",
        )
    )


def may_see_webhooks(actor: Actor, company: Company) -> Decision:
    """A company's endpoints and their delivery logs: another company's do not exist."""
    if not actor.sees_company(company):
        return Decision.refuse(NotFound("Company not found.", field="company_id"))
    return may_open_webhooks(actor)


def may_manage_webhooks(actor: Actor, company: Company) -> Decision:
    """Add, change, pause, resume, delete, rotate, test and redeliver."""
    seen = may_see_webhooks(actor, company)
    if not seen:
        return seen
    return actor.may(RIGHT)
