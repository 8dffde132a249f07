"""The porting desk's API: operator transitions (operator vs company admin 403 vs outsider
404), bad input 422 naming the field, wrong state 409, the queue with SLA flags, fees."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from desk_support import pending, scheduled, submitted
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.models import AuditEvent
from faxline.numbers.models import FaxNumber
from faxline.porting.choices import PortStatus
from faxline.porting.models import PortEvent, PortFee

from cast import Cast

MONDAY = datetime(2026, 12, 7, 15, tzinfo=UTC)
JSON = "application/json"


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def client_for(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="test").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def url(request_id: int, action: str) -> str:
    return f"/api/v1/port-requests/{request_id}/{action}"


def test_accept_operator_vs_admin_vs_outsider(cast: Cast) -> None:
    request = submitted(cast)
    admin = client_for(cast.company_admin).post(url(request.pk, "accept"))
    assert admin.status_code == 403 and admin.json()["code"] == "porting_team_only"
    outsider = client_for(cast.outsider_admin).post(url(request.pk, "accept"))
    assert outsider.status_code == 404
    operator = client_for(cast.operator)
    assert operator.post(url(999_999, "accept")).status_code == 404
    response = operator.post(url(request.pk, "accept"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    again = operator.post(url(request.pk, "accept"))
    assert again.status_code == 409
    assert "cannot be accepted" in again.json()["message"]


def test_schedule_with_bad_dates_is_422_naming_the_field(cast: Cast) -> None:
    request = pending(cast)
    operator = client_for(cast.operator)
    for body in ({"foc_date": "2026-12-25"}, {"foc_date": "2026-12-12"}, {"foc_date": "soon"}):
        response = operator.post(url(request.pk, "schedule"), body, content_type=JSON)
        assert response.status_code == 422, body
        assert response.json()["field"] == "foc_date"
    assert (
        "public holiday"
        in operator.post(
            url(request.pk, "schedule"), {"foc_date": "2026-12-25"}, content_type=JSON
        ).json()["message"]
    )
    response = operator.post(
        url(request.pk, "schedule"), {"foc_date": "2026-12-14"}, content_type=JSON
    )
    assert response.status_code == 200
    assert response.json()["foc_date"] == "2026-12-14" == response.json()["eta"]
    assert (
        client_for(cast.company_admin)
        .post(url(request.pk, "schedule"), {"foc_date": "2026-12-15"}, content_type=JSON)
        .status_code
        == 403
    )


def test_in_progress_reject_assign(cast: Cast) -> None:
    request = pending(cast)
    operator = client_for(cast.operator)
    response = operator.post(
        url(request.pk, "in-progress"), {"message": "Carrier asked for the CSR"}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    timeline = PortEvent.objects.filter(request=request, kind="in_progress").get()
    assert timeline.message == "Carrier asked for the CSR"
    bad = operator.post(url(request.pk, "reject"), {"code": "9999"}, content_type=JSON)
    assert bad.status_code == 422 and bad.json()["field"] == "code"
    bad = operator.post(
        url(request.pk, "reject"), {"code": "7402", "fields_to_fix": ["pizza"]}, content_type=JSON
    )
    assert bad.status_code == 422 and bad.json()["field"] == "fields_to_fix"
    response = operator.post(
        url(request.pk, "reject"),
        {"code": "7402", "note": "Suite differs", "fields_to_fix": ["unit"]},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["fields_to_fix"]) == ("rejected", ["unit"])
    other = submitted(
        cast, numbers=[{"number": "+12062345679", "line_type": "landline"}], btn="+12062345679"
    )
    response = operator.post(
        url(other.pk, "assign"), {"assignee_id": cast.operator.pk}, content_type=JSON
    )
    assert response.json()["assignee_id"] == cast.operator.pk
    response = operator.post(
        url(other.pk, "assign"), {"assignee_id": cast.company_admin.pk}, content_type=JSON
    )
    assert response.status_code == 422 and response.json()["field"] == "assignee_id"


def test_complete_and_snap_back(cast: Cast, _monday) -> None:
    request = scheduled(cast, date(2026, 12, 14))
    operator = client_for(cast.operator)
    bad = operator.post(
        url(request.pk, "complete"),
        {"links": [{"number": "+12062345678", "user_id": 999999}]},
        content_type=JSON,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "links[0].user_id"
    response = operator.post(
        url(request.pk, "complete"),
        {
            "links": [
                {
                    "number": "+12062345678",
                    "user_id": cast.billing_user.pk,
                    "direction": "inbound_outbound",
                }
            ]
        },
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "completed"
    assert body["numbers"][0]["link_user_id"] == cast.billing_user.pk
    assert FaxNumber.objects.get(number="+12062345678").outbound
    late = client_for(cast.operator)
    _monday.shift(timedelta(hours=30))
    refused = late.post(url(request.pk, "snap-back"), {"reason": "late"}, content_type=JSON)
    assert refused.status_code == 409 and refused.json()["code"] == "snap_back_window_closed"
    _monday.shift(timedelta(hours=-10))
    admin = client_for(cast.company_admin)
    assert (
        admin.post(url(request.pk, "snap-back"), {"reason": "x"}, content_type=JSON).status_code
        == 403
    )
    ok = late.post(url(request.pk, "snap-back"), {"reason": "wrong number"}, content_type=JSON)
    assert ok.status_code == 200
    assert not FaxNumber.objects.filter(number="+12062345678").exists()


def test_reveal_is_audited(cast: Cast) -> None:
    request = submitted(cast)
    assert client_for(cast.company_admin).post(url(request.pk, "reveal")).status_code == 403
    response = client_for(cast.operator).post(url(request.pk, "reveal"))
    assert response.json() == {"account_number": "ACCT-998877", "pin": ""}
    assert AuditEvent.objects.filter(kind="port_request.credentials_revealed").count() == 1


def test_queue_with_sla_flags(cast: Cast) -> None:
    scheduled(cast, date(2026, 12, 8))
    other = submitted(
        cast, numbers=[{"number": "+12062345679", "line_type": "landline"}], btn="+12062345679"
    )
    operator = client_for(cast.operator)
    response = operator.get("/api/v1/porting/desk")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2 and body["counts"]["open"] == 2
    flags = {item["request"]["id"]: [f["code"] for f in item["flags"]] for item in body["items"]}
    assert {"foc_tomorrow", "readiness_failing"} <= set(flags[body["items"][0]["request"]["id"]])
    assert flags[other.pk] == []
    only_new = operator.get("/api/v1/porting/desk?status=new").json()
    assert [i["request"]["id"] for i in only_new["items"]] == [other.pk]
    assert operator.get("/api/v1/porting/desk?status=bogus").status_code == 422
    assert client_for(cast.company_admin).get("/api/v1/porting/desk").status_code == 403
    assert client_for(cast.outsider_admin).get("/api/v1/porting/desk").status_code == 403


def test_fees_and_waive(cast: Cast) -> None:
    request = submitted(cast)
    fee = PortFee.objects.create(
        request=request, kind="resubmission", amount_cents=1300, reason="Resubmission after 7402"
    )
    operator = client_for(cast.operator)
    body = operator.get("/api/v1/porting/fees").json()
    assert body["count"] == 1 and body["items"][0]["amount_cents"] == 1300
    assert body["totals"] == [
        {
            "company_id": cast.company.pk,
            "company_name": "Acme Corp",
            "count": 1,
            "charged_cents": 1300,
            "waived_cents": 0,
        }
    ]
    assert client_for(cast.company_admin).get("/api/v1/porting/fees").status_code == 403
    bad = operator.post(f"/api/v1/porting/fees/{fee.pk}/waive", {}, content_type=JSON)
    assert bad.status_code == 422 and bad.json()["field"] == "reason"
    response = operator.post(
        f"/api/v1/porting/fees/{fee.pk}/waive", {"reason": "Goodwill"}, content_type=JSON
    )
    assert response.status_code == 200 and response.json()["waived"] is True
    again = operator.post(
        f"/api/v1/porting/fees/{fee.pk}/waive", {"reason": "Goodwill"}, content_type=JSON
    )
    assert again.status_code == 409
    assert operator.get("/api/v1/porting/fees?waived=false").json()["count"] == 0
    assert request.status == PortStatus.NEW
