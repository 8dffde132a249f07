"""Send Fax in a browser: a fax user sends a 3-page PDF from the portal to a colleague's
number; once the dispatcher has called (in this process, through the sandbox PSTN) and the
delivery task has run, the job is Sent in Sent faxes, and the colleague, signed in, finds
the fax in Received faxes. Screenshots at desktop and phone width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from faxing.jobs_support import give_number, on_demand_covers, transport
from faxing.test_inbound import three_page_pdf
from faxline.faxing.jobs.dispatcher import dispatch_due
from faxline.faxing.models import FaxJob

from cast import cast_from_snapshot
from helpers import login_as
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

SENDER_NUMBER = "+12125557001"
RECIPIENT_NUMBER = "+12125557002"


def test_a_fax_user_sends_a_pdf_that_arrives_in_the_colleagues_received(
    live_server, page: Page, tmp_path: Path
) -> None:
    cast = cast_from_snapshot()
    give_number(cast.billing_user, SENDER_NUMBER)
    give_number(cast.sales_user, RECIPIENT_NUMBER)
    on_demand_covers(cast, cast.billing_user)
    pdf = three_page_pdf(tmp_path / "letter.pdf")

    login_as(page, live_server, cast.billing_user)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Bill Payer").click()
    page.get_by_role("link", name="Send Fax").click()
    expect(page.get_by_role("heading", name="Send Fax", level=1)).to_be_visible()
    page.get_by_label("Fax numbers").fill("+1 212 555 7002, 555-01")
    page.get_by_label("Files").set_input_files(str(pdf))
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#id_to_error")).to_contain_text("Invalid Fax Number")
    page.screenshot(path="/tmp/send_fax_refused_1280.png", full_page=True)
    assert not FaxJob.objects.exists()
    page.get_by_label("Fax numbers").fill("+1 212 555 7002")
    page.get_by_label("Files").set_input_files(str(pdf))
    expect(page.get_by_label("Add a cover page")).not_to_be_checked()
    page.screenshot(path="/tmp/send_fax_1280.png", full_page=True)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your new fax job identifier is")).to_be_visible()
    (job,) = FaxJob.objects.all()
    expect(page.get_by_text(job.identifier)).to_be_visible()
    page.screenshot(path="/tmp/send_fax_accepted_1280.png", full_page=True)

    assert dispatch_due(transport()) == 1
    run_tasks()

    page.get_by_role("link", name="Sent faxes").first.click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(job.identifier)
    expect(rows.first).to_contain_text(RECIPIENT_NUMBER)
    expect(rows.first).to_contain_text("Sent")
    page.screenshot(path="/tmp/sent_list_1280.png", full_page=True)
    rows.first.get_by_role("link", name=job.identifier).click()
    attempts = page.get_by_role("region", name="Attempts", exact=True)
    expect(attempts).to_contain_text("Sent")
    expect(attempts).to_contain_text("0 OK")
    with page.expect_download() as download:
        page.get_by_role("link", name="Delivery receipt").click()
    assert download.value.suggested_filename == f"fax-receipt-{job.identifier}.pdf"
    page.screenshot(path="/tmp/sent_job_1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/sent_job_390.png", full_page=True)
    page.goto(live_server.url + "/faxes/send/")
    page.screenshot(path="/tmp/send_fax_390.png", full_page=True)
    page.goto(live_server.url + "/faxes/sent/")
    page.screenshot(path="/tmp/sent_list_390.png", full_page=True)

    page.set_viewport_size({"width": 1280, "height": 800})
    login_as(page, live_server, cast.sales_user)
    page.goto(live_server.url + "/faxes/received/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(SENDER_NUMBER)
    expect(rows.first).to_contain_text(re.compile(r"\b3\b"))
    expect(rows.first).to_contain_text("Delivered")
