"""The porting desk in the portal (Settings ▸ Porting Desk, operators only): the queue with
its SLA timers, the team's page of a request with its actions, and the fee ledger.

Every read goes through ``porting.desk`` / ``porting.selectors`` and every write through the
services; views only parse input, call them and pick the template. Anyone who is not an
operator gets a 404 (the desk does not exist for them).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from faxline.accounts.access import Actor, request_actor
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.portal.toolkit import apply_domain_error, is_htmx, paginate_table, portal_view
from faxline.porting.access import may_act_as_porting_team, may_use_desk
from faxline.porting.carriers import carrier_named
from faxline.porting.choices import OPEN, SUBMITTED, TERMINAL, ChangeStatus, PortStatus
from faxline.porting.desk import services as desk
from faxline.porting.desk.forms import (
    SUGGESTED_FIELDS,
    AssignForm,
    DecisionForm,
    FeeFilterForm,
    LinksForm,
    NoteForm,
    OptionalReasonForm,
    ReasonForm,
    RejectForm,
    ScheduleForm,
    field_label,
)
from faxline.porting.files.confirmation import facts_compared
from faxline.porting.models import PortFee, PortRequest
from faxline.porting.requests import changes as change_requests
from faxline.porting.requests import selectors, services
from faxline.porting.requests.completion import (
    linkable_users,
    port_request_complete,
    port_request_set_links,
)
from faxline.porting.requests.remedies import remedy_for
from faxline.porting.validation import checks

PAGE_SIZE = 50
ROW_COUNTS = (25, 50, 100)
QUEUE_ROWS = 25
LINK_USERS_SHOWN = 20
TABS: tuple[tuple[str, str], ...] = (
    ("", "All open"),
    (PortStatus.NEW, "New"),
    (PortStatus.PENDING, "Pending"),
    (PortStatus.IN_PROGRESS, "In Progress"),
    (PortStatus.SCHEDULED, "Scheduled"),
    (PortStatus.REJECTED, "Rejected"),
    (PortStatus.COMPLETED, "Completed"),
    (PortStatus.CANCELLED, "Cancelled"),
)
SORT_LABELS = {"age": "Oldest first", "-age": "Newest first", "foc": "FOC date", "-id": "ID"}


def desk_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the desk: the portal's rule for refusals, and 404 for anyone who is not an
    operator (the desk does not exist for them). The view receives the actor."""

    @portal_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = request_actor(request)
        if not may_use_desk(actor):
            raise NotFound("Page not found.")
        return view(request, actor, *args, **kwargs)

    return wrapper


def _page_url(request_id: int, anchor: str = "") -> str:
    url = reverse("porting:desk_request", args=[request_id])
    return f"{url}#{anchor}" if anchor else url


# --- the console ------------------------------------------------------------------------


