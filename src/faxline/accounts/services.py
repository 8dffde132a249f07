"""Every write of the accounts domain. One transaction per call; refusals raise domain errors.

Callers: the API (``accounts.api``), the portal (``accounts.views``), bulk creation, the demo
command. Rights are checked here, never only in the portal.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError as PydanticError

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import (
    ApiKey,
    ChannelPartner,
    Company,
    Department,
    PasswordHistory,
    SecurityPolicy,
    User,
)
from faxline.accounts.policy import (
    POLICY_FIELDS,
    POLICY_NUMBER_FIELDS,
    effective_policy,
    generate_password,
    own_policy,
    password_problems,
    password_too_young,
    personal_info,
    policy_for_user,
)
from faxline.accounts.preferences import TAB_RIGHT, TABS, USER_TABS, complete
from faxline.accounts.rights import ALL_RIGHTS, normalize_rights
from faxline.accounts.validation import (
    clean_contact,
    clean_email,
    clean_receiving_emails,
    clean_text,
    clean_username,
)
from faxline.core.audit import audit_record
from faxline.core.crypto import encrypt_text, keyed_digest
from faxline.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed

SettingsOwner = Company | Department | User
API_KEY_PREFIX = "fxl_"


# --- companies ------------------------------------------------------------------------


@transaction.atomic
def company_create(
    *,
    actor: Actor,
    name: str,
    channel_partner: ChannelPartner | None = None,
    domain: str = "",
) -> Company:
    """Create a client company (operators; channel partners for themselves)."""
    if not (actor.is_operator or actor.is_partner) or actor.read_only:
        raise Forbidden("Only the provider's operators can create companies.")
    if actor.is_partner:
        channel_partner = actor.user.channel_partner
    name = clean_text(name, field="name", max_length=200, required=True)
    if Company.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(f"A company named {name!r} already exists.", field="name")
    company = Company.objects.create(
        name=name,
        channel_partner=channel_partner,
        domain=clean_text(domain, field="domain", max_length=253),
    )
    audit_record(
        kind="company.created",
        actor=actor.user,
        company=company,
        target=company,
        ip_address=actor.ip_address,
    )
    return company


@transaction.atomic
def company_update(
    *, actor: Actor, company: Company, name: str | None = None, domain: str | None = None
) -> Company:
    """Rename a company or change its domain (company-level administrators and up)."""
    if not actor.manages_whole_company(company):
        raise Forbidden("Only company-level administrators can change company details.")
    actor.require("settings.custom")
    changed: list[str] = []
    if name is not None:
        name = clean_text(name, field="name", max_length=200, required=True)
        if Company.objects.filter(name__iexact=name).exclude(pk=company.pk).exists():
            raise ValidationFailed(f"A company named {name!r} already exists.", field="name")
        company.name = name
        changed.append("name")
    if domain is not None:
        company.domain = clean_text(domain, field="domain", max_length=253)
        changed.append("domain")
    if changed:
        company.save(update_fields=changed)
        audit_record(
            kind="company.updated",
            actor=actor.user,
            company=company,
            target=company,
            ip_address=actor.ip_address,
            detail={"fields": changed},
        )
    return company


# --- departments ----------------------------------------------------------------------


def _check_parent_in_scope(actor: Actor, company: Company, parent: Department | None) -> None:
    if parent is not None:
        if parent.company_id != company.pk or not actor.sees_department(parent):
            raise NotFound("Parent department not found.", field="parent_id")
    elif not actor.manages_whole_company(company):
        raise Forbidden(
            "Department administrators can only add to their own department's subtree.",
            field="parent_id",
        )


@transaction.atomic
def department_create(
    *, actor: Actor, company: Company, parent: Department | None, name: str
) -> Department:
    """Add a department under the company or under ``parent``; it copies the parent's
    current settings (later changes of the parent do not flow down)."""
    actor.require("departments.manage")
    _check_parent_in_scope(actor, company, parent)
    name = clean_text(name, field="name", max_length=100, required=True)
    siblings = Department.objects.filter(company=company, parent=parent, name__iexact=name)
    if siblings.exists():
        raise ValidationFailed(f"A department named {name!r} already exists here.", field="name")
    source = parent.settings if parent is not None else company.settings
    department = Department.objects.create(
        company=company,
        parent=parent,
        name=name,
        path="",
        depth=(parent.depth + 1) if parent is not None else 0,
        settings=complete(source),
    )
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    department.save(update_fields=["path"])
    audit_record(
        kind="department.created",
        actor=actor.user,
        company=company,
        target=department,
        ip_address=actor.ip_address,
        detail={"parent_id": parent.pk if parent else None},
    )
    return department


@transaction.atomic
def department_update(*, actor: Actor, department: Department, name: str) -> Department:
    """Rename a department."""
    actor.require("departments.manage")
    name = clean_text(name, field="name", max_length=100, required=True)
    clash = Department.objects.filter(
        company=department.company, parent=department.parent, name__iexact=name
    ).exclude(pk=department.pk)
    if clash.exists():
        raise ValidationFailed(f"A department named {name!r} already exists here.", field="name")
    old = department.name
    department.name = name
    department.save(update_fields=["name"])
    audit_record(
        kind="department.updated",
        actor=actor.user,
        company=department.company,
        target=department,
        ip_address=actor.ip_address,
        detail={"name": [old, name]},
    )
    return department


@transaction.atomic
def department_delete(*, actor: Actor, department: Department) -> None:
    """Delete an empty department. Refused while it has active users, administrators or
    sub-departments (the guide: delete or move them first)."""
    actor.require("departments.manage")
    if actor.scope_department is not None and actor.scope_department.pk == department.pk:
        raise Forbidden("You cannot delete the department you administer.")
    users = User.objects.filter(department=department, deleted_at__isnull=True)
    active = users.filter(role=Role.FAX_USER).count()
    if active:
        raise Conflict(
            f"{department.name} has {active} active user{'s' if active != 1 else ''}: delete "
            "or move them before deleting the department.",
            code="department_has_users",
        )
    if users.filter(role=Role.ADMINISTRATOR).exists():
        raise Conflict(
            f"{department.name} has administrators: delete them or move them first.",
            code="department_has_administrators",
        )
    if department.children.exists():
        raise Conflict(
            f"{department.name} has sub-departments: delete them first.",
            code="department_has_subdepartments",
        )
    # Users deleted earlier keep their history but let go of the department.
    User.objects.filter(department=department).update(department=None)
    audit_record(
        kind="department.deleted",
        actor=actor.user,
        company=department.company,
        target=department,
        ip_address=actor.ip_address,
    )
    department.delete()


# --- passwords ------------------------------------------------------------------------


def _apply_password(user: User, password: str) -> None:
    """Set the password and remember the old hash for the history rule."""
    if user.pk and user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.password = make_password(password)
    user.password_changed_at = timezone.now()


def _checked_password(
    *,
    password: str | None,
    generate: bool,
    company: Company | None,
    department: Department | None,
    person: tuple[str, ...],
    user: User | None = None,
) -> tuple[str, bool]:
    policy = effective_policy(company=company, department=department)
    if generate or not password:
        if not generate:
            raise ValidationFailed("password is required (or choose Generate).", field="password")
        return generate_password(policy), True
    if not isinstance(password, str):
        raise ValidationFailed("password must be text.", field="password")
    problems = password_problems(password, policy=policy, user=user, personal=person)
    if problems:
        raise ValidationFailed(
            "The password " + "; ".join(problems) + ".", field="password", code="password_policy"
        )
    return password, False


@transaction.atomic
def password_change(
    *, user: User, current_password: str, new_password: str, ip_address: str | None = None
) -> User:
    """A user changes their own password under their effective policy."""
    if not user.check_password(current_password):
        raise ValidationFailed("The current password is wrong.", field="current_password")
    policy = policy_for_user(user)
    if password_too_young(user, policy) and not user.must_change_password:
        raise ValidationFailed(
            f"You changed your password less than {policy.min_age_days} days ago; try again later.",
            field="new_password",
            code="password_too_young",
        )
    if new_password == current_password:
        raise ValidationFailed(
            "The new password must differ from the current one.",
            field="new_password",
            code="password_policy",
        )
    problems = password_problems(
        new_password, policy=policy, user=user, personal=personal_info(user)
    )
    if problems:
        raise ValidationFailed(
            "The password " + "; ".join(problems) + ".",
            field="new_password",
            code="password_policy",
        )
    _apply_password(user, new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit_record(
        kind="password.changed",
        actor=user,
        company=user.company,
        target=user,
        ip_address=ip_address,
    )
    return user


@transaction.atomic
def password_set_by_admin(
    *, actor: Actor, user: User, password: str | None, generate: bool = False
) -> str:
    """An administrator sets (or generates) a user's password; returns it to show once.

    When the policy says "Forcefully Change Password by Admin", the user must change it at
    the next sign-in.
    """
    _require_manage_person(actor, user)
    new, _ = _checked_password(
        password=password,
        generate=generate,
        company=user.company,
        department=user.department,
        person=personal_info(user),
        user=user,
    )
    _apply_password(user, new)
    policy = policy_for_user(user)
    user.must_change_password = policy.force_change_by_admin
    user.failed_login_count = 0
    user.locked_out_until = None
    user.save(
        update_fields=[
            "password",
            "password_changed_at",
            "must_change_password",
            "failed_login_count",
            "locked_out_until",
        ]
    )
    audit_record(
        kind="password.set_by_admin",
        actor=actor.user,
        company=user.company,
        target=user,
        ip_address=actor.ip_address,
    )
    return new


# --- users ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedAccount:
    """A new account and, when it was generated, its password (shown once)."""

    user: User
    generated_password: str | None


def _resolve_username(username: str | None, email: str, use_email: bool) -> str:
    chosen = email if use_email else username
    if not chosen:
        raise ValidationFailed(
            "username is required (or use the email address as username).", field="username"
        )
    chosen = clean_username(chosen)
    if User.objects.filter(username__iexact=chosen).exists():
        raise ValidationFailed(f"The username {chosen!r} is already taken.", field="username")
    return chosen


def _settings_with_overrides(
    source: dict[str, Any], tabs: tuple[str, ...], overrides: dict[str, dict[str, Any]] | None
) -> dict[str, Any]:
    data = complete(source, tabs)
    for tab, values in (overrides or {}).items():
        if tab not in tabs:
            raise ValidationFailed(f"Unknown settings tab {tab!r}.", field=f"settings.{tab}")
        data[tab] = _validated_tab(tab, {**data[tab], **(values or {})})
    return data


def _validated_tab(tab: str, values: dict[str, Any]) -> dict[str, Any]:
    try:
        return TABS[tab].model_validate(values).model_dump(mode="json")
    except PydanticError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        field = f"settings.{tab}.{loc}" if loc else f"settings.{tab}"
        raise ValidationFailed(
            f"{field}: {first.get('msg', 'invalid value')}", field=field
        ) from exc


def _check_department(actor: Actor, company: Company, department: Department | None) -> None:
    if department is not None:
        if department.company_id != company.pk or not actor.sees_department(department):
            raise NotFound("Department not found.", field="department_id")
    elif not actor.manages_whole_company(company):
        raise Forbidden(
            "Department administrators can only add people in their subtree.", field="department_id"
        )


@dataclass(frozen=True)
class _NewPerson:
    """A new account's identity, cleaned, with its password (chosen or generated)."""

    first_name: str
    last_name: str
    email: str
    username: str
    secret: str
    generated: bool

    def identity(self) -> dict[str, str]:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "username": self.username,
        }


