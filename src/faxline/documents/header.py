"""The header line stamped at the top of every transmitted fax page.

:func:`stamp_header` takes a TIFF-F (bilevel, 1728 px wide, 204x196 or 204x98, one page per
IFD) and returns it with, on every page, one line: the date and time (text the caller wrote
in the sender's format and zone) at the left, the sender's ident (TSI) in the middle and
"Page n of m" at the right, in DejaVu Sans Mono (Pillow's default font when DejaVu is
missing), black on white.

Where it goes: a band at the top of the page, about 0.14 inch high. When that band is blank
(a converted page's top margin), the line is drawn into it and nothing moves. When the band
carries ink, the page's content is shifted down by the band's height and as many rows are
taken off the bottom (the bottom margin), so the page keeps its size and nothing of the top
is covered.

Both resolutions: the line is drawn at square pixels (204 per inch both ways), then scaled
to the page's rows per inch (half the rows at standard resolution), so the glyphs keep their
shape on paper instead of being drawn twice as tall.

The output keeps the input's compression (G4, or G3) and resolution tags.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import Any

FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
FAX_WIDTH = 1728
X_DPI = 204
# The header band at square resolution (204 rows per inch): 28 rows, about 0.14 inch.
BAND_ROWS_SQUARE = 28
FONT_PIXELS = 22  # about 7.8 points at 204 dpi
SIDE_PIXELS = 40
MAX_TEXT_CHARS = 60


@dataclass(frozen=True)
class HeaderLine:
    """What the header line says: the sender's ident (TSI) and the date and time, already
    written in the sender's format and zone. Page numbers are added per page."""

    ident: str
    when: str

    def text(self, page: int, pages: int) -> tuple[str, str, str]:
        """The left, middle and right parts of page ``page`` of ``pages``."""
        return (_clean(self.when), _clean(self.ident), f"Page {page} of {pages}")


def _clean(value: str) -> str:
    printable = "".join(ch for ch in value if ch.isprintable())
    return " ".join(printable.split())[:MAX_TEXT_CHARS]


@cache
def _font(bold: bool) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(FONT_BOLD_PATH if bold else FONT_PATH, FONT_PIXELS)
    except OSError:
        try:
            return ImageFont.load_default(size=FONT_PIXELS)
        except TypeError:  # an old Pillow without sized default fonts
            return ImageFont.load_default()


def band_rows(y_dpi: float) -> int:
    """The header band's height in rows at ``y_dpi`` rows per inch."""
    return max(8, round(BAND_ROWS_SQUARE * y_dpi / X_DPI))


def render_strip(line: HeaderLine, page: int, pages: int, *, width: int, y_dpi: float) -> Any:
    """The header band of one page as a bilevel image ``width`` wide, ``band_rows(y_dpi)``
    high: drawn at square pixels and scaled to the page's rows per inch."""
    from PIL import Image, ImageDraw

    standard = y_dpi < 150
    font = _font(standard)  # bold at standard resolution: strokes survive halving
    square = Image.new("L", (width, BAND_ROWS_SQUARE), 255)
    draw = ImageDraw.Draw(square)
    left, middle, right = line.text(page, pages)
    top = (BAND_ROWS_SQUARE - FONT_PIXELS) // 2
    usable = width - 2 * SIDE_PIXELS
    right_width = draw.textlength(right, font=font)
    draw.text((width - SIDE_PIXELS - right_width, top), right, font=font, fill=0)
    left_width = draw.textlength(left, font=font)
    draw.text((SIDE_PIXELS, top), left, font=font, fill=0)
    # The ident in the middle, cut to the room between the two others.
    room = usable - left_width - right_width - 4 * draw.textlength(" ", font=font)
    while middle and draw.textlength(middle, font=font) > room:
        middle = middle[:-1]
    if middle:
        middle_width = draw.textlength(middle, font=font)
        centre = max(SIDE_PIXELS + left_width + 24, (width - middle_width) / 2)
        centre = min(centre, width - SIDE_PIXELS - right_width - 24 - middle_width)
        draw.text((centre, top), middle, font=font, fill=0)
    rows = band_rows(y_dpi)
    if rows != BAND_ROWS_SQUARE:
        square = square.resize((width, rows), Image.Resampling.BOX)
    threshold = 170 if standard else 128
    return square.point(lambda v: 0 if v < threshold else 255).convert("1")


def _blank(image: Any, box: tuple[int, int, int, int]) -> bool:
    """Whether the region of a bilevel image has no black pixel."""
    region = image.crop(box).convert("L")
    low, _high = region.getextrema()
    return bool(low == 255)


def stamp_page(image: Any, line: HeaderLine, page: int, pages: int, y_dpi: float) -> Any:
    """One page (a bilevel Pillow image) with its header line; same size."""
    from PIL import Image

    page_image = image.convert("1")
    width, height = page_image.size
    rows = band_rows(y_dpi)
    strip = render_strip(line, page, pages, width=width, y_dpi=y_dpi)
    if height <= rows:
        page_image = page_image.copy()
    elif not _blank(page_image, (0, 0, width, rows)):
        shifted = Image.new("1", (width, height), 1)
        shifted.paste(page_image.crop((0, 0, width, height - rows)), (0, rows))
        page_image = shifted
    else:
        page_image = page_image.copy()
    page_image.paste(strip, (0, 0))
    return page_image


def stamp_header(tiff: bytes, line: HeaderLine) -> bytes:
    """``tiff`` (a TIFF-F faxline made) with the header line on every page, in the same
    compression and with the same resolution tags."""
    from PIL import Image, ImageSequence

    with Image.open(io.BytesIO(tiff), formats=["TIFF"]) as source:
        compression = source.info.get("compression", "group4")
        if compression not in ("group3", "group4"):
            compression = "group4"
        frames = []
        resolutions = []
        for frame in ImageSequence.Iterator(source):
            dpi = frame.info.get("dpi") or (X_DPI, 196)
            x_dpi, y_dpi = float(dpi[0]), float(dpi[1])
            resolutions.append((x_dpi, y_dpi))
            frames.append(frame.copy())
    pages = len(frames)
    stamped = [
        stamp_page(frame, line, index + 1, pages, resolutions[index][1])
        for index, frame in enumerate(frames)
    ]
    out = io.BytesIO()
    first, rest = stamped[0], stamped[1:]
    x_dpi, y_dpi = resolutions[0]
    first.save(
        out,
        format="TIFF",
        compression=compression,
        dpi=(x_dpi, y_dpi),
        save_all=True,
        append_images=rest,
    )
    return out.getvalue()