@desk_view
@require_GET
def console(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The queue by status and age, with the SLA flags; sortable by age."""
    status = request.GET.get("status", "")
    if status not in dict(TABS):
        status = ""
    sort = request.GET.get("sort", "age")
    if sort not in SORT_LABELS:
        sort = "age"
    assignee = request.GET.get("assignee", "")
    if assignee not in ("", "me", "none"):
        assignee = ""
    search = request.GET.get("q", "").strip()[:100]
    if status in (PortStatus.COMPLETED, PortStatus.CANCELLED) and "sort" not in request.GET:
        sort = "-age"
    qs = desk.desk_queue(actor=actor, status=status, assignee=assignee, search=search, sort=sort)
    # 25 rows by default: each row computes its SLA timers (business days, FOC readiness).
    table = paginate_table(request, qs, row_counts=ROW_COUNTS, default_rows=QUEUE_ROWS)
    rows = desk.queue_rows(table.items)
    counts = desk.queue_counts(actor=actor)
    base = {"status": status, "assignee": assignee, "q": search, "sort": sort}

    def link(**changes: str) -> str:
        query = {k: v for k, v in {**base, **changes}.items() if v}
        return "?" + urlencode(query) if query else "?"

    tabs = [
        (value, label, counts["open"] if value == "" else counts.get(value, 0), link(status=value))
        for value, label in TABS
    ]
    return render(
        request,
        "porting/desk.html",
        {
            "is_porting_desk": True,
            "rows": rows,
            "table": table,
            "tabs": tabs,
            "status": status,
            "status_label": dict(TABS)[status],
            "sort": sort,
            "assignee": assignee,
            "search": search,
            "age_sort_link": link(sort="-age" if sort == "age" else "age"),
            "stall_days": settings.FAXLINE_PORTING_STALL_DAYS,
            "flagged": sum(1 for r in rows if r.flags),
        },
    )


# --- the request page -------------------------------------------------------------------


def _request_context(
    request: HttpRequest, actor: Actor, port: PortRequest, **forms: Any
) -> dict[str, Any]:
    # A request holds up to 500 numbers: the numbers and their links are shown a page at a
    # time, and a user is named with suggestions (a company may have thousands).
    table = paginate_table(
        request,
        port.numbers.select_related("link_user").order_by("number"),
        htmx_target="",
        path=reverse("porting:desk_request", args=[port.pk]),
    )
    numbers = table.items
    [row] = desk.queue_rows([port])
    open_ = port.status in OPEN
    findings = checks.findings_of(port) if open_ else []
    changes = [
        (change, change_requests.change_lines(change))
        for change in change_requests.change_requests_of(actor=actor, request=port)
    ]
    snap_back = desk.snapped_back(port)
    refusal = desk.snap_back_refusal(port) if port.status == PortStatus.COMPLETED else None
    sandbox_record = None
    first_number = (
        port.numbers.order_by("number").values_list("number", flat=True).first()
        if port.carrier == "sandbox"
        else None
    )
    if first_number is not None:
        from faxline.porting.carriers.sandbox import csr_for

        sandbox_record = csr_for(first_number)
    documents = list(selectors.documents_of(actor=actor, request=port))
    bound = forms.get("reject_form")
    code = str(bound.data.get("code", "")) if bound is not None and bound.is_bound else ""
    context: dict[str, Any] = {
        "is_porting_desk": True,
        "port": port,
        "row": row,
        "numbers": numbers,
        "numbers_table": table,
        "findings": findings,
        "errors": [f for f in findings if f.severity == "error"],
        "documents": documents,
        "read_facts": [
            (d, facts_compared(d)) for d in documents if d.facts_state and not d.superseded
        ],
        "files_url": reverse("porting:detail", args=[port.pk]) + "?tab=files",
        "timeline": selectors.timeline(actor=actor, request=port),
        "remedy": remedy_for(port.rejection_code) if port.rejection_code else "",
        "fields_to_fix": [field_label(f) for f in port.fields_to_fix or []],
        "changes": changes,
        "open_changes": sum(1 for c, _ in changes if c.status == ChangeStatus.OPEN),
        "fees": list(PortFee.objects.filter(request=port).order_by("created_at", "id")),
        "carrier_label": carrier_named(port.carrier).label,
        "sandbox_record": sandbox_record,
        "snapped_back": snap_back,
        "snap_back_refusal": refusal,
        "snap_back_deadline": desk.snap_back_deadline(port),
        "snap_back_fee_cents": settings.FAXLINE_SNAP_BACK_FEE_CENTS,
        "may_act": may_act_as_porting_team(actor),
        "can": {
            "accept": port.status == PortStatus.NEW,
            "in_progress": port.status == PortStatus.PENDING,
            "schedule": port.status
            in (PortStatus.PENDING, PortStatus.IN_PROGRESS, PortStatus.SCHEDULED),
            "reject": port.status in SUBMITTED,
            "complete": port.status == PortStatus.SCHEDULED,
            "links": port.status not in TERMINAL,
            "cancel": port.status in OPEN,
            "assign": port.status not in TERMINAL,
        },
        "schedule_form": ScheduleForm(initial={"foc_date": port.foc_date}),
        "reject_form": RejectForm(initial={"fields_to_fix": list(port.fields_to_fix or [])}),
        "note_form": NoteForm(),
        "assign_form": AssignForm(
            initial={"assignee": port.assignee_id}, agents=desk.porting_agents()
        ),
        "links_form": LinksForm(numbers=numbers, users=linkable_users(port)),
        "link_users_url": reverse("porting:desk_link_users", args=[port.pk]),
        "cancel_form": OptionalReasonForm(),
        "snap_back_form": ReasonForm(),
        "today": timezone.localdate(),
        "remedy_preview": remedy_for(code) if code else "",
        "revealed": None,
    }
    context.update(forms)
    return context


def _render_page(
    request: HttpRequest, actor: Actor, port: PortRequest, status: int = 200, **forms: Any
) -> HttpResponse:
    return render(
        request,
        "porting/desk_request.html",
        _request_context(request, actor, port, **forms),
        status=status,
    )


@desk_view
@require_GET
def request_page(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """The porting team's page of one request: data, findings, documents, the timeline with
    private notes, and the actions its status allows."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    return _render_page(request, actor, port)


def _act(
    request: HttpRequest,
    actor: Actor,
    request_id: int,
    action: Callable[[PortRequest], str],
    *,
    anchor: str = "",
) -> HttpResponse:
    """Run a simple action; its refusal is shown as a message on the request page."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    try:
        done = action(port)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(_page_url(port.pk, anchor))


def _form_act(
    request: HttpRequest,
    actor: Actor,
    port: PortRequest,
    form: forms.Form,
    action: Callable[[], str],
    *,
    form_name: str,
    panel: str = "",
    anchor: str = "",
) -> HttpResponse:
    """Run an action posted with a form: done, back to the request page with a message; a
    bad form or a refusal, the page again with the form (in its open panel) showing why."""
    if form.is_valid():
        try:
            done = action()
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(_page_url(port.pk, anchor))
    shown: dict[str, Any] = {form_name: form}
    if panel:
        shown["open_panel"] = panel
    return _render_page(request, actor, port, **shown)


@desk_view
@require_POST
def accept(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    def run(port: PortRequest) -> str:
        services.port_request_accept(actor=actor, request=port)
        return f"Request {port.pk} accepted: it is Pending with the losing carrier."

    return _act(request, actor, request_id, run)


@desk_view
@require_POST
def in_progress(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    def run(port: PortRequest) -> str:
        services.port_request_mark_in_progress(
            actor=actor, request=port, message=request.POST.get("message", "")[:500]
        )
        return f"Request {port.pk} is In Progress."

    return _act(request, actor, request_id, run)


@desk_view
@require_POST
def schedule(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """Set (or move) the FOC: a business day of the numbers' country, not a holiday."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    form = ScheduleForm(request.POST)

    def run() -> str:
        foc_date = form.cleaned_data["foc_date"]
        services.port_request_schedule(actor=actor, request=port, foc_date=foc_date)
        return f"FOC set to {foc_date:%A, %B %d, %Y}."

    return _form_act(request, actor, port, form, run, form_name="schedule_form", panel="schedule")


@desk_view
@require_POST
def reject(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """Reject with a reason code, a note and the fields the customer may fix."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    form = RejectForm(request.POST)

    def run() -> str:
        data = form.cleaned_data
        services.port_request_reject(
            actor=actor,
            request=port,
            code=data["code"],
            note=data["note"],
            fields_to_fix=data["fields_to_fix"],
        )
        return f"Request {port.pk} rejected ({data['code']}); the customer was told what to fix."

    return _form_act(request, actor, port, form, run, form_name="reject_form", panel="reject")


@desk_view
@require_GET
def remedy_preview(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """The remedy the customer will read for a code, and the fields it usually reopens
    (htmx swaps it into the Reject form)."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    code = request.GET.get("code", "")
    suggested = list(SUGGESTED_FIELDS.get(code, ()))
    form = RejectForm(initial={"code": code, "fields_to_fix": suggested})
    return render(
        request,
        "porting/desk_remedy.html",
        {"port": port, "reject_form": form, "remedy_preview": remedy_for(code) if code else ""},
    )


def _links_form(request: HttpRequest, port: PortRequest) -> LinksForm:
    """The links posted from one page of the request's numbers (``number_<i>`` says which
    number row ``i`` is; without them, the rows are the request's numbers in order)."""
    rows = list(port.numbers.select_related("link_user").order_by("number"))
    by_number = {r.number: r for r in rows}
    posted = [request.POST.get(f"number_{i}", "") for i in range(len(rows))]
    if any(posted):
        numbers = [by_number[n] for n in posted if n in by_number]
        data = request.POST.copy()
        # Renumber the rows that name a number of this request, keeping their fields.
        kept = [i for i, n in enumerate(posted) if n in by_number]
        for new, old in enumerate(kept):
            for name in ("number", "user", "direction"):
                data[f"{name}_{new}"] = request.POST.get(f"{name}_{old}", "")
        return LinksForm(data, numbers=numbers, users=linkable_users(port))
    return LinksForm(request.POST, numbers=rows, users=linkable_users(port))


@desk_view
@require_GET
def link_users(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """Suggestions for the links: the company's fax users whose name contains what was
    typed (a few, as ``<option>`` elements of a datalist)."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    name = next((k for k in request.GET if k.startswith("user_") or k == "q"), "")
    typed = str(request.GET.get(name, "")).strip()[:100]
    found = list(linkable_users(port, search=typed)[:LINK_USERS_SHOWN]) if typed else []
    return render(request, "porting/_link_users.html", {"users": found})


@desk_view
@require_POST
def complete(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """Scheduled → Completed, linking each number to a user (inbound, or inbound and
    outbound)."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    form = _links_form(request, port)

    def run() -> str:
        port_request_complete(actor=actor, request=port, links=form.links())
        return (
            f"Request {port.pk} completed: the numbers are in the inventory of "
            f"{port.company.name}. A test fax goes to each; the results appear in the timeline."
        )

    return _form_act(request, actor, port, form, run, form_name="links_form", panel="complete")


@desk_view
@require_POST
def links(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """Save the links before completion (FOC-day readiness needs every number routed)."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    form = _links_form(request, port)

    def run() -> str:
        port_request_set_links(actor=actor, request=port, links=form.links())
        return "Links saved; they apply when the port completes."

    return _form_act(
        request,
        actor,
        port,
        form,
        run,
        form_name="links_form",
        panel="complete",
        anchor="fx-links",
    )


@desk_view
@require_POST
def assign(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    if request.POST.get("me"):
        agent = actor.user
    else:
        form = AssignForm(request.POST, agents=desk.porting_agents())
        if not form.is_valid():
            messages.error(request, "Choose a porting agent from the list.")
            return redirect(_page_url(port.pk))
        agent = form.cleaned_data["assignee"]

    def run(p: PortRequest) -> str:
        services.port_request_assign(actor=actor, request=p, agent=agent)
        return f"Assigned to {agent}." if agent else "Unassigned."

    return _act(request, actor, request_id, run)


@desk_view
@require_POST
def note(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """A note to the customer, a private note, or an action-required note."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    form = NoteForm(request.POST)

    def run() -> str:
        data = form.cleaned_data
        services.port_note_add(
            actor=actor,
            request=port,
            body=data["body"],
            private=data["private"],
            action_required=data["action_required"],
        )
        return "Private note added." if data["private"] else "Note sent."

    return _form_act(request, actor, port, form, run, form_name="note_form", anchor="fx-timeline")


@desk_view
@require_POST
def cancel(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    form = OptionalReasonForm(request.POST)

    def run() -> str:
        services.port_request_cancel(actor=actor, request=port, reason=form.cleaned_data["reason"])
        return f"Request {port.pk} cancelled."

    return _form_act(request, actor, port, form, run, form_name="cancel_form", panel="cancel")


@desk_view
@require_POST
def snap_back(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """Within 24 h of completion: the numbers go back to the losing carrier, with the fee."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    form = ReasonForm(request.POST)

    def run() -> str:
        desk.port_request_snap_back(actor=actor, request=port, reason=form.cleaned_data["reason"])
        return f"Snap-back recorded: the numbers of request {port.pk} left the inventory."

    return _form_act(request, actor, port, form, run, form_name="snap_back_form")


@desk_view
@require_POST
@never_cache
def reveal(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """Show the carrier account number and PIN in full (audited)."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    try:
        revealed = desk.port_request_reveal(actor=actor, request=port)
    except Forbidden as exc:
        messages.error(request, exc.message)
        return redirect(_page_url(port.pk))
    if is_htmx(request):
        return render(request, "porting/desk_secrets.html", {"port": port, "revealed": revealed})
    return _render_page(request, actor, port, revealed=revealed)


@desk_view
@require_POST
def change_decide(
    request: HttpRequest, actor: Actor, request_id: int, change_id: int, decision: str
) -> HttpResponse:
    """Accept or refuse a customer's change request."""
    port = desk.desk_request_get(actor=actor, request_id=request_id)
    change = change_requests.change_request_get(actor=actor, request=port, change_id=change_id)
    form = DecisionForm(request.POST)
    note_text = form.data.get("note", "") if form.is_valid() else ""
    try:
        if decision == "accept":
            change_requests.change_request_accept(actor=actor, change=change, note=note_text)
            messages.success(request, f"Change request {change.pk} accepted and applied.")
        elif decision == "refuse":
            change_requests.change_request_refuse(actor=actor, change=change, reason=note_text)
            messages.success(request, f"Change request {change.pk} refused.")
        else:
            raise Http404("Unknown decision.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_page_url(port.pk, "fx-changes"))


# --- the fee ledger -------------------------------------------------------------------------


@desk_view
@require_GET
def fees(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Resubmission and snap-back fees per company and request, with waive."""
    form = FeeFilterForm(request.GET)
    company_id = kind = state = None
    if form.is_valid():
        company_id = form.cleaned_data["company"]
        kind = form.cleaned_data["kind"]
        state = form.cleaned_data["state"]
    waived = {"charged": False, "waived": True}.get(state or "")
    qs = desk.fee_ledger(actor=actor, company_id=company_id, kind=kind or "", waived=waived)
    table = paginate_table(request, qs, row_counts=ROW_COUNTS, default_rows=PAGE_SIZE)
    items = table.items
    return render(
        request,
        "porting/desk_fees.html",
        {
            "is_porting_desk": True,
            "form": form,
            "table": table,
            "fees": items,
            "waivers": desk.waive_reasons(items),
            "totals": desk.fee_totals(qs),
            "company_id": company_id,
            "may_act": may_act_as_porting_team(actor),
            "fee_kinds": desk.FEE_KINDS,
        },
    )


@desk_view
@require_POST
def fee_waive(request: HttpRequest, actor: Actor, fee_id: int) -> HttpResponse:
    fee = desk.fee_get(actor=actor, fee_id=fee_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the fee is waived.")
    else:
        try:
            desk.port_fee_waive(actor=actor, fee=fee, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"Fee of ${fee.amount_cents / 100:,.2f} on request {fee.request_id} waived.",
            )
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("porting:fees")
