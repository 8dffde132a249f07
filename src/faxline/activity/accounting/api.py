"""REST API of Accounting: ``/api/v1/accounting``. Company-level administrators with "View
accounting" see their company's Call Detail Records; operators and channel partners pass
``company_id``. A department administrator or a fax user is refused with 403
(``accounting_company_admins_only``); another company is 404; a bad month 422 on
``month``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from faxline.accounts.access import Actor
from faxline.accounts.api_auth import actor_of
from faxline.accounts.models import Company
from faxline.accounts.schemas import error_responses
from faxline.activity.accounting import selectors, services
from faxline.activity.accounting.models import CdrFile, CdrGeneration
from faxline.activity.accounting.periods import parse_month
from faxline.activity.accounting.streaming import csv_download
from faxline.core.errors import ValidationFailed
from faxline.core.pagination import limit_description, paginate

router = Router(tags=["Accounting"])
COMPANY = Query(
    None,
    description="The company (operators and channel partners; administrators: their own).",
)
CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "The CSV file (UTF-8, CRLF lines, a header row; see docs/cdr.md).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


class CdrFileOut(Schema):
    id: int
    company_id: int
    kind: str = Field(description="`month` (made after the month ended) or `day`.")
    period: str = Field(description="`YYYY-MM` for a month file, `YYYY-MM-DD` for a day.")
    rows: int = Field(description="Records in the file (the header not counted).")
    size: int = Field(description="Bytes of the CSV file.")
    sha256: str
    created_at: datetime
    download: str = Field(description="Where to download the CSV.")


class CdrFilePage(Schema):
    items: list[CdrFileOut]
    count: int


class CdrGenerationOut(Schema):
    company_id: int
    month: str
    status: str = Field(description="`queued`, `running`, `done` or `failed`.")
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    days_done: int
    files_made: int
    error: str


def file_out(cdr: CdrFile) -> dict[str, Any]:
    return {
        "id": cdr.pk,
        "company_id": cdr.company_id,
        "kind": cdr.kind,
        "period": cdr.period,
        "rows": cdr.rows,
        "size": cdr.size,
        "sha256": cdr.sha256,
        "created_at": cdr.created_at,
        "download": f"/api/v1/accounting/cdr/files/{cdr.pk}",
    }


def generation_out(generation: CdrGeneration) -> dict[str, Any]:
    return {
        "company_id": generation.company_id,
        "month": generation.month,
        "status": generation.status,
        "requested_at": generation.requested_at,
        "started_at": generation.started_at,
        "finished_at": generation.finished_at,
        "days_done": generation.days_done,
        "files_made": generation.files_made,
        "error": generation.error,
    }


def _company(actor: Actor, company_id: int | None) -> Company:
    if company_id is None and actor.spans_companies:
        raise ValidationFailed("company_id: choose the company.", field="company_id")
    company = selectors.accounting_company(actor=actor, company_id=company_id)
    if company is None:
        raise ValidationFailed("company_id: choose a company.", field="company_id")
    return company


@router.get(
    "/accounting/cdr",
    response={200: None, **error_responses(403, 404, 422)},
    summary="A month's Call Detail Records (CSV)",
    openapi_extra=CSV_RESPONSE,
)
def cdr_month(
    request: HttpRequest,
    month: str = Query(..., description="The month, `YYYY-MM` (UTC): this one or the six before."),
    company_id: int | None = COMPANY,
) -> StreamingHttpResponse:
    """The month's records as a CSV attachment, streamed as it is made: the stored month
    file once the month has ended and its file is made, otherwise (the current month so
    far, or a month whose file is not made yet) made from the records while it is sent.
    422 on `month` when it is not `YYYY-MM`, in the future or older than six months."""
    actor = actor_of(request)
    company = _company(actor, company_id)
    now = timezone.now()
    chosen = parse_month(month, now=now)
    content = selectors.cdr_month_content(actor=actor, company=company, month=chosen, now=now)
    return csv_download(request, content, f"cdr-{company.pk}-{chosen}.csv")


@router.get(
    "/accounting/cdr/files",
    response={200: CdrFilePage, **error_responses(403, 404, 422)},
    summary="The Call Detail Record files",
)
def cdr_files(
    request: HttpRequest,
    company_id: int | None = COMPANY,
    limit: int = Query(50, description=limit_description()),
    offset: int = Query(0, description="Items to skip."),
) -> Any:
    """The company's files, newest first: one per month with activity (made after the
    month ended) and, for the current month, one per day when generated."""
    actor = actor_of(request)
    company = _company(actor, company_id)
    items, count = paginate(
        selectors.cdr_file_list(actor=actor, company=company), limit=limit, offset=offset
    )
    return {"items": [file_out(f) for f in items], "count": count}


@router.get(
    "/accounting/cdr/files/{file_id}",
    response={200: None, **error_responses(403, 404)},
    summary="Download a Call Detail Record file (CSV)",
    openapi_extra=CSV_RESPONSE,
)
def cdr_file_download(request: HttpRequest, file_id: int) -> StreamingHttpResponse:
    """The stored file, streamed from the vault."""
    cdr = selectors.cdr_file_get(actor=actor_of(request), file_id=file_id)
    return csv_download(request, selectors.cdr_file_content(cdr), cdr.filename)


@router.get(
    "/accounting/cdr/generation",
    response={200: CdrGenerationOut | None, **error_responses(403, 404, 422)},
    summary="The current month's generation",
)
def cdr_generation(request: HttpRequest, company_id: int | None = COMPANY) -> Any:
    """How far "Generate current month" got (null: not asked this month)."""
    actor = actor_of(request)
    company = _company(actor, company_id)
    generation = selectors.cdr_generation_of(company=company, now=timezone.now())
    return generation_out(generation) if generation is not None else None


@router.post(
    "/accounting/cdr/generation",
    response={200: CdrGenerationOut, **error_responses(403, 404, 422)},
    summary="Generate current month",
)
def cdr_generation_start(request: HttpRequest, company_id: int | None = COMPANY) -> Any:
    """Make one file for each day of the current month so far, in the background (poll
    `GET /accounting/cdr/generation`). Asking while it runs returns it as it is."""
    actor = actor_of(request)
    company = _company(actor, company_id)
    return generation_out(services.cdr_generation_request(actor=actor, company=company))
