"""The Files of a port request: typed documents, each its own file, encrypted at rest.

Customers (with the Number Porting manage right) and the porting team add documents while a
request is open: a Draft, Rejected, or with the porting team (the guide: files can be added
later); not once it is Completed or Cancelled. Every upload is checked by its content
(``documents.intake.accept_document``: PDF, PNG, JPEG or TIFF, at most 10 MB, no broken PDFs,
no decompression bombs, no executable or HTML behind a PDF name). Images and TIFF files are
converted to PDF (a multi-page TIFF keeps its pages): carriers want each document as a PDF of
its own (seed 004).

What the customer reads off a document is kept in ``facts`` for the first-time-right checks
(``porting.validation.checks.validation_input``):

- a bill: ``statement_date`` (required), ``account_name`` and ``service_address``;
- a CSR: ``record``, the validator's CSR shape (account name, service address, BTN, account
  number, authorized names, numbers, line features). The carrier account number is personal
  data: it is kept encrypted beside the record (``account_number_encrypted``) and merged back
  only for the checks (:func:`csr_record`).

A new document of a kind supersedes the previous one of that kind (except "Other": several
different documents may be on file). The Letter of Authorization kinds are added only by
``porting.files.loa`` (generated and e-signed there). A refusal leaves nothing stored.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from faxline.accounts.access import Actor
from faxline.accounts.validation import clean_text
from faxline.core.crypto import decrypt_text, encrypt_text, mask
from faxline.core.errors import Conflict, ValidationFailed
from faxline.core.vault import StoredFile, vault_delete, vault_store
from faxline.documents.intake import accept_document, safe_filename
from faxline.porting.access import may_change_request
from faxline.porting.choices import READ_KINDS, TERMINAL, DocumentKind, FactOrigin, PortStatus
from faxline.porting.files.reading import enqueue_document_read, initial_read_status
from faxline.porting.models import PortDocument, PortRequest
from faxline.porting.requests.services import record_event
from faxline.porting.validation.request import LINE_FEATURES, PortAddressIn, PortCsrIn

VAULT_PURPOSE = "porting"
# What customers and the porting team upload; the LOA kinds come from porting.files.loa.
UPLOAD_KINDS = (DocumentKind.BILL, DocumentKind.CSR, DocumentKind.OTHER)
LOA_KINDS = frozenset({DocumentKind.LOA, DocumentKind.SIGNED_LOA})
# Kinds of which only the latest counts; "Other" may hold several different documents.
SINGLE_KINDS = frozenset(
    {DocumentKind.LOA, DocumentKind.SIGNED_LOA, DocumentKind.BILL, DocumentKind.CSR}
)
ADDRESS_KEYS = ("street", "unit", "city", "state", "postal_code", "country")
OTHER_KEYS = frozenset({"description"})

#: The facts a person confirms, by kind, in the form's order.
CONFIRMED_FACTS: dict[str, tuple[str, ...]] = {
    DocumentKind.BILL: ("statement_date", "account_name", "service_address"),
    DocumentKind.CSR: (
        "account_name",
        "service_address",
        "btn",
        "account_number",
        "authorized_names",
        "numbers",
        "line_features",
    ),
}
# What an upload or a confirmation may say of each kind (the address flat or nested).
BILL_KEYS = frozenset({*CONFIRMED_FACTS[DocumentKind.BILL], *ADDRESS_KEYS})
CSR_KEYS = frozenset({*CONFIRMED_FACTS[DocumentKind.CSR], *ADDRESS_KEYS})


# --- facts ------------------------------------------------------------------------------


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def _unknown(facts: Mapping[str, Any], allowed: frozenset[str], kind: str) -> None:
    unknown = sorted(k for k in facts if k not in allowed)
    if unknown:
        label = DocumentKind(kind).label.lower()
        raise ValidationFailed(
            f"Unknown fact {unknown[0]!r} for a {label}.", field=unknown[0], code="unknown_fact"
        )


def _statement_date(value: Any) -> date:
    if not _present(value):
        raise ValidationFailed(
            "Enter the statement date printed on the bill.", field="statement_date"
        )
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise ValidationFailed(
                "The statement date must be a date (YYYY-MM-DD).", field="statement_date"
            ) from exc
    if parsed > timezone.localdate():
        raise ValidationFailed(
            "The statement date is in the future: enter the date printed on the bill.",
            field="statement_date",
        )
    return parsed


def _pydantic_field(exc: PydanticValidationError, prefix: str = "") -> tuple[str, str]:
    error = exc.errors()[0]
    loc = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
    name = loc[-1] if loc else prefix or "facts"
    return name, str(error.get("msg", "is invalid"))


def _address(facts: Mapping[str, Any], *, country: str, required: bool) -> dict[str, Any] | None:
    """A service address from ``service_address`` or the flat street/city/... facts."""
    nested = facts.get("service_address")
    if _present(nested) and not isinstance(nested, Mapping):
        raise ValidationFailed("service_address must be an object.", field="service_address")
    source: Mapping[str, Any] = nested if isinstance(nested, Mapping) else facts
    given = {k: source.get(k) for k in ADDRESS_KEYS if _present(source.get(k))}
    if not any(k in given for k in ("street", "city", "state", "postal_code")):
        if required:
            raise ValidationFailed(
                "Enter the service address as the document shows it.", field="street"
            )
        return None
    for key in ("street", "city", "state", "postal_code"):
        if key not in given:
            label = key.replace("_", " ")
            raise ValidationFailed(
                f"Enter the {label} of the service address as the document shows it.",
                field=key,
            )
    data: dict[str, Any] = {}
    for key in ADDRESS_KEYS:
        value = given.get(key)
        if key == "country":
            data[key] = str(value or country).strip().upper()
        elif key == "unit":
            data[key] = clean_text(value, field=key, max_length=50) or None
        else:
            data[key] = clean_text(value, field=key, max_length=200, required=True)
    try:
        address = PortAddressIn.model_validate(data)
    except PydanticValidationError as exc:
        name, message = _pydantic_field(exc)
        raise ValidationFailed(f"{name.replace('_', ' ')}: {message}.", field=name) from exc
    return address.model_dump(mode="json")


def _items(value: Any, *, field: str, limit: int) -> list[str]:
    """A list from a JSON list or a comma / line separated string."""
    if not _present(value):
        return []
    if isinstance(value, str):
        raw = [part for line in value.splitlines() for part in line.split(",")]
    elif isinstance(value, list | tuple):
        raw = list(value)
    else:
        raise ValidationFailed(f"{field} must be a list.", field=field)
    items = [clean_text(item, field=field, max_length=300) for item in raw]
    items = [item for item in items if item]
    if len(items) > limit:
        raise ValidationFailed(f"{field} may list at most {limit} entries.", field=field)
    return items


def _bill_facts(facts: Mapping[str, Any], *, country: str) -> dict[str, Any]:
    _unknown(facts, BILL_KEYS, DocumentKind.BILL)
    out: dict[str, Any] = {"statement_date": _statement_date(facts.get("statement_date"))}
    out["statement_date"] = out["statement_date"].isoformat()
    name = clean_text(facts.get("account_name"), field="account_name", max_length=200)
    if name:
        out["account_name"] = name
    address = _address(facts, country=country, required=False)
    if address is not None:
        out["service_address"] = address
    return out


def _csr_facts(facts: Mapping[str, Any], *, country: str) -> dict[str, Any]:
    _unknown(facts, CSR_KEYS, DocumentKind.CSR)
    name = clean_text(facts.get("account_name"), field="account_name", max_length=200)
    if not name:
        raise ValidationFailed(
            "Enter the account name exactly as the CSR shows it.", field="account_name"
        )
    address = _address(facts, country=country, required=True)
    btn = clean_text(facts.get("btn"), field="btn", max_length=40) or None
    account_number = (
        clean_text(facts.get("account_number"), field="account_number", max_length=50) or None
    )
    listed = _items(facts.get("line_features"), field="line_features", limit=20)
    features = [f.lower().replace(" ", "_").replace("-", "_") for f in listed]
    wrong = [f for f in features if f not in LINE_FEATURES]
    if wrong:
        raise ValidationFailed(
            f"Unknown line feature {wrong[0]!r}: use " + ", ".join(LINE_FEATURES) + ".",
            field="line_features",
        )
    record = {
        "account_name": name,
        "service_address": address,
        "btn": btn,
        "account_number": None,
        "authorized_names": _items(
            facts.get("authorized_names"), field="authorized_names", limit=100
        ),
        "numbers": _items(facts.get("numbers"), field="numbers", limit=10_000),
        "line_features": sorted(set(features)),
    }
    try:
        PortCsrIn.model_validate(record)
    except PydanticValidationError as exc:
        field, message = _pydantic_field(exc)
        raise ValidationFailed(f"{field.replace('_', ' ')}: {message}.", field=field) from exc
    out: dict[str, Any] = {"record": record}
    if account_number:
        out["account_number_encrypted"] = encrypt_text(account_number)
    return out


def clean_facts(kind: str, facts: Mapping[str, Any] | None, *, country: str) -> dict[str, Any]:
    """The facts of an upload of ``kind``, checked and shaped for the validator."""
    raw: Mapping[str, Any] = facts or {}
    if not isinstance(raw, Mapping):
        raise ValidationFailed("facts must be an object.", field="facts")
    if kind == DocumentKind.BILL:
        return _bill_facts(raw, country=country)
    if kind == DocumentKind.CSR:
        # The validator's own shape ({"record": {...}}) is accepted as well as flat fields.
        record = raw.get("record")
        if isinstance(record, Mapping) and set(raw) == {"record"}:
            raw = record
        return _csr_facts(raw, country=country)
    _unknown(raw, OTHER_KEYS, kind)
    description = clean_text(raw.get("description"), field="description", max_length=200)
    return {"description": description} if description else {}


def typed_origins(kind: str, cleaned: Mapping[str, Any]) -> dict[str, str]:
    """The origins of facts typed with an upload: every one of them typed."""
    if kind == DocumentKind.CSR:
        record = dict(cleaned.get("record") or {})
        if cleaned.get("account_number_encrypted"):
            record["account_number"] = True
        present = record
    else:
        present = dict(cleaned)
    keys = CONFIRMED_FACTS.get(kind, ())
    return {k: FactOrigin.TYPED for k in keys if present.get(k) not in (None, "", [], {})}


def csr_record(document: PortDocument) -> dict[str, Any] | None:
    """The CSR record of a document as the validator reads it (account number decrypted)."""
    record = document.facts.get("record")
    if not isinstance(record, dict):
        return None
    merged = dict(record)
    token = document.facts.get("account_number_encrypted")
    if token:
        merged["account_number"] = decrypt_text(token)
    return merged


def csr_account_number_masked(document: PortDocument) -> str:
    """The CSR's account number as pages show it (``core.crypto.mask``)."""
    token = document.facts.get("account_number_encrypted")
    return mask(decrypt_text(token)) if token else ""


