"""+ New Port Request: the wizard (Contact Information, Numbers, Carrier, Authorized Person,
Service Address, Port Type and Confirmation) with its live first-time-right checks; Finish
creates the Draft and gives the tracking ID and the next steps.

Besides Back, Next and Finish the wizard's buttons stay on their step: ``check`` (the live
checks after a change), ``import`` (numbers pasted or uploaded), ``add_number``,
``remove:<row>`` and ``address`` (an address chosen, or + New Service Address)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from faxline.accounts.access import Actor, request_actor
from faxline.accounts.models import Company
from faxline.accounts.selectors import actor_company, company_get
from faxline.core.errors import DomainError
from faxline.numbers.plan import display_number
from faxline.onboarding.selectors import PortIntent, pending_port_intents
from faxline.portal.toolkit import Wizard, is_htmx, portal_view, render_page
from faxline.porting import access
from faxline.porting.models import PortRequest
from faxline.porting.portal.forms import (
    LINE_TYPE_CHOICES,
    NEW_ADDRESS,
    NewPortRequestForm,
    read_upload,
)
from faxline.porting.portal.views.common import (
    companies_to_pick,
    detail_url,
    int_or,
    loa_url,
    next_steps,
)
from faxline.porting.portal.views.live_checks import (
    LiveFindings,
    Placed,
    form_field_of,
    label_of,
    live_findings,
)
from faxline.porting.requests import addresses, services

STAY = ("check", "import", "add_number", "remove", "address")


def _company(request: HttpRequest, actor: Actor) -> Company | None:
    """The company of the request: the administrator's own; an operator or partner picks."""
    if actor.user.company_id is not None and not actor.spans_companies:
        return actor_company(actor=actor)
    raw = (request.POST.get("company") or request.GET.get("company") or "").strip()
    if raw.isdigit():
        return company_get(actor=actor, company_id=int(raw))
    return None


def _posted(request: HttpRequest) -> QueryDict | None:
    """What was posted, with + New Service Address as the ``address`` action on "new"."""
    if request.method != "POST":
        return None
    data = request.POST.copy()
    if data.get("action") == "new_address":
        data["address_choice"] = NEW_ADDRESS
        data["action"] = "address"
    return data


def _intent_of(request: HttpRequest, actor: Actor) -> PortIntent | None:
    """The onboarding porting intent named by ``?intent=`` (Keep my number), if visible."""
    raw = request.GET.get("intent", "")
    if not raw.isdigit():
        return None
    return next((i for i in pending_port_intents(actor=actor) if i.order_id == int(raw)), None)


def _initial(
    request: HttpRequest, actor: Actor, company: Company | None
) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
    """A new wizard's values: the administrator as the contact, and what an onboarding
    order already says (Keep my number)."""
    initial: dict[str, Any] = {}
    if not actor.is_operator:
        user = actor.user
        initial = {
            "contact_first_name": user.first_name,
            "contact_last_name": user.last_name,
            "contact_email": user.email,
        }
    if company is not None:
        initial["company"] = company.pk
    intent = _intent_of(request, actor)
    if intent is None:
        return initial, None
    initial.update(
        {
            "losing_carrier": intent.current_carrier,
            "authorized_name": intent.authorized_user_name,
            "authorized_title": intent.authorized_user_title,
            "requested_date": intent.port_date,
        }
    )
    return initial, [(number, "landline") for number, _use in intent.numbers]


def _take_numbers(request: HttpRequest, wizard: Wizard[NewPortRequestForm]) -> list[str]:
    """Numbers pasted or uploaded on the Numbers step become rows (on Add these numbers,
    Next or Finish); a problem keeps the wizard on the step to show it."""
    form = wizard.form
    problems: list[str] = []
    text = (request.POST.get("numbers_paste") or "").strip()
    upload = request.FILES.get("numbers_file")
    if wizard.action not in ("import", "next", "finish") or wizard.step != 2:
        return problems
    if not (text or upload):
        return problems
    try:
        if text:
            problems += form.import_numbers(text)
        if upload is not None:
            problems += form.import_numbers(read_upload(upload))
    except DomainError as exc:
        problems.append(exc.message)
    if problems:
        wizard.action = "import"
    return problems


def _create(actor: Actor, company: Company, form: NewPortRequestForm) -> PortRequest:
    """The Draft (and the new service address, when it is to be kept), all or nothing: one
    service call."""
    save_address = form.address_mode == "new" and bool(form.cleaned_data.get("save_address"))
    return services.port_request_create(
        actor=actor, company=company, data=form.service_data(), save_address=save_address
    )


