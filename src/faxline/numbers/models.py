"""Fax numbers: the provider's stock and each company's inventory."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from faxline.numbers.choices import NumberSource, NumberStatus


class FaxNumber(models.Model):
    """One telephone number (E.164). It belongs to at most one company and one user.

    Every change of its status, company or user goes through ``numbers.services`` with a
    compare-and-set update and leaves an audit event.
    """

    number = models.CharField(max_length=16, unique=True)
    country = models.CharField(max_length=2)
    area_code = models.CharField(max_length=3)
    carrier = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=NumberSource.choices)
    status = models.CharField(
        max_length=12, choices=NumberStatus.choices, default=NumberStatus.AVAILABLE
    )
    company = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fax_numbers",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fax_numbers",
    )
    is_temporary = models.BooleanField(default=False)
    # Faxes of its user go out from it (seed 002 "Use for outbound"); one per user at most.
    outbound = models.BooleanField(default=False)
    aging_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        indexes = [
            models.Index(fields=["company", "status"]),
            models.Index(fields=["status", "area_code"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) | models.Q(company__isnull=False),
                name="number_user_needs_company",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="available") | models.Q(company__isnull=True),
                name="number_available_has_no_company",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(outbound=True),
                name="number_one_outbound_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.number
