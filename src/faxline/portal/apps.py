"""portal: the shell pages (Dashboard, Activity, Help), the shared portal toolkit and the
commands that run faxline (serve, web, worker, scheduler, demo). It knows no domain app:
the Dashboard shows the panels that apps declare.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.urls import URLResolver

    from faxline.portal.management.supervisor import ServedProcess


class PortalConfig(AppConfig):
    name = "faxline.portal"
    label = "portal"
    verbose_name = "Portal shell"

    def urlpatterns(self) -> list[URLResolver]:
        from django.urls import include, path

        return [path("", include("faxline.portal.urls"))]

    def served_processes(self) -> list[ServedProcess]:
        """What ``faxline serve`` runs beside the web server as child processes, each
        started again when it stops: the task worker. (The fax dispatcher and the SMTP
        gateway are declared the same way, by the apps that own them.)"""
        from faxline.portal.management.supervisor import ServedProcess

        return [ServedProcess("task worker", ("worker", "--no-reload"))]
