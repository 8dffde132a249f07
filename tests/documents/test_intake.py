"""Intake: the type of an upload decided by its content, each accepted type, each refusal
(with its stable code, the caller's field and the file's name), and the PDF on request."""

from __future__ import annotations

import io

import pytest
from document_files import (
    BROKEN_PDF,
    EXECUTABLE,
    HTML,
    blank_pdf,
    encrypted_pdf,
    header_bomb_png,
    image_bytes,
    pageless_pdf,
    pdf_bytes,
    png_bomb,
    tiff_pages,
)

from faxline.core.errors import ValidationFailed
from faxline.documents import limits
from faxline.documents.limits import Budget
from faxline.documents.intake import accept_document, safe_filename, sniff
from faxline.documents.pdf import page_count


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (pdf_bytes(), "pdf"),
        (b"\r\n  %PDF-1.4\n...", "pdf"),  # a few bytes before the header are tolerated
        (image_bytes("PNG"), "png"),
        (image_bytes("JPEG"), "jpeg"),
        (b"II*\x00rest", "tiff"),
        (b"MM\x00*rest", "tiff"),
        (EXECUTABLE, None),
        (HTML, None),
        (b"GIF89a", None),
        (b"", None),
    ],
    ids=[
        "pdf",
        "pdf-after-blanks",
        "png",
        "jpeg",
        "tiff-le",
        "tiff-be",
        "exe",
        "html",
        "gif",
        "empty",
    ],
)
def test_sniff_reads_the_first_bytes_not_the_name(data: bytes, kind: str | None) -> None:
    assert sniff(data) == kind


def test_each_accepted_type() -> None:
    pdf = accept_document(pdf_bytes(3), filename="bill.pdf")
    assert (pdf.kind, pdf.content_type, pdf.pages, pdf.extension) == (
        "pdf",
        "application/pdf",
        3,
        ".pdf",
    )
    png = accept_document(image_bytes("PNG"), filename="bill.pdf")  # the name is not the type
    assert (png.kind, png.content_type, png.pages, png.extension) == ("png", "image/png", 1, ".png")
    jpeg = accept_document(image_bytes("JPEG", mode="L"))
    assert (jpeg.kind, jpeg.content_type, jpeg.extension) == ("jpeg", "image/jpeg", ".jpg")
    tiff = accept_document(tiff_pages(3))
    assert (tiff.kind, tiff.content_type, tiff.pages, tiff.extension) == (
        "tiff",
        "image/tiff",
        3,
        ".tif",
    )
    assert pdf.pdf is None and tiff.pdf is None  # no conversion unless asked


def test_as_pdf_keeps_a_pdf_and_converts_an_image() -> None:
    original = pdf_bytes(2)
    assert accept_document(original, as_pdf=True).pdf == original
    converted = accept_document(tiff_pages(3), filename="fax.tif", as_pdf=True)
    assert converted.kind == "tiff" and converted.pdf is not None
    assert converted.pdf.startswith(b"%PDF") and page_count(converted.pdf) == 3


def _many_frames_tiff(frames: int) -> bytes:
    from PIL import Image

    pages = [Image.new("1", (8, 8), 1) for _ in range(frames)]
    out = io.BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:])
    return out.getvalue()


def _mislabelled_png() -> bytes:
    """PNG's signature in front of a JPEG: the header promises what the content is not."""
    return b"\x89PNG\r\n\x1a\n" + image_bytes("JPEG")


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"", "document_empty", "is empty"),
        (b"%PDF-" + b"0" * limits.MAX_DOCUMENT_BYTES, "document_too_large", "10 MB"),
        (EXECUTABLE, "document_type", "not a PDF, PNG, JPEG or TIFF document"),
        (HTML, "document_type", "checked by its content"),
        (BROKEN_PDF, "document_unreadable", "not a readable PDF"),
        (pageless_pdf(), "document_unreadable", "has no pages"),
        (encrypted_pdf(), "document_encrypted", "password-protected"),
        (blank_pdf(limits.MAX_PDF_PAGES + 1), "document_too_large", "at most 500"),
        (png_bomb(), "document_too_large", "decompression bomb"),
        (header_bomb_png(), "document_too_large", "decompression bomb"),
        (image_bytes("PNG")[:60], "document_unreadable", "not a readable image"),
        (_mislabelled_png(), "document_unreadable", "not a readable image"),
        (_many_frames_tiff(limits.MAX_IMAGE_FRAMES + 1), "document_too_large", "at most 200"),
    ],
    ids=[
        "empty",
        "too-large",
        "executable",
        "html",
        "broken-pdf",
        "no-pages",
        "encrypted",
        "too-many-pages",
        "bomb",
        "header-bomb",
        "truncated-png",
        "mislabelled-png",
        "too-many-frames",
    ],
)
def test_each_refusal(data: bytes, code: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        accept_document(data, filename="bill.pdf", field="document")
    assert caught.value.code == code
    assert caught.value.field == "document"  # the caller's field
    assert words in caught.value.message
    assert caught.value.message.startswith("“bill.pdf”")


def test_an_unnamed_upload_is_the_file() -> None:
    with pytest.raises(ValidationFailed) as caught:
        accept_document(b"")
    assert caught.value.message == "The file is empty." and caught.value.field == "file"


def test_the_decoded_size_of_all_pages_is_budgeted_before_decoding() -> None:
    data = tiff_pages(3)  # three bilevel pages of 1728 x 2200: 3.8 MB each once decoded
    assert accept_document(data).pages == 3
    two_pages = Budget(max_decoded_bytes=1728 * 2200 * 2)
    for as_pdf in (False, True):
        with pytest.raises(ValidationFailed) as caught:
            accept_document(data, filename="fax.tif", as_pdf=as_pdf, budget=two_pages)
        assert caught.value.code == "document_too_large"
        assert "too many large pages" in caught.value.message
        assert "decompression bomb" in caught.value.message


def test_safe_filename() -> None:
    assert safe_filename("../../etc/passwd", extension=".pdf") == "passwd.pdf"
    assert safe_filename("C:\\scans\\bill.png", extension=".pdf") == "bill.pdf"
    assert safe_filename('bill "May".exe', extension=".pdf") == "bill _May.pdf"
    assert safe_filename("", extension=".png") == "document.png"
    assert safe_filename("...", extension=".pdf") == "document.pdf"
    assert len(safe_filename("x" * 300, extension=".pdf")) == 84
