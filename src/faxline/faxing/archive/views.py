"""Portal actions of the Archive tab: "Retry archive" on a sent fax's page and on a received
fax's page (the copies' attempts are in the pages' events), and "Test FTP connection" on a
company's or department's Archive tab."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from faxline.accounts.access import request_actor
from faxline.accounts.models import Company, Department
from faxline.accounts.selectors import company_get, department_get
from faxline.core.errors import Conflict, NotFound, ValidationFailed
from faxline.faxing.archive.services import archive_copies_retry, archive_ftp_test
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


@portal_view
@require_POST
def ftp_test(request: HttpRequest, kind: str, owner_id: int) -> HttpResponse:
    """Test the saved FTP destination of a company's (``kind`` "company") or department's
    Archive tab, then back to the tab with what happened."""
    actor = request_actor(request)
    if kind == "company":
        owner: Company | Department = company_get(actor=actor, company_id=owner_id)
        back = reverse("accounts:company_details", kwargs={"company_id": owner_id})
    elif kind == "department":
        owner = department_get(actor=actor, department_id=owner_id)
        back = reverse("accounts:department_details", kwargs={"department_id": owner_id})
    else:
        raise NotFound("Page not found.")
    try:
        result = archive_ftp_test(actor=actor, owner=owner)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        (messages.success if result.ok else messages.error)(request, result.message)
    return redirect(f"{back}?tab=archive")
