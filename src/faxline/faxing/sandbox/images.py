"""A received fax page as a PNG for the browser.

The TIFF-F comes from the sandbox's own modem (spandsp writes it), but its content is what a
sender sent: the page's size is checked before it is decoded, and nothing larger than a fax
page is decoded.
"""

from __future__ import annotations

import io

from PIL import Image

from faxline.core.errors import NotFound

MAX_WIDTH = 4864  # T.4's widest line (A3 at 400 dpi is 4864 pixels)
MAX_HEIGHT = 12000  # a Legal page at 400 lines per inch is 5600 lines: room to spare


def page_png(tiff: bytes, page: int) -> bytes:
    """Page ``page`` (from 1) of a multi-page TIFF-F as a PNG; a standard-resolution page
    (98 lines per inch) is shown with its lines doubled so that it keeps its proportions."""
    with Image.open(io.BytesIO(tiff)) as image:
        if page < 1 or page > getattr(image, "n_frames", 1):
            raise NotFound(f"This fax has no page {page}.", field="page")
        image.seek(page - 1)
        width, height = image.size
        if width > MAX_WIDTH or height > MAX_HEIGHT:
            raise NotFound("This page is larger than a fax page.", field="page")
        dpi = image.info.get("dpi") or (204, 196)
        frame = image.convert("1")
        x_dpi, y_dpi = float(dpi[0] or 204), float(dpi[1] or 196)
        if y_dpi and x_dpi / y_dpi > 1.5:
            frame = frame.resize((width, round(height * x_dpi / y_dpi)), Image.Resampling.NEAREST)
        out = io.BytesIO()
        frame.save(out, format="PNG")
        return out.getvalue()
