"""The first-time-right checks of a stored request: the validator's input built from the
request, its signed LOA, its bill and CSR facts, and the platform's numbers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from faxline.numbers.choices import IN_INVENTORY
from faxline.numbers.models import FaxNumber
from faxline.porting.choices import OPEN, DocumentKind, FactsState
from faxline.porting.models import LoaSignature, PortDocument, PortNumber, PortRequest
from faxline.porting.validation.codes import Finding
from faxline.porting.validation.context import ValidationContext
from faxline.porting.validation.engine import parse_request, validate

# The request data an LOA states; changing any of it after signing needs a new signature.
LOA_FIELDS = (
    "business_name",
    "authorized_name",
    "authorized_title",
    "btn",
    "new_btn",
    "losing_carrier",
    "account_number",
    "pin",
    "street",
    "unit",
    "city",
    "state",
    "postal_code",
    "country",
    "port_type",
)


def loa_fingerprint(request: PortRequest) -> str:
    """SHA-256 of what the LOA states: its fields and the numbers."""
    data: dict[str, object] = {name: str(getattr(request, name) or "") for name in LOA_FIELDS}
    data["numbers"] = sorted(request.numbers.values_list("number", flat=True))
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def current_signature(request: PortRequest) -> LoaSignature | None:
    """The latest completed signature of the request's LOA."""
    return (
        LoaSignature.objects.filter(request=request, signed_at__isnull=False)
        .order_by("-signed_at", "-id")
        .first()
    )


def loa_signed_for(request: PortRequest) -> bool:
    """True when the LOA was signed for the request's current data."""
    signature = current_signature(request)
    return signature is not None and signature.data_sha256 == loa_fingerprint(request)


def _address(request: PortRequest) -> dict[str, str]:
    return {
        "street": request.street,
        "unit": request.unit,
        "city": request.city,
        "state": request.state,
        "postal_code": request.postal_code,
        "country": request.country,
    }


def latest_document(request: PortRequest, kind: str) -> PortDocument | None:
    return (
        PortDocument.objects.filter(request=request, kind=kind, superseded=False)
        .order_by("-uploaded_at", "-id")
        .first()
    )


READ_KEYS = ("account_name", "btn", "account_number", "statement_date")
TEXT_MAX = 300
READ_NAMES_MAX = 100
READ_FEATURES_MAX = 20


def read_input(document: PortDocument) -> dict[str, Any] | None:
    """What was read from ``document``'s file in the validator's shape (``bill.read``,
    ``csr.read``), or None when it was not read or what was read does not fit the shape
    (then nothing is said about it rather than a guess)."""
    from faxline.porting.files.reading import read_facts_of
    from faxline.porting.validation.request import LINE_FEATURES, PortReadIn

    facts = read_facts_of(document)
    if not facts:
        return None
    data: dict[str, Any] = {key: facts.get(key) for key in READ_KEYS}
    data["document_type"] = document.read_document_type or None
    data["service_address"] = facts.get("service_address") or None
    data["numbers"] = list(facts.get("numbers") or [])
    data["numbers_complete"] = "numbers" not in (facts.get("incomplete") or [])
    # The names and features as far as the shape takes them: a long name or a feature the
    # validator does not know is left out, not the whole reading.
    names = [n for n in facts.get("authorized_names") or [] if isinstance(n, str)]
    data["authorized_names"] = [n for n in names if len(n) <= TEXT_MAX][:READ_NAMES_MAX]
    features = [f for f in facts.get("line_features") or [] if f in LINE_FEATURES]
    data["line_features"] = list(dict.fromkeys(features))[:READ_FEATURES_MAX]
    try:
        return PortReadIn.model_validate(data).model_dump(mode="json")
    except PydanticValidationError:
        return None