def _new_person(
    *,
    first_name: str,
    last_name: str,
    email: str,
    username: str | None,
    use_email_as_username: bool,
    password: str | None,
    generate_password: bool,
    company: Company | None,
    department: Department | None,
) -> _NewPerson:
    """Clean the fields every new account has and check its password under the policy."""
    first = clean_text(first_name, field="first_name", max_length=100, required=True)
    last = clean_text(last_name, field="last_name", max_length=100, required=True)
    mail = clean_email(email, field="email")
    name = _resolve_username(username, mail, use_email_as_username)
    secret, generated = _checked_password(
        password=password,
        generate=generate_password,
        company=company,
        department=department,
        person=(first, last, name, mail),
    )
    return _NewPerson(first, last, mail, name, secret, generated)


def _save_new_account(account: User, person: _NewPerson) -> CreatedAccount:
    """Set the password and save; a username taken meanwhile is refused on its field."""
    account.password = make_password(person.secret)
    account.password_changed_at = timezone.now()
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise ValidationFailed(
            f"The username {person.username!r} is already taken.", field="username"
        ) from exc
    return CreatedAccount(account, person.secret if person.generated else None)


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    company: Company,
    department: Department | None,
    first_name: str,
    last_name: str,
    email: str,
    username: str | None = None,
    use_email_as_username: bool = False,
    password: str | None = None,
    generate_password: bool = False,
    contact: dict[str, Any] | None = None,
    sending_email: str | None = None,
    receiving_emails: list[str] | str | None = None,
    settings: dict[str, dict[str, Any]] | None = None,
    fax_number: str | None = None,
) -> CreatedAccount:
    """Add a fax user account (the Add User Account wizard, the API and Bulk Create)."""
    actor.require("users.manage")
    _check_department(actor, company, department)
    person = _new_person(
        first_name=first_name,
        last_name=last_name,
        email=email,
        username=username,
        use_email_as_username=use_email_as_username,
        password=password,
        generate_password=generate_password,
        company=company,
        department=department,
    )
    details = clean_contact(contact or {})
    source = department.settings if department is not None else company.settings
    user = User(
        **person.identity(),
        role=Role.FAX_USER,
        company=company,
        department=department,
        sending_email=clean_email(sending_email, field="sending_email", required=False)
        or person.email,
        receiving_emails=clean_receiving_emails(receiving_emails) or [person.email],
        settings=_settings_with_overrides(source, USER_TABS, settings),
        must_change_password=effective_policy(
            company=company, department=department
        ).force_change_by_admin,
        **details,
    )
    created = _save_new_account(user, person)
    audit_record(
        kind="user.created",
        actor=actor.user,
        company=company,
        target=user,
        ip_address=actor.ip_address,
        detail={"department_id": department.pk if department else None},
    )
    if fax_number:
        _assign_first_number(actor, user, fax_number)
    return created


