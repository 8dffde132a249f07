"""faxing: fax credits (plans and the ledger) and the sandbox PSTN's side (its directory of
numbers in service, what its simulated remote machines received, the operators' Sandbox PSTN
page and ``faxline fax call``); outbound jobs, the dispatcher and inbound delivery join it
with the fax engine.

What faxing contributes to the shell is declared here (see ``faxline.core.contributions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.urls import URLResolver
    from ninja import Router

    from faxline.core.demo import DemoStep
    from faxline.core.periodic import PeriodicJob
    from faxline.portal.dashboard import Panel
    from faxline.portal.management.supervisor import ServedProcess
    from faxline.portal.menu import MenuEntry


class FaxingConfig(AppConfig):
    name = "faxline.faxing"
    label = "faxing"
    verbose_name = "Faxing"

    def urlpatterns(self) -> list[URLResolver]:
        from django.urls import include, path

        return [
            path("settings/sandbox-pstn/", include("faxline.faxing.sandbox.urls")),
            path("settings/sip-trunks/", include("faxline.faxing.trunks.urls")),
            path("faxes/archive/", include("faxline.faxing.archive.urls")),
            path("faxes/received/", include("faxline.faxing.inbound.urls")),
            path("faxes/", include("faxline.faxing.jobs.urls")),
        ]

    def api_routers(self) -> list[Router]:
        from faxline.faxing.api import router
        from faxline.faxing.archive.api import router as archive_router
        from faxline.faxing.inbound.api import router as inbound_router
        from faxline.faxing.jobs.api import router as jobs_router
        from faxline.faxing.sandbox.api import router as sandbox_router
        from faxline.faxing.trunks.api import router as trunks_router

        return [jobs_router, router, sandbox_router, trunks_router, inbound_router, archive_router]

    def periodic_jobs(self) -> list[PeriodicJob]:
        from faxline.core.periodic import PeriodicJob
        from faxline.faxing.archive.services import archive_copies_resume
        from faxline.faxing.inbound.bulk import bulk_resubmits_resume
        from faxline.faxing.inbound.services import (
            inbound_deliveries_resume,
            inbound_retention_sweep,
        )

        return [
            PeriodicJob("resume inbound fax deliveries", 60, inbound_deliveries_resume),
            PeriodicJob("resume archive copies", 60, archive_copies_resume),
            PeriodicJob("resume bulk resubmits", 60, bulk_resubmits_resume),
            PeriodicJob("delete received faxes past retention", 3600, inbound_retention_sweep),
        ]

    def served_processes(self) -> list[ServedProcess]:
        """``faxline serve`` runs the outbound dispatcher beside the web server."""
        from faxline.portal.management.supervisor import ServedProcess

        return [ServedProcess("fax dispatcher", ("dispatcher", "--no-reload"), stop_timeout=120)]

    def menu_entries(self) -> list[MenuEntry]:
        from faxline.faxing.menu import ENTRIES

        return list(ENTRIES)

    def dashboard_panels(self) -> list[Panel]:
        from faxline.faxing.dashboard import CREDITS

        return [CREDITS]

    def demo_steps(self) -> list[DemoStep]:
        from faxline.core.demo import DemoStep
        from faxline.faxing.demo import demo_history

        return [DemoStep("fax history", demo_history)]
