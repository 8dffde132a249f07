"""The Reports pages of the portal: the list, a report with its chart and table, the
filters, the refusals, Export CSV (formula-safe, the same filters) and the query counts;
and the Reports entry of the Activity menu."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import resolve

from faxline.accounts.menu import portal_menus
from faxline.accounts.models import User
from faxline.activity.reports.catalog import REPORTS
from history import outbound
from reports_history import D2, NOW, REPORT_KEYS, acme_history

from cast import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(cast: Cast) -> Iterator[Cast]:
    with time_machine.travel(NOW, tick=False):
        acme_history(cast)
        yield cast


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(key: tuple[str, str]) -> str:
    return f"/activity/reports/{key[0]}/{key[1]}/"


def activity_menu(user: User) -> list[str]:
    from django.test import RequestFactory

    request = RequestFactory().get("/activity/reports/")
    request.user = user
    request.resolver_match = resolve("/activity/reports/")
    return [item.label for item in portal_menus(request)["portal_menus"].activity]


def test_the_activity_menu_offers_reports_to_those_who_may_run_them(cast: Cast) -> None:
    for user in (cast.company_admin, cast.dept_admin, cast.read_only_admin, cast.operator):
        assert "Reports" in activity_menu(user), user
    assert "Reports" not in activity_menu(cast.billing_user)
    User.objects.filter(pk=cast.dept_admin.pk).update(rights=["activity.outbound"])
    assert "Reports" not in activity_menu(User.objects.get(pk=cast.dept_admin.pk))


def test_the_list_of_reports(history: Cast) -> None:
    response = signed_in(history.company_admin).get("/activity/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Outbound Reports" in html and "Inbound Reports" in html
    for report in REPORTS:
        assert f'href="{page_url((report.direction, report.slug))}"' in html
    assert "2026-09-08 to 2026-12-06" in html


@pytest.mark.parametrize("key", REPORT_KEYS, ids="/".join)
def test_each_report_page_shows_chart_table_and_export(
    history: Cast, key: tuple[str, str], django_assert_max_num_queries: Any
) -> None:
    client = signed_in(history.company_admin)
    client.get(page_url(key))
    # Session and user, the company, the report (one or two), the form's departments,
    # users and numbers, the menus' and the shell's own.
    with django_assert_max_num_queries(12):
        response = client.get(page_url(key))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html and "<title id=" in html
    assert "<tfoot" in html and ">Total</th>" in html
    assert f'href="{page_url(key)}export.csv"' in html
    assert "Billing Dept -&gt; Billing Level 1" in html  # the department filter's choices


def test_the_department_filter_narrows_the_page(history: Cast) -> None:
    client = signed_in(history.company_admin)
    key = ("outbound", "highest-volume-destinations")
    html = client.get(page_url(key), {"department": history.sales.pk}).content.decode()
    assert "+13105550199" in html and "+16175550100" not in html
    assert f'value="{history.sales.pk}" selected' in html
    assert f"export.csv?department={history.sales.pk}" in html


def test_department_administrators_see_their_subtree(history: Cast) -> None:
    client = signed_in(history.dept_admin)
    key = ("inbound", "highest-volume-numbers")
    html = client.get(page_url(key)).content.decode()
    assert "+12125557001" in html and "+12125557002" not in html
    assert "All of Billing Dept" in html
    assert ">Sales<" not in html
    assert client.get(page_url(key), {"department": history.sales.pk}).status_code == 404
    assert client.get(page_url(key) + "export.csv", {"user": "sarah"}).status_code == 404


def test_outsiders_get_their_own_empty_report(history: Cast) -> None:
    client = signed_in(history.outsider_admin)
    key = ("outbound", "usage-summary")
    response = client.get(page_url(key))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No faxes in this period" in html and "Nothing to chart" in html
    assert "Billing" not in html and "+12125557001" not in html
    assert client.get(page_url(key), {"department": history.billing.pk}).status_code == 404


def test_fax_users_and_administrators_without_the_right_are_refused(history: Cast) -> None:
    key = ("outbound", "usage-summary")
    for path in ("/activity/reports/", page_url(key), page_url(key) + "export.csv"):
        assert signed_in(history.billing_user).get(path).status_code == 403
    User.objects.filter(pk=history.dept_admin.pk).update(rights=["reports.accounting"])
    client = signed_in(User.objects.get(pk=history.dept_admin.pk))
    response = client.get(page_url(key))
    assert response.status_code == 403
    assert "right to run reports" in response.content.decode()


def test_a_bad_filter_is_shown_at_its_field(history: Cast) -> None:
    client = signed_in(history.company_admin)
    response = client.get(page_url(("outbound", "usage-summary")), {"number": "12"})
    assert response.status_code == 422
    html = response.content.decode()
    assert (
        'is-invalid" aria-invalid="true" aria-describedby="fx-filter-error" id="fx-number" '
        'name="number" value="12"' in html
    )
    assert "is-invalid" in html and "is not a valid fax number" in html
    export = client.get(page_url(("outbound", "usage-summary")) + "export.csv", {"user": "a b"})
    assert export.status_code == 422


def test_unknown_reports_are_404(history: Cast) -> None:
    client = signed_in(history.company_admin)
    assert client.get("/activity/reports/outbound/nothing/").status_code == 404
    assert client.get("/activity/reports/inbound/outbound-failures/").status_code == 404


def test_export_csv(history: Cast) -> None:
    client = signed_in(history.company_admin)
    key = ("inbound", "potential-partial-faxes")
    response = client.get(page_url(key) + "export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        'filename="inbound-potential-partial-faxes-2026-09-08-2026-12-06.csv"'
        in response["Content-Disposition"]
    )
    text = response.content.decode()
    assert list(csv.reader(io.StringIO(text))) == [
        ["Day", "Faxes", "Potential partials", "Partial rate (%)"],
        ["2026-12-01", "2", "1", "50.0"],
        ["2026-12-03", "2", "0", "0.0"],
        ["Total", "4", "1", "25.0"],
    ]
    filtered = client.get(page_url(key) + "export.csv", {"department": history.sales.pk})
    rows = list(csv.reader(io.StringIO(filtered.content.decode())))
    assert rows[1:] == [["2026-12-03", "2", "0", "0.0"], ["Total", "2", "0", "0.0"]]


def test_export_csv_neutralises_formulas(history: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        outbound(
            history.sales_user,
            to="+14155550123",
            at=D2,
            status="failed",
            error='=HYPERLINK("http://x")',
            from_number="+12125557002",
        )
    client = signed_in(history.company_admin)
    response = client.get(page_url(("outbound", "outbound-failures")) + "export.csv")
    text = response.content.decode()
    assert "'=HYPERLINK" in text
    assert "\r\n=HYPERLINK" not in text
    html = client.get(page_url(("outbound", "outbound-failures"))).content.decode()
    assert "=HYPERLINK(&quot;http://x&quot;)" in html


def test_operators_see_the_first_company_or_the_one_they_choose(history: Cast) -> None:
    client = signed_in(history.operator)
    key = ("inbound", "usage-summary")
    html = client.get(page_url(key)).content.decode()
    assert f'<option value="{history.company.pk}" selected>Acme Corp</option>' in html
    assert "<td>2026-12-01</td>" in html
    globex = client.get(page_url(key), {"company": history.outsider_company.pk}).content.decode()
    assert "No faxes in this period" in globex
    assert client.get(page_url(key), {"company": 999999}).status_code == 404
