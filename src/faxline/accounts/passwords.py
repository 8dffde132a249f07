"""Forgot Password: one-time reset links sent by email, and setting the new password.

Only a digest of each token is stored (``services.token_digest``); the token itself is
only ever in the email. A link lasts one hour and works once; asking again invalidates the
earlier links. Whether an account exists is never revealed to the person asking, neither by
the answer nor by its timing: the request only enqueues :func:`password_reset_send`
(``accounts/tasks.py``), which looks the account up, issues the link and queues the email
in the task worker; the email itself is delivered by the notification log's worker.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from faxline.accounts.auth import find_user
from faxline.accounts.models import PasswordResetToken, SecurityPolicy, User
from faxline.accounts.policy import password_problems, personal_info, policy_for_user
from faxline.accounts.services.api_keys import token_digest
from faxline.accounts.services.passwords import hash_new_password, store_password
from faxline.core.aftercommit import enqueue_after_commit
from faxline.core.audit import audit_record
from faxline.core.errors import ValidationFailed
from faxline.core.mail import queue_email

RESET_LINK_LIFETIME = timedelta(hours=1)
# A new account's link to choose its first password (Bulk Create) lasts longer.
PASSWORD_LINK_LIFETIME = timedelta(days=7)
MAX_REQUESTS_PER_HOUR = 5
LINK_INVALID = (
    "This password reset link is no longer valid: it has expired or has already been used."
)


class ResetLinkInvalid(ValidationFailed):
    """The reset link is unknown, expired or already used."""

    default_code = "reset_link_invalid"


def reset_link(token: str) -> str:
    """The absolute address of a reset link, on the configured portal address.

    The configured address (``FAXLINE_PORTAL_URL``), not the request's Host header, so that
    a forged Host cannot send someone's reset link to another site.
    """
    return settings.FAXLINE_PORTAL_URL.rstrip("/") + reverse("password_reset", args=[token])


def password_reset_request(*, username: str, ip_address: str | None = None) -> None:
    """Forgot Password: have a reset link emailed if there is such an account.

    Does nothing on the request's path but enqueue :func:`password_reset_send` after
    commit: no lookup, no token, no email. So the answer and its timing are the same
    whether or not the account exists.
    """
    from faxline.accounts.tasks import password_reset_send as task  # tasks import services

    enqueue_after_commit(task, username[:254], ip_address)


@transaction.atomic
def password_reset_send(*, username: str, ip_address: str | None = None) -> bool:
    """Issue a one-time reset link and queue the email with it (the task worker's part of
    Forgot Password); returns whether a link was issued.

    Silent on every refusal (unknown username, no email address, suspended account, more than
    ``MAX_REQUESTS_PER_HOUR`` requests in the last hour). The email is recorded in the
    notification log (its body withheld there) in the same transaction as the token, and
    delivered after commit.
    """
    user = find_user(username)
    if user is None or user.is_locked or not user.email:
        return False
    return _send_reset_link(user, ip_address, by_administrator=False)


def password_reset_link_request(*, user: User, ip_address: str | None = None) -> None:
    """An administrator has another administrator emailed a reset link
    (``administrator_password_reset``): enqueue :func:`password_reset_link_send` after the
    caller commits. The link is issued and emailed by the task worker, as for Forgot
    Password."""
    from faxline.accounts.tasks import password_reset_link_send as task  # tasks import us

    enqueue_after_commit(task, user.pk, ip_address)


@transaction.atomic
def password_reset_link_send(*, user_id: int, ip_address: str | None = None) -> bool:
    """Issue a one-time reset link for the account ``user_id`` and queue the email (the
    task worker's part of an administrator's request); returns whether a link was issued.

    Silent, as Forgot Password is, when the account has gone, was locked meanwhile, has no
    email address or has had ``MAX_REQUESTS_PER_HOUR`` links in the last hour."""
    user = (
        User.objects.filter(pk=user_id, deleted_at__isnull=True, is_active=True)
        .select_related("company", "department")
        .first()
    )
    if user is None or user.is_locked or not user.email:
        return False
    return _send_reset_link(user, ip_address, by_administrator=True)


def _send_reset_link(user: User, ip_address: str | None, *, by_administrator: bool) -> bool:
    token = _issue_token(user, ip_address)
    if token is None:
        return False
    who = (
        "An administrator of your faxline account has asked"
        if by_administrator
        else "Someone (hopefully you) asked"
    )
    ignore = (
        "If you did not expect this, tell your administrator: your password stays as it is."
        if by_administrator
        else "If you did not ask for this, ignore this email: your password stays as it is."
    )
    body = (
        f"Hello {user.first_name or user.username},\n\n"
        f'{who} to reset the password of the faxline account "'
        f'{user.username}". To choose a new password, open this link within one hour:\n\n'
        f"{reset_link(token)}\n\n"
        f"The link works once. {ignore}\n"
    )
    queue_email(
        kind="accounts.password_reset",
        to=user.email,
        subject="Reset your faxline password",
        body=body,
        company_id=user.company_id,
        related=user.username,
        secret=True,
    )
    return True


def issue_password_link(user: User) -> str:
    """A one-time token to choose a password, valid :data:`PASSWORD_LINK_LIFETIME` (only
    its digest is stored); the caller emails :func:`reset_link` of it, marked secret."""
    token = secrets.token_urlsafe(32)
    PasswordResetToken.objects.create(
        user=user,
        digest=token_digest(token),
        expires_at=timezone.now() + PASSWORD_LINK_LIFETIME,
    )
    return token


def password_link_send(*, user: User) -> None:
    """Email a new account a one-time link to choose its password (valid
    :data:`PASSWORD_LINK_LIFETIME`); call it in the transaction that creates the account.

    The account has no usable password until the link is used, so nothing was hashed for
    it. The email is recorded in the notification log (its body withheld there) and
    delivered by the worker after commit.
    """
    token = issue_password_link(user)
    days = PASSWORD_LINK_LIFETIME.days
    body = (
        f"Hello {user.first_name or user.username},\n\n"
        f'A faxline account was created for you. Your username is "{user.username}".\n'
        f"To choose your password, open this link within {days} days:\n\n"
        f"{reset_link(token)}\n\n"
        "The link works once. If it has expired, use Forgot Password? on the sign-in page.\n"
    )
    queue_email(
        kind="accounts.password_link",
        to=user.email,
        subject="Your faxline account: choose your password",
        body=body,
        company_id=user.company_id,
        related=user.username,
        secret=True,
    )


@transaction.atomic
def _issue_token(user: User, ip_address: str | None) -> str | None:
    now = timezone.now()
    # Lock the user row so that concurrent requests count each other.
    User.objects.select_for_update().filter(pk=user.pk).first()
    recent = PasswordResetToken.objects.filter(
        user=user, created_at__gt=now - timedelta(hours=1)
    ).count()
    if recent >= MAX_REQUESTS_PER_HOUR:
        audit_record(
            kind="password.reset_throttled",
            actor=None,
            company=user.company,
            target=user,
            ip_address=ip_address,
        )
        return None
    PasswordResetToken.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    PasswordResetToken.objects.create(
        user=user, digest=token_digest(token), expires_at=now + RESET_LINK_LIFETIME
    )
    audit_record(
        kind="password.reset_requested",
        actor=None,
        company=user.company,
        target=user,
        ip_address=ip_address,
    )
    return token


def valid_reset_token(token: str) -> PasswordResetToken | None:
    """The stored token behind a reset link when the link still works, else None."""
    if not token or len(token) > 200:
        return None
    return (
        PasswordResetToken.objects.filter(
            digest=token_digest(token),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__deleted_at__isnull=True,
            user__is_active=True,
        )
        .select_related("user", "user__company", "user__department")
        .first()
    )


def password_reset_complete(
    *, token: str, new_password: str, ip_address: str | None = None
) -> User:
    """Set a new password through a reset link; the link is then used up.

    The password is checked against the user's effective policy, history included (and it
    must differ from the current one). Success clears a temporary lock-out and a pending
    forced change; it does not lift Lock User, which only an administrator can. The checks
    and the hashing happen before the short transaction that uses up the link and stores
    the hash (see ``accounts.services.passwords``).
    """
    found = valid_reset_token(token)
    if found is None:
        raise ResetLinkInvalid(LINK_INVALID)
    user = User.objects.get(pk=found.user_id)
    if not isinstance(new_password, str) or not new_password:
        raise ValidationFailed("Enter a new password.", field="new_password")
    policy = policy_for_user(user)
    problems = password_problems(
        new_password, policy=policy, user=user, personal=personal_info(user)
    )
    if user.check_password(new_password):
        problems.append("must differ from your current password")
    if problems:
        raise ValidationFailed(
            "The password " + "; ".join(problems) + ".",
            field="new_password",
            code="password_policy",
        )
    new = hash_new_password(user, new_password)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=found.user_id)
        now = timezone.now()
        # Compare-and-set: of two concurrent uses of one link, only one wins.
        used = PasswordResetToken.objects.filter(pk=found.pk, used_at__isnull=True)
        if not used.update(used_at=now):
            raise ResetLinkInvalid(LINK_INVALID)
        PasswordResetToken.objects.filter(
            user=locked, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        fields = store_password(locked, new)
        locked.must_change_password = False
        locked.failed_login_count = 0
        locked.locked_out_until = None
        fields += ["must_change_password", "failed_login_count", "locked_out_until"]
        locked.save(update_fields=fields)
        audit_record(
            kind="password.reset",
            actor=locked,
            company=locked.company,
            target=locked,
            ip_address=ip_address,
        )
    return locked


def policy_rules(policy: SecurityPolicy, *, own: bool = True) -> list[str]:
    """The policy's password rules as short sentences, to show next to a new-password field:
    the person's own (``own``), or one an administrator chooses for a new account (which
    has no earlier passwords)."""
    rules = [f"{policy.min_length} to {policy.max_length} characters"]
    for minimum, label in (
        (policy.min_alpha, "letter"),
        (policy.min_upper, "upper-case letter"),
        (policy.min_numeric, "digit"),
        (policy.min_special, "special character"),
    ):
        if minimum:
            rules.append(f"at least {minimum} {label}{'s' if minimum > 1 else ''}")
    if policy.exclude_personal_info:
        rules.append(
            "not your name, username or email address"
            if own
            else "no name, username or email address"
        )
    if own and policy.history_count:
        rules.append(f"not one of your last {policy.history_count} passwords")
    return rules
