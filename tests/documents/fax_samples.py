"""Sample attachments for the fax conversion tests, made at test time, and the checks of a
TIFF-F."""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any

SENTENCE = "Please deliver the signed lease to apartment twelve before Friday morning"
PAGE_SIZES = {
    "letter": (612.0, 792.0),
    "a4": (595.28, 841.89),
    "legal": (612.0, 1008.0),
    "landscape": (792.0, 612.0),
}


def text_pdf(
    pages: int = 1,
    *,
    size: tuple[float, float] = PAGE_SIZES["letter"],
    text: str = SENTENCE,
    points: float = 9,
    frame: bool = False,
) -> bytes:
    """A PDF with ``text`` at ``points`` on each page; with ``frame``, a black square in
    each corner a quarter inch from the edges (to see the margins kept) and a bar along
    the top edge."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    doc = canvas.Canvas(out, pagesize=size, invariant=True)
    width, height = size
    for index in range(pages):
        doc.setFont("Helvetica", points)
        doc.drawString(72, height - 108, f"{text} (page {index + 1})")
        if frame:
            for x, y in ((18, 18), (width - 36, 18), (18, height - 36), (width - 36, height - 36)):
                doc.rect(x, y, 18, 18, stroke=0, fill=1)
            doc.rect(72, height - 60, width - 144, 12, stroke=0, fill=1)
        doc.showPage()
    doc.save()
    return out.getvalue()


def photo_png(size: tuple[int, int] = (400, 600)) -> bytes:
    """A greyscale "photo" (no resolution: it fills the width of a Letter page): a smooth
    gradient from black at the top to white at the bottom, and a darker disc."""
    from PIL import Image, ImageDraw

    image = Image.linear_gradient("L").resize(size)
    ImageDraw.Draw(image).ellipse((150, 250, 250, 350), fill=40)
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG")
    return out.getvalue()


def image_file(fmt: str, mode: str = "RGB", size: tuple[int, int] = (400, 300)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new(mode, size, "white" if mode != "1" else 1)
    ImageDraw.Draw(image).rectangle((20, 20, 200, 60), fill="black" if mode != "1" else 0)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def ole_with_stream(name: str) -> bytes:
    """Not a real document: an OLE header and a directory entry naming ``name`` (what the
    sniffer reads). LibreOffice would refuse it."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entry = name.encode("utf-16-le") + b"\x00\x00"
    return header + entry.ljust(128, b"\x00") + b"\x00" * 384


def tiff_f_info(tiff: bytes) -> list[dict[str, Any]]:
    """Each page's TIFF-F tags: width, height, mode, compression, photometric, T4 options,
    resolution."""
    from PIL import Image

    pages = []
    with Image.open(io.BytesIO(tiff)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            tags = image.tag_v2
            pages.append(
                {
                    "width": image.width,
                    "height": image.height,
                    "mode": image.mode,
                    "bits": tags.get(258),
                    "compression": tags.get(259),
                    "photometric": tags.get(262),
                    "t4": tags.get(292),
                    "dpi": (float(tags.get(282)), float(tags.get(283))),
                    "unit": tags.get(296),
                }
            )
    return pages


def assert_tiff_f(tiff: bytes, *, pages: int, y_dpi: int = 196, compression: int = 4) -> None:
    info = tiff_f_info(tiff)
    assert len(info) == pages
    for page in info:
        assert page["width"] == 1728
        assert page["mode"] == "1"
        assert page["compression"] == compression
        assert page["photometric"] == 0  # white is zero, as T.4 codes runs
        assert page["dpi"] == (204.0, float(y_dpi))
        assert page["unit"] == 2


def ocr(image: Any) -> str:
    """The words tesseract reads on a page (a PIL image)."""
    out = io.BytesIO()
    image.convert("L").save(out, "PNG")
    result = subprocess.run(
        [shutil.which("tesseract") or "tesseract", "stdin", "stdout", "--psm", "6"],
        input=out.getvalue(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    return result.stdout.decode()
