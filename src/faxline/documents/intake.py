"""Intake: an uploaded document checked by its content before anything keeps it.

:func:`accept_document` is the one entry point every caller uses (the portal, the API,
services of any app). It accepts PDF, PNG, JPEG or TIFF only, decided by the content and
never by the file name, within a :class:`~faxline.documents.limits.Budget`: a PDF that
pypdf can parse (not password-protected, at least one page, no scripts, launch actions or
embedded files), an image whose pages fit the pixel and decoded-size budgets (decompression
bombs), read from the headers before a pixel is decoded. On request it also returns the
document as a PDF (an image converted by :mod:`faxline.documents.images`).

A refusal is a :class:`~faxline.core.errors.ValidationFailed` that names the caller's field,
quotes the file name and says what to do; its code is one of ``document_empty``,
``document_too_large``, ``document_type``, ``document_unreadable``,
``document_encrypted``, ``document_active_content`` and ``document_too_complex`` (part of
the API contract).

The work is in two steps. :func:`_screen` looks at the size and the first bytes only, in
the calling process; :func:`_inspect` decodes (the costly part a hostile file aims at) and
runs in a worker process of the sandbox (:mod:`faxline.documents.sandbox`) with hard limits
on CPU, memory and time, never inside a database transaction. Whatever a decoder raises on
a malformed file is a refusal (``document_unreadable``), never an error of the service.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

from faxline.core.errors import ValidationFailed
from faxline.documents.limits import Budget, WorkerLimits, bytes_per_pixel

if TYPE_CHECKING:
    from faxline.documents.sandbox import JobCost, JobOverrun

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
}
EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "tiff": ".tif"}
PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF"}
ACCEPTED = "PDF, PNG, JPEG or TIFF"
# The codes a refusal may carry (a worker cannot invent others).
CODES = frozenset(
    {
        "document_empty",
        "document_too_large",
        "document_type",
        "document_unreadable",
        "document_encrypted",
        "document_active_content",
        "document_too_complex",
    }
)


@dataclass(frozen=True)
class AcceptedDocument:
    """An upload that passed the content checks.

    ``pdf`` is the document as a PDF when the caller asked for one (the upload itself when
    it is a PDF, else its conversion), otherwise None. ``cost`` is what checking it cost
    the worker process (CPU seconds, peak memory, wall time)."""

    kind: str  # pdf | png | jpeg | tiff
    content_type: str
    pages: int
    pdf: bytes | None = dataclass_field(default=None, repr=False)
    cost: JobCost | None = dataclass_field(default=None, repr=False, compare=False)

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
    data: bytes,
    *,
    filename: str = "",
    field: str = "file",
    as_pdf: bool = False,
    budget: Budget | None = None,
    worker_limits: WorkerLimits | None = None,
) -> AcceptedDocument:
    """Check an upload by its content; a refusal names ``field`` and says why.

    With ``as_pdf`` the result carries the document as a PDF (an image converted, every
    page of a multi-page TIFF kept). ``budget`` defaults to :class:`Budget`'s figures,
    ``worker_limits`` to the ``FAXLINE_INTAKE_*`` settings. Call it before a database
    transaction begins: it refuses to run inside one."""
    from faxline.documents import sandbox

    budget = budget or Budget()
    kind = _screen(data, filename=filename, field=field, budget=budget)
    worker_limits = worker_limits or WorkerLimits.from_settings()
    label = _label(filename)
    params = {"kind": kind, "as_pdf": as_pdf, "label": label, "budget": budget.as_params()}
    try:
        result = sandbox.run_job(
            "intake.inspect",
            data,
            params,
            limits=worker_limits,
            max_payload=budget.max_converted_bytes,
            field_name=field,
        )
    except ValidationFailed as exc:
        if exc.code not in CODES:
            raise _unreadable(kind, label, field) from exc
        raise
    except sandbox.JobOverrun as exc:
        raise _overrun_refusal(
            exc, kind=kind, label=label, field=field, limits=worker_limits
        ) from exc
    pages = int(result.meta.get("pages") or 0)
    if pages < 1 or result.meta.get("kind") != kind:
        raise _unreadable(kind, label, field)
    pdf = None
    if as_pdf:
        pdf = data if kind == "pdf" else result.payload
    return AcceptedDocument(
        kind=kind, content_type=CONTENT_TYPES[kind], pages=pages, pdf=pdf, cost=result.cost
    )


def _overrun_refusal(
    exc: JobOverrun, *, kind: str, label: str, field: str, limits: WorkerLimits
) -> ValidationFailed:
    """The refusal of a document whose worker hit a hard limit or died."""
    if exc.limit == "memory":
        return ValidationFailed(
            f"{label} needs more than {limits.memory_bytes // (1024 * 1024)} MB of memory to "
            "read (it may be damaged or built to overload the service). Save or scan it "
            "again at a lower resolution and upload it again.",
            field=field,
            code="document_too_complex",
        )
    if exc.limit in ("cpu", "time"):
        return ValidationFailed(
            f"{label} takes too long to read (more than {limits.cpu_seconds} seconds of "
            "processing; it may be damaged or built to overload the service). Save or scan it "
            "again at a lower resolution and upload it again.",
            field=field,
            code="document_too_complex",
        )
    return _unreadable(kind, label, field)


def _unreadable(kind: str, label: str, field: str) -> ValidationFailed:
    what = "PDF" if kind == "pdf" else "image"
    return ValidationFailed(
        f"{label} is not a readable {what} (the file is damaged): upload it again.",
        field=field,
        code="document_unreadable",
    )


def _screen(data: bytes, *, filename: str, field: str, budget: Budget | None = None) -> str:
    """The checks that read no more than the size and the first bytes: the kind."""
    budget = budget or Budget()
    label = _label(filename)
    if not data:
        raise ValidationFailed(f"{label} is empty.", field=field, code="document_empty")
    if len(data) > budget.max_bytes:
        raise ValidationFailed(
            f"{label} is larger than {_size_words(budget.max_bytes)}.",
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


# --- in the worker process -------------------------------------------------------------


def inspect_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The sandbox job ``intake.inspect``: :func:`_inspect` with plain parameters.

    Returns ``{"kind", "pages"}`` and the converted PDF (empty unless an image was to be
    converted)."""
    kind = str(params["kind"])
    budget = Budget.from_params(dict(params.get("budget") or {}))
    pages, pdf = _inspect(
        data,
        kind,
        label=str(params.get("label") or "The file"),
        as_pdf=bool(params.get("as_pdf")),
        budget=budget,
    )
    return {"kind": kind, "pages": pages}, pdf or b""


