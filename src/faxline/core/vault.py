"""The vault: documents and other personal data encrypted at rest.

Documents (payment authorizations, phone bills, customer service records, letters of
authorization...) are personal data. :func:`vault_store` encrypts them with the platform's
data key (``faxline.core.crypto``) and writes them through Django's default storage under
``vault/<purpose>/<random name>`` (``MEDIA_ROOT`` on the filesystem; an S3-compatible store
when a provider configures one), so every web process reads what another wrote. Nothing in
the vault is served directly: views decrypt a document only after checking who asks.

The vault stores bytes and knows nothing of their content: an upload is checked before it
comes here (``faxline.documents.intake``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from faxline.core.crypto import decrypt_bytes, encrypt_bytes
from faxline.core.errors import NotFound

VAULT_ROOT = "vault"
PURPOSE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
NAME_RE = re.compile(r"^vault/[a-z0-9][a-z0-9_-]{0,39}/[A-Za-z0-9_-]{20,64}\.bin$")


@dataclass(frozen=True)
class StoredFile:
    """Where a document went in the vault, with its plain size and SHA-256."""

    name: str
    size: int
    sha256: str


def vault_store(data: bytes, *, purpose: str) -> StoredFile:
    """Encrypt ``data`` and write it under ``vault/<purpose>/``; returns where it went."""
    if not PURPOSE_RE.match(purpose):
        raise ValueError(f"invalid vault purpose {purpose!r}")
    name = f"{VAULT_ROOT}/{purpose}/{secrets.token_urlsafe(24)}.bin"
    saved = default_storage.save(name, ContentFile(encrypt_bytes(data)))
    return StoredFile(name=saved, size=len(data), sha256=hashlib.sha256(data).hexdigest())


def _checked_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise NotFound("Document not found.", field="document")
    return name


def vault_read(name: str) -> bytes:
    """The plain content of a stored document."""
    name = _checked_name(name)
    if not default_storage.exists(name):
        raise NotFound("Document not found.", field="document")
    with default_storage.open(name, "rb") as handle:
        return decrypt_bytes(handle.read())


def vault_delete(name: str) -> None:
    """Remove a stored document (nothing happens when it is already gone)."""
    name = _checked_name(name)
    if default_storage.exists(name):
        default_storage.delete(name)
