"""Where events come from: a fax job through the sandbox dispatcher, an inbound call, a
port request's transitions, notes and FOC date, and a number's assignment. Each is recorded
in the transaction of its change, with the payload the documented schema describes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pydantic import TypeAdapter

from faxing.jobs_support import REMOTE, give_number, note, on_demand_covers, transport
from faxline.accounts.access import Actor
from faxline.core.calendar import next_business_day
from faxline.faxing.jobs.dispatcher import dispatch_due
from faxline.faxing.jobs.send import fax_send
from faxline.notify.webhooks import services
from faxline.notify.webhooks.models import WebhookEvent
from faxline.notify.webhooks.schemas import WebhookPayload
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.numbers.services import number_assign
from faxline.porting.requests import services as porting
from porting.porting_support import ready_request

from cast import Cast

pytestmark = pytest.mark.django_db

ALL = [
    "fax.queued",
    "fax.in_progress",
    "fax.delivered",
    "fax.failed",
    "fax.inbound.received",
    "port_request.status_changed",
    "port_request.note_added",
    "port_request.foc_set",
    "number.assigned",
]


@pytest.fixture
def subscribed(cast: Cast, allow_loopback: None) -> None:
    services.endpoint_create(
        actor=Actor(user=cast.company_admin),
        company=cast.company,
        url="http://127.0.0.1:9/hook",
        events=ALL,
    )


def events(kind_prefix: str = "") -> list[dict[str, Any]]:
    found = WebhookEvent.objects.filter(kind__startswith=kind_prefix).order_by("pk")
    payloads = [services.payload(e) for e in found]
    for p in payloads:
        TypeAdapter(WebhookPayload).validate_python(p)  # the documented schema
    return payloads


def test_a_fax_job_through_the_sandbox_dispatcher(cast: Cast, subscribed: None) -> None:
    sender = cast.billing_user
    give_number(sender)
    on_demand_covers(cast, sender)
    (job,) = fax_send(actor=Actor(user=sender), to=[REMOTE], files=[note()])
    assert dispatch_due(transport()) == 1
    got = events("fax.")
    assert [(e["type"], e["data"]["status"]) for e in got] == [
        ("fax.queued", "queued"),
        ("fax.in_progress", "in_progress"),
        ("fax.delivered", "success"),
    ]
    delivered = got[-1]["data"]
    assert delivered["id"] == job.identifier and delivered["from"] == "+12125557001"
    assert delivered["to"] == REMOTE and delivered["pages"] == job.pages
    assert delivered["previous_status"] == "in_progress" and delivered["completed_at"]
    assert delivered["error"] is None and delivered["will_retry"] is False
    assert WebhookEvent.objects.filter(company=cast.company).count() == 3


def test_a_busy_fax_tells_nothing_while_it_waits_and_failed_when_cancelled(
    cast: Cast, subscribed: None
) -> None:
    from faxline.faxing.jobs.services import fax_cancel

    sender = cast.billing_user
    give_number(sender)
    on_demand_covers(cast, sender)
    (job,) = fax_send(actor=Actor(user=sender), to=["+12125550100"], files=[note()])  # busy
    dispatch_due(transport())
    job.refresh_from_db()
    assert job.status == "retrying"
    assert [e["type"] for e in events("fax.")] == ["fax.queued", "fax.in_progress"]
    fax_cancel(actor=Actor(user=sender), job=job)
    last = events("fax.")[-1]
    assert last["type"] == "fax.failed" and last["data"]["status"] == "cancelled"


def test_an_inbound_fax(cast: Cast, subscribed: None, tmp_path) -> None:
    from faxline.faxing.sandbox.wiring import sandbox_transport
    from faxline.telephony.t30 import FaxOptions
    from faxline.telephony.transport import CallRequest
    from telephony.fax_calls import make_tiff

    number = give_number(cast.billing_user, "+12125551234")
    outcome = sandbox_transport().place_call_sync(
        CallRequest(
            from_number="+13125550000",
            to_number=number,
            tiff=make_tiff(tmp_path / "one.tif", pages=1),
            options=FaxOptions(ident="CALLER"),
        )
    )
    assert outcome.success
    (got,) = events("fax.inbound")
    assert got["data"]["to"] == number and got["data"]["from"] == "+13125550000"
    assert got["data"]["pages"] == 1 and got["data"]["partial"] is False
    assert got["data"]["id"] == outcome.far_end["stored"]


def test_a_port_request_status_note_and_foc_date(cast: Cast, subscribed: None) -> None:
    admin, operator = Actor(user=cast.company_admin), Actor(user=cast.operator)
    request = ready_request(admin, cast.company)
    porting.port_request_submit(actor=admin, request=request)
    porting.port_request_accept(actor=operator, request=request)
    foc = next_business_day(timezone.localdate() + timedelta(days=10))
    porting.port_request_schedule(actor=operator, request=request, foc_date=foc)
    porting.port_note_add(actor=operator, request=request, body="Carrier confirmed, PIN 1234")
    porting.port_note_add(actor=operator, request=request, body="internal", private=True)
    got = events("port_request.")
    assert [(e["type"], e["data"].get("previous_status"), e["data"]["status"]) for e in got] == [
        ("port_request.status_changed", "draft", "new"),
        ("port_request.status_changed", "new", "pending"),
        ("port_request.status_changed", "pending", "scheduled"),
        ("port_request.foc_set", None, "scheduled"),
        ("port_request.note_added", None, "scheduled"),
    ]
    assert got[3]["data"]["foc_date"] == foc.isoformat()
    assert got[3]["data"]["previous_foc_date"] is None
    added = got[4]["data"]
    assert added["id"] == request.pk and added["from_porting_team"] is True
    assert "1234" not in str(got)  # a note's text (and the request's secrets) stay home
    assert "ACCT" not in str(got)


def test_a_number_assigned(cast: Cast, subscribed: None) -> None:
    FaxNumber.objects.create(
        number="+12125557777",
        country="US",
        area_code="212",
        source=NumberSource.SANDBOX,
        status=NumberStatus.IN_SERVICE,
        company=cast.company,
    )
    number_assign(actor=Actor(user=cast.company_admin), number="+12125557777", user=cast.sales_user)
    (got,) = events("number.")
    assert got["data"] == {
        "number": "+12125557777",
        "user_id": cast.sales_user.pk,
        "username": cast.sales_user.username,
    }
    assert WebhookEvent.objects.get().number == "+12125557777"


def test_a_company_without_endpoints_records_nothing(cast: Cast) -> None:
    FaxNumber.objects.create(
        number="+12125557777",
        country="US",
        area_code="212",
        source=NumberSource.SANDBOX,
        status=NumberStatus.IN_SERVICE,
        company=cast.company,
    )
    number_assign(actor=Actor(user=cast.company_admin), number="+12125557777", user=cast.sales_user)
    assert not WebhookEvent.objects.exists()
