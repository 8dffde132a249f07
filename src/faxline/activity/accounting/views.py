"""The Accounting page (Activity ▸ Accounting): the company's Call Detail Record files,
"Generate current month" with how far it got, and the downloads (streamed from the vault).
Operators and channel partners choose the company."""

from __future__ import annotations

from typing import cast

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from faxline.accounts.access import Actor, request_actor
from faxline.accounts.models import Company
from faxline.accounts.selectors import company_list
from faxline.activity.accounting import selectors, services
from faxline.activity.accounting.access import may_see_accounting
from faxline.activity.accounting.models import CdrGenerationStatus
from faxline.activity.accounting.periods import KEPT_MONTHS, Month
from faxline.activity.accounting.records import COLUMNS
from faxline.activity.accounting.streaming import csv_download
from faxline.portal.toolkit import page_redirect, portal_view, render_page

PAGE = "activity/accounting/accounting.html"


def _company(request: HttpRequest, actor: Actor) -> Company | None:
    raw = (request.POST.get("company") or request.GET.get("company") or "").strip()
    if raw and not raw.isdigit():
        raise Http404("Company not found.")
    return selectors.accounting_company(actor=actor, company_id=int(raw) if raw else None)


@portal_view
@require_GET
def accounting(request: HttpRequest) -> HttpResponse:
    """The company's files, newest first, and the current month's generation."""
    actor = request_actor(request)
    may_see_accounting(actor).check()
    company = _company(request, actor)
    now = timezone.now()
    generation = (
        selectors.cdr_generation_of(company=company, now=now) if company is not None else None
    )
    files = (
        list(selectors.cdr_file_list(actor=actor, company=company)[: selectors.MAX_FILES])
        if company is not None
        else []
    )
    working = generation is not None and generation.status in (
        CdrGenerationStatus.QUEUED,
        CdrGenerationStatus.RUNNING,
    )
    page_url = reverse("activity:accounting")
    if company is not None and actor.spans_companies:
        page_url += f"?company={company.pk}"
    return render_page(
        request,
        PAGE,
        {
            "company": company,
            "companies": company_list(actor=actor)[:500] if actor.spans_companies else [],
            "files": files,
            "generation": generation,
            "working": working,
            "page_url": page_url,
            "current_month": Month.of(now),
            "kept_months": KEPT_MONTHS,
            "columns": COLUMNS,
        },
    )


@portal_view
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    """Generate current month: queue the day files, back to the page that shows progress."""
    actor = request_actor(request)
    company = _company(request, actor)
    if company is None:
        raise Http404("Company not found.")
    services.cdr_generation_request(actor=actor, company=company)
    back = reverse("activity:accounting")
    if actor.spans_companies:
        back += f"?company={company.pk}"
    return page_redirect(request, back)


@portal_view
@require_GET
def download(request: HttpRequest, file_id: int) -> HttpResponse:
    """One stored file, decrypted part by part as it is sent."""
    cdr = selectors.cdr_file_get(actor=request_actor(request), file_id=file_id)
    # A streamed answer (portal_view's type names the ordinary one; both are answers).
    return cast(HttpResponse, csv_download(request, selectors.cdr_file_content(cdr), cdr.filename))