def _inspect(
    data: bytes, kind: str, *, label: str, as_pdf: bool, budget: Budget
) -> tuple[int, bytes | None]:
    """The checks that decode the document (and an image's conversion to PDF when asked).

    Any exception of a decoder is a refusal: ``document_unreadable``."""
    try:
        if kind == "pdf":
            return _check_pdf(data, label=label, budget=budget), None
        return _check_image(data, kind, label=label, budget=budget, as_pdf=as_pdf)
    except (ValidationFailed, MemoryError):
        raise
    except Exception as exc:
        raise _unreadable(kind, label, "file") from exc


def _size_words(size: int) -> str:
    """A budget in bytes as people say it: "10 MB", "500 kB"."""
    if size >= 1024 * 1024:
        return f"{size // (1024 * 1024)} MB"
    return f"{max(1, size // 1024)} kB"


def _label(filename: str) -> str:
    """How a refusal names the upload: its name in quotes, or "The file"."""
    return f"“{filename}”" if filename else "The file"


def _check_pdf(data: bytes, *, label: str, budget: Budget) -> int:
    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        objects = sum(len(section) for section in reader.xref.values()) + len(reader.xref_objStm)
        if objects > budget.max_pdf_objects:
            raise ValidationFailed(
                f"{label} is a PDF of {objects} objects; at most {budget.max_pdf_objects} "
                "are accepted. Print it to a new PDF and upload that.",
                field="file",
                code="document_too_large",
            )
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationFailed(
                f"{label} is a password-protected PDF: upload it without a password.",
                field="file",
                code="document_encrypted",
            )
        pages = len(reader.pages)
        if pages < 1:
            raise ValidationFailed(
                f"{label} has no pages.", field="file", code="document_unreadable"
            )
        if pages > budget.max_pdf_pages:
            raise ValidationFailed(
                f"{label} has {pages} pages; at most {budget.max_pdf_pages} are accepted.",
                field="file",
                code="document_too_large",
            )
        reader.pages[0].mediabox  # noqa: B018 (parses the first page object)
        found = active_content(reader, max_objects=budget.max_pdf_objects)
    if found:
        raise ValidationFailed(
            f"{label} is a PDF that carries {_listed(found)}, which faxline does not accept "
            "in documents. Print it to a new PDF (Print, then Save as PDF) and upload that.",
            field="file",
            code="document_active_content",
        )
    return pages


# What a PDF may not carry (docs/decisions/0016-document-budgets-and-intake-worker.md).
ACTION_TYPES = {
    "/JavaScript": "JavaScript",
    "/Launch": "an action that launches a program",
    "/SubmitForm": "a form that submits data",
    "/ImportData": "an action that imports data",
    "/GoToR": "a link into another file",
    "/GoToE": "a link into an embedded file",
    "/Rendition": "a media action",
    "/RichMediaExecute": "rich media (Flash, 3D)",
}


