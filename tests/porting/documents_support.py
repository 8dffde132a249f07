"""Helpers of the Files and LOA tests: sample files (good and hostile), the vault in a
temporary folder, and one platform signing key for the whole test session."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def signing_key_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A platform key and certificate generated once (RSA 3072 takes a moment)."""
    from faxline.documents.keys import generate_key_files

    folder = tmp_path_factory.mktemp("signing")
    key, cert = folder / "platform-seal.key", folder / "platform-seal.crt"
    generate_key_files(folder, key, cert)
    return key, cert


@pytest.fixture
def documents_env(
    settings: Any, tmp_path: Path, signing_key_files: tuple[Path, Path]
) -> Iterator[Path]:
    """The vault under a temporary MEDIA_ROOT and the session's signing key."""
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    settings.FAXLINE_SIGNING_KEY_FILE = str(signing_key_files[0])
    settings.FAXLINE_SIGNING_CERT_FILE = str(signing_key_files[1])
    settings.FAXLINE_PORTAL_URL = "https://fax.example.com"
    yield media


def vault_files() -> list[Path]:
    """The files in the vault (under the test's MEDIA_ROOT)."""
    from django.conf import settings

    return [p for p in Path(settings.MEDIA_ROOT).rglob("*.bin") if p.is_file()]


def pdf_bytes(pages: int = 1, text: str = "Phone bill") -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    doc = canvas.Canvas(out)
    for index in range(pages):
        doc.drawString(72, 720, f"{text} page {index + 1}")
        doc.showPage()
    doc.save()
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (850, 1100), mode: str = "RGB") -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new(mode, size, "white" if mode != "1" else 1)
    ImageDraw.Draw(image).rectangle((50, 50, 400, 120), fill="black" if mode != "1" else 0)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def tiff_pages(pages: int = 3) -> bytes:
    from PIL import Image, ImageDraw

    frames = []
    for index in range(pages):
        frame = Image.new("1", (1728, 2200), 1)
        ImageDraw.Draw(frame).text((100, 100 + index * 50), f"page {index + 1}", fill=0)
        frames.append(frame)
    out = io.BytesIO()
    frames[0].save(
        out, "TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=(204, 196)
    )
    return out.getvalue()


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A small PNG that declares a huge image (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(200)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


HOSTILE = {
    "executable renamed .pdf": ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
    "broken PDF": ("bill.pdf", b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R>>\ngarbage"),
    "HTML page": ("bill.pdf", b"<!doctype html><html><script>alert(1)</script></html>"),
}


def drawn_signature(size: tuple[int, int] = (600, 180), ink: bool = True) -> str:
    """A PNG data URL as the signature pad sends it (transparent, dark strokes)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if ink:
        draw = ImageDraw.Draw(image)
        draw.line(
            [(30, 140), (120, 40), (200, 150), (300, 50), (420, 120)],
            fill=(13, 42, 107, 255),
            width=5,
        )
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def pdf_text(data: bytes, page: int | None = None) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = reader.pages if page is None else [reader.pages[page]]
    return "\n".join(p.extract_text() or "" for p in pages)


def page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)
