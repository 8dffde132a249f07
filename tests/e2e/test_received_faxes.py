"""The Received list in a browser: a fax user finds the fax sent to their number, opens
it with its message events, downloads it and deletes it; an administrator sees a fax to a
number without a user among the undeliverable ones."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from faxline.faxing.sandbox.wiring import sandbox_transport
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.transport import CallRequest
from telephony.fax_calls import make_tiff

from cast import cast_from_snapshot
from helpers import login_as
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

CALLER = "+13125550000"
USER_NUMBER = "+12125551234"
SPARE_NUMBER = "+12125551240"


def test_a_fax_user_receives_downloads_and_deletes(live_server, page: Page, tmp_path) -> None:
    cast = cast_from_snapshot()
    for number, user in ((USER_NUMBER, cast.billing_user), (SPARE_NUMBER, None)):
        FaxNumber.objects.create(
            number=number,
            country="US",
            area_code="212",
            source=NumberSource.SANDBOX,
            status=NumberStatus.IN_SERVICE,
            company=cast.company,
            user=user,
        )
    document = make_tiff(tmp_path / "three.tif")
    for to in (USER_NUMBER, SPARE_NUMBER):
        outcome = sandbox_transport().place_call_sync(
            CallRequest(CALLER, to, document, FaxOptions(ident="ACME SENDER"))
        )
        assert outcome.success
    run_tasks()

    login_as(page, live_server, cast.billing_user)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Bill Payer").click()
    page.get_by_role("link", name="Received faxes").click()
    expect(page.get_by_role("heading", name="Received faxes", level=1)).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(CALLER)
    expect(rows.first).to_contain_text("ACME SENDER")
    expect(rows.first).to_contain_text("Delivered")
    page.screenshot(path="/tmp/received_list_1280.png", full_page=True)
    with page.expect_download() as download:
        rows.first.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename.endswith(".pdf")
    rows.first.get_by_role("link").first.click()
    events = page.get_by_role("table", name="Message events")
    expect(events).to_contain_text("Message received")
    expect(events).to_contain_text("Message forwarded")
    expect(events).to_contain_text("bill@acme.example")
    expect(events).to_contain_text("Message retrieved")
    page.screenshot(path="/tmp/received_fax_1280.png", full_page=True)
    page.go_back()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tbody tr").first.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("was deleted")).to_be_visible()
    expect(page.get_by_text("No faxes received.")).to_be_visible()

    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/faxes/received/")
    page.get_by_role("link", name="Undeliverable").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(SPARE_NUMBER)
    expect(rows.first).to_contain_text("The number has no user")
