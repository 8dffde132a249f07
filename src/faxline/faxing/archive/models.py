"""Archive copies (imported by ``faxline.faxing.models``): one row per fax and destination
of the Archive tab, written in the transaction that sent or received the fax."""

from __future__ import annotations

from django.db import models


class ArchiveStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # written; the task will make the files and deliver
    SENDING = "sending", "Sending"  # a worker claimed it
    RETRYING = "retrying", "Retrying"  # an attempt failed; the next is at next_attempt_at
    EMAILING = "emailing", "Emailing"  # handed to the notification log, which sends it
    DONE = "done", "Archived"
    FAILED = "failed", "Failed"


ARCHIVE_DUE = (ArchiveStatus.PENDING, ArchiveStatus.RETRYING)


class ArchiveDestination(models.TextChoices):
    EMAIL = "email", "Email"
    FTP = "ftp", "FTP"


class ArchiveCopy(models.Model):
    """A copy of one sent (``job``) or received (``inbound_fax``) fax to one destination of
    the Archive tab in force when the fax was sent or received.

    The destination is a snapshot (a later change of the tab does not move copies already
    on their way); the FTP password stays encrypted (``faxline.core.crypto``), copied as
    the tab kept it. ``destination_key`` names the destination so that a fax is archived
    at most once to it (unique per fax). ``attempts`` counts delivery attempts,
    ``next_attempt_at`` says when the worker may try (again), ``claimed_at`` when a worker
    took it (a stale claim is released by the sweep). An email copy is ``emailing`` while
    the notification log sends it (``notification``), with its files kept in the vault
    (``files``) until the email is settled.
    """

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="archive_copies"
    )
    job = models.ForeignKey(
        "faxing.FaxJob",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="archive_copies",
    )
    inbound_fax = models.ForeignKey(
        "faxing.InboundFax",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="archive_copies",
    )
    destination = models.CharField(max_length=8, choices=ArchiveDestination.choices)
    destination_key = models.CharField(max_length=400)
    email_address = models.EmailField(max_length=254, blank=True)
    ftp_host = models.CharField(max_length=253, blank=True)
    ftp_port = models.PositiveIntegerField(default=21)
    ftp_username = models.CharField(max_length=100, blank=True)
    ftp_password_encrypted = models.TextField(blank=True)
    ftp_directory = models.CharField(max_length=255, blank=True, default="/")
    file_type = models.CharField(max_length=4)  # PDF or TIF (the Archive tab's values)
    original_file_name = models.BooleanField(default=False)
    include_metadata = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    file_names = models.JSONField(default=list, blank=True)
    files = models.JSONField(default=list, blank=True)
    notification = models.ForeignKey(
        "notify.NotificationLog",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="archive_copy_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(job__isnull=False) & models.Q(inbound_fax__isnull=True))
                | (models.Q(job__isnull=True) & models.Q(inbound_fax__isnull=False)),
                name="archive_copy_of_one_fax",
            ),
            models.UniqueConstraint(
                fields=["job", "destination_key"],
                condition=models.Q(job__isnull=False),
                name="archive_copy_once_per_job",
            ),
            models.UniqueConstraint(
                fields=["inbound_fax", "destination_key"],
                condition=models.Q(inbound_fax__isnull=False),
                name="archive_copy_once_per_inbound_fax",
            ),
        ]

    def __str__(self) -> str:
        fax = f"job {self.job_id}" if self.job_id else f"inbound fax {self.inbound_fax_id}"
        return f"archive of {fax} to {self.destination_label} ({self.status})"

    @property
    def destination_label(self) -> str:
        """Where the copy goes, as people read it (no password)."""
        if self.destination == ArchiveDestination.EMAIL:
            return self.email_address
        port = "" if self.ftp_port == 21 else f":{self.ftp_port}"
        directory = "/" + self.ftp_directory.lstrip("/")
        return f"ftp://{self.ftp_host}{port}{directory}"
