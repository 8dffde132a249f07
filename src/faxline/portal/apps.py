"""portal: the shell pages (Dashboard, Activity, Help), the shared portal toolkit and the
commands that run faxline (serve, web, worker, scheduler, demo). It knows no domain app:
the Dashboard shows the panels that apps declare.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.urls import URLResolver


class PortalConfig(AppConfig):
    name = "faxline.portal"
    label = "portal"
    verbose_name = "Portal shell"

    def urlpatterns(self) -> list[URLResolver]:
        from django.urls import include, path

        return [path("", include("faxline.portal.urls"))]
