"""Faxing: fax credits (plans and the ledger). Jobs and messages join in the fax engine."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CreditPlan(models.Model):
    """A plan's monthly allotment of fax credits and what a page costs.

    A page within North America costs ``domestic_page_credits``; an international page costs
    ``international_page_credits`` (more).
    """

    name = models.CharField(max_length=100, unique=True)
    monthly_credits = models.PositiveIntegerField(default=500)
    domestic_page_credits = models.PositiveSmallIntegerField(default=1)
    international_page_credits = models.PositiveSmallIntegerField(default=5)

    def __str__(self) -> str:
        return self.name


class CreditAccount(models.Model):
    """A company's subscription to a credit plan."""

    company = models.OneToOneField(
        "accounts.Company", on_delete=models.CASCADE, related_name="credit_account"
    )
    plan = models.ForeignKey(CreditPlan, on_delete=models.PROTECT, related_name="accounts")

    def __str__(self) -> str:
        return f"{self.company} on {self.plan}"


class CreditEntryKind(models.TextChoices):
    ALLOTMENT = "allotment", "Monthly allotment"
    OUTBOUND = "outbound", "Pages sent"
    INBOUND = "inbound", "Pages received"
    ADJUSTMENT = "adjustment", "Adjustment"


class CreditEntry(models.Model):
    """One line of a company's credit ledger. ``credits`` is signed: allotments add,
    pages sent and received subtract. Balances are sums over the current month."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="credit_entries"
    )
    period = models.CharField(max_length=7)  # YYYY-MM
    kind = models.CharField(max_length=12, choices=CreditEntryKind.choices)
    pages = models.PositiveIntegerField(default=0)
    international = models.BooleanField(default=False)
    credits = models.IntegerField()
    reference = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "period"])]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "period"],
                condition=models.Q(kind="allotment"),
                name="one_allotment_per_month",
            ),
            models.UniqueConstraint(
                fields=["company", "kind", "reference"],
                condition=~models.Q(reference=""),
                name="one_charge_per_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.kind} {self.credits:+d}"


class SandboxRemoteFax(models.Model):
    """SANDBOX PSTN: a fax that a simulated remote fax machine received.

    Calls to numbers that are neither on this platform nor test numbers reach a simulated
    fax machine (``faxline.telephony.sandbox``); what it received is kept here so that the
    provider's operators can look at it and tests can read the pages back. The image is
    encrypted in the vault (``vault_name``) with the SHA-256 of its plain content; ``result``
    is the answering machine's T.30 result (completion code and text, pages, bit rate,
    resolution, ECM, bad rows...).
    """

    to_number = models.CharField(max_length=16)
    from_number = models.CharField(max_length=16)
    received_at = models.DateTimeField()
    pages = models.PositiveIntegerField()
    remote_ident = models.CharField(max_length=40, blank=True)
    completion_code = models.IntegerField()
    vault_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="sandbox_fax_received"),
            models.Index(fields=["to_number"], name="sandbox_fax_to"),
        ]

    def __str__(self) -> str:
        return f"{self.from_number} → {self.to_number}, {self.pages} pages"


class FaxImageFile(models.Model):
    """A converted fax image (TIFF-F), stored once in the vault and known by its SHA-256.

    Conversion is a service any caller uses (``faxline.faxing.images``); two jobs that send
    the same document share one row and one vault file. The bytes are encrypted at rest
    (``faxline.core.vault``)."""

    sha256 = models.CharField(max_length=64, unique=True)
    vault_name = models.CharField(max_length=200)
    pages = models.PositiveIntegerField()
    resolution = models.CharField(max_length=10)  # faxline.documents.faximage.Resolution
    compression = models.CharField(max_length=10)  # faxline.documents.faximage.Compression
    size = models.PositiveIntegerField()
    source_kind = models.CharField(max_length=10, blank=True)
    discouraged = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.pages} pages, {self.resolution})"


class FaxJobStatus(models.TextChoices):
    """An outbound job's status, as the API shows it (HylaFAX's pending/sleeping/blocked are
    ``queued`` or ``retrying`` with a due time; "blocked" is a due job whose destination is
    being called by another job)."""

    QUEUED = "queued", "Queued"
    IN_PROGRESS = "in_progress", "In progress"
    RETRYING = "retrying", "Retrying"
    SUCCESS = "success", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class FaxJobSource(models.TextChoices):
    """How a job was submitted: the portal's Send Fax, the REST API, or an email to the SMTP
    gateway (whose sender is told by the Email to Fax notifications)."""

    PORTAL = "portal", "Portal"
    API = "api", "API"
    EMAIL = "email", "Email"


FAX_JOB_OPEN = (FaxJobStatus.QUEUED, FaxJobStatus.IN_PROGRESS, FaxJobStatus.RETRYING)
FAX_JOB_DONE = (FaxJobStatus.SUCCESS, FaxJobStatus.FAILED, FaxJobStatus.CANCELLED)


class FaxJob(models.Model):
    """One outbound fax to one recipient (a send to three numbers is three jobs).

    ``status`` has one owner, ``faxline.faxing.jobs.state`` (every change leaves a
    :class:`FaxJobEvent`). ``identifier`` is what people read ("501-26438917"), random and
    unique; ``next_attempt_at`` is when the dispatcher may call next (``send_at`` at first);
    ``kill_at`` the time after which the job fails as "Job Cancelled". ``error`` is the
    guide's name of the last failure, ``error_code`` its raw T.30 completion code (None when
    the network or what was heard decided), ``error_cause`` the transport's short cause.
    ``dials`` counts calls placed, ``tries`` calls that reached a fax machine (HylaFAX's
    MaxDials and MaxTries). Credits are reserved at acceptance (``credits_charged``) and
    given back when the job fails or is cancelled.
    """

    identifier = models.CharField(max_length=20, unique=True)
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="fax_jobs"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="fax_jobs"
    )
    # The sender's department when the job was accepted (None: the company level): what
    # Activity filters by and a department administrator's subtree is made of, and what the
    # Call Detail Records and the traffic tallies count the job under. Kept as it was.
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_number = models.CharField(max_length=16)
    to_number = models.CharField(max_length=16)
    international = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=FaxJobStatus.choices, default=FaxJobStatus.QUEUED
    )
    error = models.CharField(max_length=40, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    error_cause = models.CharField(max_length=40, blank=True)
    will_retry = models.BooleanField(default=False)
    pages = models.PositiveIntegerField()
    image = models.ForeignKey(FaxImageFile, on_delete=models.PROTECT, related_name="jobs")
    cover = models.BooleanField(default=False)
    header = models.BooleanField(default=True)
    send_at = models.DateTimeField()
    kill_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    dials = models.PositiveIntegerField(default=0)
    tries = models.PositiveIntegerField(default=0)
    credits_charged = models.IntegerField(default=0)
    resent_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends"
    )
    source = models.CharField(max_length=8, choices=FaxJobSource.choices, default=FaxJobSource.API)
    # Email to fax: the address the submission came from, told of the job's outcome (the
    # Email to Fax Delivery Notification); empty for the portal and the API.
    reply_to = models.EmailField(max_length=254, blank=True)
    # The name of the sender's first file ("invoice.pdf"; empty: a cover page only, or a
    # resend of a job that had none): the Archive tab's "Original File Name".
    document_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # When the first call was placed (the Average Time-to-First-Dial report).
    first_dial_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="fax_job_due"),
            # Outbound Activity (bench/activity.py, bench/results/activity-plans.md): newest
            # first within a date range, in the exact order of the list (the id breaks
            # ties), for the company and for each filter that would otherwise scan every
            # job of the range (a rare recipient, an open status, a small department).
            models.Index(fields=["company", "-created_at", "-id"], name="fax_job_company"),
            models.Index(fields=["sender", "-created_at", "-id"], name="fax_job_sender"),
            models.Index(
                fields=["company", "to_number", "-created_at", "-id"], name="fax_job_recipient"
            ),
            models.Index(fields=["company", "status", "-created_at", "-id"], name="fax_job_status"),
            models.Index(fields=["department", "-created_at", "-id"], name="fax_job_department"),
        ]
        constraints = [
            # One call at a time per destination, whatever the number of dispatchers.
            models.UniqueConstraint(
                fields=["to_number"],
                condition=models.Q(status="in_progress"),
                name="fax_job_one_call_per_destination",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} → {self.to_number} ({self.status})"


class FaxAttempt(models.Model):
    """One call of a job: who placed it (``lease_owner``, until ``lease_expires_at``,
    renewed while the call lasts), what happened (the call's progress, T.30 statistics,
    completion code and text, the remote CSI) and the outcome's name. An attempt with no
    ``ended_at`` whose lease expired belongs to a dispatcher that died: it is closed as
    interrupted and the job is tried again."""

    job = models.ForeignKey(FaxJob, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=80)
    lease_expires_at = models.DateTimeField()
    outcome = models.CharField(max_length=40, blank=True)
    cause = models.CharField(max_length=40, blank=True)
    retry = models.CharField(max_length=8, blank=True)
    connected = models.BooleanField(default=False)
    # How the call went: the SIP trunk that carried it (empty: the sandbox PSTN), its media
    # ("audio", "t38"; empty when nothing answered) and whether it went in G.711 because of a
    # learned T.38 fallback or a refused switch to T.38.
    # Which SIP trunk carried the call, in what media, and whether it fell back from T.38
    # (empty for the sandbox). Database defaults too: bulk loaders write attempts in SQL.
    trunk = models.CharField(max_length=100, blank=True, default="", db_default="")
    media = models.CharField(max_length=8, blank=True, default="", db_default="")
    t38_fallback = models.BooleanField(default=False, db_default=False)
    completion_code = models.IntegerField(null=True, blank=True)
    completion_text = models.CharField(max_length=200, blank=True)
    remote_csi = models.CharField(max_length=40, blank=True)
    pages_sent = models.PositiveIntegerField(default=0)
    duration_seconds = models.FloatField(default=0.0)
    progress = models.JSONField(default=list)
    statistics = models.JSONField(default=dict)
    # The image exactly as transmitted (header line stamped), kept for the delivery receipt
    # of a successful attempt.
    sent_image = models.ForeignKey(
        FaxImageFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="fax_attempt_number"),
        ]
        indexes = [models.Index(fields=["ended_at", "lease_expires_at"], name="fax_attempt_lease")]

    def __str__(self) -> str:
        return f"{self.job_id} #{self.number} {self.outcome or 'running'}"


class FaxJobEvent(models.Model):
    """A change of a job's status: from, to, why (``kind``), when, by whom (None: faxline)."""

    job = models.ForeignKey(FaxJob, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.from_status or '-'} → {self.to_status} ({self.kind})"


# Inbound faxes and archive copies live in their own modules; imported here so that Django
# finds them.
from faxline.faxing.archive.models import ArchiveCopy  # noqa: E402
from faxline.faxing.inbound.models import (  # noqa: E402
    BulkResubmit,
    BulkResubmitItem,
    InboundEvent,
    InboundFax,
    InboundSettings,
)
from faxline.faxing.tally.models import (  # noqa: E402
    DailyArea,
    DailyDestination,
    DailyError,
    DailyRemote,
    DailyTraffic,
    MonthlyRemote,
)
from faxline.faxing.trunks.models import (  # noqa: E402
    DestinationMediaRule,
    SipTrunk,
    T38Fallback,
)

__all__ = [
    "ArchiveCopy",
    "BulkResubmit",
    "BulkResubmitItem",
    "CreditAccount",
    "CreditEntry",
    "CreditEntryKind",
    "CreditPlan",
    "DailyArea",
    "DailyDestination",
    "DailyError",
    "DailyRemote",
    "DailyTraffic",
    "DestinationMediaRule",
    "InboundEvent",
    "InboundFax",
    "InboundSettings",
    "MonthlyRemote",
    "SandboxRemoteFax",
    "SipTrunk",
    "T38Fallback",
]
