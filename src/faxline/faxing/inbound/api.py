"""REST API of received faxes: list, one with its message events, download, delete,
resubmit.

Scope: a fax user sees the faxes received on their numbers; administrators with "View
inbound activity" their scope; operators all. A fax outside the caller's scope is 404; a
read-only administrator is 403 on changes; bad input 422 naming the field; 401 without
credentials.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from faxline.accounts.api_auth import actor_of
from faxline.accounts.schemas import Error, InputSchema
from faxline.accounts.selectors import company_get
from faxline.core.pagination import paginate
from faxline.documents.received import OFFERED
from faxline.faxing.inbound import bulk, selectors, services
from faxline.faxing.inbound.models import EventKind, EventStatus, InboundEvent, InboundFax

router = Router(tags=["Inbound faxes"])
LIMIT = Query(50, description="Page size (1 to 500).")
OFFSET = Query(0, description="Items to skip.")


def _errors(*codes: int) -> dict[int, type[Error]]:
    return dict.fromkeys((401, *codes), Error)


class InboundOut(Schema):
    """A fax received on one of our numbers."""

    id: int
    from_: str = Field(alias="from", description="The calling number (E.164; may be empty).")
    to: str = Field(description="Our number that answered (E.164).")
    pages: int
    received_at: datetime
    partial: bool = Field(
        description="A potential partial: the call ended without proper termination."
    )

    model_config = {"populate_by_name": True}


class InboundPage(Schema):
    items: list[InboundOut]
    count: int


class MessageEventOut(Schema):
    """One line of the fax's Message Events."""

    at: datetime
    event: str = Field(description="Message received, Message forwarded, Message retrieved...")
    receiving_address: str
    status: str = Field(description="Success, Pending or Failed.")
    detail: str


class InboundDetailOut(InboundOut):
    remote_csid: str = Field(description="The CSID the sending machine gave.")
    completion_code: int = Field(description="T.30 completion code (0: proper end).")
    completion_text: str
    delivery_status: str = Field(
        description="pending, delivering, delivered, undeliverable or failed."
    )
    undeliverable: str = Field(description="Why nobody received it (empty when delivered).")
    retained: bool = Field(description="False once the content is deleted.")
    sha256: str = Field(description="SHA-256 of the received image (TIFF).")
    events: list[MessageEventOut]


def _out(fax: InboundFax) -> dict[str, Any]:
    return {
        "id": fax.pk,
        "from": fax.from_number,
        "to": fax.to_number,
        "pages": fax.pages,
        "received_at": fax.received_at,
        "partial": fax.partial,
    }


def _event_status(event: InboundEvent) -> str:
    """A forwarded event follows its email in the notification log."""
    if event.kind != EventKind.FORWARDED or event.notification is None:
        return str(event.status)
    status = event.notification.status
    if status in ("sent", "logged"):
        return str(EventStatus.SUCCESS)
    if status == "failed":
        return str(EventStatus.FAILED)
    return str(EventStatus.PENDING)


def detail(fax: InboundFax) -> dict[str, Any]:
    events = fax.events.select_related("notification").order_by("at", "pk")
    return {
        **_out(fax),
        "remote_csid": fax.remote_csid,
        "completion_code": fax.completion_code,
        "completion_text": fax.completion_text,
        "delivery_status": fax.delivery_status,
        "undeliverable": fax.undeliverable,
        "retained": fax.retained,
        "sha256": fax.sha256,
        "events": [
            {
                "at": e.at,
                "event": EventKind(e.kind).label,
                "receiving_address": e.receiving_address,
                "status": _event_status(e),
                "detail": e.detail,
            }
            for e in events
        ],
    }


@router.get(
    "/inbound",
    response={200: InboundPage, **_errors(422)},
    summary="Received faxes",
    by_alias=True,
)
def inbound_list(
    request: HttpRequest,
    undeliverable: bool = Query(
        False, description="Only the faxes nobody received (no route, locked user...)."
    ),
    include_deleted: bool = Query(False, description="Also those whose content is deleted."),
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """Newest first; the faxes received on the caller's numbers, or in their scope."""
    qs = selectors.inbound_fax_list(actor=actor_of(request), undeliverable=undeliverable)
    if not include_deleted:
        qs = qs.exclude(vault_name="")
    items, count = paginate(qs, limit=limit, offset=offset)
    return {"items": [_out(f) for f in items], "count": count}


class BulkResubmitIn(InputSchema):
    fax_ids: list[Annotated[int, Field(ge=1, le=bulk.MAX_ID)]] = Field(
        description=f"The received faxes to resubmit (at most {bulk.MAX_FAXES}); ids you "
        "cannot see are ignored."
    )


class BulkResubmitItemOut(Schema):
    """One fax of a Bulk Resubmit and what became of it."""

    fax_id: int
    status: str = Field(description="waiting, resubmitted or refused.")
    reason: str = Field(description="Why it was refused (empty otherwise).")


class BulkResubmitOut(Schema):
    """A Bulk Resubmit and its progress: poll it until ``status`` is ``done``."""

    id: int
    status: str = Field(description="queued, running or done.")
    total: int
    processed: int
    resubmitted: int
    refused: int
    created_at: datetime
    finished_at: datetime | None
    items: list[BulkResubmitItemOut]


def bulk_out(job: Any) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "total": job.total,
        "processed": job.processed,
        "resubmitted": job.resubmitted_count,
        "refused": job.refused_count,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "items": [
            {"fax_id": i.fax_id, "status": i.status, "reason": i.reason}
            for i in bulk.bulk_resubmit_items(job)
        ],
    }


