"""Helpers of the porting tests: a valid request and its signed LOA and bill on file."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.porting.choices import DocumentKind
from faxline.porting.models import LoaSignature, PortDocument, PortRequest
from faxline.porting.requests.services import port_request_create
from faxline.porting.validation.checks import loa_fingerprint


def request_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "contact_first_name": "Carol",
        "contact_last_name": "Chief",
        "contact_email": "carol@acme.example",
        "contact_phone": "+1 206 555 0100",
        "numbers": [{"number": "+12062345678", "line_type": "landline"}],
        "port_type": "full",
        "btn": "+12062345678",
        "losing_carrier": "Old Telco",
        "account_number": "ACCT-998877",
        "business_name": "Acme Corp",
        "authorized_name": "Carol Chief",
        "authorized_title": "CEO",
        "street": "1313 Mockingbird Lane",
        "unit": "Suite 15",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
        "country": "US",
    }
    data.update(changes)
    return data


def _document(request: PortRequest, kind: str, facts: dict[str, Any]) -> PortDocument:
    return PortDocument.objects.create(
        request=request,
        kind=kind,
        vault_name="vault/test/none.bin",
        filename=f"{kind}.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        facts=facts,
    )


def add_bill(request: PortRequest, statement_date: date | None = None) -> PortDocument:
    return _document(
        request,
        DocumentKind.BILL,
        {"statement_date": (statement_date or timezone.localdate()).isoformat()},
    )


def sign_loa(request: PortRequest, signer: str | None = None) -> LoaSignature:
    """A completed signature for the request's current data (what porting.loa records)."""
    unsigned = _document(request, DocumentKind.LOA, {})
    return LoaSignature.objects.create(
        request=request,
        unsigned_document=unsigned,
        signer_name=signer or request.authorized_name,
        signature_kind="typed",
        consent_text="I authorize.",
        data_sha256=loa_fingerprint(request),
        signed_at=timezone.now(),
    )


def ready_request(actor: Actor, company: Company, **changes: Any) -> PortRequest:
    request = port_request_create(actor=actor, company=company, data=request_data(**changes))
    add_bill(request)
    sign_loa(request)
    return request
