"""Activity Details in a browser: an administrator opens an outbound job's details (its
attempts with their T.30 data, its events), resends it to a new number and reads the new
job identifier; a fax user views and resubmits a received fax; an administrator's Bulk
Resubmit shows its progress to the end."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from faxline.accounts.access import Actor
from faxline.core.vault import vault_store
from faxline.faxing.inbound.models import DeliveryStatus, InboundFax
from faxline.faxing.jobs.send import Attachment, CoverRequest, fax_send
from faxline.faxing.models import FaxAttempt, FaxJob
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from history import outbound
from telephony.fax_calls import make_tiff

from cast import cast_from_snapshot
from helpers import login_as
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

SENDER_NUMBER = "+12125557001"
USER_NUMBER = "+12125551234"
REMOTE = "+16175559876"


def give_number(user, number: str) -> None:  # type: ignore[no-untyped-def]
    FaxNumber.objects.create(
        number=number,
        country="US",
        area_code=number[2:5],
        source=NumberSource.SANDBOX,
        status=NumberStatus.IN_SERVICE,
        company=user.company,
        user=user,
        outbound=True,
    )


def test_outbound_details_and_resend_to_a_new_number(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    give_number(cast.billing_user, SENDER_NUMBER)
    job = outbound(
        cast.billing_user,
        to=REMOTE,
        at=timezone.now() - timedelta(hours=2),
        status="failed",
        error="Negotiation Failed",
        busy=1,
    )
    FaxAttempt.objects.filter(job=job, number=2).update(
        completion_code=25,
        completion_text="Training failed",
        remote_csi="FAR END",
        statistics={"bit_rate": 9600, "ecm": False, "x_resolution": 204, "y_resolution": 98},
        progress=[
            {"kind": "dialing", "at_seconds": 0.0, "detail": ""},
            {"kind": "answered", "at_seconds": 4.0, "detail": ""},
            {"kind": "fax_tones", "at_seconds": 5.2, "detail": "CED"},
        ],
    )

    login_as(page, live_server, cast.company_admin)
    page.goto(f"{live_server.url}/faxes/sent/{job.identifier}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(job.identifier)
    expect(page.get_by_text("Negotiation Failed").first).to_be_visible()
    attempt = page.get_by_role("region", name="Attempt 2")
    expect(attempt).to_contain_text("9600 bit/s")
    expect(attempt).to_contain_text("FAR END")
    attempt.get_by_text("Call progress").click()
    expect(attempt.get_by_role("list", name="Call progress of attempt 2")).to_contain_text(
        "Fax tones heard"
    )
    events = page.get_by_role("table", name="Events")
    expect(events).to_contain_text("Accepted")
    expect(events).to_contain_text("Retry scheduled")
    page.screenshot(path="/tmp/details_outbound_1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/details_outbound_390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("navigation", name="Activity Details tabs").get_by_role(
        "link", name="Resend"
    ).click()
    number = page.get_by_label("Fax Number")
    expect(number).to_have_value(REMOTE)
    number.fill("12")
    page.get_by_role("button", name="Resend Fax").click()
    expect(page.get_by_text("Invalid Fax Number")).to_be_visible()
    page.get_by_label("Fax Number").fill("+1 617 555 0042")
    page.screenshot(path="/tmp/details_resend_1280.png", full_page=True)
    page.get_by_role("button", name="Resend Fax").click()
    message = page.get_by_text(re.compile(r"Your new fax job identifier is \d{3}-\d{8}"))
    expect(message).to_be_visible()
    identifier = re.search(r"\d{3}-\d{8}", message.inner_text())
    assert identifier is not None
    again = FaxJob.objects.get(identifier=identifier.group(0))
    assert (again.to_number, again.resent_from_id) == ("+16175550042", job.pk)
    expect(page.get_by_role("heading", level=1)).to_contain_text(again.identifier)
    expect(page.get_by_role("table", name="Events")).to_contain_text("Carol Chief")
    page.screenshot(path="/tmp/details_resent_1280.png", full_page=True)


def test_the_view_tab_shows_the_document(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    give_number(cast.billing_user, SENDER_NUMBER)
    (job,) = fax_send(
        actor=Actor(user=cast.billing_user),
        to=[REMOTE],
        files=[Attachment(b"Quarterly figures, as agreed.\n", "figures.txt")],
        cover=CoverRequest(requested=False),
    )
    login_as(page, live_server, cast.dept_admin)
    page.goto(f"{live_server.url}/faxes/sent/{job.identifier}/?tab=view")
    first = page.get_by_role("img", name=f"Page 1 of fax job {job.identifier}")
    expect(first).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=first.element_handle()
    )
    page.screenshot(path="/tmp/details_outbound_view_1280.png", full_page=True)
    login_as(page, live_server, cast.operator)
    page.goto(f"{live_server.url}/faxes/sent/{job.identifier}/?tab=view")
    expect(page.get_by_role("note")).to_contain_text("Only the sender")


def _received(cast, image: bytes, user, minutes: int = 0) -> InboundFax:  # type: ignore[no-untyped-def]
    stored = vault_store(image, purpose="inbound-fax")
    return InboundFax.objects.create(
        to_number=USER_NUMBER,
        from_number="+13125550000",
        company=cast.company,
        user=user,
        department=user.department if user else None,
        received_at=timezone.now() - timedelta(minutes=minutes),
        pages=2,
        remote_csid="ACME SENDER",
        call_seconds=42.0,
        vault_name=stored.name,
        size=stored.size,
        sha256=stored.sha256,
        delivery_status=DeliveryStatus.DELIVERED,
    )


def test_a_received_fax_is_viewed_and_resubmitted(live_server, page: Page, tmp_path) -> None:
    cast = cast_from_snapshot()
    give_number(cast.billing_user, USER_NUMBER)
    image = make_tiff(tmp_path / "two.tif", pages=2).read_bytes()
    fax = _received(cast, image, cast.billing_user)

    login_as(page, live_server, cast.billing_user)
    page.goto(f"{live_server.url}/faxes/received/{fax.pk}/")
    expect(page.get_by_text("ACME SENDER")).to_be_visible()
    expect(page.get_by_role("heading", name="Message Events")).to_be_visible()
    tabs = page.get_by_role("navigation", name="Activity Details tabs")
    tabs.get_by_role("link", name="View").click()
    second = page.get_by_role("img", name=f"Page 2 of received fax {fax.pk}")
    expect(second).to_be_visible()
    second.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=second.element_handle()
    )
    page.screenshot(path="/tmp/details_inbound_view_1280.png", full_page=True)
    tabs.get_by_role("link", name="Resubmit").click()
    expect(page.get_by_text("Resubmit Fax allows you to re-deliver a fax")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Resubmit Fax").click()
    expect(page.get_by_text("will be delivered again")).to_be_visible()
    run_tasks()
    page.reload()
    events = page.get_by_role("table", name="Message events")
    expect(events).to_contain_text("Message resubmitted")
    expect(events).to_contain_text("Message forwarded")
    page.screenshot(path="/tmp/details_inbound_1280.png", full_page=True)


def test_bulk_resubmit_shows_its_progress_to_the_end(live_server, page: Page, tmp_path) -> None:
    cast = cast_from_snapshot()
    give_number(cast.billing_user, USER_NUMBER)
    image = make_tiff(tmp_path / "one.tif", pages=1).read_bytes()
    faxes = [_received(cast, image, cast.billing_user, minutes=n) for n in range(3)]
    InboundFax.objects.filter(pk=faxes[2].pk).update(delivery_status=DeliveryStatus.DELIVERING)

    login_as(page, live_server, cast.company_admin)
    page.goto(f"{live_server.url}/faxes/received/")
    for fax in faxes:
        page.locator(f'input[name="fax"][value="{fax.pk}"]').check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Bulk Resubmit").click()
    expect(page.get_by_role("heading", name="Bulk Resubmit", level=1)).to_be_visible()
    status = page.get_by_role("status").filter(has_text="resubmitted")
    expect(status).to_have_text("0 of 3 resubmitted, 0 refused.")
    page.screenshot(path="/tmp/details_bulk_waiting_1280.png", full_page=True)
    run_tasks()  # the worker; the page polls until it is done
    expect(status).to_have_text("2 of 3 resubmitted, 1 refused.")
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    table = page.get_by_role("table", name="Messages of the Bulk Resubmit")
    expect(table.get_by_text("Resubmitted")).to_have_count(2)
    expect(table).to_contain_text("being delivered already")
    page.screenshot(path="/tmp/details_bulk_done_1280.png", full_page=True)
