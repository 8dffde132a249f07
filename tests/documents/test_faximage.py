"""Attachments to TIFF-F: every accepted type converts, the result is a valid TIFF-F at the
asked resolution and compression, pages keep their margins (Letter, A4, Legal, landscape
turned), 9-point text stays readable (OCR of the converted page), a greyscale photo stays
grey (dithered), and every refusal carries the guide's name and the right reason."""

from __future__ import annotations

import io
import zipfile

import pytest
from document_files import BROKEN_PDF, EXECUTABLE, HTML, bomb_tiff, encrypted_pdf, pageless_pdf
from fax_samples import (
    PAGE_SIZES,
    SENTENCE,
    assert_tiff_f,
    image_file,
    ocr,
    ole_with_stream,
    photo_png,
    text_pdf,
    tiff_f_info,
)

from faxline.core.errors import ValidationFailed
from faxline.documents.faximage import (
    Compression,
    FaxBudget,
    FaxImage,
    InvalidAttachment,
    Resolution,
    convert_to_fax,
    fax_image_pages,
    join_fax_images,
    sniff_kind,
)

pytestmark = pytest.mark.database_independent


def ink_box(page: object) -> tuple[int, int, int, int]:
    """The box around the black pixels of a bilevel page."""
    from PIL import ImageChops

    box = ImageChops.invert(page.convert("L")).getbbox()  # type: ignore[attr-defined]
    assert box is not None, "the page is blank"
    return box


def test_a_three_page_pdf_is_a_three_page_tiff_f_at_fine_resolution_in_g4() -> None:
    image = convert_to_fax(text_pdf(3), filename="lease.pdf")
    assert isinstance(image, FaxImage)
    assert image.pages == 3 and image.source_kind == "pdf" and not image.discouraged
    assert image.resolution is Resolution.FINE and image.compression is Compression.G4
    assert_tiff_f(image.tiff, pages=3, y_dpi=196, compression=4)
    import hashlib

    assert image.sha256 == hashlib.sha256(image.tiff).hexdigest()
    pages = fax_image_pages(image.tiff)
    assert [page.size for page in pages] == [(1728, 2149)] * 3 and pages[0].mode == "1"


@pytest.mark.parametrize(
    ("resolution", "compression", "y_dpi", "tag", "t4"),
    [
        ("standard", "g4", 98, 4, None),
        ("fine", "g3-1d", 196, 3, 0),
        ("standard", "g3-2d", 98, 3, 1),
    ],
)
def test_standard_resolution_and_group_3_when_asked(
    resolution: str, compression: str, y_dpi: int, tag: int, t4: int | None
) -> None:
    image = convert_to_fax(text_pdf(2), resolution=resolution, compression=compression)
    assert_tiff_f(image.tiff, pages=2, y_dpi=y_dpi, compression=tag)
    assert {page["t4"] for page in tiff_f_info(image.tiff)} == {t4}
    if resolution == "standard":
        assert tiff_f_info(image.tiff)[0]["height"] == 1074  # half the rows of fine


@pytest.mark.parametrize(
    ("paper", "height"),
    [("letter", 2149), ("a4", 2348), ("legal", 2735), ("landscape", 2149)],
)
def test_paper_sizes_are_scaled_to_the_width_with_nothing_cut(paper: str, height: int) -> None:
    image = convert_to_fax(text_pdf(1, size=PAGE_SIZES[paper], frame=True))
    (page,) = fax_image_pages(image.tiff)
    assert page.size == (1728, height)
    left, top, right, bottom = ink_box(page)
    # The squares a quarter inch inside each corner are all there, near the edges.
    assert 0 < left < 80 and 0 < top < 80
    assert 1728 - 80 < right < 1728 and height - 80 < bottom < height
    # The bar along the top edge of the page: across the fax for a portrait page; down
    # its left side for a landscape page, turned a quarter counter-clockwise.
    band = page.convert("L")
    if paper == "landscape":
        column = band.crop((140, 400, 165, height - 400))
        assert column.histogram()[0] > 0.8 * column.width * column.height
    else:
        row = band.crop((220, 135, 1500, 160))
        assert row.histogram()[0] > 0.8 * row.width * row.height


def test_a_page_taller_than_legal_is_scaled_down_to_legal_length() -> None:
    image = convert_to_fax(text_pdf(1, size=(612, 2000), frame=True))
    (page,) = fax_image_pages(image.tiff)
    assert page.height == 14 * 196
    left, _top, right, _bottom = ink_box(page)
    assert left > 300 and right < 1728 - 300  # centred, narrower than the fax


def test_nine_point_text_is_read_back_by_ocr() -> None:
    image = convert_to_fax(text_pdf(1, points=9))
    (page,) = fax_image_pages(image.tiff)
    band = page.crop((100, 240, 1728, 330))
    words = set(ocr(band).lower().replace(".", " ").split())
    expected = set(SENTENCE.lower().split())
    assert len(expected & words) >= len(expected) - 1, words


