"""faxing: fax credits (plans and the ledger) today; outbound jobs, the dispatcher and
inbound delivery join it with the fax engine.

What faxing contributes to the shell is declared here (see ``faxline.core.contributions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from ninja import Router

    from faxline.portal.dashboard import Panel


class FaxingConfig(AppConfig):
    name = "faxline.faxing"
    label = "faxing"
    verbose_name = "Faxing"

    def api_routers(self) -> list[Router]:
        from faxline.faxing.api import router

        return [router]

    def dashboard_panels(self) -> list[Panel]:
        from faxline.faxing.dashboard import CREDITS

        return [CREDITS]
