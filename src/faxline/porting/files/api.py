"""REST API of a port request's documents and its Letter of Authorization: the same
services as the Files tab (``porting.files.services``, ``porting.files.loa``).

Documents are served only to those who see the request (others get 404), always as an
attachment. The LOA is signed by the authorized person (``POST .../loa/sign``) or from the
emailed link (``POST .../loa/send``); ``GET .../loa/verify`` checks the signed PDF's seal.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from faxline.accounts.access import Actor
from faxline.accounts.api_auth import actor_of
from faxline.core.errors import ValidationFailed
from faxline.core.vault import vault_read
from faxline.documents.limits import MAX_DOCUMENT_BYTES
from faxline.porting.access import may_read_credentials, may_write_requests
from faxline.porting.choices import TERMINAL, DocumentKind
from faxline.porting.files import loa as loa_service
from faxline.porting.files.confirmation import port_document_confirm
from faxline.porting.files.reading import read_facts_shown
from faxline.porting.files.services import csr_account_number_masked, port_document_add
from faxline.porting.files.snippets import SNIPPET_FACTS, snippet_response
from faxline.porting.models import LoaSignature, PortDocument, PortRequest
from faxline.porting.requests import selectors

router = Router(tags=["Number Porting"])


# --- schemas ----------------------------------------------------------------------------


class DocumentOut(Schema):
    id: int
    kind: str
    kind_label: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str
    superseded: bool
    facts: dict[str, Any]
    read_status: str = Field(
        description="Whether faxline read the file's facts: pending, read, unreadable, or "
        "skipped (kinds other than bill and CSR)."
    )
    read_document_type: str | None = Field(
        description="What the file reads as: bill, csr, loa or other (null until read)."
    )
    read_facts: dict[str, Any] = Field(
        description="The facts read from the file (the keys of POST /porting/extract; the "
        "account number masked), and `incomplete`: the lists that may miss entries the "
        "reader could not make out; empty until read."
    )
    read_sources: dict[str, Any] = Field(
        description="Where each fact was read: its page and box (PDF points)."
    )
    read_ocr: bool
    read_error: str = Field(description="Why the file could not be read (unreadable).")
    read_started_at: datetime | None = Field(
        description="When reading began (null while the file waits for a worker)."
    )
    facts_state: str | None = Field(
        description="For a bill or CSR: typed (facts given with the upload), confirmed (a "
        "person confirmed them after reading: POST .../confirm) or awaiting (uploaded "
        "without facts: the checks use none of it until confirmed); null for other kinds."
    )
    fact_origins: dict[str, str] = Field(
        description="For each typed or confirmed fact: read (what the file says), "
        "corrected (the file says something else) or typed (nothing was read for it)."
    )
    facts_confirmed_at: datetime | None
    snippet_urls: dict[str, str] = Field(
        description="A PNG of where each fact was read on the page (no picture of the "
        "account number)."
    )
    download_url: str

    @staticmethod
    def of(actor: Actor, doc: PortDocument) -> DocumentOut:
        by = selectors.uploaded_by(actor, doc)
        return DocumentOut(
            id=doc.pk,
            kind=doc.kind,
            kind_label=doc.get_kind_display(),
            filename=doc.filename,
            content_type=doc.content_type,
            size=doc.size,
            sha256=doc.sha256,
            uploaded_at=doc.uploaded_at,
            uploaded_by=by,
            superseded=doc.superseded,
            facts=_public_facts(doc),
            read_status=doc.read_status,
            read_document_type=doc.read_document_type or None,
            read_facts=read_facts_shown(doc),
            read_sources=doc.read_sources or {},
            read_ocr=doc.read_ocr,
            read_error=doc.read_error,
            read_started_at=doc.read_started_at,
            facts_state=doc.facts_state or None,
            fact_origins=doc.fact_origins or {},
            facts_confirmed_at=doc.facts_confirmed_at,
            snippet_urls=_snippet_urls(doc),
            download_url=f"/api/v1/port-requests/{doc.request_id}/documents/{doc.pk}",
        )


class DocumentList(Schema):
    items: list[DocumentOut]
    count: int


class SignIn(Schema):
    signer_name: str = Field(max_length=200)
    signer_title: str = Field(default="", max_length=100)
    consent: bool = Field(description="true: the signer agrees to sign electronically")
    signature_kind: Literal["typed", "drawn"] = "typed"
    signature_image: str | None = Field(
        default=None,
        max_length=loa_service.MAX_SIGNATURE_URL_CHARS,
        description="For a drawn signature: a PNG data URL (data:image/png;base64,...)",
    )
    document_sha256: str | None = Field(
        default=None,
        max_length=64,
        description="SHA-256 of the unsigned LOA the signer reviewed (GET .../loa, header "
        "X-Document-SHA256); refused with 409 loa_changed when the request changed since",
    )


class SignatureOut(Schema):
    id: int
    signer_name: str
    signer_title: str
    signer_email: str
    signature_kind: str
    signed_at: datetime | None
    consent_text: str
    document_sha256: str
    data_sha256: str
    ip_address: str | None
    user_agent: str
    signed_document_id: int | None
    unsigned_document_id: int
    current: bool = Field(description="true while the request's LOA data is what was signed")

    @staticmethod
    def of(signature: LoaSignature, *, current: bool) -> SignatureOut:
        return SignatureOut(
            id=signature.pk,
            signer_name=signature.signer_name,
            signer_title=signature.signer_title,
            signer_email=signature.signer_email,
            signature_kind=signature.signature_kind,
            signed_at=signature.signed_at,
            consent_text=signature.consent_text,
            document_sha256=signature.document_sha256,
            data_sha256=signature.data_sha256,
            ip_address=signature.ip_address,
            user_agent=signature.user_agent,
            signed_document_id=signature.signed_document_id,
            unsigned_document_id=signature.unsigned_document_id,
            current=current,
        )


class SendIn(Schema):
    email: str | None = Field(
        default=None,
        max_length=254,
        description="Where to send the link; defaults to the request's authorized_email",
    )


class LinkOut(Schema):
    sent_to: str
    expires_at: datetime


class VerifyOut(Schema):
    status: Literal["intact", "modified", "untrusted", "unsigned"]
    intact: bool
    message: str
    signed_for_current_data: bool
    document_id: int | None
    signer_name: str | None
    signed_at: datetime | None
    certificate_subject: str
    certificate_sha256: str


# --- helpers ----------------------------------------------------------------------------


class ConfirmIn(Schema):
    facts: dict[str, Any] = Field(
        description="The document's facts as the person confirms them, with the keys of an "
        "upload: a bill's statement_date, account_name and service_address ({street, unit, "
        "city, state, postal_code}); a CSR's account_name, service_address, btn, "
        "account_number, authorized_names, numbers and line_features."
    )
    keep_read_account_number: bool = Field(
        default=True,
        description="A CSR confirmed without account_number keeps the one read from the "
        "file (it is never shown in full).",
    )


def _snippet_urls(doc: PortDocument) -> dict[str, str]:
    if not doc.read_snippets:
        return {}
    base = f"/api/v1/port-requests/{doc.request_id}/documents/{doc.pk}/snippets"
    sources = doc.read_sources or {}
    return {key: f"{base}/{key}" for key in SNIPPET_FACTS if sources.get(key)}


def _public_facts(doc: PortDocument) -> dict[str, Any]:
    """A document's facts as the API shows them: the CSR's account number masked."""
    facts = {k: v for k, v in (doc.facts or {}).items() if k != "account_number_encrypted"}
    if doc.kind == DocumentKind.CSR and isinstance(facts.get("record"), dict):
        record = dict(facts["record"])
        record["account_number"] = csr_account_number_masked(doc) or None
        facts["record"] = record
    return facts


def _port(request: HttpRequest, request_id: int) -> tuple[Actor, PortRequest]:
    actor = actor_of(request)
    return actor, selectors.port_request_get(actor=actor, request_id=request_id)


def _attachment(data: bytes, filename: str, content_type: str = "application/pdf") -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _may_write(actor: Actor) -> bool:
    return bool(may_write_requests(actor))


# --- documents --------------------------------------------------------------------------


@router.get(
    "/port-requests/{request_id}/documents",
    response=DocumentList,
    summary="A port request's documents",
)
def document_list(request: HttpRequest, request_id: int) -> DocumentList:
    """Newest first; superseded documents are listed with ``superseded: true``."""
    actor, port = _port(request, request_id)
    docs = list(selectors.documents_of(actor=actor, request=port).select_related("uploaded_by"))
    return DocumentList(items=[DocumentOut.of(actor, d) for d in docs], count=len(docs))


@router.post(
    "/port-requests/{request_id}/documents",
    response={201: DocumentOut},
    summary="Upload a document",
)
def document_upload(
    request: HttpRequest,
    request_id: int,
    kind: Form[str],
    file: File[UploadedFile | None] = None,
    statement_date: Form[str | None] = None,
    account_name: Form[str | None] = None,
    street: Form[str | None] = None,
    unit: Form[str | None] = None,
    city: Form[str | None] = None,
    state: Form[str | None] = None,
    postal_code: Form[str | None] = None,
    country: Form[str | None] = None,
    btn: Form[str | None] = None,
    account_number: Form[str | None] = None,
    authorized_names: Form[str | None] = None,
    numbers: Form[str | None] = None,
    line_features: Form[str | None] = None,
    description: Form[str | None] = None,
    facts: Form[str | None] = None,
) -> Status[DocumentOut]:
    """Multipart: ``kind`` (bill, csr or other) and ``file`` (PDF, PNG, JPEG or TIFF, at most
    10 MB, checked by content; images become PDFs).

    A bill or CSR may come alone: faxline reads its facts in the background
    (``read_status``, ``read_facts``, ``snippet_urls``) and they await a person's
    confirmation (``facts_state: awaiting``, then ``POST .../confirm``). Facts may instead
    be typed with the upload (``facts_state: typed``; still compared with what is read):

    - bill: ``statement_date`` (required when typing, YYYY-MM-DD), ``account_name`` and the
      service address (``street``, ``unit``, ``city``, ``state``, ``postal_code``);
    - csr: ``account_name`` and the service address (required), ``btn``, ``account_number``,
      ``authorized_names`` and ``numbers`` (one a line or comma-separated), ``line_features``
      (dsl, hunt_group, distinctive_ring, remote_call_forwarding, isdn);
    - other: ``description``.

    ``facts`` may instead carry the same as one JSON object (for a CSR, also the validator's
    ``{"record": {...}}``). The LOA is generated and signed, never uploaded.

    A refused file is a 422 naming ``file``, its ``code`` one of ``document_empty``,
    ``document_too_large``, ``document_type``, ``document_unreadable``,
    ``document_encrypted``, ``document_active_content`` (a PDF with scripts, launch
    actions or embedded files) and ``document_too_complex`` (over the time or memory a
    document may take to read); 503 ``intake_busy`` when too many are being checked."""
    actor, port = _port(request, request_id)
    if file is None:
        raise ValidationFailed("Attach the document as the multipart field 'file'.", field="file")
    if file.size and file.size > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(
            f"The file is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.", field="file"
        )
    given: dict[str, Any] = {}
    if facts:
        try:
            parsed = json.loads(facts)
        except ValueError as exc:
            raise ValidationFailed("facts must be a JSON object.", field="facts") from exc
        if not isinstance(parsed, dict):
            raise ValidationFailed("facts must be a JSON object.", field="facts")
        given.update(parsed)
    fields = {
        "statement_date": statement_date,
        "account_name": account_name,
        "street": street,
        "unit": unit,
        "city": city,
        "state": state,
        "postal_code": postal_code,
        "country": country,
        "btn": btn,
        "account_number": account_number,
        "authorized_names": authorized_names,
        "numbers": numbers,
        "line_features": line_features,
        "description": description,
    }
    given.update({k: v for k, v in fields.items() if v not in (None, "")})
    doc = port_document_add(
        actor=actor,
        request=port,
        kind=kind,
        filename=file.name or "",
        data=file.read(MAX_DOCUMENT_BYTES + 1),
        facts=given,
    )
    return Status(201, DocumentOut.of(actor, doc))


@router.get(
    "/port-requests/{request_id}/documents/{document_id}",
    summary="Download a document",
    response={200: None},
)
def document_download(request: HttpRequest, request_id: int, document_id: int) -> HttpResponse:
    """The document's content, as an attachment. The LOA and the signed LOA state the
    carrier account number and PIN: 403 ``credentials_withheld`` for read-only
    administrators and read-only operators."""
    actor, port = _port(request, request_id)
    doc = selectors.document_for_download(actor=actor, request=port, document_id=document_id)
    return _attachment(vault_read(doc.vault_name), doc.filename, doc.content_type)


@router.post(
    "/port-requests/{request_id}/documents/{document_id}/confirm",
    response=DocumentOut,
    summary="Confirm a bill's or CSR's facts",
)
def document_confirm(
    request: HttpRequest, request_id: int, document_id: int, payload: ConfirmIn
) -> DocumentOut:
    """Confirm (or correct) the facts of the request's current bill or CSR, starting from
    ``read_facts``. They are checked like an upload's (422 naming the field) and replace
    what was typed or confirmed before; ``fact_origins`` then says which were as read,
    corrected or typed. 409 ``document_being_read`` while the file is still being read,
    ``document_superseded`` when a newer one was uploaded, ``request_closed`` once the
    request is Completed or Cancelled."""
    actor, port = _port(request, request_id)
    doc = port_document_confirm(
        actor=actor,
        request=port,
        document_id=document_id,
        facts=payload.facts,
        keep_read_account_number=payload.keep_read_account_number,
    )
    return DocumentOut.of(actor, doc)


@router.get(
    "/port-requests/{request_id}/documents/{document_id}/snippets/{fact}",
    summary="Where a fact was read (PNG)",
    response={200: None},
)
def document_snippet(
    request: HttpRequest, request_id: int, document_id: int, fact: str
) -> HttpResponse:
    """A small greyscale PNG of the place on the page where ``fact`` was read (one of
    ``snippet_urls``); 404 when there is none."""
    actor, port = _port(request, request_id)
    return snippet_response(actor=actor, request=port, document_id=document_id, fact=fact)


# --- the LOA ----------------------------------------------------------------------------


@router.get(
    "/port-requests/{request_id}/loa",
    summary="The unsigned LOA (PDF)",
    response={200: None},
)
def loa_download(request: HttpRequest, request_id: int) -> HttpResponse:
    """The LOA of the request's current data, generated when needed (and stored, for those
    who may change the request). Header ``X-Document-SHA256``: what to send back as
    ``document_sha256`` when signing. It states the carrier account number and PIN in full:
    403 ``credentials_withheld`` for read-only administrators and read-only operators."""
    actor, port = _port(request, request_id)
    may_read_credentials(actor, port).check()
    doc = loa_service.loa_current(port)
    if doc is None and _may_write(actor) and port.status not in TERMINAL:
        doc = loa_service.loa_generate(actor=actor, request=port)
    filename = f"LOA-port-request-{port.pk}.pdf"
    if doc is None:
        response = _attachment(loa_service.loa_preview_pdf(actor=actor, request=port), filename)
    else:
        response = _attachment(vault_read(doc.vault_name), doc.filename)
        response["X-Document-SHA256"] = doc.sha256
        response["X-Document-Id"] = str(doc.pk)
    return response


@router.post(
    "/port-requests/{request_id}/loa/sign",
    response={201: SignatureOut},
    summary="Sign the LOA (the authorized person)",
)
def loa_sign(request: HttpRequest, request_id: int, payload: SignIn) -> Status[SignatureOut]:
    """The authorized person signs while authenticated as themselves: ``signer_name`` must be
    the request's authorized person (403 ``not_authorized_person`` otherwise: send the link
    instead), ``consent`` true. The signed PDF (the LOA plus a signature page with the audit
    trail, sealed with the platform's key) becomes the ``signed_loa`` document."""
    actor, port = _port(request, request_id)
    signature = loa_service.loa_sign(
        actor=actor,
        request=port,
        data=loa_service.SignatureInput(
            signer_name=payload.signer_name,
            signer_title=payload.signer_title,
            consent=payload.consent,
            signature_kind=payload.signature_kind,
            signature_image=payload.signature_image,
            document_sha256=payload.document_sha256,
        ),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    return Status(201, SignatureOut.of(signature, current=True))


@router.post(
    "/port-requests/{request_id}/loa/send",
    response={202: LinkOut},
    summary="Email the signing link",
)
def loa_send(request: HttpRequest, request_id: int, payload: SendIn) -> Status[LinkOut]:
    """Emails the authorized person a link to sign without an account: once, within 7 days,
    for the request's data at sending time."""
    actor, port = _port(request, request_id)
    sent = loa_service.loa_send_link(actor=actor, request=port, email=payload.email)
    return Status(202, LinkOut(sent_to=sent.email, expires_at=sent.expires_at))


@router.get(
    "/port-requests/{request_id}/loa/verify",
    response=VerifyOut,
    summary="Check the signed LOA's seal",
)
def loa_verify(request: HttpRequest, request_id: int) -> VerifyOut:
    """``intact``: the platform's seal covers the whole signed PDF, unchanged; ``modified``:
    it changed after signing; ``unsigned``: no signed LOA yet. ``signed_for_current_data``
    is false when the request changed after signing (a new signature is needed)."""
    _, port = _port(request, request_id)
    status = loa_service.loa_status(port)
    signature = status.signature
    if signature is None or signature.signed_document is None:
        return VerifyOut(
            status="unsigned",
            intact=False,
            message="The LOA is not signed yet.",
            signed_for_current_data=False,
            document_id=None,
            signer_name=None,
            signed_at=None,
            certificate_subject="",
            certificate_sha256="",
        )
    result = loa_service.loa_verify(signature.signed_document)
    return VerifyOut(
        status=result.status,  # type: ignore[arg-type]
        intact=result.intact,
        message=result.message,
        signed_for_current_data=status.signed,
        document_id=signature.signed_document_id,
        signer_name=signature.signer_name,
        signed_at=signature.signed_at,
        certificate_subject=result.certificate_subject,
        certificate_sha256=result.certificate_sha256,
    )


__all__ = ["router"]
