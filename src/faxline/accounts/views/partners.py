"""Channel Partners (Settings ▸ Channel Partners, operators only): the resellers, their
client companies and their sign-ins; Add Channel Partner, Add partner sign-in and Assign
company.

Reads go through ``accounts.selectors`` and writes through ``accounts.services`` (which
enforce the rights); anyone but an operator is shown a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from faxline.accounts import selectors
from faxline.accounts.access import Actor, may_see_partners, request_actor
from faxline.accounts.choices import Role
from faxline.accounts.forms import BootstrapForm, PersonFields
from faxline.accounts.models import ChannelPartner, Company, User
from faxline.accounts.services.partners import (
    channel_partner_create,
    channel_partner_staff_create,
    company_assign_channel_partner,
)
from faxline.core.errors import DomainError, Forbidden
from faxline.portal.toolkit import apply_domain_error, page_redirect, portal_view

GENERATED_PASSWORD_KEY = "partners_generated_password"


class PartnerForm(BootstrapForm):
    """Add Channel Partner."""

    name = forms.CharField(label="Partner name", max_length=200)


class PartnerStaffForm(BootstrapForm, PersonFields):
    """Add partner sign-in: a person who signs in for a channel partner."""

    field_order = ["partner", *PersonFields.PERSON_FIELDS]

    partner = forms.ModelChoiceField(
        label="Channel partner", queryset=ChannelPartner.objects.none()
    )

    def __init__(self, *args: Any, partners: QuerySet[ChannelPartner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partners
        self.fields["password"].label = "Password"
        self.fields["generate_password"].help_text = "A password is generated and shown once."


class AssignForm(BootstrapForm):
    """Assign company: a client company to a channel partner (or to none)."""

    company = forms.ModelChoiceField(label="Company", queryset=Company.objects.none())
    partner = forms.ModelChoiceField(
        label="Channel partner",
        queryset=ChannelPartner.objects.none(),
        required=False,
        empty_label="No partner",
    )

    def __init__(
        self,
        *args: Any,
        companies: QuerySet[Company],
        partners: QuerySet[ChannelPartner],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        company = self.fields["company"]
        partner = self.fields["partner"]
        assert isinstance(company, forms.ModelChoiceField)
        assert isinstance(partner, forms.ModelChoiceField)
        company.queryset = companies
        partner.queryset = partners


def _fail(form: forms.BaseForm, exc: DomainError) -> None:
    """A refusal of the rights propagates (portal_view handles it); others go on the form."""
    if isinstance(exc, Forbidden):
        raise exc
    apply_domain_error(form, exc)


def _add_partner(request: HttpRequest, actor: Actor, form: PartnerForm) -> bool:
    if not form.is_valid():
        return False
    try:
        partner = channel_partner_create(actor=actor, name=form.cleaned_data["name"])
    except DomainError as exc:
        _fail(form, exc)
        return False
    messages.success(request, f"Channel partner {partner.name} was added.")
    return True


def _add_staff(request: HttpRequest, actor: Actor, form: PartnerStaffForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        created = channel_partner_staff_create(
            actor=actor, partner=data["partner"], **form.person()
        )
    except DomainError as exc:
        _fail(form, exc)
        return False
    messages.success(
        request,
        f"{created.user.full_name} ({created.user.username}) can now sign in for "
        f"{data['partner'].name}.",
    )
    if created.generated_password:
        request.session[GENERATED_PASSWORD_KEY] = {
            "username": created.user.username,
            "password": created.generated_password,
        }
    return True


def _assign(request: HttpRequest, actor: Actor, form: AssignForm) -> bool:
    if not form.is_valid():
        return False
    company: Company = form.cleaned_data["company"]
    partner: ChannelPartner | None = form.cleaned_data["partner"]
    try:
        company_assign_channel_partner(actor=actor, company=company, partner=partner)
    except DomainError as exc:
        _fail(form, exc)
        return False
    if partner is None:
        messages.success(request, f"{company.name} no longer has a channel partner.")
    else:
        messages.success(request, f"{company.name} is now a client of {partner.name}.")
    return True


@portal_view
@require_http_methods(["GET", "POST"])
def partners(request: HttpRequest) -> HttpResponse:
    """The list of channel partners and the three forms; operators only."""
    actor = request_actor(request)
    may_see_partners(actor).check()
    partner_qs = selectors.channel_partner_list(actor=actor)
    company_qs = selectors.company_list(actor=actor)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and action not in {"partner", "staff", "assign"}:
        raise Http404("Unknown action.")

    def bound(name: str) -> Any:
        return request.POST if action == name else None

    partner_form = PartnerForm(bound("partner"), prefix="partner")
    staff_form = PartnerStaffForm(bound("staff"), prefix="staff", partners=partner_qs)
    assign_form = AssignForm(
        bound("assign"), prefix="assign", companies=company_qs, partners=partner_qs
    )
    done = (
        (action == "partner" and _add_partner(request, actor, partner_form))
        or (action == "staff" and _add_staff(request, actor, staff_form))
        or (action == "assign" and _assign(request, actor, assign_form))
    )
    if done:
        return page_redirect(request, reverse("accounts:partners"))
    listing = partner_qs.prefetch_related(
        Prefetch("companies", queryset=Company.objects.order_by("name")),
        Prefetch(
            "staff",
            queryset=User.objects.filter(role=Role.CHANNEL_PARTNER).order_by("username"),
        ),
    )
    generated = request.session.pop(GENERATED_PASSWORD_KEY, None) if not action else None
    return render(
        request,
        "accounts/partners.html",
        {
            "partners": listing,
            "partner_form": partner_form,
            "staff_form": staff_form,
            "assign_form": assign_form,
            "generated": generated,
            "action": action,
        },
    )
