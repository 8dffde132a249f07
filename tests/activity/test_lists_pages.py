"""The Activity lists' portal pages: who may open them (and the menu agrees), a bad
parameter shown beside the filter bar (422, never a 500), the columns and Row Count
remembered per person, the page's query count pinned (none per row)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from faxline.accounts.access import Actor
from faxline.accounts.menu import portal_menus
from faxline.accounts.models import User
from faxline.activity.lists.models import ActivityPreference
from history import inbound, outbound

from cast import Cast

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
OUT = "/activity/outbound/"
IN = "/activity/inbound/"
DASH = "\u2013"  # the range "1-10 of 12"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def history(cast: Cast, n: int) -> None:
    for i in range(n):
        who = cast.billing_user if i % 2 else cast.sales_user
        outbound(who, to=f"+1617555{i:04d}", at=NOW - timedelta(hours=i + 1))
        inbound(who, number="+12125558001", at=NOW - timedelta(hours=i + 1))


def test_the_urls() -> None:
    assert reverse("activity:outbound") == OUT
    assert reverse("activity:inbound") == IN


def test_each_sees_the_pages_and_the_menu_agrees(cast: Cast) -> None:
    from django.test import RequestFactory
    from django.urls import resolve

    history(cast, 2)
    for who in ("billing_user", "dept_admin", "company_admin", "read_only_admin", "operator"):
        user = getattr(cast, who)
        client = client_for(user)
        for path in (OUT, IN):
            assert client.get(path).status_code == 200, (who, path)
        request = RequestFactory().get("/")
        request.user = user
        request.resolver_match = resolve("/")
        labels = [i.label for i in portal_menus(request)["portal_menus"].activity]
        assert labels[:2] == ["Outbound Activity", "Inbound Activity"], who
    User.objects.filter(pk=cast.dept_admin.pk).update(rights=["users.manage"])
    limited = User.objects.get(pk=cast.dept_admin.pk)
    client = client_for(limited)
    for path, right in ((OUT, "View outbound activity"), (IN, "View inbound activity")):
        response = client.get(path)
        assert response.status_code == 403
        assert right in response.content.decode()
    request = RequestFactory().get("/")
    request.user = limited
    request.resolver_match = resolve("/")
    labels = [i.label for i in portal_menus(request)["portal_menus"].activity]
    assert "Outbound Activity" not in labels and "Inbound Activity" not in labels


def test_the_outbound_page_shows_the_scope(cast: Cast) -> None:
    history(cast, 4)
    html = client_for(cast.dept_admin).get(OUT).content.decode()
    assert html.count('data-col="to"') == 1 + 2  # the header and Bill's two jobs
    assert "Bill Payer" in html and "Sarah Salesperson" not in html
    assert f"1{DASH}2 of 2" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=nope", "is not a date"),
        ("status=done", "is not a status"),
        ("filter=job&search=x&match=like", "is not a match"),
        ("filter=nope&search=x", "is not a filter of Outbound Activity"),
        ("rows=7", "Row Count is one of"),
        ("page=0", "page number"),
        ("filter=recipient&search=12", "is not a"),
    ],
)
def test_a_bad_parameter_is_shown_beside_the_filter_bar(
    cast: Cast, query: str, message: str
) -> None:
    response = client_for(cast.company_admin).get(f"{OUT}?{query}")
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="fx-activity-error"' in html and message in html
    assert 'id="fx-activity-search"' in html


def test_the_row_count_is_remembered(cast: Cast) -> None:
    history(cast, 12)
    client = client_for(cast.company_admin)
    html = client.get(OUT).content.decode()
    assert html.count("<tr>") == 1 + 12  # default 100 rows
    html = client.get(OUT + "?rows=10").content.decode()
    assert html.count("<tr>") == 1 + 10
    assert (
        ActivityPreference.objects.get(user=cast.company_admin, list_name="outbound").row_count
        == 10
    )
    html = client.get(OUT).content.decode()
    assert html.count("<tr>") == 1 + 10 and f"1{DASH}10 of 12" in html
    html = client.get(OUT + "?page=2").content.decode()
    assert html.count("<tr>") == 1 + 2 and f"11{DASH}12 of 12" in html
    # Another person's choice is theirs.
    assert client_for(cast.read_only_admin).get(OUT).content.decode().count("<tr>") == 1 + 12


def test_the_columns_are_remembered(cast: Cast) -> None:
    history(cast, 1)
    client = client_for(cast.company_admin)
    html = client.get(OUT).content.decode()
    assert "fx-hide-completed" in html and "fx-hide-error" not in html
    response = client.post(
        reverse("activity:outbound_columns"),
        {"columns": ["job", "date", "to", "completed"], "back": OUT + "?status=all"},
    )
    assert response.status_code == 302 and response["Location"] == OUT + "?status=all"
    html = client.get(OUT).content.decode()
    assert "fx-hide-error" in html and "fx-hide-completed" not in html
    # A script saves with a 204; nothing, or an unknown column, is refused.
    fetch = {"HTTP_X_REQUESTED_WITH": "fetch"}
    url = reverse("activity:outbound_columns")
    assert client.post(url, {"columns": ["job"]}, **fetch).status_code == 204
    assert client.post(url, {"columns": []}, **fetch).status_code == 422
    assert client.post(url, {"columns": ["secret"]}, **fetch).status_code == 422
    assert ActivityPreference.objects.get(
        user=cast.company_admin, list_name="outbound"
    ).columns == ["job"]
    # Somewhere else than the portal is not a way back.
    response = client.post(url, {"columns": ["job"], "back": "//evil.example/"})
    assert response["Location"] == OUT
    # The inbound list has its own.
    assert (
        client.post(reverse("activity:inbound_columns"), {"columns": ["job"]}, **fetch).status_code
        == 422
    )
    assert (
        client.post(
            reverse("activity:inbound_columns"), {"columns": ["caller"]}, **fetch
        ).status_code
        == 204
    )


def test_bulk_resubmit_is_offered_to_who_may_resubmit(cast: Cast) -> None:
    history(cast, 2)
    for who, offered in (
        ("company_admin", True),
        ("dept_admin", True),
        ("billing_user", True),
        ("read_only_admin", False),
    ):
        html = client_for(getattr(cast, who)).get(IN).content.decode()
        assert ("Bulk Resubmit" in html) is offered, who
        if offered:
            assert f'action="{reverse("inbound:bulk_resubmit")}"' in html
            assert 'name="fax"' in html and 'name="back"' in html


def test_bulk_resubmit_posts_to_faxing(cast: Cast) -> None:
    history(cast, 2)
    from faxline.faxing.inbound.models import InboundFax

    ids = list(InboundFax.objects.values_list("pk", flat=True))
    response = client_for(cast.company_admin).post(
        reverse("inbound:bulk_resubmit"), {"fax": [str(i) for i in ids], "back": IN}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("path", [OUT, IN])
def test_the_query_count_is_pinned_and_none_per_row(
    cast: Cast, path: str, django_assert_max_num_queries
) -> None:
    client = client_for(cast.company_admin)
    history(cast, 3)
    client.get(path)
    filtered = (
        f"{path}?filter=department&search=Billing Dept&filter=user&search=bill"
        if path == IN
        else f"{path}?filter=department&search=Billing Dept&filter=sender&search=bill"
    )
    # Session, user, security policy (2), the person's columns, the departments named and
    # their subtree's ids, the people named, the capped count, the page, the page's calls
    # (outbound) and the menu's fax numbers.
    with django_assert_max_num_queries(12) as few:
        assert client.get(filtered).status_code == 200
    history(cast, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(filtered).status_code == 200


def test_an_actor_sees_the_api_and_the_page_alike(cast: Cast) -> None:
    """The page and the API share one search: the same rows for the same query."""
    from faxline.activity.lists.outbound import OUTBOUND
    from faxline.activity.lists.selectors import activity_search

    history(cast, 6)
    _, rows = activity_search(
        actor=Actor(user=cast.company_admin),
        definition=OUTBOUND,
        params={"filter": ["sender"], "search": ["sarah"], "match": ["exact"]},
    )
    html = client_for(cast.company_admin).get(OUT + "?filter=sender&search=sarah").content.decode()
    for job in rows:
        assert job.identifier in html
    assert rows.count() == 3