def test_eight_point_text_at_standard_resolution_is_still_read() -> None:
    image = convert_to_fax(text_pdf(1, points=8), resolution="standard")
    (page,) = fax_image_pages(image.tiff)
    # Standard rows are twice as tall: stretch back to square pixels for the reader.
    band = page.crop((100, 115, 1728, 165)).resize((1628, 100))
    words = set(ocr(band).lower().split())
    expected = set(SENTENCE.lower().split())
    assert len(expected & words) >= len(expected) - 3, words


def test_a_greyscale_photo_stays_grey_as_a_dither() -> None:
    image = convert_to_fax(photo_png(), filename="photo.png")
    assert image.source_kind == "image" and image.discouraged
    (page,) = fax_image_pages(image.tiff)
    grey = page.convert("L")

    def ink(box: tuple[int, int, int, int]) -> float:
        part = grey.crop(box)
        return part.histogram()[0] / (part.width * part.height)

    # A gradient from black at the top to white at the bottom, dithered: the ink thins
    # out band by band, with neither solid black nor bare paper in the middle; the disc
    # is darker than the gradient beside it.
    bands = [ink((300, top, 500, top + 100)) for top in range(150, 1300, 150)]
    assert bands == sorted(bands, reverse=True) and bands[0] > 0.9 > bands[3] > 0.1
    assert bands[-1] < 0.5
    assert ink((800, 850, 900, 950)) > ink((300, 850, 400, 950)) + 0.2


@pytest.mark.parametrize(
    ("data", "kind", "discouraged", "pages"),
    [
        (image_file("PNG"), "image", True, 1),
        (image_file("JPEG", "L"), "image", True, 1),
        (image_file("GIF", "P"), "image", True, 1),
        (image_file("TIFF", "1"), "tiff", False, 1),
        (image_file("TIFF", "L"), "tiff", False, 1),
        (image_file("TIFF", "RGB"), "tiff", False, 1),
        (b"Hello fax\fSecond page\n", "text", False, 2),
        ("Grüße aus Köln — naïve café\n".encode(), "text", False, 1),
        ("Grüße aus Köln\n".encode("cp1252"), "text", False, 1),
        ("Grüße aus Köln\r\n".encode("utf-16"), "text", False, 1),
        ("\ufeffA memo with a byte-order mark\n".encode(), "text", False, 1),
    ],
)
def test_images_tiff_and_text_convert(
    data: bytes, kind: str, discouraged: bool, pages: int
) -> None:
    image = convert_to_fax(data, filename="attachment.bin")
    assert image.source_kind == kind and image.discouraged is discouraged
    assert image.pages == pages
    assert_tiff_f(image.tiff, pages=image.pages)
    assert ink_box(fax_image_pages(image.tiff)[0])


def test_a_fax_tiff_keeps_its_pixels_and_changes_rows_with_the_resolution() -> None:
    from document_files import tiff_pages

    source = tiff_pages(2, size=(1728, 2200))
    fine = convert_to_fax(source)
    standard = convert_to_fax(source, resolution="standard")
    assert [p["height"] for p in tiff_f_info(fine.tiff)] == [2200, 2200]
    assert [p["height"] for p in tiff_f_info(standard.tiff)] == [1100, 1100]


def test_a_landscape_image_is_turned() -> None:
    image = convert_to_fax(image_file("PNG", size=(1100, 850)))
    (page,) = fax_image_pages(image.tiff)
    left, top, right, bottom = ink_box(page)
    assert bottom - top > right - left  # the bar, wide in the image, is tall on the page


def test_type_is_decided_by_content_not_the_name() -> None:
    assert sniff_kind(text_pdf(1)) == "pdf"
    assert convert_to_fax(text_pdf(1), filename="letter.docx").source_kind == "pdf"
    assert sniff_kind(ole_with_stream("WordDocument")) == "doc"
    assert sniff_kind(ole_with_stream("Workbook")) == "xls"
    assert sniff_kind(ole_with_stream("PowerPoint Document")) == "ppt"
    assert sniff_kind(ole_with_stream("VisioDocument")) == "vsd"
    assert sniff_kind(b"{\\rtf1\\ansi hello}") == "rtf"
    assert sniff_kind(b"PK\x03\x04rest") == "zip"
    assert sniff_kind(EXECUTABLE) is None
    with pytest.raises(InvalidAttachment) as caught:
        convert_to_fax(EXECUTABLE, filename="report.pdf")
    assert caught.value.reason == "unknown_type"


