"""Passwords: a person changes their own; an administrator sets a fax user's.

An administrator's password is never typed by another administrator: they are sent a reset
link instead (``services.administrators.administrator_password_reset``).

Hashing is slow on purpose (each hash, and each comparison with a stored one, costs the
password hasher's full work), so every service here does it before its transaction: the
current password and the history are checked and the new password hashed first, then one
short transaction stores the hash under the user's row lock, provided the password was not
changed meanwhile (:func:`store_password`). On SQLite a transaction holds the database's
only write lock; hashing inside it made every other write wait.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import PasswordHistory, User
from faxline.accounts.policy import (
    password_problems,
    password_too_young,
    personal_info,
    policy_for_user,
)
from faxline.accounts.services.people import checked_password, require_manage_person
from faxline.core.audit import audit_record
from faxline.core.errors import Conflict, Forbidden, ValidationFailed


@dataclass(frozen=True)
class NewPassword:
    """A new password's hash, made before the transaction that stores it, and the hash it
    replaces (what the checks were made against)."""

    hashed: str
    replaces: str


def hash_new_password(user: User, password: str) -> NewPassword:
    """Hash ``password`` to replace ``user``'s current one (slow: outside transactions)."""
    return NewPassword(hashed=make_password(password), replaces=user.password)


def store_password(locked: User, new: NewPassword) -> list[str]:
    """Set a hashed password on ``locked`` (its row locked by the caller, in the caller's
    transaction) and keep the old hash for the history rule; returns the fields to save.

    Compare-and-set: when the password changed since ``new`` was checked and hashed
    (another tab, an administrator), the change is refused (``password_changed``) instead of
    overwriting a password nobody checked it against."""
    if locked.password != new.replaces:
        raise Conflict("The password was changed meanwhile: try again.", code="password_changed")
    if locked.password:
        PasswordHistory.objects.create(user=locked, password=locked.password)
    locked.password = new.hashed
    locked.password_changed_at = timezone.now()
    return ["password", "password_changed_at"]


def _copy_password(source: User, target: User, fields: list[str]) -> None:
    """Give the caller's instance what was saved (the session keeps its hash)."""
    for name in fields:
        setattr(target, name, getattr(source, name))


def password_change(
    *, user: User, current_password: str, new_password: str, ip_address: str | None = None
) -> User:
    """A user changes their own password under their effective policy."""
    fresh = User.objects.get(pk=user.pk)
    if not fresh.check_password(current_password):
        raise ValidationFailed("The current password is wrong.", field="current_password")
    policy = policy_for_user(fresh)
    if password_too_young(fresh, policy) and not fresh.must_change_password:
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
        new_password, policy=policy, user=fresh, personal=personal_info(fresh)
    )
    if problems:
        raise ValidationFailed(
            "The password " + "; ".join(problems) + ".",
            field="new_password",
            code="password_policy",
        )
    new = hash_new_password(fresh, new_password)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        fields = store_password(locked, new)
        locked.must_change_password = False
        fields.append("must_change_password")
        locked.save(update_fields=fields)
        audit_record(
            kind="password.changed",
            actor=locked,
            company=locked.company,
            target=locked,
            ip_address=ip_address,
        )
    _copy_password(locked, user, fields)
    return user


def password_set_by_admin(
    *, actor: Actor, user: User, password: str | None, generate: bool = False
) -> str:
    """An administrator sets (or generates) a fax user's password; returns it to show once.

    When the policy says "Forcefully Change Password by Admin", the user must change it at
    the next sign-in. Refused for an administrator's account (403 ``use_reset_link``): whoever
    typed it could sign in as them, so they get a reset link instead.
    """
    require_manage_person(actor, user)
    if user.role != Role.FAX_USER:
        raise Forbidden(
            "An administrator's password cannot be set by someone else: send them a password "
            "reset link instead.",
            code="use_reset_link",
        )
    fresh = User.objects.get(pk=user.pk)
    new, _ = checked_password(
        password=password,
        generate=generate,
        company=fresh.company,
        department=fresh.department,
        person=personal_info(fresh),
        user=fresh,
    )
    hashed = hash_new_password(fresh, new)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        fields = store_password(locked, hashed)
        locked.must_change_password = policy_for_user(locked).force_change_by_admin
        locked.failed_login_count = 0
        locked.locked_out_until = None
        fields += ["must_change_password", "failed_login_count", "locked_out_until"]
        locked.save(update_fields=fields)
        audit_record(
            kind="password.set_by_admin",
            actor=actor.user,
            company=locked.company,
            target=locked,
            ip_address=actor.ip_address,
        )
    _copy_password(locked, user, fields)
    return new
