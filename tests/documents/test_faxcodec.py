"""The compiled fast path of TIFF-F gives the pages Pillow's path gives, pixel for pixel
(threshold and dither), and writes every TIFF-F tag (page number and count, page subfile
type, fill order, white-is-zero, T.4 options)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from fax_samples import photo_png, text_pdf, tiff_f_info

from faxline.documents import faxcodec
from faxline.documents.faximage import (
    Compression,
    Resolution,
    encode_tiff_f,
    fax_image_pages,
    render_pdf_page_bilevel,
)

pytestmark = pytest.mark.database_independent


def pdf_with_photo() -> bytes:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    doc = canvas.Canvas(out, invariant=True)
    doc.drawString(72, 760, "A photo below")
    doc.drawImage(ImageReader(io.BytesIO(photo_png())), 72, 200, width=300, height=450)
    doc.showPage()
    doc.save()
    return out.getvalue()


def test_the_codec_builds_here() -> None:
    # gcc and libtiff's headers are system dependencies (scripts/system-deps.sh).
    assert faxcodec.load() is not None


@pytest.mark.parametrize(
    ("make", "resolution"),
    [
        (lambda: text_pdf(1, frame=True), "fine"),
        (pdf_with_photo, "fine"),
        (pdf_with_photo, "standard"),
    ],
)
def test_fast_and_pillow_paths_give_the_same_pixels(make: object, resolution: str) -> None:
    document = pdfium.PdfDocument(make())  # type: ignore[operator]
    page = document[0]
    fast = render_pdf_page_bilevel(page, Resolution(resolution), fast=True)
    slow = render_pdf_page_bilevel(page, Resolution(resolution), fast=False)
    page.close()
    document.close()
    fast_tiff = encode_tiff_f([fast], Resolution(resolution), Compression.G4, fast=True)
    slow_tiff = encode_tiff_f([slow], Resolution(resolution), Compression.G4, fast=False)
    (fast_page,) = fax_image_pages(fast_tiff)
    (slow_page,) = fax_image_pages(slow_tiff)
    assert fast_page.size == slow_page.size
    assert fast_page.tobytes() == slow_page.tobytes()
    if make is pdf_with_photo:
        # The photo was dithered (neither solid nor empty), not thresholded.
        middle = fast_page.convert("L").crop(
            (300, fast_page.height // 3, 700, fast_page.height // 2)
        )
        share = middle.histogram()[0] / (middle.width * middle.height)
        assert 0.1 < share < 0.9


@pytest.mark.parametrize(
    ("compression", "tag", "t4"),
    [(Compression.G4, 4, None), (Compression.G3_1D, 3, 0), (Compression.G3_2D, 3, 1)],
)
def test_the_codec_writes_every_tiff_f_tag(
    compression: Compression, tag: int, t4: int | None
) -> None:
    from PIL import Image

    pages = [Image.new("1", (1728, 200), 1) for _ in range(3)]
    tiff = encode_tiff_f(pages, Resolution.STANDARD, compression, fast=True)
    info = tiff_f_info(tiff)
    assert [page["compression"] for page in info] == [tag] * 3
    assert {page["t4"] for page in info} == {t4}
    with Image.open(io.BytesIO(tiff)) as image:
        numbers = []
        for index in range(3):
            image.seek(index)
            assert image.tag_v2[254] == 2 and image.tag_v2[266] == 1 and image.tag_v2[262] == 0
            numbers.append(image.tag_v2[297])
    assert numbers == [(0, 3), (1, 3), (2, 3)]
    assert info[0]["dpi"] == (204.0, 98.0)
    decoded = fax_image_pages(tiff)
    assert [page.size for page in decoded] == [(1728, 200)] * 3
    assert all(page.getextrema() == (255, 255) for page in decoded)  # white stays white


def test_g4_and_both_g3_codings_decode_to_the_same_page() -> None:
    from faxline.documents.faximage import convert_to_fax

    decoded = []
    sizes = []
    for compression in ("g4", "g3-2d", "g3-1d"):
        image = convert_to_fax(text_pdf(1, frame=True), compression=compression)
        (page,) = fax_image_pages(image.tiff)
        decoded.append(page.tobytes())
        sizes.append(len(image.tiff))
    assert decoded[0] == decoded[1] == decoded[2]
    assert sizes[0] < sizes[1] < sizes[2]  # G4 is the most compact, 1-D the least


def every_run_length() -> object:
    """Rows with a white run then a black one, and a black then a white one, of every
    length from 0 to 1728, each below a white row (so that they are coded horizontally)."""
    from PIL import Image

    white, black = b"\xff", b"\x00"  # mode "L" bytes for white and black pixels
    rows = []
    for k in range(1729):
        rows.append(white * 1728)
        rows.append(white * (1728 - k) + black * k)
        rows.append(black * k + white * (1728 - k))
    return Image.frombytes("L", (1728, len(rows)), b"".join(rows)).convert("1")


def random_page(seed: int) -> object:
    import random

    from PIL import Image, ImageDraw

    chance = random.Random(seed)
    page = Image.new("1", (1728, 200), 1)
    draw = ImageDraw.Draw(page)
    for _ in range(chance.randint(0, 60)):
        x, y = chance.randint(-10, 1727), chance.randint(-5, 199)
        box = (x, y, x + chance.randint(0, 1800), y + chance.randint(0, 30))
        draw.rectangle(box, fill=chance.randint(0, 1))
    for _ in range(chance.randint(0, 1500)):
        draw.point((chance.randint(0, 1727), chance.randint(0, 199)), fill=chance.randint(0, 1))
    return page


@pytest.mark.parametrize(
    "make",
    [every_run_length, lambda: random_page(1), lambda: random_page(2), lambda: random_page(3)],
)
def test_our_g4_coder_writes_libtiffs_bytes_and_decodes_exactly(make: object) -> None:
    page = make()  # type: ignore[operator]
    ours = encode_tiff_f([page], Resolution.FINE, Compression.G4, fast=True)
    libtiff = encode_tiff_f([page], Resolution.FINE, Compression.G4, fast=True, libtiff_g4=True)
    assert ours == libtiff
    (back,) = fax_image_pages(ours)
    assert back.tobytes() == page.tobytes()  # type: ignore[attr-defined]


def test_our_g4_coder_on_rendered_pages() -> None:
    document = pdfium.PdfDocument(pdf_with_photo())
    pages = [render_pdf_page_bilevel(document[0], Resolution.FINE, fast=True)]
    document.close()
    pages.append(render_pdf_page_bilevel(pdfium.PdfDocument(text_pdf(1))[0], Resolution.FINE))
    ours = encode_tiff_f(pages, Resolution.FINE, Compression.G4)
    assert ours == encode_tiff_f(pages, Resolution.FINE, Compression.G4, libtiff_g4=True)
