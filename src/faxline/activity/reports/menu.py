"""The Reports entry of the Activity menu."""

from __future__ import annotations

from faxline.activity.reports.access import may_run_reports
from faxline.portal.menu import ACTIVITY, MenuEntry, on_views

REPORTS = MenuEntry(
    menu=ACTIVITY,
    label="Reports",
    url_name="activity:reports",
    order=40,
    shown_to=may_run_reports,
    current=on_views("activity:reports", "activity:report", "activity:report_export"),
)
