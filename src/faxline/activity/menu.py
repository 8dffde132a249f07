"""activity's entries in the Activity menu."""

from __future__ import annotations

from faxline.activity.reports.menu import REPORTS
from faxline.portal.menu import MenuEntry

ENTRIES: tuple[MenuEntry, ...] = (REPORTS,)
