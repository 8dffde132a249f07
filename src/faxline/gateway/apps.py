"""gateway: the SMTP email-to-fax gateway (decision 0030). What it contributes to the shell
is declared here (see ``faxline.core.contributions``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.urls import URLResolver
    from ninja import Router

    from faxline.core.periodic import PeriodicJob
    from faxline.portal.management.supervisor import ServedProcess
    from faxline.portal.menu import MenuEntry


class GatewayConfig(AppConfig):
    """The SMTP gateway: receives email to fax, keeps each message before answering 250 and
    has the task worker turn it into fax jobs."""

    name = "faxline.gateway"
    label = "gateway"
    verbose_name = "SMTP gateway"

    def urlpatterns(self) -> list[URLResolver]:
        from django.urls import include, path

        return [path("email-to-fax/", include("faxline.gateway.urls"))]

    def menu_entries(self) -> list[MenuEntry]:
        from faxline.gateway.menu import ENTRIES

        return list(ENTRIES)

    def api_routers(self) -> list[Router]:
        from faxline.gateway.api import router

        return [router]

    def served_processes(self) -> list[ServedProcess]:
        """``faxline serve`` runs the SMTP server beside the web server (on the address it
        passes in ``FAXLINE_SMTPD_HOST`` / ``FAXLINE_SMTPD_PORT``)."""
        from faxline.portal.management.supervisor import ServedProcess

        return [ServedProcess("email to fax", ("smtpd", "--no-reload"))]

    def periodic_jobs(self) -> list[PeriodicJob]:
        from faxline.core.periodic import PeriodicJob
        from faxline.gateway.services import gateway_sweep

        return [
            PeriodicJob(
                "resume email to fax and delete kept emails past retention", 60, gateway_sweep
            )
        ]