# --- services ---------------------------------------------------------------------------

# Vault files written inside the current vault_rollback() block.
_written: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "porting_vault_written", default=None
)


@contextlib.contextmanager
def vault_rollback() -> Iterator[None]:
    """Delete the vault files stored inside the block when the block fails, so that a
    service that stores several files (the LOA and its signed copy) leaves none behind."""
    names: list[str] = []
    token = _written.set(names)
    try:
        yield
    except BaseException:
        for name in names:
            vault_delete(name)
        raise
    finally:
        _written.reset(token)


def require_open(request: PortRequest) -> None:
    """Refuse a change to the files of a Completed or Cancelled request."""
    if request.status in TERMINAL:
        raise Conflict(
            f"The request is {PortStatus(request.status).label}: no more files can be added.",
            code="request_closed",
        )


def store_document(
    *,
    actor: Actor | None,
    request: PortRequest,
    kind: str,
    filename: str,
    pdf: bytes,
    facts: dict[str, Any],
    message: str,
) -> PortDocument:
    """Encrypt a PDF into the vault and record it as the request's current ``kind``.

    The caller holds the request's row lock inside a transaction. Supersedes the previous
    document of a single kind; deletes the vault file again when the database write fails.
    """
    stored = vault_store(pdf, purpose=VAULT_PURPOSE)
    written = _written.get()
    if written is not None:
        written.append(stored.name)
    try:
        return record_document(
            actor=actor,
            request=request,
            kind=kind,
            filename=filename,
            stored=stored,
            facts=facts,
            message=message,
        )
    except BaseException:
        vault_delete(stored.name)
        raise


