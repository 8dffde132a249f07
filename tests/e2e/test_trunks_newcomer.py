"""The newcomer's path of the README, in a browser: a local carrier (kamailio + rtpengine on
loopback, ``SipLab``) serves our platform (digest credentials, the demo user's numbers) and a
remote faxline (IP-authenticated, +1617555...). An operator adds the trunk on Settings ▸ SIP
Trunks by its visible labels; a fax user sends a fax from Send Fax to the remote, which the
dispatcher places over the trunk (Sent, with the trunk's name and T.38 on the job's page);
the remote then faxes 3 pages to the user's number, which the user finds in Received faxes.

The platform's SIP transport is built from faxing's wiring, as ``faxline serve``'s dispatcher
would build it, and answers inbound calls from its own threads; both ends are ours, so the
media is paced faster than real time (``trunk_pair.FAST``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from faxing.jobs_support import give_number, on_demand_covers
from faxing.trunks_support import Carrier, lab_carrier, platform_transport, wait_for
from faxline.faxing.jobs.dispatcher import dispatch_due
from faxline.faxing.models import FaxJob, InboundFax
from faxline.faxing.trunks.selectors import routing_cache_clear
from faxline.telephony.outcomes import OutcomeName
from telephony.lab.trunk_pair import sparse_tiff

from cast import PASSWORD, build_cast
from helpers import sign_in
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

USER_NUMBER = "+12125557001"  # the demo user's number, routed by the carrier to the platform
REMOTE_FAX = "+16175550142"  # a number of the remote faxline
TRUNK_USERNAME = "faxline"
TRUNK_PASSWORD = "Lab-Trunk-Secret-7"


@pytest.fixture
def carrier() -> Iterator[Carrier]:
    with lab_carrier(TRUNK_USERNAME, TRUNK_PASSWORD) as running:
        yield running


def test_a_newcomer_configures_a_trunk_and_faxes_both_ways_over_it(
    live_server, page: Page, carrier: Carrier, tmp_path: Path
) -> None:
    routing_cache_clear()
    cast = build_cast()
    give_number(cast.billing_user, USER_NUMBER)
    on_demand_covers(cast, cast.billing_user)

    # The operator adds the trunk pointing at the local kamailio.
    sign_in(page, live_server.url, cast.operator.username, PASSWORD)
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="SIP Trunks").click()
    expect(page.get_by_test_id("sandbox-carries-calls")).to_contain_text("sandbox PSTN")
    page.get_by_role("link", name="Add trunk").click()
    page.get_by_label("Name", exact=True).fill("Local kamailio")
    page.get_by_label("Host", exact=True).fill(carrier.lab.sip_host)
    page.get_by_label("Port", exact=True).fill(str(carrier.lab.sip_port))
    page.get_by_label("Registration: we REGISTER").check()
    page.get_by_label("Username", exact=True).fill(TRUNK_USERNAME)
    page.get_by_label("Password", exact=True).fill(TRUNK_PASSWORD)
    page.get_by_role("button", name="Add trunk").click()
    expect(page.get_by_text("Trunk Local kamailio was added.")).to_be_visible()
    row = page.get_by_test_id("sip-trunks").locator("tbody tr").filter(has_text="Local kamailio")
    expect(row).to_contain_text(f"{carrier.lab.sip_host}:{carrier.lab.sip_port}/udp")
    expect(row).to_contain_text("Enabled")
    expect(page.get_by_test_id("sandbox-carries-calls")).to_have_count(0)

    # What `faxline serve`'s dispatcher runs: the SIP transport from faxing's wiring,
    # listening on the platform's port (it answers the carrier's calls) and registered.
    platform = platform_transport(carrier)
    try:
        platform.start()
        platform.keep_serving()
        (registration,) = platform.registrations.values()
        assert registration.ok, registration.last_status  # the carrier took our credentials

        # The fax user sends a fax from the portal to the remote's number.
        page.context.clear_cookies()
        sign_in(page, live_server.url, cast.billing_user.username, PASSWORD)
        page.get_by_role("button", name="Bill Payer").click()
        page.get_by_role("link", name="Send Fax").click()
        expect(page.get_by_role("heading", name="Send Fax", level=1)).to_be_visible()
        page.get_by_label("Fax numbers").fill("+1 617 555 0142")
        page.get_by_label("Files").set_input_files(
            files=[
                {
                    "name": "note.txt",
                    "mimeType": "text/plain",
                    "buffer": b"Hello from faxline, over a SIP trunk.\n",
                }
            ]
        )
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("Your new fax job identifier is")).to_be_visible()
        (job,) = FaxJob.objects.all()

        assert dispatch_due(platform) == 1
        assert carrier.remote.arrived.wait(10)
        run_tasks()

        page.get_by_role("link", name="Sent faxes").first.click()
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(REMOTE_FAX)
        expect(rows.first).to_contain_text("Sent")
        rows.first.get_by_role("link", name=job.identifier).click()
        attempt = page.get_by_role("region", name="Attempt 1", exact=True)
        expect(attempt).to_contain_text("Sent")
        facts = attempt.get_by_label("T.30 data of attempt 1")
        expect(facts).to_contain_text("Trunk")
        expect(facts).to_contain_text("Local kamailio")
        expect(facts).to_contain_text("Media")
        expect(facts).to_contain_text("T.38")
        got = carrier.remote.received[-1].fax
        assert (got.to_number, got.from_number, got.result.pages) == (REMOTE_FAX, USER_NUMBER, 1)

        # The remote faxes 3 pages to the user's number; the user finds them in Received.
        document = sparse_tiff(tmp_path / "three.tif")
        outcome = carrier.remote.call(USER_NUMBER, document, from_number=REMOTE_FAX)
        assert outcome.name is OutcomeName.SENT, outcome.as_dict()
        wait_for(InboundFax.objects.exists)
        run_tasks()
        page.get_by_role("button", name="Bill Payer").click()
        page.get_by_role("link", name="Received faxes").click()
        expect(page.get_by_role("heading", name="Received faxes", level=1)).to_be_visible()
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(REMOTE_FAX)
        expect(rows.first).to_contain_text(USER_NUMBER)
        expect(rows.first.get_by_role("cell", name="3", exact=True)).to_be_visible()
        assert platform.calls_answered == 1
    finally:
        platform.close()
