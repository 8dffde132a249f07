"""Who may see and change the SIP trunks (the shape: ``faxline.core.access``).

Trunks are the provider's: for anyone but an operator the page and the API do not exist
(404, as for another company's objects). Read-only operators look and change nothing (403
``read_only``).
"""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.core.access import Decision
from faxline.core.errors import Forbidden, NotFound


def may_see_trunks(actor: Actor) -> Decision:
    """Settings ▸ SIP Trunks and ``/api/v1/trunks``: the provider's operators, read-only
    ones included."""
    if actor.is_operator:
        return Decision.allow()
    return Decision.refuse(NotFound("Page not found."))


def may_manage_trunks(actor: Actor) -> Decision:
    """Add, change, enable, disable and delete trunks, clear learned fallbacks, manage the
    destination rules: operators who are not read-only."""
    seen = may_see_trunks(actor)
    if not seen:
        return seen
    if actor.read_only:
        return Decision.refuse(
            Forbidden(
                "You are a read-only operator: you can view the SIP trunks but not change them.",
                code="read_only",
            )
        )
    return Decision.allow()
