"""The notification log: every email the platform sends, whether or not it could go out."""

from __future__ import annotations

from django.db import models

from faxline.notify.choices import NotificationStatus

# Kinds of message whose body holds a one-time secret.
SECRET_KINDS = frozenset({"porting.loa_link"})


class NotificationLog(models.Model):
    """One email to one recipient, recorded before any attempt to send it.

    A message is never silently dropped: with an SMTP server it ends ``sent`` or ``failed``
    (with the server's error); without one (console or test backend) it ends ``logged``.
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
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient or '(nobody)'}"

    @property
    def shown_body(self) -> str:
        """The body as the log shows it: messages carrying a one-time secret (a signing
        link) are withheld, so that reading the log does not let anyone use it."""
        if self.kind in SECRET_KINDS:
            return "(This message carries a one-time link for its recipient; not shown.)"
        return self.body
