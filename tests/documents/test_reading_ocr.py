"""Reading scanned and faxed bills by OCR (issue 14): the born-digital bill of
test_reading_extract.py rasterised the way a scanner and a fax machine give it, read
through the sandbox by tesseract into the same facts. OCR costs seconds a page: one page a
test."""

from __future__ import annotations

import io
import random

import pypdfium2 as pdfium
import pytest
from PIL import Image
from reading_documents import helv, make_pdf
from test_reading_extract import LEFT_RIGHT

from faxline.documents.reading import ocr as ocr_module
from faxline.documents.reading.extract import extract

pytestmark = pytest.mark.skipif(not ocr_module.available(), reason="tesseract is not installed")

# The key facts of LEFT_RIGHT, exactly as the text layer gives them.
KEY_FACTS = {
    "account_number": "8840-2231-77",
    "btn": "+12125550143",
    "statement_date": "2026-03-01",
    "service_address": {
        "street": "125 West 31st Street",
        "unit": "Suite 400",
        "city": "New York",
        "state": "NY",
        "postal_code": "10001",
    },
}


def _scan(dpi: int = 300, skew: float = 1.5, noise: float = 0.002) -> Image.Image:
    """LEFT_RIGHT as a scanner gives it: greyscale at ``dpi``, turned by ``skew`` degrees,
    with specks of dust (``noise``: the share of pixels turned dark)."""
    document = pdfium.PdfDocument(make_pdf(LEFT_RIGHT))
    try:
        image = document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    rng = random.Random(14)
    pixels = image.load()
    assert pixels is not None
    for _ in range(int(image.width * image.height * noise)):
        pixels[rng.randrange(image.width), rng.randrange(image.height)] = rng.randrange(0, 128)
    return image


def _key_facts(as_json: dict) -> dict:
    return {key: as_json["facts"][key] for key in KEY_FACTS}


def test_a_scanned_pdf_reads_the_same_facts() -> None:
    out = io.BytesIO()
    _scan().save(out, "PDF", resolution=300)
    extraction = extract(out.getvalue(), "scan.pdf")
    as_json = extraction.as_json()
    assert extraction.ocr is True and extraction.needs_ocr is False
    assert as_json["document_type"] == "bill"
    assert _key_facts(as_json) == KEY_FACTS
    assert as_json["facts"]["account_name"] == "Acme Plumbing LLC"
    # Where the account number was read: near where it was drawn (x 200, 146 pt down).
    x0, top, _x1, bottom = extraction.sources()["account_number"]["box"]
    assert 190 <= x0 <= 210 and 130 <= top < 146 < bottom <= 160


def test_a_faxed_page_reads_its_key_facts() -> None:
    # A fine-mode fax: 204 x 196 dpi, one bit a pixel, Group 4 in a TIFF.
    scan = _scan(skew=0.8, noise=0.0)
    fax = scan.resize((round(8.5 * 204), 11 * 196), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    fax.convert("1").save(out, "TIFF", compression="group4", dpi=(204, 196))
    extraction = extract(out.getvalue(), "fax.tif")
    as_json = extraction.as_json()
    assert extraction.ocr is True and as_json["pages"] == 1
    assert _key_facts(as_json) == KEY_FACTS


def test_an_empty_image_gives_no_facts() -> None:
    out = io.BytesIO()
    Image.new("L", (2550, 3300), 255).save(out, "PNG", dpi=(300, 300))
    extraction = extract(out.getvalue(), "blank.png")
    as_json = extraction.as_json()
    assert extraction.ocr is True
    assert as_json["document_type"] is None
    assert all(value in (None, []) for value in as_json["facts"].values())


def test_only_the_pages_without_text_are_read_by_ocr() -> None:
    # A born-digital cover letter, then the scanned bill: the bill's facts name page 2.
    scan = io.BytesIO()
    _scan().save(scan, "PDF", resolution=300)
    cover = pdfium.PdfDocument(
        make_pdf([helv(72, 72, "Please find the customer's bill enclosed.")])
    )
    cover.import_pages(pdfium.PdfDocument(scan.getvalue()))
    out = io.BytesIO()
    cover.save(out)
    extraction = extract(out.getvalue(), "letter.pdf")
    assert extraction.ocr is True and extraction.pages == 2
    assert extraction.as_json()["facts"]["account_number"] == "8840-2231-77"
    assert extraction.sources()["account_number"]["page"] == 2


def test_pages_beyond_the_cap_are_skipped_not_read() -> None:
    out = io.BytesIO()
    blank = Image.new("1", (1728, 2156), 1)
    blank.save(
        out,
        "TIFF",
        compression="group4",
        dpi=(204, 196),
        save_all=True,
        append_images=[blank, blank],
    )
    result = ocr_module.ocr_document(out.getvalue(), "tiff", max_pages=1)
    assert result.page_count == 3
    assert [page.number for page in result.pages] == [1]
    assert result.skipped == (2, 3)
    assert result.pages[0].words == ()


def test_tesseract_tsv_becomes_words_in_points_with_their_line() -> None:
    tsv = "\n".join(
        [
            "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
            "4\t1\t1\t1\t1\t0\t300\t600\t600\t50\t-1\t",
            "5\t1\t1\t1\t1\t1\t300\t610\t150\t40\t96.5\tAccount",
            "5\t1\t1\t1\t1\t2\t470\t600\t60\t50\t12.0\t'~",
            "5\t1\t1\t1\t1\t3\t600\t612\t300\t30\t91.0\t8840-2231-77",
        ]
    )
    words = ocr_module.words_from_tsv(tsv, 300)
    assert [w[0] for w in words] == ["Account", "8840-2231-77"]  # the unsure speck dropped
    _text, x0, top, x1, bottom, size, confidence = words[1]
    assert (x0, top, x1, bottom) == (144.0, 144.0, 216.0, 156.0)  # the line's top and bottom
    assert confidence == 91.0
    # The line's size: the larger of the words' (digits alone are cap-height ink).
    expected = max(40 / ocr_module.INK_EMS, 30 / ocr_module.CAPS_EMS) * 72 / 300
    assert size == words[0][5] == round(expected, 2)
