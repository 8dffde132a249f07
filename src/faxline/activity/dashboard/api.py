"""REST API of the Dashboard's traffic panel: what the panel shows, for programs.

``GET /api/v1/dashboard/traffic``: pages sent and received per interval;
``GET /api/v1/dashboard/top-destinations``: faxes sent to the ten busiest US states and
Canadian provinces, and to everything else ("Other").

The controls are the panel's: ``from`` and ``to`` (UTC days, both included; the last 30 days
when left out), ``interval`` (auto, hour, day or month), ``department`` (its subtree) and,
for operators and channel partners, ``company``. Whose faxes count is the panel's too:
company administrators their company, department administrators their subtree, fax users
their own faxes. A company or department outside that is 404, a bad control 422 naming it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from faxline.accounts.api_auth import actor_of
from faxline.accounts.schemas import error_responses
from faxline.activity.dashboard.scope import (
    TrafficFilter,
    TrafficScope,
    traffic_company,
    traffic_filter,
    traffic_scope,
)
from faxline.activity.dashboard.selectors import (
    destination_locales,
    top_destinations,
    traffic_series,
)
from faxline.core.errors import NotFound

router = Router(tags=["Dashboard"])
ERRORS = error_responses(404, 422)

COMPANY = Query(None, description="Operators and channel partners: the company (id).")
DEPARTMENT = Query(None, description="A department (id): its whole subtree.")
FROM = Query(None, alias="from", description="The first day (YYYY-MM-DD, UTC).")
TO = Query(None, alias="to", description="The last day (YYYY-MM-DD, UTC; default today).")
INTERVAL = Query(
    None,
    description="auto (default: hours up to 3 days, days up to 92, months beyond), "
    "hour (7 days at most), day (366) or month.",
)


class RangeOut(Schema):
    company: int
    department: int | None = Field(description="The department filter (its subtree).")
    own_faxes_only: bool = Field(description="A fax user's figures: their own faxes.")
    start: date = Field(description="The first day counted (UTC).")
    end: date = Field(description="The last day counted (UTC).")


class BucketOut(Schema):
    start: datetime = Field(description="When the interval starts (UTC).")
    outbound: int = Field(description="Pages sent.")
    inbound: int = Field(description="Pages received.")


class TrafficOut(RangeOut):
    """Pages sent and received in each interval of the range (every interval, 0 included)."""

    interval: str = Field(description="The interval counted: hour, day or month.")
    outbound: int = Field(description="Pages sent over the range.")
    inbound: int = Field(description="Pages received over the range.")
    buckets: list[BucketOut]


class LocaleOut(Schema):
    code: str = Field(description="The state's or province's code (WA, ON...).")
    name: str
    country: str = Field(description="US or CA.")
    faxes: int = Field(description="Faxes sent there.")


class DestinationsOut(RangeOut):
    """The ten states and provinces most faxed to over the range (most first), and the
    faxes sent anywhere else (international, toll-free, unknown numbers)."""

    destinations: list[LocaleOut]
    other: int = Field(description='Faxes sent elsewhere ("Other").')


def _chosen(
    request: HttpRequest,
    company: str | None,
    department: str | None,
    start: str | None,
    end: str | None,
    interval: str | None,
) -> tuple[TrafficScope, TrafficFilter, dict[str, Any]]:
    """The scope and range asked for, as the panel reads its controls."""
    actor = actor_of(request)
    chosen_company = traffic_company(actor=actor, company_id=company or "")
    if chosen_company is None:
        raise NotFound("Company not found.", field="company")
    scope = traffic_scope(actor=actor, company=chosen_company, department_id=department or "")
    chosen = traffic_filter(
        start=start or "", end=end or "", interval=interval or "", names=("from", "to")
    )
    described = {
        "company": chosen_company.pk,
        "department": scope.department.pk if scope.department else None,
        "own_faxes_only": scope.user_id is not None,
        "start": chosen.start,
        "end": chosen.end,
    }
    return scope, chosen, described


@router.get("/dashboard/traffic", response={200: TrafficOut, **ERRORS}, summary="Traffic over time")
def dashboard_traffic(
    request: HttpRequest,
    company: str | None = COMPANY,
    department: str | None = DEPARTMENT,
    start: str | None = FROM,
    end: str | None = TO,
    interval: str | None = INTERVAL,
) -> Any:
    """Pages sent and received per hour, day or month: the Dashboard's traffic chart."""
    scope, chosen, described = _chosen(request, company, department, start, end, interval)
    buckets = traffic_series(scope=scope, filter=chosen)
    return {
        **described,
        "interval": chosen.interval,
        "outbound": sum(b.outbound for b in buckets),
        "inbound": sum(b.inbound for b in buckets),
        "buckets": [
            {"start": b.start, "outbound": b.outbound, "inbound": b.inbound} for b in buckets
        ],
    }


@router.get(
    "/dashboard/top-destinations",
    response={200: DestinationsOut, **ERRORS},
    summary="Top destinations",
)
def dashboard_top_destinations(
    request: HttpRequest,
    company: str | None = COMPANY,
    department: str | None = DEPARTMENT,
    start: str | None = FROM,
    end: str | None = TO,
) -> Any:
    """Faxes sent to the top 10 US states and Canadian provinces, and "Other": the
    Dashboard's Top Destinations."""
    scope, chosen, described = _chosen(request, company, department, start, end, None)
    top, other = top_destinations(destination_locales(scope=scope, filter=chosen))
    return {
        **described,
        "destinations": [
            {"code": i.code, "name": i.name, "country": i.country, "faxes": i.faxes} for i in top
        ],
        "other": other.faxes if other else 0,
    }
