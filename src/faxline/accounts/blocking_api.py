"""REST API of the company's Outbound Number Blocking list (the Fax tab's Add, Remove,
Lookup Number, Display All, Export). Same rules as ``accounts.api``: another company's list
is 404, a department administrator or a missing right 403, a read-only administrator 403
on changes, bad input 422 naming the field; the list is paginated. A number in a path or a
query may be spelled any way (``+17329200193``, ``17329200193``, ``(732) 920-0193``).

A duplicate Add is **422** ``number_already_blocked`` on ``number``, as every "already
exists" refusal of the API is (usernames, department names): the request is wrong, the
list's state does not change (docs/decisions/0025-outbound-number-blocking.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from faxline.accounts import selectors
from faxline.accounts.access import may_see_blocked_numbers
from faxline.accounts.api_auth import actor_of
from faxline.accounts.models import BlockedNumber
from faxline.accounts.schemas import Error, InputSchema
from faxline.accounts.services import blocking as blocking_services
from faxline.accounts.validation import fax_number_e164
from faxline.core.csvfile import csv_lines
from faxline.core.pagination import paginate

router = Router()
TAGS = ["Settings"]
LIMIT = Query(50, description="Page size (1 to 500).")
OFFSET = Query(0, description="Items to skip.")
EXPORT_HEADER = ("Blocked Fax Number", "Added By", "Added At")


def _errors(*codes: int) -> dict[int, type[Error]]:
    return dict.fromkeys((401, *codes), Error)


class BlockedNumberOut(Schema):
    """A number the company's users may not send faxes to."""

    number: str = Field(description="E.164, e.g. `+17329200193`.")
    added_by: str | None = Field(description="Username of who added it (null: deleted since).")
    added_at: datetime


class BlockedNumberPage(Schema):
    items: list[BlockedNumberOut]
    count: int


class BlockedNumberIn(InputSchema):
    number: str = Field(
        description="A fax number in any common spelling; North American numbers may have "
        "10 or 11 digits, others need `+` and the country code."
    )


class BlockedNumberCheck(Schema):
    """Whether the company's users may send to a number."""

    number: str = Field(description="The number asked about, as E.164.")
    blocked: bool
    entry: BlockedNumberOut | None = Field(description="The list's entry, when blocked.")


def _out(entry: BlockedNumber) -> dict[str, Any]:
    return {
        "number": entry.number,
        "added_by": entry.added_by.username if entry.added_by else None,
        "added_at": entry.added_at,
    }


def _company(request: HttpRequest, company_id: int) -> Any:
    return selectors.company_get(actor=actor_of(request), company_id=company_id)


@router.get(
    "/companies/{company_id}/blocked-numbers",
    response={200: BlockedNumberPage, **_errors(403, 404, 422)},
    tags=TAGS,
    summary="Outbound Number Blocking list",
)
def blocked_numbers(
    request: HttpRequest,
    company_id: int,
    q: str = Query(
        "",
        description="Lookup Number: a whole number in any spelling, or digits to look for "
        "anywhere in the numbers.",
    ),
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """The numbers the company's users may not send faxes to, by number (company-level
    administrators, read-only ones included)."""
    actor = actor_of(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    rows = selectors.blocked_number_list(actor=actor, company=company, q=q)
    items, count = paginate(rows, limit=limit, offset=offset)
    return {"items": [_out(e) for e in items], "count": count}


@router.post(
    "/companies/{company_id}/blocked-numbers",
    response={201: BlockedNumberOut, **_errors(403, 404, 422)},
    tags=TAGS,
    summary="Block a number",
)
def blocked_number_add(request: HttpRequest, company_id: int, payload: BlockedNumberIn) -> Any:
    """Block a number for the company's outbound users, at once (company-level
    administrators with the Outbound number blocking right). 422 on `number`:
    `invalid_fax_number`, or `number_already_blocked` when it is on the list already."""
    actor = actor_of(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    entry = blocking_services.blocked_number_add(
        actor=actor, company=company, number=payload.number
    )
    return Status(201, _out(entry))


@router.get(
    "/companies/{company_id}/blocked-numbers/check",
    response={200: BlockedNumberCheck, **_errors(403, 404, 422)},
    tags=TAGS,
    summary="Is a number blocked?",
)
def blocked_number_check(
    request: HttpRequest,
    company_id: int,
    number: str = Query(..., description="A fax number in any spelling."),
) -> Any:
    """Whether the company's users may send to `number` (the same lookup the fax engine
    makes when it accepts a fax). 422 on `number` when it is not a fax number."""
    actor = actor_of(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    may_see_blocked_numbers(actor, company).check()
    e164 = fax_number_e164(number, field="number")
    entry = selectors.blocked_number_match(company, e164)
    return {"number": e164, "blocked": entry is not None, "entry": _out(entry) if entry else None}


@router.get(
    "/companies/{company_id}/blocked-numbers/export.csv",
    response={200: None, **_errors(403, 404)},
    tags=TAGS,
    summary="Export the blocked numbers",
    openapi_extra={"responses": {200: {"description": "CSV (UTF-8)", "content": {"text/csv": {}}}}},
)
def blocked_numbers_export(request: HttpRequest, company_id: int) -> StreamingHttpResponse:
    """Every blocked number as a CSV file (`Blocked Fax Number,Added By,Added At`), the
    portal's Export. Values a spreadsheet could run as a formula are neutralised."""
    actor = actor_of(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    rows = selectors.blocked_number_export_rows(actor=actor, company=company)
    return export_response(company.pk, rows)


def export_response(company_id: int, rows: Any) -> StreamingHttpResponse:
    """The Export download (the portal's too): streamed, neutralised by ``core.csvfile``."""
    response = StreamingHttpResponse(
        csv_lines(EXPORT_HEADER, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="blocked-numbers-{company_id}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.delete(
    "/companies/{company_id}/blocked-numbers/{number}",
    response={204: None, **_errors(403, 404, 422)},
    tags=TAGS,
    summary="Unblock a number",
)
def blocked_number_remove(request: HttpRequest, company_id: int, number: str) -> Any:
    """Remove a number from the list: the company's users may send to it again at once.
    404 on `number` when it is not on the list; 422 when it is not a fax number."""
    actor = actor_of(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    entry = selectors.blocked_number_get(actor=actor, company=company, number=number)
    blocking_services.blocked_number_remove(actor=actor, entry=entry)
    return Status(204, None)
