"""Every read of the accounts domain, scoped to the acting person.

An object outside the actor's scope raises ``NotFound``, exactly as a missing one does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.functions import Lower, RowNumber

from faxline.accounts.access import (
    Actor,
    may_see_audit_log,
    may_see_blocked_numbers,
    may_see_global_policy,
)
from faxline.accounts.choices import Role
from faxline.accounts.models import (
    ApiKey,
    BlockedNumber,
    ChannelPartner,
    Company,
    CoverPageTemplate,
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
from faxline.core.errors import NotFound, ValidationFailed
from faxline.core.models import AuditEvent
from faxline.core.phone import fax_number_e164

SettingsOwner = Company | Department | User


def company_list(*, actor: Actor) -> QuerySet[Company]:
    return Company.objects.filter(actor.companies_q()).order_by("name")


def company_choices(*, actor: Actor, text: str = "", limit: int) -> tuple[list[Company], bool]:
    """The first ``limit`` companies (by name) the actor sees whose name contains ``text``,
    and whether there are more."""
    companies = company_list(actor=actor)
    if text:
        companies = companies.filter(name__icontains=text)
    found = list(companies[: limit + 1])
    return found[:limit], len(found) > limit


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


# --- Account Administration tree --------------------------------------------------------
#
# The tree is read a level at a time: a node's children are its sub-departments (by name),
# then its people (fax users, then administrators, by name), a page at a time. Each read is
# a fixed number of queries whatever the size of the company.

TREE_PAGE = 40  # children of one node per page (departments first, then people)
TREE_SEARCH_LIMIT = 20  # matches of each kind a search shows
TREE_SHOWS = ("all", "departments", "users", "administrators", "locked")
# What a row shows (the tree reads no more of each department and person).
TREE_DEPARTMENT_FIELDS = ("id", "company_id", "parent_id", "name", "path", "depth")
TREE_PERSON_FIELDS = (
    "id",
    "username",
    "first_name",
    "last_name",
    "role",
    "company_id",
    "department_id",
    "is_locked",
    "locked_out_until",
    "read_only",
    "rights",  # whether the actor may act on an administrator (accounts.access)
)


@dataclass(frozen=True)
class TreeCursor:
    """Where a page of a node's children starts: past this many of its departments, then
    past this many of its people."""

    departments: int = 0
    people: int = 0


@dataclass
class TreeLevel:
    """One page of a node's children. Each department carries ``has_children`` (whether
    expanding it shows anything under the Show filter); ``more`` is where the next page
    starts (None: this is the last)."""

    departments: list[Department] = field(default_factory=list)
    people: list[User] = field(default_factory=list)
    more: TreeCursor | None = None
    has_children: set[int] = field(default_factory=set)  # ids of departments

    def departments_first(self) -> TreeLevel:
        """This first page with its departments only: its people come with "Show more"
        (the levels above an opened department stay short)."""
        if not self.people:
            return self
        if self.more is not None and self.more.people == 0:
            return self  # more departments than a page: no people on it anyway
        more = TreeCursor(departments=len(self.departments), people=0)
        return TreeLevel(self.departments, [], more, self.has_children)


@dataclass(frozen=True)
class TreeTotals:
    """What the actor sees of a company: departments, fax users, administrators, locked."""

    departments: int
    users: int
    administrators: int
    locked: int

    @property
    def nodes(self) -> int:
        return self.departments + self.users + self.administrators


@dataclass
class TreeSearch:
    """The departments and people whose names match, each list cut at the limit (``more``
    says that there were more)."""

    departments: list[Department]
    people: list[User]
    more: bool
    locations: dict[int, str]  # department id -> "Billing Dept -> Billing Level 1"


def _tree_people_q(show: str) -> Q | None:
    """Which people a Show filter lists (None: no people at all)."""
    if show == "departments":
        return None
    roles = {"users": [Role.FAX_USER], "administrators": [Role.ADMINISTRATOR]}.get(
        show, [Role.FAX_USER, Role.ADMINISTRATOR]
    )
    q = Q(role__in=roles)
    if show == "locked":
        q &= Q(is_locked=True)
    return q


def _tree_departments(*, actor: Actor, company: Company, show: str) -> QuerySet[Department]:
    """The company's departments the actor sees, as the Show filter lists them: with a
    people filter, only those with someone listed in their subtree."""
    qs = Department.objects.filter(actor.departments_q(), company=company)
    people_q = _tree_people_q(show)
    if show in ("all", "departments"):
        qs = qs.annotate(has_sub=Exists(Department.objects.filter(parent=OuterRef("pk"))))
        if people_q is not None:
            direct = User.objects.filter(
                people_q, department=OuterRef("pk"), deleted_at__isnull=True
            )
            qs = qs.annotate(has_people=Exists(direct))
        return qs
    assert people_q is not None
    # The departments where someone listed lives, and their ancestors: one query over the
    # people listed (cheaper than asking each department about its subtree).
    paths = (
        User.objects.filter(
            people_q, company=company, deleted_at__isnull=True, department__isnull=False
        )
        .order_by()
        .values_list("department__path", flat=True)
        .distinct()
    )
    ids = {int(p) for path in paths for p in path.strip("/").split("/") if p}
    return qs.filter(pk__in=ids)


def _rank(partition: str, *order: Any) -> Window:
    return Window(RowNumber(), partition_by=[F(partition)], order_by=list(order))


def tree_levels(
    *,
    actor: Actor,
    company: Company,
    show: str = "all",
    parents: Sequence[int | None] | None = None,
    cursor: TreeCursor = TreeCursor(),
    page: int = TREE_PAGE,
) -> dict[int | None, TreeLevel]:
    """A page of the children of each of ``parents`` (department ids; None is the company
    level, which for a department administrator holds their department), or of every node
    when ``parents`` is None; in two queries (one when the filter lists no people)."""
    scope = actor.scope_department
    people_q = _tree_people_q(show)
    departments = _tree_departments(actor=actor, company=company, show=show)
    people = (
        User.objects.filter(actor.users_q(), people_q, company=company)
        if people_q is not None
        else None
    )
    if parents is not None:
        ids = [p for p in parents if p is not None]
        at_top = None in parents
        where = Q(parent_id__in=ids)
        if at_top:
            where |= Q(pk=scope.pk) if scope is not None else Q(parent__isnull=True)
        departments = departments.filter(where)
        if people is not None:
            where = Q(department_id__in=ids)
            if at_top and scope is None:
                where |= Q(department__isnull=True)
            people = people.filter(where)
    # One parent: a plain ORDER BY with LIMIT / OFFSET (a top-N sort). Several: each
    # parent's first rows at once, ranked within the parent by a window function.
    single = parents is not None and len(parents) == 1
    start = cursor.departments

    def window(qs: QuerySet[Any], partition: str, order: list[Any], start: int) -> list[Any]:
        if single:
            return list(qs.order_by(*order)[start : start + page + 1])
        ranked = qs.annotate(tree_rank=_rank(partition, *order))
        ranked = ranked.filter(tree_rank__gt=start, tree_rank__lte=start + page + 1)
        return list(ranked.order_by(partition, "tree_rank"))

    def key_of_department(dept: Department) -> int | None:
        if scope is not None:
            return None if dept.pk == scope.pk else dept.parent_id
        return dept.parent_id

    found: dict[int | None, list[Department]] = {}
    has_children: set[int] = set()
    dept_order = [Lower("name").asc(), F("pk").asc()]
    for dept in window(departments.only(*TREE_DEPARTMENT_FIELDS), "parent_id", dept_order, start):
        if show == "all":
            filled = dept.has_sub or dept.has_people
        elif show == "departments":
            filled = dept.has_sub
        else:
            filled = True  # listed only because someone shown lives below it
        if filled:
            has_children.add(dept.pk)
        found.setdefault(key_of_department(dept), []).append(dept)
    listed: dict[int | None, list[User]] = {}
    if people is not None:
        admins_last = Case(When(role=Role.ADMINISTRATOR, then=Value(1)), default=Value(0))
        people_order = [admins_last, F("last_name").asc(), F("first_name").asc(), F("pk").asc()]
        # The department's path: whether a department administrator may act on the person.
        people = people.select_related("department").only(*TREE_PERSON_FIELDS, "department__path")
        for person in window(people, "department_id", people_order, cursor.people):
            listed.setdefault(person.department_id, []).append(person)

    keys: list[int | None] = (
        list(parents)
        if parents is not None
        else [None, *(d.pk for level in found.values() for d in level)]
    )
    levels: dict[int | None, TreeLevel] = {}
    for key in keys:
        depts = found.get(key, [])
        if len(depts) > page:
            more: TreeCursor | None = TreeCursor(cursor.departments + page, 0)
            levels[key] = TreeLevel(depts[:page], [], more, has_children)
            continue
        room = page - len(depts)
        some = listed.get(key, [])
        more = (
            TreeCursor(cursor.departments + len(depts), cursor.people + room)
            if len(some) > room
            else None
        )
        levels[key] = TreeLevel(depts, some[:room], more, has_children)
    return levels


def tree_level(
    *,
    actor: Actor,
    company: Company,
    parent: Department | None,
    show: str = "all",
    cursor: TreeCursor = TreeCursor(),
) -> TreeLevel:
    """One page of one node's children (``parent`` None: the company level)."""
    key = parent.pk if parent is not None else None
    return tree_levels(actor=actor, company=company, show=show, parents=[key], cursor=cursor)[key]


