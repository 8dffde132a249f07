"""Completion and linking (seed 002 steps 5-7), one outbound number per user, and the
snap-back within 24 hours of completion."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from desk_support import pending, scheduled, signed_in
from django.urls import reverse

from faxline.accounts.access import Actor
from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from faxline.core.models import AuditEvent
from faxline.notify.models import NotificationLog
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.numbers.services import number_set_outbound, number_unassign
from faxline.porting.carriers.sandbox import ACTOR as SANDBOX_ACTOR
from faxline.porting.choices import LinkDirection, PortStatus
from faxline.porting.choices import NumberStatus as PortNumberStatus
from faxline.porting.desk import services as desk
from faxline.porting.models import PortEvent, PortFee
from faxline.porting.requests.completion import port_request_complete, port_request_set_links

from cast import Cast

MONDAY = datetime(2026, 12, 7, 15, tzinfo=UTC)
FOC = date(2026, 12, 14)
TWO = [
    {"number": "+12062345678", "line_type": "landline"},
    {"number": "+12062345679", "line_type": "landline"},
]
IN, IN_OUT = LinkDirection.INBOUND, LinkDirection.INBOUND_OUTBOUND


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def team(cast: Cast) -> Actor:
    return cast.actor(cast.operator)


def existing_outbound(cast: Cast) -> FaxNumber:
    """Billing user's current number, used for outbound."""
    number = FaxNumber.objects.create(
        number="+12065550111",
        country="US",
        area_code="206",
        source=NumberSource.STOCK,
        status=NumberStatus.IN_SERVICE,
        company=cast.company,
        user=cast.billing_user,
    )
    number_set_outbound(actor=team(cast), number=number.number, outbound=True)
    return number


def test_complete_links_numbers_with_one_outbound_per_user(cast: Cast) -> None:
    old = existing_outbound(cast)
    request = scheduled(cast, FOC, numbers=TWO)
    port_request_complete(
        actor=team(cast),
        request=request,
        links={
            "+12062345678": (cast.billing_user, IN_OUT),
            "+12062345679": (cast.sales_user, IN),
        },
    )
    request.refresh_from_db()
    assert request.status == PortStatus.COMPLETED and request.completed_at is not None
    first = FaxNumber.objects.get(number="+12062345678")
    second = FaxNumber.objects.get(number="+12062345679")
    assert (first.company, first.user, first.source, first.status, first.outbound) == (
        cast.company,
        cast.billing_user,
        NumberSource.PORTED,
        NumberStatus.IN_SERVICE,
        True,
    )
    assert (second.user, second.outbound) == (cast.sales_user, False)
    old.refresh_from_db()
    assert old.outbound is False and old.user == cast.billing_user  # demoted, still linked
    assert FaxNumber.objects.filter(user=cast.billing_user, outbound=True).count() == 1
    rows = {n.number: n for n in request.numbers.all()}
    assert rows["+12062345678"].status == PortNumberStatus.PORTED
    assert (rows["+12062345678"].link_user, rows["+12062345678"].link_direction) == (
        cast.billing_user,
        IN_OUT,
    )
    kinds = list(PortEvent.objects.filter(request=request).values_list("kind", flat=True))
    assert kinds[-2:] == ["completed", "test_fax_pending"]
    pending_event = PortEvent.objects.get(request=request, kind="test_fax_pending")
    assert "test fax to each ported number" in pending_event.message
    assert NotificationLog.objects.filter(kind="porting.completed").count() == 1
    demoted = AuditEvent.objects.get(kind="number.inbound_only")
    assert demoted.target_id == str(old.pk)
    assert AuditEvent.objects.filter(kind="number.ported_in").count() == 2


def test_numbers_without_links_go_to_inventory_unassigned(cast: Cast) -> None:
    request = scheduled(cast, FOC)
    port_request_complete(actor=team(cast), request=request, links={})
    number = FaxNumber.objects.get(number="+12062345678")
    assert (number.company, number.user, number.status) == (
        cast.company,
        None,
        NumberStatus.IN_SERVICE,
    )


