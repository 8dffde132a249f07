"""Number Porting in the portal (Settings ▸ Number Porting), the customer's side: the Port
Requests list, the + New Port Request wizard with live first-time-right checks, a request's
details (Details, Files, Notes, Timeline), Submit, Cancel, Edit / Fix and resubmit, Request
a change, and the bulk import.

Every read goes through ``porting.selectors`` and every write through the porting services
(which enforce the rights); the pages only hide what the acting person cannot do. htmx swaps
wizard steps and tab panes; without JavaScript the same URLs answer with whole pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

import phonenumbers
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from pydantic import ValidationError as PydanticValidationError

from faxline.accounts.access import Actor, request_actor
from faxline.accounts.models import Company
from faxline.accounts.selectors import actor_company, company_get, company_list
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.numbers.plan import display_number
from faxline.onboarding.selectors import PortIntent, pending_port_intents
from faxline.portal.forms import apply_domain_error
from faxline.porting import access
from faxline.porting.choices import EDITABLE, SUBMITTED, ChangeStatus, DocumentKind, PortStatus
from faxline.porting.models import PortRequest
from faxline.porting.portal.forms import (
    LINE_TYPE_CHOICES,
    NEW_ADDRESS,
    SHARED_USE_CHOICES,
    BulkPortForm,
    CancelForm,
    ChangeRequestForm,
    DecideChangeForm,
    NewPortRequestForm,
    NoteForm,
    PortEditForm,
    PortListFilter,
    read_upload,
)
from faxline.porting.requests import addresses, bulk, changes, selectors, services
from faxline.porting.requests.remedies import remedy_for
from faxline.porting.validation import parse_request, validate
from faxline.porting.validation.checks import (
    context_for,
    findings_of,
    latest_document,
    loa_signed_for,
)
from faxline.porting.validation.codes import Finding

View = Callable[..., HttpResponse]
TABS = (("details", "Details"), ("files", "Files"), ("notes", "Notes"), ("timeline", "Timeline"))
NEXT_STEP_PREFIXES = ("loa", "bill", "csr")
STATUS_STYLES = {
    PortStatus.DRAFT: "draft",
    PortStatus.NEW: "new",
    PortStatus.PENDING: "pending",
    PortStatus.IN_PROGRESS: "progress",
    PortStatus.SCHEDULED: "scheduled",
    PortStatus.COMPLETED: "completed",
    PortStatus.REJECTED: "rejected",
    PortStatus.CANCELLED: "cancelled",
}


# --- plumbing -------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if _is_htmx(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _detail_url(request_id: int, tab: str = "") -> str:
    url = reverse("porting:detail", args=[request_id])
    return f"{url}?tab={tab}" if tab else url


def porting_view(view: View) -> View:
    """Sign-in required. Outside the actor's scope is 404; a refusal on a request the actor
    sees is a message on the request; no access to Number Porting at all is a 403 page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            request_id = kwargs.get("request_id")
            if request_id is not None and exc.code != "no_porting":
                messages.error(request, exc.message)
                return _redirect(request, _detail_url(request_id))
            return render(request, "porting/forbidden.html", {"message": exc.message}, status=403)

    return wrapper


def _companies(actor: Actor) -> list[tuple[int, str]]:
    """The companies an operator or partner may pick (administrators have their own)."""
    if not (actor.is_operator or actor.is_partner):
        return []
    return [(c.pk, c.name) for c in company_list(actor=actor)]


def loa_url(port: PortRequest) -> str | None:
    """The LOA sign page (the documents engineer's), when it is installed."""
    try:
        return reverse("porting:loa", args=[port.pk])
    except NoReverseMatch:
        return None


def status_style(status: str) -> str:
    return STATUS_STYLES.get(PortStatus(status), "draft") if status in PortStatus.values else ""


# --- the list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    port: PortRequest
    numbers: list[str]
    more: int
    style: str


