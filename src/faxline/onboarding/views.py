"""Onboarding pages (Settings ▸ Onboarding): the first sign-in welcome, onboarding orders
with their checklists and summary, and the ports scheduled for the next business day.

Every read goes through ``onboarding.selectors`` and every write through
``onboarding.services``; the views only parse input and pick the template.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faxline.accounts.access import Actor, request_actor
from faxline.accounts.selectors import actor_company, company_get
from faxline.core.calendar import next_business_day
from faxline.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from faxline.core.vault import vault_read
from faxline.numbers.choices import IN_INVENTORY, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.numbers.plan import display_number, normalize_number
from faxline.onboarding import access, selectors, services
from faxline.onboarding.choices import (
    Activation,
    Decision,
    DocumentKind,
    ItemStatus,
    OrderStatus,
)
from faxline.onboarding.forms import (
    AssignForm,
    BillingForm,
    CsvForm,
    DocumentForm,
    FinalOrderForm,
    NewOrderForm,
    PortNumberForm,
    TaxForm,
    WelcomeForm,
)
from faxline.onboarding.models import OnboardingOrder
from faxline.portal.toolkit import apply_domain_error, form_status, portal_view

TABS = (
    ("documents", "Document gathering"),
    ("final", "Final order"),
    ("configuration", "Account configuration"),
    ("foc", "FOC readiness"),
    ("summary", "Summary"),
)
RESULT_KEY = "faxline_onboarding_result"


def welcome_due(request: HttpRequest) -> bool:
    """For the dashboard: is a new customer's first sign-in question still open?"""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return selectors.first_sign_in_due(request_actor(request))


# --- entry ----------------------------------------------------------------------------


@portal_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Settings ▸ Onboarding: the welcome question, the company's order, or the orders."""
    actor = request_actor(request)
    if selectors.first_sign_in_due(actor):
        return redirect("onboarding:welcome")
    access.may_view_orders(actor).check()
    if actor.spans_companies:
        return redirect("onboarding:orders")
    company = actor_company(actor=actor)
    order = selectors.order_of_company(company)
    if order is not None:
        return redirect("onboarding:order", order.pk)
    return render(request, "onboarding/no_order.html", {"company": company})


# --- first sign-in --------------------------------------------------------------------


def _welcome_context(actor: Actor, form: WelcomeForm, country: str) -> dict[str, Any]:
    company = actor_company(actor=actor)
    users = list(selectors.fax_users_of(company))
    country = country if country in ("US", "CA") else "US"
    return {
        "form": form,
        "company": company,
        "users": users,
        "country": country,
        "groups": selectors.area_code_groups(country),
        "temporary_groups": selectors.area_code_groups(country),
        "choice": form["choice"].value() or "",
        "selected_area": form["area_code"].value() or "",
        "selected_temporary": form["temporary_area_code"].value() or "",
        "selected_user": str(form["user"].value() or ""),
    }