def tree_totals(*, actor: Actor, company: Company) -> TreeTotals:
    """How many departments, fax users, administrators and locked people the actor sees in
    the company (two counting queries)."""
    departments = Department.objects.filter(actor.departments_q(), company=company).count()
    people = User.objects.filter(
        actor.users_q(), company=company, role__in=[Role.FAX_USER, Role.ADMINISTRATOR]
    ).aggregate(
        users=Count("pk", filter=Q(role=Role.FAX_USER)),
        administrators=Count("pk", filter=Q(role=Role.ADMINISTRATOR)),
        locked=Count("pk", filter=Q(is_locked=True)),
    )
    return TreeTotals(departments=departments, **people)


def tree_path(*, actor: Actor, company: Company, department_id: int) -> list[int]:
    """The departments from the top of the actor's tree down to ``department_id`` (ids), or
    nothing when the actor does not see it in this company."""
    department = Department.objects.filter(
        actor.departments_q(), company=company, pk=department_id
    ).first()
    if department is None:
        return []
    ids = [int(p) for p in department.path.strip("/").split("/") if p]
    scope = actor.scope_department
    if scope is not None and scope.pk in ids:
        ids = ids[ids.index(scope.pk) :]
    return ids


def tree_search(
    *, actor: Actor, company: Company, text: str, limit: int = TREE_SEARCH_LIMIT
) -> TreeSearch:
    """Departments, fax users and administrators of the company whose names contain every
    word of ``text`` (first name, last name or username for people), at most ``limit`` of
    each kind; three queries."""
    words = text.split()[:5]
    if not words:
        return TreeSearch([], [], False, {})
    dept_q = Q()
    person_q = Q()
    for word in words:
        dept_q &= Q(name__icontains=word)
        person_q &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
        )
    departments = list(
        Department.objects.filter(actor.departments_q(), dept_q, company=company)
        .only(*TREE_DEPARTMENT_FIELDS)
        .order_by(Lower("name"), "pk")[: limit + 1]
    )
    people = list(
        User.objects.filter(
            actor.users_q(),
            person_q,
            company=company,
            role__in=[Role.FAX_USER, Role.ADMINISTRATOR],
        )
        .select_related("department")
        .only(*TREE_PERSON_FIELDS, "department__path", "department__name")
        .order_by("last_name", "first_name", "pk")[: limit + 1]
    )
    more = len(departments) > limit or len(people) > limit
    departments, people = departments[:limit], people[:limit]
    places = departments + [p.department for p in people if p.department is not None]
    return TreeSearch(departments, people, more, department_full_names(places) if places else {})


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


