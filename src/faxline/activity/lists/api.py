"""REST API of Outbound and Inbound Activity: ``GET /activity/outbound`` and ``GET
/activity/inbound``, with the filters of the portal's pages under the same names (one
definition, ``faxline.activity.lists.filters``).

Rules as everywhere in ``/api/v1``: 401 without credentials; 403 for an administrator
without View outbound (inbound) activity; rows outside the caller's scope do not exist
(an outsider's search finds nothing); a bad parameter is 422 naming it. Pages are ``limit``
/ ``offset`` within the first 10,000 matches; ``count`` stops at 10,000 (``count_capped``
says there are more).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from faxline.accounts.api_auth import actor_of
from faxline.accounts.schemas import error_responses
from faxline.activity.lists.filters import (
    COUNT_CAP,
    DEFAULT_DAYS,
    MAX_DAYS,
    ListDefinition,
    Params,
    check_offset,
    count_capped,
)
from faxline.activity.lists.inbound import INBOUND
from faxline.activity.lists.outbound import OUTBOUND
from faxline.activity.lists.selectors import activity_search, rows_of
from faxline.core.pagination import DEFAULT_LIMIT, check_window, limit_description

router = Router(tags=["Activity"])


class PersonOut(Schema):
    id: int
    username: str
    name: str


class ActivityDepartmentOut(Schema):
    id: int
    name: str


class OutboundActivityRow(Schema):
    """One outbound fax job."""

    id: str = Field(description='The job identifier ("501-26438917").')
    status: str = Field(description="queued, in_progress, retrying, success, failed or cancelled.")
    status_label: str
    status_group: str = Field(
        description="The Status filter's group: success, failed (failed or cancelled) or "
        "in_progress (queued, in_progress, retrying)."
    )
    created_at: datetime = Field(description="When the job was accepted (the Date).")
    send_at: datetime
    first_dial_at: datetime | None
    completed_at: datetime | None
    from_: str = Field(alias="from", description="The sender fax number (E.164).")
    to: str = Field(description="The recipient fax number (E.164).")
    pages: int
    department: ActivityDepartmentOut | None = Field(
        description="The sender's department when the job was accepted (none: company level)."
    )
    sender: PersonOut | None
    error: str = Field(description='The guide\'s name of the last failure ("Busy").')
    error_code: int | None
    attempts: int = Field(description="Calls placed.")
    duration_seconds: float = Field(description="The calls' time in all.")
    source: str = Field(description="portal, api or email.")

    model_config = {"populate_by_name": True}


class InboundActivityRow(Schema):
    """One received fax."""

    id: int
    status: str = Field(
        description="success (pages delivered), failed (no page, or not delivered) or "
        "in_progress (delivery still to be made)."
    )
    status_group: str
    received_at: datetime
    first_forwarded_at: datetime | None
    to: str = Field(description="Our fax number that answered (E.164).")
    from_: str = Field(alias="from", description="The caller's number (may be empty).")
    remote_csid: str
    department: ActivityDepartmentOut | None
    user: PersonOut | None
    pages: int
    partial: bool = Field(description="A potential partial.")
    duration_seconds: float
    delivery_status: str = Field(
        description="pending, delivering, delivered, undeliverable or failed."
    )
    delivery_label: str
    undeliverable: str
    completion_code: int
    retained: bool

    model_config = {"populate_by_name": True}


class OutboundActivityPage(Schema):
    items: list[OutboundActivityRow]
    count: int = Field(description=f"Matches, counted up to {COUNT_CAP}.")
    count_capped: bool = Field(description=f"There are more than {COUNT_CAP} matches.")


class InboundActivityPage(Schema):
    items: list[InboundActivityRow]
    count: int = Field(description=f"Matches, counted up to {COUNT_CAP}.")
    count_capped: bool = Field(description=f"There are more than {COUNT_CAP} matches.")


FROM = Query(
    None,
    alias="from",
    description=f"First day, YYYY-MM-DD, in your time zone (default: {DEFAULT_DAYS} days "
    f"before `to`; the range is at most {MAX_DAYS} days).",
)
TO = Query(None, description="Last day, YYYY-MM-DD, included (default: today).")


def _filter(definition: ListDefinition) -> Any:
    fields = ", ".join(f.name for f in definition.fields)
    return Query(
        [],
        description=f"Repeat for each filter row (all must hold): the field to search, one "
        f"of {fields}.",
    )


OUTBOUND_FILTER = _filter(OUTBOUND)
INBOUND_FILTER = _filter(INBOUND)
SEARCH = Query([], description="What to look for, one per `filter`, in the same order.")
MATCH = Query([], description="exact (default) or contains, one per `filter`.")
STATUS = Query(None, description="all (default), success, failed or in_progress.")
LIMIT = Query(DEFAULT_LIMIT, description=limit_description())
OFFSET = Query(0, description=f"Rows to skip (at most {COUNT_CAP}).")


def _page(
    request: HttpRequest, definition: ListDefinition, params: Params, limit: int, offset: int
) -> dict[str, Any]:
    check_window(limit=limit, offset=offset)
    check_offset(offset)
    _, rows = activity_search(actor=actor_of(request), definition=definition, params=params)
    count, capped = count_capped(rows)
    items = list(rows[offset : offset + limit])
    return {"items": rows_of(definition, items), "count": count, "count_capped": capped}


def _params(**values: str | list[str] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in values.items():
        if isinstance(value, list):
            out[name] = value
        elif value is not None:
            out[name] = [value]
    return out


@router.get(
    "/activity/outbound",
    response={200: OutboundActivityPage, **error_responses(403, 422)},
    summary="Outbound Activity",
    by_alias=True,
)
def outbound_activity_list(
    request: HttpRequest,
    date_from: str | None = FROM,
    to: str | None = TO,
    filter: list[str] = OUTBOUND_FILTER,
    search: list[str] = SEARCH,
    match: list[str] = MATCH,
    status: str | None = STATUS,
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """The outbound fax jobs of your scope (your own; an administrator's company or
    department subtree), newest first, accepted within the date range. Filter rows search
    department (with its sub-departments), sender (username or name), recipient fax number,
    job ID and sender fax number, `exact` (fax numbers in any spelling) or `contains`;
    `status` keeps success, failed (failed or cancelled) or in_progress jobs."""
    params = _params(
        **{"from": date_from}, to=to, filter=filter, search=search, match=match, status=status
    )
    return _page(request, OUTBOUND, params, limit, offset)


@router.get(
    "/activity/inbound",
    response={200: InboundActivityPage, **error_responses(403, 422)},
    summary="Inbound Activity",
    by_alias=True,
)
def inbound_activity_list(
    request: HttpRequest,
    date_from: str | None = FROM,
    to: str | None = TO,
    filter: list[str] = INBOUND_FILTER,
    search: list[str] = SEARCH,
    match: list[str] = MATCH,
    status: str | None = STATUS,
    partial: str | None = Query(
        None, description="yes (potential partials only), no, or empty (No Filter)."
    ),
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """The faxes received in your scope (on your numbers; an administrator's company or
    department subtree), newest first, received within the date range. Filter rows search
    our fax number, the caller, department (with its sub-departments) and user, `exact`
    (fax numbers in any spelling) or `contains`; `status` keeps success (pages delivered),
    failed (no page, or not delivered) or in_progress (delivery still to be made);
    `partial` the potential partials or the others."""
    params = _params(
        **{"from": date_from},
        to=to,
        filter=filter,
        search=search,
        match=match,
        status=status,
        partial=partial,
    )
    return _page(request, INBOUND, params, limit, offset)