def active_content(reader: Any, *, max_objects: int) -> list[str]:
    """What a parsed PDF carries beyond pages: scripts, launch actions, embedded files,
    additional actions, rich media, XFA forms (described in words, sorted).

    Walks every object reachable from the trailer, once each, without recursion and
    without decoding any stream."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    visits = 0
    while stack:
        node = stack.pop()
        visits += 1
        if visits > 50 * max_objects:
            raise ValidationFailed(
                "The PDF is too complex to check.", field="file", code="document_too_complex"
            )
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            found.update(_dictionary_findings(node))
            stack.extend(dict.values(node))
        elif isinstance(node, ArrayObject):
            stack.extend(list.__iter__(node))
    return sorted(found)


def _dictionary_findings(node: Any) -> list[str]:
    findings = []
    action = node.get("/S")
    if isinstance(action, str) and action in ACTION_TYPES:
        findings.append(ACTION_TYPES[action])
    if "/JS" in node or "/JavaScript" in node:
        findings.append("JavaScript")
    if "/AA" in node:
        findings.append("actions run on opening or closing (/AA)")
    if (
        "/EmbeddedFiles" in node
        or "/EF" in node
        or node.get("/Type") == "/EmbeddedFile"
        or node.get("/Subtype") == "/FileAttachment"
    ):
        findings.append("embedded files")
    if node.get("/Subtype") == "/RichMedia" or "/RichMediaContent" in node:
        findings.append("rich media (Flash, 3D)")
    if "/XFA" in node:
        findings.append("an XFA form")
    return findings


def _listed(found: list[str]) -> str:
    return found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]


def _check_image(
    data: bytes, kind: str, *, label: str, budget: Budget, as_pdf: bool
) -> tuple[int, bytes | None]:
    from PIL import Image

    from faxline.documents.images import image_to_pdf

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[kind]]) as image:
                if image.format is None or image.format.lower() != kind:
                    raise _unreadable(kind, label, "file")
                frames = _count_within_budget(image, kind, label=label, budget=budget)
                if not as_pdf:
                    for index in range(frames):
                        image.seek(index)
                        image.load()  # decodes the pixels: a truncated file fails here
                    return frames, None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(label, budget) from exc
    pdf = image_to_pdf(data, filename="", label=label, budget=budget)
    return frames, pdf


def _bomb(label: str, budget: Budget) -> ValidationFailed:
    return ValidationFailed(
        f"{label} is an image of more than {budget.max_page_pixels // 1_000_000} million "
        "pixels (refused: it could be a decompression bomb). Scan at 300 dpi or upload a PDF.",
        field="file",
        code="document_too_large",
    )


def _count_within_budget(image: Any, kind: str, *, label: str, budget: Budget) -> int:
    """The image's pages, each checked against the budget from its header only: pixels per
    page, pages, and the bytes all pages decode to (no pixel is decoded here)."""
    too_many = ValidationFailed(
        f"{label} has more than {budget.max_frames} pages; at most {budget.max_frames} "
        "are accepted.",
        field="file",
        code="document_too_large",
    )
    total_too_large = ValidationFailed(
        f"{label} has too many large pages: together they would take more than "
        f"{budget.max_decoded_bytes // (1024 * 1024)} MB once decoded (refused: it could be a "
        "decompression bomb). Scan at a lower resolution or upload a PDF.",
        field="file",
        code="document_too_large",
    )
    # A PNG or JPEG declares its frame count up front, all frames of one size (seeking
    # would decode them); a TIFF is walked page by page, reading each page's header only.
    declared = None if kind == "tiff" else int(getattr(image, "n_frames", 1))
    if declared is not None and declared > budget.max_frames:
        raise too_many
    total = 0
    pages = 0
    while declared is None or pages < declared:
        if pages and declared is None:
            try:
                image.seek(pages)
            except EOFError:
                break
        if pages >= budget.max_frames:
            raise too_many
        width, height = image.size
        if width < 1 or height < 1:
            raise _unreadable(kind, label, "file")
        if width * height > budget.max_page_pixels:
            raise _bomb(label, budget)
        size = width * height * bytes_per_pixel(image.mode)
        total += size if declared is None else size * declared
        if total > budget.max_decoded_bytes:
            raise total_too_large
        pages = pages + 1 if declared is None else declared
    if pages > 1 and declared is None:
        image.seek(0)
    return pages


SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9 ._()-]+")


def safe_filename(name: str, *, extension: str) -> str:
    """A display name for a download: no path, no odd characters, the right extension."""
    base = (name or "document").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = SAFE_NAME_RE.sub("_", stem).strip(" ._") or "document"
    return f"{stem[:80]}{extension}"
