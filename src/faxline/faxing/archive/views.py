"""Portal actions of the Archive tab's copies: "Retry archive" on a sent fax's page and on a
received fax's page (the copies' attempts are in the pages' events)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from faxline.accounts.access import request_actor
from faxline.core.errors import Conflict
from faxline.faxing.archive.services import archive_copies_retry
from faxline.faxing.inbound.selectors import inbound_fax_get
from faxline.faxing.jobs.selectors import job_get
from faxline.portal.toolkit import portal_view

RETRIED = "The archive copy was queued again; its outcome will appear in the events."


@portal_view
@require_POST
def sent_retry(request: HttpRequest, identifier: str) -> HttpResponse:
    actor = request_actor(request)
    job = job_get(actor=actor, identifier=identifier)
    try:
        archive_copies_retry(actor=actor, job=job)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, RETRIED)
    return redirect("outbound:job", identifier=job.identifier)


@portal_view
@require_POST
def received_retry(request: HttpRequest, fax_id: int) -> HttpResponse:
    actor = request_actor(request)
    fax = inbound_fax_get(actor=actor, fax_id=fax_id)
    try:
        archive_copies_retry(actor=actor, fax=fax)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, RETRIED)
    return redirect("inbound:fax", fax_id=fax.pk)