def _assign_first_number(actor: Actor, user: User, fax_number: str) -> None:
    """Choose Fax Number: give the new user a number of the company's inventory."""
    from faxline.numbers.services import number_assign

    try:
        number_assign(actor=actor, number=fax_number, user=user)
    except DomainError as exc:
        raise type(exc)(exc.message, code=exc.code, field="fax_number") from exc


def _require_manage_person(actor: Actor, person: User) -> None:
    right = "administrators.manage" if person.role == Role.ADMINISTRATOR else "users.manage"
    actor.require(right)
    if person.pk == actor.user.pk and person.role == Role.ADMINISTRATOR:
        raise Forbidden(
            "You cannot change your own administrator account here; ask another administrator."
        )


USER_EDITABLE = (
    "first_name",
    "last_name",
    "email",
    "sending_email",
    "receiving_emails",
    "time_zone",
    "language",
)


@transaction.atomic
def user_update(*, actor: Actor, user: User, changes: dict[str, Any]) -> User:
    """Change a user's details, contact data, custom fields, fax addresses or settings."""
    _require_manage_person(actor, user)
    fields: list[str] = []
    if "first_name" in changes:
        user.first_name = clean_text(
            changes["first_name"], field="first_name", max_length=100, required=True
        )
        fields.append("first_name")
    if "last_name" in changes:
        user.last_name = clean_text(
            changes["last_name"], field="last_name", max_length=100, required=True
        )
        fields.append("last_name")
    if "email" in changes:
        user.email = clean_email(changes["email"], field="email")
        fields.append("email")
    if "sending_email" in changes:
        user.sending_email = clean_email(
            changes["sending_email"], field="sending_email", required=False
        )
        fields.append("sending_email")
    if "receiving_emails" in changes:
        user.receiving_emails = clean_receiving_emails(changes["receiving_emails"])
        fields.append("receiving_emails")
    if "time_zone" in changes:
        from faxline.accounts.preferences import time_zones

        if changes["time_zone"] not in time_zones():
            raise ValidationFailed("time_zone is not a known time zone.", field="time_zone")
        user.time_zone = changes["time_zone"]
        fields.append("time_zone")
    if "language" in changes:
        user.language = clean_text(
            changes["language"], field="language", max_length=10, required=True
        )
        fields.append("language")
    for name, value in clean_contact(changes).items():
        setattr(user, name, value)
        fields.append(name)
    moving = "department_id" in changes
    target = _department_for_move(actor, changes["department_id"]) if moving else None
    if fields:
        user.save(update_fields=fields)
        audit_record(
            kind=f"{user.role}.updated",
            actor=actor.user,
            company=user.company,
            target=user,
            ip_address=actor.ip_address,
            detail={"fields": fields},
        )
    if moving:
        user_move(actor=actor, user=user, department=target)
    return user


