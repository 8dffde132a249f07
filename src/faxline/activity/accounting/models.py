"""Accounting's rows: the CDR files made, the current month's generations, the months
closed (imported by ``faxline.activity.models`` so that Django finds them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CdrFileKind(models.TextChoices):
    MONTH = "month", "Month"
    DAY = "day", "Day"


class CdrFile(models.Model):
    """One CSV file of Call Detail Records of a company: a whole month (``period``
    ``YYYY-MM``, made after the month ended) or one day of the current month (``period``
    ``YYYY-MM-DD``, made on demand). The content is encrypted in the vault in parts of a
    bounded size (``vault_names``, in order), so that writing and downloading never hold
    the whole file in memory. ``rows`` counts the records (the header not included),
    ``size`` the plain bytes."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="cdr_files"
    )
    kind = models.CharField(max_length=5, choices=CdrFileKind.choices)
    period = models.CharField(max_length=10)
    month = models.CharField(max_length=7)  # YYYY-MM, of a day file too (the sweep's key)
    rows = models.PositiveIntegerField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    vault_names = models.JSONField(default=list)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["company", "period"], name="cdr_file_one_per_period")
        ]
        indexes = [models.Index(fields=["month"], name="cdr_file_month")]

    def __str__(self) -> str:
        return f"CDR {self.period} of company {self.company_id} ({self.rows} rows)"

    @property
    def filename(self) -> str:
        return f"cdr-{self.company_id}-{self.period}.csv"


class CdrGenerationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Generating"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class CdrGeneration(models.Model):
    """ "Generate current month" of a company: who asked when, and how far it got. One row
    per company and month; asking again sets it back to queued. The row is the truth; the
    task is a nudge, and the accounting sweep nudges again a generation whose nudge was
    lost or whose worker died (``nudged_at``)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)
    status = models.CharField(
        max_length=8, choices=CdrGenerationStatus.choices, default=CdrGenerationStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    nudged_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    days_done = models.PositiveSmallIntegerField(default=0)
    files_made = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "month"], name="cdr_generation_one")
        ]

    def __str__(self) -> str:
        return f"CDR generation {self.month} of company {self.company_id}: {self.status}"


class CdrMonthClosed(models.Model):
    """A month whose files have been made for every company (the periodic job's mark, so
    that it does the work once)."""

    month = models.CharField(max_length=7, unique=True)
    closed_at = models.DateTimeField()
    files_made = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"CDR month {self.month} closed"