@porting_view
@require_GET
def port_list(request: HttpRequest) -> HttpResponse:
    """Settings ▸ Number Porting: the Port Requests list with the guide's columns."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    filters = PortListFilter(request.GET or None)
    values = filters.values()
    qs = selectors.port_request_list(
        actor=actor,
        status=values["status"] or None,
        search=values["q"],
        action_required=True if values["action_required"] else None,
    ).prefetch_related("numbers")
    paginator = Paginator(qs, values["rows"])
    page = paginator.get_page(values["page"])
    rows = []
    for port in page.object_list:
        numbers = [n.number for n in port.numbers.all()]
        rows.append(
            ListRow(
                port=port,
                numbers=[display_number(n) for n in numbers[:2]],
                more=max(len(numbers) - 2, 0),
                style=status_style(port.status),
            )
        )
    base = {k: str(v) for k, v in values.items() if k != "page" and v not in ("", False)}
    if values["rows"] == 10:
        base.pop("rows", None)

    def page_url(number: int) -> str:
        return "?" + urlencode({**base, "page": str(number)})

    context = {
        "filters": filters,
        "values": values,
        "rows": rows,
        "page": page,
        "paginator": paginator,
        "first_url": page_url(1),
        "prev_url": page_url(page.previous_page_number()) if page.has_previous() else None,
        "next_url": page_url(page.next_page_number()) if page.has_next() else None,
        "last_url": page_url(paginator.num_pages),
        "page_urls": [(n, page_url(n)) for n in paginator.page_range],
        "status_choices": PortListFilter.base_fields["status"].choices,  # type: ignore[attr-defined]
        "row_counts": (10, 15, 25, 50),
        "shows_company": actor.is_operator or actor.is_partner,
        "can_write": access.may_write_requests(actor),
        "is_customer": not actor.is_operator,
        "filtered": bool(values["status"] or values["q"] or values["action_required"]),
    }
    context["intents"] = (
        pending_port_intents(actor=actor) if access.may_write_requests(actor) else []
    )
    return render(request, "porting/list.html", context)


# --- live first-time-right checks of the wizard ------------------------------------------


@dataclass
class LiveFindings:
    """The findings of the wizard's data so far, placed where the page shows them."""

    by_field: dict[str, list[Finding]] = field(default_factory=dict)
    by_row: dict[int, list[Finding]] = field(default_factory=dict)
    by_step: dict[int, list[Finding]] = field(default_factory=dict)
    next_steps: list[Finding] = field(default_factory=list)
    checked: bool = False

    def step(self, number: int) -> list[Finding]:
        return self.by_step.get(number, [])

    def earlier(self, current: int) -> list[tuple[int, Finding]]:
        return [(s, f) for s in sorted(self.by_step) if s < current for f in self.by_step[s]]

    @property
    def errors(self) -> int:
        return sum(1 for fs in self.by_step.values() for f in fs if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for fs in self.by_step.values() for f in fs if f.severity == "warning")


ENGINE_FIELDS = {
    "btn": "btn",
    "new_btn": "new_btn",
    "losing_carrier": "losing_carrier",
    "account_number": "account_number",
    "pin": "pin",
    "business_name": "business_name",
    "authorized_person": "authorized_name",
    "authorized_person.name": "authorized_name",
    "authorized_person.title": "authorized_title",
    "shared_line_uses": "shared_line_uses",
    "port_type": "port_type",
}
PLACEHOLDER_ADDRESS = {
    "US": {"street": "1 Main St", "city": "Seattle", "state": "WA", "postal_code": "98101"},
    "CA": {"street": "1 Main St", "city": "Ottawa", "state": "ON", "postal_code": "K1A 0B1"},
}


def form_field_of(path: str) -> tuple[str, int | None]:
    """The wizard's field (and number row) an engine finding's JSON path is about."""
    if path.startswith("numbers["):
        index = int(path[len("numbers[") : path.index("]")])
        return "numbers", index
    if path.startswith("service_address."):
        return path.split(".", 1)[1].split("[", 1)[0], None
    return ENGINE_FIELDS.get(path, path.split(".", 1)[0]), None


