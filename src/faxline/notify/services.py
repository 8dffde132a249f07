"""Email notifications: the worked example of work after commit.

Every caller (onboarding, the porting desk, LOA signing links, and through
``faxline.core.mail`` the accounts app's password links) goes through :func:`notify_email`.
It writes one row per recipient to the notification log inside the caller's transaction,
``queued``, and nudges the delivery task once that transaction commits. Nothing is sent on
the caller's path (a web request answers without waiting for an SMTP server).

The task (``notify/tasks.py``) calls :func:`notification_deliver`, which claims the row with
a compare-and-set (``queued``/``retrying`` → ``sending``), hands it to Django's email
backend and records the outcome:

- delivered: ``sent`` (a real SMTP server) or ``logged`` (console, locmem, dummy, file
  backends: kept in the log, delivered nowhere);
- a transient error (connection refused, timeout, 4xx): ``retrying`` with the next attempt
  after :data:`RETRY` 's backoff, nudged then; after the last attempt, ``failed``;
- a permanent error (5xx, invalid recipient): ``failed`` at once.

:func:`notifications_deliver_pending` (the periodic sweep) finds what a lost nudge left
behind (the worker was down, the enqueue failed) and claims that went stale (a worker died
while sending), and nudges them again. A ``failed`` message can be resent by a person.
The design is in ``docs/decisions/0005-work-after-commit.md``.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.core.aftercommit import enqueue_after_commit, enqueue_now, renudge_lost
from faxline.core.audit import audit_record
from faxline.core.backoff import Backoff
from faxline.core.errors import Conflict, NotFound, ValidationFailed
from faxline.core.vault import vault_read
from faxline.documents.received import Reception, received_files
from faxline.notify.access import may_resend
from faxline.notify.backends import ONE_TIME_LINK
from faxline.notify.choices import PENDING, NotificationStatus
from faxline.notify.models import NotificationLog

log = logging.getLogger(__name__)

# Backends that deliver nothing: the message is only logged.
LOG_ONLY_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "faxline.notify.backends.ConsoleEmailBackend",
        "faxline.notify.backends.FileEmailBackend",
    }
)
SEND_TIMEOUT_SECONDS = 15
# Six attempts over about two hours (waits of 1, 3, 9, 27 and 81 minutes): an SMTP server
# that is down for less than that loses nothing.
RETRY = Backoff(first=timedelta(minutes=1), factor=3, cap=timedelta(hours=2), max_attempts=6)
# A claim older than this belongs to a worker that died while sending (a send is bounded
# by SEND_TIMEOUT_SECONDS).
STALE_CLAIM = timedelta(minutes=10)
# A due message still pending this long after its nudge lost it; the sweep nudges again
# (at most this often per message, so a stopped worker does not pile up duplicates).
LOST_NUDGE = timedelta(minutes=2)
SWEEP_LIMIT = 200
MAX_ERROR = 1000
# What one message may carry attached, all files together: mail servers commonly refuse
# messages over 10-25 MB, and base64 makes a file a third bigger. A caller whose files do
# not fit sends a link instead (:func:`attachments_fit`).
ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024


# ``Attachment.render``: the vault file is a fax image (TIFF-F) attached as a PDF, converted
# when the message is sent (in the documents sandbox, outside any transaction), so that a
# caller inside a transaction can attach a fax without converting it there.
RENDER_FAX_PDF = "fax_pdf"
RENDERS = frozenset({RENDER_FAX_PDF})


@dataclass(frozen=True)
class Attachment:
    """A file to attach, kept in the vault by its owner (who deletes it when its retention
    ends): its file name, MIME type, vault name and plain size. With ``render`` the vault
    file is converted when the message is sent (:data:`RENDERS`; ``size`` is then the
    caller's estimate of the result)."""

    name: str
    content_type: str
    vault_name: str
    size: int
    render: str = ""

    def as_dict(self) -> dict[str, Any]:
        kept: dict[str, Any] = {
            "name": self.name,
            "content_type": self.content_type,
            "vault_name": self.vault_name,
            "size": self.size,
        }
        if self.render:
            kept["render"] = self.render
        return kept


def attachments_fit(sizes: Iterable[int]) -> bool:
    """Whether files of these sizes (bytes) may go attached to one message."""
    return sum(sizes) <= ATTACHMENTS_MAX_BYTES


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


def _nudge_after_commit(notification_id: int) -> None:
    from faxline.notify.tasks import deliver  # tasks.py imports this module

    enqueue_after_commit(deliver, notification_id)


def _nudge_at(notification_id: int, when: datetime) -> bool:
    from faxline.notify.tasks import deliver

    return enqueue_now(deliver.using(run_after=when), notification_id)


def notify_email(
    *,
    kind: str,
    to: str | Sequence[str],
    subject: str,
    body: str,
    company: Company | None = None,
    company_id: int | None = None,
    related: str = "",
    secret: bool = False,
    attachments: Sequence[Attachment] = (),
) -> list[NotificationLog]:
    """Record an email to each recipient; the worker sends it once the caller commits.

    Never raises for delivery problems: an invalid or missing recipient is recorded as
    ``failed`` with the reason; SMTP errors are recorded by the worker. ``secret`` marks a
    body that holds a one-time link: the log withholds it from its readers.
    ``attachments`` are files in the vault, read when the message is sent; together they
    must fit :data:`ATTACHMENTS_MAX_BYTES` (``ValidationFailed``, ``attachments_too_large``:
    check with :func:`attachments_fit` and send a link instead).
    """
    unknown = sorted({a.render for a in attachments if a.render and a.render not in RENDERS})
    if unknown:
        raise ValueError(f"Unknown attachment renders: {', '.join(unknown)}")
    if not attachments_fit(a.size for a in attachments):
        raise ValidationFailed(
            f"The attachments exceed {ATTACHMENTS_MAX_BYTES // (1024 * 1024)} MB: "
            "send a link instead.",
            code="attachments_too_large",
            field="attachments",
        )
    subject = " ".join(subject.split())[:255]
    related = related[:200]
    owner = company.pk if company is not None else company_id
    common = {
        "kind": kind,
        "subject": subject,
        "body": body,
        "company_id": owner,
        "related_label": related,
        "carries_secret": secret,
        "attachments": [a.as_dict() for a in attachments],
    }
    recipients = _recipients(to)
    if not recipients:
        return [
            NotificationLog.objects.create(
                **common,
                recipient="",
                status=NotificationStatus.FAILED,
                error="No recipient: nobody has an email address for this message.",
            )
        ]
    rows: list[NotificationLog] = []
    now = timezone.now()
    for address in recipients:
        ok = _valid(address)
        row = NotificationLog.objects.create(
            **common,
            recipient=address[:254],
            status=NotificationStatus.QUEUED if ok else NotificationStatus.FAILED,
            error="" if ok else f"{address!r} is not a valid email address.",
            next_attempt_at=now if ok else None,
        )
        rows.append(row)
        if ok:
            _nudge_after_commit(row.pk)
    return rows


def queue_email_for_core(
    *,
    kind: str,
    to: str | Sequence[str],
    subject: str,
    body: str,
    company_id: int | None,
    related: str,
    secret: bool,
) -> None:
    """:func:`notify_email` as ``faxline.core.mail.queue_email`` calls it (registered in
    ``NotifyConfig.ready``)."""
    notify_email(
        kind=kind,
        to=to,
        subject=subject,
        body=body,
        company_id=company_id,
        related=related,
        secret=secret,
    )


def _permanent(exc: Exception) -> bool:
    """True when trying again cannot help: the server refused with a 5xx reply."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _claim(notification_id: int, now: datetime) -> bool:
    """Compare-and-set: a due, pending message becomes ``sending``; True if we took it."""
    return bool(
        NotificationLog.objects.filter(pk=notification_id, status__in=PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=NotificationStatus.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    )


def notification_deliver(*, notification_id: int) -> NotificationLog | None:
    """Attempt to deliver one message; idempotent (what is not due or not pending is left
    alone and None returned). Runs in the task worker, never inside a transaction.

    Every outcome is written with a compare-and-set on the claim, so that a claim the
    sweep took back meanwhile is not overwritten.
    """
    now = timezone.now()
    if not _claim(notification_id, now):
        return None
    message = NotificationLog.objects.get(pk=notification_id)
    mine = NotificationLog.objects.filter(
        pk=notification_id, status=NotificationStatus.SENDING, claimed_at=now
    )
    try:
        connection = get_connection(fail_silently=False, timeout=SEND_TIMEOUT_SECONDS)
        email = EmailMessage(
            message.subject,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.recipient],
            connection=connection,
            # RFC 3834: a machine wrote it. Auto-responders (and faxline's own email-to-fax
            # gateway) do not answer it, so two systems cannot bounce mail between them.
            headers={"Auto-Submitted": "auto-generated"},
        )
        for item in message.attachments or []:
            email.attach(str(item["name"]), _attachment_data(item), str(item["content_type"]))
        # Backends that print instead of sending withhold the links of such a message.
        setattr(email, ONE_TIME_LINK, message.withholds_body)
        email.send(fail_silently=False)
    except AttachmentGone as exc:
        _record_failure(mine, message, str(exc), permanent=True)
    except Exception as exc:  # any backend error: recorded, never raised
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
        _record_failure(mine, message, error, permanent=_permanent(exc))
    else:
        real = delivers()
        mine.update(
            status=NotificationStatus.SENT if real else NotificationStatus.LOGGED,
            error="",
            sent_at=timezone.now() if real else None,
            claimed_at=None,
            next_attempt_at=None,
        )
    message.refresh_from_db()
    return message


class AttachmentGone(Exception):
    """A file the message carries is no longer kept (its retention ended): sending again
    cannot help."""


def _attachment_data(item: dict[str, Any]) -> bytes:
    try:
        data = vault_read(str(item["vault_name"]))
    except NotFound as exc:
        raise AttachmentGone(
            f"The attached file {item.get('name')!r} is no longer kept: not sent."
        ) from exc
    if item.get("render") == RENDER_FAX_PDF:
        return _fax_pdf(data, str(item["name"]))
    return data


def _fax_pdf(tiff: bytes, name: str) -> bytes:
    """A fax image (TIFF-F) as a PDF with its pages embedded as they are (G4), converted in
    the documents sandbox; an image that cannot be read fails the message for good."""
    stem = name.rsplit(".", 1)[0]
    try:
        files = received_files(
            tiff, Reception(fax_id=stem.removeprefix("fax-")), file_type="pdf", title=stem
        )
    except ValidationFailed as exc:
        raise AttachmentGone(
            f"The attached fax {name!r} could not be converted to PDF: {exc.message}"
        ) from exc
    return files[0].data


def _record_failure(
    mine: QuerySet[NotificationLog], message: NotificationLog, error: str, *, permanent: bool
) -> None:
    """After a failed attempt: schedule the next one, or give up."""
    attempts = message.attempts
    retry_at = None if permanent else RETRY.next_attempt(attempts, now=timezone.now())
    if retry_at is None:
        reason = error if permanent else f"Gave up after {attempts} attempts. Last error: {error}"
        log.warning("notification %s to %s failed: %s", message.pk, message.recipient, reason)
        mine.update(
            status=NotificationStatus.FAILED,
            error=reason[:MAX_ERROR],
            claimed_at=None,
            next_attempt_at=None,
        )
        return
    log.info(
        "notification %s: attempt %s failed (%s); next at %s",
        message.pk,
        attempts,
        error,
        retry_at.isoformat(),
    )
    if mine.update(
        status=NotificationStatus.RETRYING,
        error=error,
        claimed_at=None,
        next_attempt_at=retry_at,
        nudged_at=None,
    ):
        _nudge_at(message.pk, retry_at)


@transaction.atomic
def notification_resend(*, actor: Actor, notification: NotificationLog) -> NotificationLog:
    """Resend from the log: a failed message is queued again (:func:`notification_retry`);
    a delivered one is written again as a new message to the same recipient, with the same
    subject, body and attachments, and sent by the worker after commit. Returns the message
    queued. Refused (409) per ``NotificationLog.resend_refusal``."""
    may_resend(actor).check()
    if notification.status == NotificationStatus.FAILED:
        return notification_retry(actor=actor, notification=notification)
    refusal = notification.resend_refusal()
    if refusal:
        raise Conflict(refusal, code="not_resendable")
    (copy,) = notify_email(
        kind=notification.kind,
        to=notification.recipient,
        subject=notification.subject,
        body=notification.body,
        company_id=notification.company_id,
        related=notification.related_label,
        attachments=[
            Attachment(
                name=str(a["name"]),
                content_type=str(a["content_type"]),
                vault_name=str(a["vault_name"]),
                size=int(a["size"]),
                render=str(a.get("render", "")),
            )
            for a in notification.attachments or []
        ],
    )
    audit_record(
        kind="notification.resent",
        actor=actor.user,
        company=notification.company,
        target=copy,
        ip_address=actor.ip_address,
        detail={"kind": notification.kind, "resent_from": notification.pk},
    )
    return copy


@transaction.atomic
def notification_retry(*, actor: Actor, notification: NotificationLog) -> NotificationLog:
    """Resend a failed message (operators; partners and company-level administrators for
    their own). It is queued with a fresh set of attempts and sent by the worker after
    commit. A message carrying a one-time link is refused once the link may have expired
    (``NotificationLog.resend_refusal``)."""
    may_resend(actor).check()
    refusal = notification.resend_refusal()
    if notification.status == NotificationStatus.FAILED and refusal:
        raise Conflict(refusal, code="not_resendable")
    if not notification.recipient:
        raise Conflict("This message has no recipient: it cannot be resent.", code="no_recipient")
    if not _valid(notification.recipient):
        raise Conflict(
            f"{notification.recipient!r} is not a valid email address.",
            code="invalid_recipient",
        )
    updated = NotificationLog.objects.filter(
        pk=notification.pk, status=NotificationStatus.FAILED
    ).update(
        status=NotificationStatus.QUEUED,
        claimed_at=None,
        nudged_at=None,
        next_attempt_at=timezone.now(),
        attempts=0,
        error="",
    )
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
    _nudge_after_commit(notification.pk)
    notification.refresh_from_db()
    return notification


def notifications_deliver_pending(*, limit: int = SWEEP_LIMIT) -> int:
    """The periodic sweep: see that every pending message gets its attempt.

    Releases stale claims (a worker died while sending: the attempt counts; the message is
    due again and nudged or, out of attempts, failed), then nudges every message that has
    been due for longer than :data:`LOST_NUDGE` without being claimed. Returns how many it nudged.
    Idempotent and safe to run in several processes at once (every change is a
    compare-and-set).
    """
    now = timezone.now()
    nudged = 0
    stale = NotificationLog.objects.filter(
        status=NotificationStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).values_list("pk", "claimed_at", "attempts")[:limit]
    for pk, claimed_at, attempts in list(stale):
        mine = NotificationLog.objects.filter(
            pk=pk, status=NotificationStatus.SENDING, claimed_at=claimed_at
        )
        error = "The worker stopped while sending (no outcome was recorded)."
        if RETRY.exhausted(attempts):
            mine.update(
                status=NotificationStatus.FAILED,
                error=f"Gave up after {attempts} attempts. Last error: {error}",
                claimed_at=None,
                next_attempt_at=None,
            )
        elif mine.update(
            status=NotificationStatus.RETRYING,
            error=error,
            claimed_at=None,
            next_attempt_at=now,
            nudged_at=now,
        ):
            nudged += int(_nudge_at(pk, now))
    overdue = now - LOST_NUDGE
    return nudged + renudge_lost(
        NotificationLog.objects.filter(status__in=PENDING, next_attempt_at__lt=overdue),
        overdue=overdue,
        now=now,
        nudge=lambda pk: _nudge_at(pk, now),
        order_by="next_attempt_at",
        limit=limit,
    )
