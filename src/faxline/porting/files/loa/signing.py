"""Signing the LOA: the authorized person's consent, typed name and signature (typed, or
drawn on the signature pad), recorded with the time, IP address and user agent and the
SHA-256 of the unsigned LOA.

The signed PDF is the LOA plus a final signature page carrying that audit trail, sealed with
the platform's key (:mod:`faxline.documents.sealing`: no change allowed afterwards) and
stored as the ``signed_loa`` document; the ``LoaSignature`` row keeps the same trail and
``data_sha256``: a change of the request's LOA data afterwards needs a new signature.
:func:`loa_verify` checks a stored signed LOA: intact, modified, or sealed by another key.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.validation import clean_text
from faxline.core.errors import Conflict, Forbidden, ValidationFailed
from faxline.core.vault import vault_read
from faxline.documents.keys import certificate_summary
from faxline.documents.pdf import join_pdfs, page_count
from faxline.documents.sandbox import JobOverrun, run_job
from faxline.documents.sealing import VerificationResult, seal_pdf, verify_pdf
from faxline.porting.access import loa_open, may_sign_loa
from faxline.porting.choices import DocumentKind
from faxline.porting.files.loa.content import consent_text
from faxline.porting.files.loa.rendering import SignatureTrail, render_signature_page
from faxline.porting.files.loa.unsigned import loa_current, loa_ensure
from faxline.porting.files.services import store_document, vault_rollback
from faxline.porting.models import LoaSignature, PortDocument, PortEvent, PortRequest
from faxline.porting.requests.services import record_event
from faxline.porting.validation.checks import loa_fingerprint
from faxline.porting.validation.normalize import same_person

# A drawn signature: a PNG data URL from the signature pad.
MAX_SIGNATURE_URL_CHARS = 400_000
MAX_SIGNATURE_PIXELS = 4_000_000
MIN_INK_PIXELS = 40
SIGNATURE_KINDS = ("typed", "drawn")


def clean_signature_image(data_url: Any) -> bytes:
    """A drawn signature from the signature pad: a PNG data URL, size-limited and decoded
    in the documents sandbox (never inside a transaction); returns a normalized PNG (ink on
    white, cropped to the strokes)."""
    field_name = "signature_image"
    if not isinstance(data_url, str) or not data_url.strip():
        raise ValidationFailed("Draw your signature in the box.", field=field_name)
    if len(data_url) > MAX_SIGNATURE_URL_CHARS:
        raise ValidationFailed(
            "The drawn signature is too large: clear the box and sign again.", field=field_name
        )
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise ValidationFailed(
            "The drawn signature must be a PNG image (data:image/png;base64,...).",
            field=field_name,
        )
    unreadable = ValidationFailed(
        "The drawn signature could not be read: clear the box and sign again.", field=field_name
    )
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise unreadable from exc
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationFailed("The drawn signature is not a PNG image.", field=field_name)
    try:
        result = run_job(
            "images.ink",
            raw,
            {"max_pixels": MAX_SIGNATURE_PIXELS, "min_ink": MIN_INK_PIXELS, "padding": 6},
            max_payload=len(raw) * 4 + 1024 * 1024,
            field_name=field_name,
        )
    except ValidationFailed as exc:
        if exc.code == "ink_empty":
            raise ValidationFailed(
                "The signature box is empty: draw your signature, or choose a typed signature.",
                field=field_name,
            ) from exc
        raise unreadable from exc
    except JobOverrun as exc:
        raise unreadable from exc
    return result.payload


@dataclass(frozen=True)
class SignatureInput:
    """What the signer submits (the portal form, the API, the emailed link)."""

    signer_name: str
    signer_title: str = ""
    consent: bool = False
    signature_kind: str = "typed"
    signature_image: str | None = None
    document_sha256: str | None = None
    # Filled by decode_signature() before the transaction: the drawn signature decoded
    # and cleaned, or why it could not be (raised in its turn among the other checks).
    signature_png: bytes | None = None
    signature_error: ValidationFailed | None = None


def decode_signature(data: SignatureInput) -> SignatureInput:
    """Decode a drawn signature in the documents sandbox, before any transaction (the
    signing services call this first). A refusal is kept and raised by the checks in
    their usual order."""
    if data.signature_kind != "drawn" or data.signature_png is not None:
        return data
    try:
        return replace(data, signature_png=clean_signature_image(data.signature_image))
    except ValidationFailed as exc:
        return replace(data, signature_error=exc)


def _check_input(
    request: PortRequest, data: SignatureInput, *, by_link: bool
) -> tuple[str, str, bytes | None]:
    name = clean_text(data.signer_name, field="signer_name", max_length=200)
    if not name:
        raise ValidationFailed("Type your full name to sign.", field="signer_name")
    title = clean_text(data.signer_title, field="signer_title", max_length=100)
    if not data.consent:
        raise ValidationFailed(
            "Tick the consent box: it is how you agree to sign electronically.", field="consent"
        )
    if data.signature_kind not in SIGNATURE_KINDS:
        raise ValidationFailed("signature_kind must be typed or drawn.", field="signature_kind")
    if not same_person(name, request.authorized_name):
        if by_link:
            message = (
                f"Only {request.authorized_name}, the authorized person on the account, can "
                f"sign this LOA: type the name exactly as the carrier has it on file."
            )
        else:
            message = (
                f"Only the authorized person on the account, {request.authorized_name}, can "
                f"sign this LOA. If that is not you, send the signing link to "
                f"{request.authorized_name} instead."
            )
        raise Forbidden(message, code="not_authorized_person", field="signer_name")
    image = None
    if data.signature_kind == "drawn":
        if data.signature_error is not None:
            raise data.signature_error
        if data.signature_png is None:
            raise RuntimeError("decode_signature() must decode a drawn signature first")
        image = data.signature_png
    return name, title or request.authorized_title, image


LOA_CHANGED = "The request changed since the LOA was opened: review the new LOA and sign again."


@dataclass(frozen=True)
class PreparedSignature:
    """A signature ready to record: the signer's checked input, the unsigned LOA it signs
    and the sealed signed PDF (see :func:`prepare_signature`)."""

    unsigned: PortDocument
    signer_name: str
    signer_title: str
    signer_email: str
    signature_kind: str
    consent_text: str
    data_sha256: str
    signed_at: dt.datetime
    ip_address: str
    user_agent: str
    signed_pdf: bytes


def prepare_signature(
    *,
    actor: Actor | None,
    request: PortRequest,
    data: SignatureInput,
    ip_address: str | None,
    user_agent: str,
    signer_email: str,
    channel: str,
    by_link: bool,
) -> PreparedSignature:
    """Everything slow about signing, done outside any transaction: the signer's input
    checked (a drawn signature decoded), the unsigned LOA made if there is none, and the
    signed PDF built and sealed. :func:`record_signature` then stores it in a short
    transaction."""
    loa_open(request).check()
    name, title, image = _check_input(request, decode_signature(data), by_link=by_link)
    unsigned = loa_current(request)
    if unsigned is None:
        if data.document_sha256:
            raise Conflict(LOA_CHANGED, code="loa_changed", field="document_sha256")
        unsigned = loa_ensure(actor=actor, request_id=request.pk)
    if data.document_sha256 and data.document_sha256 != unsigned.sha256:
        raise Conflict(LOA_CHANGED, code="loa_changed", field="document_sha256")
    unsigned_pdf = vault_read(unsigned.vault_name)
    if hashlib.sha256(unsigned_pdf).hexdigest() != unsigned.sha256:
        raise Conflict("The stored LOA is damaged: generate it again.", code="loa_damaged")
    signed_at = timezone.now().replace(microsecond=0)
    subject, cert_sha = certificate_summary()
    text = consent_text(request)
    fingerprint = loa_fingerprint(request)
    trail = SignatureTrail(
        request_id=request.pk,
        signer_name=name,
        signer_title=title,
        signer_email=signer_email,
        signed_at=signed_at.astimezone(dt.UTC),
        ip_address=ip_address or "",
        user_agent=user_agent[:400],
        channel=channel,
        signature_kind=data.signature_kind,
        signature_png=image,
        consent_text=text,
        document_sha256=unsigned.sha256,
        document_pages=int(unsigned.facts.get("pages") or page_count(unsigned_pdf)),
        data_sha256=fingerprint,
        certificate_subject=subject,
        certificate_sha256=cert_sha,
    )
    return PreparedSignature(
        unsigned=unsigned,
        signer_name=name,
        signer_title=title,
        signer_email=signer_email,
        signature_kind=data.signature_kind,
        consent_text=text,
        data_sha256=fingerprint,
        signed_at=signed_at,
        ip_address=ip_address or "",
        user_agent=user_agent[:400],
        signed_pdf=build_signed_pdf(unsigned_pdf, trail),
    )


def record_signature(
    *,
    actor: Actor | None,
    request: PortRequest,
    prepared: PreparedSignature,
    pending: LoaSignature | None,
) -> LoaSignature:
    """Store a prepared signature (the caller holds the request's row lock inside
    ``vault_rollback``). Refuses (``loa_changed``) when the request's LOA data changed
    while the signed PDF was being sealed: what was signed is no longer the request."""
    loa_open(request).check()
    current = loa_current(request)
    if (
        current is None
        or current.pk != prepared.unsigned.pk
        or loa_fingerprint(request) != prepared.data_sha256
    ):
        raise Conflict(LOA_CHANGED, code="loa_changed", field="document_sha256")
    name = prepared.signer_name
    signed = store_document(
        actor=actor,
        request=request,
        kind=DocumentKind.SIGNED_LOA,
        filename=f"LOA-port-request-{request.pk}-signed.pdf",
        pdf=prepared.signed_pdf,
        facts={
            "data_sha256": prepared.data_sha256,
            "unsigned_sha256": prepared.unsigned.sha256,
            "signer_name": name,
            "by_label": f"Signed by {name}",
        },
        message=f"Letter of Authorization signed by {name}",
    )
    values = {
        "unsigned_document": prepared.unsigned,
        "signed_document": signed,
        "signer_name": name,
        "signer_title": prepared.signer_title,
        "signer_email": prepared.signer_email,
        "signature_kind": prepared.signature_kind,
        "consent_text": prepared.consent_text,
        "document_sha256": prepared.unsigned.sha256,
        "data_sha256": prepared.data_sha256,
        "ip_address": prepared.ip_address or None,
        "user_agent": prepared.user_agent,
        "signed_at": prepared.signed_at,
    }
    if pending is not None:
        for key, value in values.items():
            setattr(pending, key, value)
        pending.save()
        signature = pending
    else:
        signature = LoaSignature.objects.create(request=request, **values)
    # Other links still out for this request are spent: the LOA is signed.
    LoaSignature.objects.filter(
        request=request, signed_at__isnull=True, token_expires_at__gt=prepared.signed_at
    ).exclude(pk=signature.pk).update(token_expires_at=prepared.signed_at)
    event = record_event(
        request,
        kind="loa_signed",
        actor=actor,
        message=f"LOA signed by {name}" + (" (emailed link)" if pending is not None else ""),
        signature_id=signature.pk,
        document_id=signed.pk,
        signature_kind=prepared.signature_kind,
        ip_address=prepared.ip_address,
    )
    if actor is None:
        PortEvent.objects.filter(pk=event.pk).update(actor_label=f"{name} (emailed link)")
    return signature


def loa_sign(
    *,
    actor: Actor,
    request: PortRequest,
    data: SignatureInput,
    user_agent: str = "",
) -> LoaSignature:
    """The authorized person signs the LOA while signed in (portal or API).

    The typed name must be the authorized person's (a careful clerk's comparison); anyone
    else is told to send the signing link to the authorized person. The porting team never
    signs for a customer. A drawn signature is decoded, and the signed PDF built and
    sealed, before the one short transaction that records it."""
    may_sign_loa(actor, request).check()
    user = actor.user
    full = user.get_full_name() or user.get_username()
    prepared = prepare_signature(
        actor=actor,
        request=PortRequest.objects.get(pk=request.pk),
        data=data,
        ip_address=actor.ip_address,
        user_agent=user_agent,
        signer_email=user.email or "",
        channel=f"The portal, signed in as {user.get_username()} ({full})",
        by_link=False,
    )
    with transaction.atomic():
        locked = PortRequest.objects.select_for_update().get(pk=request.pk)
        with vault_rollback():
            return record_signature(actor=actor, request=locked, prepared=prepared, pending=None)


def build_signed_pdf(unsigned: bytes, trail: SignatureTrail) -> bytes:
    """The LOA, then the signature page, certified with the platform's key."""
    merged = join_pdfs(
        [unsigned, render_signature_page(trail)],
        metadata={
            "/Title": f"Signed Letter of Authorization — port request {trail.request_id}",
            "/Author": trail.signer_name,
            "/Creator": "faxline",
        },
    )
    return seal_pdf(
        merged,
        reason=f"Letter of Authorization signed electronically by {trail.signer_name}",
    )


# What the check of a signed LOA says, for each finding of the seal's verification.
LOA_INTACT = "The signed LOA is intact: nothing changed since it was signed."
LOA_MODIFIED = (
    "This PDF was changed after it was signed: do not rely on it. Download the signed LOA "
    "again from the portal."
)
LOA_APPENDED = (
    "Something was added to this PDF after it was signed: do not rely on it. "
    "Download the signed LOA again from the portal."
)


def loa_verdict(result: VerificationResult) -> VerificationResult:
    """The verification of a signed LOA's seal, worded for the LOA."""
    if result.intact:
        return replace(result, message=LOA_INTACT)
    if result.modified:
        return replace(result, message=LOA_APPENDED if result.appended else LOA_MODIFIED)
    return result


def loa_verify(document: PortDocument) -> VerificationResult:
    """Check a stored signed LOA (intact / modified)."""
    if document.kind != DocumentKind.SIGNED_LOA:
        return VerificationResult("unsigned", "Only a signed LOA carries the platform's seal.")
    return loa_verdict(verify_pdf(vault_read(document.vault_name)))
