"""onboarding: a new customer's first sign-in (new number or keep yours), the channel
partner's onboarding order, document gathering, the final order, configuration and FOC-day
checklists.

What onboarding contributes to the shell is declared here (see
``faxline.core.contributions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.urls import URLResolver
    from ninja import Router

    from faxline.portal.dashboard import Panel
    from faxline.portal.menu import MenuEntry


class OnboardingConfig(AppConfig):
    name = "faxline.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding"

    def urlpatterns(self) -> list[URLResolver]:
        from django.urls import include, path

        return [path("onboarding/", include("faxline.onboarding.urls"))]

    def api_routers(self) -> list[Router]:
        from faxline.onboarding.api import router

        return [router]

    def dashboard_panels(self) -> list[Panel]:
        from faxline.onboarding.dashboard import WELCOME

        return [WELCOME]

    def menu_entries(self) -> list[MenuEntry]:
        from faxline.onboarding.menu import ENTRIES

        return list(ENTRIES)
