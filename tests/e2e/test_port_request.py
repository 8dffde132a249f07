"""Number Porting in a browser: the guide's New Port Request path through the wizard to the
tracking ID (with the live first-time-right checks), then the LOA signed, the bill added and
Submit: the request is New with its estimated completion date.

Set FAXLINE_SCREENSHOTS=1 to also save the list, the wizard and the details at 1280 and 375
pixels wide in /tmp (porting-*.png).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from faxline.porting.choices import PortStatus
from faxline.porting.models import PortRequest

from cast import Cast, cast_from_snapshot
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp")
SCREENSHOTS = bool(os.environ.get("FAXLINE_SCREENSHOTS"))


@pytest.fixture
def acme(live_server) -> Cast:
    return cast_from_snapshot()


def shoot(page: Page, name: str) -> None:
    """Full-page screenshots at 1280 and 375 pixels wide (only with FAXLINE_SCREENSHOTS)."""
    if not SCREENSHOTS:
        return
    size = page.viewport_size
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(150)
        page.screenshot(path=str(SHOTS / f"porting-{name}-{width}.png"), full_page=True)
    if size:
        page.set_viewport_size(size)


def settle(page: Page) -> None:
    """Wait until htmx has no request in flight and has swapped what it received: typing
    into a field that a swap is about to replace would type into the wrong element."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping')")


def next_step(page: Page, heading: str) -> None:
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    settle(page)