@transaction.atomic
def user_lock(*, actor: Actor, user: User) -> User:
    """Lock User: suspend sending and receiving until an administrator unlocks."""
    actor.require("users.lock")
    if user.pk == actor.user.pk:
        raise Forbidden("You cannot lock your own account.")
    updated = User.objects.filter(pk=user.pk, is_locked=False).update(
        is_locked=True, locked_at=timezone.now()
    )
    if not updated:
        raise Conflict(f"{user} is already locked.", code="already_locked")
    user.refresh_from_db(fields=["is_locked", "locked_at"])
    audit_record(
        kind="user.locked",
        actor=actor.user,
        company=user.company,
        target=user,
        ip_address=actor.ip_address,
    )
    return user


@transaction.atomic
def user_unlock(*, actor: Actor, user: User) -> User:
    """Unlock User Account; also clears a temporary lock-out from failed sign-ins."""
    actor.require("users.lock")
    user.refresh_from_db(fields=["is_locked", "locked_out_until"])
    was_locked = user.is_locked or (
        user.locked_out_until is not None and user.locked_out_until > timezone.now()
    )
    if not was_locked:
        raise Conflict(f"{user} is not locked.", code="not_locked")
    User.objects.filter(pk=user.pk).update(
        is_locked=False, locked_at=None, failed_login_count=0, locked_out_until=None
    )
    user.refresh_from_db(
        fields=["is_locked", "locked_at", "failed_login_count", "locked_out_until"]
    )
    audit_record(
        kind="user.unlocked",
        actor=actor.user,
        company=user.company,
        target=user,
        ip_address=actor.ip_address,
    )
    return user


