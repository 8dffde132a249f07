"""The Dashboard in a browser: a company administrator sees the traffic chart (outbound
green, inbound orange), narrows it to a department (the panel is swapped in place), zooms
the Top Destinations map with the buttons and the keyboard, shows it full screen, and reads
the top list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from history import inbound, outbound

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)

DESTINATIONS = ["+12065550100", "+13125550100", "+17135550100", "+12125550100", "+14165550100"]


def make_history() -> object:
    cast = cast_from_snapshot()
    today = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    for back in range(1, 29):
        moment = today - timedelta(days=back)
        outbound(
            cast.billing_user,
            to=DESTINATIONS[back % 5],
            at=moment,
            pages=1 + back % 4,
        )
        if back % 3 == 0:
            outbound(cast.sales_user, to="+17135550101", at=moment, pages=2 + back % 5)
        if back % 2 == 0:
            inbound(cast.sales_user, number="+12125557002", at=moment, pages=1 + back % 3)
    outbound(cast.company_admin, to="+442071234567", at=today - timedelta(days=2), pages=1)
    return cast


def test_company_admin_dashboard_traffic_and_destinations(live_server, page: Page) -> None:
    cast = make_history()
    login_as(page, live_server, cast.company_admin)  # type: ignore[attr-defined]
    page.goto(live_server.url + "/")

    panel = page.locator("#fx-dash-activity")
    expect(page.get_by_role("heading", name="Traffic", level=2)).to_be_visible()
    sent = panel.locator('.fx-traffic-chart g[data-series="Outbound"]')
    received = panel.locator('.fx-traffic-chart g[data-series="Inbound"]')
    expect(sent).to_have_attribute("stroke", "#2e8540")
    expect(received).to_have_attribute("stroke", "#ef7d00")
    expect(sent.locator("polyline")).to_have_count(1)
    expect(received.locator("polygon")).to_have_count(1)
    outbound_group = panel.locator('.fx-legend-item[data-series="outbound"]')
    company_total = outbound_group.get_attribute("data-total")
    assert company_total is not None and int(company_total) > 0
    inbound_total = panel.locator('.fx-legend-item[data-series="inbound"]').get_attribute(
        "data-total"
    )
    assert int(inbound_total or 0) > 0
    # The layout: the chart on the left, the inventory and credits beside it.
    chart_box = panel.locator(".fx-traffic").bounding_box()
    inventory_box = page.locator("#fx-inventory").bounding_box()
    assert chart_box and inventory_box and chart_box["x"] < inventory_box["x"]
    # caret="initial": hiding the caret leaves empty style attributes on the inputs, which
    # htmx's settle would copy onto the swapped panel (a style-src-attr violation).
    page.screenshot(path="/tmp/dashboard_traffic_1280.png", full_page=True, caret="initial")

    # A department: the panel alone is swapped; Sales' received pages go away.
    page.get_by_label("Department").select_option(label="Billing Dept -> Billing Level 1")
    expect(page).to_have_url(re.compile(r"department=\d+"))
    expect(outbound_group).not_to_have_attribute("data-total", company_total)
    expect(panel.locator('.fx-legend-item[data-series="inbound"]')).to_have_attribute(
        "data-total", "0"
    )
    expect(page.locator("#fx-inventory")).to_be_visible()
    expect(panel.locator(".fx-traffic-sub").first).to_contain_text(
        "Billing Dept -> Billing Level 1"
    )

    # The interval: Month gives two buckets at most for the last 30 days.
    panel.get_by_text("Month", exact=True).click()
    expect(panel.locator(".fx-traffic-chart")).to_have_attribute("data-interval", "month")
    panel.get_by_text("Day", exact=True).click()
    expect(panel.locator(".fx-traffic-chart")).to_have_attribute("data-buckets", "30")

    # The map: zoom with the buttons and the keyboard, back to all, full screen.
    the_map = page.locator("#fx-dest-map")
    svg = the_map.locator(".fx-map-svg")
    base = svg.get_attribute("viewBox")
    the_map.get_by_role("button", name="Zoom in").click()
    expect(svg).not_to_have_attribute("viewBox", base or "")
    expect(the_map.locator(".fx-map-zoom")).to_have_text("150%")
    the_map.focus()
    page.keyboard.press("+")
    expect(the_map.locator(".fx-map-zoom")).to_have_text("225%")
    page.keyboard.press("ArrowRight")
    expect(the_map.get_by_role("button", name="Zoom out")).to_be_enabled()
    page.keyboard.press("0")
    expect(svg).to_have_attribute("viewBox", base or "")
    expect(the_map.get_by_role("button", name="Zoom out")).to_be_disabled()
    the_map.get_by_role("button", name="Full screen").click()
    page.wait_for_function(
        "() => document.fullscreenElement !== null"
        " || document.querySelector('#fx-dest-map').classList.contains('fx-map-expanded')"
    )
    the_map.get_by_role("button", name="Full screen").click()
    page.wait_for_function(
        "() => document.fullscreenElement === null"
        " && !document.querySelector('#fx-dest-map').classList.contains('fx-map-expanded')"
    )

    # The top list of Billing Level 1: five destinations, Washington among them.
    rows = page.locator("#fx-top-destinations tbody tr")
    expect(rows).to_have_count(5)
    expect(page.locator("#fx-top-destinations")).to_contain_text("Washington")
    expect(page.locator("#fx-top-destinations")).to_contain_text("Ontario")
    expect(page.locator('#fx-dest-map .fx-tile[data-code="WA"]')).not_to_have_attribute(
        "data-shade", "0"
    )
    page.screenshot(path="/tmp/dashboard_traffic_department.png", full_page=True, caret="initial")
