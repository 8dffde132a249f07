"""Bulk import: a CSV file of many numbers, split into one Draft request per losing
carrier + BTN + service address + authorized person, with a report row by row."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from faxline.accounts.access import request_actor
from faxline.accounts.selectors import actor_company, company_get
from faxline.core.csvfile import csv_text
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.portal.toolkit import portal_view
from faxline.porting import access
from faxline.porting.portal.forms import BulkPortForm
from faxline.porting.portal.views.common import companies_to_pick
from faxline.porting.requests import bulk, services

# The sample's rows by column name: the columns and their order are bulk.COLUMNS (from
# requests/fields.py), never a second list here.
SAMPLE_ACCOUNT: dict[str, str] = {
    "line_type": "landline",
    "btn": "+1 206 555 0100",
    "losing_carrier": "Old Telco",
    "account_number": "ACCT-1001",
    "pin": "",
    "business_name": "Acme Corp",
    "authorized_name": "Carol Chief",
    "authorized_title": "CEO",
    "authorized_email": "carol@acme.example",
    "street": "1313 Mockingbird Lane",
    "unit": "Suite 15",
    "city": "Seattle",
    "state": "WA",
    "postal_code": "98101",
    "country": "US",
    "contact_first_name": "Carol",
    "contact_last_name": "Chief",
    "contact_email": "carol@acme.example",
    "contact_phone": "+1 206 555 0199",
}
SAMPLE_ROWS: list[dict[str, str]] = [
    {"number": "+1 206 555 0100", **SAMPLE_ACCOUNT},
    {"number": "+1 206 555 0101", **SAMPLE_ACCOUNT},
]


def _sample_csv() -> str:
    # Written by column name: the sample cannot drift from the column order.
    return csv_text(bulk.COLUMNS, ([row.get(c, "") for c in bulk.COLUMNS] for row in SAMPLE_ROWS))


@portal_view
@require_http_methods(["GET", "POST"])
def port_bulk(request: HttpRequest) -> HttpResponse:
    """Bulk import: a CSV of many numbers split into one Draft request per losing carrier +
    BTN + service address + authorized person."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    if request.GET.get("sample"):
        response = HttpResponse(_sample_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="faxline-port-requests.csv"'
        return response
    access.may_write_requests(actor).check()
    companies = companies_to_pick(actor)
    form = BulkPortForm(request.POST or None, request.FILES or None, companies=companies)
    report = None
    if request.method == "POST" and form.is_valid():
        if companies:
            company = company_get(actor=actor, company_id=form.cleaned_data["company"])
        else:
            company = actor_company(actor=actor)
        upload = form.cleaned_data["file"]
        try:
            report = bulk.port_requests_bulk_create(
                actor=actor, company=company, data=upload.read(bulk.MAX_BYTES + 1)
            )
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_error("file" if exc.field in (None, "file") else None, exc.message)
        else:
            if report.created:
                messages.success(
                    request,
                    f"{report.created} port request{'s' if report.created != 1 else ''} "
                    "created as Draft"
                    + (
                        f", {report.refused} group{'s' if report.refused != 1 else ''} refused."
                        if report.refused
                        else "."
                    ),
                )
            else:
                messages.warning(request, "No port request was created: see the report.")
    return render(
        request,
        "porting/bulk.html",
        {
            "form": form,
            "report": report,
            "columns": [
                (c, c in bulk.REQUIRED_COLUMNS, bulk.COLUMN_HELP.get(c, ""))
                for c in (*bulk.COLUMNS, *bulk.EXTRA_COLUMNS)
            ],
            "sample_url": reverse("porting:bulk") + "?sample=1",
            "max_rows": bulk.MAX_ROWS,
            "max_kib": bulk.MAX_BYTES // 1024,
            "max_numbers": services.MAX_NUMBERS,
            "new_url": reverse("porting:new"),
            "list_url": reverse("porting:list"),
        },
    )
