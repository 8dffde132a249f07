"""Passwords: a person changes their own; an administrator sets a fax user's.

An administrator's password is never typed by another administrator: they are sent a reset
link instead (``services.administrators.administrator_password_reset``)."""

from __future__ import annotations

from django.db import transaction

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import (
    User,
)
from faxline.accounts.policy import (
    password_problems,
    password_too_young,
    personal_info,
    policy_for_user,
)
from faxline.accounts.services.people import (
    apply_password,
    checked_password,
    hash_password,
    require_manage_person,
)
from faxline.core.audit import audit_record
from faxline.core.errors import Forbidden, ValidationFailed


def password_change(
    *, user: User, current_password: str, new_password: str, ip_address: str | None = None
) -> User:
    """A user changes their own password under their effective policy.

    Verifying the current password and hashing the new one are slow on purpose: both
    happen before the short write transaction."""
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
    password_hash = hash_password(new_password)
    with transaction.atomic():
        apply_password(user, password_hash)
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
    new, _ = checked_password(
        password=password,
        generate=generate,
        company=user.company,
        department=user.department,
        person=personal_info(user),
        user=user,
    )
    # Hashing is slow on purpose: before the short write transaction, never inside it.
    password_hash = hash_password(new)
    policy = policy_for_user(user)
    with transaction.atomic():
        apply_password(user, password_hash)
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
