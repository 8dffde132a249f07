"""The test fax to each ported number: placed through the sandbox PSTN after completion,
received on-net as an inbound fax of the number, and recorded once on the port request."""

from __future__ import annotations

from datetime import UTC, date, datetime
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
from faxline.porting.requests.testfax import IDENT, port_request_test_faxes

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
