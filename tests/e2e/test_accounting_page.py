"""Accounting in a browser: a company administrator opens Activity ▸ Accounting, sees last
month's file, generates the current month (the page follows the generation until it is
done) and downloads a day file; a department administrator is not offered Accounting and
is refused with a clear message."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from faxline.activity.accounting.periods import Month
from faxline.activity.accounting.services import cdr_month_make
from history import inbound, outbound

from cast import cast_from_snapshot
from helpers import login_as
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_company_administrator_generates_and_downloads(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    now = timezone.now()
    this_month = Month.of(now)
    at = max(this_month.start + timedelta(minutes=1), now - timedelta(hours=2))
    outbound(cast.billing_user, to="+16175550100", at=at, pages=2)
    inbound(cast.sales_user, number="+12125557001", at=at + timedelta(minutes=10))
    last = this_month.shifted(-1)
    outbound(cast.billing_user, to="+16175550101", at=last.start + timedelta(days=3))
    assert cdr_month_make(company_id=cast.company.pk, month=last) is not None

    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/help/")
    page.get_by_role("button", name="Activity").click()
    page.get_by_role("link", name="Accounting").click()
    expect(page.get_by_role("heading", name="Accounting", level=1)).to_be_visible()
    files = page.get_by_role("table", name="Call Detail Record files")
    expect(files.locator("tbody tr")).to_have_count(1)
    expect(files).to_contain_text(str(last))

    page.get_by_role("button", name="Generate current month").click()
    status = page.get_by_test_id("cdr-generation")
    expect(status).to_contain_text("Queued")
    run_tasks()
    expect(status).to_contain_text("Done", timeout=20_000)
    day = at.date().isoformat()
    row = files.locator("tbody tr").filter(has=page.get_by_role("cell", name=day, exact=True))
    expect(row).to_have_count(1)
    page.screenshot(path="/tmp/accounting_1280.png", full_page=True)

    with page.expect_download() as download:
        row.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename == f"cdr-{cast.company.pk}-{day}.csv"
    text = download.value.path().read_text(encoding="utf-8")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["Record ID", "Direction", "Time (UTC)"]
    assert sorted(r[1] for r in rows) == ["inbound", "outbound"]


def test_a_department_administrator_is_refused(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.dept_admin)
    page.goto(live_server.url + "/help/")
    expect(page.get_by_role("link", name="Accounting")).to_have_count(0)
    page.goto(live_server.url + "/activity/accounting/")
    expect(page.get_by_text("Accounting is for company-level administrators only")).to_be_visible()
