"""Fax Number Inventory in a browser: Request Inventory through the cascade, the inventory,
Fax Pool Details from a count, sorting, and the maximum inventory warning."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)

AREA_LABEL = "Area code \N{EN DASH} City"


def choose_seattle(page: Page) -> None:
    page.get_by_label("Country").select_option(label="United States")
    state = page.get_by_label("State / Province")
    expect(state).to_be_enabled()
    state.select_option(label="Washington")
    area = page.get_by_label(AREA_LABEL)
    expect(area).to_be_enabled()
    area.select_option(label="206 - Seattle")


def test_request_inventory_then_pool_details(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/")

    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Fax Number Inventory").click()
    expect(page.get_by_role("heading", name="Fax Number Inventory", level=1)).to_be_visible()
    expect(page.get_by_text("No fax numbers in the inventory yet.")).to_be_visible()

    page.get_by_role("link", name="Request Inventory").click()
    expect(page.get_by_role("heading", name="Request Inventory", level=1)).to_be_visible()
    expect(page.get_by_text("maximum inventory threshold")).to_be_visible()
    choose_seattle(page)

    boxes = page.get_by_role("group", name="Choose Fax Numbers").get_by_role("checkbox")
    expect(boxes).to_have_count(20)
    first, second = boxes.nth(0), boxes.nth(1)
    kept = first.get_attribute("value") or ""
    dropped = second.get_attribute("value") or ""
    first.check()
    second.check()
    selected = page.get_by_role("list", name="Selected Numbers")
    expect(selected.get_by_role("listitem")).to_have_count(2)
    expect(selected).to_contain_text(f"+1 {kept[2:]}")

    page.get_by_role("button", name=f"Remove +1 {dropped[2:]}").click()
    expect(selected.get_by_role("listitem")).to_have_count(1)
    expect(selected).not_to_contain_text(dropped[2:])
    expect(second).not_to_be_checked()

    page.get_by_role("button", name="Add Inventory").click()
    expect(page.get_by_text(f"Added 1 number to the inventory: +1 {kept[2:]}.")).to_be_visible()
    expect(page.get_by_role("heading", name="Fax Number Inventory", level=1)).to_be_visible()
    row = page.get_by_role("row", name=re.compile(r"USA, 206 \(WA\)"))
    count = row.get_by_role("link", name="1 unassigned number in USA, 206 (WA)")
    expect(count).to_have_text("1")

    # Fax Pool Details from the count, in a dialog.
    count.click()
    dialog = page.get_by_role("dialog", name="Fax Pool Details")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("cell", name=f"US +1 {kept[2:]}")).to_be_visible()
    expect(dialog.get_by_role("cell", name="Unassigned")).to_be_visible()

    # Assign it to a fax user from the dialog.
    sarah = cast.sales_user
    # Typing a name asks for suggestions (a datalist filled by htmx); the username is sent.
    field = dialog.get_by_label(f"Assign +1 {kept[2:]} to")
    field.press_sequentially("Sarah")
    expect(dialog.locator(f'#fx-assignees option[value="{sarah.username}"]')).to_have_count(1)
    field.fill(sarah.username)
    dialog.get_by_role("button", name=f"Assign +1 {kept[2:]}").click()
    expect(page.get_by_text(f"US +1 {kept[2:]} is assigned to Sarah Salesperson")).to_be_visible()
    row.get_by_role("link", name="1 assigned number in USA, 206 (WA)").click()
    expect(dialog.get_by_role("cell", name=f"Sarah Salesperson ({sarah.pk})")).to_be_visible()
    expect(dialog.get_by_role("cell", name="In Use")).to_be_visible()
    dialog.get_by_role("button", name="Close").first.click()
    expect(dialog).to_be_hidden()

    # Sorting by a column header swaps the table and toggles the direction.
    header = page.get_by_role("columnheader", name="Assigned", exact=True)
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(page).to_have_url(re.compile(r"sort=assigned"))
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")


def test_request_beyond_the_maximum_inventory_warns(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    cast.company.max_inventory = 1
    cast.company.save(update_fields=["max_inventory"])
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/settings/numbers/request/")
    choose_seattle(page)
    boxes = page.get_by_role("group", name="Choose Fax Numbers").get_by_role("checkbox")
    boxes.nth(0).check()
    page.get_by_role("button", name="Add Inventory").click()
    expect(page.get_by_text("Added 1 number to the inventory")).to_be_visible()

    page.get_by_role("link", name="Request Inventory").click()
    choose_seattle(page)
    boxes.nth(0).check()
    page.get_by_role("button", name="Add Inventory").click()
    warning = page.get_by_role("alert").filter(has_text="maximum inventory")
    expect(warning).to_contain_text("Your maximum inventory is 1 numbers and you hold 1")
    expect(warning).to_have_class(re.compile(r"alert-warning"))
    # Nothing was added and the selection is kept.
    expect(page.get_by_role("list", name="Selected Numbers").get_by_role("listitem")).to_have_count(
        1
    )
    page.get_by_role("link", name="Back to the inventory").click()
    expect(
        page.get_by_role("row", name=re.compile(r"USA, 206 \(WA\)")).get_by_role(
            "link", name="1 unassigned number in USA, 206 (WA)"
        )
    ).to_be_visible()