# --- cover pages and what a sender's faxes say ------------------------------------------

BUILT_IN_COVER = "Standard"  # the Coverpage tab's value for the built-in "faxline Default"
COVER_KEY_PREFIX = "cover:"


@dataclass(frozen=True)
class CoverChoice:
    """A cover a level may choose: the built-in (``cover`` None) or a template."""

    key: str
    label: str
    cover: CoverPageTemplate | None = None


def cover_level(owner: SettingsOwner) -> tuple[Company, Department | None]:
    """The company and department whose covers a level owns (a user: their level's)."""
    if isinstance(owner, Company):
        return owner, None
    if isinstance(owner, Department):
        return owner.company, owner
    if owner.company is None:
        raise NotFound("User not found.", field="user_id")
    return owner.company, owner.department


def covers_owned(owner: Company | Department) -> QuerySet[CoverPageTemplate]:
    """The covers uploaded for exactly this level (Manage, and the API's list)."""
    if isinstance(owner, Company):
        qs = CoverPageTemplate.objects.filter(company=owner, department__isnull=True)
    else:
        qs = CoverPageTemplate.objects.filter(department=owner)
    return qs.select_related("department", "uploaded_by").order_by(Lower("name"), "pk")


def covers_available(
    owner: SettingsOwner, *, only_mine: bool | None = None
) -> list[CoverPageTemplate]:
    """The templates a level may use: its own and its ancestors' (the company's included),
    or only its own with "Only my cover(s)" (``only_mine`` None: as the level's Coverpage
    tab says). Nearest level first, then by name."""
    company, department = cover_level(owner)
    if only_mine is None:
        only_mine = bool(complete(owner.settings, ("coverpage",))["coverpage"]["only_my_covers"])
    if only_mine:
        if department is None:
            return list(covers_owned(company))
        return list(covers_owned(department))
    chain = [*department.ancestors(), department] if department is not None else []
    depth = {d.pk: i for i, d in enumerate(chain)}
    covers = list(
        CoverPageTemplate.objects.filter(
            Q(department__isnull=True) | Q(department_id__in=list(depth)), company=company
        ).select_related("department")
    )
    covers.sort(
        key=lambda c: (-depth.get(c.department_id, -1) if c.department_id else 1, c.name.lower())
    )
    return covers