def test_links_chosen_before_completion_apply(cast: Cast) -> None:
    request = pending(cast)
    port_request_set_links(
        actor=team(cast), request=request, links={"+12062345678": (cast.sales_user, IN_OUT)}
    )
    desk_actor = team(cast)
    from faxline.porting.requests import services

    services.port_request_schedule(actor=desk_actor, request=request, foc_date=FOC)
    port_request_complete(actor=SANDBOX_ACTOR, request=request)  # a carrier: no links of its own
    number = FaxNumber.objects.get(number="+12062345678")
    assert (number.user, number.outbound) == (cast.sales_user, True)


def test_link_checks(cast: Cast) -> None:
    request = scheduled(cast, FOC, numbers=TWO)
    cases = [
        ({"+12065550000": (cast.sales_user, IN)}, "not a number of this request"),
        ({"+12062345678": (cast.outsider_user, IN)}, "active fax user"),
        ({"+12062345678": (cast.company_admin, IN)}, "active fax user"),
        ({"+12062345678": (None, IN_OUT)}, "only once it is linked"),
        (
            {"+12062345678": (cast.sales_user, IN_OUT), "+12062345679": (cast.sales_user, IN_OUT)},
            "one number only",
        ),
    ]
    for links, message in cases:
        with pytest.raises(ValidationFailed, match=message):
            port_request_complete(actor=team(cast), request=request, links=links)
    request.refresh_from_db()
    assert request.status == PortStatus.SCHEDULED
    assert not FaxNumber.objects.filter(number__in=["+12062345678", "+12062345679"]).exists()


def test_complete_needs_scheduled_and_the_team(cast: Cast) -> None:
    request = pending(cast)
    with pytest.raises(Conflict, match="cannot be completed"):
        port_request_complete(actor=team(cast), request=request)
    with pytest.raises(Forbidden):
        port_request_complete(actor=cast.actor(cast.company_admin), request=request)


def test_existing_rows_are_taken_with_compare_and_set(cast: Cast) -> None:
    aging = FaxNumber.objects.create(
        number="+12062345678",
        country="US",
        area_code="206",
        source=NumberSource.STOCK,
        status=NumberStatus.AGING,
        aging_until=datetime(2027, 1, 1, tzinfo=UTC),
    )
    request = scheduled(cast, FOC)
    port_request_complete(actor=team(cast), request=request)
    aging.refresh_from_db()
    assert (aging.status, aging.company, aging.source, aging.aging_until) == (
        NumberStatus.IN_SERVICE,
        cast.company,
        NumberSource.PORTED,
        None,
    )


def test_a_number_in_service_elsewhere_is_refused(cast: Cast) -> None:
    request = scheduled(cast, FOC)
    FaxNumber.objects.create(
        number="+12062345678",
        country="US",
        area_code="206",
        source=NumberSource.STOCK,
        status=NumberStatus.IN_SERVICE,
        company=cast.outsider_company,
    )
    with pytest.raises(Conflict, match="another company"):
        port_request_complete(actor=team(cast), request=request)
    request.refresh_from_db()
    assert request.status == PortStatus.SCHEDULED  # nothing half-written


def test_number_set_outbound_rules(cast: Cast) -> None:
    old = existing_outbound(cast)
    new = FaxNumber.objects.create(
        number="+12065550112",
        country="US",
        area_code="206",
        source=NumberSource.STOCK,
        status=NumberStatus.IN_SERVICE,
        company=cast.company,
    )
    admin = cast.actor(cast.company_admin)
    with pytest.raises(Conflict, match="not assigned"):
        number_set_outbound(actor=admin, number=new.number, outbound=True)
    FaxNumber.objects.filter(pk=new.pk).update(user=cast.billing_user)
    number_set_outbound(actor=admin, number=new.number, outbound=True)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.outbound, new.outbound) == (False, True)
    number_set_outbound(actor=admin, number=new.number, outbound=False)
    new.refresh_from_db()
    assert new.outbound is False
    with pytest.raises(NotFound):
        number_set_outbound(actor=cast.actor(cast.outsider_admin), number=old.number, outbound=True)
    with pytest.raises(Forbidden):
        number_set_outbound(
            actor=cast.actor(cast.read_only_admin), number=old.number, outbound=True
        )
    number_set_outbound(actor=admin, number=old.number, outbound=True)
    number_unassign(actor=admin, number=old.number)
    old.refresh_from_db()
    assert (old.user, old.outbound) == (None, False)


