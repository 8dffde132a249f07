"""The menus of the portal shell: apps declare entries (``AppConfig.menu_entries``) with
their access rules."""

from __future__ import annotations

import pytest
from django.urls import resolve

from faxline.portal.menu import (
    SETTINGS,
    MenuEntry,
    checked,
    in_app,
    menus_for,
    on_views,
    registered,
)


def _entry(label: str, **changes: object) -> MenuEntry:
    fields: dict[str, object] = {
        "menu": SETTINGS,
        "label": label,
        "url_name": "portal:help",
        "order": 99,
        "shown_to": lambda actor: actor == "allowed",
        "current": on_views("portal:help"),
    }
    fields.update(changes)
    return MenuEntry(**fields)  # type: ignore[arg-type]


def test_every_app_registers_its_entries() -> None:
    labels = [(e.menu, e.label) for e in registered()]
    assert labels == [
        ("account", "Send Fax"),
        ("account", "Received faxes"),
        ("account", "Sent faxes"),
        ("account", "API keys"),
        ("account", "Change password"),
        ("account", "Audit log"),
        ("account", "Notification log"),
        ("account", "Email to fax log"),
        ("activity", "Outbound Activity"),
        ("activity", "Inbound Activity"),
        ("activity", "Accounting"),
        ("activity", "Reports"),
        ("settings", "Account Administration"),
        ("settings", "Channel Partners"),
        ("settings", "Fax Number Inventory"),
        ("settings", "Onboarding"),
        ("settings", "Number Porting"),
        ("settings", "Porting Desk"),
        ("settings", "Webhooks"),
        ("settings", "Sandbox PSTN"),
        ("settings", "SIP Trunks"),
    ]


def test_entries_are_shown_by_their_rule() -> None:
    first = _entry("First", order=1, url_name="portal:activity", current=in_app("nowhere"))
    entries = checked([_entry("Help me"), first])
    shown = menus_for("allowed", resolve("/help/"), entries)
    assert [(i.label, i.url, i.active) for i in shown.settings] == [
        ("First", "/activity/", False),
        ("Help me", "/help/", True),
    ]
    assert shown.settings_active and shown.labels == {"First", "Help me"}
    assert menus_for("someone else", None, entries).settings == []


def test_a_label_twice_or_an_unknown_menu_is_refused() -> None:
    with pytest.raises(ValueError, match="already in the settings menu"):
        checked([_entry("Twice"), _entry("Twice")])
    with pytest.raises(ValueError, match="unknown menu"):
        checked([_entry("Lost", menu="footer")])


def test_current_page_helpers() -> None:
    tree = resolve("/settings/accounts/")
    assert in_app("accounts")(tree)
    assert not in_app("accounts", except_views=["accounts:tree"])(tree)
    assert not in_app("numbers")(tree)
    assert on_views("accounts:tree")(tree) and not on_views("portal:help")(tree)
