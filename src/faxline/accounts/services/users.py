"""Fax user accounts: Add User Account, edit, lock, unlock, delete and move."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from faxline.accounts.access import Actor, may_add_at, may_lock_person, may_move_user
from faxline.accounts.choices import Role
from faxline.accounts.fax_numbers import user_numbers
from faxline.accounts.models import (
    ApiKey,
    Company,
    Department,
    User,
)
from faxline.accounts.policy import (
    effective_policy,
)
from faxline.accounts.preferences import USER_TABS
from faxline.accounts.services.people import (
    CreatedAccount,
    NewPerson,
    new_person,
    require_manage_person,
    save_new_account,
)
from faxline.accounts.services.settings import settings_update_tabs, settings_with_overrides
from faxline.accounts.validation import (
    clean_contact,
    clean_email,
    clean_receiving_emails,
    clean_text,
)
from faxline.core.audit import audit_record
from faxline.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed


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
    """Add a fax user account (the Add User Account wizard, the API and onboarding).

    :func:`user_prepare` checks it and hashes its password, then :func:`user_save` writes
    it in one short transaction (Bulk Create calls the two apart, a batch at a time).
    """
    draft = user_prepare(
        actor=actor,
        company=company,
        department=department,
        first_name=first_name,
        last_name=last_name,
        email=email,
        username=username,
        use_email_as_username=use_email_as_username,
        password=password,
        generate_password=generate_password,
        contact=contact,
        sending_email=sending_email,
        receiving_emails=receiving_emails,
        settings=settings,
        fax_number=fax_number,
    )
    return user_save(actor=actor, draft=draft)


@dataclass(frozen=True)
class UserDraft:
    """A new fax user account, checked and with its password hashed, not yet saved."""

    user: User
    person: NewPerson
    fax_number: str | None


def user_prepare(
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
    password_link: bool = False,
) -> UserDraft:
    """The slow, read-only half of Add User Account: check the rights, scope, fields and
    password policy, and hash the password. Writes nothing, so call it outside any
    transaction; a username taken meanwhile is still refused by :func:`user_save`. With
    ``password_link`` and no password the account gets none (nothing to hash): the caller
    then emails it a link to choose one."""
    may_add_at(actor, company, department, right="users.manage").check()
    person = new_person(
        first_name=first_name,
        last_name=last_name,
        email=email,
        username=username,
        use_email_as_username=use_email_as_username,
        password=password,
        generate_password=generate_password,
        company=company,
        department=department,
        password_link=password_link,
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
        settings=settings_with_overrides(source, USER_TABS, settings),
        must_change_password=effective_policy(
            company=company, department=department
        ).force_change_by_admin,
        **details,
    )
    return UserDraft(user=user, person=person, fax_number=fax_number)


@transaction.atomic
def user_save(*, actor: Actor, draft: UserDraft) -> CreatedAccount:
    """The write half of Add User Account: save a prepared account, record it, and give it
    its first fax number, in one short transaction."""
    user = draft.user
    created = save_new_account(user, draft.person)
    audit_record(
        kind="user.created",
        actor=actor.user,
        company=user.company,
        target=user,
        ip_address=actor.ip_address,
        detail={"department_id": user.department_id},
    )
    if draft.fax_number:
        _assign_first_number(actor, user, draft.fax_number)
    return created


def _assign_first_number(actor: Actor, user: User, fax_number: str) -> None:
    """Choose Fax Number: give the new user a number of the company's inventory (through
    the numbers app's service, in this transaction)."""
    try:
        user_numbers().assign(actor=actor, user=user, number=fax_number)
    except DomainError as exc:
        raise type(exc)(exc.message, code=exc.code, field="fax_number") from exc


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
def user_update(
    *,
    actor: Actor,
    user: User,
    changes: dict[str, Any],
    settings: dict[str, dict[str, Any]] | None = None,
) -> User:
    """Change a user's details, contact data, custom fields or fax addresses and, in the
    same transaction, settings tabs of a fax user (the Fax tab saves the fax addresses with
    the fax settings): each tab as ``settings_update`` saves it. All or nothing."""
    require_manage_person(actor, user)
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
    settings_update_tabs(actor=actor, owner=user, tabs=settings)
    return user


@transaction.atomic
def user_lock(*, actor: Actor, user: User) -> User:
    """Lock User: suspend sending and receiving until an administrator unlocks (an
    administrator's account only under the administrator rule, ``may_lock_person``)."""
    may_lock_person(actor, user).check()
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
    may_lock_person(actor, user).check()
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
    require_manage_person(actor, user)
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
    may_move_user(actor, user, department).check()
    company = user.company
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