# --- snap-back ------------------------------------------------------------------------------


def completed(cast: Cast):
    request = scheduled(cast, FOC, numbers=TWO)
    port_request_complete(
        actor=team(cast), request=request, links={"+12062345678": (cast.billing_user, IN_OUT)}
    )
    request.refresh_from_db()
    return request


def test_snap_back_within_24_hours(cast: Cast, _monday) -> None:
    request = completed(cast)
    _monday.shift(timedelta(hours=23))
    desk.port_request_snap_back(actor=team(cast), request=request, reason="Wrong number ported")
    assert not FaxNumber.objects.filter(number__in=["+12062345678", "+12062345679"]).exists()
    fee = PortFee.objects.get(request=request, kind="snap_back")
    assert fee.amount_cents == 30000
    event = PortEvent.objects.get(request=request, kind="snapped_back")
    assert "Wrong number ported" in event.message
    assert AuditEvent.objects.filter(kind="number.snapped_back").count() == 2
    assert NotificationLog.objects.filter(kind="porting.snapped_back").count() == 1
    with pytest.raises(Conflict, match="already recorded"):
        desk.port_request_snap_back(actor=team(cast), request=request, reason="again")


def test_snap_back_refused_after_24_hours(cast: Cast, _monday) -> None:
    request = completed(cast)
    _monday.shift(timedelta(hours=25))
    with pytest.raises(Conflict) as err:
        desk.port_request_snap_back(actor=team(cast), request=request, reason="Too late")
    assert err.value.code == "snap_back_window_closed"
    assert "within 24 hours" in err.value.message and "25 hours ago" in err.value.message
    assert FaxNumber.objects.filter(number="+12062345678").exists()
    assert not PortFee.objects.filter(request=request).exists()
    with pytest.raises(Forbidden):
        desk.port_request_snap_back(
            actor=cast.actor(cast.company_admin), request=request, reason="mine"
        )


def test_snap_back_needs_a_completed_port(cast: Cast) -> None:
    request = pending(cast)
    with pytest.raises(Conflict, match="Only a completed port"):
        desk.port_request_snap_back(actor=team(cast), request=request, reason="x")


def test_complete_and_snap_back_through_the_desk(cast: Cast, _monday) -> None:
    request = scheduled(cast, FOC, numbers=TWO)
    client = signed_in(cast.operator)
    url = reverse("porting:desk_request", args=[request.pk])
    text = client.get(url).content.decode()
    assert "Complete port" in text and 'list="fx-link-users"' in text
    # The users are suggested as the operator types, only the company's fax users.
    suggest = reverse("porting:desk_link_users", args=[request.pk])
    offered = client.get(suggest, {"user_0": "pay"}).content.decode()
    assert f'<option value="{cast.billing_user.username}">Bill Payer' in offered
    assert "Gina" not in client.get(suggest, {"user_0": "gina"}).content.decode()
    # A name that is no fax user of the company is refused on its row.
    refused = client.post(
        reverse("porting:desk_complete", args=[request.pk]),
        {"user_0": cast.outsider_user.username, "direction_0": IN, "direction_1": IN},
    )
    assert refused.status_code == 200 and "is no active fax user" in refused.content.decode()
    response = client.post(
        reverse("porting:desk_complete", args=[request.pk]),
        {
            "user_0": str(cast.billing_user.pk),
            "direction_0": IN_OUT,
            "user_1": "",
            "direction_1": IN,
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == PortStatus.COMPLETED
    assert FaxNumber.objects.get(number="+12062345678").user == cast.billing_user
    text = client.get(url).content.decode()
    assert "Record snap-back" in text and "Test fax pending" in text
    _monday.shift(timedelta(days=2))
    client = signed_in(cast.operator)  # a new session: the old one timed out meanwhile
    text = client.get(url).content.decode()
    assert "Record snap-back" not in text and "only possible within 24 hours" in text
    response = client.post(reverse("porting:desk_snap_back", args=[request.pk]), {"reason": "late"})
    assert response.status_code == 200 and "only possible within 24 hours" in (
        response.content.decode()
    )
