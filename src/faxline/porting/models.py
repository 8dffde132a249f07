"""The porting desk: port requests, their numbers, documents, notes, e-signatures,
change requests, resubmission fees, snap-backs and the event timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from faxline.core.crypto import EncryptedTextField, mask, mask_secret
from faxline.porting.choices import (
    READ_KINDS,
    ChangeStatus,
    DocumentKind,
    FactsState,
    LineType,
    LinkDirection,
    NoteVisibility,
    NumberStatus,
    PortStatus,
    PortType,
    ReadStatus,
    RejectionCode,
)


class ServiceAddress(models.Model):
    """A service address a company has used before ("Choose Existing Address")."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="service_addresses"
    )
    street = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=10)
    country = models.CharField(max_length=2, default="US")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["street", "city"]

    def __str__(self) -> str:
        unit = f", {self.unit}" if self.unit else ""
        return f"{self.street}{unit}, {self.city}, {self.state} {self.postal_code}"


class PortRequest(models.Model):
    """A request to port numbers from a losing carrier into the company's inventory.

    The status changes only through ``porting.services`` (one service per transition, with
    its guard, a compare-and-set on ``status`` and a ``PortEvent``). Numbers of one request
    share losing carrier, BTN, service address and authorized person.
    """

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="port_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=PortStatus.choices, default="draft")
    status_changed_at = models.DateTimeField(auto_now_add=True)
    # Contact Information (the guide's first step).
    contact_first_name = models.CharField(max_length=100)
    contact_last_name = models.CharField(max_length=100)
    contact_phone = models.CharField(max_length=30, blank=True)
    contact_email = models.EmailField(max_length=254)
    # What the losing carrier checks.
    country = models.CharField(max_length=2, default="US")
    port_type = models.CharField(max_length=8, choices=PortType.choices, default="full")
    btn = models.CharField(max_length=16)
    new_btn = models.CharField(max_length=16, blank=True)
    losing_carrier = models.CharField(max_length=100)
    account_number = EncryptedTextField()
    pin = EncryptedTextField(blank=True)
    business_name = models.CharField(max_length=200)
    authorized_name = models.CharField(max_length=200)
    authorized_title = models.CharField(max_length=100, blank=True)
    authorized_email = models.EmailField(max_length=254, blank=True)
    street = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=10)
    shared_line_uses = models.JSONField(default=list, blank=True)
    special_instructions = models.TextField(blank=True, max_length=2000)
    requested_date = models.DateField(null=True, blank=True)
    # The porting desk.
    carrier = models.CharField(max_length=20, default="manual")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_ports",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    eta = models.DateField(null=True, blank=True)
    foc_date = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    rejection_code = models.CharField(max_length=20, blank=True, choices=RejectionCode.choices)
    rejection_note = models.TextField(blank=True)
    fields_to_fix = models.JSONField(default=list, blank=True)
    action_required = models.BooleanField(default=False)
    resubmissions = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "status"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Port request {self.pk}"

    @property
    def tracking_id(self) -> int:
        return self.pk

    @property
    def pin_masked(self) -> str:
        return mask_secret(self.pin)

    @property
    def account_number_masked(self) -> str:
        return mask(self.account_number)

    @property
    def service_address_line(self) -> str:
        unit = f", {self.unit}" if self.unit else ""
        return f"{self.street}{unit}, {self.city}, {self.state} {self.postal_code}"


class PortNumber(models.Model):
    """One number of a request, with its own status; linked to a user on completion."""

    request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="numbers")
    number = models.CharField(max_length=16)
    line_type = models.CharField(max_length=10, choices=LineType.choices, default="landline")
    status = models.CharField(
        max_length=10, choices=NumberStatus.choices, default=NumberStatus.REQUESTED
    )
    link_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    link_direction = models.CharField(
        max_length=16, choices=LinkDirection.choices, default=LinkDirection.INBOUND
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="port_number_once")
        ]
        # Validation asks which open requests hold a number (porting.validation.checks).
        indexes = [models.Index(fields=["number"], name="port_number_number")]

    def __str__(self) -> str:
        return self.number


