"""The words of a PDF's text layer with their boxes, read in the document sandbox.

A bill or a CSR is matched by label and position (:mod:`.facts`), not by the order in which
an extractor happens to emit text blocks (they differ: see the reference baselines), so what
this module gives is geometry: for each page its size and its words, each a box in points
measured from the page's top-left corner, with its font size. pdfium's text page gives the
characters with their boxes (1.1 ms a page); words are the runs of characters between
whitespace, also split where two characters stand further apart than a space would.

The decode runs in the sandbox's worker (job ``read.words``) under the intake budget's pages
and a bound on the characters read per page; the parent side gets plain data back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from faxline.core.errors import ValidationFailed
from faxline.documents.limits import MAX_DOCUMENT_BYTES, MAX_PDF_PAGES

JOB = "read.words"
FIELD = "file"
#: Characters read from one page: a dense statement page has a few thousand; more is not a
#: bill, and reading stops there (the page is reported as cut short).
MAX_CHARS_PER_PAGE = 20_000
# Two characters further apart than this (in ems of the font) belong to different words,
# even when the PDF puts no space between them.
WORD_GAP_EMS = 0.25
# Characters whose baselines differ by more than this (in ems) are on different lines.
LINE_SHIFT_EMS = 0.5
PDF_MAGIC_WINDOW = 1024


@dataclass(frozen=True)
class Word:
    """One word: its text, its box (points from the page's top-left: ``x0 < x1``, ``top <
    bottom``), the font size it is set in, and for a word read by OCR tesseract's
    confidence in it (0-100; None for the text layer, which is exact)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    confidence: float | None = None

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x0, self.top, self.x1, self.bottom)


@dataclass(frozen=True)
class Page:
    """One page: its number (from 1), its size in points, its words, and whether its text
    was cut short at :data:`MAX_CHARS_PER_PAGE`."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    truncated: bool = False


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` starts like a PDF (readers accept the header within the first KiB)."""
    return b"%PDF-" in data[:PDF_MAGIC_WINDOW]


def read_words(
    data: bytes,
    *,
    max_pages: int = MAX_PDF_PAGES,
    max_chars_per_page: int = MAX_CHARS_PER_PAGE,
    max_bytes: int = MAX_DOCUMENT_BYTES,
    label: str = "The document",
) -> list[Page]:
    """The pages of the PDF ``data`` with their words, decoded in the sandbox.

    Refuses (``ValidationFailed`` on field ``file``) what is not a PDF
    (``document_type``), larger than ``max_bytes`` or with more than ``max_pages`` pages
    (``document_too_large``), encrypted (``document_encrypted``), or that cannot be read
    or overruns the worker's limits (``document_unreadable``). Call it outside any database
    transaction. ``label`` names the document in the messages ("bill.pdf")."""
    from faxline.documents import sandbox

    check_pdf_upload(data, max_bytes=max_bytes, label=label)
    try:
        result = sandbox.run_job(
            JOB,
            data,
            {"max_pages": max_pages, "max_chars_per_page": max_chars_per_page},
            max_payload=max_pages * max_chars_per_page * 64 + 4096,
            field_name=FIELD,
        )
    except sandbox.JobOverrun as exc:
        raise ValidationFailed(
            f"{label} could not be read within the time and memory it may take.",
            field=FIELD,
            code="document_unreadable",
        ) from exc
    return pages_from_plain(json.loads(result.payload))


def check_pdf_upload(data: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES, label: str) -> None:
    """Refuse, before the sandbox, what is empty (``document_empty``), larger than
    ``max_bytes`` (``document_too_large``) or not a PDF (``document_type``)."""
    if not data:
        raise ValidationFailed(f"{label} is empty.", field=FIELD, code="document_empty")
    if len(data) > max_bytes:
        raise ValidationFailed(
            f"{label} is larger than {max_bytes // (1024 * 1024)} MB.",
            field=FIELD,
            code="document_too_large",
        )
    if not is_pdf(data):
        raise ValidationFailed(f"{label} is not a PDF.", field=FIELD, code="document_type")


def pages_from_plain(plain: list[dict[str, Any]]) -> list[Page]:
    """Pages as the worker sends them (JSON: words as ``[text, x0, top, x1, bottom, size]``,
    and OCR's confidence after them when OCR read the page)."""
    return [
        Page(
            number=int(page["number"]),
            width=float(page["width"]),
            height=float(page["height"]),
            words=tuple(_word(plain) for plain in page["words"]),
            truncated=bool(page.get("truncated")),
        )
        for page in plain
    ]


