"""REST API of the reports: ``GET /api/v1/reports`` (the catalogue) and
``GET /api/v1/reports/{outbound,inbound}/<report>`` (one report over the rolling 90 days).

The filters are the portal page's: ``department`` (its subtree), ``user`` (id or username),
``number`` (our fax number) and, for operators and channel partners, ``company``. Outside
the caller's scope a company, department or user is 404; a malformed filter 422 naming it;
without "Run reports" 403 (fax users always)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from faxline.accounts.api_auth import actor_of
from faxline.accounts.schemas import error_responses
from faxline.activity.reports.access import may_run_reports
from faxline.activity.reports.catalog import INBOUND, OUTBOUND, REPORTS, Report
from faxline.activity.reports.selectors import report_get, report_run, report_scope

router = Router(tags=["Reports"])


class ReportInfoOut(Schema):
    """A report of the catalogue."""

    direction: str = Field(description="outbound or inbound.")
    report: str = Field(description="The report's name in its URL (usage-summary...).")
    title: str
    description: str
    filters: list[str] = Field(description="The filters it takes.")


class ColumnOut(Schema):
    key: str = Field(description="The key of the value in each row.")
    label: str
    kind: str = Field(
        description="day, int, seconds, decimal, percent (0 to 100), text or number (E.164)."
    )


class FiltersOut(Schema):
    department: int | None
    user: int | None
    number: str | None


class ReportOut(Schema):
    """A report over the rolling 90 days (UTC days, ``start`` to ``end`` included)."""

    direction: str
    report: str
    title: str
    company: int
    start: date
    end: date
    filters: FiltersOut
    columns: list[ColumnOut]
    rows: list[dict[str, Any]] = Field(
        description="A row per day with traffic, or per item of a top list (at most 50), "
        "keyed by the columns' keys; an average or a rate of nothing is null."
    )
    totals: dict[str, Any] = Field(description="The whole period (top lists: every item).")


def _info(report: Report) -> dict[str, Any]:
    return {
        "direction": report.direction,
        "report": report.slug,
        "title": report.title,
        "description": report.description,
        "filters": list(report.filters),
    }


@router.get(
    "/reports", response={200: list[ReportInfoOut], **error_responses(403)}, summary="Reports"
)
def reports_list(request: HttpRequest) -> Any:
    """The outbound and inbound reports (for those with "Run reports")."""
    may_run_reports(actor_of(request)).check()
    return [_info(r) for r in REPORTS]


COMPANY = Query(None, description="Operators and channel partners: the company (id).")
DEPARTMENT = Query(None, description="A department (id): its whole subtree.")
USER = Query(None, description="A user (id or username).")
NUMBER = Query(None, description="One of our fax numbers (any common spelling).")


def _run(
    request: HttpRequest,
    direction: str,
    slug: str,
    params: dict[str, str | None],
) -> dict[str, Any]:
    actor = actor_of(request)
    may_run_reports(actor).check()
    report = report_get(direction=direction, slug=slug)
    scope = report_scope(actor=actor, params=params)
    data = report_run(report=report, scope=scope)
    return {
        "direction": report.direction,
        "report": report.slug,
        "title": report.title,
        "company": scope.company.pk,
        "start": scope.start,
        "end": scope.end,
        "filters": scope.filters,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in report.columns],
        "rows": data.rows,
        "totals": data.totals,
    }


def _report_operation(direction: str) -> None:
    """``GET /reports/<direction>/{report}``: one report of the direction (its names listed
    from the catalogue)."""

    def report_of_direction(
        request: HttpRequest,
        report: str,
        company: str | None = COMPANY,
        department: str | None = DEPARTMENT,
        user: str | None = USER,
        number: str | None = NUMBER,
    ) -> Any:
        params = {"company": company, "department": department, "user": user, "number": number}
        return _run(request, direction, report, params)

    slugs = [f"``{r.slug}``" for r in REPORTS if r.direction == direction]
    report_of_direction.__doc__ = f"{', '.join(slugs[:-1])} or {slugs[-1]}."
    router.get(
        f"/reports/{direction}/{{report}}",
        response={200: ReportOut, **error_responses(403, 404, 422)},
        summary=f"An {direction} report",
        operation_id=f"faxline_activity_reports_api_{direction}_report",
    )(report_of_direction)


for _direction in (OUTBOUND, INBOUND):
    _report_operation(_direction)
