"""Account Administration: right-click anywhere on an entry, its name included, opens the
entry's actions menu (the guide: "right click on your company name"); the gear and the
keyboard keep working."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from test_account_tree import node, open_tree

from cast import Cast, cast_from_snapshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(live_server, sign_in) -> Cast:
    cast = cast_from_snapshot()
    sign_in(cast.company_admin)
    return cast


def name_of(page: Page, name: str):
    return node(page, name).locator(".fx-node-name")


def menu_of(page: Page, name: str):
    return node(page, name).locator(".dropdown-menu")


def wait_for_rects(page: Page, a: Locator, b: Locator, condition: str) -> None:
    """Wait until ``condition`` holds for the bounding rectangles ``a`` and ``b``."""
    page.wait_for_function(
        f"([x, y]) => {{ const a = x.getBoundingClientRect(), b = y.getBoundingClientRect();"
        f" return {condition}; }}",
        arg=[a.element_handle(), b.element_handle()],
    )


def test_right_click_on_the_company_name_opens_its_actions_at_the_pointer(
    live_server, page: Page, acme: Cast
) -> None:
    open_tree(page, live_server)
    company = name_of(page, "Acme Corp")
    # The name is a link (to Company Details): the browser's menu must not win.
    expect(company).to_have_attribute("href", re.compile(r"/companies/\d+/"))
    company.click(button="right")

    menu = menu_of(page, "Acme Corp")
    expect(menu).to_be_visible()
    for action in ("Company Details", "Add Department", "Add User Account", "Add Administrator"):
        expect(menu.get_by_role("link", name=action)).to_be_visible()
    # Next to the name that was clicked, not at the far end of the row by the gear (Popper
    # places the menu a frame later: wait for it).
    wait_for_rects(
        page,
        menu,
        company,
        "Math.abs(a.left - (b.left + b.width / 2)) < 40"
        " && a.top - (b.top + b.height / 2) >= 0 && a.top - (b.top + b.height / 2) < 40",
    )

    # Choosing an action works from this menu.
    menu.get_by_role("link", name="Company Details").click()
    expect(page.get_by_role("heading", name="Company Details", level=1)).to_be_visible()


def test_right_click_on_names_of_every_kind_of_entry(live_server, page: Page, acme: Cast) -> None:
    open_tree(page, live_server)
    for name, action in (
        ("Billing Dept", "Department Details"),
        ("Sarah Salesperson", "Lock User"),
        ("Dana Dept", "Administrator Details"),
    ):
        name_of(page, name).click(button="right")
        expect(menu_of(page, name).get_by_role("link", name=action)).to_be_visible()
        # One menu at a time.
        expect(page.locator(".fx-node-actions .dropdown-menu.show")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator(".fx-node-actions .dropdown-menu.show")).to_have_count(0)

    # The icon and the blank part of the row open it too.
    node(page, "Sales").locator(".fx-node-icon").click(button="right")
    expect(menu_of(page, "Sales").get_by_role("link", name="Add Department")).to_be_visible()


def test_gear_and_keyboard_still_open_the_menu(live_server, page: Page, acme: Cast) -> None:
    open_tree(page, live_server)
    # After a right-click menu closes, the gear opens its menu at the gear again.
    name_of(page, "Billing Dept").click(button="right")
    expect(menu_of(page, "Billing Dept")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu_of(page, "Billing Dept")).to_be_hidden()
    gear = page.get_by_role("button", name="Actions for Billing Dept")
    gear.click()
    menu = menu_of(page, "Billing Dept")
    expect(menu).to_be_visible()
    wait_for_rects(page, menu, gear, "Math.abs(a.right - b.right) < 8 && a.top >= b.bottom - 1")
    page.keyboard.press("Escape")

    # Keyboard only: Tab to the gear, Enter, arrow into the menu.
    gear.focus()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("link", name="Department Details")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(gear).to_be_focused()

    # The context-menu key on a focused name opens the menu with the focus in it.
    name_of(page, "Sarah Salesperson").focus()
    page.keyboard.press("ContextMenu")
    sarah = menu_of(page, "Sarah Salesperson")
    expect(sarah).to_be_visible()
    expect(sarah.get_by_role("link", name="User Account Details")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Lock User")).to_be_visible()
