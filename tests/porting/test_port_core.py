"""The porting state machine: drafts, submission guards, the team's transitions, cancel
rules, rejection and resubmission with its fee, notes and the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from porting_support import add_bill, ready_request, request_data, sign_loa

from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from faxline.notify.models import NotificationLog
from faxline.porting.choices import PortStatus
from faxline.porting.models import PortEvent, PortFee
from faxline.porting.requests import selectors, services

from cast import Cast

MONDAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(datetime(2026, 12, 7, 15, tzinfo=UTC)):
        yield


def test_submit_needs_a_signed_loa_and_clean_checks(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    request = services.port_request_create(actor=admin, company=cast.company, data=request_data())
    assert request.status == PortStatus.DRAFT
    with pytest.raises(Conflict) as err:
        services.port_request_submit(actor=admin, request=request)
    assert err.value.code == "loa_not_signed"
    sign_loa(request)
    with pytest.raises(ValidationFailed) as err:
        services.port_request_submit(actor=admin, request=request)
    assert err.value.code == "BILL_MISSING"
    add_bill(request)
    services.port_request_submit(actor=admin, request=request)
    request.refresh_from_db()
    assert request.status == PortStatus.NEW
    assert request.eta is not None and request.eta > MONDAY
    assert NotificationLog.objects.filter(kind="porting.received").count() == 1


def test_changing_loa_data_after_signing_needs_a_new_signature(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    request = ready_request(admin, cast.company)
    services.port_request_update(actor=admin, request=request, data={"street": "1 Other St"})
    with pytest.raises(Conflict, match="Sign the Letter"):
        services.port_request_submit(actor=admin, request=request)


def test_team_transitions_and_timeline(cast: Cast) -> None:
    admin, team = cast.actor(cast.company_admin), cast.actor(cast.operator)
    request = ready_request(admin, cast.company)
    services.port_request_submit(actor=admin, request=request)
    with pytest.raises(Forbidden):
        services.port_request_accept(actor=admin, request=request)
    services.port_request_accept(actor=team, request=request)
    services.port_request_mark_in_progress(actor=team, request=request)
    with pytest.raises(ValidationFailed, match="business day"):
        services.port_request_schedule(actor=team, request=request, foc_date=date(2026, 12, 25))
    services.port_request_schedule(actor=team, request=request, foc_date=date(2026, 12, 14))
    request.refresh_from_db()
    assert (request.status, request.foc_date, request.eta) == (
        PortStatus.SCHEDULED,
        date(2026, 12, 14),
        date(2026, 12, 14),
    )
    services.port_note_add(actor=team, request=request, body="Agent only", private=True)
    services.port_note_add(actor=team, request=request, body="Please confirm the suite")
    kinds = [
        e.title for e in selectors.timeline(actor=cast.actor(cast.company_admin), request=request)
    ]
    assert "Private note" not in kinds and "Note" in kinds
    team_view = [e.title for e in selectors.timeline(actor=team, request=request)]
    assert "Private note" in team_view
    assert [e.to_status for e in PortEvent.objects.filter(request=request) if e.to_status] == [
        "draft",
        "new",
        "pending",
        "in_progress",
        "scheduled",
    ]


def test_reject_fix_only_reopened_fields_and_resubmit_with_fee(cast: Cast) -> None:
    admin, team = cast.actor(cast.company_admin), cast.actor(cast.operator)
    request = ready_request(admin, cast.company)
    services.port_request_submit(actor=admin, request=request)
    services.port_request_accept(actor=team, request=request)
    services.port_request_reject(
        actor=team, request=request, code="7402", note="Suite is 51 per CSR", fields_to_fix=["unit"]
    )
    request.refresh_from_db()
    assert request.status == PortStatus.REJECTED and request.action_required
    assert [r.pk for r in selectors.port_request_list(actor=admin, action_required=True)] == [
        request.pk
    ]
    with pytest.raises(Forbidden):
        services.port_request_update(actor=admin, request=request, data={"city": "Tacoma"})
    services.port_request_update(actor=admin, request=request, data={"unit": "Suite 51"})
    sign_loa(request)
    services.port_request_submit(actor=admin, request=request)
    request.refresh_from_db()
    assert request.status == PortStatus.NEW and request.resubmissions == 1
    assert not request.action_required and request.fields_to_fix == []
    fee = PortFee.objects.get(request=request)
    assert (fee.kind, fee.amount_cents) == ("resubmission", 1300)
    assert NotificationLog.objects.filter(kind="porting.rejected").exists()


def test_cancel_rules(cast: Cast) -> None:
    admin, team = cast.actor(cast.company_admin), cast.actor(cast.operator)
    request = ready_request(admin, cast.company)
    services.port_request_submit(actor=admin, request=request)
    services.port_request_accept(actor=team, request=request)
    with pytest.raises(Forbidden, match="porting team"):
        services.port_request_cancel(actor=admin, request=request)
    services.port_request_cancel(actor=team, request=request, reason="customer asked")
    request.refresh_from_db()
    assert request.status == PortStatus.CANCELLED
    with pytest.raises(Conflict):
        services.port_request_cancel(actor=team, request=request)
    other = ready_request(
        admin, cast.company, numbers=[{"number": "+12062345679"}], btn="+12062345679"
    )
    services.port_request_submit(actor=admin, request=other)
    services.port_request_cancel(actor=admin, request=other)
    assert other.status == PortStatus.CANCELLED


def test_duplicate_number_in_another_open_request(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    first = ready_request(admin, cast.company)
    services.port_request_submit(actor=admin, request=first)
    second = ready_request(admin, cast.company)
    with pytest.raises(ValidationFailed) as err:
        services.port_request_submit(actor=admin, request=second)
    assert err.value.code == "NUMBER_DUPLICATE"


def test_scope(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    request = ready_request(admin, cast.company)
    with pytest.raises(NotFound):
        selectors.port_request_get(actor=cast.actor(cast.outsider_admin), request_id=request.pk)
    with pytest.raises(NotFound):
        selectors.port_request_get(actor=cast.actor(cast.sales_user), request_id=request.pk)
    with pytest.raises(Forbidden):
        services.port_request_submit(actor=cast.actor(cast.read_only_admin), request=request)
    assert not selectors.port_request_list(actor=cast.actor(cast.outsider_admin)).exists()
    assert list(selectors.port_request_list(actor=cast.actor(cast.operator))) == [request]
    assert list(selectors.port_request_list(actor=admin, search="Acme")) == [request]
    assert list(selectors.port_request_list(actor=admin, search="2062345678")) == [request]


def test_validate_endpoint_knows_the_open_requests(cast: Cast) -> None:
    from django.test import Client

    from faxline.accounts.services.api_keys import api_key_create
    from faxline.porting.validation.checks import validation_input

    admin = cast.actor(cast.company_admin)
    request = ready_request(admin, cast.company)
    body = validation_input(request)
    key = api_key_create(actor=cast.actor(cast.outsider_admin), name="t").secret
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(
        "/api/v1/porting/validate", body, content_type="application/json"
    )
    assert response.status_code == 200
    codes = {f["code"] for f in response.json()["findings"]}
    assert "NUMBER_DUPLICATE" in codes


def test_secrets_are_masked(cast: Cast) -> None:
    request = ready_request(cast.actor(cast.company_admin), cast.company, pin="4321")
    assert request.pin_masked == "••••"
    assert request.account_number_masked == "••••8877"