def record_document(
    *,
    actor: Actor | None,
    request: PortRequest,
    kind: str,
    filename: str,
    stored: StoredFile,
    facts: dict[str, Any],
    message: str,
    fact_origins: dict[str, str] | None = None,
) -> PortDocument:
    """Record a PDF already in the vault as the request's current ``kind`` (superseding
    the previous one of a single kind) and its event. The caller holds the request's row
    lock inside a transaction and deletes the vault file should this fail. A bill or CSR
    is read in the background once the transaction commits (``porting.files.reading``)."""
    with transaction.atomic():
        if kind in SINGLE_KINDS:
            PortDocument.objects.filter(request=request, kind=kind, superseded=False).update(
                superseded=True
            )
        document = PortDocument.objects.create(
            request=request,
            kind=kind,
            vault_name=stored.name,
            filename=filename,
            content_type="application/pdf",
            size=stored.size,
            sha256=stored.sha256,
            facts=facts,
            fact_origins=fact_origins or {},
            uploaded_by=actor.user if actor is not None else None,
            read_status=initial_read_status(kind),
        )
        enqueue_document_read(document)
        record_event(
            request,
            kind="document_added",
            actor=actor,
            message=message,
            document_id=document.pk,
            document_kind=kind,
            size=stored.size,
            sha256=stored.sha256,
        )
    return document


