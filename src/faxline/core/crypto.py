"""Encryption of personal data at rest with Fernet (AES-128-CBC + HMAC-SHA256).

The key is ``FAXLINE_DATA_KEY`` when set, else derived from ``SECRET_KEY`` with HKDF so
that a fresh install is encrypted without any configuration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


@cache
def _fernet() -> Fernet:
    material = (settings.FAXLINE_DATA_KEY or settings.SECRET_KEY).encode()
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"faxline-data-key", info=b"fernet"
    ).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_text(plain: str) -> str:
    """Encrypt ``plain`` to a URL-safe token."""
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """Decrypt a token made by :func:`encrypt_text`."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("encrypted value cannot be decrypted with the configured key") from exc


def encrypt_bytes(plain: bytes) -> bytes:
    return _fernet().encrypt(plain)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken as exc:
        raise ValueError("encrypted data cannot be decrypted with the configured key") from exc


def keyed_digest(value: str) -> str:
    """A keyed SHA-256 digest, for looking up secrets (API keys) without storing them."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column stored encrypted; reads give the plain text back."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value  # type: ignore[no-any-return]
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))


# What every masked value shows in place of the hidden characters: always four bullets,
# whatever the value's length, so that a mask never tells how long the secret is.
MASK = "••••"


def mask_secret(value: str | None) -> str:
    """A secret that shows nothing of itself (a PIN, a password): ``"••••"`` when there is
    one, ``""`` when there is none. Neither its characters nor its length."""
    return MASK if value else ""


def visible_tail(value: str | None) -> str:
    """The characters of an identifier (a carrier account number) that pages, emails,
    messages and the API may show: its last four letters or digits when it has at least
    eight, its last two when it has four to seven, none when it is shorter. Separators
    (spaces, dashes) are not counted, so the tail never shows less than it says."""
    chars = re.sub(r"[^0-9A-Za-z]", "", value or "")
    if len(chars) >= 8:
        return chars[-4:]
    if len(chars) >= 4:
        return chars[-2:]
    return ""


def mask(value: str | None) -> str:
    """An identifier as pages show it: ``"ACCT-998877"`` → ``"••••8877"`` (see
    :func:`visible_tail`); the mask has the same width whatever the value's length."""
    if not value:
        return ""
    return MASK + visible_tail(value)
