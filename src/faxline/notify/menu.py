"""Notify's entry in the signed-in person's menu: the notification log, for those who may
read it (operators, channel partners and company-level administrators)."""

from __future__ import annotations

from faxline.notify.access import may_read_log
from faxline.portal.menu import ACCOUNT, MenuEntry, in_app

ENTRIES = (
    MenuEntry(
        menu=ACCOUNT,
        label="Notification log",
        url_name="notify:log",
        order=40,
        shown_to=may_read_log,
        current=in_app("notify"),
    ),
)
