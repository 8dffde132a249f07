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


# Inbound faxes live in their own module; imported here so that Django finds them.
from faxline.faxing.inbound.models import (  # noqa: E402
    InboundEvent,
    InboundFax,
    InboundSettings,
)

__all__ = [
    "CreditAccount",
    "CreditEntry",
    "CreditEntryKind",
    "CreditPlan",
    "InboundEvent",
    "InboundFax",
    "InboundSettings",
    "SandboxRemoteFax",
]
