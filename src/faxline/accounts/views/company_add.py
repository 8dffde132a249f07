"""Add Company (operators and channel partners); the company's first administrator is added
next, on Add Administrator."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from faxline.accounts import selectors
from faxline.accounts.access import may_add_company, may_see_partners, request_actor
from faxline.accounts.forms import CompanyForm
from faxline.accounts.services import companies as company_services
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.portal.toolkit import apply_domain_error, page_redirect, portal_view


@portal_view
@require_http_methods(["GET", "POST"])
def company_add(request: HttpRequest) -> HttpResponse:
    """Add Company (operators and channel partners); the first administrator follows."""
    actor = request_actor(request)
    may_add_company(actor).check()
    partners = selectors.channel_partner_list(actor=actor) if may_see_partners(actor) else None
    form = CompanyForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            company = company_services.company_create(
                actor=actor,
                name=form.cleaned_data["name"],
                domain=form.cleaned_data["domain"],
                channel_partner=form.cleaned_data.get("channel_partner"),
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, f"{company.name} was created. Now add its first administrator."
            )
            url = reverse("accounts:administrator_add", args=[company.pk])
            return page_redirect(request, url)
    return render(request, "accounts/company_add.html", {"form": form})