def _word(plain: list[Any]) -> Word:
    text, x0, top, x1, bottom, size, *rest = plain
    confidence = float(rest[0]) if rest and rest[0] is not None else None
    return Word(str(text), float(x0), float(top), float(x1), float(bottom), float(size), confidence)


# --- the worker side ---------------------------------------------------------------------


def words_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The sandbox job ``read.words``: meta ``{"pages": N}``, payload the pages as JSON."""
    import pypdfium2 as pdfium

    max_pages = int(params.get("max_pages") or MAX_PDF_PAGES)
    max_chars = int(params.get("max_chars_per_page") or MAX_CHARS_PER_PAGE)
    document = open_pdf(data, max_pages)
    try:
        count = len(document)
        pages = []
        for index in range(count):
            page = document[index]
            try:
                pages.append(_page_words(pdfium, page, index + 1, max_chars))
            finally:
                page.close()
    finally:
        document.close()
    return {"pages": len(pages)}, json.dumps(pages, separators=(",", ":")).encode()


def open_pdf(data: bytes, max_pages: int) -> Any:
    """The ``pypdfium2.PdfDocument`` of ``data`` (in the worker; the caller closes it).
    Refuses an encrypted PDF (``document_encrypted``), one pdfium cannot open or without
    pages (``document_unreadable``) and one of more than ``max_pages`` pages
    (``document_too_large``)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise ValidationFailed(
                "The document is encrypted: upload it without a password.",
                field=FIELD,
                code="document_encrypted",
            ) from exc
        raise ValidationFailed(
            "The document is not a readable PDF.", field=FIELD, code="document_unreadable"
        ) from exc
    try:
        count = len(document)
        if count < 1:
            raise ValidationFailed(
                "The document has no pages.", field=FIELD, code="document_unreadable"
            )
        if count > max_pages:
            raise ValidationFailed(
                f"The document has {count} pages; at most {max_pages} can be read.",
                field=FIELD,
                code="document_too_large",
            )
    except BaseException:
        document.close()
        raise
    return document


def _page_words(pdfium: Any, page: Any, number: int, max_chars: int) -> dict[str, Any]:
    width, height = page.get_size()
    left, _bottom, _right, top_edge = page.get_bbox()
    textpage = page.get_textpage()
    try:
        total = textpage.count_chars()
        count = min(total, max_chars)
        words: list[list[Any]] = []
        current: list[Any] | None = None  # [text, x0, top, x1, bottom, size, baseline]
        for index in range(count):
            code = pdfium.raw.FPDFText_GetUnicode(textpage, index)
            char = chr(code) if 0 < code < 0x110000 else ""
            if not char or char.isspace() or not char.isprintable():
                _close(words, current)
                current = None
                continue
            x0, y0, x1, y1 = textpage.get_charbox(index, loose=True)
            size = float(pdfium.raw.FPDFText_GetFontSize(textpage, index)) or (y1 - y0) or 1.0
            # Points from the top-left corner of the page's visible area.
            box = (x0 - left, top_edge - y1, x1 - left, top_edge - y0)
            if current is not None:
                em = max(current[5], size)
                apart = box[0] - current[3] > WORD_GAP_EMS * em or box[2] < current[1]
                shifted = abs(box[3] - current[6]) > LINE_SHIFT_EMS * em
                if apart or shifted:
                    _close(words, current)
                    current = None
            if current is None:
                current = [char, *box, size, box[3]]
            else:
                current[0] += char
                current[1] = min(current[1], box[0])
                current[2] = min(current[2], box[1])
                current[3] = max(current[3], box[2])
                current[4] = max(current[4], box[3])
                current[5] = max(current[5], size)
        _close(words, current)
    finally:
        textpage.close()
    return {
        "number": number,
        "width": round(float(width), 2),
        "height": round(float(height), 2),
        "words": words,
        "truncated": total > count,
    }


def _close(words: list[list[Any]], current: list[Any] | None) -> None:
    if current is not None:
        text, x0, top, x1, bottom, size, _baseline = current
        words.append([text, *(round(v, 2) for v in (x0, top, x1, bottom, size))])
