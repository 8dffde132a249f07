"""Onboarding's entry in the Settings menu: operators, channel partners and company-level
administrators (the people Settings ▸ Onboarding has a page for)."""

from __future__ import annotations

from faxline.onboarding.access import may_view_orders
from faxline.portal.menu import SETTINGS, MenuEntry, in_app

ENTRIES = (
    MenuEntry(
        menu=SETTINGS,
        label="Onboarding",
        url_name="onboarding:index",
        order=40,
        shown_to=may_view_orders,
        current=in_app("onboarding"),
    ),
)
