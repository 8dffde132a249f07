"""Intake: the type of an upload decided by its content, each accepted type, each refusal
(with its stable code, the caller's field and the file's name), and the PDF on request."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from document_files import (
    BROKEN_PDF,
    EXECUTABLE,
    HTML,
    absurd_startxref_pdf,
    blank_pdf,
    bomb_tiff,
    encrypted_pdf,
    header_bomb_png,
    image_bytes,
    pageless_pdf,
    pdf_bytes,
    png_bomb,
    tiff_next_page_past_the_end,
    tiff_pages,
)

from faxline.core.errors import ValidationFailed
from faxline.documents import limits
from faxline.documents.intake import accept_document, safe_filename, sniff
from faxline.documents.limits import Budget, WorkerLimits
from faxline.documents.pdf import page_count

# Pure documents code (no models): what it checks does not depend on the database engine.
pytestmark = pytest.mark.database_independent


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


# --- budgets, read before anything is decoded --------------------------------------------

FAST = WorkerLimits(cpu_seconds=2, memory_bytes=512 * 1024 * 1024, wall_seconds=20)


def _refusal(data: bytes, **kwargs: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        accept_document(data, filename="scan.tif", field="document", **kwargs)
    assert caught.value.field == "document"
    return caught.value


def test_the_probes_bomb_is_refused_from_its_headers_in_no_time() -> None:
    """200 pages of 6700 x 6700 pixels sharing one 30 kB strip: 9 billion pixels (34 s of a
    port request holding SQLite's write lock, before)."""
    bomb = bomb_tiff(200, 6700, 6700)
    assert len(bomb) < 60_000
    started = time.monotonic()
    refusal = _refusal(bomb)
    assert refusal.code == "document_too_large" and "decompression bomb" in refusal.message
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("budget", "data", "words"),
    [
        (Budget(max_bytes=1024), image_bytes("PNG"), "larger than 1 kB"),
        (Budget(max_frames=2), tiff_pages(3, size=(64, 64)), "more than 2 pages; at most 2"),
        (Budget(max_page_pixels=1000), image_bytes("PNG", size=(40, 30)), "decompression bomb"),
        (Budget(max_decoded_bytes=64 * 64 * 2), tiff_pages(3, size=(64, 64)), "too many large"),
        (Budget(max_pdf_pages=2), blank_pdf(3), "has 3 pages; at most 2"),
        (Budget(max_pdf_objects=3), blank_pdf(3), "objects; at most 3"),
    ],
    ids=["bytes", "frames", "page-pixels", "decoded-bytes", "pdf-pages", "pdf-objects"],
)
def test_each_budget(budget: Budget, data: bytes, words: str) -> None:
    refusal = _refusal(data, budget=budget)
    assert refusal.code == "document_too_large"
    assert words in refusal.message
    accept_document(data)  # within the default budget


def test_a_png_declaring_many_frames_is_counted_from_its_header() -> None:
    from PIL import Image

    frames = [Image.new("RGB", (500, 500), (i, 0, 0)) for i in range(5)]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    animated = out.getvalue()
    assert accept_document(animated).pages == 5
    refusal = _refusal(animated, budget=Budget(max_decoded_bytes=500 * 500 * 4 * 4))
    assert "too many large pages" in refusal.message


# --- hard limits of the worker --------------------------------------------------------------

# Budgets opened wide, so that only the worker's limits stand in the way.
NO_BUDGET = Budget(max_page_pixels=10**12, max_decoded_bytes=10**15, max_frames=10**6)


def test_a_document_over_its_cpu_seconds_is_refused_cleanly() -> None:
    started = time.monotonic()
    refusal = _refusal(bomb_tiff(200, 6700, 6700), budget=NO_BUDGET, worker_limits=FAST)
    assert refusal.code == "document_too_complex"
    assert "takes too long to read (more than 2 seconds" in refusal.message
    assert time.monotonic() - started < FAST.wall_seconds
    assert accept_document(pdf_bytes()).pages == 1  # and the next document is checked


def test_a_document_over_its_memory_is_refused_cleanly() -> None:
    limits = WorkerLimits(cpu_seconds=10, memory_bytes=256 * 1024 * 1024, wall_seconds=30)
    # One colour page of 8000 x 8000 pixels: 256 MB once decoded.
    refusal = _refusal(
        bomb_tiff(1, 8000, 8000, bits=8, samples=3), budget=NO_BUDGET, worker_limits=limits
    )
    assert refusal.code == "document_too_complex"
    assert "needs more than 256 MB of memory" in refusal.message


def test_the_limits_come_from_the_settings(settings: Any) -> None:
    settings.FAXLINE_INTAKE_CPU_SECONDS = 1
    refusal = _refusal(bomb_tiff(200, 6700, 6700), budget=NO_BUDGET)
    assert "more than 1 seconds" in refusal.message


def test_the_cost_of_an_accepted_document_is_within_the_limits() -> None:
    accepted = accept_document(tiff_pages(3), as_pdf=True, worker_limits=FAST)
    assert 0 < accepted.cost.cpu_seconds < FAST.cpu_seconds
    assert 0 < accepted.cost.max_rss_bytes < FAST.memory_bytes


# --- malformed files the probe found ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (absurd_startxref_pdf(), "not a readable PDF"),
        (tiff_next_page_past_the_end(), "not a readable image"),
    ],
    ids=["pdf-absurd-startxref", "tiff-next-page-past-the-end"],
)
def test_malformed_files_are_refused_not_raised(data: bytes, words: str) -> None:
    refusal = _refusal(data)
    assert refusal.code == "document_unreadable" and words in refusal.message
