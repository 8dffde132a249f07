"""Signing a webhook's body, as receivers verify it (``docs/webhooks.md``).

``Faxline-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>``.
The timestamp is the attempt's, so a receiver refuses a replay of an old request by its age
(:data:`TOLERANCE_SECONDS` is what we advise); the body is the same on every attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER = "Faxline-Signature"
SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh endpoint secret: 256 random bits."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``v1`` value: hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed with ``secret``."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The header's value for ``body`` sent now (or at ``timestamp``)."""
    when = int(time.time()) if timestamp is None else timestamp
    return f"t={when},v1={signature(secret, when, body)}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does (the documented lines): the signature matches and is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), parts.get("v1", ""))