@portal_view
@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest) -> HttpResponse:
    """First sign-in: "Welcome — new number or keep your existing number?"."""
    actor = request_actor(request)
    if not selectors.first_sign_in_due(actor):
        company = actor.user.company if actor.user.company_id is not None else None
        if company is None or not actor.manages_whole_company(company):
            raise Forbidden("The welcome questions are for a new company's administrator.")
        order = selectors.order_of_company(company)
        if order is not None and order.decision:
            messages.info(
                request, f"{company.name} already chose: {Decision(order.decision).label}."
            )
        elif FaxNumber.objects.filter(company=company, status__in=IN_INVENTORY).exists():
            messages.info(request, f"{company.name} already has fax numbers.")
        else:
            # Nothing chosen yet: the person may not answer (the right, read-only).
            access.may_answer_first_sign_in(actor).check()
        return redirect("onboarding:index")
    request.session["faxline_welcome_shown"] = True
    country = request.GET.get("country") or request.POST.get("country") or "US"
    if request.method == "GET":
        form = WelcomeForm(initial={"country": country})
        return render(request, "onboarding/welcome.html", _welcome_context(actor, form, country))

    form = WelcomeForm(request.POST)
    status = 422
    if form.is_valid():
        company = actor_company(actor=actor)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["choice"] == Decision.NEW_NUMBER:
                    result = services.first_sign_in_new_number(
                        actor=actor,
                        company=company,
                        area_code=data["area_code"] or "",
                        user_id=data["user"],
                        new_user=form.new_user(),
                    )
                else:
                    result = services.first_sign_in_keep_number(
                        actor=actor,
                        company=company,
                        numbers=form.numbers_list(),
                        carrier=data["carrier"] or "",
                        area_code=data["temporary_area_code"] or "",
                        user_id=data["user"],
                        new_user=form.new_user(),
                    )
        except DomainError as exc:
            aliases = {"user_id": "user"}
            if data["choice"] == Decision.KEEP_NUMBER:
                aliases["area_code"] = "temporary_area_code"
            apply_domain_error(form, exc, aliases)
            status = form_status(exc)
        else:
            request.session[RESULT_KEY] = {
                "number": result.number.number,
                "user": result.user.full_name or result.user.username,
                "username": result.user.username,
                "password": result.created_password,
                "ported": result.port_numbers,
                "decision": result.order.decision,
                "order_id": result.order.pk,
            }
            return redirect("onboarding:welcome_done")
    return render(
        request, "onboarding/welcome.html", _welcome_context(actor, form, country), status=status
    )


@portal_view
@require_GET
def welcome_area_codes(request: HttpRequest) -> HttpResponse:
    """The area code drop-down of a country (htmx)."""
    country = request.GET.get("country", "US")
    country = country if country in ("US", "CA") else "US"
    name = request.GET.get("name", "area_code")
    name = name if name in ("area_code", "temporary_area_code") else "area_code"
    return render(
        request,
        "onboarding/_area_code_select.html",
        {
            "groups": selectors.area_code_groups(country),
            "name": name,
            "selected": "",
            "optional": name == "temporary_area_code",
        },
    )


@portal_view
@require_GET
def welcome_done(request: HttpRequest) -> HttpResponse:
    """The outcome of the first sign-in: the number, in service."""
    result = request.session.pop(RESULT_KEY, None)
    if not result:
        return redirect("onboarding:index")
    actor = request_actor(request)
    order = selectors.order_get(actor=actor, order_id=result["order_id"])
    return render(
        request,
        "onboarding/welcome_done.html",
        {
            "result": result,
            "order": order,
            "number_display": display_number(result["number"]),
            "ported_display": [display_number(n) for n in result["ported"]],
            "keep": result["decision"] == Decision.KEEP_NUMBER,
        },
    )


# --- orders ---------------------------------------------------------------------------


def _counted(items: list[selectors.ChecklistItem]) -> list[selectors.ChecklistItem]:
    """Items that count towards progress: required ones, and any document received."""
    return [i for i in items if i.required or i.status == ItemStatus.RECEIVED]


def _progress(order: OnboardingOrder) -> tuple[int, int]:
    """Checklist items received, out of those that count."""
    counted = _counted(selectors.document_checklist(order))
    return sum(1 for i in counted if i.ok), len(counted)


@portal_view
@require_http_methods(["GET", "POST"])
def orders(request: HttpRequest) -> HttpResponse:
    """Onboarding orders of the actor's client companies, and + New Onboarding Order."""
    actor = request_actor(request)
    qs = selectors.order_list(actor=actor, search=request.GET.get("q", "").strip()[:100])
    candidates = list(selectors.companies_without_order(actor=actor).values_list("pk", "name"))
    form = NewOrderForm(request.POST or None, companies=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            company = company_get(actor=actor, company_id=form.cleaned_data["company"])
            order = services.order_create(actor=actor, company=company)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"Onboarding of {company.name} started.")
            return redirect("onboarding:order", order.pk)
    rows = [(order, *_progress(order)) for order in qs[:200]]
    return render(
        request,
        "onboarding/orders.html",
        {
            "rows": rows,
            "form": form,
            "may_create": bool(candidates),
            "search": request.GET.get("q", ""),
        },
        status=422 if request.method == "POST" else 200,
    )


