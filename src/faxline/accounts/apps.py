"""accounts: companies, departments, users, administrators and their rights, security
policy and settings profiles; sign-in and API keys.

What accounts contributes to the shell is declared here (see ``faxline.core.contributions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.urls import URLResolver
    from ninja import Router

    from faxline.core.demo import DemoStep
    from faxline.core.periodic import PeriodicJob
    from faxline.portal.menu import MenuEntry


class AccountsConfig(AppConfig):
    name = "faxline.accounts"
    label = "accounts"
    verbose_name = "Accounts and hierarchy"

    def urlpatterns(self) -> list[URLResolver]:
        from django.urls import include, path

        return [
            path("auth/", include("faxline.accounts.auth_urls")),
            path("settings/accounts/", include("faxline.accounts.urls")),
        ]

    def api_routers(self) -> list[Router]:
        from faxline.accounts.api import router
        from faxline.accounts.blocking_api import router as blocked_numbers
        from faxline.accounts.coverpages_api import router as cover_pages

        return [router, cover_pages, blocked_numbers]

    def periodic_jobs(self) -> list[PeriodicJob]:
        from faxline.accounts.bulk import bulk_create_sweep
        from faxline.core.periodic import PeriodicJob

        return [PeriodicJob("continue Bulk Create jobs", 60, bulk_create_sweep)]

    def demo_steps(self) -> list[DemoStep]:
        from faxline.accounts.demo import demo_accounts
        from faxline.core.demo import DemoStep

        return [DemoStep("accounts", demo_accounts)]

    def menu_entries(self) -> list[MenuEntry]:
        from faxline.accounts.menu import ENTRIES

        return list(ENTRIES)
