"""The portal's menus, filled by the apps: show people only what they can use.

Each app declares its menu entries on its ``AppConfig`` (``menu_entries()``, collected through
:mod:`faxline.core.contributions` like its URLs and Dashboard panels), each with the app's
access rule (from its ``access.py``) that decides who may use the page. The shell asks every
rule with the acting person and shows only the entries that let them in, so the menu and the
page cannot disagree about who may enter.

The portal knows no domain app: it passes the acting person (an ``accounts`` ``Actor``)
through to the rules without looking at it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import ResolverMatch, reverse

from faxline.core.contributions import collect

SETTINGS = "settings"
"""The Settings menu of the main menu bar."""

ACCOUNT = "account"
"""The signed-in person's own menu (under their name)."""

ACTIVITY = "activity"
"""The Activity menu of the main menu bar (Outbound and Inbound Activity, Accounting,
Reports); its page lists the same entries."""

MENUS = (SETTINGS, ACCOUNT, ACTIVITY)

Rule = Callable[[Any], object]
"""An access rule: true (a ``Decision`` allowed, or ``True``) when the person may use the page."""
Where = Callable[[ResolverMatch], bool]


@dataclass(frozen=True)
class MenuEntry:
    """One link of a menu, as an app declares it.

    ``shown_to(actor)`` is the app's access rule for the page (the one its view enforces);
    ``current(match)`` tells whether the page being shown belongs to this entry.
    """

    menu: str
    label: str
    url_name: str
    order: int
    shown_to: Rule
    current: Where


@dataclass(frozen=True)
class MenuItem:
    """A menu link as a template shows it."""

    label: str
    url: str
    active: bool


@dataclass(frozen=True)
class Menus:
    """The menus of one page for one person."""

    settings: list[MenuItem]
    account: list[MenuItem]
    activity: list[MenuItem] = field(default_factory=list)

    @property
    def settings_active(self) -> bool:
        """True on a page reached from the Settings menu."""
        return any(item.active for item in self.settings)

    @property
    def activity_active(self) -> bool:
        """True on a page reached from the Activity menu."""
        return any(item.active for item in self.activity)

    @property
    def labels(self) -> frozenset[str]:
        """The labels of every entry offered (``"Audit log" in portal_menus.labels``)."""
        return frozenset(item.label for item in (*self.settings, *self.account, *self.activity))


def checked(entries: Iterable[MenuEntry]) -> list[MenuEntry]:
    """The entries in menu order; an unknown menu or one label twice in a menu is an error."""
    entries = list(entries)
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        if entry.menu not in MENUS:
            raise ValueError(f"unknown menu {entry.menu!r} for {entry.label!r}")
        if (entry.menu, entry.label) in seen:
            raise ValueError(f"{entry.label!r} is already in the {entry.menu} menu")
        seen.add((entry.menu, entry.label))
    return sorted(entries, key=lambda e: (e.menu, e.order, e.label))


def registered() -> list[MenuEntry]:
    """Every entry of every installed app, in menu order."""
    return checked(collect("menu_entries", MenuEntry))


def in_app(app_name: str, *, except_views: Iterable[str] = ()) -> Where:
    """``current`` for an entry that stands for every page of an app (URL namespace)."""
    excluded = frozenset(except_views)

    def current(match: ResolverMatch) -> bool:
        return match.app_name == app_name and match.view_name not in excluded

    return current


def on_views(*view_names: str) -> Where:
    """``current`` for an entry that stands for the named views only."""
    names = frozenset(view_names)

    def current(match: ResolverMatch) -> bool:
        return match.view_name in names

    return current


def menus_for(
    actor: Any, match: ResolverMatch | None, entries: list[MenuEntry] | None = None
) -> Menus:
    """The menus ``actor`` may use (of ``entries``, by default every app's), with the entry
    of the current page marked active."""
    items: dict[str, list[MenuItem]] = {menu: [] for menu in MENUS}
    for entry in registered() if entries is None else entries:
        if not entry.shown_to(actor):
            continue
        active = match is not None and entry.current(match)
        items[entry.menu].append(MenuItem(entry.label, reverse(entry.url_name), active))
    return Menus(settings=items[SETTINGS], account=items[ACCOUNT], activity=items[ACTIVITY])


NO_MENUS = Menus(settings=[], account=[])
