"""Who may see the emails the gateway received (the shape: ``faxline.core.access``)."""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.core.access import Decision
from faxline.core.errors import Forbidden


def may_see_gateway_messages(actor: Actor) -> Decision:
    """The email-to-fax log: operators (every message, those of unknown senders included),
    channel partners (their clients') and company-level administrators (their company's)."""
    if actor.is_operator or actor.is_partner or actor.is_company_admin:
        return Decision.allow()
    return Decision.refuse(
        Forbidden(
            "Only the provider's operators, channel partners and company-level administrators "
            "can see the emails received for fax.",
            code="no_gateway_log",
        )
    )
