"""Outbound and Inbound Activity in a browser: an administrator opens Outbound Activity from
the Activity menu, searches with a filter (and a second one added with "+"), chooses the
columns by right-clicking the headers (remembered), changes the Row Count (remembered after
a reload) and goes to another page; then selects faxes of Inbound Activity for Bulk
Resubmit and submits them."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from faxline.faxing.inbound.models import InboundFax
from history import inbound, outbound

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)


def test_outbound_activity_filters_columns_rows_and_pages(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    now = timezone.now()
    for i in range(14):
        outbound(cast.billing_user, to=f"+1617555{i:04d}", at=now - timedelta(hours=i + 1))
    for i in range(3):
        outbound(
            cast.sales_user,
            to=f"+1312555{i:04d}",
            at=now - timedelta(hours=i + 2),
            status="failed",
            error="Busy",
        )

    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Activity").click()
    page.get_by_role("link", name="Outbound Activity").click()
    expect(page.get_by_role("heading", name="Outbound Activity", level=1)).to_be_visible()
    table = page.get_by_role("table", name="Outbound Activity")
    expect(table.locator("tbody tr")).to_have_count(17)

    # A filter: the sender, and a second row added with "+": the recipient contains 617555000.
    search = page.get_by_role("form", name="Search Outbound Activity")
    search.get_by_label("Filter", exact=True).first.select_option(label="Sender")
    search.get_by_label("Search", exact=True).first.fill("Bill Payer")
    search.get_by_role("button", name="Add a filter").click()
    search.get_by_label("Filter", exact=True).nth(1).select_option(label="Recipient Fax Number")
    search.get_by_label("Search", exact=True).nth(1).fill("617555000")
    search.get_by_label("Match").nth(1).select_option(label="Contains")
    search.get_by_role("button", name="Search", exact=True).click()
    expect(table.locator("tbody tr")).to_have_count(10)
    expect(table.locator("tbody")).not_to_contain_text("Sarah Salesperson")
    search.get_by_label("Status").select_option(label="Failed")
    search.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("No faxes match this search.")).to_be_visible()

    page.goto(live_server.url + "/activity/outbound/")
    # Choose columns: right-click a header, hide Error, show Completed.
    error_header = table.locator("th[data-col=error]")
    expect(error_header).to_be_visible()
    error_header.click(button="right")
    menu = page.locator("#fx-columns-menu")
    expect(menu).to_be_visible()
    page.screenshot(path="/tmp/activity_columns_menu_1280.png")
    with page.expect_response(re.compile(r"/activity/outbound/columns$")):
        menu.get_by_label("Error").uncheck()
    expect(error_header).to_be_hidden()
    with page.expect_response(re.compile(r"/activity/outbound/columns$")):
        menu.get_by_label("Completed").check()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(table.locator("th[data-col=completed]")).to_be_visible()
    page.reload()
    expect(table.locator("th[data-col=error]")).to_be_hidden()
    expect(table.locator("th[data-col=completed]")).to_be_visible()
    # The Columns button does the same for keyboard and touch.
    page.get_by_role("button", name="Columns").click()
    expect(menu).to_be_visible()
    with page.expect_response(re.compile(r"/activity/outbound/columns$")):
        menu.get_by_label("Error").check()
    expect(table.locator("th[data-col=error]")).to_be_visible()
    page.get_by_role("button", name="Columns").click()
    expect(menu).to_be_hidden()

    # Row Count 10, remembered after a reload of the bare page.
    page.get_by_label("Row count:").select_option("10")
    expect(page).to_have_url(re.compile(r"rows=10"))
    expect(table.locator("tbody tr")).to_have_count(10)
    page.goto(live_server.url + "/activity/outbound/")
    expect(table.locator("tbody tr")).to_have_count(10)
    expect(page.get_by_label("Row count:")).to_have_value("10")
    expect(page.locator("#fx-activity-range")).to_have_text("1\u201310 of 17")
    page.screenshot(path="/tmp/activity_outbound_1280.png", full_page=True)

    # Go to page 2.
    page.get_by_label("Go to page:").fill("2")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(page.locator("#fx-activity-range")).to_have_text("11\u201317 of 17")
    expect(table.locator("tbody tr")).to_have_count(7)

    # The details link opens the job.
    first = table.locator("tbody tr").first
    identifier = first.locator("td[data-col=job]").inner_text().strip()
    first.get_by_role("link", name=f"Details of job {identifier}").click()
    expect(page).to_have_url(re.compile(rf"/faxes/sent/{identifier}/"))


def test_inbound_activity_bulk_resubmit(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    now = timezone.now()
    for i in range(4):
        inbound(
            cast.billing_user,
            number="+12125558001",
            at=now - timedelta(hours=i + 1),
            partial=i == 3,
        )
    InboundFax.objects.update(vault_name="kept")
    ids = list(InboundFax.objects.order_by("-received_at").values_list("pk", flat=True))

    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Activity").click()
    page.get_by_role("link", name="Inbound Activity").click()
    expect(page.get_by_role("heading", name="Inbound Activity", level=1)).to_be_visible()
    table = page.get_by_role("table", name="Inbound Activity")
    expect(table.locator("tbody tr")).to_have_count(4)
    search = page.get_by_role("form", name="Search Inbound Activity")
    search.get_by_label("Partial").select_option(label="Yes")
    search.get_by_role("button", name="Search", exact=True).click()
    expect(table.locator("tbody tr")).to_have_count(1)
    search.get_by_label("Partial").select_option(label="No Filter")
    search.get_by_role("button", name="Search", exact=True).click()
    expect(table.locator("tbody tr")).to_have_count(4)

    panel = page.get_by_role("form", name="Bulk Resubmit")
    expect(panel).to_contain_text("Messages Selected: 0 of 4")
    rows = table.locator("tbody tr")
    rows.nth(0).get_by_role("checkbox").check()
    rows.nth(2).get_by_role("checkbox").check()
    expect(panel).to_contain_text("Messages Selected: 2 of 4")
    page.screenshot(path="/tmp/activity_inbound_1280.png", full_page=True)
    with page.expect_request(re.compile(r"/faxes/received/resubmit$")) as posted:
        panel.get_by_role("button", name="Submit").click()
    form = parse_qs(posted.value.post_data or "")
    assert sorted(form["fax"]) == sorted([str(ids[0]), str(ids[2])])
    assert form["back"][0].startswith("/activity/inbound/")
    response = posted.value.response()
    assert response is not None and response.status < 400


def test_a_fax_user_on_a_phone_sees_their_own(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    now = timezone.now()
    mine = outbound(cast.billing_user, to="+16175550100", at=now - timedelta(hours=1))
    outbound(cast.sales_user, to="+16175550101", at=now - timedelta(hours=1))
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, live_server, cast.billing_user)
    page.goto(live_server.url + "/activity/outbound/")
    table = page.get_by_role("table", name="Outbound Activity")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(mine.identifier)
    page.get_by_role("button", name="Columns").click()
    expect(page.locator("#fx-columns-menu")).to_be_visible()
    page.screenshot(path="/tmp/activity_outbound_390.png", full_page=True)
