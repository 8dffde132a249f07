"""Settings ▸ Account Administration: the tree of the company, its departments, users and
administrators, with an actions menu on every node, and the actions that need only a
confirmation (Lock User, Unlock User Account, Delete User Account, Delete Department).

A small company is shown whole; a big one a level at a time: expanding a department fetches
a page of its children (``tree_children``), "Show more" the next page, and ``tree_search``
finds entries by name (decision 0010). Operators and channel partners pick the company
first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from faxline.accounts import selectors
from faxline.accounts.access import (
    Actor,
    may_add_company,
    may_administer_accounts,
    may_manage_administrator,
    request_actor,
)
from faxline.accounts.choices import Role
from faxline.accounts.forms import SHOW_CHOICES
from faxline.accounts.models import Company, Department, User
from faxline.accounts.selectors import TreeCursor, TreeLevel
from faxline.accounts.services import departments as department_services
from faxline.accounts.services import users as user_services
from faxline.accounts.views.common import department_param, int_param, require_admin, tree_url
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.portal.toolkit import is_htmx, page_redirect, portal_view, render_page

SHOW_VALUES = {value for value, _ in SHOW_CHOICES}
TREE_TARGET = "fx-tree"
COMPANIES_TARGET = "fx-company-list"
# A company with at most this many departments and people is shown whole, every department
# expanded (as the tree always was); a bigger one opens a level at a time.
EXPAND_ALL_UP_TO = 150
COMPANY_PICK_LIMIT = 20
SEARCH_MIN = 2  # characters before a search runs
MAX_OFFSET = 1_000_000
KIND_LABELS = {
    "company": "Company",
    "department": "Department",
    "user": "User account",
    "administrator": "Administrator",
}


@dataclass
class Action:
    """One item of a node's actions menu."""

    label: str
    url: str
    icon: str
    danger: bool = False
    confirm: bool = False  # opens the confirmation (modal, or the confirm page without JS)
    divider_before: bool = False


@dataclass
class Row:
    """A node of the tree as the page shows it.

    ``children`` is None while they are not loaded: the row then offers ``children_url``
    (when it has any), which expanding fetches. ``more_url`` fetches the next page of the
    children after those shown."""

    kind: str
    obj: Any
    name: str
    url: str | None
    actions: list[Action] = field(default_factory=list)
    children: list[Row] | None = None
    children_url: str | None = None
    more_url: str | None = None
    locked: bool = False
    locked_out: bool = False
    note: str = ""
    location: str = ""  # search results: where the entry is
    tree_link: str | None = None  # search results: the tree opened at the entry
    prefix: str = "node"
    opened: bool = False  # the department the page was opened at (scrolled into view)

    @property
    def dom_id(self) -> str:
        return f"{self.prefix}-{self.kind}-{self.obj.pk}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def expandable(self) -> bool:
        return bool(self.children) or self.more_url is not None or self.children_url is not None

    @property
    def expanded(self) -> bool:
        return self.children is not None


@dataclass(frozen=True)
class _Can:
    departments: bool
    users: bool
    lock: bool
    administrators: bool
    bulk: bool
    whole_company: bool
    scope_id: int | None
    me: int
    actor: Actor


def _can(actor: Actor, company: Company) -> _Can:
    scope = actor.scope_department
    return _Can(
        departments=actor.can("departments.manage"),
        users=actor.can("users.manage"),
        lock=actor.can("users.lock"),
        administrators=actor.can("administrators.manage"),
        bulk=actor.can("users.bulk_create"),
        whole_company=actor.manages_whole_company(company),
        scope_id=scope.pk if scope is not None else None,
        me=actor.user.pk,
        actor=actor,
    )


