"""notify: email notifications through the notification log.

What notify contributes to the shell is declared here (see ``faxline.core.contributions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.urls import URLResolver
    from ninja import Router

    from faxline.core.periodic import PeriodicJob
    from faxline.portal.menu import MenuEntry


class NotifyConfig(AppConfig):
    name = "faxline.notify"
    label = "notify"
    verbose_name = "Notifications"

    def urlpatterns(self) -> list[URLResolver]:
        from django.urls import include, path

        return [path("notifications/", include("faxline.notify.urls"))]

    def api_routers(self) -> list[Router]:
        from faxline.notify.api import router

        return [router]

    def periodic_jobs(self) -> list[PeriodicJob]:
        from faxline.core.periodic import PeriodicJob
        from faxline.notify.services import notifications_deliver_pending

        return [PeriodicJob("deliver queued notifications", 60, notifications_deliver_pending)]

    def ready(self) -> None:
        from faxline.core.mail import register_email_queue
        from faxline.notify.services import queue_email_for_core

        # Apps below notify (accounts) send their email through faxline.core.mail.
        register_email_queue(queue_email_for_core)

    def menu_entries(self) -> list[MenuEntry]:
        from faxline.notify.menu import ENTRIES

        return list(ENTRIES)
