"""Who may see and change what: the acting person's scope and rights.

Every selector filters through :class:`Actor`; every service asks it before writing.
Outside the actor's scope an object does not exist (404); inside it, a missing right or a
read-only administrator is refused with 403. The rules of accounts are here too, in the
shape every app's ``access.py`` uses (``may_<verb>(actor, ...) -> Decision``, see
``faxline.core.access``). :class:`SystemActor` is faxline itself, for the few services that
run where no person acts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpRequest

from faxline.accounts.choices import ADMIN_ROLES, Role
from faxline.accounts.models import BulkCreateJob, Company, Department, User
from faxline.accounts.preferences import TAB_RIGHT
from faxline.accounts.rights import ALL_RIGHTS, RIGHT_LABELS, held_rights
from faxline.core.access import Decision
from faxline.core.errors import Forbidden, NotFound, ValidationFailed


@dataclass(frozen=True)
class Actor:
    """The person a request acts for, with an optional client IP for the audit trail."""

    user: User
    ip_address: str | None = None

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def is_operator(self) -> bool:
        return self.user.role == Role.OPERATOR

    @property
    def is_partner(self) -> bool:
        return self.user.role == Role.CHANNEL_PARTNER

    @property
    def is_administrator(self) -> bool:
        return self.user.role == Role.ADMINISTRATOR

    @property
    def is_company_admin(self) -> bool:
        """An administrator at company level (no department)."""
        return self.is_administrator and self.user.department_id is None

    @property
    def spans_companies(self) -> bool:
        """Operators and channel partners work for many companies: a page shows the one they
        pick (administrators and fax users have their own)."""
        return self.is_operator or self.is_partner

    @property
    def read_only(self) -> bool:
        return self.user.read_only

    @property
    def rights(self) -> frozenset[str]:
        """The rights the actor holds; a read-only one holds view rights only."""
        if self.is_operator or self.is_partner:
            return frozenset(held_rights(ALL_RIGHTS, read_only=self.user.read_only))
        if self.is_administrator:
            return frozenset(held_rights(self.user.rights, read_only=self.user.read_only))
        return frozenset()

    def can(self, right: str) -> bool:
        return right in self.rights

    def may(self, right: str) -> Decision:
        """Whether the actor may use ``right`` (held, and not a read-only administrator)."""
        if self.user.read_only:
            return Decision.refuse(
                Forbidden(
                    "You are a read-only administrator: you can view but not change anything.",
                    code="read_only",
                )
            )
        if not self.can(right):
            return Decision.refuse(
                Forbidden(
                    f"You do not have the right to do this ({RIGHT_LABELS.get(right, right)}).",
                    code="missing_right",
                )
            )
        return Decision.allow()

    def require(self, right: str) -> None:
        """Refuse with 403 unless the actor may use ``right`` (``may(right).check()``)."""
        self.may(right).check()

    # --- scope -----------------------------------------------------------------------

    def companies_q(self) -> Q:
        """Filter on Company: the companies the actor may see at all."""
        if self.is_operator:
            return Q()
        if self.is_partner:
            return Q(channel_partner_id=self.user.channel_partner_id)
        return Q(pk=self.user.company_id)

    def in_companies_q(self, field: str = "company") -> Q:
        """Filter on any model with a company foreign key named ``field``."""
        if self.is_operator:
            return Q()
        if self.is_partner:
            return Q(**{f"{field}__channel_partner_id": self.user.channel_partner_id})
        return Q(**{f"{field}_id": self.user.company_id})

    @property
    def scope_department(self) -> Department | None:
        """The department subtree an administrator is confined to (None: whole company)."""
        if self.is_administrator:
            return self.user.department
        return None

    def departments_q(self) -> Q:
        """Filter on Department: what the actor may see."""
        if self.user.role == Role.FAX_USER:
            return Q(pk__in=[])
        q = self.in_companies_q()
        root = self.scope_department
        if root is not None:
            q &= Q(path__startswith=root.path)
        return q

    def users_q(self) -> Q:
        """Filter on User: what the actor may see (themselves always)."""
        own = Q(pk=self.user.pk)
        if self.user.role == Role.FAX_USER:
            return own & Q(deleted_at__isnull=True)
        if self.is_operator:
            # Not ``Q() | own``: an empty Q drops out of an OR, leaving only ``own``.
            return Q(deleted_at__isnull=True)
        q = self.in_companies_q()
        root = self.scope_department
        if root is not None:
            q &= Q(department__path__startswith=root.path)
        return (q | own) & Q(deleted_at__isnull=True)

    def sees_company(self, company: Company) -> bool:
        if self.is_operator:
            return True
        if self.is_partner:
            return company.channel_partner_id == self.user.channel_partner_id
        return company.pk == self.user.company_id and self.user.role != Role.FAX_USER

    def manages_whole_company(self, company: Company) -> bool:
        """True when the actor's scope covers the company level (not only a subtree)."""
        return self.sees_company(company) and self.scope_department is None

    def sees_department(self, department: Department) -> bool:
        if self.user.role == Role.FAX_USER or not self.sees_company(department.company):
            return False
        root = self.scope_department
        return root is None or department.path.startswith(root.path)


