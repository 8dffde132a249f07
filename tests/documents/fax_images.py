"""Received fax TIFFs as spandsp writes them, for the tests of received faxes and receipts.

spandsp writes what it receives through libtiff: bilevel, min-is-white, LSB-to-MSB fill
order, one strip per page, G3 (T.4) or G4 (T.6), the resolution in inches, the remote
ident in ImageDescription. :func:`spandsp_tiff` does the same through the system's libtiff
(ctypes), independently of the code under test; the pages are drawn with Pillow.
"""

from __future__ import annotations

import ctypes
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

FAX_WIDTH = 1728
STANDARD = (204.0, 98.0)
FINE = (204.0, 196.0)
# 0 white in Pillow's mode "1" bytes is 0 bits; min-is-white wants 1 bits for black.
_INVERT = bytes(255 - i for i in range(256))


@dataclass(frozen=True)
class Page:
    """A fax page: its pixels (mode "1") and its resolution (dots per inch)."""

    image: Image.Image
    x_dpi: float
    y_dpi: float


def draw_page(number: int, *, fine: bool, width: int = FAX_WIDTH, inches: float = 11.0) -> Page:
    """A page with text, rules, a diagonal and a filled box (its own pattern per page)."""
    x_dpi, y_dpi = FINE if fine else STANDARD
    height = round(inches * y_dpi)
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, width - 40, height - 40), outline=0, width=3)
    draw.line((40, 40, width - 40, height - 40), fill=0, width=2)
    draw.rectangle((200 + number * 30, 200, 500 + number * 30, 200 + height // 8), fill=0)
    for row in range(8):
        y = height // 3 + row * (height // 20)
        draw.text((120, y), f"Page {number} line {row}: fax text 0123456789 ABC", fill=0)
        draw.line((120, y + 14, width - 120 - row * 40, y + 14), fill=0, width=1)
    for x in range(60, width - 60, 37):
        draw.point((x, height - 80), fill=0)
    return Page(image, x_dpi, y_dpi)


def _libtiff() -> ctypes.CDLL:
    lib = ctypes.CDLL("libtiff.so.6")
    lib.TIFFOpen.restype = ctypes.c_void_p
    lib.TIFFOpen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    lib.TIFFWriteScanline.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_uint32,
        ctypes.c_uint16,
    ]
    lib.TIFFWriteDirectory.argtypes = [ctypes.c_void_p]
    lib.TIFFClose.argtypes = [ctypes.c_void_p]
    lib.TIFFSetErrorHandler.argtypes = [ctypes.c_void_p]
    lib.TIFFSetWarningHandler.argtypes = [ctypes.c_void_p]
    return lib


def spandsp_tiff(
    pages: list[Page],
    *,
    compression: str = "g4",
    fill_order: int = 2,
    ident: str = "+1 555 0100 REMOTE",
    unit: str = "inch",
) -> bytes:
    """The pages as one TIFF written by libtiff the way spandsp's receiver writes it."""
    lib = _libtiff()
    codes = {"g3": 3, "g3-2d": 3, "g4": 4}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rx.tif"
        tif = lib.TIFFOpen(str(path).encode(), b"w")
        assert tif, "libtiff could not open the file"
        handle = ctypes.c_void_p(tif)

        def put(tag: int, *values: object) -> None:
            assert lib.TIFFSetField(handle, ctypes.c_uint32(tag), *values) == 1, tag

        for index, page in enumerate(pages):
            width, height = page.image.size
            put(254, ctypes.c_uint32(2))  # SubfileType: a page
            put(256, ctypes.c_uint32(width))
            put(257, ctypes.c_uint32(height))
            put(258, ctypes.c_int(1))
            put(277, ctypes.c_int(1))
            put(259, ctypes.c_int(codes[compression]))
            if compression == "g3":
                put(292, ctypes.c_uint32(4))  # T4Options: fill bits, 1D
            elif compression == "g3-2d":
                put(292, ctypes.c_uint32(5))  # 2D, fill bits
            put(262, ctypes.c_int(0))  # min-is-white
            put(266, ctypes.c_int(fill_order))
            put(278, ctypes.c_uint32(height))  # one strip per page
            factor = 2.54 if unit == "cm" else 1.0
            put(296, ctypes.c_int(3 if unit == "cm" else 2))
            put(282, ctypes.c_double(page.x_dpi / factor))
            put(283, ctypes.c_double(page.y_dpi / factor))
            put(297, ctypes.c_int(index), ctypes.c_int(len(pages)))
            put(305, b"Spandsp 20110122 075024")
            put(270, ident.encode("latin-1"))
            data = page.image.tobytes().translate(_INVERT)
            stride = (width + 7) // 8
            for row in range(height):
                line = data[row * stride : (row + 1) * stride]
                assert lib.TIFFWriteScanline(handle, line, row, 0) == 1
            assert lib.TIFFWriteDirectory(handle) == 1
        lib.TIFFClose(handle)
        return path.read_bytes()


def fax_pages(tiff: bytes) -> list[tuple[Image.Image, tuple[float, float]]]:
    """Each page of a TIFF decoded by Pillow, with its resolution (for comparisons)."""
    import io

    out = []
    with Image.open(io.BytesIO(tiff)) as image:
        for index in range(image.n_frames):
            image.seek(index)
            dpi = image.info.get("dpi") or (0.0, 0.0)
            out.append((image.convert("1").copy(), (float(dpi[0]), float(dpi[1]))))
    return out


def mixed_fax(compression: str = "g4", fill_order: int = 2) -> tuple[list[Page], bytes]:
    """Three pages: fine, standard, fine (a sender may switch between pages)."""
    pages = [draw_page(1, fine=True), draw_page(2, fine=False), draw_page(3, fine=True)]
    return pages, spandsp_tiff(pages, compression=compression, fill_order=fill_order)
