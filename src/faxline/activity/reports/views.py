"""Portal pages of the reports (``/activity/reports/``): the list of outbound and inbound
reports, a report with its filter form, chart and table, and its CSV export. They serve
the reports' one definition (``catalog``) through ``selectors``, like the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from faxline.accounts.access import Actor, request_actor
from faxline.accounts.selectors import company_list
from faxline.activity.reports import present
from faxline.activity.reports.access import may_run_reports
from faxline.activity.reports.catalog import DIRECTIONS, FILTERS, reports_of
from faxline.activity.reports.scope import ReportScope
from faxline.activity.reports.selectors import (
    MAX_CHOICES,
    filter_choices,
    report_get,
    report_period,
    report_run,
    report_scope,
)
from faxline.core.errors import ValidationFailed
from faxline.portal.toolkit import portal_view


@portal_view
@require_GET
def reports_index(request: HttpRequest) -> HttpResponse:
    """Reports: the outbound and inbound reports, with what each tells."""
    may_run_reports(request_actor(request)).check()
    start, end = report_period()
    groups = [(label, list(reports_of(direction))) for direction, label in DIRECTIONS.items()]
    return render(
        request, "activity/reports/index.html", {"groups": groups, "start": start, "end": end}
    )


def _params(request: HttpRequest, actor: Actor) -> dict[str, str]:
    """The filters asked for; an operator or channel partner who names no company sees the
    first one they may (as every company page does)."""
    params = {name: request.GET.get(name, "").strip() for name in ("company", *FILTERS)}
    if not params["company"] and actor.spans_companies:
        first = company_list(actor=actor).first()
        params["company"] = str(first.pk) if first else ""
    return params


def _fallback(actor: Actor, params: dict[str, str], error: ValidationFailed) -> ReportScope | None:
    """The scope of the form's choices when a filter was refused: without the filters."""
    kept = {} if error.field == "company" else {"company": params["company"]}
    try:
        return report_scope(actor=actor, params=kept)
    except ValidationFailed:
        return None


def _report(request: HttpRequest, direction: str, slug: str, *, export: bool) -> HttpResponse:
    actor = request_actor(request)
    may_run_reports(actor).check()
    report = report_get(direction=direction, slug=slug)
    params = _params(request, actor)
    error: ValidationFailed | None = None
    try:
        scope: ReportScope | None = report_scope(actor=actor, params=params)
    except ValidationFailed as exc:
        error, scope = exc, _fallback(actor, params, exc)
    context: dict[str, Any] = {
        "report": report,
        "params": params,
        "error": error,
        "scope": scope,
        "spans_companies": actor.spans_companies,
        "max_choices": MAX_CHOICES,
    }
    if scope is not None and error is None:
        data = report_run(report=report, scope=scope)
        if export:
            # At most 91 rows (a day each) or 50 (a top list): made whole, not streamed.
            response = HttpResponse(
                "".join(present.csv_file(report, data)), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="{present.csv_name(report, scope)}"'
            )
            response["Cache-Control"] = "private, no-store"
            return response
        context.update(
            rows=present.table_rows(report, data),
            totals=present.table_totals(report, data),
            chart=present.chart(report, data, scope),
            query=urlencode({k: v for k, v in params.items() if v}),
        )
    if scope is not None:
        context["choices"] = filter_choices(actor=actor, scope=scope)
    if actor.spans_companies:
        context["companies"] = list(company_list(actor=actor)[:MAX_CHOICES])
    status = 422 if error is not None else 200
    return render(request, "activity/reports/report.html", context, status=status)


@portal_view
@require_GET
def report_page(request: HttpRequest, direction: str, slug: str) -> HttpResponse:
    """One report: the filter form, the chart and the table (the chart's text)."""
    return _report(request, direction, slug, export=False)


@portal_view
@require_GET
def report_export(request: HttpRequest, direction: str, slug: str) -> HttpResponse:
    """Export CSV: the report with the same filters, as a file."""
    return _report(request, direction, slug, export=True)
