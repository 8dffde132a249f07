"""activity's entries in the Activity menu."""

from __future__ import annotations

from faxline.activity.accounting.access import may_see_accounting
from faxline.portal.menu import ACTIVITY, MenuEntry, on_views

ENTRIES: tuple[MenuEntry, ...] = (
    MenuEntry(
        menu=ACTIVITY,
        label="Accounting",
        url_name="activity:accounting",
        order=30,
        shown_to=may_see_accounting,
        current=on_views("activity:accounting"),
    ),
)
