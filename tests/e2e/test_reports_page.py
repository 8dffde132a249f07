"""Reports in a browser: an administrator opens Activity → Reports, a report, sees its
chart and table, filters it by department and exports it as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from reports_history import DEST_A, DEST_B, acme_history

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_runs_filters_and_exports_a_report(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    d1, d2 = today - timedelta(days=5), today - timedelta(days=3)
    acme_history(cast, days=(d1, d2, today - timedelta(days=120)))

    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Activity").click()
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    page.screenshot(path="/tmp/reports_index_1280.png", full_page=True)
    outbound = page.get_by_role("region", name="Outbound Reports")
    outbound.get_by_role("link", name="Highest Volume Destinations").click()

    expect(page.get_by_role("heading", name="Highest Volume Destinations", level=1)).to_be_visible()
    chart = page.get_by_role("img", name="Faxes by destination")
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name="Highest Volume Destinations")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(DEST_A)
    expect(rows.nth(1)).to_contain_text(DEST_B)
    expect(table.locator("tfoot")).to_contain_text("Total")
    page.screenshot(path="/tmp/reports_destinations_1280.png", full_page=True)

    page.get_by_label("Department").select_option(label="Sales")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(
        f"{live_server.url}/activity/reports/outbound/highest-volume-destinations/?department={cast.sales.pk}&user=&number="
    )
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(DEST_B)
    expect(page.get_by_label("Department")).to_have_value(str(cast.sales.pk))
    expect(chart).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename.startswith("outbound-highest-volume-destinations-")
    text = Path(download.value.path()).read_text()
    assert list(csv.reader(io.StringIO(text))) == [
        ["Destination", "Faxes", "Successful", "Failed", "Pages", "Success rate (%)"],
        [DEST_B, "1", "1", "0", "3", "100.0"],
        ["Total", "1", "1", "0", "3", "100.0"],
    ]

    page.goto(live_server.url + "/activity/reports/outbound/usage-summary/")
    expect(page.get_by_role("img", name="Faxes per day")).to_be_visible()
    page.screenshot(path="/tmp/reports_usage_1280.png", full_page=True)
    expect(page.get_by_role("table", name="Usage Summary").locator("tbody tr")).to_have_count(2)
    expect(page.locator(".dropdown-item[aria-current='page']")).to_have_text("Reports")
    page.screenshot(path="/tmp/reports_usage_1280.png", full_page=True)

    page.goto(live_server.url + "/activity/reports/inbound/average-time-to-first-forward/")
    expect(page.get_by_role("img", name="Average time to first forward per day")).to_be_visible()
    page.screenshot(path="/tmp/reports_forward_1280.png", full_page=True)
    page.get_by_label("Fax number").fill("not a number")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("alert")).to_contain_text("is not a fax number")
    expect(page.get_by_label("Fax number")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path="/tmp/reports_refused_1280.png", full_page=True)
