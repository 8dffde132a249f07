"""Hostile documents as the probe of issue "Hardening" built them, shared by the documents,
porting and onboarding tests and the live hostile-document test: a decompression-bomb TIFF
(many pages of a huge image sharing one compressed strip), malformed files that made the
decoders raise, and hand-written PDFs (to carry scripts and other active content)."""

from __future__ import annotations

import functools
import io
import random
import struct
import zlib


def _small_tiff(size: tuple[int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", size, 1).save(out, "TIFF", compression="group4")
    return out.getvalue()


def _small_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    doc = canvas.Canvas(out)
    doc.drawString(72, 720, "Phone bill")
    doc.showPage()
    doc.save()
    return out.getvalue()


def bomb_tiff(
    frames: int = 200,
    width: int = 6700,
    height: int = 6700,
    *,
    bits: int = 1,
    samples: int = 1,
    noise: bool = False,
) -> bytes:
    """A decompression bomb as the probe built it: ``frames`` pages of a huge image that all
    point at one small deflate-compressed strip of blank pixels (about 30 kB for 200 pages
    of 45 million pixels: 9 billion pixels to decode). ``noise``: the strip is random pixels
    instead (larger, and far more work to re-encode than blank pages)."""
    row = (width * bits * samples + 7) // 8
    pixels = random.Random(7).randbytes(row * height) if noise else b"\x00" * (row * height)
    strip = zlib.compress(pixels, 9)
    out = bytearray(b"II*\x00" + struct.pack("<I", 8 + len(strip)))
    strip_offset = 8
    out += strip
    entries = [
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 1, bits),
        (259, 3, 1, 8),  # Adobe deflate
        (262, 3, 1, 2 if samples == 3 else 1),  # RGB, or black is zero
        (273, 4, 1, strip_offset),
        (277, 3, 1, samples),
        (278, 4, 1, height),
        (279, 4, 1, len(strip)),
        (284, 3, 1, 1),
    ]
    ifd_size = 2 + len(entries) * 12 + 4
    for index in range(frames):
        following = len(out) + ifd_size if index < frames - 1 else 0
        out += struct.pack("<H", len(entries))
        for tag, kind, count, value in entries:
            if kind == 3:
                out += struct.pack("<HHIHH", tag, kind, count, value, 0)
            else:
                out += struct.pack("<HHII", tag, kind, count, value)
        out += struct.pack("<I", following)
    return bytes(out)


def absurd_startxref_pdf() -> bytes:
    """A PDF whose ``startxref`` is a number no file has (pypdf raised OverflowError)."""
    good = _small_pdf()
    return good[: good.rindex(b"startxref")] + b"startxref\n" + b"9" * 30 + b"\n%%EOF\n"


def tiff_next_page_past_the_end() -> bytes:
    """A TIFF whose first page points at a next page beyond the end of the file (Pillow
    raised TypeError)."""
    data = bytearray(_small_tiff((64, 64)))
    (ifd,) = struct.unpack("<I", data[4:8])
    (count,) = struct.unpack("<H", data[ifd : ifd + 2])
    link = ifd + 2 + count * 12
    data[link : link + 4] = struct.pack("<I", len(data) + 1000)
    return bytes(data)


def raw_pdf(*objects: bytes, root: int = 1) -> bytes:
    """A PDF written by hand: ``objects`` are the bodies of objects 1, 2, ... in order."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer <</Size %d /Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def pdf_with_catalog(extra: bytes, page_extra: bytes = b"", *more: bytes) -> bytes:
    """A one-page PDF with ``extra`` in its catalog and ``page_extra`` in its page; ``more``
    are objects 4, 5, ... that these may refer to."""
    return raw_pdf(
        b"<</Type /Catalog /Pages 2 0 R " + extra + b">>",
        b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
        b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + page_extra + b">>",
        *more,
    )


@functools.lru_cache(maxsize=2)
def heavy_text_pdf(characters: int = 2_000_000) -> bytes:
    """A one-page PDF that passes the upload's checks (5 MB, no active content, pdfium
    opens it at once) whose page shows ``characters`` one-letter text runs: reading its
    words costs the reader memory and time far beyond any bill (the sandbox stops it)."""
    ops = b"".join(
        b"1 0 0 1 %d %d Tm (a) Tj " % (i % 600, (i // 600) % 800) for i in range(characters)
    )
    content = zlib.compress(b"BT /F1 1 Tf " + ops + b"ET", 1)
    return raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    )
