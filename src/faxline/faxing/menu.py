"""faxing's entry in the Settings menu: the Sandbox PSTN, for the provider's operators."""

from __future__ import annotations

from faxline.faxing.access import may_see_sandbox_pstn
from faxline.faxing.inbound.views import may_see_received
from faxline.portal.menu import ACCOUNT, SETTINGS, MenuEntry, in_app

ENTRIES = (
    MenuEntry(
        menu=SETTINGS,
        label="Sandbox PSTN",
        url_name="sandbox_pstn:sandbox_pstn",
        order=70,
        shown_to=may_see_sandbox_pstn,
        current=in_app("sandbox_pstn"),
    ),
    MenuEntry(
        menu=ACCOUNT,
        label="Received faxes",
        url_name="inbound:list",
        order=5,
        shown_to=may_see_received,
        current=in_app("inbound"),
    ),
)
