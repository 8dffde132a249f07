"""Company and Department Details on a phone and a tablet: every tab is on screen (a phone
showed 3 of the 7 tabs of Company Details, with no sign that more existed)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)

COMPANY_TABS = ["Fax", "Coverpage", "Notifications", "Custom", "Archive", "Security", "Contacts"]


def assert_every_tab_in_sight(page: Page, labels: list[str], width: int) -> None:
    tabs = page.get_by_role("navigation", name=page_tabs_name(page)).get_by_role("link")
    expect(tabs).to_have_count(len(labels))
    assert [t.strip() for t in tabs.all_inner_texts()] == labels
    strip = page.locator(".fx-tabs")
    # Nothing scrolls out of sight inside the strip ...
    assert strip.evaluate("el => el.scrollWidth <= el.clientWidth")
    # ... and every tab lies whole within the screen's width, name included.
    for i in range(len(labels)):
        tab = tabs.nth(i)
        expect(tab).to_be_visible()
        box = tab.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, labels[i]
        assert tab.evaluate("el => el.scrollWidth <= el.clientWidth"), labels[i]


def page_tabs_name(page: Page) -> str:
    heading = page.get_by_role("heading", level=1).inner_text().strip()
    return f"{heading} tabs"


def test_company_details_on_a_phone_shows_all_seven_tabs(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, live_server, cast.company_admin)
    url = reverse("accounts:company_details", args=[cast.company.pk])
    page.goto(f"{live_server.url}{url}?tab=archive")
    expect(page.get_by_role("heading", name="Company Details", level=1)).to_be_visible()
    assert_every_tab_in_sight(page, COMPANY_TABS, 390)
    # Above the fold, with the current one marked.
    last = page.get_by_role("link", name="Contacts")
    box = last.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844
    expect(page.locator('.fx-tabs a[aria-current="page"]')).to_have_text("Archive")

    last.click()
    expect(page.get_by_role("heading", name="Emergency Contacts")).to_be_visible()
    assert_every_tab_in_sight(page, COMPANY_TABS, 390)


@pytest.mark.parametrize("width", [800, 1280])
def test_department_details_shows_all_eight_tabs(live_server, page: Page, width: int) -> None:
    cast = cast_from_snapshot()
    page.set_viewport_size({"width": width, "height": 900})
    login_as(page, live_server, cast.company_admin)
    url = reverse("accounts:department_details", args=[cast.billing.pk])
    page.goto(f"{live_server.url}{url}?tab=contacts")
    expect(page.get_by_role("heading", name="Department Details", level=1)).to_be_visible()
    assert_every_tab_in_sight(page, ["Department", *COMPANY_TABS], width)