def engine_input(
    data: dict[str, Any], numbers: list[tuple[str, str]]
) -> tuple[dict[str, Any], set[str]]:
    """The validator's JSON for the wizard's data so far, and the paths filled with
    placeholders (their findings are not the customer's)."""
    placeholders: set[str] = set()
    first = phonenumbers.parse(numbers[0][0], "US")
    number_country = phonenumbers.region_code_for_number(first)
    number_country = number_country if number_country in ("US", "CA") else "US"

    def text(name: str) -> str:
        value = data.get(name)
        return value.strip() if isinstance(value, str) else ""

    carrier = text("losing_carrier")
    if not carrier:
        carrier = "(not yet given)"
        placeholders.add("losing_carrier")
    business = text("business_name")
    if not business:
        business = "(not yet given)"
        placeholders.add("business_name")
    address = {name: text(name) for name in ("street", "unit", "city", "state", "postal_code")}
    country = text("country") or number_country
    if not all(address[n] for n in ("street", "city", "state", "postal_code")):
        address = {**PLACEHOLDER_ADDRESS[number_country], "unit": ""}
        country = number_country
        placeholders.add("service_address")
    name = text("authorized_name")
    payload = {
        "as_of": timezone.localdate().isoformat(),
        "numbers": [{"number": n, "line_type": t} for n, t in numbers],
        "port_type": text("port_type") or "full",
        "btn": text("btn") or None,
        "new_btn": text("new_btn") or None,
        "losing_carrier": carrier,
        "account_number": text("account_number") or None,
        "pin": text("pin") or None,
        "business_name": business,
        "authorized_person": {"name": name, "title": text("authorized_title") or None}
        if name
        else None,
        "service_address": {**address, "unit": address.get("unit") or None, "country": country},
        "loa": None,
        "bill": None,
        "csr": None,
        "shared_line_uses": list(data.get("shared_line_uses") or []),
    }
    return payload, placeholders


def live_findings(
    form: NewPortRequestForm, *, step: int, reached: int, check: bool
) -> LiveFindings:
    """Run the first-time-right engine on the wizard's data so far. Missing documents are
    "next steps"; findings of steps not reached yet, or about fields still empty on the
    current step, wait."""
    live = LiveFindings(checked=True)
    data = dict(getattr(form, "cleaned_data", {}) or {})
    numbers = [(r.e164, r.line_type) for r in form.rows if r.e164 and not r.error]
    if not numbers:
        return live
    payload, placeholders = engine_input(data, numbers)
    try:
        findings = validate(parse_request(payload), context=context_for(None))
    except PydanticValidationError:
        return live
    for found in findings:
        root = found.field.split(".", 1)[0].split("[", 1)[0]
        if root in NEXT_STEP_PREFIXES:
            live.next_steps.append(found)
            continue
        if root in placeholders or (
            found.field == "service_address.country" and "service_address" in placeholders
        ):
            continue
        name, row = form_field_of(found.field)
        where = form.step_of(name)
        if where > max(step, reached):
            continue
        if where == step and reached <= step:
            value = data.get(name) if name != "numbers" else numbers
            if not (check and value):
                continue
        live.by_step.setdefault(where, []).append(found)
        if row is not None:
            live.by_row.setdefault(row, []).append(found)
        else:
            live.by_field.setdefault(name, []).append(found)
    for row_ in form.rows:
        row_.findings = live.by_row.get(row_.index, [])
    return live


# --- the wizard -------------------------------------------------------------------------


@dataclass
class WizardState:
    form: NewPortRequestForm
    step: int
    reached: int
    action: str
    finish: bool = False
    import_problems: list[str] = field(default_factory=list)


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw or default)
    except ValueError:
        return default


