"""The platform over a SIP trunk: an operator's trunk (in the database) pointing at a real
carrier on loopback (kamailio + rtpengine); a fax job placed by the dispatcher goes out over
it to a remote faxline, and a fax the remote sends to a user's number arrives as that user's
inbound fax. The transport is built from faxing's wiring (the trunks, the directory, the
inbound pipeline), paced faster than real time: both ends are ours."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from faxing.jobs_support import SENDER_NUMBER, give_number, on_demand_covers, three_pages
from faxing.trunks_support import Carrier, lab_carrier, platform_transport, wait_for
from faxline.accounts.access import Actor
from faxline.accounts.services.users import user_lock
from faxline.faxing.jobs.dispatcher import dispatch_due
from faxline.faxing.jobs.selectors import job_attempts
from faxline.faxing.jobs.send import fax_send
from faxline.faxing.models import FaxJob, InboundFax
from faxline.faxing.trunks import selectors, services
from faxline.faxing.trunks.models import SipTrunk
from faxline.telephony.outcomes import OutcomeName
from faxline.telephony.sip.trunk import SipTrunkTransport
from telephony.lab.trunk_pair import sparse_tiff

from cast import Cast

pytestmark = [pytest.mark.django_db(transaction=True)]

REMOTE_FAX = "+16175550142"


@pytest.fixture
def carrier() -> Iterator[Carrier]:
    with lab_carrier("faxline", "trunk-pw") as running:
        yield running


@pytest.fixture
def platform(cast: Cast, carrier: Carrier) -> Iterator[SipTrunkTransport]:
    services.trunk_create(
        actor=Actor(user=cast.operator),
        name="Lab carrier",
        host=carrier.lab.sip_host,
        port=carrier.lab.sip_port,
        username="faxline",
        password="trunk-pw",
    )
    selectors.routing_cache_clear()
    transport = platform_transport(carrier)
    transport.start()
    try:
        yield transport
    finally:
        transport.close()


def test_a_fax_job_goes_out_over_the_trunk(
    cast: Cast, carrier: Carrier, platform: SipTrunkTransport, tmp_path: object
) -> None:
    sender = cast.billing_user
    give_number(sender)
    on_demand_covers(cast, sender)
    (job,) = fax_send(
        actor=Actor(user=sender),
        to=[REMOTE_FAX],
        files=[three_pages(tmp_path)],  # type: ignore[arg-type]
    )
    assert dispatch_due(platform) == 1
    job.refresh_from_db()
    (attempt,) = job_attempts(job)
    assert job.status == "success", (attempt.outcome, attempt.progress)
    assert (attempt.trunk, attempt.media, attempt.t38_fallback) == ("Lab carrier", "t38", False)
    assert carrier.remote.arrived.wait(10)
    got = carrier.remote.received[-1]
    assert (got.fax.to_number, got.fax.from_number, got.fax.result.pages) == (
        REMOTE_FAX,
        SENDER_NUMBER,
        3,
    )


def test_a_fax_to_a_users_number_arrives_in_their_inbox(
    cast: Cast, carrier: Carrier, platform: SipTrunkTransport, tmp_path: object
) -> None:
    give_number(cast.billing_user)
    document = sparse_tiff(tmp_path / "three.tif")  # type: ignore[operator]
    outcome = carrier.remote.call(SENDER_NUMBER, document, from_number=REMOTE_FAX)
    assert outcome.name is OutcomeName.SENT, outcome.as_dict()
    wait_for(InboundFax.objects.exists)
    fax = InboundFax.objects.get()
    assert (fax.to_number, fax.from_number, fax.pages) == (SENDER_NUMBER, REMOTE_FAX, 3)
    assert (fax.user_id, fax.company_id) == (cast.billing_user.pk, cast.billing_user.company_id)
    assert platform.calls_answered == 1


def test_a_locked_users_number_is_busy_and_an_unknown_one_not_found(
    cast: Cast, carrier: Carrier, platform: SipTrunkTransport, tmp_path: object
) -> None:
    give_number(cast.billing_user)
    user_lock(actor=Actor(user=cast.company_admin), user=cast.billing_user)
    document = sparse_tiff(tmp_path / "one.tif", pages=1)  # type: ignore[operator]
    locked = carrier.remote.call(SENDER_NUMBER, document, from_number=REMOTE_FAX)
    unknown = carrier.remote.call("+12125557999", document, from_number=REMOTE_FAX)
    assert (locked.name, locked.signalling) == (OutcomeName.BUSY, "486 Busy Here")
    assert (unknown.name, unknown.signalling) == (
        OutcomeName.INVALID_FAX_NUMBER,
        "404 Not Found",
    )
    assert not InboundFax.objects.exists() and platform.calls_answered == 0
    assert not FaxJob.objects.exists()


def test_operators_see_whether_the_carrier_answers(
    cast: Cast, carrier: Carrier, platform: SipTrunkTransport
) -> None:
    """The transport's start (and then the dispatcher's rounds, every 30 s) sends the
    keep-alive; its answer reaches the trunk's row, the SIP Trunks page and the API."""
    trunk = SipTrunk.objects.get()
    platform.keep_serving()  # the start already sent one: this round sends none (30 s)
    wait_for(SipTrunk.objects.filter(seen_status=200).exists)
    trunk.refresh_from_db()
    assert (trunk.seen_status, trunk.reachable) == (200, True)
    client = Client()
    client.force_login(cast.operator)
    page = client.get("/settings/sip-trunks/").content.decode()
    assert "Answers (200)" in page
    (row,) = client.get("/api/v1/trunks").json()["items"]
    assert (row["reachable"], row["seen_status"]) == (True, 200)
