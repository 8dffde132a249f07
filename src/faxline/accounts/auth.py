"""Signing in under the security policy: lock-out after failed attempts, suspended
accounts, and the Django authentication backend that applies both."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from faxline.accounts.models import User
from faxline.accounts.policy import policy_for_user
from faxline.core.audit import audit_record
from faxline.core.errors import AuthenticationFailed

# The one answer to every failed sign-in that does not prove the password: an unknown
# username, a wrong password, and any attempt while the account is locked out after failed
# attempts. So the answers cannot tell an outsider which usernames exist
# (docs/decisions/0011-usernames-and-sign-in-answers.md); the owner of the account learns
# what may be wrong.
WRONG_CREDENTIALS = (
    "The username or password is incorrect, or the account is locked for a while after too "
    "many failed attempts. Try again later, or use Forgot Password? to choose a new password."
)


class AccountSuspended(AuthenticationFailed):
    """An administrator locked the account (Lock User)."""

    default_code = "account_locked"


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def find_user(username: str) -> User | None:
    if not username or len(username) > 254:
        return None
    return (
        User.objects.filter(
            username__iexact=username.strip(), deleted_at__isnull=True, is_active=True
        )
        .select_related("company", "department")
        .first()
    )


def sign_in(*, username: str, password: str, ip_address: str | None = None) -> User:
    """Check credentials under the user's security policy; raise with a clear reason.

    A wrong password counts toward the policy's lock-out; reaching it locks the account for
    the policy's interval. Unknown usernames, wrong passwords and attempts during a lock-out
    all get the same answer (:data:`WRONG_CREDENTIALS`) at the same cost (a password check
    every time), so the answer tells nothing about whether an account exists or is locked
    out. Only the right password of an account an administrator locked (Lock User) is told
    so: it proves the person owns the account.
    """
    user = find_user(username)
    now = timezone.now()
    if user is None:
        User().check_password(password)  # same cost as a real check
        audit_record(
            kind="auth.sign_in_failed",
            actor=None,
            company=None,
            ip_address=ip_address,
            detail={"username": username[:150]},
        )
        raise AuthenticationFailed(WRONG_CREDENTIALS, code="wrong_credentials")
    locked_out = user.locked_out_until is not None and user.locked_out_until > now
    correct = user.check_password(password)
    if locked_out:
        # Refused whatever the password: a guess during the lock-out learns nothing.
        audit_record(
            kind="auth.sign_in_refused",
            actor=user,
            company=user.company,
            target=user,
            ip_address=ip_address,
            detail={"reason": "locked_out"},
        )
        raise AuthenticationFailed(WRONG_CREDENTIALS, code="wrong_credentials")
    if not correct:
        _record_failure(user, ip_address)
        raise AuthenticationFailed(WRONG_CREDENTIALS, code="wrong_credentials")
    if user.is_locked:
        audit_record(
            kind="auth.sign_in_refused",
            actor=user,
            company=user.company,
            target=user,
            ip_address=ip_address,
            detail={"reason": "account_locked"},
        )
        raise AccountSuspended("Your account is locked. Ask your administrator to unlock it.")
    User.objects.filter(pk=user.pk).update(
        failed_login_count=0, locked_out_until=None, last_login=now
    )
    audit_record(
        kind="auth.sign_in", actor=user, company=user.company, target=user, ip_address=ip_address
    )
    return user


def password_confirm(*, user: User, password: str, ip_address: str | None = None) -> bool:
    """A signed-in person proves it is still them (before creating an API key): True when
    ``password`` is their password.

    Counted as a sign-in is: a wrong password counts toward the policy's lock-out, and while
    the account is locked out every answer is False, so a stolen session cannot guess the
    password faster than the sign-in page allows.
    """
    fresh = User.objects.select_related("company", "department").get(pk=user.pk)
    locked_out = fresh.locked_out_until is not None and fresh.locked_out_until > timezone.now()
    correct = isinstance(password, str) and fresh.check_password(password)
    if locked_out:
        return False
    if not correct:
        _record_failure(fresh, ip_address)
        return False
    if fresh.failed_login_count:
        User.objects.filter(pk=fresh.pk).update(failed_login_count=0)
    return True


@transaction.atomic
def _record_failure(user: User, ip_address: str | None) -> None:
    policy = policy_for_user(user)
    User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
    locked = User.objects.select_for_update().get(pk=user.pk)
    audit_record(
        kind="auth.sign_in_failed",
        actor=user,
        company=user.company,
        target=user,
        ip_address=ip_address,
        detail={"attempt": locked.failed_login_count},
    )
    if policy.lockout_attempts and locked.failed_login_count >= policy.lockout_attempts:
        until = timezone.now() + timedelta(minutes=policy.lockout_minutes)
        User.objects.filter(pk=user.pk).update(locked_out_until=until, failed_login_count=0)
        audit_record(
            kind="auth.locked_out",
            actor=user,
            company=user.company,
            target=user,
            ip_address=ip_address,
            detail={"minutes": policy.lockout_minutes, "attempts": policy.lockout_attempts},
        )


class PolicyAwareBackend(BaseBackend):
    """Django's backend over :func:`sign_in`. Errors are kept on the request so the sign-in
    view can say why (locked out, suspended) instead of a generic refusal."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        try:
            return sign_in(username=username, password=password, ip_address=client_ip(request))
        except AuthenticationFailed as exc:
            if request is not None:
                request.faxline_auth_error = exc  # type: ignore[attr-defined]
            return None

    def get_user(self, user_id: int) -> User | None:
        return (
            User.objects.filter(
                pk=user_id, deleted_at__isnull=True, is_active=True, is_locked=False
            )
            .select_related("company", "department")
            .first()
        )