def _wizard(request: HttpRequest, form: NewPortRequestForm) -> WizardState:
    """Move the wizard by the button pressed: Back, Next (judges the step left), Finish,
    or stay (live check, add / remove / import numbers, choose an address)."""
    count = form.step_count()
    if request.method != "POST":
        return WizardState(form, 1, 1, "start")
    step = min(max(_int(request.POST.get("step"), 1), 1), count)
    reached = min(max(_int(request.POST.get("reached"), step), step), count)
    action = request.POST.get("action") or "next"
    state = WizardState(form, step, reached, action)
    text = (request.POST.get("numbers_paste") or "").strip()
    upload = request.FILES.get("numbers_file")
    if action in ("import", "next", "finish") and step == 2 and (text or upload):
        try:
            if text:
                state.import_problems += form.import_numbers(text)
            if upload is not None:
                state.import_problems += form.import_numbers(read_upload(upload))
        except DomainError as exc:
            state.import_problems.append(exc.message)
        if action != "import" and state.import_problems:
            action = state.action = "import"
    if action == "add_number":
        form.add_row()
    elif action.startswith("remove:"):
        form.remove_row(_int(action.split(":", 1)[1], -1))
    form.is_valid()
    if action == "back":
        form.errors.clear()
        state.step = max(step - 1, 1)
        return state
    if action in ("check", "import", "add_number", "address") or action.startswith("remove:"):
        form.keep_errors_of_step(step)
        if action != "import":
            form.errors.clear()
            if action != "check":
                for row in form.rows:
                    row.error = ""
        return state
    if action == "finish" or (action == "next" and step == count):
        first = form.first_step_with_errors()
        if first is not None:
            state.step = first
            return state
        state.step = count
        state.finish = True
        return state
    form.keep_errors_of_step(step)
    if form.errors_in_step(step):
        return state
    form.errors.clear()
    state.step = min(step + 1, count)
    state.reached = max(reached, state.step)
    return state


def _wizard_company(request: HttpRequest, actor: Actor) -> Company | None:
    """The company of the request: the administrator's own; an operator or partner picks."""
    if actor.user.company_id is not None and not (actor.is_operator or actor.is_partner):
        return actor_company(actor=actor)
    raw = (request.POST.get("company") or request.GET.get("company") or "").strip()
    if raw.isdigit():
        return company_get(actor=actor, company_id=int(raw))
    return None


def _wizard_data(request: HttpRequest) -> QueryDict | None:
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


