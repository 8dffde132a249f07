"""Settings ▸ Account Administration: the tree of the company, its departments, users and
administrators, with an actions menu on every node, and the actions that need only a
confirmation (Lock User, Unlock User Account, Delete User Account, Delete Department)."""

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
from django.views.decorators.http import require_GET, require_http_methods

from faxline.accounts import selectors
from faxline.accounts.access import Actor, may_add_company, may_administer_accounts, request_actor
from faxline.accounts.choices import Role
from faxline.accounts.forms import SHOW_CHOICES
from faxline.accounts.models import Company, Department, User
from faxline.accounts.selectors import TreeNode
from faxline.accounts.services import departments as department_services
from faxline.accounts.services import users as user_services
from faxline.accounts.views.common import int_param, require_admin, tree_url
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.portal.toolkit import is_htmx, page_redirect, portal_view, render_page

SHOW_VALUES = {value for value, _ in SHOW_CHOICES}
TREE_TARGET = "fx-tree"


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
    """A node of the tree as the page shows it."""

    kind: str
    obj: Any
    name: str
    url: str | None
    actions: list[Action] = field(default_factory=list)
    children: list[Row] = field(default_factory=list)
    locked: bool = False
    locked_out: bool = False
    note: str = ""

    @property
    def dom_id(self) -> str:
        return f"node-{self.kind}-{self.obj.pk}"


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


def _row(node: TreeNode, company: Company, can: _Can, now: datetime) -> Row:
    obj = node.obj
    if node.kind == "company":
        url = reverse("accounts:company_details", args=[obj.pk]) if can.whole_company else None
        row = Row("company", obj, obj.name, url)
        if can.whole_company:
            assert url is not None
            row.actions = [Action("Company Details", url, "details")]
            row.actions += _add_actions(company, None, can)
    elif node.kind == "department":
        url = reverse("accounts:department_details", args=[obj.pk])
        row = Row("department", obj, obj.name, url)
        row.actions = [Action("Department Details", url, "details")]
        row.actions += _add_actions(company, obj, can)
        if can.departments and obj.pk != can.scope_id:
            row.actions.append(
                Action(
                    "Delete Department",
                    reverse("accounts:department_delete", args=[obj.pk]),
                    "delete",
                    danger=True,
                    confirm=True,
                    divider_before=True,
                )
            )
    elif node.kind == "user":
        url = reverse("accounts:user_details", args=[obj.pk])
        locked_out = bool(obj.locked_out_until and obj.locked_out_until > now)
        row = Row(
            "user",
            obj,
            obj.full_name or obj.username,
            url,
            locked=obj.is_locked,
            locked_out=locked_out and not obj.is_locked,
        )
        row.actions = [Action("User Account Details", url, "details")]
        if can.lock and obj.pk != can.me:
            if obj.is_locked or locked_out:
                row.actions.append(
                    Action(
                        "Unlock User Account",
                        reverse("accounts:user_unlock", args=[obj.pk]),
                        "unlock",
                        confirm=True,
                    )
                )
            else:
                row.actions.append(
                    Action(
                        "Lock User",
                        reverse("accounts:user_lock", args=[obj.pk]),
                        "lock",
                        confirm=True,
                    )
                )
        if can.users and obj.pk != can.me:
            row.actions.append(
                Action(
                    "Delete User Account",
                    reverse("accounts:user_delete", args=[obj.pk]),
                    "delete",
                    danger=True,
                    confirm=True,
                    divider_before=True,
                )
            )
    else:
        url = reverse("accounts:administrator_details", args=[obj.pk])
        row = Row("administrator", obj, obj.full_name or obj.username, url, locked=obj.is_locked)
        if obj.read_only:
            row.note = "Read-only"
        if obj.pk == can.me:
            row.note = "You" + (" · Read-only" if obj.read_only else "")
        row.actions = [Action("Administrator Details", url, "details")]
        if can.administrators and obj.pk != can.me:
            row.actions.append(
                Action(
                    "Delete",
                    reverse("accounts:user_delete", args=[obj.pk]),
                    "delete",
                    danger=True,
                    confirm=True,
                    divider_before=True,
                )
            )
    row.children = [_row(child, company, can, now) for child in node.children]
    return row


def _prune(row: Row) -> bool:
    """Under a people filter, keep a department only when someone shown lives below it;
    True when anything is left under ``row``."""
    row.children = [c for c in row.children if c.kind != "department" or _prune(c)]
    return bool(row.children)


def _count(row: Row, counts: dict[str, int]) -> dict[str, int]:
    counts[row.kind] = counts.get(row.kind, 0) + 1
    if row.locked:
        counts["locked"] = counts.get("locked", 0) + 1
    for child in row.children:
        _count(child, counts)
    return counts


def _tree_company(request: HttpRequest, actor: Actor) -> Company | None:
    company_id = int_param(request, "company")
    if company_id is not None:
        return selectors.company_get(actor=actor, company_id=company_id)
    if actor.user.company_id is not None:
        return selectors.actor_company(actor=actor)
    return selectors.company_list(actor=actor).first()


@portal_view
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    """Account Administration: the hierarchy with an actions menu on every node."""
    actor = request_actor(request)
    if not may_administer_accounts(actor):
        messages.error(request, "Account Administration is for administrators.")
        return redirect("portal:dashboard")
    show = request.GET.get("show", "all")
    if show not in SHOW_VALUES:
        show = "all"
    company = _tree_company(request, actor)
    picks_company = actor.spans_companies
    context: dict[str, Any] = {
        "show": show,
        "show_choices": SHOW_CHOICES,
        "company": company,
        "companies": list(selectors.company_list(actor=actor)) if picks_company else [],
        "picks_company": picks_company,
        "can_add_company": bool(may_add_company(actor)),
        "read_only": actor.read_only,
        "root": None,
        "counts": {},
    }
    if company is not None:
        can = _can(actor, company)
        root = _row(
            selectors.account_tree(actor=actor, company=company, show=show),
            company,
            can,
            timezone.now(),
        )
        if show != "all" and show != "departments":
            _prune(root)
        context.update(
            root=root,
            can=can,
            counts=_count(root, {}),
            page_actions=_add_actions(company, actor.scope_department, can, administrators=False)
            if (can.whole_company or actor.scope_department is not None)
            else [],
            bulk_url=reverse("accounts:users_bulk", args=[company.pk]) if can.bulk else None,
        )
    return render_page(
        request, "accounts/tree.html", context, partials={TREE_TARGET: "accounts/_tree.html"}
    )


# --- Lock / Unlock / Delete -----------------------------------------------------------


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
    back = tree_url(actor, person.company)
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
    back = tree_url(actor, department.company)
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
