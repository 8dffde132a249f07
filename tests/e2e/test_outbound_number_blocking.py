"""Outbound Number Blocking in a browser: a company administrator adds numbers on the Fax
tab (htmx), sees the count, looks one up, exports the list, removes one (confirmed); a
read-only administrator sees the list without Add or Remove. Also at a phone's width."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from faxline.accounts.models import BlockedNumber
from faxline.core.models import AuditEvent

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def test_add_lookup_count_export_and_remove(page: Page, live_server: Any) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.company_admin)
    url = reverse("accounts:company_details", args=[cast.company.pk]) + "?tab=fax"
    page.goto(live_server.url + url)
    section = page.get_by_test_id("blocking")
    expect(section.get_by_role("heading", name="Outbound Number Blocking")).to_be_visible()
    expect(page.get_by_test_id("blocked-count")).to_have_text("0")

    # Add: a bad line names itself and adds nothing; then two good numbers.
    section.get_by_role("link", name="Add").click()
    numbers = page.get_by_label("Fax numbers to block")
    numbers.fill("(732) 920-0193\n12345")
    page.get_by_test_id("blocking-add").get_by_role("button", name="Add").click()
    expect(page.get_by_test_id("blocking-error")).to_contain_text("line 2")
    expect(page.get_by_test_id("blocking-report")).to_contain_text("Not a fax number")
    assert not BlockedNumber.objects.exists()
    page.get_by_label("Fax numbers to block").fill("(732) 920-0193\n+44 20 7946 0958")
    page.get_by_test_id("blocking-add").get_by_role("button", name="Add").click()
    expect(page.get_by_test_id("blocking-notice")).to_have_text("2 numbers blocked.")
    expect(page.get_by_test_id("blocked-count")).to_have_text("2")
    expect(page.get_by_test_id("blocked-total")).to_have_text("Total Number(s): 2")
    expect(page.get_by_test_id("blocked-row")).to_have_count(2)

    # Lookup Number, in another spelling; Display All brings the list back.
    page.get_by_label("Lookup Number").fill("1-732-920-0193")
    page.get_by_role("button", name="Lookup Number").click()
    expect(page.get_by_test_id("blocked-row")).to_have_count(1)
    expect(page.get_by_test_id("blocked-row")).to_contain_text("+17329200193")
    expect(page.get_by_test_id("blocked-count")).to_have_text("2")
    page.get_by_role("link", name="Display All").click()
    expect(page.get_by_test_id("blocked-row")).to_have_count(2)

    # Export: a CSV download with both numbers.
    with page.expect_download() as download_info:
        page.get_by_test_id("blocking-export").click()
    text = Path(download_info.value.path()).read_text()
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows] == ["Blocked Fax Number", "+17329200193", "+442079460958"]

    # Remove, confirmed.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove +17329200193").click()
    expect(page.get_by_test_id("blocking-notice")).to_contain_text("+17329200193 removed")
    expect(page.get_by_test_id("blocked-count")).to_have_text("1")
    expect(page.get_by_test_id("blocked-row")).to_have_count(1)
    assert list(BlockedNumber.objects.values_list("number", flat=True)) == ["+442079460958"]
    assert AuditEvent.objects.filter(kind="blocked_number.removed").count() == 1

    page.get_by_test_id("blocking").screenshot(path=str(SHOTS / "blocking-desktop.png"))
    page.screenshot(path=str(SHOTS / "blocking-desktop-page.png"), full_page=True)

    # On a phone: everything on screen, nothing wider than it.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + url + "&block_add=1")
    expect(page.get_by_label("Fax numbers to block")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_test_id("blocking").screenshot(path=str(SHOTS / "blocking-phone.png"))


def test_a_read_only_administrator_sees_no_add_or_remove(page: Page, live_server: Any) -> None:
    cast = cast_from_snapshot()
    BlockedNumber.objects.create(company=cast.company, number="+17329200193")
    login_as(page, live_server, cast.read_only_admin)
    url = reverse("accounts:company_details", args=[cast.company.pk]) + "?tab=fax"
    page.goto(live_server.url + url)
    section = page.get_by_test_id("blocking")
    expect(page.get_by_test_id("blocked-row")).to_have_count(1)
    expect(page.get_by_test_id("blocked-count")).to_have_text("1")
    expect(section.get_by_text("read-only administrator")).to_be_visible()
    expect(section.get_by_role("link", name="Add")).to_have_count(0)
    expect(section.get_by_role("button", name="Remove +17329200193")).to_have_count(0)
    expect(page.get_by_test_id("blocking-export")).to_be_visible()