@porting_view
@require_http_methods(["GET", "POST"])
def port_new(request: HttpRequest) -> HttpResponse:
    """+ New Port Request: Contact Information, Numbers, Carrier, Authorized Person, Service
    Address, Port Type and Confirmation; Finish creates the Draft and gives the tracking ID."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    access.may_write_requests(actor).check()
    company = _wizard_company(request, actor)
    book = list(addresses.service_address_list(actor=actor, company=company)) if company else []
    initial: dict[str, Any] = {}
    initial_numbers: list[tuple[str, str]] | None = None
    if request.method != "POST":
        user = actor.user
        if not actor.is_operator:
            initial = {
                "contact_first_name": user.first_name,
                "contact_last_name": user.last_name,
                "contact_email": user.email,
            }
        if company is not None:
            initial["company"] = company.pk
        intent = _intent_of(request, actor)
        if intent is not None:
            initial_numbers = [(number, "landline") for number, _use in intent.numbers]
            initial.update(
                {
                    "losing_carrier": intent.current_carrier,
                    "authorized_name": intent.authorized_user_name,
                    "authorized_title": intent.authorized_user_title,
                    "requested_date": intent.port_date,
                }
            )
    form = NewPortRequestForm(
        _wizard_data(request),
        request.FILES or None,
        initial=initial,
        companies=_companies(actor),
        addresses=book,
        initial_numbers=initial_numbers if request.method != "POST" else None,
    )
    state = _wizard(request, form)
    if state.finish:
        if company is None:
            form.add_error("company", "Choose the company.")
            state.step = 1
        else:
            done = _wizard_finish(actor, company, form)
            if done is not None:
                return render(
                    request,
                    "porting/new.html",
                    {
                        "done": done,
                        "loa_url": loa_url(done),
                        "files_url": _detail_url(done.pk, "files"),
                        "detail_url": _detail_url(done.pk),
                        "next_steps": _next_steps(done),
                    },
                )
            state.step = form.first_step_with_errors() or state.step
    live = live_findings(
        form, step=state.step, reached=state.reached, check=state.action == "check"
    )
    context = _wizard_context(state, live, company=company)
    if state.action == "check" and _is_htmx(request):
        return render(request, "porting/_wizard_live.html", context)
    return render(request, "porting/new.html", context)


def _wizard_finish(actor: Actor, company: Company, form: NewPortRequestForm) -> PortRequest | None:
    data = form.service_data()
    save_address = form.address_mode == "new" and bool(form.cleaned_data.get("save_address"))
    try:
        return services.port_request_create(
            actor=actor, company=company, data=data, save_address=save_address
        )
    except NotFound:
        raise
    except DomainError as exc:
        name = exc.field or ""
        if name.startswith("numbers"):
            name = "numbers"
        if name not in form.fields:
            name = ""
        form.add_error(name or None, exc.message)
    return None


def _wizard_context(state: WizardState, live: LiveFindings, **extra: Any) -> dict[str, Any]:
    form = state.form
    steps = [
        {
            "number": number,
            "title": title,
            "current": number == state.step,
            "done": number < state.step,
            "has_errors": form.is_bound and form.errors_in_step(number),
            "findings": live.step(number),
        }
        for number, (title, _) in enumerate(form.STEPS, start=1)
    ]
    data = getattr(form, "cleaned_data", {}) or {}
    chosen = form.chosen_address if form.address_mode == "existing" else None
    summary = None
    if state.step == form.step_count():
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
    if state.step == form.step_count():
        panel = [Placed(f, titles[s]) for s in sorted(live.by_step) for f in live.by_step[s]]
    else:
        panel = [Placed(f, titles[s]) for s, f in live.earlier(state.step)]
        if state.action == "check":
            panel = [
                Placed(f, _label_of(form, form_field_of(f.field)[0])) for f in live.step(state.step)
            ] + panel
    return {
        "form": form,
        "steps": steps,
        "live_panel": panel,
        "live_ok": state.action == "check"
        and not panel
        and not (state.step == 2 and any(r.error for r in form.rows)),
        "step": state.step,
        "reached": state.reached,
        "step_count": form.step_count(),
        "is_last": state.step == form.step_count(),
        "action": state.action,
        "live": live,
        "import_problems": state.import_problems,
        "rows": form.rows,
        "line_types": LINE_TYPE_CHOICES,
        "address_mode": form.address_mode,
        "chosen_address": chosen,
        "shared_checked": bool(data.get("shared_line_uses")),
        "partial": (form.data.get("port_type") if form.is_bound else "") == "partial",
        "summary": summary,
        "cancel_url": reverse("porting:list"),
        "bulk_url": reverse("porting:bulk"),
        **extra,
    }


@dataclass(frozen=True)
class Placed:
    """A finding with where it is about (a step's or a field's name)."""

    finding: Finding
    where: str = ""


def _label_of(form: NewPortRequestForm, name: str) -> str:
    if name == "numbers":
        return "Numbers to port"
    found = form.fields.get(name)
    return str(found.label) if found is not None and found.label else changes.field_label(name)


def _address_line(data: dict[str, Any]) -> str:
    if not data.get("street"):
        return ""
    unit = f", {data['unit']}" if data.get("unit") else ""
    place = f"{data.get('city', '')}, {data.get('state', '')} {data.get('postal_code', '')}"
    return f"{data['street']}{unit}, {place}"


# --- a request's details ------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    title: str
    text: str
    done: bool
    url: str | None = None
    url_label: str = ""


def _next_steps(port: PortRequest) -> list[NextStep]:
    """Sign the LOA, add the bill (and CSR), then Submit: where the request stands."""
    signed = loa_signed_for(port)
    bill = latest_document(port, DocumentKind.BILL)
    csr = latest_document(port, DocumentKind.CSR)
    sign_url = loa_url(port)
    return [
        NextStep(
            "Sign the Letter of Authorization",
            "The authorized person signs the LOA in the portal; without it the losing "
            "carrier cannot release the numbers.",
            signed,
            sign_url if not signed else None,
            "Sign the LOA",
        ),
        NextStep(
            "Upload your latest bill",
            "A copy of the current carrier's most recent bill (within 30 days), showing the "
            "account name and service address.",
            bill is not None,
            _detail_url(port.pk, "files") if bill is None else None,
            "Open Files",
        ),
        NextStep(
            "Add the Customer Service Record (recommended)",
            "The CSR shows the BTN, name and service address exactly as the losing carrier "
            "has them; including it prevents most rejections.",
            csr is not None,
            _detail_url(port.pk, "files") if csr is None else None,
            "Open Files",
        ),
    ]


def _findings_view(port: PortRequest) -> tuple[list[Finding], list[Finding], bool]:
    """The findings of a Draft / Rejected request: (problems, document steps, LOA signed)."""
    findings = findings_of(port)
    documents = [f for f in findings if f.field.split(".")[0].split("[")[0] in NEXT_STEP_PREFIXES]
    problems = [f for f in findings if f not in documents]
    return problems, documents, loa_signed_for(port)


def _detail_context(request: HttpRequest, actor: Actor, port: PortRequest) -> dict[str, Any]:
    tab = request.GET.get("tab", "details")
    if tab not in dict(TABS):
        tab = "details"
    can_write = bool(access.may_change_request(actor, port))
    cancel = access.may_cancel(actor, port)
    # Beside the request, only the rule a customer can act on is worth a sentence.
    cancel_rule = cancel.reason if cancel.code == "cancel_needs_porting_team" else ""
    editable = port.status in EDITABLE
    problems: list[Finding] = []
    documents: list[Finding] = []
    signed = loa_signed_for(port)
    if editable:
        problems, documents, signed = _findings_view(port)
    open_changes = list(
        changes.change_requests_of(actor=actor, request=port).filter(status=ChangeStatus.OPEN)
    )
    context: dict[str, Any] = {
        "port": port,
        "actor": actor,
        "tab": tab,
        "tabs": TABS,
        "style": status_style(port.status),
        "numbers": [(n, display_number(n.number)) for n in port.numbers.all()],
        "btn_display": display_number(port.btn) if port.btn else "",
        "new_btn_display": display_number(port.new_btn) if port.new_btn else "",
        "can_write": can_write,
        "is_team": access.may_act_as_porting_team(actor),
        "can_submit": can_write and editable,
        "show_eta": port.status in SUBMITTED,
        "can_edit": can_write and editable,
        "can_change": can_write and port.status in SUBMITTED,
        "can_cancel": cancel,
        "cancel_rule": cancel_rule,
        "editable": editable,
        "problems": problems,
        "blocking": [f for f in problems if f.severity == "error"],
        "documents": documents,
        "loa_signed": signed,
        "loa_url": loa_url(port),
        "next_steps": _next_steps(port) if editable else [],
        "remedy": remedy_for(port.rejection_code) if port.rejection_code else "",
        "fields_to_fix": [changes.field_label(n) for n in port.fields_to_fix],
        "fees": [(fee, f"${fee.amount_cents / 100:,.2f}") for fee in port.fees.all()],
        "open_changes": [(c, changes.change_lines(c)) for c in open_changes],
        "account_masked": changes.masked_value("account_number", port.account_number),
        "has_pin": bool(port.pin),
        "shared_labels": [dict(SHARED_USE_CHOICES).get(u, u) for u in port.shared_line_uses or []],
    }
    if tab == "notes":
        context.update(_notes_context(actor, port))
    elif tab == "timeline":
        context["timeline"] = selectors.timeline(actor=actor, request=port)
        context["status_labels"] = PortStatus.choices
    elif tab == "files":
        context["files_template"] = _files_template()
    return context


def _files_template() -> str:
    """The documents engineer's Files tab once it is installed, else a placeholder."""
    try:
        template = select_template(["porting/files_tab.html", "porting/_files_pending.html"])
    except TemplateDoesNotExist:  # pragma: no cover - the placeholder is ours
        return "porting/_files_pending.html"
    name = getattr(getattr(template, "template", None), "name", None)
    return name or "porting/_files_pending.html"


