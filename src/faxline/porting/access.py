"""Who may do what on the porting desk.

The porting team is the provider's operators. Customers are administrators of the company
with the Number Porting rights, and channel partners for their clients. Fax users see
nothing of porting.
"""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.core.errors import Forbidden, NotFound
from faxline.porting.models import PortRequest


def is_porting_team(actor: Actor) -> bool:
    return actor.is_operator


def require_porting_team(actor: Actor) -> None:
    if not actor.is_operator or actor.read_only:
        raise Forbidden("Only the provider's porting team can do this.", code="porting_team_only")


def sees_request(actor: Actor, request: PortRequest) -> bool:
    if actor.is_operator:
        return True
    if not actor.sees_company(request.company):
        return False
    return actor.is_partner or actor.can("porting.view") or actor.read_only


def require_customer_write(actor: Actor, request: PortRequest | None = None) -> None:
    """Customers change requests with the Number Porting manage right."""
    if request is not None and not sees_request(actor, request):
        raise NotFound("Port request not found.", field="request_id")
    if actor.is_operator and not actor.read_only:
        return
    actor.require("porting.manage")
