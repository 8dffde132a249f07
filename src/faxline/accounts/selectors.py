"""Every read of the accounts domain, scoped to the acting person.

An object outside the actor's scope raises ``NotFound``, exactly as a missing one does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from faxline.accounts.access import Actor, may_see_audit_log, may_see_global_policy
from faxline.accounts.choices import Role
from faxline.accounts.models import (
    ApiKey,
    ChannelPartner,
    Company,
    Department,
    SecurityPolicy,
    User,
)
from faxline.accounts.policy import (
    effective_policy,
    global_policy,
    own_policy,
    password_expired,
    policy_for_user,
)
from faxline.accounts.preferences import TABS, USER_TABS, complete
from faxline.core.errors import NotFound
from faxline.core.models import AuditEvent

SettingsOwner = Company | Department | User


def company_list(*, actor: Actor) -> QuerySet[Company]:
    return Company.objects.filter(actor.companies_q()).order_by("name")


def company_get(*, actor: Actor, company_id: int) -> Company:
    company = Company.objects.filter(actor.companies_q(), pk=company_id).first()
    if company is None or not actor.sees_company(company):
        raise NotFound("Company not found.", field="company_id")
    return company


def actor_company(*, actor: Actor) -> Company:
    """The company an administrator or fax user belongs to."""
    if actor.user.company is None:
        raise NotFound("You do not belong to a company; choose one.", field="company_id")
    return actor.user.company


def company_in_view(*, actor: Actor, company_id: int | None = None) -> Company | None:
    """The company a page shows: the one asked for (within the actor's scope), else the
    actor's own, else the first one an operator or channel partner sees (None if none)."""
    if company_id is not None:
        return company_get(actor=actor, company_id=company_id)
    if actor.user.company_id is not None:
        return actor_company(actor=actor)
    if actor.spans_companies:
        return company_list(actor=actor).first()
    return None


def department_list(
    *, actor: Actor, company: Company | None = None, search: str = ""
) -> QuerySet[Department]:
    qs = Department.objects.filter(actor.departments_q()).select_related("company", "parent")
    if company is not None:
        qs = qs.filter(company=company)
    if search:
        qs = qs.filter(name__icontains=search)
    return qs.order_by("company_id", "path")


def department_get(*, actor: Actor, department_id: int) -> Department:
    department = (
        Department.objects.filter(actor.departments_q(), pk=department_id)
        .select_related("company", "parent")
        .first()
    )
    if department is None:
        raise NotFound("Department not found.", field="department_id")
    return department


def user_list(
    *,
    actor: Actor,
    company: Company | None = None,
    department: Department | None = None,
    role: str | None = None,
    search: str = "",
    locked: bool | None = None,
) -> QuerySet[User]:
    qs = User.objects.filter(actor.users_q()).select_related("company", "department")
    if company is not None:
        qs = qs.filter(company=company)
    if department is not None:
        qs = qs.filter(department__path__startswith=department.path)
    if role is not None:
        qs = qs.filter(role=role)
    if search:
        qs = qs.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    if locked is not None:
        qs = qs.filter(is_locked=locked)
    return qs.order_by("last_name", "first_name", "pk")


def user_get(*, actor: Actor, user_id: int, role: str | None = None) -> User:
    qs = User.objects.filter(actor.users_q(), pk=user_id).select_related("company", "department")
    if role is not None:
        qs = qs.filter(role=role)
    user = qs.first()
    if user is None:
        label = "Administrator" if role == Role.ADMINISTRATOR else "User"
        raise NotFound(f"{label} not found.", field="user_id")
    return user


def settings_of(owner: SettingsOwner) -> dict[str, Any]:
    """A level's settings as shown: every tab complete, secrets replaced by flags."""
    tabs = USER_TABS if isinstance(owner, User) else tuple(TABS)
    data = complete(owner.settings, tabs)
    if "archive" in data:
        archive = data["archive"]
        archive["ftp_password_set"] = bool(archive.pop("ftp_password_encrypted", None))
    return data


def policy_of(*, company: Company, department: Department | None) -> tuple[SecurityPolicy, bool]:
    """The policy in force at a level and whether it is customized exactly there."""
    own = own_policy(company=company, department=department)
    if own is not None:
        return own, True
    return effective_policy(company=company, department=department), False


def api_keys_of(*, actor: Actor, user: User) -> QuerySet[ApiKey]:
    if user.pk != actor.user.pk:
        user_get(actor=actor, user_id=user.pk)
    return ApiKey.objects.filter(user=user).order_by("-created_at")


def audit_events(*, actor: Actor, company: Company | None = None) -> QuerySet[AuditEvent]:
    """Audit events: operators see all, company administrators their company's."""
    qs = AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-id")
    if actor.is_operator:
        return qs.filter(company=company) if company is not None else qs
    if actor.is_partner:
        return qs.filter(company__channel_partner_id=actor.user.channel_partner_id)
    if actor.is_company_admin:
        return qs.filter(company=actor.user.company)
    return qs.none()


@dataclass
class TreeNode:
    """One node of the Account Administration tree."""

    kind: str  # company | department | user | administrator
    obj: Any
    children: list[TreeNode] = field(default_factory=list)
    depth: int = 0
    active_users: int = 0


def account_tree(*, actor: Actor, company: Company, show: str = "all") -> TreeNode:
    """The company, its departments, users and administrators as the actor may see them.

    ``show`` filters what is listed: ``all``, ``departments``, ``users``,
    ``administrators`` or ``locked``.
    """
    departments = list(department_list(actor=actor, company=company))
    counts = dict(
        User.objects.filter(company=company, deleted_at__isnull=True, role=Role.FAX_USER)
        .values_list("department_id")
        .annotate(n=Count("id"))
        .values_list("department_id", "n")
    )
    people = list(
        user_list(actor=actor, company=company).filter(role__in=[Role.FAX_USER, Role.ADMINISTRATOR])
    )
    root = TreeNode("company", company)
    nodes: dict[int | None, TreeNode] = {None: root}
    for dept in departments:
        node = TreeNode(
            "department", dept, depth=dept.depth + 1, active_users=counts.get(dept.pk, 0)
        )
        nodes[dept.pk] = node
    scope = actor.scope_department
    for dept in departments:
        parent_key = dept.parent_id if (scope is None or dept.pk != scope.pk) else None
        nodes.get(parent_key, root).children.append(nodes[dept.pk])
    users: list[tuple[int | None, TreeNode]] = []
    admins: list[tuple[int | None, TreeNode]] = []
    for person in people:
        if show == "locked" and not person.is_locked:
            continue
        key = person.department_id if person.department_id in nodes else None
        depth = nodes[key].depth + 1
        if person.role == Role.ADMINISTRATOR:
            if show in ("all", "administrators", "locked"):
                admins.append((key, TreeNode("administrator", person, depth=depth)))
        elif show in ("all", "users", "locked"):
            users.append((key, TreeNode("user", person, depth=depth)))
    # Users under their department first, then that level's administrators (as the guide).
    for key, node in users + admins:
        nodes[key].children.append(node)
    return root


def flatten_tree(node: TreeNode) -> list[TreeNode]:
    out = [node]
    for child in node.children:
        out.extend(flatten_tree(child))
    return out


# --- API support (lists, look-ups and checks the REST API needs) ---------------------


def department_search(
    *,
    actor: Actor,
    company: Company | None = None,
    parent: Department | None = None,
    search: str = "",
) -> QuerySet[Department]:
    """The department list with its filters; ``parent`` keeps only its direct children."""
    qs = department_list(actor=actor, company=company, search=search)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs


def department_full_names(departments: list[Department]) -> dict[int, str]:
    """``Billing Dept -> Billing Level 1`` for each department, in one query (lists)."""
    ids = {int(p) for d in departments for p in d.path.strip("/").split("/") if p}
    names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    out: dict[int, str] = {}
    for dept in departments:
        chain = [int(p) for p in dept.path.strip("/").split("/") if p] or [dept.pk]
        out[dept.pk] = " -> ".join(names.get(i, dept.name) for i in chain)
    return out


def channel_partner_get(*, actor: Actor, channel_partner_id: int) -> ChannelPartner:
    """A channel partner, for operators (partners only ever see themselves)."""
    qs = ChannelPartner.objects.filter(pk=channel_partner_id)
    if not actor.is_operator:
        qs = qs.filter(pk=actor.user.channel_partner_id or 0)
    partner = qs.first()
    if partner is None:
        raise NotFound("Channel partner not found.", field="channel_partner_id")
    return partner


def audit_event_list(*, actor: Actor, kind: str = "") -> QuerySet[AuditEvent]:
    """The audit trail for those who may read it (operators, partners, company-level
    administrators); anyone else is refused rather than shown an empty list."""
    may_see_audit_log(actor).check()
    qs = audit_events(actor=actor)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def policy_global(*, actor: Actor) -> SecurityPolicy:
    """The platform-wide security policy, for operators."""
    may_see_global_policy(actor).check()
    return global_policy()


def password_change_due(user: User) -> bool:
    """True when the user must change their password before doing anything else: an
    administrator forced it, or the policy's maximum age has passed."""
    return user.must_change_password or password_expired(user, policy_for_user(user))


def channel_partner_list(*, actor: Actor) -> QuerySet[ChannelPartner]:
    """Operators see every channel partner; partner staff their own."""
    qs = ChannelPartner.objects.order_by("name")
    if actor.is_operator:
        return qs
    if actor.is_partner:
        return qs.filter(pk=actor.user.channel_partner_id or 0)
    return qs.none()