def _order_context(
    request: HttpRequest, actor: Actor, order: OnboardingOrder, tab: str, **forms: Any
) -> dict[str, Any]:
    company = order.company
    checklist = selectors.document_checklist(order)
    payment = selectors.payment_authorization_on_file(order)
    users = [(u.pk, u.full_name or u.username) for u in selectors.fax_users_of(company)]
    manage = bool(access.may_manage_order(actor, order)) and order.status == OrderStatus.GATHERING
    porting_tab = selectors.is_porting(order) or order.port_date is not None
    tabs = [(k, lbl) for k, lbl in TABS if k != "foc" or porting_tab]
    initial = {
        "domain": order.domain,
        "time_zone": order.time_zone,
        "activation": order.activation,
        "temporary_numbers": order.temporary_numbers,
        "area_code": order.area_code,
        "port_date": order.port_date,
        "current_carrier": order.current_carrier,
        "authorized_user_name": order.authorized_user_name,
        "authorized_user_title": order.authorized_user_title,
        "main_caller_id": order.main_caller_id,
        "e911_number": order.e911_number,
        "e911_address": order.e911_address,
        "native_fax_type": order.native_fax_type,
        "native_fax_number": order.native_fax_number,
    }
    context: dict[str, Any] = {
        "order": order,
        "company": company,
        "tab": tab,
        "tabs": tabs,
        "checklist": checklist,
        "payment_on_file": payment,
        "not_payment": not payment,
        "manage": manage,
        "may_view_partner": access.may_see_channel_partner(actor),
        "billing_form": BillingForm(
            initial={
                "billing_contact_name": order.billing_contact_name,
                "billing_contact_email": order.billing_contact_email,
            }
        ),
        "tax_form": TaxForm(initial={"tax_exempt": _tax_value(order.tax_exempt)}),
        "number_form": PortNumberForm(users=users),
        "csv_form": CsvForm(),
        "final_form": FinalOrderForm(initial=initial),
        "port_rows": selectors.port_rows(order),
        "users": users,
        "received": sum(1 for i in _counted(checklist) if i.ok),
        "required": len(_counted(checklist)),
        "warnings": [i for i in checklist if i.warning],
        "porting": selectors.is_porting(order),
        "voice": selectors.has_voice_lines(order),
        "partial": any(not r.port for r in order.port_numbers.all()),
        "document_kinds": DocumentKind,
        "doc_error": ("", ""),
    }
    if tab == "configuration":
        config = selectors.configuration_checklist(company, order=order)
        context["config"] = config
        context["config_ok"] = sum(1 for c in config if c.ok)
        context["numbers"] = list(
            FaxNumber.objects.filter(company=company, status=NumberStatus.IN_SERVICE)
            .select_related("user")
            .order_by("number")
        )
        context["may_assign"] = access.may_route_numbers(actor, order)
    if tab == "foc":
        context["readiness"] = selectors.foc_readiness(order)
        country = selectors.order_country(order)
        context["tomorrow"] = next_business_day(timezone.localdate(), country=country)
    if tab == "summary":
        context["problems"] = selectors.completion_problems(order)
        context["summary"] = selectors.final_order(order)
    context.update(forms)
    return context