def _notes_context(actor: Actor, port: PortRequest, form: NoteForm | None = None) -> dict[str, Any]:
    notes = list(selectors.notes_of(actor=actor, request=port))
    return {
        "notes": notes,
        "note_form": form or NoteForm(),
        "can_note": access.may_change_request(actor, port),
        "is_team": access.may_act_as_porting_team(actor),
    }


@porting_view
@require_GET
def port_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """A request's details: header, action-required banner, tabs and actions."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    context = _detail_context(request, actor, port)
    target = getattr(getattr(request, "htmx", None), "target", None)
    if target == "fx-port-tab":
        return render(request, "porting/_details_tab.html", context)
    return render(request, "porting/detail.html", context)


@porting_view
@require_POST
def port_submit(request: HttpRequest, request_id: int) -> HttpResponse:
    """Submit (or resubmit after the fix): refused with the findings that block it."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    try:
        services.port_request_submit(actor=actor, request=port)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        port.refresh_from_db()
        eta = f" Estimated completion: {port.eta:%b %-d, %Y}." if port.eta else ""
        messages.success(request, f"Port request {port.pk} was submitted to the porting team.{eta}")
    return _redirect(request, _detail_url(port.pk))


@porting_view
@require_http_methods(["GET", "POST"])
def port_cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    """Cancel, with the rules: customers while Draft, New or Rejected; within 48 hours of
    the FOC only the porting team."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    cancel = access.may_cancel(actor, port)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.port_request_cancel(
                actor=actor, request=port, reason=form.cleaned_data["reason"]
            )
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Port request {port.pk} was cancelled.")
        return _redirect(request, _detail_url(port.pk))
    return render(
        request,
        "porting/confirm_cancel.html",
        {
            "port": port,
            "form": form,
            "allowed": cancel,
            "rule": cancel.reason,
            "back_url": _detail_url(port.pk),
        },
    )


@porting_view
@require_POST
def port_note(request: HttpRequest, request_id: int) -> HttpResponse:
    """Post a note (customers to the porting team; the team also privately)."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.port_note_add(
                actor=actor,
                request=port,
                body=form.cleaned_data["body"],
                private=bool(form.cleaned_data.get("private")),
                action_required=bool(form.cleaned_data.get("action_required")),
            )
        except NotFound:
            raise
        except Forbidden as exc:
            form.add_error(None, exc.message)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if not _is_htmx(request):
                messages.success(request, "Your note was added.")
                return redirect(_detail_url(port.pk, "notes"))
            form = NoteForm()
            port.refresh_from_db()
    if _is_htmx(request):
        return render(
            request, "porting/_notes.html", {"port": port, **_notes_context(actor, port, form)}
        )
    context = _detail_context(request, actor, port)
    context.update(tab="notes", **_notes_context(actor, port, form))
    return render(request, "porting/detail.html", context, status=422)


