"""Portal pages of outbound faxes (``/faxes/send/`` and ``/faxes/sent/``): the Send Fax
form, the Sent list and one job with its attempts, Cancel, Resend and the delivery receipt.

Every write goes through the same services as the API (:func:`fax_send`, :func:`fax_cancel`,
:func:`fax_resend`); reads through the selectors (outside the actor's scope a job is 404).
The form's own checks are only about its shape; the services' refusals are shown next to
the field they name (``to``, ``file``, ``send_at``), or above the form.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faxline.accounts.access import Actor, request_actor
from faxline.accounts.choices import Role
from faxline.accounts.preferences import time_zones
from faxline.accounts.selectors import effective_settings
from faxline.core.access import Decision
from faxline.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from faxline.faxing.access import may_change_fax_job, may_send_fax, may_view_fax_job_content
from faxline.faxing.archive.selectors import archive_retry_offered
from faxline.faxing.images import fax_image_page_png
from faxline.faxing.jobs.notifications import failure_of
from faxline.faxing.jobs.selectors import (
    error_meaning,
    job_attempts,
    job_document,
    job_events,
    job_get,
    job_resends,
    jobs_list,
)
from faxline.faxing.jobs.send import (
    Attachment,
    CoverRequest,
    PreparedFax,
    fax_preview,
    fax_send,
    sender_numbers,
)
from faxline.faxing.jobs.services import fax_cancel, fax_receipt, fax_resend
from faxline.faxing.models import FaxImageFile, FaxJob, FaxJobSource, FaxJobStatus
from faxline.portal.toolkit import apply_domain_error, form_status, paginate_table, portal_view

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_FILES = 10
PAGE_SIZE = 25
WAITING = (FaxJobStatus.QUEUED, FaxJobStatus.RETRYING)


def may_open_send_fax(actor: Actor) -> Decision:
    """The Send Fax page: whoever :func:`may_send_fax` allows (a fax user, or an
    administrator with a fax number of their own). The numbers are looked up only for someone
    the other rules allow: the menu asks on every page, and operators, partners and read-only
    administrators need no query to be refused."""
    without_numbers = may_send_fax(actor, has_number=True)
    if not without_numbers.allowed:
        return without_numbers
    return may_send_fax(actor, has_number=bool(sender_numbers(actor.user.pk)))


def may_see_sent(actor: Actor) -> Decision:
    """The Sent list: fax users (their own jobs), administrators, partners and operators
    (their scope, as the API's ``GET /faxes``)."""
    if actor.user.role in (Role.FAX_USER, Role.ADMINISTRATOR) or actor.is_operator:
        return Decision.allow()
    if actor.is_partner:
        return Decision.allow()
    return Decision.refuse(Forbidden("You cannot see sent faxes.", code="missing_right"))


def _zone(actor: Actor) -> str:
    zone = getattr(actor.user, "time_zone", "") or "UTC"
    return zone if zone in time_zones() else "UTC"


class SeveralFilesInput(forms.FileInput):
    allow_multiple_selected = True


class SendFaxForm(forms.Form):
    to = forms.CharField(
        label="Fax numbers",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control", "autocomplete": "off"}),
        help_text="One or several, one per line or separated by commas (e.g. +1 212 555 0100).",
    )
    file = forms.Field(
        label="Files",
        required=False,
        widget=SeveralFilesInput(attrs={"class": "form-control", "multiple": True}),
        help_text="PDF, TIFF, text, RTF, Office documents or images; several are sent in order.",
    )
    cover = forms.BooleanField(
        label="Add a cover page",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    cover_to = forms.CharField(
        label="Recipient name",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    cover_to_company = forms.CharField(
        label="Recipient company",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    cover_subject = forms.CharField(
        label="Subject",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    cover_comments = forms.CharField(
        label="Comments",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
    send_at = forms.DateTimeField(
        label="Send at",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}),
        help_text="Leave empty to send now.",
    )

    def __init__(self, *args: object, cover_mode: str, zone: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.cover_mode = cover_mode
        self.zone = zone
        self.fields["send_at"].help_text = f"Leave empty to send now. Time zone: {zone}."
        if cover_mode != "on_demand":
            del self.fields["cover"]
        if cover_mode == "none":
            for name in ("cover_to", "cover_to_company", "cover_subject", "cover_comments"):
                del self.fields[name]

    def clean_file(self) -> None:
        return None  # the uploads are read from request.FILES (several)

    def recipients(self) -> list[str]:
        return [p.strip() for p in re.split(r"[,;\n]+", self.cleaned_data["to"]) if p.strip()]

    def send_time(self) -> datetime | None:
        value = self.cleaned_data.get("send_at")
        if value is None:
            return None
        return value.replace(tzinfo=ZoneInfo(self.zone))

    def cover_request(self) -> CoverRequest:
        data = self.cleaned_data
        return CoverRequest(
            requested=data.get("cover") if "cover" in self.fields else None,
            to_name=data.get("cover_to", ""),
            to_company=data.get("cover_to_company", ""),
            subject=data.get("cover_subject", ""),
            comments=data.get("cover_comments", ""),
        )


PREVIEW_KEY = "faxline_send_preview"


def _remember_preview(request: HttpRequest, prepared: PreparedFax) -> dict[str, object]:
    """Keep a preview in the sender's session (so only they see its pages and can send
    it): the stored images by SHA-256, never the bytes."""
    first = prepared.first()
    preview: dict[str, object] = {
        "id": secrets.token_urlsafe(12),
        "images": [[number, image.sha256] for number, image in prepared.images.items()],
        "cover": prepared.cover,
        "pages": first.pages,
    }
    request.session[PREVIEW_KEY] = preview
    return preview


def _session_preview(request: HttpRequest, preview_id: str) -> dict[str, object]:
    preview = request.session.get(PREVIEW_KEY)
    if not preview_id or not isinstance(preview, dict) or preview.get("id") != preview_id:
        raise NotFound("This preview is not yours or has expired.", field="preview")
    return preview


def _prepared_of(preview: dict[str, object]) -> PreparedFax:
    pairs = preview["images"]
    assert isinstance(pairs, list)
    rows = {r.sha256: r for r in FaxImageFile.objects.filter(sha256__in=[p[1] for p in pairs])}
    if len(rows) != len({p[1] for p in pairs}):
        raise NotFound("This preview has expired: preview the fax again.", field="preview")
    return PreparedFax({p[0]: rows[p[1]] for p in pairs}, bool(preview["cover"]))


@portal_view
@require_http_methods(["GET", "POST"])
def send_fax(request: HttpRequest) -> HttpResponse:
    """Send Fax. The "Preview" button converts the files (and the cover page) and shows
    the pages; "Send" after a preview sends exactly those images (the files are not
    uploaded or converted again)."""
    actor = request_actor(request)
    may_open_send_fax(actor).check()
    zone = _zone(actor)
    mode = effective_settings(actor.user)["coverpage"]["mode"]
    status = 200
    preview: dict[str, object] | None = None
    if request.method == "POST":
        form = SendFaxForm(request.POST, request.FILES, cover_mode=mode, zone=zone)
        uploads = request.FILES.getlist("file")
        previewing = request.POST.get("action") == "preview"
        preview_id = "" if previewing or uploads else request.POST.get("preview", "")
        if len(uploads) > MAX_FILES:
            form.add_error("file", f"Send at most {MAX_FILES} files at once.")
        if form.is_valid():
            files = []
            for upload in uploads:
                data = upload.read(MAX_FILE_BYTES + 1)
                files.append(Attachment(data, upload.name or ""))
            try:
                prepared = (
                    _prepared_of(_session_preview(request, preview_id)) if preview_id else None
                )
                if previewing:
                    ready = fax_preview(
                        actor=actor,
                        to=form.recipients(),
                        files=files,
                        cover=form.cover_request(),
                        send_at=form.send_time(),
                    )
                    preview = _remember_preview(request, ready)
                else:
                    jobs = fax_send(
                        actor=actor,
                        to=form.recipients(),
                        files=files,
                        cover=form.cover_request(),
                        send_at=form.send_time(),
                        prepared=prepared,
                        source=FaxJobSource.PORTAL,
                    )
            except (ValidationFailed, Conflict, NotFound) as exc:
                apply_domain_error(form, exc, aliases={"files": "file"})
                status = form_status(exc) if not isinstance(exc, NotFound) else 422
            else:
                if not previewing:
                    request.session.pop(PREVIEW_KEY, None)
                    request.session["faxline_sent_jobs"] = [j.identifier for j in jobs]
                    return redirect("outbound:accepted")
        else:
            status = 422
    else:
        form = SendFaxForm(cover_mode=mode, zone=zone)
    return render(
        request,
        "faxing/outbound/send.html",
        {
            "form": form,
            "cover_mode": mode,
            "from_number": sender_numbers(actor.user.pk)[0],
            "preview": preview,
            "preview_pages": range(1, int(preview["pages"]) + 1) if preview else (),  # type: ignore[call-overload]
        },
        status=status,
    )


@portal_view
@require_GET
def send_preview_page(request: HttpRequest, preview_id: str, page: int) -> HttpResponse:
    """Page ``page`` of a preview as a PNG (the first recipient's image: the others differ
    only in their cover's recipient), to the person who prepared it only (else 404)."""
    actor = request_actor(request)
    may_open_send_fax(actor).check()
    image = _prepared_of(_session_preview(request, preview_id)).first()
    response = HttpResponse(fax_image_page_png(image, page), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view
@require_GET
def send_accepted(request: HttpRequest) -> HttpResponse:
    """After Send Fax: the new job identifiers (the guide's "Your new fax job identifier
    is ..."), each a link to its job."""
    actor = request_actor(request)
    identifiers = request.session.get("faxline_sent_jobs") or []
    jobs = [job_get(actor=actor, identifier=i) for i in identifiers]
    return render(request, "faxing/outbound/accepted.html", {"jobs": jobs})


@portal_view
@require_GET
def sent_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    may_see_sent(actor).check()
    wanted = request.GET.get("status", "")
    status = wanted if wanted in FaxJobStatus.values else None
    qs = jobs_list(actor=actor, status=status).select_related("sender")
    table = paginate_table(request, qs, row_counts=(25, 50, 100), default_rows=PAGE_SIZE)
    return render(
        request,
        "faxing/outbound/sent_list.html",
        {
            "table": table,
            "status": status or "",
            "statuses": FaxJobStatus.choices,
            "administers": actor.user.role != Role.FAX_USER,
            "may_send": bool(may_open_send_fax(actor)),
            "time_zone": _zone(actor),
        },
    )


JOB_TABS = (("details", "Details"), ("view", "View"), ("resend", "Resend"), ("cancel", "Cancel"))


def _job_page(
    request: HttpRequest,
    actor: Actor,
    job: FaxJob,
    *,
    tab: str,
    resend_to: str | None = None,
    resend_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """Activity Details of an outbound job: the Details tab (sender, department, numbers,
    pages, status, the error and what it means, every attempt with its call progress and
    T.30 data, the events), View (the document, when kept and the actor may see it),
    Resend and Cancel (when the actor may)."""
    change = may_change_fax_job(actor, sender_id=job.sender_id)
    content = may_view_fax_job_content(actor, sender_id=job.sender_id)
    tabs = [
        (key, label)
        for key, label in JOB_TABS
        if key in ("details", "view")
        or (key == "resend" and change)
        or (key == "cancel" and change and job.status in WAITING)
    ]
    if tab not in {key for key, _ in tabs}:
        tab = "details"
    document = job_document(job) if content and tab == "view" else None
    error, action = "", ""
    if job.status in (FaxJobStatus.FAILED, FaxJobStatus.CANCELLED):
        error, action = failure_of(job)  # the end: what to do now
    elif job.error:
        error = job.error  # the last call's error; the job is tried again
    return render(
        request,
        "faxing/outbound/sent_job.html",
        {
            "job": job,
            "tab": tab,
            "tabs": tabs,
            "error_name": error,
            "error_meaning": error_meaning(error),
            "error_action": action,
            "attempts": job_attempts(job) if tab == "details" else [],
            "events": job_events(job) if tab == "details" else [],
            "resends": job_resends(job) if tab == "details" else [],
            "archive_retry": archive_retry_offered(actor, job=job) if tab == "details" else False,
            "content_refusal": content.reason,
            "document": document,
            "document_pages": range(1, document.pages + 1) if document else (),
            "may_cancel": bool(change) and job.status in WAITING,
            "may_resend": bool(change),
            "resend_to": job.to_number if resend_to is None else resend_to,
            "resend_error": resend_error,
            "has_receipt": job.status == FaxJobStatus.SUCCESS,
            "time_zone": _zone(actor),
        },
        status=status,
    )


@portal_view
@require_GET
def sent_job(request: HttpRequest, identifier: str) -> HttpResponse:
    actor = request_actor(request)
    job = job_get(actor=actor, identifier=identifier)
    return _job_page(request, actor, job, tab=request.GET.get("tab", "details"))


@portal_view
@require_GET
def sent_job_page(request: HttpRequest, identifier: str, page: int) -> HttpResponse:
    """Page ``page`` of a job's document as a PNG (the View tab): to whoever
    :func:`may_view_fax_job_content` allows, while the content is kept (else 404)."""
    actor = request_actor(request)
    job = job_get(actor=actor, identifier=identifier)
    may_view_fax_job_content(actor, sender_id=job.sender_id).check()
    document = job_document(job)
    if document is None:
        raise NotFound("The content of this fax is no longer kept.", field="id")
    response = HttpResponse(fax_image_page_png(document, page), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view
@require_POST
def sent_cancel(request: HttpRequest, identifier: str) -> HttpResponse:
    actor = request_actor(request)
    job = job_get(actor=actor, identifier=identifier)
    try:
        fax_cancel(actor=actor, job=job)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Fax job {job.identifier} was cancelled.")
    return redirect("outbound:job", identifier=job.identifier)


@portal_view
@require_POST
def sent_resend(request: HttpRequest, identifier: str) -> HttpResponse:
    """Resend Fax: a new job to the Fax Number field's number (the original's by default);
    a refused number is shown under the field (422)."""
    actor = request_actor(request)
    job = job_get(actor=actor, identifier=identifier)
    to = request.POST.get("to", "").strip()[:40]
    try:
        again = fax_resend(actor=actor, job=job, to=to or None, source=FaxJobSource.PORTAL)
    except ValidationFailed as exc:
        return _job_page(
            request, actor, job, tab="resend", resend_to=to, resend_error=exc.message, status=422
        )
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect(reverse("outbound:job", args=[job.identifier]) + "?tab=resend")
    messages.success(request, f"Your new fax job identifier is {again.identifier}.")
    return redirect("outbound:job", identifier=again.identifier)


@portal_view
@require_GET
def sent_receipt(request: HttpRequest, identifier: str) -> HttpResponse:
    actor = request_actor(request)
    job = job_get(actor=actor, identifier=identifier)
    try:
        pdf = fax_receipt(job=job)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("outbound:job", identifier=job.identifier)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="fax-receipt-{job.identifier}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
