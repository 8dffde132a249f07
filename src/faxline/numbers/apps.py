"""numbers: the numbering plan, number stock and suppliers, each company's Fax Number
Inventory, Request Inventory and assignment; the owner of every number's status.

What numbers contributes to the shell and to accounts is declared here (see
``faxline.core.contributions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.urls import URLResolver
    from ninja import Router

    from faxline.accounts.fax_numbers import UserNumbers
    from faxline.core.demo import DemoStep
    from faxline.core.periodic import PeriodicJob
    from faxline.portal.dashboard import Panel
    from faxline.portal.menu import MenuEntry


class NumbersConfig(AppConfig):
    name = "faxline.numbers"
    label = "numbers"
    verbose_name = "Fax numbers"

    def urlpatterns(self) -> list[URLResolver]:
        from django.urls import include, path

        return [path("settings/numbers/", include("faxline.numbers.urls"))]

    def api_routers(self) -> list[Router]:
        from faxline.numbers.api import router

        return [router]

    def periodic_jobs(self) -> list[PeriodicJob]:
        from faxline.core.periodic import PeriodicJob
        from faxline.numbers.services import numbers_return_aged

        return [PeriodicJob("return aged numbers", 3600, numbers_return_aged)]

    def dashboard_panels(self) -> list[Panel]:
        from faxline.numbers.dashboard import INVENTORY

        return [INVENTORY]

    def demo_steps(self) -> list[DemoStep]:
        from faxline.core.demo import DemoStep
        from faxline.numbers.demo import demo_numbers

        return [DemoStep("numbers", demo_numbers)]

    def user_numbers(self) -> list[UserNumbers]:
        from faxline.numbers.for_accounts import NumbersForAccounts

        return [NumbersForAccounts()]

    def menu_entries(self) -> list[MenuEntry]:
        from faxline.numbers.menu import ENTRIES

        return list(ENTRIES)
