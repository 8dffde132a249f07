"""Bulk Create (the second tab of Add User Account): upload a CSV file of user accounts; the
task worker creates them, and the job's page shows the progress, then row by row what was
created and what was refused."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from faxline.accounts import bulk, selectors
from faxline.accounts.access import request_actor
from faxline.accounts.forms import BulkCreateForm
from faxline.accounts.views.common import department_param, require_admin, tree_url
from faxline.core.csvfile import csv_text
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.portal.toolkit import is_htmx, page_redirect, portal_view

SAMPLE_ROWS = [
    [
        "Ada",
        "Lovelace",
        "ada@example.com",
        "",
        "yes",
        "",
        "",
        "",
        "",
        "+1 202 555 0101",
        "Cost centre 12",
        "",
        "",
        "",
    ],
    [
        "Alan",
        "Turing",
        "alan@example.com",
        "aturing",
        "no",
        "",
        "",
        "alan.fax@example.com",
        "alan@example.com;fax-archive@example.com",
        "",
        "",
        "",
        "",
        "",
    ],
]


def _sample_csv() -> str:
    return csv_text(bulk.COLUMNS, (row[: len(bulk.COLUMNS)] for row in SAMPLE_ROWS))


COLUMN_HELP = {
    "first_name": "Required.",
    "last_name": "Required.",
    "email": "Required.",
    "username": "Required unless use_email_as_username is yes.",
    "use_email_as_username": "yes or no.",
    "department": "A name or a full path (Billing Dept -> Billing Level 1). Blank: the "
    "default department below.",
    "password": "Blank: a password is generated and shown once in the report, or the user "
    "is emailed a link to choose one (see below).",
    "sending_email": "Blank: the user's email.",
    "receiving_emails": "Up to three, separated by semicolons. Blank: the user's email.",
    "phone": "Optional.",
    "custom1": "Optional. Do not put PHI or PII in custom fields.",
    "custom2": "Optional.",
    "custom3": "Optional.",
    "custom4": "Optional.",
}


@portal_view
@require_http_methods(["GET", "POST"])
def users_bulk(request: HttpRequest, company_id: int) -> HttpResponse:
    """Bulk Create: upload a CSV file of user accounts. A file that is wrong as a whole is
    refused on its field; otherwise the task worker creates the accounts and the job's page
    shows its progress, then the report."""
    actor = request_actor(request)
    require_admin(actor)
    company = selectors.company_get(actor=actor, company_id=company_id)
    if request.GET.get("sample"):
        response = HttpResponse(_sample_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="faxline-users-sample.csv"'
        return response
    actor.require("users.bulk_create")
    preselected = department_param(request, actor, "department", company)
    departments = list(selectors.department_list(actor=actor, company=company))
    names = selectors.department_full_names(departments)
    choices = [(d.pk, names[d.pk]) for d in departments]
    company_level = actor.manages_whole_company(company)
    initial: dict[str, Any] = {"welcome_message": bulk.default_welcome(company)}
    if preselected:
        initial["default_department"] = preselected.pk
    form = BulkCreateForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        departments=choices,
        company_level=company_level,
    )
    if request.method == "POST" and form.is_valid():
        default = None
        if form.cleaned_data["default_department"]:
            default = selectors.department_get(
                actor=actor, department_id=form.cleaned_data["default_department"]
            )
        upload = form.cleaned_data["file"]
        try:
            job = bulk.bulk_create_submit(
                actor=actor,
                company=company,
                data=upload.read(),
                default_department=default,
                file_name=upload.name or "",
                password_links=form.cleaned_data["password_links"],
                welcome_message=form.cleaned_data["welcome_message"] or None,
            )
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_error("file" if exc.field in (None, "file") else None, exc.message)
        else:
            return page_redirect(
                request, reverse("accounts:users_bulk_job", args=[company.pk, job.pk])
            )
    return render(
        request,
        "accounts/users_bulk.html",
        {
            "form": form,
            "company": company,
            "columns": [
                (c, c in bulk.REQUIRED_COLUMNS, COLUMN_HELP.get(c, "")) for c in bulk.COLUMNS
            ],
            "sample_url": reverse("accounts:users_bulk", args=[company.pk]) + "?sample=1",
            "user_add_url": reverse("accounts:user_add", args=[company.pk])
            + (f"?department={preselected.pk}" if preselected else ""),
            "cancel_url": tree_url(actor, company),
        },
    )


@portal_view
@require_GET
def users_bulk_job(request: HttpRequest, company_id: int, job_id: int) -> HttpResponse:
    """A Bulk Create job: its progress while the task worker runs it (the page polls with
    htmx), then the report row by row (generated passwords shown once)."""
    actor = request_actor(request)
    require_admin(actor)
    company = selectors.company_get(actor=actor, company_id=company_id)
    job = bulk.bulk_create_get(actor=actor, job_id=job_id)
    if job.company_id != company.pk:
        raise Http404("Bulk Create job not found.")
    report = bulk.bulk_create_report(actor=actor, job=job) if job.done else None
    context = {
        "company": company,
        "job": job,
        "report": report,
        "generated": bool(report and any(r.generated_password for r in report.rows)),
        "job_url": reverse("accounts:users_bulk_job", args=[company.pk, job.pk]),
        "upload_url": reverse("accounts:users_bulk", args=[company.pk]),
        "user_add_url": reverse("accounts:user_add", args=[company.pk]),
        "cancel_url": tree_url(actor, company),
    }
    if is_htmx(request):
        return render(request, "accounts/_bulk_job.html", context)
    return render(request, "accounts/users_bulk_job.html", context)