def _tax_value(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _tab(request: HttpRequest) -> str:
    wanted = request.GET.get("tab") or request.POST.get("tab") or "documents"
    return wanted if wanted in dict(TABS) else "documents"


def _back(order: OnboardingOrder, tab: str, anchor: str = "") -> HttpResponse:
    url = reverse("onboarding:order", args=[order.pk]) + f"?tab={tab}"
    return redirect(url + (f"#{anchor}" if anchor else ""))


@portal_view
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    tab = _tab(request)
    return render(request, "onboarding/order.html", _order_context(request, actor, order, tab))


def _render_error(
    request: HttpRequest,
    actor: Actor,
    order: OnboardingOrder,
    tab: str,
    exc: DomainError | None = None,
    **forms: Any,
) -> HttpResponse:
    order.refresh_from_db()
    context = _order_context(request, actor, order, tab, **forms)
    status = 422
    if exc is not None:
        status = form_status(exc)
        context["error"] = exc.message
    return render(request, "onboarding/order.html", context, status=status)


@portal_view
@require_POST
def order_billing(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    form = BillingForm(request.POST)
    if not form.is_valid():
        return _render_error(request, actor, order, "documents", billing_form=form)
    try:
        services.order_update(actor=actor, order=order, changes=form.changes())
    except DomainError as exc:
        apply_domain_error(form, exc)
        return _render_error(request, actor, order, "documents", exc, billing_form=form)
    messages.success(request, "Billing contact saved.")
    return _back(order, "documents", "billing_contact")


@portal_view
@require_POST
def order_tax(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    form = TaxForm(request.POST)
    if not form.is_valid():
        return _render_error(request, actor, order, "documents", tax_form=form)
    try:
        services.order_update(actor=actor, order=order, changes={"tax_exempt": form.value()})
    except DomainError as exc:
        return _render_error(request, actor, order, "documents", exc, tax_form=form)
    messages.success(request, "Tax exemption saved.")
    return _back(order, "documents", "tax_exemption")


@portal_view
@require_POST
def order_document(request: HttpRequest, order_id: int) -> HttpResponse:
    """Upload one document of the checklist."""
    actor = request_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    form = DocumentForm(request.POST, request.FILES)
    kind = request.POST.get("kind", "")
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        context = _order_context(request, actor, order, "documents")
        context["doc_error"] = (kind, errors)
        return render(request, "onboarding/order.html", context, status=422)
    upload = form.cleaned_data["file"]
    try:
        services.document_upload(
            actor=actor,
            order=order,
            kind=form.cleaned_data["kind"],
            data=upload.read(),
            filename=upload.name or "",
            statement_date=form.cleaned_data.get("statement_date"),
        )
    except DomainError as exc:
        context = _order_context(request, actor, order, "documents")
        context["doc_error"] = (kind, exc.message)
        status = form_status(exc)
        return render(request, "onboarding/order.html", context, status=status)
    messages.success(request, f"{DocumentKind(kind).label} received.")
    return _back(order, "documents", kind)


@portal_view
@require_GET
def document_download(request: HttpRequest, order_id: int, document_id: int) -> HttpResponse:
    """A document, decrypted for someone who may see the order (never a public URL)."""
    actor = request_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    doc = selectors.document_get(actor=actor, order=order, document_id=document_id)
    response = HttpResponse(vault_read(doc.vault_name), content_type=doc.content_type)
    response["Content-Disposition"] = f'attachment; filename="{doc.original_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@portal_view
@require_POST
def order_numbers(request: HttpRequest, order_id: int) -> HttpResponse:
    """Add a number to port, or remove one (``remove=<number>``)."""
    actor = request_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    users = [(u.pk, u.full_name or u.username) for u in selectors.fax_users_of(order.company)]
    remove = request.POST.get("remove", "")
    if remove:
        try:
            services.port_number_remove(actor=actor, order=order, number=remove)
        except DomainError as exc:
            return _render_error(request, actor, order, "documents", exc)
        messages.success(request, f"{display_number(remove)} removed from the list.")
        return _back(order, "documents", "port_numbers")
    form = PortNumberForm(request.POST, users=users)
    if not form.is_valid():
        return _render_error(request, actor, order, "documents", number_form=form)
    data = form.cleaned_data
    try:
        services.port_number_add(
            actor=actor,
            order=order,
            number=data["number"],
            use=data["use"],
            port=data["port"] == "yes",
            user_id=data["user"],
        )
    except DomainError as exc:
        apply_domain_error(form, exc)
        return _render_error(request, actor, order, "documents", exc, number_form=form)
    messages.success(request, "Number added to the list.")
    return _back(order, "documents", "port_numbers")


@portal_view
@require_POST
def order_numbers_csv(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    form = CsvForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_error(request, actor, order, "documents", csv_form=form)
    upload = form.cleaned_data["file"]
    try:
        services.port_numbers_import_csv(
            actor=actor, order=order, data=upload.read(services.MAX_CSV_BYTES + 1)
        )
    except DomainError as exc:
        form.add_error("file" if exc.field == "file" else None, exc.message)
        return _render_error(request, actor, order, "documents", exc, csv_form=form)
    messages.success(request, "The list of numbers was replaced by the CSV file.")
    return _back(order, "documents", "port_numbers")


FINAL_FIELDS = (
    "domain",
    "time_zone",
    "activation",
    "temporary_numbers",
    "area_code",
    "port_date",
    "current_carrier",
    "authorized_user_name",
    "authorized_user_title",
    "main_caller_id",
    "e911_number",
    "e911_address",
    "native_fax_type",
    "native_fax_number",
)


def _final_changes(
    order: OnboardingOrder, data: dict[str, Any], posted: set[str]
) -> dict[str, Any]:
    """Only what was posted and changed: saving the form never touches the porting fields
    while they are locked (a disabled fieldset posts nothing)."""
    changes: dict[str, Any] = {}
    for name in FINAL_FIELDS:
        if name not in posted:
            continue
        value = data.get(name)
        if name == "temporary_numbers":
            value = value or 0
        elif name != "port_date":
            value = value or ""
        current = getattr(order, name)
        if name in ("main_caller_id", "e911_number", "native_fax_number") and value:
            with contextlib.suppress(ValidationFailed):  # the service refuses it, naming it
                value = normalize_number(value, field=name)
        if value != current:
            changes[name] = value.isoformat() if isinstance(value, date) else value
    if data.get("pin"):
        changes["pin"] = data["pin"]
    return changes


@portal_view
@require_POST
def order_final(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    form = FinalOrderForm(request.POST)
    if not form.is_valid():
        return _render_error(request, actor, order, "final", final_form=form)
    changes = _final_changes(order, form.cleaned_data, set(request.POST))
    if request.POST.get("clear_pin"):
        changes["pin"] = ""
    try:
        services.order_update(actor=actor, order=order, changes=changes)
    except DomainError as exc:
        apply_domain_error(form, exc)
        return _render_error(request, actor, order, "final", exc, final_form=form)
    messages.success(request, "Final order saved." if changes else "Nothing changed.")
    return _back(order, "final")


@portal_view
@require_POST
def order_complete(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = request_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    try:
        services.order_complete(actor=actor, order=order)
    except DomainError as exc:
        return _render_error(request, actor, order, "summary", exc)
    messages.success(
        request,
        "Onboarding complete: the Onboarding Complete email went to the channel partner and "
        "the client.",
    )
    return _back(order, "summary")


@portal_view
@require_POST
def order_assign(request: HttpRequest, order_id: int) -> HttpResponse:
    """Configuration fix: route an unassigned number to a fax user."""
    actor = request_actor(request)
    order = selectors.order_get(actor=actor, order_id=order_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        error = ValidationFailed("Choose a fax user for the number.", field="user_id")
        return _render_error(request, actor, order, "configuration", error)
    try:
        number = services.configuration_assign_number(
            actor=actor,
            order=order,
            number=form.cleaned_data["number"],
            user_id=form.cleaned_data["user"],
        )
    except DomainError as exc:
        if isinstance(exc, NotFound) and exc.field == "order_id":
            raise
        return _render_error(request, actor, order, "configuration", exc)
    messages.success(request, f"{display_number(number.number)} is now routed to {number.user}.")
    return _back(order, "configuration", "numbers")


# --- FOC day --------------------------------------------------------------------------


@portal_view
@require_GET
def ports_tomorrow(request: HttpRequest) -> HttpResponse:
    """Ports scheduled on the next business day, with what is missing for each number."""
    actor = request_actor(request)
    today = timezone.localdate()
    scheduled = selectors.ports_next_business_day(actor=actor, today=today)
    return render(
        request,
        "onboarding/ports_tomorrow.html",
        {
            "scheduled": scheduled,
            "today": today,
            "next_us": next_business_day(today, country="US"),
            "next_ca": next_business_day(today, country="CA"),
            "ready_count": sum(1 for s in scheduled if s.ready),
            "activation": Activation,
        },
    )
