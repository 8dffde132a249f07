"""The house style and PDF files: a story laid out on letter pages with the band, the footer
and "Page n of N"; tables of labels and values, numbered grids and two columns; text that
looks like markup printed as written; pages counted and PDFs joined."""

from __future__ import annotations

import io
from typing import Any

import pytest
from document_files import pdf_bytes, pdf_text

from faxline.documents.layout import (
    PageDecoration,
    key_value_table,
    numbered_grid,
    paragraph,
    render_pdf,
    side_by_side,
    styles,
)
from faxline.documents.pdf import join_pdfs, page_count

# Pure documents code (no models): what it checks does not depend on the database engine.
pytestmark = pytest.mark.database_independent


def _decoration(total: int | None) -> PageDecoration:
    return PageDecoration(
        title="Test letter",
        subtitle="A subtitle",
        right=["Request 7", "Prepared today"],
        footer="Footer text",
        numbering=lambda n: f"Page {n} of {total}" if total else f"Page {n}",
    )


def _story(width: float) -> list[Any]:
    style = styles()
    half = (width - 22) / 2
    story: list[Any] = [
        paragraph("Smith & Sons <b>not bold</b>", style["body"]),
        side_by_side(
            [key_value_table([("Business name", "Acme Corp")], style, half)],
            [key_value_table([("City", "Springfield")], style, half)],
            width,
        ),
        numbered_grid(["212-555-0101", "212-555-0102", "212-555-0103"], style, width, columns=2),
    ]
    story += [paragraph(f"Line {i} of a long letter.", style["body"]) for i in range(120)]
    return story


def test_a_story_on_numbered_letter_pages() -> None:
    pdf = render_pdf(_story, decoration=_decoration, title="Test letter", author="faxline")
    pages = page_count(pdf)
    assert pages >= 2
    first, last = pdf_text(pdf, page=0), pdf_text(pdf, page=-1)
    assert "Test letter" in first and "Footer text" in first
    assert f"Page 1 of {pages}" in first and f"Page {pages} of {pages}" in last
    assert "Smith & Sons <b>not bold</b>" in first  # escaped, not interpreted
    flat = " ".join(first.split())
    for text in ("Business name", "Acme Corp", "Springfield", "1. 212-555-0101", "3. 212-555-0103"):
        assert text in flat, text
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and reader.metadata.title == "Test letter"
    assert round(float(reader.pages[0].mediabox.width)) == 612  # letter size


def test_one_pass_without_counting() -> None:
    pdf = render_pdf(
        lambda width: [paragraph("Short", styles()["body"])],
        decoration=_decoration,
        count_pages=False,
    )
    text = pdf_text(pdf)
    assert "Page 1" in text and "Page 1 of" not in text


def test_join_pdfs_and_count_pages() -> None:
    parts = [pdf_bytes(2, text="First"), pdf_bytes(1, text="Second")]
    joined = join_pdfs(parts, metadata={"/Title": "Joined"})
    assert page_count(joined) == 3
    assert "First page 2" in pdf_text(joined, page=1)
    assert "Second page 1" in pdf_text(joined, page=2)
    from pypdf import PdfReader

    assert PdfReader(io.BytesIO(joined)).metadata.title == "Joined"  # type: ignore[union-attr]
