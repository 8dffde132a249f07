"""Query counts of the porting lists and pages, pinned: the desk's queue, request page and
fees, the customer's Port Requests list and a Draft's page, and their API lists, run the
same queries however many requests, numbers and people the platform holds; validating a
request asks only about its own numbers (DESIGN.md convention 13)."""

from __future__ import annotations

from desk_support import signed_in, submitted
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from porting_support import ready_request

import scale_support as grow
from faxline.numbers.choices import NumberStatus
from faxline.porting.choices import PortStatus
from faxline.porting.validation.checks import findings_of

from cast import Cast

CEILING = 40


def _grow(cast: Cast, *requests: object) -> None:
    """More requests (each with numbers, events and fees), numbers in service and fax users
    across the platform, and more numbers on the requests shown."""
    grow.port_requests(cast.company, 30)
    grow.port_requests(cast.outsider_company, 30, status=PortStatus.PENDING)
    grow.port_requests(cast.outsider_company, 10, status=PortStatus.DRAFT)
    grow.fax_numbers(cast.outsider_company, 80)
    grow.fax_numbers(cast.company, 40, status=NumberStatus.PENDING)
    grow.fax_users(cast.company, 80)
    for request in requests:
        grow.add_numbers(request, 40)  # type: ignore[arg-type]


def test_porting_lists_do_not_grow_with_the_platform(cast: Cast) -> None:
    on_desk = submitted(cast)
    draft = ready_request(cast.actor(cast.company_admin), cast.company)
    grow.port_requests(cast.company, 2)
    admin = signed_in(cast.company_admin)
    operator = signed_in(cast.operator)
    pages = {
        "desk queue": lambda: operator.get(reverse("porting:console")),
        "desk queue, all": lambda: operator.get(reverse("porting:console"), {"status": "new"}),
        "desk request": lambda: operator.get(reverse("porting:desk_request", args=[on_desk.pk])),
        "desk link users": lambda: operator.get(
            reverse("porting:desk_link_users", args=[on_desk.pk]), {"user_0": "grown"}
        ),
        "desk fees": lambda: operator.get(reverse("porting:fees")),
        "port list": lambda: admin.get(reverse("porting:list")),
        "port list, operator": lambda: operator.get(reverse("porting:list")),
        "draft page": lambda: admin.get(reverse("porting:detail", args=[draft.pk])),
        "api findings": lambda: admin.get(f"/api/v1/port-requests/{draft.pk}/findings"),
        "api port requests": lambda: admin.get("/api/v1/port-requests"),
        "api desk queue": lambda: operator.get("/api/v1/porting/desk"),
        "api fees": lambda: operator.get("/api/v1/porting/fees"),
    }
    before = {name: grow.queries_of(fetch) for name, fetch in pages.items()}
    _grow(cast, on_desk, draft)
    after = {name: grow.queries_of(fetch) for name, fetch in pages.items()}
    assert after == before
    assert max(after.values()) <= CEILING, after


def test_the_desk_request_page_shows_a_page_of_numbers(cast: Cast) -> None:
    on_desk = submitted(cast)
    grow.add_numbers(on_desk, 60)
    grow.fax_users(cast.company, 100)
    operator = signed_in(cast.operator)
    url = reverse("porting:desk_request", args=[on_desk.pk])
    html = operator.get(url).content.decode()
    assert "61 numbers" in html and "1\u201325 of 61" in html
    assert html.count('name="user_') == 25 and "Grown" not in html
    third = operator.get(url, {"page": "3"}).content.decode()
    assert third.count('name="user_') == 11


def test_findings_ask_only_about_the_request_numbers(cast: Cast) -> None:
    """A conflict is still found: a number in another open request, and one in service."""
    taken = grow.port_requests(cast.outsider_company, 1, numbers_each=1)[0]
    held = taken.numbers.get().number
    [in_service] = grow.fax_numbers(cast.outsider_company, 1)
    admin = cast.actor(cast.company_admin)
    draft = ready_request(
        admin,
        cast.company,
        numbers=[{"number": held}, {"number": in_service.number}, {"number": "+12062345678"}],
    )
    client = signed_in(cast.company_admin)
    with CaptureQueriesContext(connection) as captured:
        findings_of(draft)
    # Each look-up of the platform's numbers is by the request's own numbers (indexed), never
    # a read of every open request's or in-service number.
    lookups = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "numbers_faxnumber"' in q["sql"]
        or '"porting_portnumber" INNER JOIN "porting_portrequest"' in q["sql"]
    ]
    assert len(lookups) == 2, lookups
    assert all('."number" IN (' in sql for sql in lookups), lookups
    findings = client.get(f"/api/v1/port-requests/{draft.pk}/findings").json()["findings"]
    duplicates = {f["field"]: f["message"] for f in findings if f["code"] == "NUMBER_DUPLICATE"}
    assert set(duplicates) == {"numbers[0].number", "numbers[1].number"}
    assert "open port request" in duplicates["numbers[0].number"]
    assert "in service" in duplicates["numbers[1].number"]
