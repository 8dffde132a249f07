"""Template context of every portal page that depends on who is signed in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from faxline.accounts.access import Actor, may_see_audit_log
from faxline.accounts.models import User


def portal_actor(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's :class:`Actor` (the menu shows what they may use) and whether
    they may see the audit log; nothing for anonymous requests."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    actor = Actor(user=user)
    return {"portal_actor": actor, "may_see_audit_log": bool(may_see_audit_log(actor))}
