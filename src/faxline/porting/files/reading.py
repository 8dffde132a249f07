"""Reading a port request's bill and CSR (issue 14): what the document itself says, stored
beside what the customer typed, for the first-time-right checks and the porting desk.

Every bill and CSR is recorded ``pending`` (other kinds ``skipped``) and
:func:`enqueue_document_read` nudges the ``porting.tasks.document_read`` task after the
upload's commit (decision 0005: the row is the truth). The task (:func:`port_document_read`)
decrypts the file from the vault and reads it with ``documents.reading.extract`` *outside*
any transaction (reading runs in the document sandbox and may take seconds of OCR), then
writes the result in one short transaction, only if the document is still pending: a
second run, or two at once, record it once. A document that cannot be read (refused by the
sandbox, no text layer without OCR, gone from the vault) becomes ``unreadable`` with the
reason; the upload itself is never lost. A lost nudge is found by
:func:`port_document_read_sweep` (a periodic job).

The carrier account number read from a document is personal data: it is stored encrypted
(``account_number_encrypted`` in ``read_facts``), decrypted only for the checks
(:func:`read_facts_of`) and masked wherever shown (:func:`read_facts_shown`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from faxline.core.crypto import decrypt_text, encrypt_text, mask
from faxline.core.errors import DomainError
from faxline.core.vault import vault_read
from faxline.porting.choices import READ_KINDS, ReadStatus
from faxline.porting.files.snippets import forget_snippets, make_snippets
from faxline.porting.models import PortDocument

log = logging.getLogger(__name__)

# The sweep nudges again a document pending at least this long (its task had time to run).
SWEEP_AFTER = timedelta(minutes=10)
SWEEP_LIMIT = 200
# A document whose first reading began this long ago and is still pending was cut off
# every time (a worker stopped mid-read, again and again): the sweep records it unreadable
# instead of nudging it for ever; the person types its facts.
GIVE_UP_AFTER = timedelta(hours=1)
# Why a scan was not read on a machine without tesseract; the sweep reads it again once
# tesseract is installed (make installs it; an operator may add it later).
NO_OCR = (
    "The document has no text layer and OCR is not available here: its facts could not be read."
)
GAVE_UP = (
    "Reading the document did not finish after several attempts: type its facts as the "
    "document shows them."
)
ERROR_MAX = 500
ENCRYPTED_KEY = "account_number_encrypted"
# Beside the facts: the lists that may miss entries (``Extraction.incomplete``).
INCOMPLETE_KEY = "incomplete"


def initial_read_status(kind: str) -> str:
    """``pending`` for the kinds that are read (bill, CSR), ``skipped`` for the others."""
    return ReadStatus.PENDING if kind in READ_KINDS else ReadStatus.SKIPPED


def enqueue_document_read(document: PortDocument) -> None:
    """Nudge the reading task once the caller's transaction commits (nothing for kinds that
    are not read)."""
    if document.read_status != ReadStatus.PENDING:
        return
    from faxline.core.aftercommit import enqueue_after_commit
    from faxline.porting.tasks import document_read  # the tasks module imports services

    enqueue_after_commit(document_read, document.pk)


def _stored_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """The read facts as stored: the account number replaced by its ciphertext."""
    stored = dict(facts)
    account_number = stored.pop("account_number", None)
    if account_number:
        stored[ENCRYPTED_KEY] = encrypt_text(str(account_number))
    return stored


def read_facts_of(document: PortDocument) -> dict[str, Any]:
    """The facts read from ``document`` with the account number decrypted (for the checks;
    never for a page). Empty when nothing was read."""
    if document.read_status != ReadStatus.READ:
        return {}
    facts = dict(document.read_facts or {})
    token = facts.pop(ENCRYPTED_KEY, None)
    facts["account_number"] = decrypt_text(token) if token else None
    return facts


def read_facts_shown(document: PortDocument) -> dict[str, Any]:
    """The facts read from ``document`` as pages and the API may show them: the account
    number masked (``core.crypto.mask``)."""
    facts = read_facts_of(document)
    if facts:
        facts["account_number"] = mask(facts["account_number"]) or None
    return facts


def _reason(exc: Exception) -> str:
    message = exc.message if isinstance(exc, DomainError) else "The file could not be read."
    return message[:ERROR_MAX]


def port_document_read(document_id: int) -> str:
    """Read one pending bill or CSR and record what it says (and the thumbnails of where
    each fact was read); returns the document's read status afterwards. Idempotent: a
    document no longer pending is left as it is."""
    from faxline.documents.reading.extract import extract

    document = PortDocument.objects.filter(pk=document_id).first()
    if document is None:
        return ""
    if document.read_status != ReadStatus.PENDING:
        return document.read_status
    changes: dict[str, Any]
    if document.kind not in READ_KINDS:
        changes = {"read_status": ReadStatus.SKIPPED}
    else:
        # Progress for the person waiting on the confirmation page: reading has begun
        # (the first attempt's time: the sweep gives up on a document whose reading keeps
        # being cut off, see GIVE_UP_AFTER).
        PortDocument.objects.filter(
            pk=document.pk, read_status=ReadStatus.PENDING, read_started_at__isnull=True
        ).update(read_started_at=timezone.now())
        changes = _read(document, extract)
    changes["read_at"] = timezone.now()
    with transaction.atomic():
        written = PortDocument.objects.filter(
            pk=document.pk, read_status=ReadStatus.PENDING
        ).update(**changes)
    if not written:
        forget_snippets(changes.get("read_snippets", ""))
    document.refresh_from_db(fields=["read_status"])
    return document.read_status


def _read(document: PortDocument, extract: Any) -> dict[str, Any]:
    """What reading ``document`` gives, as the fields to write (no transaction is open)."""
    try:
        data = vault_read(document.vault_name)
        extraction = extract(data, document.filename)
    except DomainError as exc:
        return {"read_status": ReadStatus.UNREADABLE, "read_error": _reason(exc)}
    except Exception as exc:  # a reader bug must not leave the document pending for ever
        log.exception("reading port document %s failed", document.pk)
        return {"read_status": ReadStatus.UNREADABLE, "read_error": _reason(exc)}
    if extraction.needs_ocr:
        return {"read_status": ReadStatus.UNREADABLE, "read_error": NO_OCR, "read_ocr": False}
    result = extraction.as_json()
    sources = extraction.sources()
    try:
        pack = make_snippets(data, sources, label=document.filename)
    except Exception:  # the facts stay usable without their pictures
        log.exception("thumbnails of port document %s failed", document.pk)
        pack = ""
    return {
        "read_status": ReadStatus.READ,
        "read_document_type": result["document_type"] or "",
        "read_facts": {**_stored_facts(result["facts"]), INCOMPLETE_KEY: extraction.incomplete},
        "read_sources": sources,
        "read_ocr": bool(result["ocr"]),
        "read_error": "",
        "read_snippets": pack,
    }


def documents_left_pending() -> list[int]:
    """The current bills and CSRs still pending long after their upload (a lost nudge or a
    worker that stopped mid-read), oldest first."""
    overdue = timezone.now() - SWEEP_AFTER
    return list(
        PortDocument.objects.filter(
            read_status=ReadStatus.PENDING, superseded=False, uploaded_at__lt=overdue
        )
        .order_by("uploaded_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )


def read_again_with_ocr() -> int:
    """Once tesseract is installed, the current scans that were left unread for want of
    it are pending again (the sweep then nudges them); returns how many."""
    from faxline.documents.reading import ocr

    if not ocr.available():
        return 0
    waiting = PortDocument.objects.filter(
        read_status=ReadStatus.UNREADABLE, read_error=NO_OCR, superseded=False
    )
    ids = list(waiting.values_list("pk", flat=True)[:SWEEP_LIMIT])
    return PortDocument.objects.filter(pk__in=ids, read_status=ReadStatus.UNREADABLE).update(
        read_status=ReadStatus.PENDING, read_error="", read_started_at=None
    )


def port_document_read_sweep() -> int:
    """Nudge the reading task again for every document left pending (giving up on those
    whose reading began over :data:`GIVE_UP_AFTER` ago); returns how many were nudged."""
    from faxline.core.aftercommit import enqueue_now
    from faxline.porting.tasks import document_read

    now = timezone.now()
    PortDocument.objects.filter(
        read_status=ReadStatus.PENDING, read_started_at__lt=now - GIVE_UP_AFTER
    ).update(read_status=ReadStatus.UNREADABLE, read_error=GAVE_UP, read_at=now)
    read_again_with_ocr()
    ids = documents_left_pending()
    for pk in ids:
        enqueue_now(document_read, pk)
    return len(ids)
