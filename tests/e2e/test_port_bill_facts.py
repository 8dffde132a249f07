"""Porting reads the bill, in a browser (issue 14): a customer uploads the losing carrier's
bill on the Files tab, watches it being read, finds its facts pre-filled beside pictures of
where each was read, corrects the one that is not what the bill says and confirms; the
mismatch shows as a finding before submission, and the porting desk sees which facts were
read and which were corrected.

Set FAXLINE_SCREENSHOTS=1 to also save the facts page in /tmp (porting-bill-facts-*.png).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from documents.reading_documents import port_bill_pdf
from faxline.porting.choices import FactOrigin, PortStatus
from faxline.porting.models import PortDocument, PortRequest
from faxline.porting.requests.services import port_request_create
from porting.porting_support import request_data

from cast import cast_from_snapshot
from helpers import login_as
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)
SCREENSHOTS = bool(os.environ.get("FAXLINE_SCREENSHOTS"))


def test_a_bill_is_read_confirmed_and_compared(
    page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cast = cast_from_snapshot()
    port = port_request_create(
        actor=cast.actor(cast.company_admin), company=cast.company, data=request_data()
    )
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + reverse("porting:detail", args=[port.pk]) + "?tab=files")
    page.get_by_label("Document type").select_option(label="Phone bill")
    bill = port_bill_pdf(name="Acme Widgets", street="1313 Mockingbird Lane, Suite 16")
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "november-bill.pdf", "mimeType": "application/pdf", "buffer": bill}]
    )
    page.get_by_role("button", name="Upload").click()

    # Being read: the page says so, and shows the facts once the worker has read them.
    expect(page.get_by_test_id("facts-reading")).to_contain_text("Waiting to be read")
    assert run_tasks() >= 1
    panel = page.get_by_test_id("facts-panel")
    expect(panel).to_contain_text("Awaiting confirmation")
    expect(page.get_by_label("Account name")).to_have_value("Acme Widgets")
    expect(page.get_by_label("Statement date")).to_have_value("2026-12-01")
    expect(page.get_by_label("Street")).to_have_value("1313 Mockingbird Lane")
    expect(page.get_by_label("Suite / unit")).to_have_value("Suite 16")
    pictures = page.get_by_test_id("fact-thumbnail")
    expect(pictures).to_have_count(3)
    for i in range(3):  # each picture loaded (a broken image has no natural width)
        expect(pictures.nth(i)).to_have_js_property("complete", True)
        assert pictures.nth(i).evaluate("img => img.naturalWidth") > 50
    if SCREENSHOTS:
        page.screenshot(path="/tmp/porting-bill-facts-1280.png", full_page=True)
        size = page.viewport_size
        page.set_viewport_size({"width": 375, "height": 800})
        page.screenshot(path="/tmp/porting-bill-facts-375.png", full_page=True)
        if size:
            page.set_viewport_size(size)

    # The bill's name is a trade name: the person corrects it to the legal name; a cleared
    # required part is refused first, next to its field.
    page.get_by_label("City").fill("")
    page.get_by_role("button", name="Confirm facts").click()
    expect(page.get_by_test_id("facts-error")).to_contain_text("city")
    page.get_by_label("City").fill("Seattle")
    page.get_by_label("Account name").fill("Acme Corp")
    page.get_by_role("button", name="Confirm facts").click()
    expect(page.get_by_text("Bill facts confirmed.")).to_be_visible()

    # Before submission: the unit on the bill is not the request's.
    expect(page.get_by_text("Suite 16").first).to_be_visible()
    document = PortDocument.objects.get(request=port, kind="bill")
    assert document.fact_origins == {
        "statement_date": FactOrigin.READ,
        "account_name": FactOrigin.CORRECTED,
        "service_address": FactOrigin.READ,
    }
    page.goto(live_server.url + reverse("porting:detail", args=[port.pk]) + "?tab=files")
    expect(page.get_by_test_id("file-facts")).to_have_text("Facts confirmed")

    # The porting desk: what the checks use, where it came from, what the bill says.
    PortRequest.objects.filter(pk=port.pk).update(status=PortStatus.NEW)
    login_as(page, live_server, cast.operator)
    page.goto(live_server.url + reverse("porting:desk_request", args=[port.pk]))
    facts = page.get_by_test_id("desk-facts-bill")
    name = facts.locator("tr[data-fact='account_name']")
    expect(name).to_contain_text("Acme Corp")
    expect(name).to_contain_text("Corrected")
    expect(name).to_contain_text("Acme Widgets")
    expect(facts.locator("tr[data-fact='statement_date']")).to_contain_text("Read")
    if SCREENSHOTS:
        page.screenshot(path="/tmp/porting-bill-facts-desk-1280.png", full_page=True)