def _add_actions(
    company: Company, department: Department | None, can: _Can, *, administrators: bool = True
) -> list[Action]:
    query = f"?parent={department.pk}" if department else ""
    at = f"?department={department.pk}" if department else ""
    actions: list[Action] = []
    if can.departments:
        url = reverse("accounts:department_add", args=[company.pk]) + query
        actions.append(Action("Add Department", url, "department-add"))
    if can.users:
        url = reverse("accounts:user_add", args=[company.pk]) + at
        actions.append(Action("Add User Account", url, "user-add"))
    if can.administrators and administrators:
        url = reverse("accounts:administrator_add", args=[company.pk]) + at
        actions.append(Action("Add Administrator", url, "admin-add"))
    return actions


def _company_row(company: Company, can: _Can) -> Row:
    url = reverse("accounts:company_details", args=[company.pk]) if can.whole_company else None
    row = Row("company", company, company.name, url)
    if url is not None:
        row.actions = [Action("Company Details", url, "details")]
        row.actions += _add_actions(company, None, can)
    return row


def _department_row(department: Department, company: Company, can: _Can) -> Row:
    url = reverse("accounts:department_details", args=[department.pk])
    row = Row("department", department, department.name, url)
    row.actions = [Action("Department Details", url, "details")]
    row.actions += _add_actions(company, department, can)
    if can.departments and department.pk != can.scope_id:
        row.actions.append(
            Action(
                "Delete Department",
                reverse("accounts:department_delete", args=[department.pk]),
                "delete",
                danger=True,
                confirm=True,
                divider_before=True,
            )
        )
    return row


def _user_row(person: User, can: _Can, now: datetime) -> Row:
    url = reverse("accounts:user_details", args=[person.pk])
    locked_out = bool(person.locked_out_until and person.locked_out_until > now)
    row = Row(
        "user",
        person,
        person.full_name or person.username,
        url,
        locked=person.is_locked,
        locked_out=locked_out and not person.is_locked,
    )
    row.actions = [Action("User Account Details", url, "details")]
    if can.lock and person.pk != can.me:
        if person.is_locked or locked_out:
            row.actions.append(
                Action(
                    "Unlock User Account",
                    reverse("accounts:user_unlock", args=[person.pk]),
                    "unlock",
                    confirm=True,
                )
            )
        else:
            row.actions.append(
                Action(
                    "Lock User",
                    reverse("accounts:user_lock", args=[person.pk]),
                    "lock",
                    confirm=True,
                )
            )
    if can.users and person.pk != can.me:
        row.actions.append(
            Action(
                "Delete User Account",
                reverse("accounts:user_delete", args=[person.pk]),
                "delete",
                danger=True,
                confirm=True,
                divider_before=True,
            )
        )
    return row


def _administrator_row(person: User, can: _Can) -> Row:
    url = reverse("accounts:administrator_details", args=[person.pk])
    row = Row(
        "administrator", person, person.full_name or person.username, url, locked=person.is_locked
    )
    if person.read_only:
        row.note = "Read-only"
    if person.pk == can.me:
        row.note = "You" + (" · Read-only" if person.read_only else "")
    row.actions = [Action("Administrator Details", url, "details")]
    if can.administrators and may_manage_administrator(can.actor, person):
        row.actions.append(
            Action(
                "Delete",
                reverse("accounts:user_delete", args=[person.pk]),
                "delete",
                danger=True,
                confirm=True,
                divider_before=True,
            )
        )
    return row


def _person_row(person: User, can: _Can, now: datetime) -> Row:
    if person.role == Role.ADMINISTRATOR:
        return _administrator_row(person, can)
    return _user_row(person, can, now)


