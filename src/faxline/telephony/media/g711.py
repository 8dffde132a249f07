"""G.711 µ-law and A-law: 16-bit linear audio to and from the 8-bit payload of RTP.

The conversion runs in C (spandsp's inline ``linear_to_ulaw`` & co. through the binding's
``faxline_g711_encode``/``faxline_g711_decode``): one call per 20 ms frame costs about a
microsecond, where a Python loop over 160 samples costs thirty. Linear audio is native-endian
int16 as the fax sessions exchange it (little-endian on every platform we run on).

:func:`encode` and :func:`decode` return new bytes; :func:`encode_into` and
:func:`decode_into` write into a buffer the caller keeps (the RTP endpoint writes the payload
straight into its packet buffer: no allocation per packet).
"""

from __future__ import annotations

from typing import Any

from faxline.telephony.sip.config import Codec
from faxline.telephony.spandsp import ffi, lib

__all__ = ["decode", "decode_into", "encode", "encode_into", "silence_octet"]


def _ulaw(codec: Codec) -> int:
    if codec is Codec.PCMU:
        return 1
    if codec is Codec.PCMA:
        return 0
    raise ValueError(f"not a G.711 codec: {codec!r}")


def silence_octet(codec: Codec) -> int:
    """The payload octet of linear 0 (µ-law 0xFF, A-law 0xD5)."""
    return 0xFF if _ulaw(codec) else 0xD5


def encode(codec: Codec, pcm: bytes) -> bytes:
    """``pcm`` (16-bit linear samples) as G.711 octets, one per sample."""
    count = len(pcm) // 2
    out = bytearray(count)
    if count:
        lib.faxline_g711_encode(
            _ulaw(codec),
            ffi.from_buffer("uint8_t[]", out),
            ffi.from_buffer("int16_t[]", pcm),
            count,
        )
    else:
        _ulaw(codec)
    return bytes(out)


def decode(codec: Codec, payload: bytes) -> bytes:
    """G.711 octets as 16-bit linear samples (two bytes each)."""
    out = bytearray(2 * len(payload))
    if payload:
        lib.faxline_g711_decode(
            _ulaw(codec),
            ffi.from_buffer("int16_t[]", out),
            ffi.from_buffer("uint8_t[]", payload),
            len(payload),
        )
    else:
        _ulaw(codec)
    return bytes(out)


def encode_into(ulaw: int, out: Any, pcm: Any, count: int) -> None:
    """Encode ``count`` samples of ``pcm`` (a cffi ``int16_t[]`` or a buffer) into ``out`` (a
    cffi ``uint8_t[]``/``uint8_t *``): the allocation-free path. ``ulaw`` 1 for µ-law, 0 for
    A-law."""
    lib.faxline_g711_encode(ulaw, out, pcm, count)


def decode_into(ulaw: int, out: Any, payload: Any, count: int) -> None:
    """Decode ``count`` octets of ``payload`` into ``out`` (a cffi ``int16_t[]``)."""
    lib.faxline_g711_decode(ulaw, out, payload, count)