# --- Edit / Fix and resubmit -------------------------------------------------------------


@porting_view
@require_http_methods(["GET", "POST"])
def port_edit(request: HttpRequest, request_id: int) -> HttpResponse:
    """Edit a Draft, or only the fields a rejection reopened (Fix and resubmit)."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    access.may_change_request(actor, port).check()
    if port.status not in EDITABLE:
        messages.error(
            request,
            "This request is with the porting team: ask for the change with Request a change.",
        )
        return _redirect(request, _detail_url(port.pk))
    allowed = None
    if port.status == PortStatus.REJECTED and port.fields_to_fix:
        allowed = list(port.fields_to_fix)
    data = request.POST.copy() if request.method == "POST" else None
    form = PortEditForm(data, port=port, allowed=allowed)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    if action == "add_number":
        form.add_row()
    elif action.startswith("remove:"):
        form.remove_row(_int(action.split(":", 1)[1], -1))
    if action == "save" and form.is_valid():
        wanted = form.changes()
        if not wanted:
            messages.info(request, "Nothing changed.")
            return _redirect(request, _detail_url(port.pk))
        signed_before = loa_signed_for(port)
        try:
            services.port_request_update(actor=actor, request=port, data=wanted)
        except NotFound:
            raise
        except DomainError as exc:
            name = "numbers" if (exc.field or "").startswith("numbers") else exc.field
            form.add_error(name if name in form.fields else None, exc.message)
        else:
            text = "Your changes were saved."
            if signed_before and not loa_signed_for(port):
                text += " The Letter of Authorization states what changed: sign it again."
            messages.success(request, text)
            return _redirect(request, _detail_url(port.pk))
    elif action and action != "save":
        form.is_valid()
        form.errors.clear()
    return render(
        request,
        "porting/edit.html",
        {
            "port": port,
            "form": form,
            "rows": form.rows,
            "line_types": LINE_TYPE_CHOICES,
            "sections": form.sections(),
            "fixing": allowed is not None,
            "fields_to_fix": [changes.field_label(n) for n in port.fields_to_fix],
            "remedy": remedy_for(port.rejection_code) if port.rejection_code else "",
            "documents_to_fix": "documents" in (port.fields_to_fix or []),
            "back_url": _detail_url(port.pk),
            "files_url": _detail_url(port.pk, "files"),
        },
    )


# --- Request a change ----------------------------------------------------------------------


@porting_view
@require_http_methods(["GET", "POST"])
def port_change(request: HttpRequest, request_id: int) -> HttpResponse:
    """Request a change after submission: the porting team accepts or refuses it."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    history = list(changes.change_requests_of(actor=actor, request=port))
    form = ChangeRequestForm(request.POST or None, port=port)
    if request.method == "POST":
        access.may_change_request(actor, port).check()
        if form.is_valid():
            wanted = form.changes()
            if not wanted:
                form.add_error(None, "Change at least one field (nothing differs from now).")
            else:
                try:
                    change = changes.change_request_create(
                        actor=actor,
                        request=port,
                        changes=wanted,
                        reason=form.cleaned_data["reason"],
                    )
                except NotFound:
                    raise
                except DomainError as exc:
                    name = "numbers_text" if exc.field == "numbers" else exc.field
                    form.add_error(name if name in form.fields else None, exc.message)
                else:
                    messages.success(
                        request,
                        f"Change request {change.pk} was sent to the porting team; they will "
                        "accept or refuse it.",
                    )
                    return _redirect(request, _detail_url(port.pk))
    return render(
        request,
        "porting/change.html",
        {
            "port": port,
            "form": form,
            "history": [(c, changes.change_lines(c)) for c in history],
            "allowed": bool(access.may_change_request(actor, port)) and port.status in SUBMITTED,
            "read_only": not access.may_change_request(actor, port),
            "back_url": _detail_url(port.pk),
            "labels": form.labels(),
        },
    )