class PortDocument(models.Model):
    """A typed document of a request, each its own file, encrypted at rest (core.vault).

    ``facts`` holds what the customer read off the document for the first-time-right
    checks: a bill's statement date, account name and service address; a CSR's record.

    ``read_*`` is what faxline read from the file itself (``porting.files.reading``, a
    background task after the upload): ``read_facts`` has the keys of
    ``Extraction.as_json()["facts"]`` except that the account number is kept encrypted as
    ``account_number_encrypted`` (personal data, masked wherever shown); ``read_sources``
    says on which page and in which box each fact was read.
    """

    request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    vault_name = models.CharField(max_length=300)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    facts = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    superseded = models.BooleanField(default=False)
    read_status = models.CharField(
        max_length=12, choices=ReadStatus.choices, default=ReadStatus.PENDING
    )
    read_document_type = models.CharField(max_length=12, blank=True)
    read_facts = models.JSONField(default=dict, blank=True)
    read_sources = models.JSONField(default=dict, blank=True)
    read_ocr = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    read_error = models.CharField(max_length=500, blank=True)
    read_started_at = models.DateTimeField(null=True, blank=True)
    # The thumbnails of where each fact was read: one encrypted vault file (see
    # porting.files.snippets); empty when none were made.
    read_snippets = models.CharField(max_length=300, blank=True)
    # {fact: read | corrected | typed} for the facts confirmed or typed (FactOrigin).
    fact_origins = models.JSONField(default=dict, blank=True)
    facts_confirmed_at = models.DateTimeField(null=True, blank=True)
    facts_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["read_status", "uploaded_at"], name="port_doc_read_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"

    @property
    def facts_state(self) -> str:
        """For a bill or CSR: whether its facts were typed with the upload, confirmed after
        reading, or still await confirmation (``FactsState``); empty for other kinds."""
        if self.kind not in READ_KINDS:
            return ""
        if self.facts_confirmed_at is not None:
            return FactsState.CONFIRMED
        has_facts = bool(self.facts.get("statement_date") or self.facts.get("record"))
        return FactsState.TYPED if has_facts else FactsState.AWAITING


class LoaSignature(models.Model):
    """The e-signature of a request's LOA by the authorized person, with its audit trail.

    ``token_digest`` lets the authorized person sign from an emailed link without an
    account; the token itself is only in the email.
    """

    request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="signatures")
    unsigned_document = models.ForeignKey(PortDocument, on_delete=models.PROTECT, related_name="+")
    signed_document = models.ForeignKey(
        PortDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(max_length=200, blank=True)
    signer_title = models.CharField(max_length=100, blank=True)
    signer_email = models.EmailField(max_length=254, blank=True)
    signature_kind = models.CharField(max_length=10, blank=True)  # typed | drawn
    consent_text = models.TextField(blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    # SHA-256 of the request data the LOA states: a change afterwards needs a new signature.
    data_sha256 = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    token_digest = models.CharField(max_length=64, blank=True, db_index=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"LOA signature of request {self.request_id}"


class PortNote(models.Model):
    """A note on a request: customer ↔ porting team, or private to the porting team."""

    request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    from_porting_team = models.BooleanField(default=False)
    visibility = models.CharField(
        max_length=8, choices=NoteVisibility.choices, default=NoteVisibility.PUBLIC
    )
    body = models.TextField(max_length=5000)
    action_required = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on request {self.request_id}"


class PortEvent(models.Model):
    """One entry of a request's timeline: a transition or another change, with who and why."""

    request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    message = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on request {self.request_id}"


class ChangeRequest(models.Model):
    """A change asked for after submission; the porting team accepts or refuses it."""

    request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="changes")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = EncryptedTextField()  # JSON of field → new value (may hold a PIN)
    reason = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=ChangeStatus.choices, default="open")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Change request {self.pk} of request {self.request_id}"


class PortFee(models.Model):
    """A charge of the porting desk: a resubmission after a data rejection, a snap-back."""

    request = models.ForeignKey(PortRequest, on_delete=models.PROTECT, related_name="fees")
    kind = models.CharField(max_length=20)  # resubmission | snap_back
    amount_cents = models.PositiveIntegerField()
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    waived = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} ${self.amount_cents / 100:.2f} on request {self.request_id}"