def validation_input(request: PortRequest, *, as_of: date | None = None) -> dict[str, Any]:
    """The validator's JSON for a stored request (the shape of ``porting validate``)."""
    numbers = list(request.numbers.order_by("pk").values("number", "line_type"))
    signature = current_signature(request)
    loa = None
    if signature is not None and signature.data_sha256 == loa_fingerprint(request):
        assert signature.signed_at is not None
        loa = {
            "signer_name": signature.signer_name,
            "signed_on": timezone.localtime(signature.signed_at).date().isoformat(),
        }
    bill_doc = latest_document(request, DocumentKind.BILL)
    bill = None
    if bill_doc is not None and bill_doc.facts.get("statement_date"):
        bill = {
            "statement_date": bill_doc.facts["statement_date"],
            "account_name": bill_doc.facts.get("account_name") or request.business_name,
            "service_address": bill_doc.facts.get("service_address") or _address(request),
            "read": read_input(bill_doc),
        }
    csr_doc = latest_document(request, DocumentKind.CSR)
    csr = None
    if csr_doc is not None:
        # The record's account number is kept encrypted beside it (porting.files.services).
        from faxline.porting.files.services import csr_record

        csr = csr_record(csr_doc)
        if csr is not None:
            csr["read"] = read_input(csr_doc)
    # A bill or CSR uploaded without facts is used once a person confirms what it says.
    unconfirmed = [
        document.kind
        for document in (bill_doc, csr_doc)
        if document is not None and document.facts_state == FactsState.AWAITING
    ]
    return {
        "as_of": (as_of or timezone.localdate()).isoformat(),
        "numbers": numbers,
        "port_type": request.port_type,
        "btn": request.btn,
        "new_btn": request.new_btn or None,
        "losing_carrier": request.losing_carrier,
        "account_number": request.account_number,
        "pin": request.pin or None,
        "business_name": request.business_name,
        "authorized_person": {"name": request.authorized_name, "title": request.authorized_title},
        "service_address": _address(request),
        "loa": loa,
        "bill": bill,
        "csr": csr or None,
        "shared_line_uses": list(request.shared_line_uses or []),
        "unconfirmed": unconfirmed,
    }


@dataclass(frozen=True)
class PlatformContext(ValidationContext):
    """The platform's numbers as the validator's context: it asks the database only about
    the numbers of the request being validated (indexed lookups on the number), so the cost
    of a check does not grow with the platform. ``exclude_request_id``: the request being
    validated again, whose own numbers do not conflict with it."""

    exclude_request_id: int | None = None

    def numbers_in_service(self, numbers: Collection[str]) -> set[str]:
        return set(
            FaxNumber.objects.filter(number__in=list(numbers), status__in=IN_INVENTORY)
            .order_by()
            .values_list("number", flat=True)
        )

    def numbers_in_open_requests(self, numbers: Collection[str]) -> set[str]:
        others = PortNumber.objects.filter(number__in=list(numbers), request__status__in=OPEN)
        if self.exclude_request_id is not None:
            others = others.exclude(request_id=self.exclude_request_id)
        return set(others.order_by().values_list("number", flat=True).distinct())


def context_for(request: PortRequest | None) -> ValidationContext:
    """The context of ``request`` (None: a request not stored yet): the other open requests
    and the numbers in service on this platform, asked about its numbers only."""
    return PlatformContext(exclude_request_id=request.pk if request is not None else None)


def findings_of(request: PortRequest, *, as_of: date | None = None) -> list[Finding]:
    """Every finding of the stored request, as the customer and the porting team see them."""
    parsed = parse_request(validation_input(request, as_of=as_of))
    return validate(parsed, context=context_for(request))


def platform_context() -> ValidationContext:
    """The context of the CLI and the API: every open request's numbers and the numbers in
    service here. Without a database (a checkout that was never migrated) it is empty."""
    from django.db import DatabaseError

    try:
        FaxNumber.objects.exists()
        PortNumber.objects.exists()
    except DatabaseError:
        from faxline.porting.validation.context import default_context

        return default_context()
    return context_for(None)
