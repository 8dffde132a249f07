"""activity: what administrators look at every day — Outbound and Inbound Activity,
Accounting (Call Detail Records), the Reports and the Dashboard's traffic. It reads faxing
through its selectors and tallies and owns no fax's status. What it contributes to the
shell is declared here (see ``faxline.core.contributions``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.urls import URLResolver
    from ninja import Router

    from faxline.core.periodic import PeriodicJob
    from faxline.portal.dashboard import Panel
    from faxline.portal.menu import MenuEntry


class ActivityConfig(AppConfig):
    name = "faxline.activity"
    label = "activity"
    verbose_name = "Activity, accounting and reports"

    def urlpatterns(self) -> list[URLResolver]:
        from django.urls import include, path

        return [path("activity/", include("faxline.activity.urls"))]

    def menu_entries(self) -> list[MenuEntry]:
        from faxline.activity.menu import ENTRIES

        return list(ENTRIES)

    def api_routers(self) -> list[Router]:
        from faxline.activity.api import routers

        return list(routers())

    def periodic_jobs(self) -> list[PeriodicJob]:
        from faxline.activity.accounting.services import accounting_sweep
        from faxline.core.periodic import PeriodicJob

        return [PeriodicJob("close last month's call detail records", 3600, accounting_sweep)]

    def dashboard_panels(self) -> list[Panel]:
        from faxline.activity.dashboard.panels import TRAFFIC

        return [TRAFFIC]
