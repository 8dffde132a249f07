"""activity's entries in the Activity menu."""

from __future__ import annotations

from faxline.portal.menu import MenuEntry

ENTRIES: tuple[MenuEntry, ...] = ()
