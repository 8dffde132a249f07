"""The Dashboard's traffic chart and Top Destinations: pages per interval in each direction
from the tallies (hours from the faxes), the department filter, each person's scope, and
bad controls answered with a message, not an error page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from faxline.accounts.models import User
from faxline.activity.dashboard.scope import TrafficFilter, traffic_filter, traffic_scope
from faxline.activity.dashboard.selectors import destination_locales, traffic_series
from faxline.core.errors import NotFound, ValidationFailed
from history import inbound, outbound

from cast import Cast, cast_from_snapshot

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("portal:dashboard")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NOV = date(2026, 11, 1)


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def cast(db: None) -> Cast:
    return cast_from_snapshot()


@pytest.fixture
def traffic(cast: Cast) -> Cast:
    """Acme: Billing Level 1 sends 3+2 pages on Nov 10 (WA, MA) and receives 4 on Nov 11;
    Sales sends 5 (WA) and receives 1 on Nov 12; the company administrator sends 1 page
    abroad on Nov 15; Billing sent 6 pages on Sep 3. Globex sends 7 and receives 9."""
    outbound(cast.billing_user, to="+12065550100", at=at(10, 9), pages=3)
    outbound(cast.billing_user, to="+16175550100", at=at(10, 14), pages=2, status="failed", busy=1)
    inbound(cast.billing_user, number="+12125557001", at=at(11, 8), pages=4)
    outbound(cast.sales_user, to="+12065550101", at=at(12, 10), pages=5)
    inbound(cast.sales_user, number="+12125557002", at=at(12, 11), pages=1)
    outbound(cast.company_admin, to="+442071234567", at=at(15, 16), pages=1)
    outbound(cast.billing_user, to="+14165550100", at=at(3, 10, month=9), pages=6)
    outbound(cast.outsider_user, to="+13125550100", at=at(10, 9), pages=7)
    inbound(cast.outsider_user, number="+13125557009", at=at(10, 9), pages=9)
    return cast


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def by_day(user: User, **params: str) -> dict[date, tuple[int, int]]:
    """The chart's non-empty days as the Dashboard shows them to ``user``."""
    context = panel(user, **params)
    return {
        b.start.date(): (b.outbound, b.inbound)
        for b in context["buckets"]
        if b.outbound or b.inbound
    }


def panel(user: User, **params: str) -> dict[str, Any]:
    client = Client()
    client.force_login(user)
    response = client.get(DASHBOARD, params)
    assert response.status_code == 200
    for context in response.context:
        if "chart" in context or "error" in context:
            return context.flatten()
    raise AssertionError("no traffic panel")


def test_the_last_30_days_by_day_for_the_company(traffic: Cast) -> None:
    context = panel(traffic.company_admin)
    assert context["filter"] == TrafficFilter(date(2026, 10, 22), date(2026, 11, 20), "day", "auto")
    assert len(context["buckets"]) == 30
    assert by_day(traffic.company_admin) == {
        date(2026, 11, 10): (5, 0),
        date(2026, 11, 11): (0, 4),
        date(2026, 11, 12): (5, 1),
        date(2026, 11, 15): (1, 0),
    }
    lines = {line.key: line for line in context["lines"]}
    assert (lines["outbound"].total, lines["inbound"].total) == (11, 5)
    assert lines["outbound"].colour == "#2e8540" and lines["inbound"].colour == "#ef7d00"


def test_the_hour_interval_reads_the_faxes_of_the_range(traffic: Cast) -> None:
    context = panel(traffic.company_admin, start="2026-11-10", end="2026-11-11", interval="hour")
    buckets = context["buckets"]
    assert len(buckets) == 48 and buckets[0].start == at(10, 0)
    shown = {b.start: (b.outbound, b.inbound) for b in buckets if b.outbound or b.inbound}
    assert shown == {at(10, 9): (3, 0), at(10, 14): (2, 0), at(11, 8): (0, 4)}


