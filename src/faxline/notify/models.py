"""The notification log: every email the platform sends, whether or not it could go out."""

from __future__ import annotations

from django.db import models

from faxline.notify.choices import NotificationStatus

# Kinds of message whose body holds a one-time secret, from before callers could say so
# (``notify_email(secret=True)``); kept so that older rows stay withheld.
SECRET_KINDS = frozenset({"porting.loa_link"})


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
