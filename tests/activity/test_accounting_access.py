"""Who sees Accounting, through the portal and the API: company-level administrators (the
read-only one too), operators for any company; department administrators and fax users
403 with a clear message; another company 404; a bad month 422 naming ``month``; the
month's CSV streamed as ``text/csv``."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.http import StreamingHttpResponse
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.activity.accounting import services
from faxline.activity.accounting.access import may_see_accounting
from faxline.activity.accounting.models import CdrFile
from faxline.activity.accounting.periods import Month
from faxline.portal.menu import menus_for
from history import inbound, outbound

from cast import Cast

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def api(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def portal(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response: Any) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)  # type: ignore[arg-type]


def records(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode())))


@pytest.fixture
def activity(cast: Cast) -> None:
    outbound(cast.billing_user, to="+16175550100", at=datetime(2026, 10, 3, 9, tzinfo=UTC))
    outbound(cast.billing_user, to="+16175550101", at=datetime(2026, 11, 3, 9, tzinfo=UTC))
    inbound(cast.billing_user, number="+12125557001", at=datetime(2026, 11, 4, 9, tzinfo=UTC))
    outbound(cast.outsider_user, to="+16175550199", at=datetime(2026, 11, 3, 9, tzinfo=UTC))


def test_the_rule(cast: Cast) -> None:
    for who in ("company_admin", "read_only_admin", "operator"):
        assert may_see_accounting(Actor(user=getattr(cast, who))), who
    for who in ("dept_admin", "billing_user", "sales_user", "outsider_user"):
        decision = may_see_accounting(Actor(user=getattr(cast, who)))
        assert not decision and decision.code == "accounting_company_admins_only", who
        assert "company-level administrators only" in decision.reason
    cast.company_admin.rights = [r for r in cast.company_admin.rights if r != "reports.accounting"]
    cast.company_admin.save()
    assert may_see_accounting(Actor(user=cast.company_admin)).code == "missing_right"


def test_the_menu_shows_accounting_to_those_allowed(cast: Cast) -> None:
    for who, shown in (
        ("company_admin", True),
        ("operator", True),
        ("dept_admin", False),
        ("billing_user", False),
    ):
        labels = menus_for(Actor(user=getattr(cast, who)), None).labels
        assert ("Accounting" in labels) is shown, who


def test_the_current_month_streams_as_csv(cast: Cast, activity: None) -> None:
    response = api(cast.company_admin).get("/api/v1/accounting/cdr?month=2026-11")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="cdr-{cast.company.pk}-2026-11.csv"'
    )
    rows = records(response)
    assert rows[0][:3] == ["Record ID", "Direction", "Time (UTC)"]
    assert [(r[1], r[4]) for r in rows[1:]] == [
        ("outbound", "+16175550101"),
        ("inbound", "+12125557001"),
    ]


def test_a_past_month_is_its_stored_file_or_made_from_the_records(
    cast: Cast, activity: None
) -> None:
    client = api(cast.company_admin)
    made_now = records(client.get("/api/v1/accounting/cdr?month=2026-10"))
    assert len(made_now) == 2
    stored = services.cdr_month_make(company_id=cast.company.pk, month=Month(2026, 10))
    assert stored is not None
    CdrFile.objects.filter(pk=stored.pk).update(rows=99)  # tell the two apart
    assert records(client.get("/api/v1/accounting/cdr?month=2026-10")) == made_now
    # A month without activity: the header only.
    assert len(records(client.get("/api/v1/accounting/cdr?month=2026-09"))) == 1


@pytest.mark.parametrize("month", ["", "2026-13", "2026-1", "November", "2026-12", "2026-04"])
def test_a_bad_month_is_422_naming_it(cast: Cast, month: str) -> None:
    response = api(cast.company_admin).get(f"/api/v1/accounting/cdr?month={month}")
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "month"


def test_the_oldest_month_kept_is_accepted(cast: Cast) -> None:
    assert api(cast.company_admin).get("/api/v1/accounting/cdr?month=2026-05").status_code == 200


@pytest.mark.parametrize("who", ["dept_admin", "billing_user"])
def test_department_administrators_and_fax_users_are_refused(cast: Cast, who: str) -> None:
    user = getattr(cast, who)
    for path in (
        "/api/v1/accounting/cdr?month=2026-11",
        "/api/v1/accounting/cdr/files",
        "/api/v1/accounting/cdr/generation",
    ):
        response = api(user).get(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "accounting_company_admins_only"
    assert api(user).post("/api/v1/accounting/cdr/generation").status_code == 403
    page = portal(user).get("/activity/accounting/")
    assert page.status_code == 403
    assert "company-level administrators only" in page.content.decode()
    assert portal(user).post("/activity/accounting/generate").status_code == 403


def test_another_company_is_404(cast: Cast, activity: None) -> None:
    stored = services.cdr_month_make(company_id=cast.company.pk, month=Month(2026, 10))
    assert stored is not None
    outsider = api(cast.outsider_admin)
    acme = cast.company.pk
    assert (
        outsider.get(f"/api/v1/accounting/cdr?month=2026-11&company_id={acme}").status_code == 404
    )
    assert outsider.get(f"/api/v1/accounting/cdr/files?company_id={acme}").status_code == 404
    assert outsider.get(f"/api/v1/accounting/cdr/files/{stored.pk}").status_code == 404
    assert outsider.get("/api/v1/accounting/cdr/files").json() == {"items": [], "count": 0}
    # Their own month has their record only.
    rows = records(outsider.get("/api/v1/accounting/cdr?month=2026-11"))
    assert [r[4] for r in rows[1:]] == ["+16175550199"]
    page = portal(cast.outsider_admin)
    assert page.get(f"/activity/accounting/?company={acme}").status_code == 404
    assert page.get(f"/activity/accounting/files/{stored.pk}/download").status_code == 404


def test_operators_choose_the_company(cast: Cast, activity: None) -> None:
    operator = api(cast.operator)
    response = operator.get("/api/v1/accounting/cdr?month=2026-11")
    assert response.status_code == 422 and response.json()["field"] == "company_id"
    acme = cast.company.pk
    rows = records(operator.get(f"/api/v1/accounting/cdr?month=2026-11&company_id={acme}"))
    assert len(rows) == 3
    page = portal(cast.operator).get(f"/activity/accounting/?company={acme}")
    assert page.status_code == 200 and "Acme Corp" in page.content.decode()


def test_files_list_download_and_generation(cast: Cast, activity: None, after_commit: Any) -> None:
    client = api(cast.company_admin)
    services.cdr_month_make(company_id=cast.company.pk, month=Month(2026, 10))
    assert client.get("/api/v1/accounting/cdr/generation").json() is None
    with after_commit():
        started = client.post("/api/v1/accounting/cdr/generation")
    assert started.status_code == 200 and started.json()["status"] == "queued"
    state = client.get("/api/v1/accounting/cdr/generation").json()
    assert (state["status"], state["files_made"]) == ("done", 2)
    listed = client.get("/api/v1/accounting/cdr/files").json()
    assert [(f["period"], f["kind"], f["rows"]) for f in listed["items"]] == [
        ("2026-11-04", "day", 1),
        ("2026-11-03", "day", 1),
        ("2026-10", "month", 1),
    ]
    assert listed["count"] == 3
    first = listed["items"][0]
    download = client.get(first["download"])
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert len(body(download)) == first["size"]


def test_the_page_lists_files_with_bounded_queries(
    cast: Cast, activity: None, django_assert_max_num_queries: Any
) -> None:
    services.cdr_month_make(company_id=cast.company.pk, month=Month(2026, 10))
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        services.cdr_generation_request(actor=Actor(user=cast.company_admin), company=cast.company)
    client = portal(cast.company_admin)
    client.get("/activity/accounting/")
    with django_assert_max_num_queries(12):
        page = client.get("/activity/accounting/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Generate current month" in text and "2026-10" in text
    assert f"/activity/accounting/files/{CdrFile.objects.get().pk}/download" in text
    download = client.get(f"/activity/accounting/files/{CdrFile.objects.get().pk}/download")
    assert download.status_code == 200 and b"outbound" in body(download)


def test_generate_from_the_page(cast: Cast, activity: None, after_commit: Any) -> None:
    client = portal(cast.company_admin)
    with after_commit():
        response = client.post("/activity/accounting/generate")
    assert response.status_code == 302 and response["Location"] == "/activity/accounting/"
    page = client.get("/activity/accounting/").content.decode()
    assert "Done" in page and "2026-11-03" in page and "2026-11-04" in page


def test_a_read_only_administrator_sees_accounting(cast: Cast, activity: None) -> None:
    response = api(cast.read_only_admin).get("/api/v1/accounting/cdr?month=2026-11")
    assert response.status_code == 200
    assert portal(cast.read_only_admin).get("/activity/accounting/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_csv_is_pulled_piece_by_piece(cast: Cast, activity: None) -> None:
    """Django reads a synchronous iterator whole before sending it under ASGI: the answer
    is an asynchronous one there (committed data: the ASGI request has its own
    connection)."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    secret = api_key_create(actor=Actor(user=cast.company_admin), name="t").secret

    async def fetch() -> tuple[bool, bytes]:
        response = await AsyncClient().get(
            "/api/v1/accounting/cdr?month=2026-11", headers={"authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200, response.content
        return response.is_async, b"".join([p async for p in response.streaming_content])

    is_async, data = async_to_sync(fetch)()
    assert is_async
    assert data.count(b"\r\n") == 3 and b"+16175550101" in data