@transaction.atomic
def user_delete(*, actor: Actor, user: User) -> None:
    """Delete User Account (or an administrator). The row stays, anonymised of its sign-in,
    so that history keeps its author; the username becomes free again."""
    _require_manage_person(actor, user)
    if user.pk == actor.user.pk:
        raise Forbidden("You cannot delete your own account.")
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(
        deleted_at=now,
        is_active=False,
        username=f"deleted-{user.pk}-{secrets.token_hex(4)}",
    )
    ApiKey.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    audit_record(
        kind=f"{user.role}.deleted",
        actor=actor.user,
        company=user.company,
        target=user,
        ip_address=actor.ip_address,
        detail={"username": user.username},
    )


# --- administrators -------------------------------------------------------------------


def _grantable(actor: Actor, rights: list[str], held: list[str] | None = None) -> list[str]:
    """The rights asked for, refusing any the actor does not hold (an administrator may
    keep rights they already have that the actor could not grant)."""
    try:
        cleaned = normalize_rights(rights)
    except ValueError as exc:
        raise ValidationFailed(str(exc).capitalize() + ".", field="rights") from exc
    beyond = sorted(set(cleaned) - actor.rights - set(held or ()))
    if beyond:
        raise Forbidden(
            "You cannot grant rights you do not hold: " + ", ".join(beyond) + ".",
            field="rights",
            code="rights_escalation",
        )
    return cleaned


@transaction.atomic
def administrator_create(
    *,
    actor: Actor,
    company: Company,
    department: Department | None,
    first_name: str,
    last_name: str,
    email: str,
    username: str | None = None,
    use_email_as_username: bool = False,
    password: str | None = None,
    generate_password: bool = False,
    time_zone: str = "America/New_York",
    language: str = "en",
    rights: list[str] | None = None,
    read_only: bool = False,
    phone: str = "",
) -> CreatedAccount:
    """Add an administrator at company level (``department`` None) or department level."""
    actor.require("administrators.manage")
    _check_department(actor, company, department)
    from faxline.accounts.preferences import time_zones

    if time_zone not in time_zones():
        raise ValidationFailed("time_zone is not a known time zone.", field="time_zone")
    granted = _grantable(actor, list(ALL_RIGHTS) if rights is None else rights)
    person = _new_person(
        first_name=first_name,
        last_name=last_name,
        email=email,
        username=username,
        use_email_as_username=use_email_as_username,
        password=password,
        generate_password=generate_password,
        company=company,
        department=department,
    )
    admin = User(
        **person.identity(),
        role=Role.ADMINISTRATOR,
        company=company,
        department=department,
        rights=granted,
        read_only=bool(read_only),
        time_zone=time_zone,
        language=clean_text(language, field="language", max_length=10, required=True),
        phone=clean_text(phone, field="phone", max_length=30),
    )
    created = _save_new_account(admin, person)
    audit_record(
        kind="administrator.created",
        actor=actor.user,
        company=company,
        target=admin,
        ip_address=actor.ip_address,
        detail={
            "rights": granted,
            "read_only": admin.read_only,
            "department_id": department.pk if department else None,
        },
    )
    return created


@transaction.atomic
def administrator_set_rights(
    *, actor: Actor, admin: User, rights: list[str], read_only: bool
) -> User:
    """Save the Rights tab: the rights ticked and the Read-Only Administrator box."""
    if admin.role != Role.ADMINISTRATOR:
        raise NotFound("Administrator not found.", field="user_id")
    _require_manage_person(actor, admin)
    granted = _grantable(actor, rights, held=list(admin.rights))
    before = {"rights": list(admin.rights), "read_only": admin.read_only}
    admin.rights = granted
    admin.read_only = bool(read_only)
    admin.save(update_fields=["rights", "read_only"])
    audit_record(
        kind="administrator.rights_changed",
        actor=actor.user,
        company=admin.company,
        target=admin,
        ip_address=actor.ip_address,
        detail={"before": before, "after": {"rights": granted, "read_only": admin.read_only}},
    )
    return admin


# --- settings -------------------------------------------------------------------------


def _owner_company(owner: SettingsOwner) -> Company:
    if isinstance(owner, Company):
        return owner
    assert owner.company is not None
    return owner.company


def _check_owner_scope(actor: Actor, owner: SettingsOwner) -> None:
    if isinstance(owner, Company):
        if not actor.sees_company(owner):
            raise NotFound("Company not found.", field="company_id")
        if not actor.manages_whole_company(owner):
            raise Forbidden("Only company-level administrators can change company settings.")
    elif isinstance(owner, Department):
        if not actor.sees_department(owner):
            raise NotFound("Department not found.", field="department_id")
    else:
        from faxline.accounts.selectors import user_get

        user_get(actor=actor, user_id=owner.pk)
        if owner.role != Role.FAX_USER:
            raise ValidationFailed("Only fax user accounts carry fax settings.", field="user_id")


