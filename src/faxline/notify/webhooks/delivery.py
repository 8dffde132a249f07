"""One HTTP POST to an endpoint: to the vetted address of its host, never a redirect.

The URL's host is resolved again at each attempt and every address vetted
(``faxline.core.net.resolve_public``: a name re-pointed at the provider's network after it
was saved is refused); the connection goes to that address while the request carries the
URL's host name (``Host`` header, and the TLS server name checked against the certificate).
Each socket operation is bounded by :data:`TIMEOUT_SECONDS`, at most :data:`READ_LIMIT`
bytes of the answer are read, and only :data:`EXCERPT_LENGTH` characters of it are kept,
control characters removed: an endpoint's answer is never stored or shown in full.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from faxline.core.errors import ValidationFailed
from faxline.core.net import resolve_public

TIMEOUT_SECONDS = 10.0
READ_LIMIT = 1024
EXCERPT_LENGTH = 200
USER_AGENT = "faxline-webhooks/1"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Answer:
    """What one attempt came to: the HTTP status (None: no answer), the time it took, an
    error in words (empty when the endpoint answered 2xx) and the answer's first
    characters."""

    status: int | None
    latency_ms: int
    error: str
    excerpt: str

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def excerpt_of(raw: bytes) -> str:
    """At most :data:`EXCERPT_LENGTH` characters of an answer, control characters removed."""
    text = raw.decode("utf-8", errors="replace")
    return _CONTROL.sub(" ", text)[:EXCERPT_LENGTH].strip()


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to ``address`` for the host name it was made with."""

    def __init__(self, host: str, port: int | None, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to ``address``, checking the certificate of the host name."""

    def __init__(self, host: str, port: int | None, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=_tls())
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = _tls().wrap_socket(raw, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url``; never raises for what the network or the endpoint does."""
    started = time.monotonic()

    def answer(status: int | None, error: str, excerpt: str = "") -> Answer:
        elapsed = int((time.monotonic() - started) * 1000)
        return Answer(status=status, latency_ms=elapsed, error=error[:300], excerpt=excerpt)

    parts = urlsplit(url)
    host = parts.hostname or ""
    scheme = parts.scheme.lower()
    try:
        addresses = resolve_public(host, field="url")
    except ValidationFailed as exc:
        return answer(None, exc.message)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kind = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    last_error = "no address to connect to"
    for address in addresses:
        connection = kind(host, parts.port, address=str(address), timeout=TIMEOUT_SECONDS)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read(READ_LIMIT)
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            last_error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if isinstance(exc, ConnectionRefusedError | socket.gaierror):
                continue  # the next address may answer
            return answer(None, last_error)
        finally:
            connection.close()
        excerpt = excerpt_of(raw)
        if 200 <= status < 300:
            return answer(status, "", excerpt)
        if 300 <= status < 400:
            return answer(status, f"HTTP {status}: redirects are not followed.", excerpt)
        return answer(status, f"HTTP {status} {response.reason}".strip(), excerpt)
    return answer(None, last_error)
