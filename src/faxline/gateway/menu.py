"""The gateway's entry in the signed-in person's menu: the email-to-fax log, for those who
may see it (operators, channel partners and company-level administrators)."""

from __future__ import annotations

from faxline.gateway.access import may_see_gateway_messages
from faxline.portal.menu import ACCOUNT, MenuEntry, in_app

ENTRIES = (
    MenuEntry(
        menu=ACCOUNT,
        label="Email to fax log",
        url_name="gateway:log",
        order=45,
        shown_to=may_see_gateway_messages,
        current=in_app("gateway"),
    ),
)
