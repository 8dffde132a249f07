"""REST API of outbound faxes: send (202, one job per recipient), list, read with the
attempts, cancel, resend.

Rules as everywhere in ``/api/v1``: no credentials 401; a job outside the caller's scope is
404 (its identifier is not guessable, and not confirmed either); a read-only administrator
may read and is 403 on every change; bad input is 422 naming the field (``to``: "Invalid
Fax Number" or a blocked number; ``file``: "Invalid Attachment" / "No Attachment");
credits short is 409 ``insufficient_credits``. ``Idempotency-Key`` makes a retried POST
return the first answer and create nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from faxline.accounts.api_auth import actor_of
from faxline.accounts.schemas import Error, InputSchema
from faxline.core.errors import NotFound, ValidationFailed
from faxline.core.pagination import paginate
from faxline.faxing.images import fax_image_page_png
from faxline.faxing.jobs.previews import preview_load, preview_token
from faxline.faxing.jobs.selectors import job_events, job_get, jobs_list
from faxline.faxing.jobs.send import Attachment, CoverRequest, fax_preview, fax_send
from faxline.faxing.jobs.services import fax_cancel, fax_receipt, fax_resend
from faxline.faxing.models import FaxAttempt, FaxJob

router = Router(tags=["Faxes"])
MAX_FILE_BYTES = 50 * 1024 * 1024

Status_ = Literal["queued", "in_progress", "retrying", "success", "failed", "cancelled"]


def _errors(*codes: int) -> dict[int, type[Error]]:
    return dict.fromkeys((401, *codes), Error)


class JobAccepted(Schema):
    id: str = Field(description='The job identifier, e.g. "501-26438917".')
    to: str = Field(description="The recipient, E.164.")
    status: Status_


class JobsAccepted(Schema):
    jobs: list[JobAccepted]


class AttemptOut(Schema):
    number: int
    started_at: datetime
    ended_at: datetime | None
    outcome: str = Field(description="The guide's name (Sent, Busy...); empty while it runs.")
    cause: str
    retry: str = Field(description="now, later or never (empty while it runs).")
    connected: bool = Field(description="A fax machine answered and T.30 ran.")
    trunk: str = Field(description="The SIP trunk that carried the call (empty: the sandbox PSTN).")
    media: str = Field(description="audio (G.711) or t38; empty when nothing answered.")
    t38_fallback: bool = Field(
        description="The call went in G.711 because of a learned T.38 fallback or a refused "
        "switch to T.38."
    )
    completion_code: int | None = Field(description="T.30 completion code (0: OK).")
    completion_text: str
    remote_csi: str
    pages_sent: int
    duration_seconds: float
    progress: list[dict[str, Any]] = Field(description="Call progress: kind, at_seconds, detail.")
    statistics: dict[str, Any] = Field(
        description="T.30 statistics: bit rate, ECM, resolution, bad rows..."
    )


class JobEventOut(Schema):
    at: datetime
    kind: str = Field(
        description="accepted, dialing, sent, retry_scheduled, gave_up, cancelled, kill_time, "
        "interrupted; the Archive tab's copies: archived, archive_retrying, archive_failed, "
        "archive_retried."
    )
    label: str = Field(description='What happened, in words ("Archived").')
    from_status: str
    to_status: str
    note: str = Field(description="The attempt, outcome, or the archive copy's destination.")


class FaxOut(Schema):
    id: str
    to: str
    from_: str = Field(alias="from")
    status: Status_
    error: str = Field(description='The guide\'s name of the failure ("Busy"); empty if none.')
    error_code: int | None = Field(description="The raw T.30 completion code of the failure.")
    will_retry: bool
    pages: int
    cover: bool
    header: bool
    send_at: datetime
    kill_at: datetime
    next_attempt_at: datetime | None
    dials: int
    tries: int
    created_at: datetime
    completed_at: datetime | None
    resent_from: str | None
    attempts: list[AttemptOut]
    events: list[JobEventOut]


class PreviewOut(Schema):
    preview_id: str = Field(
        description="Pass it to POST /faxes as preview_id to send exactly these pages "
        "(valid 24 hours, for the caller only)."
    )
    image: str = Field(description="SHA-256 of the (first recipient's) fax image.")
    pages: int
    cover: bool = Field(description="The pages start with a cover page.")
    page_urls: list[str] = Field(description="Each page as a PNG, in order.")


class FaxSummary(Schema):
    id: str
    to: str
    status: Status_
    error: str
    will_retry: bool
    pages: int
    created_at: datetime
    completed_at: datetime | None


class FaxPage(Schema):
    items: list[FaxSummary]
    count: int


class ResendIn(InputSchema):
    to: str | None = Field(default=None, description="Another number (default: the same).")


def _accepted(jobs: list[FaxJob]) -> JobsAccepted:
    return JobsAccepted.model_validate(
        {"jobs": [{"id": j.identifier, "to": j.to_number, "status": j.status} for j in jobs]}
    )


def _attempt(a: FaxAttempt) -> AttemptOut:
    return AttemptOut.model_validate(a, from_attributes=True)


def _fax(job: FaxJob) -> dict[str, Any]:
    return {
        "id": job.identifier,
        "to": job.to_number,
        "from": job.from_number,
        "status": job.status,
        "error": job.error,
        "error_code": job.error_code,
        "will_retry": job.will_retry,
        "pages": job.pages,
        "cover": job.cover,
        "header": job.header,
        "send_at": job.send_at,
        "kill_at": job.kill_at,
        "next_attempt_at": job.next_attempt_at,
        "dials": job.dials,
        "tries": job.tries,
        "created_at": job.created_at,
        "completed_at": job.completed_at,
        "resent_from": job.resent_from.identifier if job.resent_from else None,
        "attempts": [_attempt(a) for a in job.attempts.all()],
        "events": [JobEventOut.model_validate(e, from_attributes=True) for e in job_events(job)],
    }


def _attachments(file: list[UploadedFile] | None) -> list[Attachment]:
    files = []
    for upload in file or []:
        data = upload.read(MAX_FILE_BYTES + 1)
        files.append(Attachment(data, upload.name or ""))
    return files


@router.post(
    "/faxes/preview",
    response={200: PreviewOut, **_errors(403, 422)},
    summary="Preview a fax's pages",
)
def fax_preview_view(
    request: HttpRequest,
    to: Form[list[str]],
    file: File[list[UploadedFile] | None] = None,
    cover: Form[bool | None] = None,
    cover_to: Form[str] = "",
    cover_to_company: Form[str] = "",
    cover_subject: Form[str] = "",
    cover_comments: Form[str] = "",
    send_at: Form[datetime | None] = None,
    resolution: Form[Literal["fine", "standard"]] = "fine",
) -> Any:
    """Convert the files (and the cover page the sender's Coverpage mode adds: it names
    each recipient of ``to``, so ``to`` is needed) as ``POST /faxes`` would, with the same
    checks and refusals, and answer the page count and a URL per page (PNG). Nothing is
    sent and nothing is charged; send exactly these pages with ``POST /faxes`` and
    ``preview_id`` (the same ``to``) instead of files."""
    actor = actor_of(request)
    prepared = fax_preview(
        actor=actor,
        to=to,
        files=_attachments(file),
        cover=CoverRequest(cover, cover_to, cover_to_company, cover_subject, cover_comments),
        send_at=send_at,
        resolution=resolution,
    )
    token = preview_token(actor, prepared)
    first = prepared.first()
    return {
        "preview_id": token,
        "image": first.sha256,
        "pages": first.pages,
        "cover": prepared.cover,
        "page_urls": [
            f"/api/v1/faxes/preview/{token}/pages/{n}.png" for n in range(1, first.pages + 1)
        ],
    }


@router.get(
    "/faxes/preview/{preview_id}/pages/{page}.png",
    response={200: None, **_errors(404)},
    summary="A page of a previewed fax",
    openapi_extra={
        "responses": {
            200: {
                "description": "The page as a PNG.",
                "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def fax_preview_page(request: HttpRequest, preview_id: str, page: int) -> HttpResponse:
    """Page ``page`` (from 1) of a preview, to the caller who prepared it only (anyone
    else, an expired preview or a page it does not have: 404)."""
    image = preview_load(actor_of(request), preview_id).first()
    response = HttpResponse(fax_image_page_png(image, page), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/faxes",
    response={202: JobsAccepted, **_errors(403, 409, 422)},
    summary="Send a fax",
)
def fax_create(
    request: HttpRequest,
    to: Form[list[str]],
    file: File[list[UploadedFile] | None] = None,
    cover: Form[bool | None] = None,
    cover_to: Form[str] = "",
    cover_to_company: Form[str] = "",
    cover_subject: Form[str] = "",
    cover_comments: Form[str] = "",
    send_at: Form[datetime | None] = None,
    header: Form[bool | None] = None,
    resolution: Form[Literal["fine", "standard"]] = "fine",
    preview_id: Form[str | None] = None,
) -> Any:
    """Fax the files (repeat ``file``; PDF, TIFF, text, RTF, Office documents, images) to
    every number of ``to`` (repeat it): one job per recipient, answered at once with 202
    and the jobs' identifiers; follow each with ``GET /faxes/{id}``.

    ``cover`` asks for a cover page (whether one is added follows the sender's Coverpage
    mode: Automatic always, On Demand when asked, No Coverpages never); ``cover_*`` fill
    it. ``send_at`` schedules the fax (at most 30 days ahead); ``header`` (default true)
    stamps the company's header line on every page when the company has it on.

    ``preview_id`` (from ``POST /faxes/preview``, with the same ``to``) sends the previewed
    pages as they are, instead of ``file`` and the cover fields (giving files too is 422);
    an unknown or expired one is 422 naming ``preview_id``."""
    actor = actor_of(request)
    prepared = None
    if preview_id is not None:
        if file:
            raise ValidationFailed(
                "Give either files or a preview_id, not both.", field="preview_id"
            )
        try:
            prepared = preview_load(actor, preview_id)
        except NotFound as exc:
            raise ValidationFailed(exc.message, code="preview_gone", field="preview_id") from exc
    jobs = fax_send(
        actor=actor,
        to=to,
        files=_attachments(file),
        cover=CoverRequest(cover, cover_to, cover_to_company, cover_subject, cover_comments),
        send_at=send_at,
        header=header,
        resolution=resolution,
        prepared=prepared,
    )
    return Status(202, _accepted(jobs))


@router.get("/faxes", response={200: FaxPage, **_errors(422)}, summary="Sent faxes")
def fax_list(
    request: HttpRequest,
    status: Query[Status_ | None] = None,
    to: Query[str | None] = None,
    since: Query[datetime | None] = None,
    until: Query[datetime | None] = None,
    limit: int = 50,
    offset: int = 0,
) -> Any:
    """The caller's faxes (an administrator: the company's), newest first; filter by
    ``status``, recipient ``to`` and acceptance time (``since`` ≤ t < ``until``)."""
    jobs = jobs_list(actor=actor_of(request), status=status, to=to, since=since, until=until)
    items, count = paginate(jobs, limit=limit, offset=offset)
    return {
        "items": [
            {
                "id": j.identifier,
                "to": j.to_number,
                "status": j.status,
                "error": j.error,
                "will_retry": j.will_retry,
                "pages": j.pages,
                "created_at": j.created_at,
                "completed_at": j.completed_at,
            }
            for j in items
        ],
        "count": count,
    }


@router.get(
    "/faxes/{id}", response={200: FaxOut, **_errors(404)}, summary="A fax job", by_alias=True
)
def fax_detail(request: HttpRequest, id: str) -> Any:
    """A job's status, error (the guide's name and the raw code), pages and every attempt
    with its call progress and T.30 statistics."""
    return _fax(job_get(actor=actor_of(request), identifier=id))


@router.post(
    "/faxes/{id}/cancel",
    response={200: FaxOut, **_errors(403, 404, 409)},
    summary="Cancel a fax",
    by_alias=True,
)
def fax_cancel_view(request: HttpRequest, id: str) -> Any:
    """Cancel a fax that waits (queued, or retrying); a call in progress or a finished job
    is 409 ``invalid_transition``. The credits are given back."""
    actor = actor_of(request)
    job = fax_cancel(actor=actor, job=job_get(actor=actor, identifier=id))
    return _fax(job)


@router.post(
    "/faxes/{id}/resend",
    response={202: JobsAccepted, **_errors(403, 404, 409, 422)},
    summary="Resend a fax",
)
def fax_resend_view(request: HttpRequest, id: str, payload: ResendIn) -> Any:
    """Send the same pages again, to the same number (``{}``) or to ``to``: a new job with
    a new identifier ("Your new fax job identifier is ...")."""
    actor = actor_of(request)
    job = job_get(actor=actor, identifier=id)
    again = fax_resend(actor=actor, job=job, to=payload.to)
    return Status(202, _accepted([again]))


@router.get(
    "/faxes/{id}/receipt",
    response={200: None, **_errors(404, 409)},
    summary="The delivery receipt of a sent fax",
    openapi_extra={
        "responses": {
            200: {
                "description": "The sealed receipt (PDF).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def fax_receipt_view(request: HttpRequest, id: str) -> HttpResponse:
    """A one-page PDF sealed with the platform's key: the remote CSI, the T.30 result,
    pages, times, the first page as sent and the SHA-256 of the image transmitted. 409
    ``not_sent`` until the fax has been sent."""
    job = job_get(actor=actor_of(request), identifier=id)
    response = HttpResponse(fax_receipt(job=job), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="fax-receipt-{job.identifier}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
