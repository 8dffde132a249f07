"""Image to PDF: a page per image (every page of a TIFF), sized by the image's resolution or
fitted on a letter page, bilevel kept bilevel, transparency flattened, and its budgets."""

from __future__ import annotations

import io
from typing import Any

import pytest
from document_files import image_bytes, tiff_pages

from faxline.core.errors import ValidationFailed
from faxline.documents.images import image_to_pdf
from faxline.documents.limits import Budget

# Pure documents code (no models): what it checks does not depend on the database engine.
pytestmark = pytest.mark.database_independent


def _pages(pdf: bytes) -> list[Any]:
    from pypdf import PdfReader

    return list(PdfReader(io.BytesIO(pdf)).pages)


def _image_of(page: Any) -> Any:
    (xobject,) = page["/Resources"]["/XObject"].values()
    return xobject.get_object()


def _size(page: Any) -> tuple[float, float]:
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


def test_an_image_without_a_resolution_fills_a_letter_page() -> None:
    (page,) = _pages(image_to_pdf(image_bytes("PNG", size=(850, 1100))))
    assert _size(page) == (612, 792)


def test_an_image_keeps_its_own_resolution() -> None:
    (page,) = _pages(image_to_pdf(image_bytes("JPEG", size=(1200, 1500), dpi=(300, 300))))
    assert _size(page) == (288, 360)  # 4 x 5 inches


def test_every_page_of_a_tiff_and_bilevel_stays_bilevel() -> None:
    pages = _pages(image_to_pdf(tiff_pages(3)))
    assert len(pages) == 3
    for page in pages:
        assert _size(page)[0] == 610  # 1728 pixels at 204 dpi: 8.47 inches
        image = _image_of(page)
        assert image["/BitsPerComponent"] == 1 and "/CCITTFaxDecode" in str(image["/Filter"])


def test_transparency_is_flattened_on_white() -> None:
    from PIL import Image

    source = Image.new("RGBA", (200, 100), (0, 0, 0, 0))  # fully transparent black
    out = io.BytesIO()
    source.save(out, "PNG")
    (page,) = _pages(image_to_pdf(out.getvalue()))
    (placed,) = page.images
    assert placed.image.mode == "RGB"
    assert placed.image.convert("L").getextrema() == (255, 255)  # white, not black


def test_the_budgets() -> None:
    with pytest.raises(ValidationFailed) as caught:
        image_to_pdf(
            tiff_pages(3),
            filename="fax.tif",
            field="upload",
            budget=Budget(max_decoded_bytes=1728 * 2200 * 2),
        )
    assert (caught.value.code, caught.value.field) == ("document_too_large", "upload")
    assert caught.value.message.startswith("“fax.tif” has too many large pages")
    with pytest.raises(ValidationFailed) as caught:
        image_to_pdf(image_bytes("JPEG"), budget=Budget(max_converted_bytes=1000))
    assert caught.value.code == "document_too_large"
    assert caught.value.message.startswith("The file is too large once converted to PDF")


def test_a_standard_resolution_fax_page_keeps_its_true_height() -> None:
    """A 204 x 98 dpi fax page (1728 x 1078 dots) is 8.47 x 11 inches, not half as tall."""
    from PIL import Image

    page = Image.new("1", (1728, 1078), 1)
    out = io.BytesIO()
    page.save(out, "TIFF", compression="group4", dpi=(204, 98))
    [pdf_page] = _pages(image_to_pdf(out.getvalue()))
    assert _size(pdf_page) == (610, 792)
