"""The document vault: uploaded documents encrypted at rest, and their content checks.

Documents (payment authorizations, phone bills, customer service records, letters of
authorization...) are personal data. :func:`vault_store` encrypts them with the platform's
data key (``faxline.core.crypto``) and writes them through Django's default storage under
``vault/<purpose>/<random name>`` (``MEDIA_ROOT`` on the filesystem; an S3-compatible store
when a provider configures one), so every web process reads what another wrote. Nothing in
the vault is served directly: views decrypt a document only after checking who asks.

:func:`accept_document` checks an upload by its content before anything is stored: PDF,
PNG, JPEG or TIFF only, at most 10 MB, a PDF that pypdf can parse, an image that Pillow can
open without exceeding the pixel limit (decompression bombs).
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from faxline.core.crypto import decrypt_bytes, encrypt_bytes
from faxline.core.errors import NotFound, ValidationFailed

VAULT_ROOT = "vault"
PURPOSE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
NAME_RE = re.compile(r"^vault/[a-z0-9][a-z0-9_-]{0,39}/[A-Za-z0-9_-]{20,64}\.bin$")

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# A letter-size page scanned at 600 dpi is 33.7 million pixels; legal size 42.8 million.
MAX_IMAGE_PIXELS = 45_000_000
MAX_IMAGE_FRAMES = 200
MAX_PDF_PAGES = 500

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
}
EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "tiff": ".tif"}
ACCEPTED = "PDF, PNG, JPEG or TIFF"


@dataclass(frozen=True)
class StoredFile:
    """Where a document went in the vault, with its plain size and SHA-256."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class AcceptedDocument:
    """An upload that passed the content checks."""

    kind: str  # pdf | png | jpeg | tiff
    content_type: str
    pages: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]


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


# --- content checks -------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The document kind its first bytes announce, or None."""
    if data[:1024].lstrip(b" \t\r\n\x00").startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    return None


def _check_pdf(data: bytes, *, label: str, field: str) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise ValidationFailed(
                    f"{label} is a password-protected PDF: upload it without a password.",
                    field=field,
                    code="document_encrypted",
                )
            pages = len(reader.pages)
            if pages:
                reader.pages[0].mediabox  # noqa: B018 (parses the first page object)
    except ValidationFailed:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise ValidationFailed(
            f"{label} is not a readable PDF (the file is damaged): upload it again.",
            field=field,
            code="document_unreadable",
        ) from exc
    if pages < 1:
        raise ValidationFailed(f"{label} has no pages.", field=field, code="document_unreadable")
    if pages > MAX_PDF_PAGES:
        raise ValidationFailed(
            f"{label} has {pages} pages; at most {MAX_PDF_PAGES} are accepted.",
            field=field,
            code="document_too_large",
        )
    return pages


def _check_image(data: bytes, kind: str, *, label: str, field: str) -> int:
    from PIL import Image, UnidentifiedImageError

    bomb = ValidationFailed(
        f"{label} is an image of more than {MAX_IMAGE_PIXELS // 1_000_000} million pixels "
        "(refused: it could be a decompression bomb). Scan at 300 dpi or upload a PDF.",
        field=field,
        code="document_too_large",
    )
    unreadable = ValidationFailed(
        f"{label} is not a readable image (the file is damaged): upload it again.",
        field=field,
        code="document_unreadable",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format is None or image.format.lower() != kind:
                    raise unreadable
                frames = getattr(image, "n_frames", 1)
                if frames > MAX_IMAGE_FRAMES:
                    raise ValidationFailed(
                        f"{label} has {frames} pages; at most {MAX_IMAGE_FRAMES} are accepted.",
                        field=field,
                        code="document_too_large",
                    )
                for index in range(frames):
                    image.seek(index)
                    width, height = image.size
                    if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
                        raise bomb
                    image.load()  # decodes the pixels: a truncated file fails here
                return int(frames)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise bomb from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise unreadable from exc


def accept_document(data: bytes, *, filename: str = "", field: str = "file") -> AcceptedDocument:
    """Check an upload by its content; a refusal names ``field`` and says why."""
    label = f"“{filename}”" if filename else "The file"
    if not data:
        raise ValidationFailed(f"{label} is empty.", field=field, code="document_empty")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(
            f"{label} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
            field=field,
            code="document_too_large",
        )
    kind = sniff(data)
    if kind is None:
        raise ValidationFailed(
            f"{label} is not a {ACCEPTED} document (checked by its content, not its name).",
            field=field,
            code="document_type",
        )
    if kind == "pdf":
        pages = _check_pdf(data, label=label, field=field)
    else:
        pages = _check_image(data, kind, label=label, field=field)
    return AcceptedDocument(kind=kind, content_type=CONTENT_TYPES[kind], pages=pages)


SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9 ._()-]+")


def safe_filename(name: str, *, extension: str) -> str:
    """A display name for a download: no path, no odd characters, the right extension."""
    base = (name or "document").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = SAFE_NAME_RE.sub("_", stem).strip(" ._") or "document"
    return f"{stem[:80]}{extension}"
