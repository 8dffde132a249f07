"""Fuzzing the fax conversion: whatever hypothesis makes of PDFs, TIFFs, PNGs, JPEGs, GIFs
and text (bytes flipped, cut, spliced; absurd sizes in the headers), the answer is a valid
TIFF-F or a clean refusal (``invalid_attachment`` with a known reason, or
``no_attachment``), never another exception, and within the worker's limits. Office
documents are not fuzzed here (LibreOffice is slow to start per case; their ZIP and OLE
screening is)."""

from __future__ import annotations

import struct
import time
import zlib
from functools import cache

import pytest
from document_files import bomb_tiff, image_bytes, tiff_pages
from fax_samples import image_file, text_pdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faxline.core.errors import ValidationFailed
from faxline.documents import sandbox
from faxline.documents.faximage import (
    REASONS,
    FaxBudget,
    InvalidAttachment,
    convert_to_fax,
)

pytestmark = pytest.mark.database_independent

BUDGET = FaxBudget(cpu_seconds=3, memory_bytes=768 * 1024 * 1024, wall_seconds=15)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def seeds() -> dict[str, bytes]:
    return {
        "pdf": text_pdf(2),
        "png": image_bytes("PNG", size=(120, 90)),
        "jpeg": image_bytes("JPEG", size=(120, 90)),
        "gif": image_file("GIF", "P", size=(100, 80)),
        "tiff-g4": tiff_pages(2, size=(200, 120)),
        "tiff-deflate": bomb_tiff(3, 300, 200),
        "text": b"Dear landlord,\nthe rent is enclosed.\n",
    }


def check(data: bytes) -> None:
    started = time.monotonic()
    try:
        image = convert_to_fax(data, filename="fuzz", budget=BUDGET)
    except InvalidAttachment as exc:
        assert exc.code == "invalid_attachment" and exc.field == "document"
        assert exc.reason in REASONS
    except ValidationFailed as exc:
        assert exc.code == "no_attachment"
    else:
        assert image.pages >= 1 and image.tiff.startswith(b"II*\x00")
    assert time.monotonic() - started < BUDGET.wall_seconds + sandbox.GRACE_SECONDS


def flips() -> st.SearchStrategy[list[tuple[int, int]]]:
    return st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=24)


@pytest.mark.parametrize("seed", ["pdf", "png", "jpeg", "gif", "tiff-g4", "tiff-deflate", "text"])
@FUZZ
@given(changes=flips())
def test_flipped_bytes(seed: str, changes: list[tuple[int, int]]) -> None:
    data = bytearray(seeds()[seed])
    keep = 8 if changes[0][1] % 2 else 0  # now and then keep the magic bytes
    for position, value in changes:
        data[keep + position % (len(data) - keep)] = value
    check(bytes(data))


@pytest.mark.parametrize("seed", ["pdf", "png", "jpeg", "tiff-g4"])
@FUZZ
@given(data=st.data())
def test_cut_and_spliced(seed: str, data: st.DataObject) -> None:
    original = seeds()[seed]
    cut = data.draw(st.integers(0, len(original)), label="cut")
    start = data.draw(st.integers(0, cut), label="splice at")
    inserted = data.draw(st.binary(max_size=64), label="inserted")
    dropped = data.draw(st.integers(0, 64), label="dropped")
    check(original[:start] + inserted + original[start + dropped : cut])


def _png_with_size(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + chunk(b"IEND", b"")
    )


@FUZZ
@given(
    width=st.one_of(st.integers(0, 70_000), st.sampled_from([2**16 - 1, 2**31 - 1])),
    height=st.one_of(st.integers(0, 70_000), st.sampled_from([2**16 - 1, 2**31 - 1])),
)
def test_absurd_image_sizes(width: int, height: int) -> None:
    check(_png_with_size(width, height))
