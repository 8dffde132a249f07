"""The figures of every report for the history of ``reports_history`` (exact numbers), the
rolling 90 days, and each filter (department subtree, user by id or username, our number)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.activity.reports.catalog import REPORTS
from faxline.activity.reports.selectors import report_get, report_run, report_scope
from reports_history import (
    D1,
    DEST_A,
    END,
    EXPECTED,
    NOW,
    NUM_1,
    NUM_2,
    REPORT_KEYS,
    START,
    acme_history,
)

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


def get(client: Client, key: tuple[str, str], **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/reports/{key[0]}/{key[1]}", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_catalogue_has_every_report_of_the_guide() -> None:
    assert [(r.direction, r.slug) for r in REPORTS] == REPORT_KEYS


@pytest.mark.parametrize("key", REPORT_KEYS, ids="/".join)
def test_every_report_gives_its_exact_figures(history: Cast, key: tuple[str, str]) -> None:
    body = get(client_for(history.company_admin), key)
    rows, totals = EXPECTED[key]
    assert body["rows"] == rows
    assert body["totals"] == totals
    assert (body["start"], body["end"]) == (START, END)
    assert body["company"] == history.company.pk
    assert body["filters"] == {"department": None, "user": None, "number": None}
    assert [c["key"] for c in body["columns"]] == list(rows[0])


@pytest.mark.parametrize("key", REPORT_KEYS, ids="/".join)
def test_the_selector_gives_the_same_figures(history: Cast, key: tuple[str, str]) -> None:
    actor = Actor(user=history.company_admin)
    data = report_run(
        report=report_get(direction=key[0], slug=key[1]), scope=report_scope(actor=actor, params={})
    )
    assert [
        {k: str(v) if k == "day" else v for k, v in row.items()} for row in data.rows
    ] == EXPECTED[key][0]


def test_the_period_rolls_with_the_days(history: Cast) -> None:
    """Ninety UTC days ending today: on 2027-03-01 D1 (2026-12-01) is day 91 back."""
    client = client_for(history.company_admin)
    key = ("outbound", "usage-summary")
    with time_machine.travel("2027-02-28 23:59Z", tick=False):
        assert [r["day"] for r in get(client, key)["rows"]] == ["2026-12-01", "2026-12-03"]
    with time_machine.travel("2027-03-01 00:00Z", tick=False):
        body = get(client, key)
        assert body["start"] == "2026-12-02"
        assert [r["day"] for r in body["rows"]] == ["2026-12-03"]
    assert D1.isoformat().startswith("2026-12-01")


def test_department_filter_takes_the_subtree(history: Cast) -> None:
    client = client_for(history.company_admin)
    usage = ("outbound", "usage-summary")
    billing = get(client, usage, department=history.billing.pk)
    assert billing["filters"]["department"] == history.billing.pk
    assert billing["rows"] == [
        {
            "day": "2026-12-01",
            "faxes": 2,
            "success": 1,
            "failed": 1,
            "pages": 3,
            "average_pages": 1.5,
        },
        {
            "day": "2026-12-03",
            "faxes": 2,
            "success": 0,
            "failed": 1,
            "pages": 5,
            "average_pages": 2.5,
        },
    ]
    assert billing["totals"] == {
        "faxes": 4,
        "success": 1,
        "failed": 2,
        "pages": 8,
        "average_pages": 2.0,
    }
    level1 = get(client, usage, department=history.billing_l1.pk)
    assert level1["totals"] == billing["totals"]
    sales = get(client, usage, department=history.sales.pk)
    assert sales["totals"] == {
        "faxes": 1,
        "success": 1,
        "failed": 0,
        "pages": 3,
        "average_pages": 3.0,
    }
    inbound = get(client, ("inbound", "potential-partial-faxes"), department=history.sales.pk)
    assert inbound["rows"] == [{"day": "2026-12-03", "faxes": 2, "partial": 0, "partial_rate": 0.0}]


def test_user_filter_by_id_or_username(history: Cast) -> None:
    client = client_for(history.company_admin)
    key = ("outbound", "highest-volume-destinations")
    by_id = get(client, key, user=history.sales_user.pk)
    by_name = get(client, key, user="SARAH")
    assert by_id["rows"] == by_name["rows"]
    assert by_id["filters"]["user"] == history.sales_user.pk
    assert [(r["remote"], r["faxes"]) for r in by_id["rows"]] == [("+13105550199", 1)]
    failures = get(client, ("inbound", "transmission-failures"), user=history.billing_user.pk)
    assert failures["totals"] == {"no_fax_data": 0, "potential_partial": 1, "failures": 1}


def test_number_filter_in_any_spelling(history: Cast) -> None:
    client = client_for(history.company_admin)
    body = get(client, ("outbound", "average-time-to-first-dial"), number="(212) 555-7002")
    assert body["filters"]["number"] == NUM_2
    assert body["rows"] == [{"day": "2026-12-03", "faxes": 1, "average_seconds": 60.0}]
    numbers = get(client, ("inbound", "highest-volume-numbers"), number=NUM_1)
    assert [r["number"] for r in numbers["rows"]] == [NUM_1]
    assert numbers["totals"]["faxes"] == 2
    nothing = get(client, ("outbound", "frequent-busy-destinations"), number=DEST_A)
    assert nothing["rows"] == [] and nothing["totals"] == {"busy": 0, "faxes": 0}


def test_filters_combine(history: Cast) -> None:
    client = client_for(history.company_admin)
    body = get(
        client,
        ("outbound", "usage-summary"),
        department=history.billing.pk,
        user=history.billing_user.pk,
        number=NUM_1,
    )
    assert body["totals"]["faxes"] == 4
    none = get(client, ("outbound", "usage-summary"), department=history.sales.pk, number=NUM_1)
    assert none["rows"] == [] and none["totals"]["faxes"] == 0
    assert none["totals"]["average_pages"] is None


def test_operators_choose_the_company(history: Cast) -> None:
    client = client_for(history.operator)
    body = get(client, ("inbound", "usage-summary"), company=history.company.pk)
    assert body["totals"] == EXPECTED[("inbound", "usage-summary")][1]
    missing = client.get("/api/v1/reports/inbound/usage-summary")
    assert missing.status_code == 422 and missing.json()["field"] == "company"


def test_read_only_administrators_run_reports(history: Cast) -> None:
    body = get(client_for(history.read_only_admin), ("outbound", "outbound-failures"))
    assert body["totals"] == {"faxes": 2, "share": 100.0}
