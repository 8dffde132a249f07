"""The Activity lists' API (``GET /api/v1/activity/outbound`` and ``/inbound``): every filter
and match mode, the statuses, the date range, scope for each member of the cast, 403 for an
administrator without the right, 422 naming the parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.activity.lists import inbound as inbound_list
from faxline.activity.lists import outbound as outbound_list
from faxline.faxing.inbound.models import DeliveryStatus, InboundFax, Undeliverable
from faxline.faxing.models import FaxJob
from history import inbound, outbound

from cast import Cast

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
DAY = timedelta(days=1)
BILL_NUMBER = "+12125557001"
SARAH_NUMBER = "+12125557002"
OUR_BILL = "+12125558001"
OUR_SARAH = "+12125558002"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def jobs(cast: Cast) -> dict[str, FaxJob]:
    """Outbound history: Bill (Billing Level 1) and Sarah (Sales), one of Globex."""
    return {
        "bill_ok": outbound(cast.billing_user, to="+16175550100", at=NOW - 2 * DAY),
        "bill_failed": outbound(
            cast.billing_user,
            to="+16175550199",
            at=NOW - 3 * DAY,
            status="failed",
            error="No Answer",
            busy=2,
        ),
        "bill_queued": outbound(
            cast.billing_user, to="+13125550123", at=NOW - DAY, status="queued"
        ),
        "sarah_ok": outbound(
            cast.sales_user, to="+13125550100", at=NOW - 4 * DAY, from_number=SARAH_NUMBER
        ),
        "sarah_cancelled": outbound(
            cast.sales_user, to="+13125550101", at=NOW - 5 * DAY, status="cancelled"
        ),
        "sarah_old": outbound(cast.sales_user, to="+13125550102", at=NOW - 60 * DAY),
        "globex": outbound(cast.outsider_user, to="+16175550100", at=NOW - 2 * DAY),
    }


@pytest.fixture
def faxes(cast: Cast) -> dict[str, InboundFax]:
    made = {
        "bill_ok": inbound(cast.billing_user, number=OUR_BILL, at=NOW - 2 * DAY, pages=3),
        "bill_partial": inbound(
            cast.billing_user, number=OUR_BILL, at=NOW - 3 * DAY, pages=2, partial=True
        ),
        "bill_pending": inbound(
            cast.billing_user,
            number=OUR_BILL,
            at=NOW - DAY,
            caller="+14155550111",
            forwarded_after=None,
        ),
        "sarah_ok": inbound(cast.sales_user, number=OUR_SARAH, at=NOW - 4 * DAY),
        "sarah_blank": inbound(cast.sales_user, number=OUR_SARAH, at=NOW - 5 * DAY, pages=0),
        "unrouted": inbound(
            None, number="+12125558999", at=NOW - 2 * DAY, company_id=cast.company.pk
        ),
        "globex": inbound(cast.outsider_user, number="+12125559000", at=NOW - 2 * DAY),
    }
    InboundFax.objects.filter(pk=made["unrouted"].pk).update(
        delivery_status=DeliveryStatus.UNDELIVERABLE, undeliverable=Undeliverable.NO_ROUTE
    )
    for fax in made.values():
        fax.refresh_from_db()
    return made


def out_ids(client: Client, query: str = "") -> set[str]:
    response = client.get("/api/v1/activity/outbound" + query)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def in_ids(client: Client, query: str = "") -> set[int]:
    response = client.get("/api/v1/activity/inbound" + query)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def names(made: dict[str, FaxJob], *keys: str) -> set[str]:
    return {made[k].identifier for k in keys}


def pks(made: dict[str, InboundFax], *keys: str) -> set[int]:
    return {made[k].pk for k in keys}


# --- outbound ---------------------------------------------------------------------------


def test_outbound_default_is_the_last_30_days_of_the_scope(cast: Cast, jobs) -> None:
    admin = client_for(cast.company_admin)
    recent = ("bill_ok", "bill_failed", "bill_queued", "sarah_ok", "sarah_cancelled")
    assert out_ids(admin) == names(jobs, *recent)
    response = admin.get("/api/v1/activity/outbound")
    body = response.json()
    assert body["count"] == 5 and body["count_capped"] is False
    # Newest first.
    assert [i["id"] for i in body["items"]][:2] == names_list(jobs, "bill_queued", "bill_ok")
    assert out_ids(admin, "?from=2026-09-01") == names(jobs, *recent, "sarah_old")


def names_list(made: dict[str, FaxJob], *keys: str) -> list[str]:
    return [made[k].identifier for k in keys]


def test_outbound_rows_carry_the_fields_of_the_issue(cast: Cast, jobs) -> None:
    response = client_for(cast.company_admin).get(
        "/api/v1/activity/outbound?filter=job&search=" + jobs["bill_failed"].identifier
    )
    [row] = response.json()["items"]
    assert row["id"] == jobs["bill_failed"].identifier
    assert row["status"] == "failed" and row["status_group"] == "failed"
    assert row["from"] == BILL_NUMBER and row["to"] == "+16175550199"
    assert row["pages"] == 1 and row["error"] == "No Answer"
    assert row["department"] == {"id": cast.billing_l1.pk, "name": "Billing Level 1"}
    assert row["sender"] == {"id": cast.billing_user.pk, "username": "bill", "name": "Bill Payer"}
    assert row["attempts"] == 3 and row["duration_seconds"] == 50.0
    assert row["created_at"].startswith("2026-11-17") and row["completed_at"]


def test_outbound_status(cast: Cast, jobs) -> None:
    admin = client_for(cast.company_admin)
    assert out_ids(admin, "?status=success") == names(jobs, "bill_ok", "sarah_ok")
    assert out_ids(admin, "?status=failed") == names(jobs, "bill_failed", "sarah_cancelled")
    assert out_ids(admin, "?status=in_progress") == names(jobs, "bill_queued")
    assert len(out_ids(admin, "?status=all")) == 5


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter=department&search=billing dept", ("bill_ok", "bill_failed", "bill_queued")),
        ("filter=department&search=Billing Level 1", ("bill_ok", "bill_failed", "bill_queued")),
        ("filter=department&search=sales", ("sarah_ok", "sarah_cancelled")),
        ("filter=department&search=Billing", ()),
        (
            "filter=department&search=bill&match=contains",
            ("bill_ok", "bill_failed", "bill_queued"),
        ),
        ("filter=sender&search=bill", ("bill_ok", "bill_failed", "bill_queued")),
        ("filter=sender&search=Sarah Salesperson", ("sarah_ok", "sarah_cancelled")),
        ("filter=sender&search=Payer", ("bill_ok", "bill_failed", "bill_queued")),
        ("filter=sender&search=Pay", ()),
        ("filter=sender&search=pay&match=contains", ("bill_ok", "bill_failed", "bill_queued")),
        ("filter=recipient&search=(617) 555-0100", ("bill_ok",)),
        ("filter=recipient&search=1-617-555-0199", ("bill_failed",)),
        ("filter=recipient&search=617555&match=contains", ("bill_ok", "bill_failed")),
        (
            "filter=recipient&search=(312) 555-01&match=contains",
            ("bill_queued", "sarah_ok", "sarah_cancelled"),
        ),
        ("filter=sender_number&search=212 555 7002", ("sarah_ok",)),
        (
            "filter=sender_number&search=5557001&match=contains",
            ("bill_ok", "bill_failed", "bill_queued", "sarah_cancelled"),
        ),
    ],
)
def test_outbound_filters(cast: Cast, jobs, query: str, expected: tuple[str, ...]) -> None:
    assert out_ids(client_for(cast.company_admin), "?" + query) == names(jobs, *expected)


def test_outbound_job_id_exact_and_contains(cast: Cast, jobs) -> None:
    admin = client_for(cast.company_admin)
    identifier = jobs["sarah_ok"].identifier
    assert out_ids(admin, f"?filter=job&search={identifier.lower()}") == {identifier}
    assert out_ids(admin, f"?filter=job&search={identifier[:-1]}") == set()
    assert identifier in out_ids(admin, f"?filter=job&search={identifier[-6:]}&match=contains")


def test_outbound_filter_rows_are_combined(cast: Cast, jobs) -> None:
    admin = client_for(cast.company_admin)
    query = (
        "?filter=department&search=Billing Dept&match=exact"
        "&filter=recipient&search=617&match=contains"
        "&filter=&search=&match=exact"
    )
    assert out_ids(admin, query) == names(jobs, "bill_ok", "bill_failed")
    assert out_ids(admin, query + "&status=failed") == names(jobs, "bill_failed")
    # A row with a field and no search is left out.
    assert len(out_ids(admin, "?filter=sender&search=")) == 5


def test_outbound_scope_of_each(cast: Cast, jobs) -> None:
    bill = ("bill_ok", "bill_failed", "bill_queued")
    sarah = ("sarah_ok", "sarah_cancelled")
    assert out_ids(client_for(cast.billing_user)) == names(jobs, *bill)
    assert out_ids(client_for(cast.sales_user)) == names(jobs, *sarah)
    assert out_ids(client_for(cast.dept_admin)) == names(jobs, *bill)
    assert out_ids(client_for(cast.read_only_admin)) == names(jobs, *bill, *sarah)
    assert out_ids(client_for(cast.operator)) == names(jobs, *bill, *sarah, "globex")
    assert out_ids(client_for(cast.outsider_admin)) == names(jobs, "globex")
    assert out_ids(client_for(cast.outsider_user)) == names(jobs, "globex")
    # An outsider's search for another company's job or department finds nothing.
    outsider = client_for(cast.outsider_admin)
    assert out_ids(outsider, "?filter=job&search=" + jobs["bill_ok"].identifier) == set()
    assert out_ids(outsider, "?filter=department&search=Sales") == set()
    assert out_ids(outsider, "?filter=sender&search=bill") == set()
    # A department administrator does not reach outside the subtree by filtering.
    assert out_ids(client_for(cast.dept_admin), "?filter=department&search=Sales") == set()
    # A fax user does not see another's jobs by naming them.
    assert out_ids(client_for(cast.billing_user), "?filter=sender&search=sarah") == set()


def test_an_administrator_without_the_right_is_refused(cast: Cast, jobs, faxes) -> None:
    User.objects.filter(pk=cast.dept_admin.pk).update(rights=["users.manage"])
    client = client_for(cast.dept_admin)
    for path in ("/api/v1/activity/outbound", "/api/v1/activity/inbound"):
        response = client.get(path)
        assert response.status_code == 403, path
        body = response.json()
        assert body["code"] == "missing_right"
        assert "View " in body["message"] and "activity" in body["message"]


def test_without_credentials_401() -> None:
    assert Client().get("/api/v1/activity/outbound").status_code == 401
    assert Client().get("/api/v1/activity/inbound").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-11-10&to=2026-11-01", "to"),
        ("from=2024-01-01&to=2026-11-01", "from"),
        ("to=0001-01-05", "to"),
        ("from=9999-12-31", "from"),
        ("status=done", "status"),
        ("filter=recipient&search=617&match=like", "match"),
        ("filter=color&search=red", "filter"),
        ("search=bill", "filter"),
        ("filter=recipient&search=12", "search"),
        ("filter=recipient&search=abc&match=contains", "search"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=20000", "offset"),
        ("offset=-1", "offset"),
        ("&".join(["filter=job&search=x"] * 9), "filter"),
    ],
)
def test_bad_input_is_422_naming_the_field(cast: Cast, query: str, field: str) -> None:
    response = client_for(cast.company_admin).get("/api/v1/activity/outbound?" + query)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


def test_inbound_bad_partial_is_422(cast: Cast) -> None:
    client = client_for(cast.company_admin)
    response = client.get("/api/v1/activity/inbound?partial=maybe")
    assert response.status_code == 422 and response.json()["field"] == "partial"
    response = client.get("/api/v1/activity/inbound?filter=recipient&search=1")
    assert response.status_code == 422 and response.json()["field"] == "filter"


def test_paging(cast: Cast, jobs) -> None:
    admin = client_for(cast.company_admin)
    first = admin.get("/api/v1/activity/outbound?limit=2").json()
    second = admin.get("/api/v1/activity/outbound?limit=2&offset=2").json()
    third = admin.get("/api/v1/activity/outbound?limit=2&offset=4").json()
    assert first["count"] == second["count"] == 5
    seen = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert len(seen) == 5 and set(seen) == out_ids(admin)


def test_the_count_is_capped(cast: Cast, jobs, monkeypatch) -> None:
    from faxline.activity.lists import filters

    monkeypatch.setattr(filters, "COUNT_CAP", 3)
    body = client_for(cast.company_admin).get("/api/v1/activity/outbound").json()
    assert body["count"] == 3 and body["count_capped"] is True
    assert len(body["items"]) == 5


def test_the_date_range_is_in_the_persons_time_zone(cast: Cast) -> None:
    # 2026-11-19 02:00 UTC is still 2026-11-18 in New York (the default time zone).
    late = outbound(cast.billing_user, to="+16175550100", at=datetime(2026, 11, 19, 2, tzinfo=UTC))
    User.objects.filter(pk=cast.billing_user.pk).update(time_zone="America/New_York")
    bill = client_for(User.objects.get(pk=cast.billing_user.pk))
    assert out_ids(bill, "?from=2026-11-18&to=2026-11-18") == {late.identifier}
    assert out_ids(bill, "?from=2026-11-19&to=2026-11-19") == set()
    User.objects.filter(pk=cast.billing_user.pk).update(time_zone="UTC")
    bill = client_for(User.objects.get(pk=cast.billing_user.pk))
    assert out_ids(bill, "?from=2026-11-19&to=2026-11-19") == {late.identifier}


# --- inbound ----------------------------------------------------------------------------


def test_inbound_default_and_rows(cast: Cast, faxes) -> None:
    admin = client_for(cast.company_admin)
    acme = ("bill_ok", "bill_partial", "bill_pending", "sarah_ok", "sarah_blank", "unrouted")
    assert in_ids(admin) == pks(faxes, *acme)
    response = admin.get(f"/api/v1/activity/inbound?filter=number&search={OUR_BILL}")
    rows = {row["id"]: row for row in response.json()["items"]}
    row = rows[faxes["bill_ok"].pk]
    assert row["to"] == OUR_BILL and row["from"] == "+13125550000"
    assert row["pages"] == 3 and row["partial"] is False and row["status"] == "success"
    assert row["department"] == {"id": cast.billing_l1.pk, "name": "Billing Level 1"}
    assert row["user"]["username"] == "bill"
    assert row["delivery_status"] == "delivered" and row["received_at"].startswith("2026-11-18")


def test_inbound_status_and_partial(cast: Cast, faxes) -> None:
    admin = client_for(cast.company_admin)
    assert in_ids(admin, "?status=success") == pks(faxes, "bill_ok", "bill_partial", "sarah_ok")
    assert in_ids(admin, "?status=failed") == pks(faxes, "sarah_blank", "unrouted")
    assert in_ids(admin, "?status=in_progress") == pks(faxes, "bill_pending")
    assert in_ids(admin, "?partial=yes") == pks(faxes, "bill_partial")
    assert in_ids(admin, "?partial=no&status=success") == pks(faxes, "bill_ok", "sarah_ok")
    # The Status column says what the filter keeps.
    for status in ("success", "failed", "in_progress"):
        items = admin.get(f"/api/v1/activity/inbound?status={status}").json()["items"]
        assert {i["status"] for i in items} == {status}
    for key in faxes:
        fax = faxes[key]
        assert (
            InboundFax.objects.filter(pk=fax.pk)
            .filter(inbound_list.STATUSES[inbound_list.status_group(fax)])
            .exists()
        ), key


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter=number&search=(212) 555-8001", ("bill_ok", "bill_partial", "bill_pending")),
        ("filter=number&search=8002&match=contains", ("sarah_ok", "sarah_blank")),
        ("filter=caller&search=415.555.0111", ("bill_pending",)),
        ("filter=caller&search=4155550&match=contains", ("bill_pending",)),
        ("filter=caller&search=anonymous", ()),
        ("filter=department&search=billing dept", ("bill_ok", "bill_partial", "bill_pending")),
        ("filter=department&search=ale&match=contains", ("sarah_ok", "sarah_blank")),
        ("filter=user&search=sarah", ("sarah_ok", "sarah_blank")),
        ("filter=user&search=BILL PAYER", ("bill_ok", "bill_partial", "bill_pending")),
        (
            "filter=user&search=a&match=contains&filter=caller&search=312&match=contains",
            ("bill_ok", "bill_partial", "sarah_ok", "sarah_blank"),
        ),
    ],
)
def test_inbound_filters(cast: Cast, faxes, query: str, expected: tuple[str, ...]) -> None:
    assert in_ids(client_for(cast.company_admin), "?" + query) == pks(faxes, *expected)


def test_inbound_scope_of_each(cast: Cast, faxes) -> None:
    bill = ("bill_ok", "bill_partial", "bill_pending")
    sarah = ("sarah_ok", "sarah_blank")
    assert in_ids(client_for(cast.billing_user)) == pks(faxes, *bill)
    assert in_ids(client_for(cast.sales_user)) == pks(faxes, *sarah)
    assert in_ids(client_for(cast.dept_admin)) == pks(faxes, *bill)
    assert in_ids(client_for(cast.read_only_admin)) == pks(faxes, *bill, *sarah, "unrouted")
    assert in_ids(client_for(cast.operator)) == pks(faxes, *bill, *sarah, "unrouted", "globex")
    assert in_ids(client_for(cast.outsider_admin)) == pks(faxes, "globex")
    assert in_ids(client_for(cast.outsider_user)) == pks(faxes, "globex")
    outsider = client_for(cast.outsider_admin)
    assert in_ids(outsider, f"?filter=number&search={OUR_BILL}") == set()
    assert in_ids(outsider, "?filter=user&search=bill") == set()
    assert in_ids(client_for(cast.dept_admin), "?filter=user&search=sarah") == set()


def test_statuses_are_one_definition(cast: Cast, jobs) -> None:
    for job in jobs.values():
        group = outbound_list.status_group(job)
        assert FaxJob.objects.filter(pk=job.pk).filter(outbound_list.STATUSES[group]).exists()