def pdf_bytes() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_new_port_request_to_submission(live_server, page: Page, sign_in, acme: Cast) -> None:
    sign_in(acme.company_admin)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Number Porting").click()
    expect(page.get_by_role("heading", name="Port Requests", level=1)).to_be_visible()
    expect(page.get_by_text("No number port requests returned")).to_be_visible()
    shoot(page, "list-empty")
    page.get_by_role("link", name="+ New Port Request").first.click()

    # 1 Contact Information: prefilled with the administrator.
    expect(page.get_by_role("heading", name="Contact Information", level=2)).to_be_visible()
    expect(page.get_by_role("list", name="Steps").get_by_role("listitem")).to_have_count(7)
    expect(page.get_by_label("First name", exact=True)).to_have_value("Carol")
    page.get_by_label("Phone", exact=True).fill("+1 206 555 0100")
    next_step(page, "Numbers")

    # 2 Numbers: Next without a number is stopped at the step.
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Enter at least one number to port.")).to_be_visible()
    settle(page)
    page.get_by_label("Subscriber number 1", exact=True).fill("20623")
    expect(page.get_by_label("Subscriber number 1", exact=True)).to_have_value("20623")
    page.get_by_role("button", name="Add another number").click()
    expect(page.get_by_label("Subscriber number 2", exact=True)).to_be_focused()
    page.get_by_role("button", name="Remove number 2").click()
    expect(page.get_by_label("Subscriber number 2", exact=True)).to_have_count(0)
    settle(page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("is not a valid number")).to_be_visible()
    page.get_by_label("Subscriber number 1", exact=True).fill("2062345678")
    page.get_by_label("Same as number to port", exact=True).check()
    expect(page.get_by_label("Enter the Billing Telephone Number", exact=False)).to_have_value(
        "2062345678"
    )
    shoot(page, "wizard-numbers")
    next_step(page, "Carrier")

    # 3 Carrier: the PIN is a password field; a shared line brings the advice.
    page.get_by_label("Losing carrier", exact=True).fill("Old Telco")
    page.get_by_label("Carrier account number", exact=True).fill("ACCT-998877")
    pin = page.get_by_label("PIN / port-out passcode", exact=True)
    expect(pin).to_have_attribute("type", "password")
    pin.fill("4321")
    page.get_by_label("An alarm system", exact=True).check()
    expect(page.get_by_text("Consider call forwarding instead.")).to_be_visible()
    # The live check: the engine's SHARED_LINE warning appears without leaving the step.
    expect(page.locator("#fx-live [data-code='SHARED_LINE']")).to_be_visible()
    page.get_by_label("An alarm system", exact=True).uncheck()
    expect(page.get_by_text("Consider call forwarding instead.")).to_be_hidden()
    next_step(page, "Authorized Person")

    # 4 Authorized Person and Business name.
    page.get_by_label("Business name", exact=True).fill("Acme Corp")
    page.get_by_label("Authorized person", exact=True).fill("Carol Chief")
    page.get_by_label("Title", exact=True).fill("CEO")
    next_step(page, "Service Address")

    # 5 Service Address: a fresh account has no address to choose, so the page offers the
    # new address's fields at once and does not speak of a button it does not show.
    expect(page.get_by_test_id("first-address")).to_be_visible()
    expect(page.get_by_text("click + New Service Address")).to_have_count(0)
    expect(page.get_by_text("New Service Address", exact=True)).to_be_visible()
    expect(page.get_by_label("Street address", exact=True)).to_be_visible()
    # A PO box is found live, next to the field.
    expect(
        page.get_by_text("the service address may differ from the billing address")
    ).to_be_visible()
    page.get_by_label("Street address", exact=True).fill("PO Box 123")
    page.get_by_label("City", exact=True).fill("Seattle")
    page.get_by_label("State / Province", exact=True).select_option("WA")
    page.get_by_label("ZIP / Postal code", exact=True).fill("98101")
    expect(page.locator("#fx-live [data-code='PO_BOX']")).to_be_visible()
    page.get_by_label("Street address", exact=True).fill("1313 Mockingbird Lane")
    page.get_by_label("Unit / Suite", exact=True).fill("Suite 15")
    page.get_by_label("Unit / Suite", exact=True).blur()
    expect(page.locator("#fx-live [data-code='PO_BOX']")).to_have_count(0)
    shoot(page, "wizard-address")
    next_step(page, "Port Type")

    # 6 Port Type: full by default.
    expect(
        page.get_by_label("Full port: every number on the account moves", exact=True)
    ).to_be_checked()
    next_step(page, "Confirmation")

    # 7 Confirmation: the guide's list, next steps, special instructions.
    summary = page.get_by_test_id("confirmation")
    expect(summary).to_contain_text("US +1 2062345678")
    expect(summary).to_contain_text("Acme Corp")
    expect(summary).to_contain_text("1313 Mockingbird Lane, Suite 15, Seattle, WA 98101")
    expect(page.locator("[data-code='LOA_MISSING']")).to_be_visible()
    expect(page.locator("[data-code='BILL_MISSING']")).to_be_visible()
    expect(page.locator(".fx-finding-error")).to_have_count(0)
    page.get_by_label("Special Instructions", exact=True).fill("Please port after 5 pm.")
    shoot(page, "wizard-confirmation")
    page.get_by_role("button", name="Finish").click()

    expect(page.get_by_text("The port request identifier for your submission is:")).to_be_visible()
    tracking = page.get_by_test_id("tracking-id").inner_text().strip()
    port = PortRequest.objects.get(pk=int(tracking))
    assert port.status == PortStatus.DRAFT
    assert port.pin == "4321" and port.account_number == "ACCT-998877"
    assert port.special_instructions == "Please port after 5 pm."
    assert port.company.service_addresses.count() == 1
    expect(page.get_by_text("Sign the Letter of Authorization")).to_be_visible()
    shoot(page, "wizard-done")

    page.get_by_role("link", name=f"Open port request {tracking}").click()
    expect(page.get_by_role("heading", name=f"Port Request {tracking}", level=1)).to_be_visible()
    expect(page.get_by_test_id("port-status")).to_have_text("Draft")
    # The PIN and the account number are never on the page.
    content = page.content()
    assert "4321" not in content and "ACCT-998877" not in content
    expect(page.get_by_test_id("account-masked")).to_contain_text("8877")

    # Submit before the LOA is signed: refused, saying what to do.
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Sign the Letter of Authorization first")).to_be_visible()

    # Sign the LOA on its page, and add the bill through the Files tab.
    from faxline.porting.choices import DocumentKind
    from faxline.porting.validation.checks import latest_document, loa_signed_for

    page.goto(live_server.url + reverse("porting:loa", args=[port.pk]))
    sign_form = page.locator("form[data-fx-sign]")
    sign_form.locator("input[name='signer_name']").fill("Carol Chief")
    sign_form.locator("label[for='fx-kind-typed']").click()
    sign_form.locator("input[name='consent']").check()
    sign_form.get_by_role("button", name="Sign the Letter of Authorization").click()
    page.wait_for_load_state()
    expect(page.get_by_text(re.compile("signed", re.I)).first).to_be_visible()
    assert loa_signed_for(port)
    page.goto(live_server.url + reverse("porting:detail", args=[port.pk]) + "?tab=files")
    page.locator("select[name='kind']").select_option("bill")
    page.locator("input[name='file']").set_input_files(
        files=[{"name": "bill.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_role("button", name="Upload").click()
    # faxline reads the bill; this one does not print its statement date: the person types it.
    expect(page.get_by_test_id("facts-reading")).to_be_visible()
    run_tasks()
    expect(page.get_by_test_id("facts-panel")).to_be_visible()
    page.get_by_label("Statement date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Confirm facts").click()
    expect(page.get_by_text("Phone bill facts confirmed.")).to_be_visible()
    assert latest_document(port, DocumentKind.BILL) is not None

    page.goto(live_server.url + reverse("porting:detail", args=[port.pk]))
    expect(page.get_by_text("Ready to submit")).to_be_visible()
    shoot(page, "detail-draft")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_test_id("port-status")).to_have_text("New")
    expect(page.get_by_text(re.compile(r"was submitted to the porting team"))).to_be_visible()
    port.refresh_from_db()
    assert port.status == PortStatus.NEW and port.eta is not None
    expect(page.get_by_test_id("port-eta")).to_have_text(port.eta.strftime("%b %-d, %Y"))

    # The timeline shows the transitions; the notes tab takes a note.
    page.get_by_role("tab", name="Notes").click()
    page.get_by_label("Add a note", exact=True).fill("The suite number is on the door.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".fx-note-body")).to_have_text("The suite number is on the door.")
    page.get_by_role("tab", name="Timeline").click()
    expect(page.locator(".fx-timeline")).to_contain_text("Submitted")
    shoot(page, "detail-timeline")
    page.get_by_role("tab", name="Details").click()
    shoot(page, "detail")

    page.goto(live_server.url + reverse("porting:list"))
    row = page.locator(f"tr[data-port-id='{port.pk}']")
    expect(row).to_contain_text("Acme Corp")
    expect(row).to_contain_text("New")
    shoot(page, "list")