@dataclass(frozen=True)
class SystemActor:
    """faxline acting where no person acts: a carrier adapter on its clock, a periodic job.

    Only the services that say so accept it (their ``actor`` is typed ``Actor |
    SystemActor``). It has no user, sees nothing and holds no rights, so no selector and no
    rights check can let it through by mistake. Event rows record ``label`` as who acted
    (the audit trail records "system").
    """

    label: str
    user: None = None
    ip_address: None = None

    def __str__(self) -> str:
        return self.label


# faxline itself (its own periodic work); carriers act under their own name.
SYSTEM = SystemActor(label="faxline")


def is_system(actor: Actor | SystemActor) -> bool:
    return isinstance(actor, SystemActor)


def actor_label(actor: Actor | SystemActor) -> str:
    """Who acted, as event rows and timelines show it."""
    return actor.label if isinstance(actor, SystemActor) else str(actor.user)


# --- the rules of accounts ----------------------------------------------------------------


def may_see_audit_log(actor: Actor) -> Decision:
    """Operators, channel partners (their clients) and company-level administrators."""
    if actor.is_operator or actor.is_partner or actor.is_company_admin:
        return Decision.allow()
    return Decision.refuse(
        Forbidden(
            "You do not have access to the audit log: only the provider's operators, channel "
            "partners and company-level administrators can see it.",
            code="no_audit_log",
        )
    )


def may_administer_accounts(actor: Actor) -> Decision:
    """Account Administration at all: operators, channel partners and administrators; fax
    users have none."""
    if actor.user.role not in ADMIN_ROLES:
        return Decision.refuse(
            Forbidden(
                "Account Administration is for administrators; ask yours for changes.",
                code="not_administrator",
            )
        )
    return Decision.allow()


def within_scope(actor: Actor, person: User) -> bool:
    """Whether ``person`` lives inside the actor's scope: a company the actor sees and, for
    a department administrator, their department subtree (company level is outside it)."""
    if actor.is_operator:
        return True
    if actor.is_partner:
        return person.company is not None and actor.sees_company(person.company)
    if actor.user.role == Role.FAX_USER or person.company_id != actor.user.company_id:
        return False
    root = actor.scope_department
    if root is None:
        return True
    department = person.department
    return department is not None and department.path.startswith(root.path)


def may_manage_administrator(actor: Actor, admin: User) -> Decision:
    """Act on another administrator at all: change their details, rights or password (by
    a reset link), lock, unlock or delete them.

    The actor needs the right to manage administrators, and may act only on administrators
    who are no more than they are: the administrator's scope (company, department subtree)
    lies inside the actor's, and every right the administrator holds the actor holds too.
    Otherwise an administrator holding only the right to manage administrators could take
    over a full-rights one (docs/decisions/0010-api-authentication-and-administrators.md).
    Never one's own account."""
    decision = actor.may("administrators.manage")
    if not decision:
        return decision
    if admin.pk == actor.user.pk:
        return Decision.refuse(
            Forbidden(
                "You cannot change your own administrator account here; ask another administrator.",
                code="own_account",
            )
        )
    if admin.role != Role.ADMINISTRATOR or not within_scope(actor, admin):
        return Decision.refuse(NotFound("Administrator not found.", field="user_id"))
    beyond = Actor(user=admin).rights - actor.rights
    if beyond:
        labels = ", ".join(sorted(RIGHT_LABELS[r] for r in beyond))
        return Decision.refuse(
            Forbidden(
                f"You cannot change {admin}: they hold rights you do not ({labels}). Ask an "
                "administrator who holds them.",
                code="administrator_outranks",
            )
        )
    return Decision.allow()


