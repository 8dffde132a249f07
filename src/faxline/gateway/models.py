"""What the SMTP gateway keeps: every message it answered 250 to, and the per-address count
of "Unauthorized Sending Address" notifications (so that the gateway is no spam cannon)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from faxline.gateway.choices import MessageStatus, NoticeWithheld


class GatewayMessage(models.Model):
    """One email accepted by the gateway (SMTP 250), written before the 250 was sent.

    The raw message is in the vault (``raw_vault_name``, encrypted) until its retention
    ends; the row is the truth about what became of it: ``status``, the outcome (a stable
    ``outcome_code``, the guide's error name and a sentence in ``outcome_detail``) and the
    identifiers of the fax jobs it made. ``claimed_at``/``nudged_at``/``attempts`` are the
    worker's and the sweep's bookkeeping. A retried delivery of the same Message-ID from the
    same envelope sender is the same message (``gateway_message_once``)."""

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    peer_ip = models.GenericIPAddressField(null=True, blank=True)
    helo = models.CharField(max_length=255, blank=True)
    mail_from = models.CharField(max_length=254, blank=True)
    # The envelope sender lowercased: half of the once-only key.
    mail_from_key = models.CharField(max_length=254, blank=True)
    recipients = models.JSONField(default=list)
    message_id = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    raw_vault_name = models.CharField(max_length=120, blank=True)
    raw_sha256 = models.CharField(max_length=64, blank=True)
    raw_deleted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=MessageStatus.choices, default=MessageStatus.RECEIVED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sender_address = models.CharField(max_length=254, blank=True)
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gateway_messages",
    )
    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="gateway_messages",
    )
    outcome_code = models.CharField(max_length=40, blank=True)
    outcome_name = models.CharField(max_length=60, blank=True)
    outcome_detail = models.TextField(blank=True)
    job_identifiers = models.JSONField(default=list, blank=True)
    spf_result = models.CharField(max_length=12, blank=True)
    dkim_result = models.CharField(max_length=12, blank=True)
    notified = models.BooleanField(default=False)
    # Why no Initial Notification went out ("" when one did, or none was due).
    notice_withheld = models.CharField(max_length=16, blank=True, choices=NoticeWithheld.choices)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mail_from_key", "message_id"],
                condition=~Q(message_id=""),
                name="gateway_message_once",
            )
        ]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["company", "-received_at"]),
        ]

    def __str__(self) -> str:
        return f"email from {self.mail_from or '<>'} ({self.status})"


class RefusalNoticeWindow(models.Model):
    """How many "Unauthorized Sending Address" notifications went to ``address`` in the
    clock hour starting at ``window_start``; the address :data:`ALL_UNREGISTERED` counts
    them for every address together (the platform-wide cap). Raised with a compare-and-set,
    so the limits hold across processes and machines."""

    # Never an email address (it has no "@"): the row of the platform-wide count.
    ALL_UNREGISTERED = "*"

    address = models.CharField(max_length=254)
    window_start = models.DateTimeField()
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "window_start"], name="refusal_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.address} {self.window_start:%Y-%m-%d %H:%M}: {self.sent}"
