"""Fuzzing intake: whatever hypothesis makes of PDFs, TIFFs, PNGs and JPEGs (bytes flipped,
inserted, cut; huge dimensions written into the headers; many pages sharing one strip), the
answer is "accepted" or a clean refusal with a known code, never another exception, and
never more than the worker's limits."""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable
from functools import cache

import pytest
from document_files import bomb_tiff, image_bytes, pdf_bytes, tiff_pages
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faxline.core.errors import ValidationFailed
from faxline.documents import sandbox
from faxline.documents.intake import CODES, accept_document, sniff
from faxline.documents.limits import WorkerLimits

# Pure documents code (no models): what it checks does not depend on the database engine.
pytestmark = pytest.mark.database_independent

LIMITS = WorkerLimits(cpu_seconds=2, memory_bytes=512 * 1024 * 1024, wall_seconds=10)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def seeds() -> dict[str, bytes]:
    """Valid files of each accepted kind, small enough to mutate quickly."""
    return {
        "pdf": pdf_bytes(2),
        "png": image_bytes("PNG", size=(120, 90)),
        "png-grey": image_bytes("PNG", size=(64, 64), mode="L"),
        "jpeg": image_bytes("JPEG", size=(120, 90)),
        "tiff-g4": tiff_pages(2, size=(200, 120)),
        "tiff-deflate": bomb_tiff(3, 300, 200),
    }


def check(data: bytes, *, as_pdf: bool) -> None:
    """Accepted, or refused cleanly; within the limits either way."""
    started = time.monotonic()
    try:
        accepted = accept_document(
            data, filename="fuzz", field="file", as_pdf=as_pdf, worker_limits=LIMITS
        )
    except ValidationFailed as exc:
        assert exc.code in CODES, exc.code
        assert exc.field == "file"
        assert exc.message
    else:
        assert accepted.kind == sniff(data)
        assert accepted.pages >= 1
        assert accepted.cost.cpu_seconds <= LIMITS.cpu_seconds + 1
        assert accepted.cost.max_rss_bytes <= LIMITS.memory_bytes
        if as_pdf:
            assert accepted.pdf is not None and accepted.pdf.lstrip().startswith(b"%PDF-")
    assert time.monotonic() - started < LIMITS.wall_seconds + sandbox.GRACE_SECONDS


def flips() -> st.SearchStrategy[list[tuple[int, int]]]:
    return st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 255)), min_size=1, max_size=24)


def _mutate(data: bytes, changes: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for position, value in changes:
        out[position % len(out)] = value
    return bytes(out)


@pytest.mark.parametrize("seed", ["pdf", "png", "png-grey", "jpeg", "tiff-g4", "tiff-deflate"])
@FUZZ
@given(changes=flips(), as_pdf=st.booleans())
def test_flipped_bytes(seed: str, changes: list[tuple[int, int]], as_pdf: bool) -> None:
    data = seeds()[seed]
    # Keep the first bytes now and then, so that most cases reach the decoder.
    keep = 8 if changes[0][1] % 2 else 0
    mutated = data[:keep] + _mutate(data[keep:], changes)
    check(mutated, as_pdf=as_pdf)


@pytest.mark.parametrize("seed", ["pdf", "png", "jpeg", "tiff-g4"])
@FUZZ
@given(data=st.data(), as_pdf=st.booleans())
def test_cut_and_spliced(seed: str, data: st.DataObject, as_pdf: bool) -> None:
    original = seeds()[seed]
    cut = data.draw(st.integers(8, len(original)), label="cut")
    start = data.draw(st.integers(8, cut), label="splice at")
    inserted = data.draw(st.binary(max_size=64), label="inserted")
    dropped = data.draw(st.integers(0, 64), label="dropped")
    check(original[:start] + inserted + original[start + dropped : cut], as_pdf=as_pdf)


def _png_with_size(width: int, height: int, depth: int, colour: int) -> bytes:
    """A PNG whose header declares any size (its CRC right), its data a few rows."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + chunk(b"IEND", b"")
    )


def _jpeg_with_size(width: int, height: int) -> bytes:
    """A real JPEG whose frame header (SOF0) then claims another size."""
    data = bytearray(image_bytes("JPEG", size=(32, 32)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _resize_tiff(data: bytes, width: int, height: int) -> bytes:
    out = bytearray(data)
    (ifd,) = struct.unpack("<I", out[4:8])
    (count,) = struct.unpack("<H", out[ifd : ifd + 2])
    for index in range(count):
        entry = ifd + 2 + index * 12
        (tag,) = struct.unpack("<H", out[entry : entry + 2])
        if tag == 256:
            out[entry + 8 : entry + 12] = struct.pack("<I", width)
        elif tag in (257, 278):
            out[entry + 8 : entry + 12] = struct.pack("<I", height)
    return bytes(out)


dimension = st.one_of(st.integers(0, 70_000), st.sampled_from([0, 1, 2**16 - 1, 2**31 - 1]))
HUGE: dict[str, Callable[[st.DataObject], bytes]] = {
    "png": lambda d: _png_with_size(
        d.draw(dimension),
        d.draw(dimension),
        d.draw(st.sampled_from([1, 8, 16])),
        d.draw(st.sampled_from([0, 2, 6])),
    ),
    "jpeg": lambda d: _jpeg_with_size(
        d.draw(st.integers(0, 65_535)), d.draw(st.integers(0, 65_535))
    ),
    "tiff": lambda d: _resize_tiff(
        bomb_tiff(2, 64, 64),
        d.draw(st.integers(0, 2**32 - 1)),
        d.draw(st.integers(0, 2**32 - 1)),
    ),
}


@pytest.mark.parametrize("kind", HUGE)
@FUZZ
@given(data=st.data(), as_pdf=st.booleans())
def test_huge_dimensions_in_the_headers(kind: str, data: st.DataObject, as_pdf: bool) -> None:
    check(HUGE[kind](data), as_pdf=as_pdf)


@FUZZ
@given(
    frames=st.integers(1, 400),
    width=st.integers(1, 20_000),
    height=st.integers(1, 20_000),
    colour=st.booleans(),
    as_pdf=st.booleans(),
)
def test_many_pages_sharing_one_strip(
    frames: int, width: int, height: int, colour: bool, as_pdf: bool
) -> None:
    if width * height * (3 if colour else 1) > 400_000_000:
        height = max(1, 400_000_000 // (width * (3 if colour else 1)))  # keep the file small
    bomb = bomb_tiff(frames, width, height, bits=8 if colour else 1, samples=3 if colour else 1)
    check(bomb, as_pdf=as_pdf)
