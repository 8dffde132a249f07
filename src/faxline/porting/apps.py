"""porting: port requests and their state machine, validation, documents and the LOA, the
porting desk and the carrier adapters.

What porting contributes to the shell is declared here (see ``faxline.core.contributions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.urls import URLResolver
    from ninja import Router

    from faxline.core.periodic import PeriodicJob
    from faxline.portal.menu import MenuEntry


class PortingConfig(AppConfig):
    name = "faxline.porting"
    label = "porting"
    verbose_name = "Number porting"

    def urlpatterns(self) -> list[URLResolver]:
        from django.urls import include, path

        return [path("settings/porting/", include("faxline.porting.urls"))]

    def api_routers(self) -> list[Router]:
        from faxline.porting.desk.api import router as desk
        from faxline.porting.files.api import router as files
        from faxline.porting.files.extract_api import router as extract
        from faxline.porting.requests.api import router as requests
        from faxline.porting.validation.api import router as validation

        return [validation, extract, requests, files, desk]

    def periodic_jobs(self) -> list[PeriodicJob]:
        from faxline.core.periodic import PeriodicJob
        from faxline.porting.desk.services import porting_tick
        from faxline.porting.files.reading import port_document_read_sweep
        from faxline.porting.requests.testfax import port_test_fax_sweep

        return [
            PeriodicJob("porting carriers tick", 60, porting_tick),
            PeriodicJob("porting test fax sweep", 300, port_test_fax_sweep),
            PeriodicJob("porting document read sweep", 300, port_document_read_sweep),
        ]

    def menu_entries(self) -> list[MenuEntry]:
        from faxline.porting.menu import ENTRIES

        return list(ENTRIES)
