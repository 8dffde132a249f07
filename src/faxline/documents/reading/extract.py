"""The one entry point of reading: a document's bytes in, its facts out (issue 14).

``faxline porting extract FILE`` and ``POST /api/v1/porting/extract`` will print
:meth:`Extraction.as_json`, whose keys outside checks rely on: keep them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from faxline.documents.reading import facts as facts_module
from faxline.documents.reading import ocr as ocr_module
from faxline.documents.reading import verify as verify_module
from faxline.documents.reading.facts import Facts, Found
from faxline.documents.reading.words import Page, read_words

#: The facts' keys in :meth:`Extraction.as_json` (the issue's contract).
FACT_KEYS = (
    "account_name",
    "service_address",
    "btn",
    "account_number",
    "statement_date",
    "numbers",
    "authorized_names",
    "line_features",
)
ADDRESS_KEYS = ("street", "unit", "city", "state", "postal_code")
# A page whose text layer has fewer letters and digits than this has no text worth reading
# (a scan with a stray page number): it is read by OCR.
MIN_TEXT_CHARS = 20


@dataclass
class Extraction:
    """What was read from one document.

    ``document_type``: ``bill``, ``csr``, ``loa`` or ``other`` (None when nothing could be
    read); ``facts``: the facts with where each was found (:class:`~.facts.Facts`);
    ``pages``: the page count; ``ocr``: whether OCR read any of its pages; ``needs_ocr``:
    pages have no text layer and OCR is not installed, so their facts wait; ``ocr_skipped``:
    pages left unread by OCR's page cap or time budget
    (:data:`~.ocr.MAX_OCR_PAGES`, :data:`~.ocr.MAX_OCR_SECONDS`)."""

    document_type: str | None
    facts: Facts = field(default_factory=Facts)
    pages: int = 0
    ocr: bool = False
    needs_ocr: bool = False
    ocr_skipped: tuple[int, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """Exactly the issue's keys: nulls for what was not found, numbers in E.164,
        dates ISO."""
        facts = self.facts
        address = facts.service_address.value if facts.service_address else None
        return {
            "document_type": self.document_type,
            "facts": {
                "account_name": _value(facts.account_name),
                "service_address": (
                    {key: address.get(key) for key in ADDRESS_KEYS} if address else None
                ),
                "btn": _value(facts.btn),
                "account_number": _value(facts.account_number),
                "statement_date": _value(facts.statement_date),
                "numbers": [found.value for found in facts.numbers],
                "authorized_names": [found.value for found in facts.authorized_names],
                "line_features": [found.value for found in facts.line_features],
            },
            "pages": self.pages,
            "ocr": self.ocr,
        }

    @property
    def incomplete(self) -> list[str]:
        """The list facts that may miss entries (:attr:`.facts.Facts.cut_short`); not a key
        of :meth:`as_json`, whose keys are the issue's contract."""
        return sorted(self.facts.cut_short)

    def sources(self) -> dict[str, Any]:
        """Where each fact was read: ``{key: {"page", "box"}}`` (lists for the list facts),
        for the thumbnails the person confirming the facts will see."""
        out: dict[str, Any] = {}
        for key in FACT_KEYS:
            value = getattr(self.facts, key)
            if isinstance(value, list):
                out[key] = [_where(found) for found in value]
            else:
                out[key] = _where(value) if value is not None else None
        return out


def _value(found: Found | None) -> Any:
    return found.value if found is not None else None


def _where(found: Found) -> dict[str, Any]:
    return {"page": found.page, "box": list(found.box)}


def extract(data: bytes, filename: str = "") -> Extraction:
    """The facts of the bill or CSR ``data``, read in the document sandbox: a PDF from its
    text layer, its pages without one (scans) and a TIFF, PNG or JPEG (a faxed page, a
    photo) by OCR (:mod:`.ocr`; ``ocr`` is then set). Without tesseract installed, a PDF
    without a text layer comes back with no facts and ``needs_ocr``. Refuses what cannot be
    read with ``ValidationFailed`` on field ``file`` (see :func:`~.words.read_words` and
    :func:`~.ocr.ocr_document` for the codes). ``filename`` names the document in those
    messages only: nothing in it is taken as a fact. Call it outside any database
    transaction."""
    label = filename or "The document"
    kind = ocr_module.image_kind(data)
    if kind is not None:
        if not ocr_module.available():
            return Extraction(document_type=None, needs_ocr=True)
        result = ocr_module.ocr_document(data, kind, label=label)
        extraction = _extraction(result.pages, result.page_count, ocr=True, skipped=result.skipped)
        return _verified(extraction, data, kind, result.skews, label)
    pages = read_words(data, label=label)
    bare = [page.number for page in pages if _text_chars([page]) < MIN_TEXT_CHARS]
    if not bare:
        return _extraction(pages, len(pages))
    if not ocr_module.available():
        if _text_chars(pages) < MIN_TEXT_CHARS:
            return Extraction(document_type=None, pages=len(pages), needs_ocr=True)
        return _extraction(pages, len(pages))
    result = ocr_module.ocr_document(data, "pdf", bare, label=label)
    read = {page.number: page for page in result.pages}
    merged = [read.get(page.number, page) for page in pages]
    extraction = _extraction(merged, len(pages), ocr=bool(read), skipped=result.skipped)
    return _verified(extraction, data, "pdf", result.skews, label)


def _verified(
    extraction: Extraction, data: bytes, kind: str, skews: dict[int, float], label: str
) -> Extraction:
    """``extraction`` without the facts read by OCR that a second read does not confirm
    (:mod:`.verify`)."""
    if extraction.document_type is None or not skews:
        return extraction
    extraction.facts = verify_module.verified(data, kind, extraction.facts, skews, label=label)
    return extraction


def _text_chars(pages: list[Page]) -> int:
    return sum(sum(c.isalnum() for c in w.text) for page in pages for w in page.words)


def _extraction(
    pages: list[Page], count: int, *, ocr: bool = False, skipped: tuple[int, ...] = ()
) -> Extraction:
    """Facts from the pages' words; nothing (no document type) when there is no text."""
    if _text_chars(pages) < MIN_TEXT_CHARS:
        return Extraction(document_type=None, pages=count, ocr=ocr, ocr_skipped=skipped)
    return Extraction(
        document_type=facts_module.document_type(pages),
        facts=facts_module.find_facts(pages, ocr_module.lexicon() if ocr else frozenset()),
        pages=count,
        ocr=ocr,
        ocr_skipped=skipped,
    )
