"""The notification log: every email the platform sends, whether or not it could go out."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

from faxline.notify.choices import PENDING, NotificationStatus

# Kinds of message whose body holds a one-time secret, from before callers could say so
# (``notify_email(secret=True)``); kept so that older rows stay withheld.
SECRET_KINDS = frozenset({"porting.loa_link"})
# A failed message carrying a one-time link may be resent this long after it was written:
# the shortest life of such a link (a password reset link lasts one hour).
SECRET_RESEND_WINDOW = timedelta(hours=1)


class NotificationLog(models.Model):
    """One email to one recipient, recorded before any attempt to send it.

    The row is the truth about the message; the delivery task only acts on it
    (``docs/decisions/0005-work-after-commit.md``). A message is never silently dropped:
    with an SMTP server it ends ``sent``, or ``failed`` with the server's error once the
    retries are spent; without one (console or test backend) it ends ``logged``.
    ``attempts`` counts the attempts since it was last queued, ``next_attempt_at`` says when
    the worker may try (again), ``claimed_at`` when a worker took it (a stale claim is
    released by the sweep), ``nudged_at`` when the sweep last re-enqueued it.
    ``company`` scopes who may read it (operators all, partners their clients, company
    administrators their own company).
    """

    kind = models.CharField(max_length=64, db_index=True)
    recipient = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    related_label = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)
    carries_secret = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Files attached, kept by their owner in the vault (``faxline.core.vault``) and read when
    # the message is sent: ``[{"name", "content_type", "vault_name", "size"}]``. The owner
    # decides how long they are kept; a message whose file is gone fails for good.
    attachments = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient or '(nobody)'}"

    @property
    def withholds_body(self) -> bool:
        """True when the body carries a one-time secret (a signing or password link)."""
        return self.carries_secret or self.kind in SECRET_KINDS

    def resend_refusal(self, *, now: datetime | None = None) -> str:
        """Why the message cannot be resent ("" when it can).

        A failed message is queued again; a delivered one (sent, logged) is sent again as a
        new message. A message carrying a one-time link (a password or signing link) is
        never sent again once delivered (its link may be used or expired: the recipient
        asks for a new one), and a failed one only within :data:`SECRET_RESEND_WINDOW` of
        its writing, the shortest life of such a link, so that an expired secret is never
        sent.
        """
        now = now or timezone.now()
        if self.status in PENDING or self.status == NotificationStatus.SENDING:
            return "This message is still being delivered."
        if not self.recipient:
            return "This message has no recipient: it cannot be resent."
        if self.withholds_body:
            if self.status != NotificationStatus.FAILED:
                return (
                    "This message carried a one-time link: it is not sent again. Have a new "
                    "link sent instead (Forgot Password?, Send Welcome Message, the LOA link)."
                )
            if self.created_at < now - SECRET_RESEND_WINDOW:
                return (
                    "This message carries a one-time link that may have expired: have a new "
                    "link sent instead."
                )
        return ""

    @property
    def resendable(self) -> bool:
        """Whether the log offers Resend (:meth:`resend_refusal`)."""
        return not self.resend_refusal()

    @property
    def shown_body(self) -> str:
        """The body as the log shows it: messages carrying a one-time secret (a signing
        link) are withheld, so that reading the log does not let anyone use it."""
        if self.withholds_body:
            return "(This message carries a one-time link for its recipient; not shown.)"
        return self.body


# The webhooks' models are notify's (their migrations are notify's).
from faxline.notify.webhooks.models import (  # noqa: E402
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = ["NotificationLog", "WebhookDelivery", "WebhookEndpoint", "WebhookEvent"]