@portal_view
@require_http_methods(["GET", "POST"])
def port_new(request: HttpRequest) -> HttpResponse:
    """+ New Port Request: Contact Information, Numbers, Carrier, Authorized Person, Service
    Address, Port Type and Confirmation; Finish creates the Draft and gives the tracking ID."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    access.may_write_requests(actor).check()
    company = _company(request, actor)
    book = list(addresses.service_address_list(actor=actor, company=company)) if company else []
    initial: dict[str, Any] = {}
    initial_numbers: list[tuple[str, str]] | None = None
    if request.method != "POST":
        initial, initial_numbers = _initial(request, actor, company)
    form = NewPortRequestForm(
        _posted(request),
        request.FILES or None,
        initial=initial,
        companies=companies_to_pick(actor),
        addresses=book,
        initial_numbers=initial_numbers,
    )
    wizard = Wizard(request, form)
    import_problems = _take_numbers(request, wizard)
    if wizard.action == "add_number":
        form.add_row()
    elif wizard.action.startswith("remove:"):
        form.remove_row(int_or(wizard.action.split(":", 1)[1], -1))
    wizard.advance(stay=STAY)
    if wizard.stays(STAY) and wizard.action != "import":
        # Staying on the step is not a judgement of it: only the live checks speak.
        form.errors.clear()
        if wizard.action != "check":
            for row in form.rows:
                row.error = ""
    if wizard.finish:
        if company is None:
            wizard.refuse("company", "Choose the company.")
        else:
            done = wizard.submit(lambda: _create(actor, company, form))
            if done is not None:
                return _done(request, done)
    live = live_findings(
        form, step=wizard.step, reached=wizard.reached, check=wizard.action == "check"
    )
    context = _context(wizard, live, import_problems, company=company)
    if wizard.action == "check" and is_htmx(request):
        return render(request, "porting/_wizard_live.html", context)
    return wizard.render("porting/new.html", context, card="porting/_new_request_wizard.html")


def _done(request: HttpRequest, port: PortRequest) -> HttpResponse:
    """The tracking ID and the next steps, in place of the wizard."""
    context = {
        "done": port,
        "loa_url": loa_url(port),
        "files_url": detail_url(port.pk, "files"),
        "detail_url": detail_url(port.pk),
        "next_steps": next_steps(port),
    }
    return render_page(
        request, "porting/new.html", context, partials={"fx-wizard": "porting/_wizard_done.html"}
    )


def _context(
    wizard: Wizard[NewPortRequestForm],
    live: LiveFindings,
    import_problems: list[str],
    **extra: Any,
) -> dict[str, Any]:
    form = wizard.form
    context = wizard.context(**extra)
    for step in context["steps"]:
        step.notices = live.step(step.number)
    data = getattr(form, "cleaned_data", {}) or {}
    chosen = form.chosen_address if form.address_mode == "existing" else None
    summary = None
    if wizard.is_last:
        summary = {
            "numbers": [display_number(r.e164) for r in form.rows if r.e164],
            "btn": display_number(data["btn"]) if data.get("btn") else "",
            "new_btn": display_number(data["new_btn"]) if data.get("new_btn") else "",
            "business_name": data.get("business_name", ""),
            "address": str(chosen) if chosen else _address_line(data),
            "country": data.get("country", ""),
            "losing_carrier": data.get("losing_carrier", ""),
            "authorized": ", ".join(
                x for x in (data.get("authorized_name"), data.get("authorized_title")) if x
            ),
            "contact": " ".join(
                x for x in (data.get("contact_first_name"), data.get("contact_last_name")) if x
            ),
            "port_type": dict(form.fields["port_type"].choices).get(  # type: ignore[attr-defined]
                data.get("port_type", ""), ""
            ),
            "requested_date": data.get("requested_date"),
        }
    titles = {number: title for number, (title, _) in enumerate(form.STEPS, start=1)}
    panel: list[Placed] = []
    if wizard.is_last:
        panel = [Placed(f, titles[s]) for s in sorted(live.by_step) for f in live.by_step[s]]
    else:
        panel = [Placed(f, titles[s]) for s, f in live.earlier(wizard.step)]
        if wizard.action == "check":
            panel = [
                Placed(f, label_of(form, form_field_of(f.field)[0])) for f in live.step(wizard.step)
            ] + panel
    context.update(
        live_panel=panel,
        live_ok=wizard.action == "check"
        and not panel
        and not (wizard.step == 2 and any(r.error for r in form.rows)),
        live=live,
        import_problems=import_problems,
        rows=form.rows,
        line_types=LINE_TYPE_CHOICES,
        address_mode=form.address_mode,
        chosen_address=chosen,
        shared_checked=bool(data.get("shared_line_uses")),
        partial=(form.data.get("port_type") if form.is_bound else "") == "partial",
        summary=summary,
        cancel_url=reverse("porting:list"),
        bulk_url=reverse("porting:bulk"),
    )
    return context


def _address_line(data: dict[str, Any]) -> str:
    if not data.get("street"):
        return ""
    unit = f", {data['unit']}" if data.get("unit") else ""
    place = f"{data.get('city', '')}, {data.get('state', '')} {data.get('postal_code', '')}"
    return f"{data['street']}{unit}, {place}"
