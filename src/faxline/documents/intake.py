"""Intake: an uploaded document checked by its content before anything keeps it.

:func:`accept_document` is the one entry point every caller uses (the portal, the API,
services of any app). It accepts PDF, PNG, JPEG or TIFF only, decided by the content and
never by the file name, within the budgets of :mod:`faxline.documents.limits`: a PDF that
pypdf can parse (not password-protected, at least one page), an image that Pillow can decode
without exceeding the pixel limit (decompression bombs). On request it also returns the
document as a PDF (an image converted by :mod:`faxline.documents.images`).

A refusal is a :class:`~faxline.core.errors.ValidationFailed` that names the caller's field,
quotes the file name and says what to do; its code is one of ``document_empty``,
``document_too_large``, ``document_type``, ``document_unreadable`` and
``document_encrypted`` (part of the API contract).

The work is in two steps. :func:`_screen` looks at the size and the first bytes only;
:func:`_inspect` decodes (the costly part a hostile file aims at). ``_inspect`` takes and
returns plain values (bytes, strings, :class:`AcceptedDocument`) and raises only
``ValidationFailed``, so it can run in a worker process with time and memory limits, with
budgets read from the headers before it, without any caller changing.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from faxline.core.errors import ValidationFailed
from faxline.documents import limits
from faxline.documents.images import image_to_pdf

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
}
EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "tiff": ".tif"}
ACCEPTED = "PDF, PNG, JPEG or TIFF"


@dataclass(frozen=True)
class AcceptedDocument:
    """An upload that passed the content checks.

    ``pdf`` is the document as a PDF when the caller asked for one (the upload itself when
    it is a PDF, else its conversion), otherwise None."""

    kind: str  # pdf | png | jpeg | tiff
    content_type: str
    pages: int
    pdf: bytes | None = dataclass_field(default=None, repr=False)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]


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


def accept_document(
    data: bytes, *, filename: str = "", field: str = "file", as_pdf: bool = False
) -> AcceptedDocument:
    """Check an upload by its content; a refusal names ``field`` and says why.

    With ``as_pdf`` the result carries the document as a PDF (an image converted, every
    page of a multi-page TIFF kept)."""
    kind = _screen(data, filename=filename, field=field)
    return _inspect(data, kind, filename=filename, field=field, as_pdf=as_pdf)


def _screen(data: bytes, *, filename: str, field: str) -> str:
    """The checks that read no more than the size and the first bytes: the kind."""
    label = _label(filename)
    if not data:
        raise ValidationFailed(f"{label} is empty.", field=field, code="document_empty")
    if len(data) > limits.MAX_DOCUMENT_BYTES:
        raise ValidationFailed(
            f"{label} is larger than {limits.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
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
    return kind


def _inspect(
    data: bytes, kind: str, *, filename: str, field: str, as_pdf: bool
) -> AcceptedDocument:
    """The checks that decode the document (and its conversion to PDF when asked)."""
    label = _label(filename)
    if kind == "pdf":
        pages = _check_pdf(data, label=label, field=field)
        pdf = data if as_pdf else None
    else:
        pages = _check_image(data, kind, label=label, field=field)
        pdf = image_to_pdf(data, filename=filename, field=field) if as_pdf else None
    return AcceptedDocument(kind=kind, content_type=CONTENT_TYPES[kind], pages=pages, pdf=pdf)


def _label(filename: str) -> str:
    """How a refusal names the upload: its name in quotes, or "The file"."""
    return f"“{filename}”" if filename else "The file"


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
    if pages > limits.MAX_PDF_PAGES:
        raise ValidationFailed(
            f"{label} has {pages} pages; at most {limits.MAX_PDF_PAGES} are accepted.",
            field=field,
            code="document_too_large",
        )
    return pages


def _check_image(data: bytes, kind: str, *, label: str, field: str) -> int:
    from PIL import Image, UnidentifiedImageError

    bomb = ValidationFailed(
        f"{label} is an image of more than {limits.MAX_IMAGE_PIXELS // 1_000_000} million "
        "pixels (refused: it could be a decompression bomb). Scan at 300 dpi or upload a PDF.",
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
                if frames > limits.MAX_IMAGE_FRAMES:
                    raise ValidationFailed(
                        f"{label} has {frames} pages; at most {limits.MAX_IMAGE_FRAMES} "
                        "are accepted.",
                        field=field,
                        code="document_too_large",
                    )
                for index in range(frames):
                    image.seek(index)
                    width, height = image.size
                    if width < 1 or height < 1 or width * height > limits.MAX_IMAGE_PIXELS:
                        raise bomb
                    image.load()  # decodes the pixels: a truncated file fails here
                return int(frames)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise bomb from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise unreadable from exc


SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9 ._()-]+")


def safe_filename(name: str, *, extension: str) -> str:
    """A display name for a download: no path, no odd characters, the right extension."""
    base = (name or "document").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = SAFE_NAME_RE.sub("_", stem).strip(" ._") or "document"
    return f"{stem[:80]}{extension}"