@transaction.atomic
def settings_update(
    *, actor: Actor, owner: SettingsOwner, tab: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Save one settings tab of a company, department or user; returns the stored tab."""
    allowed = USER_TABS if isinstance(owner, User) else tuple(TABS)
    if tab not in allowed:
        raise ValidationFailed(f"Unknown settings tab {tab!r}.", field="tab")
    _check_owner_scope(actor, owner)
    actor.require(TAB_RIGHT[tab])
    if not isinstance(values, dict):
        raise ValidationFailed("Settings must be an object.", field=f"settings.{tab}")
    current = complete(owner.settings, allowed)[tab]
    incoming = dict(values)
    if tab == "archive":
        incoming.pop("ftp_password_encrypted", None)
        incoming.pop("ftp_password_set", None)
        if "ftp_password" in incoming:
            plain = incoming.pop("ftp_password")
            if plain:
                if not isinstance(plain, str) or len(plain) > 200:
                    raise ValidationFailed(
                        "ftp_password must be text of at most 200 characters.",
                        field="settings.archive.ftp_password",
                    )
                incoming["ftp_password_encrypted"] = encrypt_text(plain)
            else:
                incoming["ftp_password_encrypted"] = None
    stored = _validated_tab(tab, {**current, **incoming})
    data = complete(owner.settings, allowed)
    changed = sorted(k for k in stored if stored[k] != data[tab].get(k))
    data[tab] = stored
    owner.settings = data
    owner.save(update_fields=["settings"])
    audit_record(
        kind="settings.changed",
        actor=actor.user,
        company=_owner_company(owner),
        target=owner,
        ip_address=actor.ip_address,
        detail={"tab": tab, "fields": [c for c in changed if "password" not in c]},
    )
    return stored


@transaction.atomic
def settings_push_to_descendants(
    *, actor: Actor, owner: Company | Department, tabs: list[str]
) -> dict[str, int]:
    """Copy the owner's settings tabs onto every department and user below it.

    Operators only, and audited: the guide routes this through the provider's support.
    """
    if not actor.is_operator or actor.read_only:
        raise Forbidden("Only the provider's operators can push settings to descendants.")
    unknown = sorted(set(tabs) - set(TABS))
    if unknown or not tabs:
        raise ValidationFailed("Choose one or more of: " + ", ".join(TABS) + ".", field="tabs")
    company = _owner_company(owner)
    source = complete(owner.settings)
    if isinstance(owner, Company):
        departments = Department.objects.filter(company=company)
        users = User.objects.filter(company=company, role=Role.FAX_USER, deleted_at__isnull=True)
    else:
        departments = Department.objects.filter(path__startswith=owner.path).exclude(pk=owner.pk)
        users = User.objects.filter(
            department__path__startswith=owner.path, role=Role.FAX_USER, deleted_at__isnull=True
        )
    counts = {"departments": 0, "users": 0}
    for dept in departments.select_for_update().order_by("pk"):
        data = complete(dept.settings)
        data.update({t: source[t] for t in tabs})
        dept.settings = data
        dept.save(update_fields=["settings"])
        counts["departments"] += 1
    user_tabs = [t for t in tabs if t in USER_TABS]
    if user_tabs:
        for user in users.select_for_update().order_by("pk"):
            data = complete(user.settings, USER_TABS)
            data.update({t: source[t] for t in user_tabs})
            user.settings = data
            user.save(update_fields=["settings"])
            counts["users"] += 1
    audit_record(
        kind="settings.pushed",
        actor=actor.user,
        company=company,
        target=owner,
        ip_address=actor.ip_address,
        detail={"tabs": sorted(tabs), **counts},
    )
    return counts


# --- security policy ------------------------------------------------------------------


def _clean_policy_values(values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name not in POLICY_FIELDS:
            raise ValidationFailed(f"Unknown policy field {name!r}.", field=name)
        if name in POLICY_NUMBER_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationFailed(f"{name} must be a whole number.", field=name)
            limit = 100 if name != "session_timeout_minutes" else 1440
            if name in ("min_age_days", "max_age_days"):
                limit = 3650
            if value < 0 or value > limit:
                raise ValidationFailed(f"{name} must be between 0 and {limit}.", field=name)
            clean[name] = value
        elif name == "description":
            clean[name] = clean_text(value, field=name, max_length=200)
        else:
            if not isinstance(value, bool):
                raise ValidationFailed(f"{name} must be true or false.", field=name)
            clean[name] = value
    return clean


def _check_policy_coherent(policy: SecurityPolicy) -> None:
    if policy.min_length < 4:
        raise ValidationFailed("min_length must be at least 4.", field="min_length")
    if policy.max_length < policy.min_length:
        raise ValidationFailed("max_length must not be below min_length.", field="max_length")
    required = policy.min_alpha + policy.min_numeric + policy.min_special
    if required > policy.max_length:
        raise ValidationFailed("The minimum character counts exceed max_length.", field="min_alpha")
    if policy.min_upper > policy.min_alpha and policy.min_alpha:
        raise ValidationFailed("min_upper must not exceed min_alpha.", field="min_upper")
    if policy.max_age_days and policy.min_age_days >= policy.max_age_days:
        raise ValidationFailed("min_age_days must be below max_age_days.", field="min_age_days")
    if policy.session_timeout_minutes < 5:
        raise ValidationFailed(
            "session_timeout_minutes must be at least 5.", field="session_timeout_minutes"
        )
    if policy.lockout_attempts and policy.lockout_minutes < 1:
        raise ValidationFailed(
            "lockout_minutes must be at least 1 when lock-out is on.", field="lockout_minutes"
        )


@transaction.atomic
def security_policy_save(
    *, actor: Actor, company: Company | None, department: Department | None, values: dict[str, Any]
) -> SecurityPolicy:
    """Customize the policy at a level (company or department); the global one when both
    are None (operators only). Starts from the policy currently in force there."""
    if company is None:
        if not actor.is_operator or actor.read_only:
            raise Forbidden("Only the provider's operators can change the global policy.")
        from faxline.accounts.policy import global_policy

        policy = global_policy()
    else:
        if department is not None:
            if department.company_id != company.pk or not actor.sees_department(department):
                raise NotFound("Department not found.", field="department_id")
        elif not actor.sees_company(company):
            raise NotFound("Company not found.", field="company_id")
        elif not actor.manages_whole_company(company):
            raise Forbidden("Only company-level administrators can change the company policy.")
        actor.require("settings.security")
        existing = own_policy(company=company, department=department)
        if existing is None:
            base = effective_policy(company=company, department=department)
            existing = SecurityPolicy(
                company=company,
                department=department,
                **{f: getattr(base, f) for f in POLICY_FIELDS},
            )
            where = department.name if department else company.name
            existing.description = f"{where} security policy"
        policy = existing
    clean = _clean_policy_values(values)
    before = {f: getattr(policy, f) for f in clean}
    for name, value in clean.items():
        setattr(policy, name, value)
    _check_policy_coherent(policy)
    policy.save()
    audit_record(
        kind="policy.changed",
        actor=actor.user,
        company=company,
        target=policy,
        ip_address=actor.ip_address,
        detail={
            "before": before,
            "after": clean,
            "department_id": department.pk if department else None,
        },
    )
    return policy


@transaction.atomic
def security_policy_reset(*, actor: Actor, company: Company, department: Department | None) -> None:
    """Drop a level's customized policy so the one above applies again."""
    if department is not None and not actor.sees_department(department):
        raise NotFound("Department not found.", field="department_id")
    if department is None and not actor.manages_whole_company(company):
        raise Forbidden("Only company-level administrators can change the company policy.")
    actor.require("settings.security")
    policy = own_policy(company=company, department=department)
    if policy is None:
        raise Conflict("This level has no customized policy.", code="policy_not_customized")
    policy.delete()
    audit_record(
        kind="policy.reset",
        actor=actor.user,
        company=company,
        target=department or company,
        ip_address=actor.ip_address,
    )


# --- API keys -------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedApiKey:
    key: ApiKey
    secret: str


@transaction.atomic
def api_key_create(*, actor: Actor, name: str) -> CreatedApiKey:
    """Create an API key for the acting user; the secret is returned once, never stored."""
    if actor.user.deleted_at is not None or actor.user.is_locked:
        raise Forbidden("A locked account cannot create API keys.")
    name = clean_text(name, field="name", max_length=100, required=True)
    if ApiKey.objects.filter(user=actor.user, revoked_at__isnull=True).count() >= 20:
        raise Conflict("You have 20 active API keys; revoke one first.", code="too_many_keys")
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        user=actor.user, name=name, prefix=secret[:10], digest=keyed_digest(secret)
    )
    audit_record(
        kind="api_key.created",
        actor=actor.user,
        company=actor.user.company,
        target=key,
        ip_address=actor.ip_address,
    )
    return CreatedApiKey(key, secret)


