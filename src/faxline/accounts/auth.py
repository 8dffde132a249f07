"""Signing in under the security policy: lock-out after failed attempts, suspended
accounts, and the Django authentication backend that applies both."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from faxline.accounts.models import User
from faxline.accounts.policy import policy_for_user
from faxline.core.audit import audit_record
from faxline.core.errors import AuthenticationFailed

WRONG_CREDENTIALS = "The username or password is incorrect."
_DUMMY_HASH = make_password("faxline-timing-equalizer")


class AccountLockedOut(AuthenticationFailed):
    """Too many failed attempts: sign-in refused until the lock-out interval ends."""

    default_code = "locked_out"


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
    the policy's interval. Unknown usernames get the same answer as wrong passwords.
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
    if user.locked_out_until is not None and user.locked_out_until > now:
        minutes = max(1, int((user.locked_out_until - now).total_seconds() // 60) + 1)
        raise AccountLockedOut(
            "Too many failed sign-in attempts: your account is temporarily locked. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''} or ask your "
            "administrator to unlock it."
        )
    if not user.check_password(password):
        _record_failure(user, ip_address)
        user.refresh_from_db(fields=["locked_out_until"])
        if user.locked_out_until is not None and user.locked_out_until > now:
            raise AccountLockedOut(
                "Too many failed sign-in attempts: your account is temporarily locked. "
                "Try again later or ask your administrator to unlock it."
            )
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