def test_auto_picks_hours_for_short_ranges_and_months_for_long_ones(traffic: Cast) -> None:
    assert traffic_filter(start="2026-11-18", end="2026-11-20").interval == "hour"
    assert traffic_filter(start="2026-09-01", end="2026-11-20").interval == "day"
    context = panel(traffic.company_admin, start="2026-08-01", end="2026-11-20")
    assert context["filter"].interval == "month"
    shown = [(b.start.date(), b.outbound, b.inbound) for b in context["buckets"]]
    assert shown == [
        (date(2026, 8, 1), 0, 0),
        (date(2026, 9, 1), 6, 0),
        (date(2026, 10, 1), 0, 0),
        (NOV, 11, 5),
    ]


def test_the_month_interval_on_a_short_range(traffic: Cast) -> None:
    context = panel(traffic.company_admin, interval="month")
    assert [(b.start.date(), b.outbound, b.inbound) for b in context["buckets"]] == [
        (date(2026, 10, 1), 0, 0),
        (NOV, 11, 5),
    ]


def test_the_department_filter_counts_the_subtree(traffic: Cast) -> None:
    billing = {date(2026, 11, 10): (5, 0), date(2026, 11, 11): (0, 4)}
    assert by_day(traffic.company_admin, department=str(traffic.billing.pk)) == billing
    assert by_day(traffic.company_admin, department=str(traffic.billing_l1.pk)) == billing
    assert by_day(traffic.company_admin, department=str(traffic.sales.pk)) == {
        date(2026, 11, 12): (5, 1)
    }


def test_choose_department_lists_full_names_within_the_scope(traffic: Cast) -> None:
    labels = [d.label for d in panel(traffic.company_admin)["departments"]]
    assert labels == ["Billing Dept", "Billing Dept -> Billing Level 1", "Sales"]
    labels = [d.label for d in panel(traffic.dept_admin)["departments"]]
    assert labels == ["Billing Dept", "Billing Dept -> Billing Level 1"]
    assert panel(traffic.billing_user)["departments"] == []


def test_a_department_administrator_sees_only_their_subtree(traffic: Cast) -> None:
    assert by_day(traffic.dept_admin) == {date(2026, 11, 10): (5, 0), date(2026, 11, 11): (0, 4)}
    context = panel(traffic.dept_admin, department=str(traffic.sales.pk))
    assert "buckets" not in context
    assert context["error"].message == "Department not found."
    html = dashboard_html(traffic.dept_admin, department=str(traffic.sales.pk))
    assert "Department not found." in html and 'data-field="department"' in html


def test_a_fax_user_sees_their_own_pages(traffic: Cast) -> None:
    assert by_day(traffic.billing_user) == {date(2026, 11, 10): (5, 0), date(2026, 11, 11): (0, 4)}
    assert by_day(traffic.sales_user) == {date(2026, 11, 12): (5, 1)}
    assert panel(traffic.billing_user)["own_only"] is True
    context = panel(traffic.billing_user, department=str(traffic.billing.pk))
    assert context["error"].message == "Department not found."


def test_an_outsider_sees_only_their_company(traffic: Cast) -> None:
    assert by_day(traffic.outsider_admin) == {date(2026, 11, 10): (7, 9)}
    foreign = panel(traffic.outsider_admin, department=str(traffic.billing.pk))
    missing = panel(traffic.outsider_admin, department="999999")
    assert foreign["error"].message == missing["error"].message == "Department not found."
    html = dashboard_html(traffic.outsider_admin, department=str(traffic.billing.pk))
    assert "Billing" not in html


def test_an_operator_sees_the_company_chosen_on_the_dashboard(traffic: Cast) -> None:
    context = panel(traffic.operator, company=str(traffic.outsider_company.pk))
    assert {b.start.date(): (b.outbound, b.inbound) for b in context["buckets"] if b.outbound} == {
        date(2026, 11, 10): (7, 9)
    }
    assert context["company_param"] == str(traffic.outsider_company.pk)
    client = Client()
    client.force_login(traffic.operator)
    assert client.get(DASHBOARD, {"company": "999999"}).status_code == 404


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"interval": "week"}, "interval", "interval must be Auto, Hour, Day or Month."),
        ({"start": "2026-13-01"}, "start", "start must be a date such as 2026-03-31."),
        ({"end": "yesterday"}, "end", "end must be a date such as 2026-03-31."),
        (
            {"start": "2026-11-20", "end": "2026-11-01"},
            "start",
            "The start of the range is after its end.",
        ),
        (
            {"start": "2020-01-01", "end": "2026-11-20"},
            "start",
            "Choose a range of at most 731 days",
        ),
        (
            {"interval": "hour"},
            "interval",
            "Interval Hour shows at most 7 days",
        ),
        ({"department": "billing"}, "department", "Department not found."),
    ],
)
def test_bad_controls_get_a_clear_message(
    traffic: Cast, params: dict[str, str], field: str, message: str
) -> None:
    context = panel(traffic.company_admin, **params)
    assert context["error"].field == field
    assert context["error"].message.startswith(message)
    html = dashboard_html(traffic.company_admin, **params)
    assert 'id="fx-traffic-error"' in html and "Show the last 30 days" in html
    # The controls stay usable: an empty date shows the usual range, a bad interval Auto.
    assert context["asked"] in {"auto", params.get("interval")}
    assert context["start"] and context["end"]


