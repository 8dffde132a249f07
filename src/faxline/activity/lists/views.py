"""Portal pages of Outbound Activity and Inbound Activity (``/activity/outbound/``,
``/activity/inbound/``): the filter bar, the table with the person's columns, Row Count
and Go to page, and for Inbound Activity the Bulk Resubmit panel (which posts to faxing's
``inbound:bulk_resubmit``).

The search is the API's (:func:`activity_search`): a bad parameter is shown beside the
filter bar (422), never a server error. A Row Count asked for in the address is remembered
as the person's (it is only a preference; the page is still a plain GET).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from faxline.accounts.access import request_actor
from faxline.activity.lists.access import may_bulk_resubmit
from faxline.activity.lists.filters import (
    MATCHES,
    PARTIAL,
    ROW_COUNTS,
    STATUSES,
    ActivityPage,
    ActivityQuery,
    FilterRow,
    ListDefinition,
    page_of,
    parse_dates,
    parse_page,
    parse_row_count,
    today_for,
    zone_of,
)
from faxline.activity.lists.inbound import INBOUND
from faxline.activity.lists.outbound import OUTBOUND
from faxline.activity.lists.preferences import activity_preference_set, preference_get
from faxline.activity.lists.selectors import activity_search, rows_of
from faxline.core.errors import ValidationFailed
from faxline.portal.toolkit import portal_view

TEMPLATE = "activity/lists/list.html"


def _page_params(
    query: ActivityQuery | None, params: dict[str, list[str]]
) -> list[tuple[str, str]]:
    """The search of this page as query-string pairs (kept by paging and Row Count)."""
    if query is not None:
        return query.params()
    keep = ("from", "to", "filter", "search", "match", "status", "partial")
    return [(k, v) for k in keep for v in params.get(k, [])]


def _url(path: str, pairs: list[tuple[str, str]], **extra: int) -> str:
    items = [*pairs, *((k, str(v)) for k, v in extra.items())]
    return f"{path}?{urlencode(items)}" if items else path


def _list_page(request: HttpRequest, definition: ListDefinition) -> HttpResponse:
    actor = request_actor(request)
    definition.may_see(actor).check()
    preference = preference_get(actor=actor, definition=definition)
    params = {key: request.GET.getlist(key) for key in request.GET}
    error: ValidationFailed | None = None
    query: ActivityQuery | None = None
    page: ActivityPage | None = None
    rows = preference.rows
    try:
        rows = parse_row_count(request.GET.get("rows"), default=preference.rows)
        number = parse_page(request.GET.get("page"))
        query, results = activity_search(actor=actor, definition=definition, params=params)
        page = page_of(results, number=number, rows=rows)
        if rows != preference.rows:
            preference = activity_preference_set(actor=actor, definition=definition, rows=rows)
    except ValidationFailed as exc:
        error = exc
    if query is not None:
        start, end, filter_rows = query.date_from, query.date_to, list(query.rows)
    else:
        try:
            start, end = parse_dates(params, today=today_for(actor))
        except ValidationFailed:
            start = end = today_for(actor)
        filter_rows = [
            FilterRow(f, s, m)
            for f, s, m in zip(
                params.get("filter", []),
                params.get("search", []),
                params.get("match", []) + ["exact"] * 10,
                strict=False,
            )
        ]
    pairs = _page_params(query, params)
    context: dict[str, Any] = {
        "definition": definition,
        "error": error,
        "page": page,
        "rows": rows_of(definition, page.items) if page else [],
        "date_from": start,
        "date_to": end,
        "filter_rows": filter_rows or [FilterRow("", "")],
        "status": query.status if query else (params.get("status") or ["all"])[-1],
        "partial": query.partial if query else (params.get("partial") or [""])[-1],
        "statuses": STATUSES,
        "matches": MATCHES,
        "partials": PARTIAL,
        "columns": definition.columns,
        "shown": preference.columns,
        "hidden": [c.key for c in definition.columns if c.key not in preference.columns],
        "row_count": rows,
        "row_counts": ROW_COUNTS,
        "hidden_params": pairs,
        "time_zone": str(zone_of(actor)),
        "may_resubmit": definition is INBOUND and bool(may_bulk_resubmit(actor)),
        "back": request.get_full_path(),
        "row_template": f"activity/lists/_{definition.name}_row.html",
        "columns_url": reverse(f"activity:{definition.name}_columns"),
    }
    if page is not None:
        context["previous_url"] = _url(request.path, pairs, rows=rows, page=page.number - 1)
        context["next_url"] = _url(request.path, pairs, rows=rows, page=page.number + 1)
    return render(request, TEMPLATE, context, status=422 if error else 200)


@portal_view
@require_GET
def outbound_activity(request: HttpRequest) -> HttpResponse:
    return _list_page(request, OUTBOUND)


@portal_view
@require_GET
def inbound_activity(request: HttpRequest) -> HttpResponse:
    return _list_page(request, INBOUND)


def _columns(request: HttpRequest, definition: ListDefinition) -> HttpResponse:
    """Save the columns chosen (``columns`` repeated); back to the list (a script's request
    gets 204)."""
    actor = request_actor(request)
    definition.may_see(actor).check()
    try:
        activity_preference_set(
            actor=actor, definition=definition, columns=request.POST.getlist("columns")
        )
    except ValidationFailed as exc:
        if request.headers.get("X-Requested-With") == "fetch":
            return HttpResponse(exc.message, status=422, content_type="text/plain")
        messages.error(request, exc.message)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    back = request.POST.get("back", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect(f"activity:{definition.name}")


@portal_view
@require_POST
def outbound_columns(request: HttpRequest) -> HttpResponse:
    return _columns(request, OUTBOUND)


@portal_view
@require_POST
def inbound_columns(request: HttpRequest) -> HttpResponse:
    return _columns(request, INBOUND)