@porting_view
@require_POST
def port_change_decide(request: HttpRequest, request_id: int, change_id: int) -> HttpResponse:
    """The porting team accepts or refuses a change request."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    change = changes.change_request_get(actor=actor, request=port, change_id=change_id)
    form = DecideChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose Accept or Refuse.")
        return _redirect(request, _detail_url(port.pk))
    try:
        if form.cleaned_data["decision"] == "accept":
            changes.change_request_accept(
                actor=actor, change=change, note=form.cleaned_data["note"]
            )
            messages.success(request, f"Change request {change.pk} was accepted and applied.")
        else:
            changes.change_request_refuse(
                actor=actor, change=change, reason=form.cleaned_data["note"]
            )
            messages.success(request, f"Change request {change.pk} was refused.")
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return _redirect(request, _detail_url(port.pk))


# --- Bulk ------------------------------------------------------------------------------------


SAMPLE_ROWS = [
    [
        "+1 206 555 0100",
        "landline",
        "+1 206 555 0100",
        "Old Telco",
        "ACCT-1001",
        "",
        "Acme Corp",
        "Carol Chief",
        "CEO",
        "carol@acme.example",
        "1313 Mockingbird Lane",
        "Suite 15",
        "Seattle",
        "WA",
        "98101",
        "US",
        "Carol",
        "Chief",
        "carol@acme.example",
        "+1 206 555 0199",
    ],
    [
        "+1 206 555 0101",
        "landline",
        "+1 206 555 0100",
        "Old Telco",
        "ACCT-1001",
        "",
        "Acme Corp",
        "Carol Chief",
        "CEO",
        "carol@acme.example",
        "1313 Mockingbird Lane",
        "Suite 15",
        "Seattle",
        "WA",
        "98101",
        "US",
        "Carol",
        "Chief",
        "carol@acme.example",
        "+1 206 555 0199",
    ],
]


def _sample_csv() -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(bulk.COLUMNS)
    writer.writerows(SAMPLE_ROWS)
    return out.getvalue()


@porting_view
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
    companies = _companies(actor)
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
