"""The header line: stamped on every page of a TIFF-F at fine and standard resolution,
read back by OCR, the page size, compression and resolution tags kept; drawn into a blank
top margin, or the content shifted down when the top carries ink."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from faxline.documents.header import HeaderLine, band_rows, render_strip, stamp_header

pytestmark = pytest.mark.database_independent

LINE = HeaderLine(ident="NORTHWIND TRADING", when="12-06-2026 9:30 AM")


def tiff_f(y_dpi: int, pages: int = 3, *, ink_at_top: bool = False) -> bytes:
    """A letter-size TIFF-F: G4, 1728 wide, a black block on each page (from the first row
    when ``ink_at_top``, else from half an inch down)."""
    from PIL import Image, ImageDraw

    height = round(11 * y_dpi)
    frames = []
    for index in range(pages):
        frame = Image.new("1", (1728, height), 1)
        top = 0 if ink_at_top else y_dpi // 2
        ImageDraw.Draw(frame).rectangle((200 + index * 10, top, 900, top + y_dpi), fill=0)
        frames.append(frame)
    out = io.BytesIO()
    frames[0].save(
        out,
        format="TIFF",
        compression="group4",
        dpi=(204, y_dpi),
        save_all=True,
        append_images=frames[1:],
    )
    return out.getvalue()


def pages_of(tiff: bytes) -> list:  # type: ignore[type-arg]
    from PIL import Image, ImageSequence

    image = Image.open(io.BytesIO(tiff))
    return [(frame.copy(), dict(frame.info)) for frame in ImageSequence.Iterator(image)]


def ocr_strip(image, y_dpi: int, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """The header band as tesseract reads it: stretched back to square pixels, enlarged."""
    from PIL import Image

    rows = band_rows(y_dpi)
    strip = image.crop((0, 0, image.width, rows)).convert("L")
    square = strip.resize(
        (image.width * 3, round(rows * 204 / y_dpi) * 3), Image.Resampling.LANCZOS
    )
    framed = Image.new("L", (square.width + 80, square.height + 80), 255)
    framed.paste(square, (40, 40))
    path = tmp_path / f"strip{y_dpi}.png"
    framed.save(path)
    result = subprocess.run(
        ["tesseract", str(path), "-", "--psm", "7"], capture_output=True, text=True, check=True
    )
    return " ".join(result.stdout.split())


@pytest.mark.parametrize("y_dpi", [196, 98], ids=["fine", "standard"])
def test_every_page_carries_the_header_line(y_dpi: int, tmp_path: Path) -> None:
    source = tiff_f(y_dpi)
    stamped = pages_of(stamp_header(source, LINE))
    original = pages_of(source)
    assert len(stamped) == 3
    for number, ((page, info), (before, _)) in enumerate(
        zip(stamped, original, strict=True), start=1
    ):
        assert page.mode == "1"
        assert page.size == before.size == (1728, round(11 * y_dpi))
        assert info["compression"] == "group4"
        assert tuple(float(v) for v in info["dpi"]) == (204.0, float(y_dpi))
        rows = band_rows(y_dpi)
        band = page.crop((0, 0, 1728, rows)).convert("L")
        assert band.getextrema()[0] == 0, "the first rows carry ink"
        assert before.crop((0, 0, 1728, rows)).convert("L").getextrema()[0] == 255
        text = ocr_strip(page, y_dpi, tmp_path)
        assert f"Page {number} of 3" in text
        assert "NORTHWIND TRADING" in text
        assert "2026" in text  # (DejaVu's dotted zero reads as 8 at times)
        assert "AM" in text
        # Below the band, the page is unchanged (the blank top margin took the line).
        assert list(page.crop((0, rows, 1728, page.height)).get_flattened_data()) == list(
            before.crop((0, rows, 1728, before.height)).get_flattened_data()
        )


def test_glyphs_keep_their_shape_at_standard_resolution() -> None:
    """At standard resolution the band has half the rows of fine (same height on paper)."""
    fine = render_strip(LINE, 1, 1, width=1728, y_dpi=196)
    standard = render_strip(LINE, 1, 1, width=1728, y_dpi=98)
    assert standard.height * 2 == pytest.approx(fine.height, abs=1)

    def ink_rows(image) -> int:  # type: ignore[no-untyped-def]
        return sum(
            1
            for y in range(image.height)
            if image.crop((0, y, image.width, y + 1)).convert("L").getextrema()[0] == 0
        )

    # The text is as tall on paper at both resolutions: half as many rows with ink.
    assert ink_rows(standard) * 2 == pytest.approx(ink_rows(fine), abs=3)


def test_ink_at_the_top_shifts_the_page_down(tmp_path: Path) -> None:
    source = tiff_f(196, pages=1, ink_at_top=True)
    ((before, _),) = pages_of(source)
    ((after, _),) = pages_of(stamp_header(source, LINE))
    rows = band_rows(196)
    assert after.size == before.size
    # The block that began on row 0 now begins below the band: nothing was covered.
    assert list(after.crop((0, rows, 1728, before.height)).get_flattened_data()) == list(
        before.crop((0, 0, 1728, before.height - rows)).get_flattened_data()
    )
    assert "Page 1 of 1" in ocr_strip(after, 196, tmp_path)


def test_group3_input_stays_group3() -> None:
    from PIL import Image

    frame = Image.new("1", (1728, 1078), 1)
    out = io.BytesIO()
    frame.save(out, format="TIFF", compression="group3", dpi=(204, 98))
    stamped = Image.open(io.BytesIO(stamp_header(out.getvalue(), LINE)))
    assert stamped.info["compression"] == "group3"
    assert stamped.size == (1728, 1078)


def test_long_idents_are_cut_between_date_and_page() -> None:
    line = HeaderLine(ident="X" * 500 + "\x00\n", when="12-06-2026 9:30 AM")
    _left, middle, right = line.text(1, 2)
    assert len(middle) == 60
    assert right == "Page 1 of 2"
    strip = render_strip(line, 1, 2, width=1728, y_dpi=196)
    assert strip.size == (1728, band_rows(196))
