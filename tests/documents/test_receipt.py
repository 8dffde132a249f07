"""The delivery receipt: every field readable in the PDF, a thumbnail of the first page as
sent, the SHA-256 of the image sent, and a seal that verifies and breaks when a byte
changes."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import pytest
from fax_images import draw_page, spandsp_tiff
from PIL import Image

from faxline.core.errors import ValidationFailed
from faxline.documents.receipt import DeliveryReceipt, delivery_receipt, receipt_thumbnail
from faxline.documents.sealing import verify_pdf

pytestmark = [pytest.mark.database_independent, pytest.mark.usefixtures("sealing")]


@pytest.fixture(scope="module")
def sent_image() -> bytes:
    """A two-page TIFF-F as transmitted (fine first page, standard second)."""
    return spandsp_tiff([draw_page(1, fine=True), draw_page(2, fine=False)], fill_order=1, ident="")


def receipt_for(image: bytes) -> DeliveryReceipt:
    return DeliveryReceipt(
        job_id="501-26438917",
        from_number="+1 646 555 0110",
        to_number="+1 212 555 0142",
        remote_csi="RIVERSIDE ORTHO",
        outcome="Success",
        result_code=0,
        result_text="OK",
        pages_sent=2,
        bit_rate=14400,
        resolution="204 x 196 (fine)",
        ecm=True,
        started="12-06-2026 9:30:05 AM EST",
        ended="12-06-2026 9:31:19 AM EST",
        duration="1 min 14 s",
        image=image,
        provider="Northwind Fax",
    )


@pytest.fixture
def receipt_pdf(sent_image: bytes) -> bytes:
    return delivery_receipt(receipt_for(sent_image))


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_the_receipt_states_every_field(
    receipt_pdf: bytes, sent_image: bytes, tmp_path: Path
) -> None:
    text = " ".join(pdftotext(receipt_pdf, tmp_path).split())
    for expected in (
        "Fax delivery receipt",
        "Job identifier 501-26438917",
        "From +1 646 555 0110",
        "To +1 212 555 0142",
        "Remote CSI RIVERSIDE ORTHO",
        "Success — T.30 code 0: OK",
        "Pages sent 2",
        "Bit rate 14400 bit/s",
        "204 x 196 (fine)",
        "Yes",
        "Started 12-06-2026 9:30:05 AM EST",
        "Ended 12-06-2026 9:31:19 AM EST",
        "Duration 1 min 14 s",
        "Northwind Fax",
        hashlib.sha256(sent_image).hexdigest(),
    ):
        assert expected in text, expected


def test_the_receipt_shows_the_first_page_as_sent(receipt_pdf: bytes) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(receipt_pdf))
    assert len(reader.pages) == 1
    images = reader.pages[0].images
    assert len(images) == 1
    thumbnail = images[0].image
    assert thumbnail is not None
    # A letter page at its true aspect (8.47 x 11 in), with ink on it.
    assert thumbnail.height / thumbnail.width == pytest.approx(11 / 8.47, rel=0.02)
    assert thumbnail.convert("L").getextrema()[0] < 100


def test_the_thumbnail_is_the_first_page(sent_image: bytes) -> None:
    png, meta = receipt_thumbnail(sent_image, width_px=432)
    assert (meta["width"], meta["height"], meta["y_dpi"]) == (1728, 2156, 196.0)
    with Image.open(io.BytesIO(png)) as image:
        thumb = image.convert("L")
    expected = draw_page(1, fine=True).image.convert("L").resize(thumb.size, Image.Resampling.BOX)
    other = draw_page(2, fine=True).image.convert("L").resize(thumb.size, Image.Resampling.BOX)

    def distance(a: Image.Image, b: Image.Image) -> int:
        from PIL import ImageChops, ImageStat

        return int(ImageStat.Stat(ImageChops.difference(a, b)).sum[0])

    assert distance(thumb, expected) < distance(thumb, other) / 10


def test_the_seal_verifies_and_a_changed_byte_breaks_it(receipt_pdf: bytes) -> None:
    result = verify_pdf(receipt_pdf)
    assert result.intact, result
    from pyhanko.pdf_utils.reader import PdfFileReader

    (embedded,) = PdfFileReader(io.BytesIO(receipt_pdf)).embedded_signatures
    assert "501-26438917" in embedded.sig_object["/Reason"]
    for position in (60, len(receipt_pdf) // 2, len(receipt_pdf) - 200):
        changed = bytearray(receipt_pdf)
        changed[position] ^= 0x01
        assert verify_pdf(bytes(changed)).status == "modified", position


def test_a_receipt_for_an_image_that_is_not_a_fax_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        receipt_thumbnail(b"%PDF-1.4 not a TIFF")
    assert refused.value.field == "image"


def test_a_standard_first_page_is_shown_at_its_true_aspect() -> None:
    image = spandsp_tiff([draw_page(1, fine=False)], fill_order=2)
    png, meta = receipt_thumbnail(image, width_px=300)
    assert (meta["height"], meta["y_dpi"]) == (1078, 98.0)
    with Image.open(io.BytesIO(png)) as thumb:
        assert thumb.height / thumb.width == pytest.approx(11 / 8.47, rel=0.01)
