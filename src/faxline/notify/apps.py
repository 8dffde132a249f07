"""notify: email notifications through the notification log, and webhooks.

What notify contributes to the shell is declared here (see ``faxline.core.contributions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

        return [
            path("notifications/", include("faxline.notify.urls")),
            path("settings/webhooks/", include("faxline.notify.webhooks.urls")),
        ]

    def api_routers(self) -> list[Router]:
        from faxline.notify.api import router
        from faxline.notify.webhooks.api import router as webhooks

        return [router, webhooks]

    def periodic_jobs(self) -> list[PeriodicJob]:
        from faxline.core.periodic import PeriodicJob
        from faxline.notify.services import notifications_deliver_pending
        from faxline.notify.webhooks.services import deliveries_sweep, events_prune

        return [
            PeriodicJob("deliver queued notifications", 60, notifications_deliver_pending),
            PeriodicJob("deliver webhook events", 60, deliveries_sweep),
            PeriodicJob("prune old webhook events", 3600, events_prune),
        ]

    def ready(self) -> None:
        from faxline.core.events import register_event_publisher
        from faxline.core.mail import register_email_queue
        from faxline.notify.services import queue_email_for_core
        from faxline.notify.webhooks.services import event_publish

        # Apps below notify (accounts) send their email through faxline.core.mail, and
        # apps beside it (numbers) publish webhook events through faxline.core.events.
        register_email_queue(queue_email_for_core)
        register_event_publisher(event_publish)

    def openapi_webhooks(self) -> list[dict[str, Any]]:
        from faxline.notify.webhooks.schemas import openapi_webhooks

        return openapi_webhooks()

    def menu_entries(self) -> list[MenuEntry]:
        from faxline.notify.menu import ENTRIES

        return list(ENTRIES)