def may_manage_person(actor: Actor, person: User) -> Decision:
    """Change a user or an administrator (details, password, delete, move): the right to
    manage users for a fax user, :func:`may_manage_administrator` for an administrator."""
    if person.role == Role.ADMINISTRATOR:
        return may_manage_administrator(actor, person)
    return actor.may("users.manage")


def may_lock_person(actor: Actor, person: User) -> Decision:
    """Lock User / Unlock User Account: the right to lock users for a fax user; for an
    administrator, the administrator rule (:func:`may_manage_administrator`). Never
    oneself."""
    if person.role == Role.ADMINISTRATOR:
        return may_manage_administrator(actor, person)
    decision = actor.may("users.lock")
    if decision and person.pk == actor.user.pk:
        return Decision.refuse(Forbidden("You cannot lock your own account.", code="own_account"))
    return decision


def may_push_settings(actor: Actor) -> Decision:
    """Push a level's settings down to every department and user below it: the provider's
    operators (the guide routes this through support)."""
    if actor.is_operator and not actor.read_only:
        return Decision.allow()
    return Decision.refuse(
        Forbidden("Only the provider's operators can push settings to descendants.")
    )


def may_see_partners(actor: Actor) -> Decision:
    """The channel partners page: the provider's operators (read-only ones look)."""
    if actor.is_operator:
        return Decision.allow()
    return Decision.refuse(NotFound("Page not found."))


def may_manage_partners(actor: Actor) -> Decision:
    """Add channel partners and their staff, assign companies to them: operators."""
    if actor.is_operator and not actor.read_only:
        return Decision.allow()
    return Decision.refuse(Forbidden("Only the provider's operators can manage channel partners."))


def may_add_company(actor: Actor) -> Decision:
    """Add Company: the provider's operators, and channel partners (for themselves)."""
    if actor.spans_companies and not actor.read_only:
        return Decision.allow()
    return Decision.refuse(
        Forbidden("Only the provider's operators and channel partners add companies.")
    )


def _company_level(actor: Actor, company: Company, message: str, field: str | None) -> Decision:
    """Inside the company (else 404); at company level only for those whose scope is the
    whole company (a department administrator is refused with ``message``)."""
    if not actor.sees_company(company):
        return Decision.refuse(NotFound("Company not found.", field="company_id"))
    if not actor.manages_whole_company(company):
        return Decision.refuse(Forbidden(message, field=field))
    return Decision.allow()


def may_add_at(
    actor: Actor,
    company: Company,
    department: Department | None,
    *,
    right: str,
    field: str = "department_id",
) -> Decision:
    """Add a department, user account or administrator (``right``) under ``department``,
    or at company level when it is None: within the actor's scope (outside it, the
    department does not exist); only administrators of the whole company add at company
    level. ``field`` names the department in the refusal."""
    held = actor.may(right)
    if not held:
        return held
    if department is not None:
        if department.company_id != company.pk or not actor.sees_department(department):
            return Decision.refuse(NotFound("Department not found.", field=field))
        return Decision.allow()
    return _company_level(
        actor,
        company,
        "Department administrators can only add to their own department's subtree.",
        field,
    )


def may_move_user(actor: Actor, user: User, department: Department | None) -> Decision:
    """Move a fax user to ``department`` of their company (None: company level): the right
    to manage users, a target inside the actor's scope, the company level only for
    administrators of the whole company."""
    held = actor.may("users.manage")
    if not held:
        return held
    company = user.company
    if company is None:
        return Decision.refuse(NotFound("User not found.", field="user_id"))
    if department is not None:
        if department.company_id != company.pk or not actor.sees_department(department):
            return Decision.refuse(NotFound("Department not found.", field="department_id"))
        return Decision.allow()
    return _company_level(
        actor,
        company,
        "Department administrators can only move users inside their subtree.",
        "department_id",
    )