@dataclass
class _Tree:
    """What building rows needs: the company, the actor's rights, the filter, the time."""

    company: Company
    can: _Can
    show: str
    now: datetime
    opened: int | None = None  # the department the page opens at

    def url(self, name: str, **params: int | None) -> str:
        query: dict[str, str | int] = {"company": self.company.pk, "show": self.show}
        query.update({k: v for k, v in params.items() if v is not None})
        return f"{reverse(name)}?{urlencode(query)}"

    def rows(
        self,
        parent: Department | None,
        level: TreeLevel,
        levels: dict[int | None, TreeLevel] | None = None,
    ) -> tuple[list[Row], str | None]:
        """The rows of one page of ``parent``'s children, and the URL of the next page; a
        department whose children are in ``levels`` is shown expanded."""
        rows: list[Row] = []
        for department in level.departments:
            row = _department_row(department, self.company, self.can)
            loaded = levels.get(department.pk) if levels is not None else None
            if loaded is not None:
                row.children, row.more_url = self.rows(department, loaded, levels)
                row.opened = department.pk == self.opened
            elif department.pk in level.has_children:
                row.children_url = self.url("accounts:tree_children", department=department.pk)
            rows.append(row)
        rows += [_person_row(person, self.can, self.now) for person in level.people]
        more = None
        if level.more is not None:
            more = self.url(
                "accounts:tree_children",
                department=parent.pk if parent is not None else None,
                d=level.more.departments,
                p=level.more.people,
            )
        return rows, more


def _show(request: HttpRequest) -> str:
    show = request.GET.get("show", "all")
    return show if show in SHOW_VALUES else "all"


def _offset(request: HttpRequest, name: str) -> int:
    value = int_param(request, name) or 0
    if value > MAX_OFFSET:
        raise Http404(f"Bad {name}.")
    return value


def _tree_company(request: HttpRequest, actor: Actor) -> Company | None:
    """The company asked for (``?company=``), else the actor's own; None when an operator
    or a channel partner has still to pick one (unless they see exactly one)."""
    company_id = int_param(request, "company")
    if company_id is not None:
        return selectors.company_get(actor=actor, company_id=company_id)
    if actor.user.company_id is not None:
        return selectors.actor_company(actor=actor)
    only = list(selectors.company_list(actor=actor)[:2])
    return only[0] if len(only) == 1 else None


def _search_rows(actor: Actor, company: Company, text: str, tree: _Tree) -> dict[str, Any]:
    """The search results as rows (with their actions menus), for the page and htmx."""
    text = text.strip()[:100]
    if len(text) < SEARCH_MIN:
        return {"q": text, "results": None}
    found = selectors.tree_search(actor=actor, company=company, text=text)
    results: list[Row] = []
    for department in found.departments:
        row = _department_row(department, company, tree.can)
        chain = found.locations.get(department.pk, "")
        row.location = chain.rsplit(" -> ", 1)[0] if " -> " in chain else company.name
        row.tree_link = tree_url(actor, company, **_opened_at(department.pk)) + f"#{row.dom_id}"
        results.append(row)
    for person in found.people:
        row = _person_row(person, tree.can, tree.now)
        dept_id = person.department_id
        row.location = found.locations.get(dept_id, "") if dept_id else company.name
        row.tree_link = tree_url(actor, company, **_opened_at(dept_id)) + f"#{row.dom_id}"
        results.append(row)
    for row in results:
        row.prefix = "result"
    return {"q": text, "results": results, "results_more": found.more}