def cover_choices(owner: SettingsOwner, *, only_mine: bool | None = None) -> list[CoverChoice]:
    """The Coverpage tab's drop-down: "faxline Default", then the covers the level may use
    (an inherited one says whose it is)."""
    _company, department = cover_level(owner)
    choices = [CoverChoice(key=BUILT_IN_COVER, label="faxline Default")]
    for cover in covers_available(owner, only_mine=only_mine):
        label = cover.name
        if cover.department_id != (department.pk if department else None):
            label += f" ({cover.department.name if cover.department else 'Company'})"
        choices.append(CoverChoice(key=cover.key, label=label, cover=cover))
    return choices


def cover_for(
    owner: SettingsOwner, key: str, *, only_mine: bool | None = None
) -> CoverPageTemplate | None:
    """The template a Coverpage tab value names, when the level may use it; None for the
    built-in default and for a cover that is gone or no longer offered (the built-in is
    used instead)."""
    if not key.startswith(COVER_KEY_PREFIX):
        return None
    for choice in cover_choices(owner, only_mine=only_mine):
        if choice.key == key:
            return choice.cover
    return None


def cover_get(*, actor: Actor, cover_id: int) -> CoverPageTemplate:
    """A cover the actor may see: a company's covers for whoever sees the company, a
    department's for whoever sees that department or one below it (it is offered there)."""
    cover = (
        CoverPageTemplate.objects.filter(actor.in_companies_q(), pk=cover_id)
        .select_related("company", "department", "uploaded_by")
        .first()
    )
    if cover is None or not actor.sees_company(cover.company):
        raise NotFound("Cover page not found.", field="cover_id")
    if cover.department is not None and not actor.sees_department(cover.department):
        root = actor.scope_department
        if root is None or not root.path.startswith(cover.department.path):
            raise NotFound("Cover page not found.", field="cover_id")
    return cover


