"""activity's entries in the Activity menu."""

from __future__ import annotations

from faxline.activity.accounting.access import may_see_accounting
from faxline.activity.lists.access import may_see_inbound_activity, may_see_outbound_activity
from faxline.activity.reports.menu import REPORTS
from faxline.portal.menu import ACTIVITY, MenuEntry, on_views

ENTRIES: tuple[MenuEntry, ...] = (
    MenuEntry(
        menu=ACTIVITY,
        label="Outbound Activity",
        url_name="activity:outbound",
        order=10,
        shown_to=may_see_outbound_activity,
        current=on_views("activity:outbound"),
    ),
    MenuEntry(
        menu=ACTIVITY,
        label="Inbound Activity",
        url_name="activity:inbound",
        order=20,
        shown_to=may_see_inbound_activity,
        current=on_views("activity:inbound"),
    ),
    MenuEntry(
        menu=ACTIVITY,
        label="Accounting",
        url_name="activity:accounting",
        order=30,
        shown_to=may_see_accounting,
        current=on_views("activity:accounting"),
    ),
    REPORTS,
)