@portal_view
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    """Account Administration: the hierarchy with an actions menu on every node.

    A small company is shown whole; a big one shows the company's own level and opens a
    department (``?open=<id>``, e.g. after an action there) with its ancestors. Operators
    and channel partners pick the company first (``?company=<id>``)."""
    actor = request_actor(request)
    if not may_administer_accounts(actor):
        messages.error(request, "Account Administration is for administrators.")
        return redirect("portal:dashboard")
    show = _show(request)
    company = _tree_company(request, actor)
    picks_company = actor.spans_companies
    context: dict[str, Any] = {
        "show": show,
        "show_choices": SHOW_CHOICES,
        "company": company,
        "picks_company": picks_company,
        "can_add_company": bool(may_add_company(actor)),
        "read_only": actor.read_only,
        "root": None,
    }
    if company is None:
        company_q = request.GET.get("company_q", "").strip()[:100]
        companies, more = (
            selectors.company_choices(actor=actor, text=company_q, limit=COMPANY_PICK_LIMIT)
            if picks_company
            else ([], False)
        )
        context.update(companies=companies, companies_more=more, company_q=company_q)
        return render_page(
            request,
            "accounts/tree.html",
            context,
            partials={COMPANIES_TARGET: "accounts/_tree_companies.html"},
        )

    can = _can(actor, company)
    builder = _Tree(company, can, show, timezone.now())
    totals = selectors.tree_totals(actor=actor, company=company)
    if totals.nodes <= EXPAND_ALL_UP_TO:
        levels = selectors.tree_levels(
            actor=actor, company=company, show=show, page=EXPAND_ALL_UP_TO
        )
    else:
        opened = int_param(request, "open")
        path = (
            selectors.tree_path(actor=actor, company=company, department_id=opened)
            if opened is not None
            else []
        )
        levels = selectors.tree_levels(
            actor=actor, company=company, show=show, parents=[None, *path]
        )
        for above in [None, *path[:-1]] if path else []:
            levels[above] = levels[above].departments_first()
        builder.opened = path[-1] if path else None
    root = _company_row(company, can)
    root.children, root.more_url = builder.rows(None, levels[None], levels)
    context.update(
        root=root,
        can=can,
        totals=totals,
        expand_all=totals.nodes <= EXPAND_ALL_UP_TO,
        page_actions=_add_actions(company, actor.scope_department, can, administrators=False)
        if (can.whole_company or actor.scope_department is not None)
        else [],
        bulk_url=reverse("accounts:users_bulk", args=[company.pk]) if can.bulk else None,
        change_company_url=reverse("accounts:tree") if picks_company else None,
    )
    if "q" in request.GET:
        context.update(_search_rows(actor, company, request.GET["q"], builder))
    return render_page(
        request, "accounts/tree.html", context, partials={TREE_TARGET: "accounts/_tree.html"}
    )


@portal_view
@require_GET
def tree_children(request: HttpRequest) -> HttpResponse:
    """A page of a node's children (``?department=<id>``, none for the company level),
    from ``?d=`` departments and ``?p=`` people on: what expanding a department and
    "Show more" fetch."""
    actor = request_actor(request)
    require_admin(actor)
    company_id = int_param(request, "company")
    if company_id is None:
        raise Http404("Bad company.")
    company = selectors.company_get(actor=actor, company_id=company_id)
    department = department_param(request, actor, "department", company)
    cursor = TreeCursor(departments=_offset(request, "d"), people=_offset(request, "p"))
    show = _show(request)
    level = selectors.tree_level(
        actor=actor, company=company, parent=department, show=show, cursor=cursor
    )
    builder = _Tree(company, _can(actor, company), show, timezone.now())
    rows, more = builder.rows(department, level)
    return render(request, "accounts/_tree_level.html", {"rows": rows, "more_url": more})


@portal_view
@require_GET
def tree_search(request: HttpRequest) -> HttpResponse:
    """Search by name (``?q=``): the company's departments, user accounts and
    administrators that match, a bounded list, each with its actions menu."""
    actor = request_actor(request)
    require_admin(actor)
    company_id = int_param(request, "company")
    if company_id is None:
        raise Http404("Bad company.")
    company = selectors.company_get(actor=actor, company_id=company_id)
    builder = _Tree(company, _can(actor, company), "all", timezone.now())
    found = _search_rows(actor, company, request.GET.get("q", ""), builder)
    context = {"company": company, **found}
    return render(request, "accounts/_tree_results.html", context)


# --- Lock / Unlock / Delete -----------------------------------------------------------


def _opened_at(department_id: int | None) -> dict[str, str]:
    """The tree's query that opens it at a department (after an action there)."""
    return {"open": str(department_id)} if department_id is not None else {}