@router.post(
    "/inbound/resubmit",
    response={202: BulkResubmitOut, **_errors(403, 422)},
    summary="Bulk Resubmit received faxes",
)
def inbound_bulk_resubmit(request: HttpRequest, payload: BulkResubmitIn) -> Any:
    """Deliver many received faxes again to their numbers' currently configured
    destinations, in the background: answered at once with 202 and the job; follow it
    with ``GET /inbound/resubmit/{id}``. Each fax is resubmitted or refused with its
    reason (content deleted, a delivery running...). 422 naming ``fax_ids`` when none is
    given, more than 1000, or none you can see."""
    job = bulk.bulk_resubmit_start(actor=actor_of(request), fax_ids=payload.fax_ids)
    return Status(202, bulk_out(job))


@router.get(
    "/inbound/resubmit/{job_id}",
    response={200: BulkResubmitOut, **_errors(404)},
    summary="The progress of a Bulk Resubmit",
)
def inbound_bulk_resubmit_get(request: HttpRequest, job_id: int) -> Any:
    """Its counters and every fax's outcome so far (your own Bulk Resubmits only)."""
    return bulk_out(bulk.bulk_resubmit_get(actor=actor_of(request), job_id=job_id))


@router.get(
    "/inbound/{fax_id}",
    response={200: InboundDetailOut, **_errors(404)},
    summary="A received fax with its message events",
    by_alias=True,
)
def inbound_get(request: HttpRequest, fax_id: int) -> Any:
    return detail(selectors.inbound_fax_get(actor=actor_of(request), fax_id=fax_id))


@router.get(
    "/inbound/{fax_id}/download",
    response={200: None, **_errors(404, 422)},
    summary="Download a received fax",
    openapi_extra={
        "responses": {
            200: {
                "description": "The fax as the recipient's file type (or `format`).",
                "content": {
                    "application/pdf": {},
                    "image/tiff": {},
                    "application/vnd.ms-xpsdocument": {},
                },
            }
        }
    },
)
def inbound_download(
    request: HttpRequest,
    fax_id: int,
    format: str = Query(
        "",
        description="pdf, tif, tif-hires, tif-fax or xps (default: the recipient's file "
        "type from their Fax settings).",
        pattern="^(|" + "|".join(sorted(OFFERED)) + ")$",
    ),
) -> HttpResponse:
    actor = actor_of(request)
    fax = selectors.inbound_fax_get(actor=actor, fax_id=fax_id)
    file = services.inbound_fax_file(actor=actor, fax=fax, file_type=format or None)
    response = HttpResponse(file.data, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.delete(
    "/inbound/{fax_id}",
    response={204: None, **_errors(403, 404, 409)},
    summary="Delete a received fax's content",
)
def inbound_delete(request: HttpRequest, fax_id: int) -> Any:
    """The content (image and delivered files) is deleted; the fax's events stay and say
    so ("Message deleted")."""
    actor = actor_of(request)
    fax = selectors.inbound_fax_get(actor=actor, fax_id=fax_id)
    services.inbound_fax_delete(actor=actor, fax=fax)
    return Status(204, None)


@router.post(
    "/inbound/{fax_id}/resubmit",
    response={202: InboundDetailOut, **_errors(403, 404, 409)},
    summary="Resubmit a received fax",
    by_alias=True,
)
def inbound_resubmit(request: HttpRequest, fax_id: int) -> Any:
    """Deliver the fax again to its number's currently configured destinations, while its
    content is kept. 409 ``content_deleted`` once it is not; 409 ``delivery_in_progress``
    while a delivery runs."""
    actor = actor_of(request)
    fax = selectors.inbound_fax_get(actor=actor, fax_id=fax_id)
    fax = services.inbound_fax_resubmit(actor=actor, fax=fax)
    return Status(202, detail(fax))


class InboundSettingsOut(Schema):
    """How a company's received faxes are delivered and kept."""

    attach_files: bool = Field(
        description="Emails carry the fax attached (true, the default) or a secure portal "
        "link (false)."
    )
    retention_days: int = Field(
        description="Days the content of a received fax is kept; then it is deleted and its "
        "events say so (default 30)."
    )


class InboundSettingsIn(InputSchema):
    attach_files: bool | None = Field(default=None, description="Attach the fax to emails.")
    retention_days: int | None = Field(
        default=None, description="1 to 3650 days.", ge=1, le=services.MAX_RETENTION_DAYS
    )


def _settings_out(row: Any) -> dict[str, Any]:
    return {"attach_files": row.attach_files, "retention_days": row.retention_days}


@router.get(
    "/companies/{company_id}/inbound-settings",
    response={200: InboundSettingsOut, **_errors(404)},
    summary="A company's inbound delivery settings",
)
def inbound_settings(request: HttpRequest, company_id: int) -> Any:
    """Whether emails carry the fax or a link, and the retention period (the company's
    administrators, its channel partner, operators)."""
    company = company_get(actor=actor_of(request), company_id=company_id)
    return _settings_out(services.inbound_settings_get(company))


@router.put(
    "/companies/{company_id}/inbound-settings",
    response={200: InboundSettingsOut, **_errors(403, 404, 422)},
    summary="Change a company's inbound delivery settings",
)
def inbound_settings_update(
    request: HttpRequest, company_id: int, payload: InboundSettingsIn
) -> Any:
    """Company-level administrators with the Fax settings right, operators; fields left out
    keep their value. 422 on `retention_days` outside 1 to 3650."""
    actor = actor_of(request)
    company = company_get(actor=actor, company_id=company_id)
    row = services.inbound_settings_set(
        actor=actor,
        company=company,
        attach_files=payload.attach_files,
        retention_days=payload.retention_days,
    )
    return _settings_out(row)
