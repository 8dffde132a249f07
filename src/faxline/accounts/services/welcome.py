"""Welcome messages: a fax user's first email about their account (the guide's Notifications
tab: none, a welcome, or a welcome with credentials).

"With credentials" means a one-time link to choose a password, never the password itself
(which is only ever stored hashed). The message is written to the notification log through
``faxline.core.mail.queue_email`` (accounts sits below notify) inside the caller's
transaction and delivered by the task worker after commit; a message with a link is marked
secret, so the log withholds its body. Sent by an administrator from User Account Details
(:func:`user_send_welcome`, also ``POST /api/v1/users/{id}/welcome``) and by Bulk Create
for each account it creates when the upload chose one (:func:`welcome_queue`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import PasswordResetToken, User
from faxline.accounts.passwords import PASSWORD_LINK_LIFETIME, issue_password_link, reset_link
from faxline.accounts.preferences import WelcomeMessage
from faxline.accounts.services.people import require_manage_person
from faxline.core.audit import audit_record
from faxline.core.errors import Conflict, ValidationFailed
from faxline.core.mail import queue_email

SENDABLE = (WelcomeMessage.WELCOME.value, WelcomeMessage.WITH_CREDENTIALS.value)
KIND_WELCOME = "accounts.welcome"
KIND_WITH_CREDENTIALS = "accounts.welcome_credentials"


@dataclass(frozen=True)
class WelcomeSent:
    """A welcome message on its way: to whom, which one, and until when its link works."""

    email: str
    kind: str
    link_expires_in_days: int | None


def welcome_kind(kind: object, *, field: str = "kind") -> str:
    """``kind`` when it is a welcome message that can be sent, else refused naming ``field``."""
    if isinstance(kind, str) and kind in SENDABLE:
        return kind
    raise ValidationFailed(
        f"{field} must be one of: {', '.join(SENDABLE)}.", field=field, code="invalid_choice"
    )


def bulk_welcome_choice(kind: object, *, field: str = "welcome_message") -> str:
    """Bulk Create's choice: ``none`` or a sendable welcome message, else refused."""
    if kind == WelcomeMessage.NONE.value:
        return WelcomeMessage.NONE.value
    return welcome_kind(kind, field=field)


def user_send_welcome(*, actor: Actor, user: User, kind: str) -> WelcomeSent:
    """Send Welcome Message (User Account Details): email the fax user a welcome, with a
    one-time link to choose a password for ``with_credentials``. Only someone who may
    change that user (``may_manage_person``: 403, a read-only administrator included);
    refused (409) for a locked account or one without an email address. Audited."""
    require_manage_person(actor, user)
    chosen = welcome_kind(kind)
    if user.role != Role.FAX_USER:
        raise Conflict(
            "Welcome messages are for fax users: send an administrator a password reset link.",
            code="not_a_fax_user",
        )
    if user.is_locked:
        raise Conflict(
            "The account is locked: unlock it before welcoming its user.", code="user_locked"
        )
    if not user.email:
        raise Conflict(
            "The user has no email address: add one on the Details tab first.",
            code="no_email",
        )
    with transaction.atomic():
        sent = welcome_queue(user=user, kind=chosen, replace_links=True)
        audit_record(
            kind="user.welcome_sent",
            actor=actor.user,
            company=user.company,
            target=user,
            ip_address=actor.ip_address,
            detail={"welcome": chosen, "email": user.email},
        )
    return sent


def welcome_queue(*, user: User, kind: str, replace_links: bool = False) -> WelcomeSent:
    """Write the welcome message ``kind`` for ``user`` to the notification log, inside the
    caller's transaction (the caller checked the rights). With ``with_credentials`` a
    one-time link to choose a password is issued (``replace_links``: earlier unused links
    stop working, as when a reset link is asked for again)."""
    company = user.company.name if user.company is not None else "faxline"
    name = user.first_name or user.username
    sign_in = settings.FAXLINE_PORTAL_URL.rstrip("/") + reverse("login")
    lines = [
        f"Hello {name},",
        f'Welcome to faxline. An account was set up for you at {company}: your username is "'
        f'{user.username}".',
        f"Sign in to the portal to send and receive faxes: {sign_in}",
    ]
    if user.sending_email:
        lines.append(f"You can also send faxes by email, from {user.sending_email}.")
    days: int | None = None
    if kind == WelcomeMessage.WITH_CREDENTIALS:
        if replace_links:
            now = timezone.now()
            PasswordResetToken.objects.filter(
                user=user, used_at__isnull=True, expires_at__gt=now
            ).update(expires_at=now)
        days = PASSWORD_LINK_LIFETIME.days
        token = issue_password_link(user)
        lines.append(
            f"To choose your password, open this link within {days} days:\n\n"
            f"{reset_link(token)}\n\n"
            "The link works once. If it has expired, use Forgot Password? on the sign-in page."
        )
    else:
        lines.append("If you do not know your password, use Forgot Password? on the sign-in page.")
    queue_email(
        kind=KIND_WITH_CREDENTIALS if kind == WelcomeMessage.WITH_CREDENTIALS else KIND_WELCOME,
        to=user.email,
        subject=f"Welcome to faxline, {name}",
        body="\n\n".join(lines) + "\n",
        company_id=user.company_id,
        related=user.username,
        secret=kind == WelcomeMessage.WITH_CREDENTIALS,
    )
    return WelcomeSent(email=user.email, kind=kind, link_expires_in_days=days)
