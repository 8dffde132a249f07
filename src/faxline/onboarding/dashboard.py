"""The first question to a new customer on the Dashboard (declared in ``OnboardingConfig``):
a new fax number, or keep the existing one?"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from faxline.onboarding.views import welcome_due
from faxline.portal.dashboard import Panel


def _welcome(request: HttpRequest) -> dict[str, Any] | None:
    return {} if welcome_due(request) else None


WELCOME = Panel(
    name="Get started",
    template="onboarding/_welcome_panel.html",
    context=_welcome,
    place="banner",
)
