"""The test fax to each ported number: placed through the sandbox PSTN after completion,
received on-net as an inbound fax of the number, and recorded once on the port request."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from desk_support import scheduled, signed_in
from django.test import Client
from django.urls import reverse

from faxline.accounts.access import Actor
from faxline.accounts.services.api_keys import api_key_create
from faxline.faxing.inbound.models import InboundFax
from faxline.numbers.plan import display_number
from faxline.porting.choices import LinkDirection, PortStatus
from faxline.porting.models import PortEvent, PortRequest
from faxline.porting.requests.completion import port_request_complete
from faxline.porting.requests.testfax import IDENT, port_request_test_faxes, port_test_fax_sweep

from cast import Cast

MONDAY = datetime(2026, 12, 7, 15, tzinfo=UTC)
FOC = date(2026, 12, 14)
TWO = [
    {"number": "+12062345678", "line_type": "landline"},
    {"number": "+12062345679", "line_type": "landline"},
]


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def complete(cast: Cast, after_commit: Any, numbers: list[dict[str, str]]) -> PortRequest:
    request = scheduled(cast, FOC, numbers=numbers)
    with after_commit():
        port_request_complete(
            actor=Actor(user=cast.operator),
            request=request,
            links={numbers[0]["number"]: (cast.billing_user, LinkDirection.INBOUND)},
        )
    request.refresh_from_db()
    return request


def fax_events(request: PortRequest) -> dict[str, PortEvent]:
    return {
        e.detail["number"]: e for e in PortEvent.objects.filter(request=request, kind="test_fax")
    }


def test_each_ported_number_gets_a_test_fax_that_arrives_and_is_recorded(
    cast: Cast, after_commit: Any
) -> None:
    request = complete(cast, after_commit, TWO)
    assert request.status == PortStatus.COMPLETED  # unchanged by the test faxes
    kinds = list(PortEvent.objects.filter(request=request).values_list("kind", flat=True))
    assert kinds[-4:] == ["completed", "test_fax_pending", "test_fax", "test_fax"]
    events = fax_events(request)
    assert set(events) == {"+12062345678", "+12062345679"}
    for number, event in events.items():
        # It arrived: an inbound fax of the number, from the test fax's identity.
        fax = InboundFax.objects.get(to_number=number)
        assert (fax.pages, fax.remote_csid, fax.company) == (1, IDENT, cast.company)
        assert (
            event.message == f"Test fax to {display_number(number)}: Sent, 1 page, received on-net."
        )
        assert (event.detail["outcome"], event.detail["success"], event.detail["pages"]) == (
            "Sent",
            True,
            1,
        )
        assert event.actor_label == "faxline"
    # Linked to a user: the fax is that user's; the unlinked number's goes to the company.
    assert InboundFax.objects.get(to_number="+12062345678").user == cast.billing_user
    assert InboundFax.objects.get(to_number="+12062345679").user is None

    # Visible on the desk's page and in the API where the port's events are listed.
    page = signed_in(cast.operator).get(reverse("porting:desk_request", args=[request.pk]))
    text = page.content.decode()
    for event in events.values():
        assert event.message in text
    secret = api_key_create(actor=cast.actor(cast.company_admin), name="tests").secret
    api = Client().get(
        f"/api/v1/port-requests/{request.pk}/timeline",
        {"limit": 100},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert api.status_code == 200
    entries = [(e["title"], e["text"]) for e in api.json()["items"]]
    for event in events.values():
        assert ("Test fax", event.message) in entries


def test_running_the_task_again_records_nothing_twice(cast: Cast, after_commit: Any) -> None:
    request = complete(cast, after_commit, TWO)
    assert len(fax_events(request)) == 2
    assert port_request_test_faxes(request.pk) == 0
    assert PortEvent.objects.filter(request=request, kind="test_fax").count() == 2
    assert InboundFax.objects.count() == 2  # no second call either


def test_a_failed_test_fax_is_recorded_with_the_guides_outcome_name(
    cast: Cast, after_commit: Any
) -> None:
    # NXX-555-0100 is the sandbox's busy test number: the network answers 486 Busy Here.
    busy = [{"number": "+12065550100", "line_type": "landline"}]
    request = complete(cast, after_commit, busy)
    [event] = fax_events(request).values()
    assert (event.detail["outcome"], event.detail["success"]) == ("Busy", False)
    assert event.message.startswith("Test fax to ") and ": Busy." in event.message
    assert not InboundFax.objects.exists()
    assert port_request_test_faxes(request.pk) == 0  # a recorded failure is not retried


def test_a_lost_nudge_is_found_by_the_sweep(
    cast: Cast, django_capture_on_commit_callbacks: Any, run_tasks: Any, _monday: Any
) -> None:
    request = scheduled(cast, FOC, numbers=TWO[:1])
    with django_capture_on_commit_callbacks(execute=False):  # the nudge is lost
        port_request_complete(actor=Actor(user=cast.operator), request=request)
    assert run_tasks() == 0 and not fax_events(request)
    assert port_test_fax_sweep() == 0  # too early: its task may still be on its way
    _monday.shift(timedelta(minutes=11))
    assert port_test_fax_sweep() == 1
    run_tasks()  # the test fax, then the inbound fax's delivery
    assert fax_events(request)["+12062345678"].detail["outcome"] == "Sent"
    assert port_test_fax_sweep() == 0
    _monday.shift(timedelta(days=3))
    PortEvent.objects.filter(request=request, kind="test_fax").delete()
    assert port_test_fax_sweep() == 0  # an old port is not tested out of the blue


def test_a_call_that_cannot_be_placed_is_recorded_as_a_general_error(
    cast: Cast, after_commit: Any, settings: Any
) -> None:
    settings.FAXLINE_PORT_TEST_FAX_FROM = "12345"  # not a fax number: the call is refused
    request = complete(cast, after_commit, TWO[:1])
    [event] = fax_events(request).values()
    assert (event.detail["outcome"], event.detail["success"]) == ("General Error", False)
    assert event.detail["cause"] == "error:ValidationFailed"
    assert not InboundFax.objects.exists()