def may_change_company(actor: Actor, company: Company) -> Decision:
    """Company Details (the name and domain, on the Custom tab): administrators of the whole
    company with the date and time settings right."""
    level = _company_level(
        actor, company, "Only company-level administrators can change company details.", None
    )
    return actor.may("settings.custom") if level else level


def may_change_settings(actor: Actor, owner: Company | Department | User, tab: str) -> Decision:
    """Save a settings tab of a company, department or fax user: the tab's settings right;
    a company's tabs only for administrators of the whole company. (A user's own scope is
    the selectors' business: ``user_get``.)"""
    if isinstance(owner, Company):
        level = _company_level(
            actor, owner, "Only company-level administrators can change company settings.", None
        )
        if not level:
            return level
    elif isinstance(owner, Department) and not actor.sees_department(owner):
        return Decision.refuse(NotFound("Department not found.", field="department_id"))
    right = TAB_RIGHT.get(tab)
    if right is None:
        return Decision.refuse(ValidationFailed(f"Unknown settings tab {tab!r}.", field="tab"))
    return actor.may(right)


def may_change_security_policy(
    actor: Actor, company: Company | None, department: Department | None
) -> Decision:
    """Customize or reset the security policy of a company or department (the security
    right, administrators of the whole company for the company's), or the platform's global
    policy (``company`` None: operators)."""
    if company is None:
        if actor.is_operator and not actor.read_only:
            return Decision.allow()
        return Decision.refuse(
            Forbidden("Only the provider's operators can change the global policy.")
        )
    if department is not None:
        if department.company_id != company.pk or not actor.sees_department(department):
            return Decision.refuse(NotFound("Department not found.", field="department_id"))
    else:
        level = _company_level(
            actor, company, "Only company-level administrators can change the company policy.", None
        )
        if not level:
            return level
    return actor.may("settings.security")


def may_see_global_policy(actor: Actor) -> Decision:
    """The platform's global security policy: the provider's operators."""
    if actor.is_operator:
        return Decision.allow()
    return Decision.refuse(Forbidden("Only the provider's operators can see the global policy."))


def may_see_bulk_job(actor: Actor, job: BulkCreateJob) -> Decision:
    """A Bulk Create job and its report: whoever uploaded it, and those who administer its
    company as a whole. Anyone else: it does not exist."""
    if actor.sees_company(job.company) and (
        job.created_by_id == actor.user.pk or actor.manages_whole_company(job.company)
    ):
        return Decision.allow()
    return Decision.refuse(NotFound("Bulk Create job not found.", field="job_id"))


def request_actor(request: HttpRequest) -> Actor:
    """The acting person of a signed-in portal request."""
    user = request.user
    if not isinstance(user, User):
        raise Forbidden("Sign in first.", code="unauthenticated")
    return Actor(user=user, ip_address=request.META.get("REMOTE_ADDR") or None)


# --- Outbound Number Blocking (the company's Fax tab) --------------------------------------

BLOCKING_RIGHT = "blocking.manage"


def may_see_blocked_numbers(actor: Actor, company: Company) -> Decision:
    """See the company's Outbound Number Blocking list (count, Lookup Number, Display All,
    Export): those who administer the whole company (read-only administrators included),
    the provider's operators and the company's channel partner. Another company's list does
    not exist (404); department administrators are refused (403): the guide gives the list
    to company-level administrators."""
    return _company_level(
        actor,
        company,
        "Only company-level administrators can see the Outbound Number Blocking list.",
        None,
    )


def may_change_blocked_numbers(actor: Actor, company: Company) -> Decision:
    """Add and Remove blocked numbers: company-level administrators (and operators, channel
    partners) holding the Outbound number blocking right; read-only administrators only look
    (docs/decisions/0025-outbound-number-blocking.md)."""
    level = may_see_blocked_numbers(actor, company)
    return actor.may(BLOCKING_RIGHT) if level else level
