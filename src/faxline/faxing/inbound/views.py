"""Portal pages of received faxes (``/faxes/received/``): a fax user's Received list, the
administrators' view of their scope with the undeliverable ones, one fax with its message
events (the page an email's secure link opens), download, delete and resubmit."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from faxline.accounts.access import Actor, may_change_settings, request_actor
from faxline.accounts.choices import Role
from faxline.accounts.preferences import time_zones
from faxline.core.access import Decision
from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from faxline.core.vault import vault_read
from faxline.documents.received import FILE_TYPES
from faxline.faxing.archive.selectors import archive_retry_offered
from faxline.faxing.images import page_png
from faxline.faxing.inbound import bulk, selectors, services
from faxline.faxing.inbound.access import RIGHT, may_act_on_inbound, may_resubmit_inbound
from faxline.faxing.inbound.api import detail
from faxline.faxing.inbound.models import DeliveryStatus
from faxline.portal.toolkit import on_this_site, paginate_table, portal_view, render_page

PAGE_SIZE = 25


def may_see_received(actor: Actor) -> Decision:
    """The Received page: fax users (their own), administrators with View inbound activity
    (their scope), channel partners and operators."""
    if actor.user.role == Role.FAX_USER or actor.is_operator or actor.can(RIGHT):
        return Decision.allow()
    return Decision.refuse(
        Forbidden("You do not have the right to see received faxes.", code="missing_right")
    )


def _zone(actor: Actor) -> str:
    zone = getattr(actor.user, "time_zone", "") or "UTC"
    return zone if zone in time_zones() else "UTC"


@portal_view
@require_GET
def received_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    may_see_received(actor).check()
    undeliverable = request.GET.get("undeliverable") == "1"
    qs = selectors.inbound_fax_list(actor=actor, undeliverable=undeliverable).exclude(vault_name="")
    table = paginate_table(request, qs, row_counts=(25, 50, 100), default_rows=PAGE_SIZE)
    company = actor.user.company if actor.is_company_admin else None
    return render(
        request,
        "faxing/inbound/received_list.html",
        {
            "table": table,
            "undeliverable": undeliverable,
            "administers": actor.user.role != Role.FAX_USER,
            "time_zone": _zone(actor),
            "delivery": services.inbound_settings_get(company) if company else None,
            "may_change_delivery": bool(company and may_change_settings(actor, company, "fax")),
            "max_retention": services.MAX_RETENTION_DAYS,
            "may_bulk_resubmit": bool(may_resubmit_inbound(actor)),
        },
    )


@portal_view
@require_POST
def received_settings(request: HttpRequest) -> HttpResponse:
    """A company-level administrator's delivery settings: attach or link, retention."""
    actor = request_actor(request)
    company = actor.user.company if actor.is_company_admin else None
    if company is None:
        raise Forbidden(
            "Only company-level administrators change the delivery settings here.",
            code="missing_right",
        )
    raw = request.POST.get("retention_days", "").strip()
    try:
        services.inbound_settings_set(
            actor=actor,
            company=company,
            attach_files=request.POST.get("attach_files") == "on",
            retention_days=int(raw) if raw.isdigit() else -1,
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The delivery settings were saved.")
    return redirect("inbound:list")


FAX_TABS = (("details", "Details"), ("view", "View"), ("resubmit", "Resubmit"))


@portal_view
@require_GET
def received_fax(request: HttpRequest, fax_id: int) -> HttpResponse:
    """Activity Details of a received fax: Details (caller, the sender's CSID, our number,
    pages, duration, the partial flag, delivery and the Message Events), View (the pages
    while the content is kept) and Resubmit (when the actor may)."""
    actor = request_actor(request)
    fax = selectors.inbound_fax_get(actor=actor, fax_id=fax_id)
    resubmit = may_resubmit_inbound(actor, fax)
    tabs = [(k, label) for k, label in FAX_TABS if k != "resubmit" or resubmit]
    tab = request.GET.get("tab", "details")
    if tab not in {k for k, _ in tabs}:
        tab = "details"
    info = detail(fax)
    return render(
        request,
        "faxing/inbound/received_fax.html",
        {
            "fax": fax,
            "tab": tab,
            "tabs": tabs,
            "info": info,
            "file_types": FILE_TYPES,
            "may_act": may_act_on_inbound(actor, fax),
            "may_resubmit": bool(resubmit),
            "delivering": fax.delivery_status
            in (DeliveryStatus.PENDING, DeliveryStatus.DELIVERING),
            "pages": range(1, fax.pages + 1) if fax.retained and tab == "view" else (),
            "archive_retry": archive_retry_offered(actor, fax=fax),
            "time_zone": _zone(actor),
        },
    )


@portal_view
@require_GET
def received_page(request: HttpRequest, fax_id: int, page: int) -> HttpResponse:
    """Page ``page`` of a received fax as a PNG (the View tab), to whoever sees the fax,
    while its content is kept (else 404)."""
    actor = request_actor(request)
    fax = selectors.inbound_fax_get(actor=actor, fax_id=fax_id)
    if not fax.retained:
        raise NotFound("The fax's content is no longer kept.", field="id")
    response = HttpResponse(page_png(vault_read(fax.vault_name), page), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view
@require_GET
def received_download(request: HttpRequest, fax_id: int) -> HttpResponse:
    actor = request_actor(request)
    fax = selectors.inbound_fax_get(actor=actor, fax_id=fax_id)
    wanted = request.GET.get("format", "")[:16] or None
    try:
        file = services.inbound_fax_file(actor=actor, fax=fax, file_type=wanted)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("inbound:fax", fax_id=fax.pk)
    response = HttpResponse(file.data, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view
@require_POST
def received_delete(request: HttpRequest, fax_id: int) -> HttpResponse:
    actor = request_actor(request)
    fax = selectors.inbound_fax_get(actor=actor, fax_id=fax_id)
    try:
        services.inbound_fax_delete(actor=actor, fax=fax)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The fax from {fax.from_number or 'unknown'} was deleted.")
    return redirect("inbound:list")


@portal_view
@require_POST
def received_resubmit(request: HttpRequest, fax_id: int) -> HttpResponse:
    actor = request_actor(request)
    fax = selectors.inbound_fax_get(actor=actor, fax_id=fax_id)
    try:
        services.inbound_fax_resubmit(actor=actor, fax=fax)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "The fax will be delivered again to the currently configured addresses."
        )
    return redirect("inbound:fax", fax_id=fax.pk)


@portal_view
@require_POST
def received_bulk_resubmit(request: HttpRequest) -> HttpResponse:
    """Bulk Resubmit: the chosen faxes (``fax``, repeated) are delivered again to their
    numbers' destinations by the task worker; the progress page follows it."""
    actor = request_actor(request)
    may_see_received(actor).check()
    ids = [int(v) for v in request.POST.getlist("fax") if v.isascii() and v.isdigit()]
    back = on_this_site(request, request.POST.get("back", "")) or ""
    try:
        job = bulk.bulk_resubmit_start(actor=actor, fax_ids=ids)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect(back or "inbound:list")
    url = reverse("inbound:bulk_progress", args=[job.pk])
    return redirect(f"{url}?{urlencode({'back': back})}" if back else url)


@portal_view
@require_GET
def received_bulk_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """A Bulk Resubmit's progress: "n of m resubmitted, k refused" and each fax's outcome;
    the block asks for itself again every second (htmx) until the job is done."""
    actor = request_actor(request)
    job = bulk.bulk_resubmit_get(actor=actor, job_id=job_id)
    table = paginate_table(
        request, bulk.bulk_resubmit_items(job), row_counts=(100, 250, 1000), default_rows=100
    )
    back = on_this_site(request, request.GET.get("back", "")) or ""
    return render_page(
        request,
        "faxing/inbound/bulk_progress.html",
        {
            "job": job,
            "table": table,
            "back": back or reverse("inbound:list"),
            "poll_url": request.get_full_path(),
            "time_zone": _zone(actor),
        },
        partials={"fx-bulk-progress": "faxing/inbound/_bulk_progress.html"},
    )
