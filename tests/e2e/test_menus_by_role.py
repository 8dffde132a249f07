"""The main menu in a browser: each person is offered only what they can use (a fax user is
no longer offered Account Administration), and every item offered opens its page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)


def settings_items(page: Page) -> list[str]:
    page.get_by_role("button", name="Settings").click()
    menu = page.locator("#fx-settings-menu + .dropdown-menu")
    expect(menu).to_be_visible()
    labels = [text.strip() for text in menu.get_by_role("link").all_inner_texts()]
    page.keyboard.press("Escape")
    return labels


def account_items(page: Page, name: str) -> list[str]:
    page.get_by_role("button", name=name).click()
    menu = page.locator("#fx-user-menu + .dropdown-menu")
    expect(menu).to_be_visible()
    labels = [text.strip() for text in menu.get_by_role("link").all_inner_texts()]
    page.keyboard.press("Escape")
    return labels


def test_a_fax_user_has_no_settings_menu(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.billing_user)
    page.goto(live_server.url + "/help/")
    nav = page.get_by_role("navigation", name="Main menu")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(nav.get_by_role("button", name="Settings")).to_have_count(0)
    expect(page.get_by_role("link", name="Account Administration")).to_have_count(0)
    expect(page.get_by_text("Your administrators manage all of this")).to_be_visible()
    assert account_items(page, "Bill Payer") == [
        "Received faxes",
        "Sent faxes",
        "API keys",
        "Change password",
    ]


def test_each_item_offered_opens_its_page(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.dept_admin)
    page.goto(live_server.url + "/")
    offered = settings_items(page)
    assert offered == ["Account Administration", "Fax Number Inventory", "Number Porting"]
    assert account_items(page, "Dana Dept") == [
        "Received faxes",
        "Sent faxes",
        "API keys",
        "Change password",
    ]
    for label, heading in (
        ("Account Administration", "Account Administration"),
        ("Fax Number Inventory", "Fax Number Inventory"),
        ("Number Porting", "Port Requests"),
    ):
        page.get_by_role("button", name="Settings").click()
        page.get_by_role("link", name=label).click()
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        # The page is marked as the current one in the menu.
        expect(page.get_by_role("button", name="Settings")).to_have_class(re.compile(r"\bactive\b"))
        expect(page.locator(".dropdown-item[aria-current='page']")).to_have_text(label)


def test_an_operator_sees_the_provider_pages(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.operator)
    page.goto(live_server.url + "/")
    assert settings_items(page) == [
        "Account Administration",
        "Channel Partners",
        "Fax Number Inventory",
        "Onboarding",
        "Number Porting",
        "Porting Desk",
        "Webhooks",
        "Sandbox PSTN",
        "SIP Trunks",
    ]
    assert account_items(page, "Olga Operator") == [
        "Received faxes",
        "Sent faxes",
        "API keys",
        "Change password",
        "Audit log",
        "Notification log",
        "Email to fax log",
    ]
