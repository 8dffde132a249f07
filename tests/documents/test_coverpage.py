"""Cover pages: the built-in default (its text, and its legibility once faxed at 204x98),
uploaded templates filled and flattened, letterhead templates, and hostile, oversized and
multi-page templates refused with a clear reason."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from document_files import pdf_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cover_files import (
    form_template,
    javascript_template,
    letterhead,
    oversized_template,
)
from faxline.core.errors import ValidationFailed
from faxline.documents.coverpage import (
    FIELD_KEYS,
    SAMPLE_FIELDS,
    CoverFields,
    check_template,
    clean_value,
    fill_template,
    render_cover,
    render_cover_preview,
    render_default_cover,
    wrap_lines,
)
from faxline.documents.layout import SANS, register_fonts
from faxline.documents.pdf import page_count

pytestmark = pytest.mark.database_independent

FIELDS = CoverFields(
    to="Margaret Quimby",
    to_company="Riverside Orthopedics",
    to_fax="+1 212 555 0142",
    sender="Theodore Blackwell",
    from_company="Northwind Trading",
    from_fax="+1 646 555 0110",
    from_phone="+1 646 555 0111",
    subject="Signed purchase agreement",
    comments="Please countersign page two\nand fax it back by Friday.",
    pages=4,
    date="12-06-2026 9:30 AM",
)


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "cover.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(result.stdout.split())


def test_default_cover_carries_every_field(tmp_path: Path) -> None:
    pdf = render_default_cover(FIELDS)
    assert page_count(pdf) == 1
    text = pdftotext(pdf, tmp_path)
    for value in FIELDS.values().values():
        for line in value.split("\n"):
            assert " ".join(line.split()) in text, line
    assert "4 pages with this cover" in text


def test_default_cover_faxed_at_standard_resolution_is_legible(tmp_path: Path) -> None:
    """The cover rendered at 204x98 and thresholded to bilevel (as a fax machine prints
    it), stretched back to square pixels for the OCR: tesseract finds the names."""
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument(render_default_cover(FIELDS))
    page = document[0]
    image = page.render(scale=204 / 72, grayscale=True).to_pil().convert("L")
    document.close()
    standard = image.resize((1728, round(image.height * 98 / 204)), Image.Resampling.BOX)
    bilevel = standard.point(lambda v: 0 if v < 128 else 255).convert("1")
    assert bilevel.size[0] == 1728
    # What the receiving machine prints: each row twice as tall.
    printed = bilevel.convert("L").resize((1728, bilevel.height * 2), Image.Resampling.NEAREST)
    path = tmp_path / "faxed.png"
    printed.save(path)
    result = subprocess.run(["tesseract", str(path), "-"], capture_output=True, text=True)
    text = " ".join(result.stdout.split())
    assert "Margaret Quimby" in text
    assert "Riverside Orthopedics" in text
    assert "Signed purchase agreement" in text


def test_values_are_plain_text_cut_to_their_box(tmp_path: Path) -> None:
    hostile = CoverFields(
        to="<b>Bold</b> & (unbalanced \\) \x00\x07Name",
        subject="x" * 5000,
        comments="line\n" * 500,
    )
    values = hostile.values()
    assert values["to"] == "<b>Bold</b> & (unbalanced \\) Name"
    assert len(values["subject"]) == 200
    pdf = render_default_cover(hostile)
    text = pdftotext(pdf, tmp_path)
    assert "<b>Bold</b> & (unbalanced \\) Name" in text
    assert page_count(pdf) == 1
    assert text.count("line") < 40  # cut to the comments box, not 500 lines


def test_wrap_lines_cuts_with_an_ellipsis() -> None:
    register_fonts()
    lines = wrap_lines("word " * 200, SANS, 12, 200, 3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    long_word = wrap_lines("A" * 300, SANS, 12, 100, 50)
    assert len(long_word) > 1


def test_clean_value_keeps_comment_lines_only() -> None:
    assert clean_value("to", "Ann\nLee\t ") == "Ann Lee"
    assert clean_value("comments", "one\r\ntwo") == "one\ntwo"


def test_template_fields_are_filled_and_flattened(tmp_path: Path) -> None:
    from pypdf import PdfReader

    info = check_template(form_template(), filename="acme.pdf")
    assert info.fields == FIELD_KEYS
    assert not info.static
    pdf = render_cover(FIELDS, template=form_template())
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert "/Annots" not in reader.pages[0]
    text = pdftotext(pdf, tmp_path)
    assert "ACME MEDICAL GROUP" in text
    for key in ("to", "to_company", "to_fax", "from", "subject", "date"):
        assert FIELDS.values()[key] in text, key
    assert "Please countersign page two" in text
    assert " 4 " in f" {text} "


def test_a_template_with_some_fields_fills_those(tmp_path: Path) -> None:
    template = form_template(["to", "subject"])
    assert check_template(template).fields == ("to", "subject")
    text = pdftotext(fill_template(template, FIELDS), tmp_path)
    assert "Margaret Quimby" in text
    assert "Signed purchase agreement" in text
    assert "Theodore Blackwell" not in text


def test_a_letterhead_gets_the_fields_block(tmp_path: Path) -> None:
    info = check_template(letterhead(), filename="letterhead.pdf")
    assert info.static
    text = pdftotext(render_cover(FIELDS, template=letterhead()), tmp_path)
    assert "NORTHWIND TRADING LETTERHEAD" in text
    assert "Margaret Quimby" in text
    assert "Theodore Blackwell" in text
    assert "Please countersign page two" in text


def test_form_fields_with_other_names_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_template(form_template(["recipient", "notes"]), filename="odd.pdf", field="file")
    assert caught.value.code == "cover_fields"
    assert caught.value.field == "file"
    assert "recipient" in caught.value.message
    assert "to_company" in caught.value.message


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (form_template(pages=2), "cover_pages", "more than one page"),
        (oversized_template(), "document_too_large", "larger than 2 MB"),
        (javascript_template(), "document_active_content", "JavaScript"),
        (pdf_bytes(1)[:300], "document_unreadable", "damaged"),
        (b"", "document_empty", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "document_type", "not a PDF"),
    ],
    ids=["two-pages", "oversized", "javascript", "truncated", "empty", "png"],
)
def test_bad_templates_are_refused(data: bytes, code: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_template(data, filename="cover.pdf", field="file")
    assert caught.value.code == code
    assert caught.value.field == "file"
    assert words in caught.value.message
    assert "cover.pdf" in caught.value.message


def test_previews_are_png_images() -> None:
    from PIL import Image

    for png in (render_cover_preview(), render_cover_preview(template=form_template())):
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG"
        assert image.width == 850
        assert image.height == 1100


def test_sample_fields_fill_every_key() -> None:
    assert all(SAMPLE_FIELDS.values()[key] for key in FIELD_KEYS)
    assert CoverFields.from_values(SAMPLE_FIELDS.values()) == SAMPLE_FIELDS


FUZZ_CODES = {
    "document_empty",
    "document_too_large",
    "document_type",
    "document_unreadable",
    "document_encrypted",
    "document_active_content",
    "document_too_complex",
    "cover_pages",
    "cover_fields",
}


@given(
    cuts=st.lists(
        st.tuples(st.integers(min_value=0, max_value=4000), st.binary(max_size=8)),
        min_size=1,
        max_size=4,
    )
)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_damaged_templates_are_accepted_or_refused_cleanly(cuts: list[tuple[int, bytes]]) -> None:
    """Bytes of a form template overwritten here and there: a clean refusal with a known
    code, or a template that then fills into a one-page PDF."""
    data = bytearray(_FUZZ_SEED)
    for offset, chunk in cuts:
        position = offset % len(data)
        data[position : position + len(chunk)] = chunk
    try:
        info = check_template(bytes(data), filename="fuzz.pdf")
    except ValidationFailed as exc:
        assert exc.code in FUZZ_CODES, exc.code
        assert exc.field == "file"
        return
    assert set(info.fields) <= set(FIELD_KEYS)
    assert page_count(render_cover(FIELDS, template=bytes(data))) == 1


_FUZZ_SEED = form_template(["to", "subject", "comments"])
