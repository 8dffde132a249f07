"""The Dashboard's API (``GET /api/v1/dashboard/traffic`` and ``/top-destinations``): the
panel's figures for programs, with the panel's controls and scopes: values per interval,
422 naming the control, a department or company outside one's view 404, a department
administrator confined to the subtree, a fax user to their own faxes, another company's
people to their own figures, 401 without credentials."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.accounts.services.departments import department_create
from history import inbound, outbound

from cast import Cast

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TRAFFIC = "/api/v1/dashboard/traffic"
TOP = "/api/v1/dashboard/top-destinations"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def traffic(cast: Cast) -> Cast:
    """Acme: Billing Level 1 sends 3 pages to WA and 2 to MA on Nov 10 and receives 4 on
    Nov 11; Sales sends 5 to WA and receives 1 on Nov 12; the company administrator sends 1
    abroad on Nov 15. Globex sends 7 (IL) and receives 9 on Nov 10."""
    outbound(cast.billing_user, to="+12065550100", at=at(10, 9), pages=3)
    outbound(cast.billing_user, to="+16175550100", at=at(10, 14), pages=2, status="failed", busy=1)
    inbound(cast.billing_user, number="+12125557001", at=at(11, 8), pages=4)
    outbound(cast.sales_user, to="+12065550101", at=at(12, 10), pages=5)
    inbound(cast.sales_user, number="+12125557002", at=at(12, 11), pages=1)
    outbound(cast.company_admin, to="+442071234567", at=at(15, 16), pages=1)
    outbound(cast.outsider_user, to="+13125550100", at=at(10, 9), pages=7)
    inbound(cast.outsider_user, number="+13125557009", at=at(10, 9), pages=9)
    return cast


def get(user: User | None, path: str, **params: Any) -> Any:
    if user is None:
        return Client().get(path, params)
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(path, params)


def ok(user: User, path: str, **params: Any) -> dict[str, Any]:
    response = get(user, path, **params)
    assert response.status_code == 200, response.content
    return response.json()


def days(body: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """The non-empty buckets: their start and (outbound, inbound) pages."""
    return {
        b["start"][:16]: (b["outbound"], b["inbound"])
        for b in body["buckets"]
        if b["outbound"] or b["inbound"]
    }


def test_the_last_30_days_by_day_for_the_company(
    traffic: Cast, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(12):
        body = ok(traffic.company_admin, TRAFFIC)
    assert (body["start"], body["end"], body["interval"]) == ("2026-10-22", "2026-11-20", "day")
    assert body["company"] == traffic.company.pk and body["department"] is None
    assert not body["own_faxes_only"]
    assert len(body["buckets"]) == 30 and (body["outbound"], body["inbound"]) == (11, 5)
    assert days(body) == {
        "2026-11-10T00:00": (5, 0),
        "2026-11-11T00:00": (0, 4),
        "2026-11-12T00:00": (5, 1),
        "2026-11-15T00:00": (1, 0),
    }


def test_hours_and_months(traffic: Cast) -> None:
    hours = ok(traffic.company_admin, TRAFFIC, **{"from": "2026-11-10", "to": "2026-11-10"})
    assert hours["interval"] == "hour" and len(hours["buckets"]) == 24
    assert days(hours) == {"2026-11-10T09:00": (3, 0), "2026-11-10T14:00": (2, 0)}
    months = ok(
        traffic.company_admin,
        TRAFFIC,
        **{"from": "2026-09-15", "to": "2026-11-20", "interval": "month"},
    )
    assert [b["start"][:10] for b in months["buckets"]] == [
        "2026-09-01",
        "2026-10-01",
        "2026-11-01",
    ]
    assert days(months) == {"2026-11-01T00:00": (11, 5)}


def test_the_top_destinations_and_other(traffic: Cast) -> None:
    body = ok(traffic.company_admin, TOP)
    assert body["destinations"] == [
        {"code": "WA", "name": "Washington", "country": "US", "faxes": 2},
        {"code": "MA", "name": "Massachusetts", "country": "US", "faxes": 1},
    ]
    assert body["other"] == 1
    narrow = ok(traffic.company_admin, TOP, **{"from": "2026-11-12", "to": "2026-11-20"})
    assert [d["code"] for d in narrow["destinations"]] == ["WA"] and narrow["other"] == 1


def test_the_department_filter_takes_the_subtree(traffic: Cast) -> None:
    body = ok(traffic.company_admin, TRAFFIC, department=traffic.billing.pk)
    assert body["department"] == traffic.billing.pk
    assert (body["outbound"], body["inbound"]) == (5, 4)
    sales = ok(traffic.company_admin, TOP, department=traffic.sales.pk)
    assert [(d["code"], d["faxes"]) for d in sales["destinations"]] == [("WA", 1)]
    assert sales["other"] == 0


def test_a_department_administrator_sees_the_subtree_only(traffic: Cast) -> None:
    body = ok(traffic.dept_admin, TRAFFIC)
    assert (body["outbound"], body["inbound"]) == (5, 4)
    assert [d["code"] for d in ok(traffic.dept_admin, TOP)["destinations"]] == ["MA", "WA"]
    outside = get(traffic.dept_admin, TRAFFIC, department=traffic.sales.pk)
    assert outside.status_code == 404 and outside.json()["field"] == "department"


def test_a_fax_user_sees_their_own_faxes(traffic: Cast) -> None:
    body = ok(traffic.sales_user, TRAFFIC)
    assert body["own_faxes_only"] and (body["outbound"], body["inbound"]) == (5, 1)
    assert get(traffic.sales_user, TOP, department=traffic.sales.pk).status_code == 404


def test_another_company_sees_only_its_own_figures(traffic: Cast) -> None:
    for asked in ({}, {"company": traffic.company.pk}):
        body = ok(traffic.outsider_admin, TRAFFIC, **asked)
        assert body["company"] == traffic.outsider_company.pk
        assert (body["outbound"], body["inbound"]) == (7, 9)
        top = ok(traffic.outsider_admin, TOP, **asked)
        assert [(d["code"], d["faxes"]) for d in top["destinations"]] == [("IL", 1)]
    foreign = get(traffic.outsider_admin, TRAFFIC, department=traffic.billing.pk)
    assert foreign.status_code == 404 and foreign.json()["field"] == "department"


def test_a_foreign_department_is_not_found(traffic: Cast) -> None:
    globex = department_create(
        actor=Actor(user=traffic.outsider_admin),
        company=traffic.outsider_company,
        parent=None,
        name="Globex Ops",
    )
    for path in (TRAFFIC, TOP):
        response = get(traffic.company_admin, path, department=globex.pk)
        assert response.status_code == 404 and response.json()["field"] == "department"
    assert get(traffic.company_admin, TRAFFIC, department="x").status_code == 404


def test_an_operator_chooses_the_company(traffic: Cast) -> None:
    acme = ok(traffic.operator, TRAFFIC, company=traffic.company.pk)
    assert acme["company"] == traffic.company.pk and acme["outbound"] == 11
    globex = ok(traffic.operator, TOP, company=traffic.outsider_company.pk)
    assert globex["company"] == traffic.outsider_company.pk
    for wrong in ("999999", "acme"):
        response = get(traffic.operator, TRAFFIC, company=wrong)
        assert response.status_code == 404 and response.json()["field"] == "company"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"interval": "week"}, "interval"),
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-11-20", "to": "2026-11-01"}, "from"),
        ({"from": "2024-01-01", "to": "2026-11-20"}, "from"),
        ({"from": "2026-11-01", "to": "2026-11-20", "interval": "hour"}, "interval"),
    ],
)
def test_bad_controls_are_422_naming_them(cast: Cast, params: dict[str, str], field: str) -> None:
    response = get(cast.company_admin, TRAFFIC, **params)
    assert response.status_code == 422 and response.json()["field"] == field, response.content
    if "interval" not in params:
        top = get(cast.company_admin, TOP, **params)
        assert top.status_code == 422 and top.json()["field"] == field


def test_without_credentials_401(db: None) -> None:
    assert Client().get(TRAFFIC).status_code == 401
    assert Client().get(TOP).status_code == 401
