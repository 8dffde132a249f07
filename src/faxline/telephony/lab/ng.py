"""A small client of rtpengine's NG control protocol (bencode over UDP), for the lab's
readiness check and for tests that ask rtpengine what it does with a call.

Each message is ``<cookie> <bencoded dictionary>``; the reply carries the same cookie.
"""

from __future__ import annotations

import secrets
import socket
from typing import Any

Bencodable = bytes | str | int | list[Any] | dict[str, Any]


def bencode(value: Bencodable) -> bytes:
    """``value`` in bencode (strings as UTF-8 byte strings, dictionary keys sorted)."""
    if isinstance(value, bytes):
        return str(len(value)).encode() + b":" + value
    if isinstance(value, str):
        return bencode(value.encode())
    if isinstance(value, bool) or not isinstance(value, int | list | dict):
        raise TypeError(f"cannot bencode {type(value).__name__}")
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, list):
        return b"l" + b"".join(bencode(item) for item in value) + b"e"
    return b"d" + b"".join(bencode(k) + bencode(value[k]) for k in sorted(value)) + b"e"


def bdecode(data: bytes) -> Any:
    """The value bencoded in ``data`` (byte strings decoded as UTF-8 where they can be)."""
    value, end = _decode(data, 0)
    if end != len(data):
        raise ValueError("trailing bytes after the bencoded value")
    return value


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    lead = data[at : at + 1]
    if lead == b"i":
        end = data.index(b"e", at)
        return int(data[at + 1 : end]), end + 1
    if lead in (b"l", b"d"):
        items: list[Any] = []
        at += 1
        while data[at : at + 1] != b"e":
            item, at = _decode(data, at)
            items.append(item)
        if lead == b"l":
            return items, at + 1
        return {str(items[i]): items[i + 1] for i in range(0, len(items), 2)}, at + 1
    if lead.isdigit():
        colon = data.index(b":", at)
        size = int(data[at:colon])
        raw = data[colon + 1 : colon + 1 + size]
        if len(raw) != size:
            raise ValueError("truncated byte string")
        try:
            return raw.decode(), colon + 1 + size
        except UnicodeDecodeError:
            return raw, colon + 1 + size
    raise ValueError(f"not bencode at offset {at}")


class NgError(RuntimeError):
    """rtpengine did not answer, or answered ``error``."""


def ng_request(
    host: str, port: int, command: dict[str, Any], *, timeout: float = 1.0
) -> dict[str, Any]:
    """Send one NG command (``{"command": "ping"}``, ``{"command": "query", "call-id":
    ...}``) and return rtpengine's reply dictionary."""
    cookie = secrets.token_hex(6).encode()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(cookie + b" " + bencode(command), (host, port))
        try:
            while True:
                data = sock.recv(65535)
                reply_cookie, _, body = data.partition(b" ")
                if reply_cookie == cookie:
                    break
        except OSError as exc:
            raise NgError(f"rtpengine at {host}:{port} did not answer: {exc}") from exc
    reply = bdecode(body)
    if not isinstance(reply, dict):
        raise NgError(f"rtpengine answered a non-dictionary: {reply!r}")
    if reply.get("result") == "error":
        raise NgError(f"rtpengine: {reply.get('error-reason', 'error')}")
    return reply