def test_top_destinations_by_state(traffic: Cast) -> None:
    context = panel(traffic.company_admin)
    assert [(item.code, item.faxes) for item in context["top"]] == [("WA", 2), ("MA", 1)]
    assert context["other"].faxes == 1
    tiles = {tile.code: tile for tile in context["map"].tiles}
    assert (tiles["WA"].faxes, tiles["WA"].shade) == (2, 5)
    assert (tiles["MA"].faxes, tiles["MA"].shade) == (1, 3)
    assert tiles["TX"].faxes == 0 and tiles["TX"].shade == 0
    html = dashboard_html(traffic.company_admin)
    assert "Top Destinations" in html and "Washington" in html
    # Ontario appears over a longer range (Billing's fax of Sep 3 to 416).
    context = panel(traffic.dept_admin, start="2026-09-01", end="2026-11-20")
    assert [(item.code, item.faxes) for item in context["top"]] == [
        ("MA", 1),
        ("ON", 1),
        ("WA", 1),
    ]
    assert context["other"] is None


def test_the_selectors_take_the_scope(traffic: Cast) -> None:
    actor = traffic.actor(traffic.dept_admin)
    with pytest.raises(NotFound):
        traffic_scope(actor=actor, company=traffic.company, department_id=str(traffic.sales.pk))
    scope = traffic_scope(actor=actor, company=traffic.company)
    assert set(scope.department_ids or ()) == {traffic.billing.pk, traffic.billing_l1.pk}
    chosen = traffic_filter()
    assert sum(b.outbound for b in traffic_series(scope=scope, filter=chosen)) == 5
    assert [(x.code, x.faxes) for x in destination_locales(scope=scope, filter=chosen)] == [
        ("MA", 1),
        ("WA", 1),
    ]
    with pytest.raises(ValidationFailed):
        traffic_filter(interval="fortnight")


def dashboard_html(user: User, **params: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(DASHBOARD, params)
    assert response.status_code == 200
    return response.content.decode()


def test_htmx_controls_get_the_panel_alone(traffic: Cast) -> None:
    client = Client()
    client.force_login(traffic.company_admin)
    response = client.get(
        DASHBOARD,
        {"department": str(traffic.sales.pk)},
        headers={"HX-Request": "true", "HX-Target": "fx-dash-activity"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("{% comment %}") is False
    assert 'id="fx-dash-activity"' in html and 'id="fx-inventory"' not in html
    assert "<html" not in html


def test_the_dashboard_query_count_is_pinned(
    traffic: Cast, django_assert_max_num_queries: Any
) -> None:
    """The 90-day chart reads one row per day and direction from the tallies whatever the
    number of faxes; more faxes add no query. Seventeen: the session and the person, the
    security policy (two), the menus once (the page and its panels share one run of the
    context processors), the inventory, the credits (six), the welcome question (two), and
    three for the traffic panel (the departments, the pages by day, the destinations by
    area code)."""
    for n in range(5):
        outbound(traffic.billing_user, to=f"+1303555010{n}", at=at(16, n), pages=1)
    client = Client()
    client.force_login(traffic.company_admin)
    client.get(DASHBOARD)  # warm the session
    with django_assert_max_num_queries(17):
        response = client.get(DASHBOARD, {"start": "2026-08-23", "end": "2026-11-20"})
    assert response.status_code == 200
    assert len(response.context["buckets"]) == 90