def effective_settings(user: User) -> dict[str, Any]:
    """A fax user's settings in force, tab by tab: their own when stored, else their
    department's, its ancestors', then the company's (levels copy their settings down when
    they are created; a user made without them inherits here)."""
    own = user.settings or {}
    chain: list[dict[str, Any]] = []
    if user.department is not None:
        chain += [
            d.settings or {} for d in [user.department, *reversed(user.department.ancestors())]
        ]
    if user.company is not None:
        chain.append(user.company.settings or {})
    merged: dict[str, Any] = {}
    for tab in USER_TABS:
        source = own if tab in own else next((s for s in chain if tab in s), {})
        merged[tab] = source.get(tab) or {}
    return complete(merged, USER_TABS)


# --- Outbound Number Blocking ------------------------------------------------------------


def blocked_number_list(*, actor: Actor, company: Company, q: str = "") -> QuerySet[BlockedNumber]:
    """The company's blocked numbers, by number (Display All), or those matching ``q``
    (Lookup Number): a whole number in any spelling finds that number; otherwise the digits
    typed are looked for anywhere in the numbers (``920`` finds ``+17329200193``). Only
    those who may see the list (``may_see_blocked_numbers``)."""
    may_see_blocked_numbers(actor, company).check()
    rows = BlockedNumber.objects.filter(company=company).select_related("added_by")
    text = (q or "").strip()
    if not text:
        return rows.order_by("number")
    try:
        return rows.filter(number=fax_number_e164(text, field="q"))
    except ValidationFailed:
        digits = re.sub(r"\D", "", text)[:15]
        if not digits:
            return rows.none()
        return rows.filter(number__contains=digits).order_by("number")


def blocked_number_get(*, actor: Actor, company: Company, number: str) -> BlockedNumber:
    """One blocked number of the company, in any spelling (``number``: 422 when it is not a
    fax number, 404 when it is not on the list)."""
    may_see_blocked_numbers(actor, company).check()
    e164 = fax_number_e164(number, field="number")
    entry = BlockedNumber.objects.filter(company=company, number=e164).first()
    if entry is None:
        raise NotFound(f"{e164} is not blocked.", field="number")
    return entry


def blocked_number_export_rows(*, actor: Actor, company: Company) -> Iterator[tuple[str, str, str]]:
    """Every blocked number of the company for Export: (number, added by, added at in
    ISO 8601 UTC), by number, read in chunks (the list has no limit)."""
    may_see_blocked_numbers(actor, company).check()  # now, not when the rows are read
    rows = (
        BlockedNumber.objects.filter(company=company)
        .order_by("number")
        .values_list("number", "added_by__username", "added_at")
    )
    return (
        (number, username or "", added_at.isoformat())
        for number, username, added_at in rows.iterator(chunk_size=2000)
    )


def blocked_number_match(company: Company | int, number: str) -> BlockedNumber | None:
    """The entry of the company's Outbound Number Blocking list that forbids sending to
    ``number``, or None.

    For the fax engine's checks before a fax is accepted, and for anything else that must
    know whether the company's users may send to a number. Not scoped to an actor: the
    caller has already decided whose fax this is (the sender's company); a fax user cannot
    see the list, yet their send must be checked against it.

    - ``number`` in any spelling (E.164 from the job, or as typed: ``(732) 920-0193``,
      ``17329200193``); it is normalised as the list's entries were, so the spellings
      match. A value that is not a valid fax number is never on the list: None (validate it
      first and refuse it as "Invalid Fax Number"; that check comes before this one).
    - One indexed query (the unique index on company and number), whatever the list's
      length; nothing is cached, so an Add or Remove counts for the very next fax.
    - Refuse a blocked recipient with its own error (the guide has no wording for it;
      suggested: ``ValidationFailed("<number> is on your company's Outbound Number Blocking
      list.", code="number_blocked", field="to")``), and check each recipient of a fax.
    """
    try:
        e164 = fax_number_e164(number)
    except ValidationFailed:
        return None
    company_id = company if isinstance(company, int) else company.pk
    return BlockedNumber.objects.filter(company_id=company_id, number=e164).first()


def number_is_blocked(company: Company | int, number: str) -> bool:
    """Whether the company's users may not send to ``number`` (its Outbound Number Blocking
    list): :func:`blocked_number_match` as a yes or no, with the same contract (any
    spelling, one indexed query, never cached, an invalid number is not blocked)."""
    return blocked_number_match(company, number) is not None
