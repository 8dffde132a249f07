"""Who gets which figures: every report's outsider test (another company's administrator
gets nothing of Acme: 404 for Acme's company, department or user, their own company's empty
figures otherwise), a department administrator confined to their subtree, fax users and
administrators without "Run reports" refused (403), bad filters 422 naming the field,
unknown reports 404; and the query count of every report through the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from history import inbound, outbound
from reports_history import D1, EXPECTED, NOW, REPORT_KEYS, acme_history

from cast import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(cast: Cast) -> Iterator[Cast]:
    with time_machine.travel(NOW, tick=False):
        acme_history(cast)
        yield cast


def client_for(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="reports").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def url(key: tuple[str, str]) -> str:
    return f"/api/v1/reports/{key[0]}/{key[1]}"


def empty_totals(key: tuple[str, str]) -> dict[str, Any]:
    """The totals of a report over no faxes: counts 0, averages and rates None."""
    _, totals = EXPECTED[key]
    return {
        name: (0 if isinstance(value, int) else None) if name != "share" else None
        for name, value in totals.items()
    }


@pytest.mark.parametrize("key", REPORT_KEYS, ids="/".join)
def test_outsider_gets_nothing_of_acme(history: Cast, key: tuple[str, str]) -> None:
    client = client_for(history.outsider_admin)
    for params in (
        {"department": history.billing.pk},
        {"user": history.billing_user.pk},
        {"user": history.billing_user.username},
        {"company": history.company.pk},
    ):
        response = client.get(url(key), params)
        assert response.status_code == 404, (params, response.content)
        assert response.json()["field"] == next(iter(params))
    own = client.get(url(key))
    assert own.status_code == 200
    body = own.json()
    assert body["company"] == history.outsider_company.pk
    assert body["rows"] == []
    assert body["totals"] == empty_totals(key)


def test_another_companys_faxes_never_count(history: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        outbound(history.outsider_user, to="+16175550111", at=D1, pages=9)
        inbound(history.outsider_user, number="+12125559999", at=D1, pages=9)
    acme = client_for(history.company_admin)
    for key in REPORT_KEYS:
        body = acme.get(url(key)).json()
        assert (body["rows"], body["totals"]) == EXPECTED[key], key
    globex = client_for(history.outsider_admin).get(url(("outbound", "usage-summary"))).json()
    assert globex["totals"]["pages"] == 9


@pytest.mark.parametrize("key", REPORT_KEYS, ids="/".join)
def test_department_administrator_is_confined_to_the_subtree(
    history: Cast, key: tuple[str, str]
) -> None:
    client = client_for(history.dept_admin)
    mine = client.get(url(key)).json()
    company = client_for(history.company_admin)
    billing = company.get(url(key), {"department": history.billing.pk}).json()
    assert (mine["rows"], mine["totals"]) == (billing["rows"], billing["totals"])
    for params in ({"department": history.sales.pk}, {"user": history.sales_user.pk}):
        response = client.get(url(key), params)
        assert response.status_code == 404
        assert response.json()["field"] == next(iter(params))
    inside = client.get(url(key), {"department": history.billing_l1.pk})
    assert inside.status_code == 200


def test_department_administrator_figures(history: Cast) -> None:
    body = client_for(history.dept_admin).get(url(("inbound", "highest-volume-numbers"))).json()
    assert [(r["number"], r["faxes"]) for r in body["rows"]] == [("+12125557001", 2)]
    usage = client_for(history.dept_admin).get(url(("outbound", "usage-summary"))).json()
    assert usage["totals"] == {
        "faxes": 4,
        "success": 1,
        "failed": 2,
        "pages": 8,
        "average_pages": 2.0,
    }


@pytest.mark.parametrize("key", REPORT_KEYS, ids="/".join)
def test_fax_users_have_no_reports(history: Cast, key: tuple[str, str]) -> None:
    response = client_for(history.billing_user).get(url(key))
    assert response.status_code == 403
    assert response.json()["code"] == "not_administrator"


def test_the_right_to_run_reports_is_needed(history: Cast) -> None:
    User.objects.filter(pk=history.dept_admin.pk).update(rights=["reports.accounting"])
    client = client_for(User.objects.get(pk=history.dept_admin.pk))
    for key in REPORT_KEYS:
        response = client.get(url(key))
        assert response.status_code == 403
        assert response.json()["code"] == "missing_right"
    assert client.get("/api/v1/reports").status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"department": "billing"}, "department"),
        ({"department": "-3"}, "department"),
        ({"user": "bill payer"}, "user"),
        ({"user": "x" * 200}, "user"),
        ({"number": "12"}, "number"),
        ({"number": "=cmd|' /C calc'!A0"}, "number"),
        ({"company": "acme"}, "company"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(
    history: Cast, params: dict[str, str], field: str
) -> None:
    response = client_for(history.company_admin).get(url(("outbound", "usage-summary")), params)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


def test_unknown_reports_are_404(history: Cast) -> None:
    client = client_for(history.company_admin)
    for path in (
        "outbound/nothing",
        "inbound/average-time-to-first-dial",
        "outbound/highest-volume-numbers",
    ):
        response = client.get(f"/api/v1/reports/{path}")
        assert response.status_code == 404
        assert response.json()["field"] == "report"
    assert client.get("/api/v1/reports/sideways/usage-summary").status_code == 404


def test_the_catalogue(history: Cast) -> None:
    body = client_for(history.read_only_admin).get("/api/v1/reports").json()
    assert [(r["direction"], r["report"]) for r in body] == REPORT_KEYS
    assert body[0]["filters"] == ["department", "user", "number"]
    assert "first fax delivery attempt" in body[0]["description"]


def test_no_credentials_is_401(history: Cast) -> None:
    assert Client().get(url(("outbound", "usage-summary"))).status_code == 401


@pytest.mark.parametrize("key", REPORT_KEYS, ids="/".join)
def test_query_count_of_each_report(
    history: Cast, key: tuple[str, str], django_assert_max_num_queries: Any
) -> None:
    """Authentication (the key with its user, the user's company and department, the
    security policies: 6), the filters' department and user (2), and the report's one
    aggregate query over the tallies (a top list: two, the list and its totals), whatever
    the history's size."""
    client = client_for(history.dept_admin)
    params = {
        "department": history.billing_l1.pk,
        "user": history.billing_user.pk,
        "number": "+12125557001",
    }
    client.get(url(key), params)  # warm the key's caches
    top_list = EXPECTED[key][0] and "day" not in EXPECTED[key][0][0]
    with django_assert_max_num_queries(10 if top_list else 9):
        assert client.get(url(key), params).status_code == 200


def test_channel_partners_report_on_their_clients(history: Cast) -> None:
    from faxline.accounts.services.partners import (
        channel_partner_create,
        channel_partner_staff_create,
        company_assign_channel_partner,
    )

    operator = Actor(user=history.operator)
    partner = channel_partner_create(actor=operator, name="Reseller Inc")
    company_assign_channel_partner(actor=operator, company=history.company, partner=partner)
    staff = channel_partner_staff_create(
        actor=operator,
        partner=partner,
        first_name="Pia",
        last_name="Partner",
        email="pia@reseller.example",
        username="pia",
        password="Fax-Secret-2026",
    ).user
    client = client_for(staff)
    key = ("inbound", "transmission-failures")
    body = client.get(url(key), {"company": history.company.pk}).json()
    assert (body["rows"], body["totals"]) == EXPECTED[key]
    other = client.get(url(key), {"company": history.outsider_company.pk})
    assert other.status_code == 404 and other.json()["field"] == "company"
    assert client.get(url(key)).json()["field"] == "company"
