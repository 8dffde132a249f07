"""Template context shared by every portal page (who is signed in: ``accounts.context``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from faxline import __version__


def portal(request: HttpRequest) -> dict[str, Any]:
    """Add the faxline version and the public portal address to every template."""
    return {
        "faxline_version": __version__,
        "portal_url": settings.FAXLINE_PORTAL_URL,
    }
