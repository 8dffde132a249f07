"""Notify's entry in the signed-in person's menu: the notification log, for those who may
read it (operators, channel partners and company-level administrators), and the Webhooks
page in Settings, for the same people."""

from __future__ import annotations

from faxline.notify.access import may_read_log
from faxline.notify.webhooks.access import may_open_webhooks
from faxline.portal.menu import ACCOUNT, SETTINGS, MenuEntry, in_app

ENTRIES = (
    MenuEntry(
        menu=ACCOUNT,
        label="Notification log",
        url_name="notify:log",
        order=40,
        shown_to=may_read_log,
        current=in_app("notify"),
    ),
    MenuEntry(
        menu=SETTINGS,
        label="Webhooks",
        url_name="webhooks:list",
        order=65,
        shown_to=may_open_webhooks,
        current=in_app("webhooks"),
    ),
)