def port_document_add(
    *,
    actor: Actor,
    request: PortRequest,
    kind: str,
    filename: str,
    data: bytes,
    facts: Mapping[str, Any] | None = None,
) -> PortDocument:
    """Add a typed document (bill, CSR or other) to a request's Files.

    A bill or CSR may come without facts: it is read in the background and its facts await
    a person's confirmation (``porting.files.confirmation``). Facts given are typed facts,
    checked here.

    Checked by content; an image or TIFF becomes a PDF. A refusal names the field, says
    what to do, and leaves nothing stored.

    The document is checked, converted and encrypted into the vault before the
    transaction begins (in the documents sandbox: a hostile file costs its own worker
    process, never a lock other writers wait on); the transaction only records it, after
    checking again under the request's row lock that the request is still open.
    """
    may_change_request(actor, request).check()
    require_open(request)
    if kind in LOA_KINDS:
        raise ValidationFailed(
            "The Letter of Authorization is generated from the request and signed "
            "electronically: open the LOA and sign it (or send the signing link to the "
            "authorized person) instead of uploading one.",
            field="kind",
            code="loa_is_generated",
        )
    if kind not in UPLOAD_KINDS:
        raise ValidationFailed(
            "kind must be one of " + ", ".join(k.value for k in UPLOAD_KINDS) + ".",
            field="kind",
        )
    if kind in READ_KINDS and not any(_present(v) for v in (facts or {}).values()):
        # Nothing typed: faxline reads the file and a person confirms what it says
        # (porting.files.confirmation); until then the checks use none of it.
        cleaned: dict[str, Any] = {}
    else:
        cleaned = clean_facts(kind, facts, country=request.country)
    origins = typed_origins(kind, cleaned)
    if not isinstance(data, bytes | bytearray):
        raise ValidationFailed("Attach the document.", field="file")
    accepted = accept_document(bytes(data), filename=filename, field="file", as_pdf=True)
    pdf = accepted.pdf
    assert pdf is not None  # asked for as_pdf
    if accepted.kind != "pdf":
        cleaned["converted_from"] = accepted.kind
    name = safe_filename(filename or DocumentKind(kind).label, extension=".pdf")
    label = DocumentKind(kind).label
    stored = vault_store(pdf, purpose=VAULT_PURPOSE)
    try:
        with transaction.atomic():
            locked = PortRequest.objects.select_for_update().get(pk=request.pk)
            may_change_request(actor, locked).check()
            require_open(locked)
            return record_document(
                actor=actor,
                request=locked,
                kind=kind,
                filename=name,
                stored=stored,
                facts=cleaned,
                message=f"{label} added: {name}",
                fact_origins=origins,
            )
    except BaseException:
        vault_delete(stored.name)
        raise
