"""Sample files for the documents tests: good ones of each accepted type, and hostile ones
(broken, encrypted, empty, too many pages, decompression bombs, other types behind a PDF
name)."""

from __future__ import annotations

import io
import struct
import zlib

from hostile_documents import (  # noqa: F401 (shared with the porting and onboarding tests)
    absurd_startxref_pdf,
    bomb_tiff,
    pdf_with_catalog,
    raw_pdf,
    tiff_next_page_past_the_end,
)


def pdf_bytes(pages: int = 1, text: str = "Phone bill") -> bytes:
    """A PDF with ``text`` on each of its ``pages``."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    doc = canvas.Canvas(out)
    for index in range(pages):
        doc.drawString(72, 720, f"{text} page {index + 1}")
        doc.showPage()
    doc.save()
    return out.getvalue()


def blank_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` blank letter pages (quick to make in any number)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """A PDF that opens only with a password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pageless_pdf() -> bytes:
    """A well-formed PDF whose page tree is empty."""
    body = [
        b"%PDF-1.4\n",
        b"1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n",
        b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n",
    ]
    offsets, position = [], 0
    for part in body:
        offsets.append(position)
        position += len(part)
    xref = b"xref\n0 3\n0000000000 65535 f \n" + b"".join(
        b"%010d 00000 n \n" % offset for offset in offsets[1:]
    )
    trailer = b"trailer <</Size 3 /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % position
    return b"".join(body) + xref + trailer


def image_bytes(
    fmt: str = "PNG",
    size: tuple[int, int] = (850, 1100),
    mode: str = "RGB",
    dpi: tuple[int, int] | None = None,
) -> bytes:
    """An image with a black bar near its top-left corner."""
    from PIL import Image, ImageDraw

    image = Image.new(mode, size, "white" if mode != "1" else 1)
    ImageDraw.Draw(image).rectangle((50, 50, 400, 120), fill="black" if mode != "1" else 0)
    out = io.BytesIO()
    if dpi is not None:
        image.save(out, fmt, dpi=dpi)
    else:
        image.save(out, fmt)
    return out.getvalue()


def tiff_pages(pages: int = 3, size: tuple[int, int] = (1728, 2200)) -> bytes:
    """A bilevel G4 multi-page TIFF at fax resolution, as a fax machine stores one."""
    from PIL import Image, ImageDraw

    frames = []
    for index in range(pages):
        frame = Image.new("1", size, 1)
        ImageDraw.Draw(frame).text((10, 10 + index), f"page {index + 1}", fill=0)
        frames.append(frame)
    out = io.BytesIO()
    frames[0].save(
        out, "TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=(204, 196)
    )
    return out.getvalue()


def png_bomb() -> bytes:
    """A real decompression bomb: a small file declaring 15000 x 15000 one-bit pixels."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (15000, 15000), color=0).save(out, format="PNG", optimize=True)
    return out.getvalue()


def header_bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims a huge image, its data cut short."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
HTML = b"<!doctype html><html><script>alert(1)</script></html>"
BROKEN_PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R>>\ngarbage"


def pdf_text(data: bytes, page: int | None = None) -> str:
    """The text of a PDF (one page, or all of them)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = reader.pages if page is None else [reader.pages[page]]
    return "\n".join(p.extract_text() or "" for p in pages)
