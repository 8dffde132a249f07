"""Who may see and change what: the acting person's scope and rights.

Every selector filters through :class:`Actor`; every service asks it before writing.
Outside the actor's scope an object does not exist (404); inside it, a missing right or a
read-only administrator is refused with 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpRequest

from faxline.accounts.choices import ADMIN_ROLES, Role
from faxline.accounts.models import Company, Department, User
from faxline.accounts.rights import ALL_RIGHTS, RIGHT_LABELS, held_rights
from faxline.core.errors import Forbidden


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
    def uses_account_administration(self) -> bool:
        """Operators, channel partners and administrators; fax users have none."""
        return self.user.role in ADMIN_ROLES

    @property
    def sees_audit_log(self) -> bool:
        """Operators, channel partners (their clients) and company-level administrators."""
        return self.is_operator or self.is_partner or self.is_company_admin

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

    def require(self, right: str) -> None:
        """Refuse with 403 unless the actor holds ``right`` and is not read-only."""
        if self.user.read_only:
            raise Forbidden(
                "You are a read-only administrator: you can view but not change anything.",
                code="read_only",
            )
        if not self.can(right):
            raise Forbidden(
                f"You do not have the right to do this ({RIGHT_LABELS.get(right, right)}).",
                code="missing_right",
            )

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


def request_actor(request: HttpRequest) -> Actor:
    """The acting person of a signed-in portal request."""
    user = request.user
    if not isinstance(user, User):
        raise Forbidden("Sign in first.", code="unauthenticated")
    return Actor(user=user, ip_address=request.META.get("REMOTE_ADDR") or None)