@transaction.atomic
def api_key_revoke(*, actor: Actor, key_id: int) -> ApiKey:
    """Revoke one of the acting user's API keys."""
    key = ApiKey.objects.filter(pk=key_id, user=actor.user).first()
    if key is None:
        raise NotFound("API key not found.", field="key_id")
    if key.revoked_at is not None:
        raise Conflict("This API key is already revoked.", code="already_revoked")
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(
        kind="api_key.revoked",
        actor=actor.user,
        company=actor.user.company,
        target=key,
        ip_address=actor.ip_address,
    )
    return key


def api_key_authenticate(secret: str) -> User | None:
    """The active user behind an API key, or None. Records when the key was last used."""
    if not secret.startswith(API_KEY_PREFIX) or len(secret) > 200:
        return None
    key = (
        ApiKey.objects.filter(digest=keyed_digest(secret), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if key is None:
        return None
    user = key.user
    if user.deleted_at is not None or not user.is_active or user.is_locked:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return user


def token_digest(token: str) -> str:
    """Digest for one-time tokens (password reset links)."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- channel partners -----------------------------------------------------------------


@transaction.atomic
def channel_partner_create(*, actor: Actor, name: str) -> ChannelPartner:
    """Operators add a channel partner (a reseller who onboards client companies)."""
    if not actor.is_operator or actor.read_only:
        raise Forbidden("Only the provider's operators can add channel partners.")
    name = clean_text(name, field="name", max_length=200, required=True)
    if ChannelPartner.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(f"A channel partner named {name!r} already exists.", field="name")
    partner = ChannelPartner.objects.create(name=name)
    audit_record(
        kind="channel_partner.created",
        actor=actor.user,
        company=None,
        target=partner,
        ip_address=actor.ip_address,
    )
    return partner


@transaction.atomic
def channel_partner_staff_create(
    *,
    actor: Actor,
    partner: ChannelPartner,
    first_name: str,
    last_name: str,
    email: str,
    username: str | None = None,
    use_email_as_username: bool = False,
    password: str | None = None,
    generate_password: bool = False,
) -> CreatedAccount:
    """Operators give a channel partner a sign-in; it sees only the partner's clients."""
    if not actor.is_operator or actor.read_only:
        raise Forbidden("Only the provider's operators can add channel partner staff.")
    person = _new_person(
        first_name=first_name,
        last_name=last_name,
        email=email,
        username=username,
        use_email_as_username=use_email_as_username,
        password=password,
        generate_password=generate_password,
        company=None,
        department=None,
    )
    staff = User(**person.identity(), role=Role.CHANNEL_PARTNER, channel_partner=partner)
    created = _save_new_account(staff, person)
    audit_record(
        kind="channel_partner.staff_created",
        actor=actor.user,
        company=None,
        target=staff,
        ip_address=actor.ip_address,
        detail={"channel_partner_id": partner.pk},
    )
    return created


@transaction.atomic
def company_assign_channel_partner(
    *, actor: Actor, company: Company, partner: ChannelPartner | None
) -> Company:
    """Operators assign a client company to a channel partner (or take it away)."""
    if not actor.is_operator or actor.read_only:
        raise Forbidden("Only the provider's operators can assign companies to partners.")
    before = company.channel_partner_id
    company.channel_partner = partner
    company.save(update_fields=["channel_partner"])
    audit_record(
        kind="company.channel_partner_changed",
        actor=actor.user,
        company=company,
        target=company,
        ip_address=actor.ip_address,
        detail={"before": before, "after": partner.pk if partner else None},
    )
    return company


# --- moving users ---------------------------------------------------------------------


def _department_for_move(actor: Actor, department_id: Any) -> Department | None:
    """The target of a move named by id (``None``: company level); out of scope is 404."""
    if department_id is None:
        return None
    from faxline.accounts import selectors

    if isinstance(department_id, bool) or not isinstance(department_id, int | str):
        raise ValidationFailed("department_id must be a department id.", field="department_id")
    try:
        pk = int(department_id)
    except ValueError as exc:
        raise ValidationFailed(
            "department_id must be a department id.", field="department_id"
        ) from exc
    return selectors.department_get(actor=actor, department_id=pk)


@transaction.atomic
def user_move(*, actor: Actor, user: User, department: Department | None) -> User:
    """Move a fax user to another department of their company (``None``: company level).

    Department administrators move users only inside their subtree; only company-level
    administrators (and operators, channel partners) may move a user to the company level.
    The user's settings are NOT changed by a move: the guide copies a level's settings onto
    a user at creation only, so the user keeps the settings they had.
    """
    actor.require("users.manage")
    visible = User.objects.filter(actor.users_q(), pk=user.pk, role=Role.FAX_USER).exists()
    if not visible:
        raise NotFound("User not found.", field="user_id")
    company = user.company
    if company is None:
        raise NotFound("User not found.", field="user_id")
    if department is not None:
        if department.company_id != company.pk or not actor.sees_department(department):
            raise NotFound("Department not found.", field="department_id")
    elif not actor.manages_whole_company(company):
        raise Forbidden(
            "Department administrators can only move users inside their subtree.",
            field="department_id",
        )
    before = user.department_id
    after = department.pk if department is not None else None
    if before == after:
        return user
    user.department = department
    user.save(update_fields=["department"])
    audit_record(
        kind="user.moved",
        actor=actor.user,
        company=company,
        target=user,
        ip_address=actor.ip_address,
        detail={"from_department_id": before, "to_department_id": after},
    )
    return user
