"""Account Administration (Settings ▸ Account Administration): the tree of the company, its
departments, users and administrators, and the actions on its nodes: Add Company, Add
Department, Add User Account (with Bulk Create), Lock User, Unlock User Account, Delete User
Account and Delete Department.

Every read goes through ``accounts.selectors`` and every write through
``accounts.services`` (which enforce the rights); the pages only hide what the acting person
cannot do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from faxline.accounts import bulk, selectors
from faxline.accounts.access import Actor, request_actor
from faxline.accounts.choices import Role
from faxline.accounts.forms import (
    SHOW_CHOICES,
    BulkCreateForm,
    CompanyForm,
    DepartmentWizardForm,
    UserWizardForm,
    WizardForm,
    settings_field_name,
    settings_initial,
)
from faxline.accounts.models import Company, Department, User
from faxline.accounts.policy import effective_policy, password_problems
from faxline.accounts.selectors import TreeNode
from faxline.accounts.services import companies as company_services
from faxline.accounts.services import departments as department_services
from faxline.accounts.services import settings as settings_services
from faxline.accounts.services import users as user_services
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.portal.forms import apply_domain_error

View = Callable[..., HttpResponse]
SHOW_VALUES = {value for value, _ in SHOW_CHOICES}


# --- plumbing -------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect; an htmx request is told to load the page in full instead."""
    if _is_htmx(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _tree_url(actor: Actor, company: Company | None = None, **params: str) -> str:
    """The tree, on ``company`` when the actor has no company of their own."""
    query = dict(params)
    if company is not None and actor.user.company_id != company.pk:
        query["company"] = str(company.pk)
    url = reverse("accounts:tree")
    return f"{url}?{urlencode(query)}" if query else url


def portal_view(view: View) -> View:
    """Sign-in required; a domain refusal becomes a 404 (outside the actor's scope) or a
    message on the tree (a right the actor lacks)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            messages.error(request, exc.message)
            actor = request_actor(request)
            if actor.user.role == Role.FAX_USER:
                return _redirect(request, reverse("portal:dashboard"))
            return _redirect(request, _tree_url(actor))

    return wrapper


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(f"Bad {name}.")
    return int(raw)


def _department_param(
    request: HttpRequest, actor: Actor, name: str, company: Company
) -> Department | None:
    """The department named by ``?<name>=<id>``, within the actor's scope and the company."""
    department_id = _int_param(request, name)
    if department_id is None:
        return None
    department = selectors.department_get(actor=actor, department_id=department_id)
    if department.company_id != company.pk:
        raise Http404("Department not found.")
    return department


def _require_admin(actor: Actor) -> None:
    if not actor.uses_account_administration:
        raise Forbidden(
            "Account Administration is for administrators; ask yours for changes.",
            code="not_administrator",
        )


def _level_name(company: Company, department: Department | None) -> str:
    if department is None:
        return company.name
    return selectors.department_full_names([department])[department.pk]


# --- the tree -------------------------------------------------------------------------


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
    company_id = _int_param(request, "company")
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
    if not actor.uses_account_administration:
        messages.error(request, "Account Administration is for administrators.")
        return redirect("portal:dashboard")
    show = request.GET.get("show", "all")
    if show not in SHOW_VALUES:
        show = "all"
    company = _tree_company(request, actor)
    picks_company = actor.is_operator or actor.is_partner
    context: dict[str, Any] = {
        "show": show,
        "show_choices": SHOW_CHOICES,
        "company": company,
        "companies": list(selectors.company_list(actor=actor)) if picks_company else [],
        "picks_company": picks_company,
        "can_add_company": picks_company and not actor.read_only,
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
    if _is_htmx(request) and request.headers.get("HX-Target") == "fx-tree":
        return render(request, "accounts/_tree.html", context)
    return render(request, "accounts/tree.html", context)


# --- Add Company ----------------------------------------------------------------------


@portal_view
@require_http_methods(["GET", "POST"])
def company_add(request: HttpRequest) -> HttpResponse:
    """Add Company (operators and channel partners); the first administrator follows."""
    actor = request_actor(request)
    if not (actor.is_operator or actor.is_partner):
        raise Forbidden("Only the provider's operators and channel partners add companies.")
    partners = selectors.channel_partner_list(actor=actor) if actor.is_operator else None
    form = CompanyForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            company = company_services.company_create(
                actor=actor,
                name=form.cleaned_data["name"],
                domain=form.cleaned_data["domain"],
                channel_partner=form.cleaned_data.get("channel_partner"),
            )
        except DomainError as exc:
            if isinstance(exc, Forbidden | NotFound):
                raise
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, f"{company.name} was created. Now add its first administrator."
            )
            return _redirect(request, reverse("accounts:administrator_add", args=[company.pk]))
    return render(request, "accounts/company_add.html", {"form": form})


# --- wizards --------------------------------------------------------------------------


@dataclass
class WizardState:
    """Where a wizard stands after a request: which step to show and whether it is done."""

    form: WizardForm
    step: int
    finish: bool = False


def _wizard(
    request: HttpRequest,
    form: WizardForm,
    check_step: Callable[[WizardForm, int], None] | None = None,
) -> WizardState:
    """Move a wizard by the button pressed: Back, Next (checks the step left) or Finish.

    The whole form travels with every request (the steps not shown stay in the page), so
    the server sees and checks everything at Finish.
    """
    count = form.step_count()
    if request.method != "POST":
        return WizardState(form, 1)
    try:
        step = min(max(int(request.POST.get("step", "1")), 1), count)
    except ValueError:
        step = 1
    action = request.POST.get("action", "next")
    form.is_valid()
    if action == "back":
        form.errors.clear()
        return WizardState(form, max(step - 1, 1))
    if action == "finish" or (action == "next" and step == count):
        first = form.first_step_with_errors()
        if first is not None:
            return WizardState(form, first)
        return WizardState(form, count, finish=True)
    # Next: only the step being left is judged.
    form.keep_errors_of_step(step)
    if not form.errors_in_step(step) and check_step is not None:
        check_step(form, step)
    if form.errors_in_step(step):
        return WizardState(form, step)
    form.errors.clear()
    return WizardState(form, min(step + 1, count))


def _field_for(form: WizardForm, exc: DomainError) -> str | None:
    """The form field a service's refusal names (``settings.fax.x`` is ``fax_x``)."""
    name = exc.field or ""
    if name.startswith("settings."):
        parts = name.split(".")
        if len(parts) >= 3 and settings_field_name(parts[1], parts[2]) in form.fields:
            return settings_field_name(parts[1], parts[2])
    if name == "receiving_emails":
        return "receiving_email_1"
    return name if name in form.fields else None


def _show_refusal(form: WizardForm, exc: DomainError) -> int:
    """Put a service's refusal on its field; returns the step to show."""
    name = _field_for(form, exc)
    form.add_error(name, exc.message)
    return form.step_of(name)


def _wizard_context(state: WizardState, **extra: Any) -> dict[str, Any]:
    form = state.form
    steps = [
        {
            "number": number,
            "title": title,
            "fields": [form[name] for name in names],
            "current": number == state.step,
            "done": number < state.step,
            "has_errors": form.is_bound and form.errors_in_step(number),
        }
        for number, (title, names) in enumerate(form.STEPS, start=1)
    ]
    return {
        "form": form,
        "steps": steps,
        "step": state.step,
        "step_count": form.step_count(),
        "current": steps[state.step - 1],
        "is_last": state.step == form.step_count(),
        **extra,
    }


@portal_view
@require_http_methods(["GET", "POST"])
def department_add(request: HttpRequest, company_id: int) -> HttpResponse:
    """Add Department: the name, then its default Fax, Coverpage, Notifications and Date
    settings (prefilled from the parent), then Finish."""
    actor = request_actor(request)
    _require_admin(actor)
    company = selectors.company_get(actor=actor, company_id=company_id)
    parent = _department_param(request, actor, "parent", company)
    actor.require("departments.manage")
    if parent is None and not actor.manages_whole_company(company):
        raise Forbidden("Department administrators can only add to their own department.")
    source = selectors.settings_of(parent or company)
    initial = settings_initial(source)
    form = DepartmentWizardForm(request.POST or None, initial=initial)
    form.set_coverpages(source["coverpage"]["default_coverpage"])
    state = _wizard(request, form)
    if state.finish:
        wanted = form.settings_values()
        try:
            with transaction.atomic():
                department = department_services.department_create(
                    actor=actor, company=company, parent=parent, name=form.cleaned_data["name"]
                )
                copied = selectors.settings_of(department)
                for tab, values in wanted.items():
                    if any(copied[tab].get(k) != v for k, v in values.items()):
                        settings_services.settings_update(
                            actor=actor, owner=department, tab=tab, values=values
                        )
        except NotFound:
            raise
        except DomainError as exc:
            state.step = _show_refusal(form, exc)
        else:
            messages.success(request, f"Department {department.name} was added.")
            return _redirect(request, _tree_url(actor, company))
    context = _wizard_context(
        state,
        company=company,
        parent=parent,
        level_name=_level_name(company, parent),
        cancel_url=_tree_url(actor, company),
    )
    return render(request, "accounts/department_add.html", context)


def _password_check(
    company: Company, department: Department | None
) -> Callable[[WizardForm, int], None]:
    """Step 1 of Add User Account: say at once when the password breaks the policy (the
    service checks it again at Finish)."""

    def check(form: WizardForm, step: int) -> None:
        data = form.cleaned_data
        if step != 1 or data.get("generate_password") or not data.get("password"):
            return
        username = data.get("email") if data.get("use_email_as_username") else data.get("username")
        problems = password_problems(
            data["password"],
            policy=effective_policy(company=company, department=department),
            personal=(
                data.get("first_name", ""),
                data.get("last_name", ""),
                username or "",
                data.get("email", ""),
            ),
        )
        if problems:
            form.add_error("password", "The password " + "; ".join(problems) + ".")

    return check


def _policy_summary(company: Company, department: Department | None) -> str:
    policy, _ = selectors.policy_of(company=company, department=department)
    parts = [f"{policy.min_length} to {policy.max_length} characters"]
    for count, label in (
        (policy.min_alpha, "letter"),
        (policy.min_upper, "upper-case letter"),
        (policy.min_numeric, "digit"),
        (policy.min_special, "special character"),
    ):
        if count:
            parts.append(f"at least {count} {label}{'s' if count > 1 else ''}")
    text = "; ".join(parts)
    if policy.exclude_personal_info:
        text += "; no name, username or email address"
    return text + "."


def _unassigned_numbers(actor: Actor, company: Company) -> list[str]:
    """Numbers the wizard may offer: the company's unassigned ones, if the actor may assign."""
    if not actor.can("numbers.assign"):
        return []
    from faxline.numbers.selectors import company_numbers

    try:
        found = company_numbers(actor=actor, company=company, unassigned_only=True)
    except DomainError:
        return []
    return [n.number for n in found]


@portal_view
@require_http_methods(["GET", "POST"])
def user_add(request: HttpRequest, company_id: int) -> HttpResponse:
    """Add User Account: User Details, Contact Details, Custom Fields, Fax Settings,
    Coverpage, Notifications and Date Format, then Finish."""
    actor = request_actor(request)
    _require_admin(actor)
    company = selectors.company_get(actor=actor, company_id=company_id)
    department = _department_param(request, actor, "department", company)
    actor.require("users.manage")
    if department is None and not actor.manages_whole_company(company):
        raise Forbidden("Department administrators can only add users in their department.")
    source = selectors.settings_of(department or company)
    free_numbers = _unassigned_numbers(actor, company)
    initial = {
        **settings_initial(source),
        "country": "US",
        "no_fax_number": not free_numbers,
    }
    form = UserWizardForm(request.POST or None, initial=initial)
    form.set_coverpages(source["coverpage"]["default_coverpage"])
    form.set_fax_numbers(free_numbers)
    state = _wizard(request, form, check_step=_password_check(company, department))
    context_extra: dict[str, Any] = {
        "company": company,
        "department": department,
        "level_name": _level_name(company, department),
        "cancel_url": _tree_url(actor, company),
        "policy_summary": _policy_summary(company, department),
        "bulk_url": reverse("accounts:users_bulk", args=[company.pk])
        + (f"?department={department.pk}" if department else "")
        if actor.can("users.bulk_create")
        else None,
    }
    if state.finish:
        data = form.cleaned_data
        generate = bool(data["generate_password"])
        try:
            created = user_services.user_create(
                actor=actor,
                company=company,
                department=department,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                username=data["username"] or None,
                use_email_as_username=bool(data["use_email_as_username"]),
                password=None if generate else data["password"],
                generate_password=generate,
                contact=form.contact(),
                sending_email=data["sending_email"] or None,
                receiving_emails=form.receiving_emails() or None,
                settings=form.settings_values(),
                fax_number=data["fax_number"] or None,
            )
        except NotFound as exc:
            if exc.field != "fax_number":
                raise
            state.step = _show_refusal(form, exc)
        except DomainError as exc:
            state.step = _show_refusal(form, exc)
        else:
            user = created.user
            return render(
                request,
                "accounts/user_add_done.html",
                {
                    **context_extra,
                    "new_user": user,
                    "generated_password": created.generated_password,
                    "details_url": reverse("accounts:user_details", args=[user.pk]),
                    "again_url": request.get_full_path(),
                    "tree_url": _tree_url(actor, company),
                },
            )
    return render(request, "accounts/user_add.html", _wizard_context(state, **context_extra))


# --- Bulk Create ----------------------------------------------------------------------


SAMPLE_ROWS = [
    [
        "Ada",
        "Lovelace",
        "ada@example.com",
        "",
        "yes",
        "",
        "",
        "",
        "",
        "+1 202 555 0101",
        "Cost centre 12",
        "",
        "",
        "",
    ],
    [
        "Alan",
        "Turing",
        "alan@example.com",
        "aturing",
        "no",
        "",
        "",
        "alan.fax@example.com",
        "alan@example.com;fax-archive@example.com",
        "",
        "",
        "",
        "",
        "",
    ],
]


def _sample_csv() -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(bulk.COLUMNS)
    for row in SAMPLE_ROWS:
        writer.writerow(row[: len(bulk.COLUMNS)])
    return out.getvalue()


COLUMN_HELP = {
    "first_name": "Required.",
    "last_name": "Required.",
    "email": "Required.",
    "username": "Required unless use_email_as_username is yes.",
    "use_email_as_username": "yes or no.",
    "department": "A name or a full path (Billing Dept -> Billing Level 1). Blank: the "
    "default department below.",
    "password": "Blank: a password is generated and shown once in the report.",
    "sending_email": "Blank: the user's email.",
    "receiving_emails": "Up to three, separated by semicolons. Blank: the user's email.",
    "phone": "Optional.",
    "custom1": "Optional. Do not put PHI or PII in custom fields.",
    "custom2": "Optional.",
    "custom3": "Optional.",
    "custom4": "Optional.",
}


@portal_view
@require_http_methods(["GET", "POST"])
def users_bulk(request: HttpRequest, company_id: int) -> HttpResponse:
    """Bulk Create: upload a CSV file of user accounts; the report says row by row what
    was created and what was refused (generated passwords shown once)."""
    actor = request_actor(request)
    _require_admin(actor)
    company = selectors.company_get(actor=actor, company_id=company_id)
    if request.GET.get("sample"):
        response = HttpResponse(_sample_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="faxline-users-sample.csv"'
        return response
    actor.require("users.bulk_create")
    preselected = _department_param(request, actor, "department", company)
    departments = list(selectors.department_list(actor=actor, company=company))
    names = selectors.department_full_names(departments)
    choices = [(d.pk, names[d.pk]) for d in departments]
    company_level = actor.manages_whole_company(company)
    initial = {"default_department": preselected.pk} if preselected else {}
    form = BulkCreateForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        departments=choices,
        company_level=company_level,
    )
    report = None
    if request.method == "POST" and form.is_valid():
        default = None
        if form.cleaned_data["default_department"]:
            default = selectors.department_get(
                actor=actor, department_id=form.cleaned_data["default_department"]
            )
        try:
            report = bulk.users_bulk_create(
                actor=actor,
                company=company,
                data=form.cleaned_data["file"].read(),
                default_department=default,
            )
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_error("file" if exc.field in (None, "file") else None, exc.message)
        else:
            if report.created:
                messages.success(
                    request,
                    f"{report.created} user account{'s' if report.created != 1 else ''} created"
                    + (f", {report.refused} refused." if report.refused else "."),
                )
            elif report.refused:
                messages.warning(
                    request,
                    f"No user account was created: {report.refused} "
                    f"row{'s' if report.refused != 1 else ''} refused.",
                )
    return render(
        request,
        "accounts/users_bulk.html",
        {
            "form": form,
            "company": company,
            "report": report,
            "generated": bool(report and any(r.generated_password for r in report.rows)),
            "columns": [
                (c, c in bulk.REQUIRED_COLUMNS, COLUMN_HELP.get(c, "")) for c in bulk.COLUMNS
            ],
            "sample_url": reverse("accounts:users_bulk", args=[company.pk]) + "?sample=1",
            "user_add_url": reverse("accounts:user_add", args=[company.pk])
            + (f"?department={preselected.pk}" if preselected else ""),
            "cancel_url": _tree_url(actor, company),
        },
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
    template = "accounts/confirm_modal.html" if _is_htmx(request) else "accounts/confirm.html"
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
    _require_admin(actor)
    person = selectors.user_get(actor=actor, user_id=user_id)
    if person.role not in (Role.FAX_USER, Role.ADMINISTRATOR) or person.company is None:
        raise Http404("User not found.")
    back = _tree_url(actor, person.company)
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
    return _redirect(request, back)


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
    _require_admin(actor)
    department = selectors.department_get(actor=actor, department_id=department_id)
    back = _tree_url(actor, department.company)
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
    return _redirect(request, back)
