"""Inbound faxes and their message events (imported by ``faxline.faxing.models``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

DEFAULT_RETENTION_DAYS = 30


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # received; delivery not done yet (the task will)
    DELIVERING = "delivering", "Delivering"  # a worker claimed it
    DELIVERED = "delivered", "Delivered"  # forwarded to the receiving addresses / held
    UNDELIVERABLE = "undeliverable", "Undeliverable"  # kept for the administrators
    FAILED = "failed", "Failed"  # the image could not be converted (damaged, hostile)


class Undeliverable(models.TextChoices):
    NONE = "", "—"
    NO_ROUTE = "no_route", "The number has no user"
    USER_LOCKED = "user_locked", "The user is locked"
    NO_ADDRESS = "no_address", "The user has no receiving email address"


class InboundFax(models.Model):
    """A fax received on one of our numbers: stored (encrypted, with its SHA-256) before
    anything else happens, then delivered by the number's route.

    ``company`` and ``user`` are whom the number routed to when the fax arrived (none: the
    number has no company, or no user). ``partial`` flags a potential partial: the call
    ended without proper termination, or with a completion code other than 0 after pages
    arrived. ``vault_name`` is empty once the content is deleted (by a person or by the
    company's retention period); ``files`` are the delivered files kept in the vault for
    the emails that carry them (deleted with the content).
    """

    to_number = models.CharField(max_length=16, db_index=True)
    from_number = models.CharField(max_length=32, blank=True)
    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_faxes",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_faxes",
    )
    # The user's department when the fax arrived (None: the company level, or no user):
    # what Activity filters by and a department administrator's subtree is made of.
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(db_index=True)
    pages = models.PositiveIntegerField(default=0)
    remote_csid = models.CharField(max_length=40, blank=True)
    completion_code = models.IntegerField(default=0)
    completion_text = models.CharField(max_length=200, blank=True)
    call_seconds = models.FloatField(default=0.0)
    result = models.JSONField(default=dict)
    partial = models.BooleanField(default=False)
    vault_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    files = models.JSONField(default=list, blank=True)
    delivery_status = models.CharField(
        max_length=14, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    undeliverable = models.CharField(
        max_length=12, choices=Undeliverable.choices, blank=True, default=""
    )
    delivery_error = models.CharField(max_length=500, blank=True)
    delivery_round = models.PositiveIntegerField(default=1)
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The first delivery (a resubmission does not move it): Average Time-to-First-Forward.
    first_forwarded_at = models.DateTimeField(null=True, blank=True)
    content_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # Inbound Activity (bench/activity.py): newest first within a date range, for
            # the company and for the filters that would otherwise scan the whole range.
            models.Index(fields=["company", "-received_at", "-id"], name="inbound_company"),
            models.Index(fields=["user", "-received_at"]),
            models.Index(
                fields=["company", "to_number", "-received_at", "-id"], name="inbound_number"
            ),
            models.Index(
                fields=["company", "from_number", "-received_at", "-id"], name="inbound_caller"
            ),
            models.Index(fields=["department", "-received_at", "-id"], name="inbound_department"),
            models.Index(fields=["delivery_status", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"fax {self.pk} {self.from_number or 'unknown'} -> {self.to_number}"

    @property
    def retained(self) -> bool:
        return bool(self.vault_name)


class EventKind(models.TextChoices):
    RECEIVED = "received", "Message received"
    FORWARDED = "forwarded", "Message forwarded"
    HELD = "held", "Message held"
    RETRIEVED = "retrieved", "Message retrieved"
    RESUBMITTED = "resubmitted", "Message resubmitted"
    DELETED = "deleted", "Message deleted"
    ARCHIVED = "archived", "Message archived"  # a copy by the Archive tab (faxing/archive)


class EventStatus(models.TextChoices):
    SUCCESS = "Success", "Success"
    PENDING = "Pending", "Pending"
    FAILED = "Failed", "Failed"


class InboundEvent(models.Model):
    """One line of a received fax's Message Events: when, what, the receiving address (for
    Message forwarded) and the status. A forwarded event's status follows its email in the
    notification log."""

    fax = models.ForeignKey(InboundFax, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    receiving_address = models.CharField(max_length=254, blank=True)
    status = models.CharField(
        max_length=8, choices=EventStatus.choices, default=EventStatus.SUCCESS
    )
    detail = models.CharField(max_length=300, blank=True)
    notification = models.ForeignKey(
        "notify.NotificationLog",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.receiving_address}".strip()


class InboundSettings(models.Model):
    """A company's inbound delivery settings (none stored: the defaults): whether emails
    carry the fax attached or a secure portal link, and how many days the content of its
    received faxes is kept."""

    company = models.OneToOneField(
        "accounts.Company", on_delete=models.CASCADE, related_name="inbound_settings"
    )
    attach_files = models.BooleanField(default=True)
    retention_days = models.PositiveIntegerField(default=DEFAULT_RETENTION_DAYS)

    def __str__(self) -> str:
        return f"inbound settings of {self.company}"


class BulkResubmitStatus(models.TextChoices):
    QUEUED = "queued", "Queued"  # stored; the task worker has not started it
    RUNNING = "running", "Running"  # a worker is going through its faxes
    DONE = "done", "Done"  # every fax resubmitted or refused


class BulkResubmitItemStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    RESUBMITTED = "resubmitted", "Resubmitted"
    REFUSED = "refused", "Refused"


class BulkResubmit(models.Model):
    """One Bulk Resubmit: the chosen received faxes delivered again to their numbers'
    current destinations, one by one, by the task worker (``faxing/inbound/bulk.py``).

    The row is the truth and the task a nudge: the faxes are checked and stored here (one
    :class:`BulkResubmitItem` each, in order) in one short transaction, then the worker
    resubmits each in its own transaction together with its item's outcome and the
    counters, so a crash loses nothing and running it again does nothing twice.
    ``heartbeat_at`` is the worker's last sign of life; a stale one lets the periodic sweep
    nudge the job again and another worker continue it."""

    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=8, choices=BulkResubmitStatus.choices, default=BulkResubmitStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    resubmitted_count = models.PositiveIntegerField(default=0)
    refused_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="bulk_resubmit_open")]

    def __str__(self) -> str:
        return f"bulk resubmit {self.pk}: {self.processed}/{self.total} ({self.status})"

    @property
    def done(self) -> bool:
        return self.status == BulkResubmitStatus.DONE

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.processed / self.total)


class BulkResubmitItem(models.Model):
    """One fax of a Bulk Resubmit and what became of it (``reason``: why it was refused)."""

    job = models.ForeignKey(BulkResubmit, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    fax = models.ForeignKey(InboundFax, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=12,
        choices=BulkResubmitItemStatus.choices,
        default=BulkResubmitItemStatus.WAITING,
    )
    reason = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "fax"], name="bulk_resubmit_one_item_per_fax"),
            models.UniqueConstraint(fields=["job", "position"], name="bulk_resubmit_position"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.position} fax {self.fax_id} {self.status}"
