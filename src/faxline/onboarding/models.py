"""Onboarding orders: the first sign-in decision, document gathering and the final order."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from faxline.core.crypto import EncryptedTextField, mask_secret
from faxline.onboarding.choices import (
    Activation,
    Decision,
    DocumentKind,
    NativeFaxType,
    NumberUse,
    OrderStatus,
)


class OnboardingOrder(models.Model):
    """The onboarding of one client company (one order per company).

    Created by an operator or the company's channel partner (seed 001), or by the company's
    first sign-in (seed 000, which records ``decision``). It gathers documents, carries the
    final order's fields and is completed once every required item is in. Checklists
    (documents, account configuration, FOC-day readiness) are computed by
    ``onboarding.selectors``, never stored.
    """

    company = models.OneToOneField(
        "accounts.Company", on_delete=models.CASCADE, related_name="onboarding_order"
    )
    channel_partner = models.ForeignKey(
        "accounts.ChannelPartner",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="onboarding_orders",
    )
    status = models.CharField(
        max_length=12, choices=OrderStatus.choices, default=OrderStatus.GATHERING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # First sign-in (seed 000): asked once.
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Document gathering: fields (the uploads are OnboardingDocument rows).
    billing_contact_name = models.CharField(max_length=200, blank=True)
    billing_contact_email = models.EmailField(max_length=254, blank=True)
    tax_exempt = models.BooleanField(null=True, blank=True)

    # The final order (seed 001, the fields that make sense for a fax service).
    domain = models.CharField(max_length=253, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    activation = models.CharField(max_length=8, choices=Activation.choices, blank=True, default="")
    temporary_numbers = models.PositiveSmallIntegerField(default=0)
    area_code = models.CharField(max_length=3, blank=True)
    port_date = models.DateField(null=True, blank=True)
    current_carrier = models.CharField(max_length=100, blank=True)
    # The account PIN / passcode at the losing carrier: a credential, encrypted at rest.
    pin = EncryptedTextField(blank=True, default="")
    authorized_user_name = models.CharField(max_length=200, blank=True)
    authorized_user_title = models.CharField(max_length=100, blank=True)
    main_caller_id = models.CharField(max_length=16, blank=True)
    e911_number = models.CharField(max_length=16, blank=True)
    e911_address = models.CharField(max_length=300, blank=True)
    native_fax_type = models.CharField(
        max_length=12, choices=NativeFaxType.choices, blank=True, default=""
    )
    native_fax_number = models.CharField(max_length=16, blank=True)

    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The porting desk takes the porting intent over once (port request created).
    port_intent_claimed_at = models.DateTimeField(null=True, blank=True)
    port_request_ref = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Onboarding of {self.company}"

    @property
    def pin_masked(self) -> str:
        """The PIN as pages and the API show it: four bullets, nothing of the PIN itself
        (not even its length)."""
        return mask_secret(self.pin)

    @property
    def is_complete(self) -> bool:
        return self.status == OrderStatus.COMPLETE


class OnboardingDocument(models.Model):
    """An uploaded document of the gathering checklist, encrypted in the vault.

    The latest upload of a kind is the one that counts; earlier ones stay as history.
    """

    order = models.ForeignKey(OnboardingOrder, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    vault_name = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField(default=1)
    # The phone bill's statement date (it must be within the last 30 days when uploaded).
    statement_date = models.DateField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["order", "kind", "-uploaded_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class OnboardingPortNumber(models.Model):
    """A number on the client's current carrier account: to be ported or staying behind.

    ``port`` False lists a number that is not to be ported (a partial port). ``user`` is
    who receives faxes on it once ported (its routing, checked on FOC day).
    """

    order = models.ForeignKey(
        OnboardingOrder, on_delete=models.CASCADE, related_name="port_numbers"
    )
    number = models.CharField(max_length=16)
    use = models.CharField(max_length=5, choices=NumberUse.choices, default=NumberUse.FAX)
    port = models.BooleanField(default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint("order", "number", name="port_number_once_per_order"),
        ]

    def __str__(self) -> str:
        return self.number
