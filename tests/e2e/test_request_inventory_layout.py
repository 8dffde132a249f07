"""Request Inventory: the list of numbers offered shows every row whole (its last row was cut
in half by a scroll box), on a desktop and on a phone, and Selected Numbers has no stray
sliver under its last row."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect
from test_inventory import choose_seattle

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)


def inside(inner: dict[str, float], outer: dict[str, float], slack: float = 0.5) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


def box_of(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    return box


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_every_number_offered_is_shown_whole(
    live_server, page: Page, width: int, height: int
) -> None:
    cast = cast_from_snapshot()
    page.set_viewport_size({"width": width, "height": height})
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/settings/numbers/request/")
    choose_seattle(page)
    group = page.get_by_role("group", name="Choose Fax Numbers")
    boxes = group.get_by_role("checkbox")
    expect(boxes).to_have_count(20)

    listing = group.locator(".fx-choose")
    # No box that scrolls inside the page: whatever is in the list is laid out in full.
    assert listing.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    rows = listing.locator(".form-check")
    whole = box_of(listing)
    for i in range(rows.count()):
        row = rows.nth(i)
        assert inside(box_of(row), whole), f"row {i + 1} is cut"
        # The number fits its row on one line.
        label = row.locator("label")
        assert label.evaluate("el => el.scrollWidth <= el.clientWidth"), f"row {i + 1}"
        assert box_of(label)["height"] < 2 * box_of(boxes.nth(i))["height"] + 8

    # The last row, scrolled to, is entirely on screen and can be ticked.
    last = rows.last
    last.scroll_into_view_if_needed()
    screen = {"x": 0, "y": 0, "width": width, "height": height}
    assert inside(box_of(last), screen)
    boxes.last.check()

    selected = page.get_by_role("list", name="Selected Numbers")
    items = selected.get_by_role("listitem")
    expect(items).to_have_count(1)
    # The list ends with its last row: no empty band below it.
    gap = selected.evaluate(
        "el => el.getBoundingClientRect().bottom"
        " - [...el.children].filter(li => !li.hidden).pop().getBoundingClientRect().bottom"
    )
    assert 0 <= gap <= 1.5