def _confirm(
    request: HttpRequest,
    *,
    title: str,
    message: str,
    ok_label: str,
    danger: bool,
    cancel_url: str,
) -> HttpResponse:
    """The warning to acknowledge with OK (or Cancel): a modal's body for htmx, else a
    page of its own."""
    context = {
        "title": title,
        "message": message,
        "ok_label": ok_label,
        "danger": danger,
        "action_url": request.path,
        "cancel_url": cancel_url,
    }
    template = "accounts/confirm_modal.html" if is_htmx(request) else "accounts/confirm.html"
    return render(request, template, context)


def _person_action(
    request: HttpRequest,
    user_id: int,
    *,
    title: str,
    warning: Callable[[User], str],
    perform: Callable[[Actor, User], object],
    done: str,
    danger: bool = False,
) -> HttpResponse:
    actor = request_actor(request)
    require_admin(actor)
    person = selectors.user_get(actor=actor, user_id=user_id)
    if person.role not in (Role.FAX_USER, Role.ADMINISTRATOR) or person.company is None:
        raise Http404("User not found.")
    back = tree_url(actor, person.company, **_opened_at(person.department_id))
    if request.method != "POST":
        return _confirm(
            request,
            title=title,
            message=warning(person),
            ok_label="OK",
            danger=danger,
            cancel_url=back,
        )
    name = str(person)
    try:
        perform(actor, person)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(name=name))
    return page_redirect(request, back)


@portal_view
@require_http_methods(["GET", "POST"])
def user_lock(request: HttpRequest, user_id: int) -> HttpResponse:
    """Lock User: suspend sending and receiving faxes until an administrator unlocks."""
    return _person_action(
        request,
        user_id,
        title="Lock User",
        warning=lambda u: (
            f"Are you sure you want to lock {u}? The user will not be able to "
            "send or receive faxes until an authorized administrator unlocks the account."
        ),
        perform=lambda actor, u: user_services.user_lock(actor=actor, user=u),
        done="{name} is locked.",
    )


@portal_view
@require_http_methods(["GET", "POST"])
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    """Unlock User Account."""
    return _person_action(
        request,
        user_id,
        title="Unlock User Account",
        warning=lambda u: (
            f"Unlock {u}? The user will be able to sign in, send and receive faxes again."
        ),
        perform=lambda actor, u: user_services.user_unlock(actor=actor, user=u),
        done="{name} is unlocked.",
    )


@portal_view
@require_http_methods(["GET", "POST"])
def user_delete(request: HttpRequest, user_id: int) -> HttpResponse:
    """Delete User Account (and Delete for an administrator)."""

    def warning(u: User) -> str:
        what = "administrator" if u.role == Role.ADMINISTRATOR else "user account"
        return (
            f"Are you sure you want to delete the {what} {u} ({u.username})? This cannot be undone."
        )

    return _person_action(
        request,
        user_id,
        title="Delete User Account",
        warning=warning,
        perform=lambda actor, u: user_services.user_delete(actor=actor, user=u),
        done="{name} was deleted.",
        danger=True,
    )


@portal_view
@require_http_methods(["GET", "POST"])
def department_delete(request: HttpRequest, department_id: int) -> HttpResponse:
    """Delete Department: refused while it has active users (the guide)."""
    actor = request_actor(request)
    require_admin(actor)
    department = selectors.department_get(actor=actor, department_id=department_id)
    back = tree_url(actor, department.company, **_opened_at(department.parent_id))
    if request.method != "POST":
        return _confirm(
            request,
            title="Delete Department",
            message=f"Are you sure you want to delete the department {department.name}? "
            "A department that still has active users cannot be deleted: delete or move "
            "them first.",
            ok_label="OK",
            danger=True,
            cancel_url=back,
        )
    name = department.name
    try:
        department_services.department_delete(actor=actor, department=department)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Department {name} was deleted.")
    return page_redirect(request, back)
