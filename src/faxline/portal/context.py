"""Template context shared by every portal page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from faxline import __version__
from faxline.accounts.access import Actor, may_see_audit_log
from faxline.accounts.models import User


def portal(request: HttpRequest) -> dict[str, Any]:
    """Add the faxline version and the public portal address to every template."""
    context: dict[str, Any] = {
        "faxline_version": __version__,
        "portal_url": settings.FAXLINE_PORTAL_URL,
    }
    user = getattr(request, "user", None)
    if isinstance(user, User):
        actor = Actor(user=user)
        context["portal_actor"] = actor
        context["may_see_audit_log"] = bool(may_see_audit_log(actor))
    return context
