"""Fax Number Inventory in the portal (Settings ▸ Fax Number Inventory) and its Dashboard
widget: the inventory by location with sortable columns, Fax Pool Details behind every count
(with Assign, Unassign and Release), Request Inventory, and for operators the inventory limit
and the import of number stock.

Every read goes through ``numbers.selectors`` and every write through ``numbers.services``;
the pages only hide what the acting person cannot do. htmx swaps fragments (the sorted
table, the pool in a modal, the next drop-down of the cascade); without JavaScript the same
URLs answer with whole pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faxline.accounts.access import Actor, request_actor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company
from faxline.accounts.selectors import company_in_view, company_list, user_list
from faxline.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from faxline.numbers import access, plan, selectors, services
from faxline.numbers.forms import (
    COUNTRY_CHOICES,
    AssignForm,
    Choice,
    InventoryLimitForm,
    NumberActionForm,
    RequestSelection,
    StockImportForm,
    number_label,
)
from faxline.numbers.selectors import InventoryRow
from faxline.portal.toolkit import (
    current_page,
    is_htmx,
    on_this_site,
    paginate_table,
    portal_view,
    render_page,
    swap_target,
)

SORT_COLUMNS = (
    ("location", "Inventory Location"),
    ("unassigned", "Unassigned"),
    ("assigned", "Assigned"),
    ("pending", "Pending"),
)
POOL_NAMES = {"unassigned": "Unassigned", "assigned": "Assigned", "pending": "Pending"}
POOL_ROW_STATUS = {"unassigned": "Unassigned", "assigned": "In Use", "pending": "Pending"}
AVAILABLE_SHOWN = 20
ASSIGNEES_SHOWN = 20

INVENTORY_TARGET = "fx-inventory"
POOL_TARGET = "fx-pool-content"
POOL_TABLE_TARGET = "fx-pool-table"
REQUEST_TARGET = "fx-request-fields"


# --- plumbing -------------------------------------------------------------------------


def _company(request: HttpRequest, actor: Actor) -> Company | None:
    """``?company=<id>`` (or the posted ``company``), else the actor's own company, else the
    first company an operator sees (None when there is none)."""
    raw = request.POST.get("company", "") if request.method == "POST" else ""
    raw = (raw or request.GET.get("company", "")).strip()
    if raw and not raw.isdigit():
        raise Http404("Company not found.")
    return company_in_view(actor=actor, company_id=int(raw) if raw else None)


def _company_params(actor: Actor, company: Company | None) -> dict[str, str]:
    if company is not None and actor.user.company_id != company.pk:
        return {"company": str(company.pk)}
    return {}


def _url(name: str, params: dict[str, str] | None = None) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def _next_url(request: HttpRequest, default: str) -> str:
    """Where an action returns: the posted (or given) ``next`` when it is on this site."""
    return on_this_site(request, request.POST.get("next") or request.GET.get("next")) or default


def _current_page(request: HttpRequest) -> str | None:
    """The page an htmx request came from (path and query only)."""
    return current_page(request) if is_htmx(request) else None


# --- the inventory ----------------------------------------------------------------------


@dataclass(frozen=True)
class SortLink:
    """A sortable column header: clicking it sorts by it, clicking again reverses."""

    key: str
    label: str
    url: str
    active: bool
    descending: bool

    @property
    def aria_sort(self) -> str:
        if not self.active:
            return "none"
        return "descending" if self.descending else "ascending"


def _sort_links(path: str, params: dict[str, str], sort: str, descending: bool) -> list[SortLink]:
    links = []
    for key, label in SORT_COLUMNS:
        active = key == sort
        query = {**params, "sort": key}
        if active and not descending:
            query["dir"] = "desc"
        links.append(SortLink(key, label, f"{path}?{urlencode(query)}", active, descending))
    return links


def inventory_panel(request: HttpRequest, *, on_dashboard: bool = False) -> dict[str, Any] | None:
    """The context of the Fax Number Inventory widget, or None for someone who may not see
    it (fax users, administrators without the right)."""
    actor = request_actor(request)
    if not access.may_view_inventory(actor):
        return None
    try:
        company = _company(request, actor)
        picks = actor.spans_companies
        context: dict[str, Any] = {
            "company": company,
            "companies": list(company_list(actor=actor)) if picks else [],
            "picks_company": picks,
            "on_dashboard": on_dashboard,
            "page_url": request.path,
            "read_only": actor.read_only,
        }
        if company is None:
            return context
        sort = request.GET.get("sort", "location")
        if sort not in selectors.SORT_KEYS:
            sort = "location"
        descending = request.GET.get("dir") == "desc"
        rows = selectors.inventory_rows(
            actor=actor, company=company, sort=sort, descending=descending
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    params = _company_params(actor, company)
    total = InventoryRow(
        "",
        "",
        "Total",
        sum(r.unassigned for r in rows),
        sum(r.assigned for r in rows),
        sum(r.pending for r in rows),
    )
    held = total.total
    limit = company.max_inventory
    context.update(
        rows=rows,
        total=total,
        sort=sort,
        descending=descending,
        sort_links=_sort_links(request.path, params, sort, descending),
        company_query=urlencode(params),
        can_request=access.may_request_numbers(actor),
        can_assign=access.may_assign_numbers(actor),
        held=held,
        max_inventory=limit,
        limit_percent=min(100, round(held * 100 / limit)) if limit else 100,
        at_limit=held >= limit,
        request_url=_url("numbers:request", params),
        inventory_url=_url("numbers:inventory", params),
        pool_url=reverse("numbers:pool"),
    )
    return context


def is_inventory_swap(request: HttpRequest) -> bool:
    """True for the htmx request of a sort header (only the widget is swapped)."""
    return swap_target(request) == INVENTORY_TARGET


@portal_view
@require_GET
def inventory(request: HttpRequest) -> HttpResponse:
    """Settings ▸ Fax Number Inventory."""
    actor = request_actor(request)
    access.may_view_inventory(actor).check()
    panel = inventory_panel(request)
    assert panel is not None
    if is_inventory_swap(request):
        return render(request, "numbers/_inventory_widget.html", panel)
    company = panel["company"]
    if access.may_manage_stock(actor) and company is not None:
        panel["limit_form"] = InventoryLimitForm(initial={"max_inventory": company.max_inventory})
        panel["stock_url"] = reverse("numbers:stock_import")
    panel["aging_days"] = settings.FAXLINE_NUMBER_AGING_DAYS
    return render(request, "numbers/inventory.html", panel)


# --- Fax Pool Details ---------------------------------------------------------------------


@dataclass(frozen=True)
class PoolEntry:
    number: str
    display: str
    label: str
    assignee: str
    status: str


def _pool_params(request: HttpRequest) -> tuple[str, str]:
    area = request.GET.get("area", "").strip()
    status = request.GET.get("status", "").strip()
    if status not in POOL_NAMES or not (len(area) == 3 and area.isdigit()):
        raise Http404("No such fax pool.")
    return area, status


@portal_view
@require_GET
def pool(request: HttpRequest) -> HttpResponse:
    """Fax Pool Details: the numbers behind one count, with their assignee and status, a
    page at a time."""
    actor = request_actor(request)
    access.may_view_inventory(actor).check()
    company = _company(request, actor)
    if company is None:
        raise Http404("Company not found.")
    area, status = _pool_params(request)
    numbers = selectors.pool_details(actor=actor, company=company, area=area, status=status)
    params = _company_params(actor, company)
    default_next = _url("numbers:inventory", params)
    next_url = _next_url(request, _current_page(request) or default_next)
    can_assign = bool(access.may_assign_numbers(actor)) and status != "pending"
    # Assign names a fax user by username, with suggestions as one types (numbers:assignees):
    # a company may have thousands, far too many for a drop-down on every row.
    offers_assign = can_assign and status == "unassigned"
    has_assignees = (
        offers_assign and user_list(actor=actor, company=company, role=Role.FAX_USER).exists()
    )
    table = paginate_table(
        request,
        numbers,
        htmx_target=POOL_TABLE_TARGET,
        htmx_push_url=False,
        path=reverse("numbers:pool"),
    )
    code = plan.area_codes().get(area)
    entries = [
        PoolEntry(
            number=n.number,
            display=plan.display_number(n.number),
            label=number_label(n.number),
            assignee=f"{n.user} ({n.user.pk})" if n.user is not None else "",
            status=POOL_ROW_STATUS[status],
        )
        for n in table.items
    ]
    pool_query = urlencode({**params, "area": area, "status": status, "next": next_url})
    context = {
        "company": company,
        "company_params": params,
        "location": code.location if code else area,
        "pool_name": POOL_NAMES[status],
        "status": status,
        "entries": entries,
        "table": table,
        "can_assign": can_assign,
        "has_assignees": has_assignees,
        "assignees_url": _url("numbers:assignees", params),
        "next_url": next_url,
        "inventory_url": default_next,
        "pool_url": f"{reverse('numbers:pool')}?{pool_query}",
        "release_url": reverse("numbers:release"),
    }
    return render_page(
        request,
        "numbers/pool.html",
        context,
        partials={
            POOL_TARGET: "numbers/_pool_body.html",
            POOL_TABLE_TARGET: "numbers/_pool_table.html",
        },
    )


@portal_view
@require_GET
def assignees(request: HttpRequest) -> HttpResponse:
    """Suggestions for Assign: the fax users of the company whose name, username or email
    contains what was typed (a few at a time, as ``<option>`` elements of a datalist)."""
    actor = request_actor(request)
    access.may_assign_numbers(actor).check()
    company = _company(request, actor)
    if company is None:
        raise Http404("Company not found.")
    typed = (request.GET.get("user") or request.GET.get("q") or "").strip()[:100]
    found = (
        list(
            user_list(actor=actor, company=company, role=Role.FAX_USER, search=typed)[
                :ASSIGNEES_SHOWN
            ]
        )
        if typed
        else []
    )
    return render(request, "numbers/_assignees.html", {"users": found})


def _action_company(request: HttpRequest, actor: Actor) -> dict[str, str]:
    try:
        company = _company(request, actor)
    except (NotFound, Http404):
        return {}
    return _company_params(actor, company)


@portal_view
@require_POST
def assign(request: HttpRequest) -> HttpResponse:
    """Assign an unassigned number to a fax user of the company."""
    actor = request_actor(request)
    back = _next_url(request, _url("numbers:inventory", _action_company(request, actor)))
    form = AssignForm(request.POST, users=user_list(actor=actor, role=Role.FAX_USER))
    if not form.is_valid():
        messages.error(request, "Choose the fax user to assign the number to.")
        return redirect(back)
    user = form.cleaned_data["user"]
    try:
        fax_number = services.number_assign(
            actor=actor, number=form.cleaned_data["number"], user=user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        display = plan.display_number(fax_number.number)
        messages.success(request, f"{display} is assigned to {user} ({user.pk}).")
    return redirect(back)


@portal_view
@require_POST
def unassign(request: HttpRequest) -> HttpResponse:
    """Take a number back from its user; it stays in the inventory, unassigned."""
    actor = request_actor(request)
    back = _next_url(request, _url("numbers:inventory", _action_company(request, actor)))
    form = NumberActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the number to unassign.")
        return redirect(back)
    try:
        fax_number = services.number_unassign(actor=actor, number=form.cleaned_data["number"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        display = plan.display_number(fax_number.number)
        messages.success(request, f"{display} is unassigned and back in your inventory.")
    return redirect(back)


@portal_view
@require_http_methods(["GET", "POST"])
def release(request: HttpRequest) -> HttpResponse:
    """Release a number to the provider (GET: the confirmation, POST: do it)."""
    actor = request_actor(request)
    params = _action_company(request, actor)
    back = _next_url(request, _url("numbers:inventory", params))
    if request.method == "POST":
        form = NumberActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose the number to release.")
            return redirect(back)
        try:
            fax_number = services.number_release(actor=actor, number=form.cleaned_data["number"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            display = plan.display_number(fax_number.number)
            messages.success(
                request,
                f"{display} is released: it returns to the provider after "
                f"{settings.FAXLINE_NUMBER_AGING_DAYS} days of aging.",
            )
        return redirect(back)
    access.may_assign_numbers(actor).check()
    try:
        number = plan.normalize_number(request.GET.get("number", ""))
    except ValidationFailed as exc:
        raise Http404(exc.message) from exc
    context = {
        "number": number,
        "display": plan.display_number(number),
        "next_url": back,
        "company_params": params,
        "aging_days": settings.FAXLINE_NUMBER_AGING_DAYS,
        "back_url": on_this_site(request, request.GET.get("back")) or back,
    }
    return render_page(
        request,
        "numbers/release.html",
        context,
        partials={POOL_TARGET: "numbers/_release_body.html"},
    )


# --- Request Inventory ----------------------------------------------------------------------


@portal_view
@require_http_methods(["GET", "POST"])
def request_inventory(request: HttpRequest) -> HttpResponse:
    """Request Inventory: Country -> State/Province -> Area code - City -> Choose Fax Numbers
    -> Selected Numbers -> Add Inventory."""
    actor = request_actor(request)
    access.may_request_numbers(actor).check()
    company = _company(request, actor)
    if company is None:
        raise Http404("Company not found.")
    params = _company_params(actor, company)
    data = request.POST if request.method == "POST" else request.GET
    selection = RequestSelection.from_data(data)
    alert: tuple[str, str] | None = None
    if request.method == "POST" and data.get("action") == "add":
        try:
            taken = services.numbers_request(
                actor=actor, company=company, numbers=selection.selected
            )
        except (Conflict, ValidationFailed) as exc:
            level = "warning" if exc.code == "inventory_limit" else "danger"
            alert = (level, exc.message)
        else:
            added = ", ".join(number_label(n.number) for n in taken)
            noun = "number" if len(taken) == 1 else "numbers"
            messages.success(request, f"Added {len(taken)} {noun} to the inventory: {added}.")
            return redirect(_url("numbers:inventory", params))
    available: list[Choice] = []
    if selection.area:
        offered = selectors.available_numbers(
            actor=actor, country=selection.country, area=selection.area, count=AVAILABLE_SHOWN
        )
        available = [Choice(n, number_label(n)) for n in offered]
    context = {
        "company": company,
        "company_params": params,
        "picks_company": actor.spans_companies,
        "selection": selection,
        "countries": COUNTRY_CHOICES,
        "available": available,
        "alert": alert,
        "held": services.inventory_size(company),
        "max_inventory": company.max_inventory,
        "inventory_url": _url("numbers:inventory", params),
        "request_path": reverse("numbers:request"),
    }
    return render_page(
        request,
        "numbers/request.html",
        context,
        partials={REQUEST_TARGET: "numbers/_request_fields.html"},
    )


# --- operators ------------------------------------------------------------------------------


@portal_view
@require_POST
def limit(request: HttpRequest) -> HttpResponse:
    """Operators: set the company's maximum inventory."""
    actor = request_actor(request)
    company = _company(request, actor)
    if company is None:
        raise Http404("Company not found.")
    back = _url("numbers:inventory", _company_params(actor, company))
    form = InventoryLimitForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for e in form.errors.get("max_inventory", [])]
        messages.error(request, f"Maximum inventory: {' '.join(errors) or 'enter a number.'}")
        return redirect(back)
    try:
        services.company_set_max_inventory(
            actor=actor, company=company, limit=form.cleaned_data["max_inventory"]
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"The maximum inventory of {company.name} is now {company.max_inventory} numbers.",
        )
    return redirect(back)


@portal_view
@require_http_methods(["GET", "POST"])
def stock_import(request: HttpRequest) -> HttpResponse:
    """Operators: Import number stock (CSV ``number,carrier``) into the provider's pool."""
    actor = request_actor(request)
    access.may_manage_stock(actor).check()
    report = None
    form = StockImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size and upload.size > services.MAX_IMPORT_BYTES:
                raise ValidationFailed("The file is larger than 2 MB.", field="file")
            report = services.numbers_import(
                actor=actor, data=upload.read(services.MAX_IMPORT_BYTES + 1)
            )
        except ValidationFailed as exc:
            form.add_error("file", exc.message)
        else:
            form = StockImportForm()
    return render(
        request,
        "numbers/stock_import.html",
        {"form": form, "report": report, "inventory_url": reverse("numbers:inventory")},
    )
