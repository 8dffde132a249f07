"""Bulk Create (the second tab of Add User Account): upload a CSV file of user accounts;
the report says row by row what was created and what was refused."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from faxline.accounts import bulk, selectors
from faxline.accounts.access import request_actor
from faxline.accounts.forms import BulkCreateForm
from faxline.accounts.views.common import department_param, require_admin, tree_url
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.portal.toolkit import portal_view

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
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(bulk.COLUMNS)
    for row in SAMPLE_ROWS:
        writer.writerow(row[: len(bulk.COLUMNS)])
    return out.getvalue()


COLUMN_HELP = {
    "first_name": "Required.",
    "last_name": "Required.",
    "email": "Required.",
    "username": "Required unless use_email_as_username is yes.",
    "use_email_as_username": "yes or no.",
    "department": "A name or a full path (Billing Dept -> Billing Level 1). Blank: the "
    "default department below.",
    "password": "Blank: a password is generated and shown once in the report.",
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
    """Bulk Create: upload a CSV file of user accounts; the report says row by row what
    was created and what was refused (generated passwords shown once)."""
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
    initial = {"default_department": preselected.pk} if preselected else {}
    form = BulkCreateForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        departments=choices,
        company_level=company_level,
    )
    report = None
    if request.method == "POST" and form.is_valid():
        default = None
        if form.cleaned_data["default_department"]:
            default = selectors.department_get(
                actor=actor, department_id=form.cleaned_data["default_department"]
            )
        try:
            report = bulk.users_bulk_create(
                actor=actor,
                company=company,
                data=form.cleaned_data["file"].read(),
                default_department=default,
            )
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_error("file" if exc.field in (None, "file") else None, exc.message)
        else:
            if report.created:
                messages.success(
                    request,
                    f"{report.created} user account{'s' if report.created != 1 else ''} created"
                    + (f", {report.refused} refused." if report.refused else "."),
                )
            elif report.refused:
                messages.warning(
                    request,
                    f"No user account was created: {report.refused} "
                    f"row{'s' if report.refused != 1 else ''} refused.",
                )
    return render(
        request,
        "accounts/users_bulk.html",
        {
            "form": form,
            "company": company,
            "report": report,
            "generated": bool(report and any(r.generated_password for r in report.rows)),
            "columns": [
                (c, c in bulk.REQUIRED_COLUMNS, COLUMN_HELP.get(c, "")) for c in bulk.COLUMNS
            ],
            "sample_url": reverse("accounts:users_bulk", args=[company.pk]) + "?sample=1",
            "user_add_url": reverse("accounts:user_add", args=[company.pk])
            + (f"?department={preselected.pk}" if preselected else ""),
            "cancel_url": tree_url(actor, company),
        },
    )
