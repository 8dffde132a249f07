"""Numbers' entry in the Settings menu, shown to those who may view the inventory."""

from __future__ import annotations

from faxline.numbers.access import may_view_inventory
from faxline.portal.menu import SETTINGS, MenuEntry, in_app

ENTRIES = (
    MenuEntry(
        menu=SETTINGS,
        label="Fax Number Inventory",
        url_name="numbers:inventory",
        order=30,
        shown_to=may_view_inventory,
        current=in_app("numbers"),
    ),
)
