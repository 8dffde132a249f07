"""Email notifications: record every message, then send it after commit.

Every caller (onboarding, later the porting desk and the fax engine) goes through
:func:`notify_email`. The message is written to the notification log inside the caller's
transaction; once that commits it is handed to Django's email backend:

- a real backend (SMTP, or any backend that delivers) ends ``sent`` or ``failed`` with the
  server's error; a failure stays in the log and can be retried;
- the console and test backends (console, locmem, dummy, file) end ``logged``: the
  message is kept in the log (and printed / kept in ``mail.outbox``) but went nowhere.

Sending never raises into the caller: the caller's work is already committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import get_connection, send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.core.audit import audit_record
from faxline.core.errors import Conflict
from faxline.notify.access import may_resend
from faxline.notify.choices import NotificationStatus
from faxline.notify.models import NotificationLog

log = logging.getLogger(__name__)

# Backends that deliver nothing: the message is only logged.
LOG_ONLY_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    }
)
SEND_TIMEOUT_SECONDS = 15
# A queued message nobody has delivered after this long is picked up again (crash recovery).
STALE_CLAIM = timedelta(minutes=10)
MAX_ERROR = 1000


def delivers() -> bool:
    """True when the configured email backend really delivers (an SMTP server)."""
    return settings.EMAIL_BACKEND not in LOG_ONLY_BACKENDS


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render a text email template whose first line is ``Subject: ...``.

    Returns ``(subject, body)``. Templates wrap themselves in ``{% autoescape off %}``.
    """
    text = render_to_string(template, context).lstrip()
    first, _, rest = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"{template} must start with a 'Subject:' line")
    subject = " ".join(first.removeprefix("Subject:").split())
    return subject[:255], rest.strip("\n") + "\n"


def _recipients(to: str | Iterable[str]) -> list[str]:
    raw = [to] if isinstance(to, str) else list(to)
    seen: list[str] = []
    for address in raw:
        clean = (address or "").strip()
        if clean and clean.lower() not in (s.lower() for s in seen):
            seen.append(clean)
    return seen


def _valid(address: str) -> bool:
    if len(address) > 254 or any(ord(ch) < 32 for ch in address):
        return False
    try:
        validate_email(address)
    except DjangoValidationError:
        return False
    return True


def notify_email(
    *,
    kind: str,
    to: str | Sequence[str],
    subject: str,
    body: str,
    company: Company | None = None,
    related: str = "",
) -> list[NotificationLog]:
    """Record an email to each recipient and send it once the caller's transaction commits.

    Never raises for delivery problems: an invalid or missing recipient is recorded as
    ``failed`` with the reason; an SMTP error is recorded after commit.
    """
    subject = " ".join(subject.split())[:255]
    related = related[:200]
    recipients = _recipients(to)
    rows: list[NotificationLog] = []
    if not recipients:
        rows.append(
            NotificationLog.objects.create(
                kind=kind,
                recipient="",
                subject=subject,
                body=body,
                company=company,
                related_label=related,
                status=NotificationStatus.FAILED,
                error="No recipient: nobody has an email address for this message.",
            )
        )
        return rows
    for address in recipients:
        ok = _valid(address)
        row = NotificationLog.objects.create(
            kind=kind,
            recipient=address[:254],
            subject=subject,
            body=body,
            company=company,
            related_label=related,
            status=NotificationStatus.QUEUED if ok else NotificationStatus.FAILED,
            error="" if ok else f"{address!r} is not a valid email address.",
        )
        rows.append(row)
        if ok:
            _deliver_after_commit(row.pk)
    return rows


def _deliver_after_commit(log_id: int) -> None:
    transaction.on_commit(lambda: notification_deliver(log_id), robust=True)


def notification_deliver(log_id: int) -> NotificationLog | None:
    """Hand one queued message to the email backend; records the outcome.

    Claims the row with a compare-and-set first, so two processes never send it twice.
    """
    now = timezone.now()
    claimed = NotificationLog.objects.filter(
        pk=log_id, status=NotificationStatus.QUEUED, claimed_at__isnull=True
    ).update(claimed_at=now)
    if not claimed:
        return None
    message = NotificationLog.objects.get(pk=log_id)
    real = delivers()
    try:
        connection = get_connection(fail_silently=False, timeout=SEND_TIMEOUT_SECONDS)
        send_mail(
            message.subject,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.recipient],
            fail_silently=False,
            connection=connection,
        )
    except Exception as exc:  # any backend error: recorded, never raised
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
        log.warning("notification %s to %s failed: %s", log_id, message.recipient, error)
        NotificationLog.objects.filter(pk=log_id, claimed_at=now).update(
            status=NotificationStatus.FAILED,
            error=error,
            attempts=message.attempts + 1,
            claimed_at=None,
        )
    else:
        NotificationLog.objects.filter(pk=log_id, claimed_at=now).update(
            status=NotificationStatus.SENT if real else NotificationStatus.LOGGED,
            error="",
            attempts=message.attempts + 1,
            sent_at=timezone.now() if real else None,
            claimed_at=None,
        )
    message.refresh_from_db()
    return message


@transaction.atomic
def notification_retry(*, actor: Actor, notification: NotificationLog) -> NotificationLog:
    """Queue a failed message again (operators; partners and company-level administrators
    for their own). It is sent after commit."""
    may_resend(actor).check()
    if not notification.recipient:
        raise Conflict("This message has no recipient: it cannot be resent.", code="no_recipient")
    if not _valid(notification.recipient):
        raise Conflict(
            f"{notification.recipient!r} is not a valid email address.",
            code="invalid_recipient",
        )
    updated = NotificationLog.objects.filter(
        pk=notification.pk, status=NotificationStatus.FAILED
    ).update(status=NotificationStatus.QUEUED, claimed_at=None, error="")
    if not updated:
        raise Conflict("Only a failed message can be resent.", code="not_failed")
    audit_record(
        kind="notification.retried",
        actor=actor.user,
        company=notification.company,
        target=notification,
        ip_address=actor.ip_address,
        detail={"kind": notification.kind},
    )
    _deliver_after_commit(notification.pk)
    notification.refresh_from_db()
    return notification


def notifications_deliver_pending(*, limit: int = 100) -> int:
    """Deliver queued messages left behind (a process stopped between commit and send).

    Meant for the periodic scheduler; returns how many were handled.
    """
    cutoff = timezone.now() - STALE_CLAIM
    stale = NotificationLog.objects.filter(
        status=NotificationStatus.QUEUED, claimed_at__lt=cutoff
    ).values_list("pk", flat=True)
    NotificationLog.objects.filter(pk__in=list(stale[:limit])).update(claimed_at=None)
    pending = list(
        NotificationLog.objects.filter(
            status=NotificationStatus.QUEUED,
            claimed_at__isnull=True,
            created_at__lt=timezone.now() - timedelta(seconds=30),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in pending if notification_deliver(pk) is not None)
