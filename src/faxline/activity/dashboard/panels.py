"""The Dashboard's main panel (declared in ``ActivityConfig.dashboard_panels``): the traffic
chart with its controls above the Top Destinations map and list.

The controls are a plain GET form on the Dashboard (it works without JavaScript); with htmx
a change re-renders this panel alone (``swaps``). A bad range, interval or department shows
its message in the panel instead of the figures.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.urls import reverse

from faxline.accounts.access import Actor, request_actor
from faxline.accounts.models import Company
from faxline.activity.dashboard.chart import directions, traffic_chart
from faxline.activity.dashboard.scope import (
    INTERVAL_CHOICES,
    traffic_company,
    traffic_filter,
    traffic_scope,
)
from faxline.activity.dashboard.selectors import (
    destination_locales,
    top_destinations,
    traffic_series,
)
from faxline.activity.dashboard.tilemap import tile_map
from faxline.core.errors import DomainError, NotFound
from faxline.portal.dashboard import Panel
from faxline.portal.toolkit.htmx import swap_target

TARGET = "fx-dash-activity"


def _company(request: HttpRequest, actor: Actor) -> Company | None:
    """The company the Dashboard shows (``?company=`` for operators and channel partners,
    as the other panels read it)."""
    try:
        return traffic_company(actor=actor, company_id=request.GET.get("company", ""))
    except NotFound as exc:
        raise Http404(exc.message) from exc


def traffic_context(request: HttpRequest) -> dict[str, Any] | None:
    """The panel's context: the chart and the Top Destinations of the chosen range for the
    person's scope; None for someone outside any company (nothing to count)."""
    actor = request_actor(request)
    company = _company(request, actor)
    if company is None and not actor.spans_companies:
        return None
    params = request.GET
    usual = traffic_filter()  # what the controls show when left empty or after an error
    asked = params.get("interval", "auto")
    context: dict[str, Any] = {
        "target": TARGET,
        "action": reverse("portal:dashboard"),
        "company": company,
        "company_param": str(company.pk) if company and actor.spans_companies else "",
        "intervals": INTERVAL_CHOICES,
        "start": params.get("start", "") or usual.start.isoformat(),
        "end": params.get("end", "") or usual.end.isoformat(),
        "asked": asked if asked in {key for key, _ in INTERVAL_CHOICES} else "auto",
        "department_param": params.get("department", ""),
        "own_only": False,
        "departments": [],
        "error": None,
    }
    if company is None:
        return context
    try:
        scope = traffic_scope(
            actor=actor, company=company, department_id=params.get("department", "")
        )
        context.update(own_only=scope.user_id is not None, departments=scope.departments)
        chosen = traffic_filter(
            start=params.get("start", ""),
            end=params.get("end", ""),
            interval=params.get("interval", ""),
        )
    except DomainError as exc:
        context["error"] = exc
        return context
    buckets = traffic_series(scope=scope, filter=chosen)
    locales = destination_locales(scope=scope, filter=chosen)
    top, other = top_destinations(locales)
    query = {
        key: value
        for key, value in (
            ("company", context["company_param"]),
            ("department", str(scope.department.pk) if scope.department else ""),
        )
        if value
    }
    context.update(
        filter=chosen,
        start=chosen.start.isoformat(),
        end=chosen.end.isoformat(),
        asked=chosen.asked,
        scope=scope,
        department=scope.department,
        buckets=buckets,
        chart=traffic_chart(buckets, chosen),
        lines=directions(buckets),
        top=top,
        other=other,
        sent_total=sum(item.faxes for item in locales),
        map=tile_map(locales),
        reset_url=context["action"] + (f"?{urlencode(query)}" if query else ""),
    )
    return context


def is_traffic_swap(request: HttpRequest) -> bool:
    """True for the htmx request of the panel's controls (only the panel is re-rendered)."""
    return swap_target(request) == TARGET


TRAFFIC = Panel(
    name="Traffic",
    template="activity/dashboard/_panel.html",
    context=traffic_context,
    place="main",
    head_template="activity/dashboard/_head.html",
    script_template="activity/dashboard/_script.html",
    swaps=is_traffic_swap,
)