def test_join_puts_a_cover_page_before_the_body() -> None:
    cover = convert_to_fax(text_pdf(1, text="Cover"), resolution="standard")
    body = convert_to_fax(text_pdf(3))
    joined = join_fax_images([body, cover])
    assert joined.pages == 4 and joined.resolution is Resolution.FINE
    assert_tiff_f(joined.tiff, pages=4)
    assert [p["height"] for p in tiff_f_info(joined.tiff)] == [2149] * 3 + [2148]
    again = join_fax_images([cover, body])
    assert again.resolution is Resolution.STANDARD
    assert [p["height"] for p in tiff_f_info(again.tiff)] == [1074] * 4


def zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    return zip_bytes({"word/document.xml": b"<w/>", "word/big.xml": b"\x00" * (3 << 20)})


REFUSALS = [
    (EXECUTABLE, "unknown_type", None),
    (b"\x00\x01\x02\x03" * 100, "unknown_type", None),
    (HTML, "unknown_type", None),
    (b"%!PS-Adobe-3.0\n%%Pages: 1\nshowpage\n", "unknown_type", None),
    (zip_bytes({"readme.txt": b"hello"}), "unknown_type", None),
    (encrypted_pdf(), "encrypted", None),
    (ole_with_stream("EncryptedPackage"), "encrypted", None),
    (BROKEN_PDF, "corrupt", None),
    (b"%PDF-1.7\n" + b"\x00garbage" * 50, "corrupt", None),
    (pageless_pdf(), "no_pages", None),
    (bomb_tiff(3, 9000, 9000), "bomb", None),
    (text_pdf(3), "too_many_pages", FaxBudget(max_pages=2)),
    (text_pdf(1), "too_large", FaxBudget(max_bytes=1000)),
    (image_file("TIFF", "1"), "too_many_pages", FaxBudget(max_pages=0)),
    (b"line\n" * 200, "too_many_pages", FaxBudget(max_pages=3)),
    (b"page\f" * 5, "too_many_pages", FaxBudget(max_pages=4)),
]


@pytest.mark.parametrize(("data", "reason", "budget"), REFUSALS)
def test_refusals_are_invalid_attachment_with_the_reason(
    data: bytes, reason: str, budget: FaxBudget | None
) -> None:
    with pytest.raises(InvalidAttachment) as caught:
        convert_to_fax(data, filename="claim.pdf", budget=budget)
    refusal = caught.value
    assert refusal.code == "invalid_attachment" and refusal.field == "document"
    assert refusal.reason == reason
    assert refusal.message.startswith("Invalid Attachment: “claim.pdf” ")


def test_refusal_texts_say_what_to_do() -> None:
    with pytest.raises(InvalidAttachment) as caught:
        convert_to_fax(text_pdf(3), budget=FaxBudget(max_pages=2))
    assert "has 3 pages; a fax may have at most 2" in caught.value.message
    with pytest.raises(InvalidAttachment) as caught:
        convert_to_fax(encrypted_pdf())
    assert "password" in caught.value.message


def test_a_zip_bomb_is_refused_before_libreoffice_sees_it() -> None:
    with pytest.raises(InvalidAttachment) as caught:
        convert_to_fax(zip_bomb(), budget=FaxBudget(max_inflated_bytes=2 << 20))
    assert caught.value.reason == "bomb"


def test_a_conversion_over_its_time_is_refused_as_timed_out() -> None:
    # The zygote running first: its start (after a test that replaced it) is not the
    # conversion's time, but it counts against the caller's deadline.
    assert convert_to_fax(text_pdf(1)).pages == 1
    budget = FaxBudget(wall_seconds=0.05)
    with pytest.raises(InvalidAttachment) as caught:
        # 300 pages: about 0.3 s of work (60 pages now convert in about 50 ms, the limit).
        convert_to_fax(text_pdf(300), budget=budget)
    assert caught.value.reason == "timeout"
    assert convert_to_fax(text_pdf(1)).pages == 1  # the sandbox goes on


@pytest.mark.parametrize("data", [b"", None])
def test_nothing_is_no_attachment(data: bytes | None) -> None:
    with pytest.raises(ValidationFailed) as caught:
        convert_to_fax(data)
    assert caught.value.code == "no_attachment" and caught.value.field == "document"
    assert caught.value.message.startswith("No Attachment")
    with pytest.raises(ValidationFailed) as caught:
        join_fax_images([])
    assert caught.value.code == "no_attachment"


def test_an_unknown_resolution_or_compression_is_refused_by_name() -> None:
    with pytest.raises(ValidationFailed) as caught:
        convert_to_fax(text_pdf(1), resolution="superfine")
    assert caught.value.code == "invalid_resolution" and caught.value.field == "resolution"
    with pytest.raises(ValidationFailed) as caught:
        convert_to_fax(text_pdf(1), compression="jbig")
    assert caught.value.code == "invalid_compression" and "g4, g3-2d, g3-1d" in caught.value.message
