"""G.711 µ-law and A-law against the values of the standard."""

from __future__ import annotations

import struct
import time

import pytest

from faxline.telephony.media import g711
from faxline.telephony.sip.config import Codec

pytestmark = pytest.mark.database_independent


def pcm(*samples: int) -> bytes:
    return struct.pack(f"<{len(samples)}h", *samples)


def samples(data: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(data) // 2}h", data))


def ulaw_reference(code: int) -> int:
    """G.711 µ-law decoding as the standard tabulates it: bits inverted, sign, 3-bit segment,
    4-bit step, bias 0x84."""
    u = ~code & 0xFF
    magnitude = (((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 0x07)
    magnitude -= 0x84
    return -magnitude if u & 0x80 else magnitude


def alaw_reference(code: int) -> int:
    """G.711 A-law decoding: even bits inverted (0x55), sign bit set for positive."""
    a = code ^ 0x55
    segment, step = (a >> 4) & 0x07, a & 0x0F
    magnitude = (step << 4) + 8 if segment == 0 else ((step << 4) + 0x108) << (segment - 1)
    return magnitude if a & 0x80 else -magnitude


def test_zero_encodes_to_the_idle_octets() -> None:
    assert g711.encode(Codec.PCMU, pcm(0)) == b"\xff"
    assert g711.encode(Codec.PCMA, pcm(0)) == b"\xd5"
    assert g711.silence_octet(Codec.PCMU) == 0xFF
    assert g711.silence_octet(Codec.PCMA) == 0xD5


def test_every_code_decodes_as_the_standard_says() -> None:
    codes = bytes(range(256))
    assert samples(g711.decode(Codec.PCMU, codes)) == [ulaw_reference(c) for c in codes]
    assert samples(g711.decode(Codec.PCMA, codes)) == [alaw_reference(c) for c in codes]


def test_segment_ends_and_full_scale() -> None:
    # The loudest codes, both signs, and what full scale saturates to.
    assert samples(g711.decode(Codec.PCMU, b"\x80\x00\xff\x7f")) == [32124, -32124, 0, 0]
    assert samples(g711.decode(Codec.PCMA, b"\xaa\x2a\xd5\x55")) == [32256, -32256, 8, -8]
    assert g711.encode(Codec.PCMU, pcm(32767, -32768)) == b"\x80\x00"
    assert g711.encode(Codec.PCMA, pcm(32767, -32768)) == b"\xaa\x2a"
    # The ends of each µ-law segment survive a round trip through linear.
    for segment in range(8):
        for step in (0, 15):
            for sign in (0x00, 0x80):
                code = ~(sign | segment << 4 | step) & 0xFF
                if code == 0x7F:  # negative zero decodes to 0, which encodes as 0xFF
                    continue
                linear = g711.decode(Codec.PCMU, bytes((code,)))
                assert g711.encode(Codec.PCMU, linear) == bytes((code,)), hex(code)


def test_round_trips_of_every_code() -> None:
    codes = bytes(range(256))
    ulaw = g711.encode(Codec.PCMU, g711.decode(Codec.PCMU, codes))
    assert ulaw == codes.replace(b"\x7f", b"\xff")  # -0 and +0 are one linear value
    assert g711.encode(Codec.PCMA, g711.decode(Codec.PCMA, codes)) == codes


def test_encoding_rounds_to_the_nearest_step() -> None:
    # Decoded values are the middle of their step: a value near one comes back to it.
    for codec in Codec:
        out = samples(g711.decode(codec, g711.encode(codec, pcm(1000, -1000, 5000, 20000))))
        for got, want in zip(out, (1000, -1000, 5000, 20000), strict=True):
            assert abs(got - want) <= max(16, abs(want) // 16)


def test_empty_and_odd_input() -> None:
    assert g711.encode(Codec.PCMU, b"") == b""
    assert g711.decode(Codec.PCMA, b"") == b""
    assert g711.encode(Codec.PCMU, pcm(0) + b"\x01") == b"\xff"  # a trailing odd byte is dropped
    with pytest.raises(ValueError):
        g711.encode("L16", pcm(0))  # type: ignore[arg-type]


def test_a_frame_is_cheap() -> None:
    """Sanity, not a timing test: 10 000 frames each way take well under a second."""
    frame = pcm(*range(-8000, 8000, 100))
    assert len(frame) == 320
    started = time.perf_counter()
    for _ in range(10_000):
        g711.decode(Codec.PCMU, g711.encode(Codec.PCMU, frame))
    assert time.perf_counter() - started < 5.0
