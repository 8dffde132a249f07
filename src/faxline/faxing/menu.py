"""faxing's menu entries: the Sandbox PSTN and SIP Trunks (Settings, for the provider's
operators); Send Fax, Sent and Received faxes (the account menu)."""

from __future__ import annotations

from faxline.faxing.access import may_see_sandbox_pstn
from faxline.faxing.inbound.views import may_see_received
from faxline.faxing.jobs.views import may_open_send_fax, may_see_sent
from faxline.faxing.trunks.access import may_see_trunks
from faxline.portal.menu import ACCOUNT, SETTINGS, MenuEntry, in_app, on_views

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
        menu=SETTINGS,
        label="SIP Trunks",
        url_name="sip_trunks:list",
        order=71,
        shown_to=may_see_trunks,
        current=in_app("sip_trunks"),
    ),
    MenuEntry(
        menu=ACCOUNT,
        label="Received faxes",
        url_name="inbound:list",
        order=5,
        shown_to=may_see_received,
        current=in_app("inbound"),
    ),
    MenuEntry(
        menu=ACCOUNT,
        label="Send Fax",
        url_name="outbound:send",
        order=3,
        shown_to=may_open_send_fax,
        current=on_views("outbound:send", "outbound:accepted"),
    ),
    MenuEntry(
        menu=ACCOUNT,
        label="Sent faxes",
        url_name="outbound:list",
        order=6,
        shown_to=may_see_sent,
        current=in_app("outbound", except_views=("outbound:send", "outbound:accepted")),
    ),
)
