"""API keys: create, revoke, and authenticate a Bearer key."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.auth import password_confirm
from faxline.accounts.models import (
    ApiKey,
    User,
)
from faxline.accounts.validation import (
    clean_text,
)
from faxline.core.audit import audit_record
from faxline.core.crypto import keyed_digest
from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

API_KEY_PREFIX = "fxl_"


@dataclass(frozen=True)
class CreatedApiKey:
    key: ApiKey
    secret: str


PASSWORD_REQUIRED = "Enter your password to create an API key."
PASSWORD_WRONG = "The password is not correct: enter your own password to create an API key."


def api_key_create(
    *,
    actor: Actor,
    name: str,
    password: str | None = None,
    password_required: bool = False,
) -> CreatedApiKey:
    """Create an API key for the acting user; the secret is returned once, never stored.

    A key works until it is revoked, so a portal session (the API keys page, or the API
    called with the session cookie) must prove a recent sign-in: those callers pass
    ``password_required=True`` with the password the person typed again. Missing is 422
    ``password_required``; wrong is 403 ``wrong_password`` and counts toward the policy's
    lock-out as a failed sign-in does. A caller holding an API key already proved more.
    """
    if actor.user.deleted_at is not None or actor.user.is_locked:
        raise Forbidden("A locked account cannot create API keys.")
    name = clean_text(name, field="name", max_length=100, required=True)
    if password_required:
        # Checked before the write transaction: hashing is slow, and a wrong password's
        # count toward the lock-out must stay when this request is refused.
        if not password:
            raise ValidationFailed(PASSWORD_REQUIRED, field="password", code="password_required")
        if not password_confirm(user=actor.user, password=password, ip_address=actor.ip_address):
            raise Forbidden(PASSWORD_WRONG, field="password", code="wrong_password")
    return _api_key_save(actor=actor, name=name)


@transaction.atomic
def _api_key_save(*, actor: Actor, name: str) -> CreatedApiKey:
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
    """Revoke one of the acting user's API keys.

    Compare-and-set, as every transition: of two concurrent revocations of one key, one
    revokes it (and records it, once); the other is 409 ``already_revoked``."""
    key = ApiKey.objects.filter(pk=key_id, user=actor.user).first()
    if key is None:
        raise NotFound("API key not found.", field="key_id")
    now = timezone.now()
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now)
    if not revoked:
        raise Conflict("This API key is already revoked.", code="already_revoked")
    key.revoked_at = now
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
