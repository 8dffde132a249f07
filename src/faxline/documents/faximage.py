"""Fax images: any accepted attachment as TIFF-F, the image a fax machine transmits.

:func:`convert_to_fax` is the one entry point (the portal, the API, email and tasks call it
through ``faxline.faxing.images``, which also stores the result once). It takes the bytes a
sender attached and returns a :class:`FaxImage`: a TIFF-F (bilevel, 1728 pixels wide,
204 x 196 dpi for *fine* or 204 x 98 for *standard*, one page per IFD, Group 4 by default
or Group 3 1-D / 2-D for a far end that needs it, photometric white-is-zero, resolution
tags always set) with its page count, known before any call is placed.

What is accepted is the guide's "Invalid Attachment" list, decided by the content (magic
bytes, OLE and ZIP structure), never by the file name: PDF, TIFF, TXT, RTF, DOC/DOCX,
XLS/XLSX, PPT/PPTX, VSD, and JPG/GIF/PNG (accepted, flagged ``discouraged``). Anything else,
and every document that cannot be converted within the :class:`FaxBudget` (50 MB,
350 pages, no decompression bomb, a time limit), is refused with :class:`InvalidAttachment`
(code ``invalid_attachment``, the guide's name, and a ``reason`` a sender understands);
no document at all is ``no_attachment`` ("No Attachment").

Where the work happens:

- Office documents and RTF go to a warm LibreOffice (:mod:`faxline.documents.office`) that
  turns them into PDF; a hung conversion is killed and the instance restarted;
- everything that decodes the sender's bytes (PDF rendering with pdfium, image decoding,
  text layout) runs in the document sandbox's worker process (the job ``fax.convert``, see
  :mod:`faxline.documents.sandbox`) with CPU, memory and wall-clock limits, never in the
  calling process and never inside a database transaction.

How a page becomes bilevel (``docs/decisions/0023-conversion-to-tiff-f.md``): pdfium renders
straight to 8-bit grey at the fax's own size (a matrix with 204 dpi across and 196 or 98
down, landscape pages turned, taller-than-Legal pages fitted), text and line art without
anti-aliasing so that glyphs come out crisp; a page that is only black and white is then
thresholded, a page with grey (photos, tints) gets an ordered (Bayer 8 x 8) dither after
light tints are clipped to white and dark ones to black; Pillow's libtiff encodes G4/G3.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from faxline.core.errors import ValidationFailed
from faxline.documents.limits import WorkerLimits

if TYPE_CHECKING:
    from PIL import Image as PILImage

FIELD = "document"
# The fax's width in pixels and its horizontal resolution (ITU-T T.4: 1728 pixels on 215 mm).
WIDTH = 1728
X_DPI = 204
# The longest page sent: a Legal page (14 inches); a taller page is scaled down to it.
MAX_PAGE_INCHES = 14.0
LETTER = (8.5, 11.0)


class Resolution(StrEnum):
    FINE = "fine"
    STANDARD = "standard"

    @property
    def y_dpi(self) -> int:
        return 196 if self is Resolution.FINE else 98


class Compression(StrEnum):
    G4 = "g4"
    G3_2D = "g3-2d"
    G3_1D = "g3-1d"


@dataclass(frozen=True)
class FaxImage:
    """A document as TIFF-F, ready for a fax call."""

    tiff: bytes
    pages: int
    resolution: Resolution
    compression: Compression
    sha256: str  # of ``tiff``
    source_kind: str  # "pdf" | "tiff" | "text" | "rtf" | "office" | "image"
    discouraged: bool  # JPG / GIF / PNG: accepted, but the guide advises against them

    def __repr__(self) -> str:
        return (
            f"FaxImage(pages={self.pages}, resolution={self.resolution.value}, "
            f"compression={self.compression.value}, source_kind={self.source_kind!r}, "
            f"bytes={len(self.tiff)}, sha256={self.sha256[:12]}...)"
        )


@dataclass(frozen=True)
class FaxBudget:
    """What one attachment may cost: its size, its pages, the pixels of an image page,
    the bytes an Office (ZIP) document inflates to, and the worker's hard limits."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 350
    max_page_pixels: int = 45_000_000
    max_decoded_bytes: int = 1024 * 1024 * 1024
    max_inflated_bytes: int = 512 * 1024 * 1024
    cpu_seconds: int = 60
    memory_bytes: int = 1024 * 1024 * 1024
    wall_seconds: float = 120.0
    office_seconds: float = 60.0

    def worker_limits(self) -> WorkerLimits:
        return WorkerLimits(
            cpu_seconds=self.cpu_seconds,
            memory_bytes=self.memory_bytes,
            wall_seconds=self.wall_seconds,
        )


class InvalidAttachment(ValidationFailed):
    """The guide's "Invalid Attachment": code ``invalid_attachment``, field ``document``,
    and ``reason``, one of :data:`REASONS` (stable, for callers and tests)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"Invalid Attachment: {message}", code="invalid_attachment", field=FIELD)
        self.reason = reason


# reason -> what the sender reads after "Invalid Attachment: <the file> ..."
REASONS = {
    "unknown_type": (
        "is not a type a fax can carry (checked by its content, not its name). Send a PDF, "
        "TIFF, text, RTF, Word, Excel, PowerPoint or Visio document."
    ),
    "encrypted": "is protected by a password: send it without the password.",
    "corrupt": "is damaged and cannot be read: save or export it again and send that.",
    "no_pages": "has no pages to send.",
    "bomb": (
        "would take too much memory to open (it may be built to overload the service): "
        "save it again at a lower resolution."
    ),
    "too_large": "is larger than {max_mb} MB.",
    "too_many_pages": "has {pages} pages; a fax may have at most {max_pages}.",
    "timeout": "took too long to convert (more than {seconds} seconds): simplify it or send a PDF.",
    "office_unavailable": (
        "is an Office document, which this server cannot convert (LibreOffice is not "
        "installed): send it as a PDF."
    ),
}


def _refusal(reason: str, filename: str = "", **values: Any) -> InvalidAttachment:
    label = f"“{filename}”" if filename else "The document"
    return InvalidAttachment(reason, f"{label} {REASONS[reason].format(**values)}")


def no_attachment() -> ValidationFailed:
    """The guide's "No Attachment": nothing to send (no document and no cover page)."""
    return ValidationFailed(
        "No Attachment: attach the document to fax (a PDF, Word document or another "
        "accepted type).",
        code="no_attachment",
        field=FIELD,
    )


# --- what a document is, by its content ---------------------------------------------------

# Kinds sniffed, and the source_kind and LibreOffice extension of each.
SOURCE_KINDS = {
    "pdf": "pdf",
    "tiff": "tiff",
    "png": "image",
    "jpeg": "image",
    "gif": "image",
    "text": "text",
    "rtf": "rtf",
    "doc": "office",
    "docx": "office",
    "xls": "office",
    "xlsx": "office",
    "ppt": "office",
    "pptx": "office",
    "vsd": "office",
    "vsdx": "office",
}
OFFICE_KINDS = frozenset({"rtf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "vsd", "vsdx"})
IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "tiff": "TIFF"}
DISCOURAGED = frozenset({"png", "jpeg", "gif"})
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names in an OLE (Compound File) directory, UTF-16LE, and the kind they announce,
# in the order they are looked for (a Visio or PowerPoint file may embed a workbook).
OLE_STREAMS = (
    ("VisioDocument", "vsd"),
    ("PowerPoint Document", "ppt"),
    ("WordDocument", "doc"),
    ("Workbook", "xls"),
    ("Book", "xls"),
)
ZIP_PARTS = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("ppt/presentation.xml", "pptx"),
    ("visio/document.xml", "vsdx"),
)


def sniff_kind(data: bytes) -> str | None:
    """The kind of an attachment from its first bytes (and, for OLE, its directory names):
    a key of :data:`SOURCE_KINDS`, ``"zip"`` (an OOXML candidate, decided in the worker),
    ``"ole-encrypted"``, or None."""
    from faxline.documents.intake import sniff

    known = sniff(data)  # PDF, PNG, JPEG, TIFF: intake's own magic numbers
    if known is not None:
        return known
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "ole-encrypted"  # an OOXML document with a password
        for name, kind in OLE_STREAMS:
            if name.encode("utf-16-le") + b"\x00\x00" in data:
                return kind
        return None
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if _looks_like_markup(data):
        return None  # HTML, XML, SVG, PostScript: text, but not a text to print as it is
    if _looks_like_text(data):
        return "text"
    return None


MARKUP_STARTS = (b"%!ps", b"<!doctype", b"<html", b"<?xml", b"<svg", b"<head", b"<body")


def _looks_like_markup(data: bytes) -> bool:
    head = data[:256].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(MARKUP_STARTS)


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _looks_like_text(data: bytes) -> bool:
    """Plain text: decodable (UTF-8, UTF-16 with its byte-order mark, else Windows-1252),
    no NUL (outside UTF-16), and almost no control characters other than tab, line feed,
    carriage return and form feed."""
    sample = data[: 64 * 1024]
    if b"\x00" in sample and not sample.startswith(UTF16_BOMS):
        return False
    text = _decode_text(sample, cut=len(data) > len(sample))
    if text is None:
        return False
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\x7f")
    return controls <= len(text) // 100


def _decode_text(data: bytes, *, cut: bool = False) -> str | None:
    """The text of ``data`` (None: not text). ``cut``: ``data`` is the start of a longer
    file, so a character cut in two at its end is not an error."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            if cut:
                data = data[: len(data) - 4]
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if cut and exc.start >= len(data) - 4:
            return data[: exc.start].decode("utf-8", errors="replace")
    text = data.decode("cp1252", errors="replace")
    if "\ufffd" in text:
        return None
    return text


def _identify_zip(data: bytes, budget: FaxBudget, filename: str) -> str:
    """The Office kind of a ZIP, read from its central directory in the sandbox's worker
    (the job ``fax.identify``)."""
    from faxline.documents import sandbox

    try:
        result = sandbox.run_job(
            "fax.identify",
            data,
            {"max_inflated_bytes": budget.max_inflated_bytes},
            limits=WorkerLimits(cpu_seconds=5, memory_bytes=budget.memory_bytes, wall_seconds=30),
            max_payload=0,
            field_name=FIELD,
        )
    except ValidationFailed as exc:
        reason = exc.code.removeprefix("attachment_")
        raise _refusal(reason if reason in REASONS else "corrupt", filename) from exc
    except sandbox.JobOverrun as exc:
        raise _refusal("corrupt", filename) from exc
    kind = str(result.meta.get("kind"))
    if kind not in OFFICE_KINDS:
        raise _refusal("unknown_type", filename)
    return kind


def identify_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The sandbox job ``fax.identify``: an Office Open XML document's kind by its parts."""
    budget = FaxBudget(max_inflated_bytes=int(params.get("max_inflated_bytes") or 1 << 29))
    try:
        kind = _zip_kind(data, budget, "")
    except InvalidAttachment as exc:
        raise _worker_refusal(exc.reason) from exc
    return {"kind": kind}, b""


def _zip_kind(data: bytes, budget: FaxBudget, filename: str) -> str:
    """An Office Open XML document by its parts; refused: other ZIPs, encrypted ones and
    those that would inflate beyond the budget (a ZIP bomb for LibreOffice)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise _refusal("corrupt", filename) from exc
    names = {info.filename for info in infos}
    kind = next((kind for part, kind in ZIP_PARTS if part in names), None)
    if kind is None:
        raise _refusal("unknown_type", filename)
    if any(info.flag_bits & 0x1 for info in infos):
        raise _refusal("encrypted", filename)
    if sum(info.file_size for info in infos) > budget.max_inflated_bytes:
        raise _refusal("bomb", filename)
    return kind


# --- the entry points -------------------------------------------------------------------


def convert_to_fax(
    data: bytes | None,
    *,
    filename: str = "",
    resolution: Resolution | str = Resolution.FINE,
    compression: Compression | str = Compression.G4,
    budget: FaxBudget | None = None,
) -> FaxImage:
    """The attachment ``data`` as TIFF-F, or a refusal (:class:`InvalidAttachment`, or
    ``no_attachment`` when there is nothing). Runs the decoding in the sandbox's worker
    (and Office documents through LibreOffice); call it outside any database transaction."""
    from faxline.documents import sandbox

    budget = budget or FaxBudget()
    fax_resolution: Resolution = _choice(Resolution, resolution, "resolution")
    fax_compression: Compression = _choice(Compression, compression, "compression")
    if not data:
        raise no_attachment()
    if len(data) > budget.max_bytes:
        raise _refusal("too_large", filename, max_mb=budget.max_bytes // (1024 * 1024))
    kind = sniff_kind(data)
    if kind is None:
        raise _refusal("unknown_type", filename)
    if kind == "ole-encrypted":
        raise _refusal("encrypted", filename)
    sandbox.require_outside_transaction()
    if kind == "zip":
        kind = _identify_zip(data, budget, filename)
    render_kind, render_data = kind, data
    if kind in OFFICE_KINDS:
        from faxline.documents import office

        try:
            render_data = office.to_pdf(data, kind, timeout=budget.office_seconds)
        except office.OfficeTimeout as exc:
            raise _refusal("timeout", filename, seconds=int(budget.office_seconds)) from exc
        except office.OfficeFailed as exc:
            raise _refusal("corrupt", filename) from exc
        except office.OfficeUnavailable as exc:
            raise _refusal("office_unavailable", filename) from exc
        render_kind = "pdf"
    params = {
        "kind": render_kind,
        "resolution": fax_resolution.value,
        "compression": fax_compression.value,
        "max_pages": budget.max_pages,
        "max_page_pixels": budget.max_page_pixels,
        "max_decoded_bytes": budget.max_decoded_bytes,
    }
    try:
        result = sandbox.run_job(
            "fax.convert",
            render_data,
            params,
            limits=budget.worker_limits(),
            max_payload=max(64 * 1024 * 1024, budget.max_pages * 512 * 1024),
            field_name=FIELD,
        )
    except ValidationFailed as exc:
        reason = exc.code.removeprefix("attachment_")
        if reason not in REASONS:
            reason = "corrupt"
        raise _refusal(reason, filename, **_values(exc.message, budget)) from exc
    except sandbox.JobOverrun as exc:
        if exc.limit == "memory":
            raise _refusal("bomb", filename) from exc
        if exc.limit in ("cpu", "time"):
            seconds = min(budget.cpu_seconds, int(budget.wall_seconds))
            raise _refusal("timeout", filename, seconds=seconds) from exc
        raise _refusal("corrupt", filename) from exc
    tiff = result.payload
    pages = int(result.meta.get("pages") or 0)
    if pages < 1 or not tiff:
        raise _refusal("no_pages", filename)
    return FaxImage(
        tiff=tiff,
        pages=pages,
        resolution=fax_resolution,
        compression=fax_compression,
        sha256=hashlib.sha256(tiff).hexdigest(),
        source_kind=SOURCE_KINDS[kind],
        discouraged=kind in DISCOURAGED,
    )


def _choice(kind: Any, value: Any, field: str) -> Any:
    """``value`` as a member of the StrEnum ``kind``, or a refusal naming ``field``."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationFailed(
            f"Unknown {field} {value!r}: one of {allowed}.", code=f"invalid_{field}", field=field
        ) from None


def _values(message: str, budget: FaxBudget) -> dict[str, Any]:
    """The figures a refusal's text needs (the worker sends the page count as message)."""
    return {
        "pages": message if message.isdigit() else "too many",
        "max_pages": budget.max_pages,
        "max_mb": budget.max_bytes // (1024 * 1024),
        "seconds": budget.cpu_seconds,
    }


def join_fax_images(images: Sequence[FaxImage]) -> FaxImage:
    """The pages of ``images`` in order as one fax image (a cover page and the body), at the
    first image's resolution and compression (pages of another resolution are resampled).

    The images are faxline's own output (trusted), so this runs in the calling process."""
    if not images:
        raise no_attachment()
    first = images[0]
    pages: list[PILImage.Image] = []
    for image in images:
        for page in fax_image_pages(image.tiff):
            if image.resolution is not first.resolution:
                page = _resample_rows(page, first.resolution.y_dpi / image.resolution.y_dpi)
            pages.append(page)
    tiff = encode_tiff_f(pages, first.resolution, first.compression, total=len(pages))
    return FaxImage(
        tiff=tiff,
        pages=len(pages),
        resolution=first.resolution,
        compression=first.compression,
        sha256=hashlib.sha256(tiff).hexdigest(),
        source_kind=first.source_kind,
        discouraged=any(image.discouraged for image in images),
    )


def fax_image_pages(tiff: bytes) -> list[PILImage.Image]:
    """The pages of a TIFF-F faxline wrote, as bilevel PIL images (mode ``"1"``, white is
    255), for previews and header stamping."""
    from PIL import Image

    pages = []
    with Image.open(io.BytesIO(tiff), formats=["TIFF"]) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            page = image.copy()
            pages.append(page if page.mode == "1" else page.convert("1"))
    return pages


def _resample_rows(page: PILImage.Image, factor: float) -> PILImage.Image:
    from PIL import Image

    height = max(1, round(page.height * factor))
    return page.resize((page.width, height), Image.Resampling.NEAREST)


# --- TIFF-F encoding ----------------------------------------------------------------------

PILLOW_COMPRESSION = {
    Compression.G4: ("group4", None),
    Compression.G3_1D: ("group3", 0),
    Compression.G3_2D: ("group3", 1),
}
TAG_NEW_SUBFILE_TYPE = 254
TAG_PHOTOMETRIC = 262
TAG_T4_OPTIONS = 292


@dataclass(frozen=True)
class PackedPage:
    """A bilevel page as packed rows (1728 pixels, 216 bytes a row, 1 = ink), as the fast
    path makes it: ``data`` is bytes or a cffi buffer."""

    width: int
    height: int
    data: Any


def _codec(fast: bool | None) -> tuple[Any, Any] | None:
    """The compiled codec (:mod:`faxline.documents.faxcodec`) unless ``fast`` is False or
    it cannot be built here."""
    if fast is False:
        return None
    from faxline.documents import faxcodec

    codec = faxcodec.load()
    if codec is None and fast:
        raise RuntimeError("the TIFF-F codec is not available")
    return codec


def bilevel_path() -> str:
    """Which implementation makes pages bilevel and encodes them (for the benchmark)."""
    return "pillow" if _codec(None) is None else "faxcodec"


def encode_tiff_f(
    pages: Iterable[PILImage.Image | PackedPage],
    resolution: Resolution,
    compression: Compression,
    *,
    total: int | None = None,
    fast: bool | None = None,
    libtiff_g4: bool = False,
) -> bytes:
    """Bilevel pages (PIL mode ``"1"``, white 255, or :class:`PackedPage`), 1728 wide, as
    one TIFF-F: one page per IFD, G4 or G3, photometric white-is-zero, 204 x 196 or
    204 x 98 dpi, page numbers out of ``total`` (the pages' count when not given).
    The fast path codes G4 itself (``libtiff_g4``: through libtiff's encoder instead,
    the same bytes, slower; G3 is always libtiff's).

    ``pages`` may be a generator: each page is encoded and let go before the next is
    made, so a long document never holds more than one page decoded."""
    if total is None:
        pages = list(pages)
        total = len(pages)
    codec = _codec(fast)
    if codec is not None:
        return _encode_with_codec(codec, pages, resolution, compression, total, not libtiff_g4)
    return _encode_with_pillow(pages, resolution, compression)


CODEC_COMPRESSION = {Compression.G4: (4, 0), Compression.G3_1D: (3, 0), Compression.G3_2D: (3, 1)}


def _encode_with_codec(
    codec: tuple[Any, Any],
    pages: Iterable[PILImage.Image | PackedPage],
    resolution: Resolution,
    compression: Compression,
    total: int,
    own_g4: bool = True,
) -> bytes:
    ffi, lib = codec
    method, t4_options = CODEC_COMPRESSION[compression]
    writer = lib.fax_writer_open(method, t4_options, float(resolution.y_dpi), total, int(own_g4))
    if writer == ffi.NULL:
        raise MemoryError
    try:
        count = 0
        for page in pages:
            if not isinstance(page, PackedPage):
                bilevel = page if page.mode == "1" else page.convert("1")
                page = PackedPage(bilevel.width, bilevel.height, bilevel.tobytes("raw", "1;I"))
            data = page.data if isinstance(page.data, ffi.CData) else ffi.from_buffer(page.data)
            if lib.fax_writer_page(writer, data, page.width, page.height) != 0:
                raise MemoryError("libtiff could not write the page")
            count += 1
        if not count:
            raise ValueError("a fax image has at least one page")
        result = lib.fax_writer_close(writer)
        if result == ffi.NULL:
            raise MemoryError
        return bytes(ffi.buffer(result, lib.fax_writer_size(writer)))
    finally:
        lib.fax_writer_free(writer)


def _encode_with_pillow(
    pages: Iterable[PILImage.Image | PackedPage], resolution: Resolution, compression: Compression
) -> bytes:
    from PIL import Image, ImageChops, TiffImagePlugin

    method, t4_options = PILLOW_COMPRESSION[compression]
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[TAG_NEW_SUBFILE_TYPE] = 2  # a page of a multi-page document
    if t4_options is not None:
        info[TAG_T4_OPTIONS] = t4_options
    out = io.BytesIO()
    count = 0
    with TiffImagePlugin.AppendingTiffWriter(out, new=True) as writer:
        for page in pages:
            # Ink is written as 1 bits (white-is-zero, as T.4 codes runs); Pillow writes
            # the photometric tag for black-is-zero, so each page is inverted here and the
            # tag corrected below (Pillow's own white-is-zero path inverts pixel by pixel
            # in Python).
            if isinstance(page, PackedPage):
                inverted = Image.frombytes("1", (page.width, page.height), bytes(page.data))
            else:
                inverted = ImageChops.invert(page if page.mode == "1" else page.convert("1"))
            inverted.save(
                writer,
                "TIFF",
                compression=method,
                dpi=(X_DPI, resolution.y_dpi),
                tiffinfo=info,
            )
            writer.newFrame()
            count += 1
    if not count:
        raise ValueError("a fax image has at least one page")
    return _set_photometric(out.getvalue(), 0)


def _set_photometric(tiff: bytes, value: int) -> bytes:
    """Set PhotometricInterpretation (a SHORT) in every IFD of a TIFF."""
    buffer = bytearray(tiff)
    order = "<" if buffer[:2] == b"II" else ">"
    (offset,) = struct.unpack_from(order + "I", buffer, 4)
    seen = set()
    while offset and offset not in seen and offset + 2 <= len(buffer):
        seen.add(offset)
        (count,) = struct.unpack_from(order + "H", buffer, offset)
        for index in range(count):
            entry = offset + 2 + 12 * index
            tag, kind = struct.unpack_from(order + "HH", buffer, entry)
            if tag == TAG_PHOTOMETRIC and kind == 3:
                struct.pack_into(order + "H", buffer, entry + 8, value)
        (offset,) = struct.unpack_from(order + "I", buffer, offset + 2 + 12 * count)
    return bytes(buffer)


# --- in the worker process: rendering ---------------------------------------------------


def convert_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The sandbox job ``fax.convert``: a PDF, image or text as TIFF-F.

    Refuses with codes ``attachment_<reason>`` (``encrypted``, ``corrupt``, ``no_pages``,
    ``too_many_pages`` with the page count as message, ``bomb``, ``unknown_type``)."""
    kind = str(params["kind"])
    resolution = Resolution(str(params.get("resolution") or "fine"))
    compression = Compression(str(params.get("compression") or "g4"))
    max_pages = int(params.get("max_pages", 350))
    try:
        if kind == "text":
            count, pages = _pdf_pages(_text_to_pdf(data, max_pages), resolution, max_pages)
        elif kind == "pdf":
            count, pages = _pdf_pages(data, resolution, max_pages)
        elif kind in IMAGE_FORMATS:
            count, pages = _image_pages(
                data,
                kind,
                resolution,
                max_pages=max_pages,
                max_page_pixels=int(params.get("max_page_pixels") or 45_000_000),
                max_decoded_bytes=int(params.get("max_decoded_bytes") or 1 << 30),
            )
        else:
            raise _worker_refusal("unknown_type")
        if count < 1:
            raise _worker_refusal("no_pages")
        tiff = encode_tiff_f(pages, resolution, compression, total=count)
    except (ValidationFailed, MemoryError):
        raise
    except Exception as exc:  # whatever a decoder raises on a damaged file
        raise _worker_refusal("corrupt") from exc
    return {"pages": count}, tiff


def _worker_refusal(reason: str, message: str = "") -> ValidationFailed:
    return ValidationFailed(message or reason, code=f"attachment_{reason}", field=FIELD)


def _pdf_pages(
    data: bytes, resolution: Resolution, max_pages: int
) -> tuple[int, Iterator[PILImage.Image | PackedPage]]:
    """The page count of a PDF (checked against ``max_pages``), and its pages rendered
    bilevel one at a time."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise _worker_refusal("encrypted") from exc
        if _pypdf_page_count(data) == 0:
            raise _worker_refusal("no_pages") from exc
        raise _worker_refusal("corrupt") from exc
    try:
        count = len(document)
        if count < 1:
            raise _worker_refusal("no_pages")
        if count > max_pages:
            raise _worker_refusal("too_many_pages", str(count))
    except BaseException:
        document.close()
        raise
    return count, _rendered(document, count, resolution)


def _rendered(
    document: Any, count: int, resolution: Resolution
) -> Iterator[PILImage.Image | PackedPage]:
    try:
        for index in range(count):
            page = document[index]
            try:
                bilevel = render_pdf_page_bilevel(page, resolution)
            finally:
                page.close()
            yield bilevel
    finally:
        document.close()


def _pypdf_page_count(data: bytes) -> int | None:
    """The pages pypdf finds in a PDF pdfium refused (None: pypdf cannot read it either):
    pdfium refuses a well-formed PDF whose page tree is empty."""
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(PdfReader(io.BytesIO(data), strict=False).pages)
    except Exception:  # a damaged file, whatever pypdf makes of it
        return None


def page_matrix(width_pt: float, height_pt: float, y_dpi: int) -> tuple[tuple[float, ...], int]:
    """The matrix (a, b, c, d, e, f) that puts a page of ``width_pt`` x ``height_pt``
    (display space, y down) on a fax page 1728 pixels wide, and that page's height.

    The page's width fills the fax's width (Letter, A4 and Legal keep their margins: the
    whole page is there, only scaled); a landscape page is turned a quarter counter-clockwise
    (its top to the left); a page taller than Legal is scaled down to Legal's length."""
    landscape = width_pt > height_pt
    across, down = (height_pt, width_pt) if landscape else (width_pt, height_pt)
    sx = WIDTH / across
    sy = sx * y_dpi / X_DPI
    offset = 0.0
    longest = MAX_PAGE_INCHES * y_dpi
    if down * sy > longest:
        sy = longest / down
        sx = sy * X_DPI / y_dpi
        offset = (WIDTH - across * sx) / 2
    height = max(1, round(down * sy))
    if landscape:
        # x' = y * sx + offset, y' = (width - x) * sy
        return (0.0, -sy, sx, 0.0, offset, width_pt * sy), height
    return (sx, 0.0, 0.0, sy, offset, 0.0), height


def render_pdf_page(page: Any, resolution: Resolution) -> PILImage.Image:
    """One PDF page rendered by pdfium straight to 8-bit grey at the fax's size, text and
    paths without anti-aliasing (crisp once bilevel)."""
    import ctypes

    from PIL import Image

    def copy(address: int, stride: int, height: int) -> PILImage.Image:
        pixels = ctypes.string_at(address, stride * height)
        return Image.frombuffer("L", (WIDTH, height), pixels, "raw", "L", stride, 1)

    result: PILImage.Image = _with_grey_bitmap(page, resolution, copy)
    return result


def render_pdf_page_bilevel(
    page: Any, resolution: Resolution, *, fast: bool | None = None
) -> PILImage.Image | PackedPage:
    """One PDF page as a bilevel fax page: through the compiled codec (rendered in bands
    of rows, each band's grey thresholded or dithered straight into packed rows), else
    through Pillow (the whole page rendered, then the same per band)."""
    codec = _codec(fast)
    if codec is None:
        return to_bilevel(render_pdf_page(page, resolution))
    return render_bands(page, resolution, codec)


def render_bands(
    page: Any,
    resolution: Resolution,
    codec: tuple[Any, Any],
    timing: dict[str, float] | None = None,
) -> PackedPage:
    """The fast path: pdfium renders the page a band of :data:`BAND_ROWS` rows at a time
    into one small grey bitmap (it stays in the processor's cache, where a whole page of
    3.7 MB does not), and each band is packed before the next is drawn. ``timing``, when
    given, gathers the seconds spent rendering and packing (for the benchmark)."""
    import ctypes
    import time

    import pypdfium2.raw as raw

    ffi, lib = codec
    width_pt, height_pt = page.get_size()
    if not (width_pt > 0 and height_pt > 0):
        raise _worker_refusal("corrupt")
    (a, b, c, d, e, f), height = page_matrix(width_pt, height_pt, resolution.y_dpi)
    rows = min(BAND_ROWS, height)
    bitmap = raw.FPDFBitmap_CreateEx(WIDTH, rows, raw.FPDFBitmap_Gray, None, 0)
    if not bitmap:
        raise MemoryError
    row_bytes = WIDTH // 8
    out = ffi.new("uint8_t[]", row_bytes * height)
    flags = (
        raw.FPDF_ANNOT
        | raw.FPDF_GRAYSCALE
        | raw.FPDF_RENDER_NO_SMOOTHTEXT
        | raw.FPDF_RENDER_NO_SMOOTHPATH
    )
    rendering = packing = 0.0
    try:
        stride = raw.FPDFBitmap_GetStride(bitmap)
        address = ctypes.cast(raw.FPDFBitmap_GetBuffer(bitmap), ctypes.c_void_p).value
        if not address:
            raise MemoryError
        grey = ffi.cast("const uint8_t *", address)
        for top in range(0, height, BAND_ROWS):
            band = min(BAND_ROWS, height - top)
            started = time.perf_counter()
            raw.FPDFBitmap_FillRect(bitmap, 0, 0, WIDTH, band, 0xFFFFFFFF)
            matrix = raw.FS_MATRIX(a, b, c, d, e, f - top)
            clip = raw.FS_RECTF(0, 0, WIDTH, band)
            raw.FPDF_RenderPageBitmapWithMatrix(bitmap, page.raw, matrix, clip, flags)
            rendered = time.perf_counter()
            samples = lib.fax_grey_samples(
                grey, stride, WIDTH, band, SAMPLE_STEP, BLACK_TO, WHITE_FROM
            )
            dither = int(samples > DITHER_FROM_SAMPLES)
            lib.fax_pack(grey, stride, WIDTH, band, _stretch(ffi), dither, out + row_bytes * top)
            rendering += rendered - started
            packing += time.perf_counter() - rendered
    finally:
        raw.FPDFBitmap_Destroy(bitmap)
    if timing is not None:
        timing["render"] = timing.get("render", 0.0) + rendering
        timing["bilevel"] = timing.get("bilevel", 0.0) + packing
    return PackedPage(WIDTH, height, out)


_stretch_table: Any = None


def _stretch(ffi: Any) -> Any:
    global _stretch_table
    if _stretch_table is None:
        _stretch_table = ffi.new("uint8_t[256]", _STRETCH)
    return _stretch_table


def _with_grey_bitmap(page: Any, resolution: Resolution, use: Any) -> Any:
    """Render ``page`` into a grey pdfium bitmap at the fax's size and return
    ``use(address, stride, height)`` while the bitmap lives."""
    import ctypes

    import pypdfium2.raw as raw

    width_pt, height_pt = page.get_size()
    if not (width_pt > 0 and height_pt > 0):
        raise _worker_refusal("corrupt")
    (a, b, c, d, e, f), height = page_matrix(width_pt, height_pt, resolution.y_dpi)
    bitmap = raw.FPDFBitmap_CreateEx(WIDTH, height, raw.FPDFBitmap_Gray, None, 0)
    if not bitmap:
        raise MemoryError
    try:
        raw.FPDFBitmap_FillRect(bitmap, 0, 0, WIDTH, height, 0xFFFFFFFF)
        matrix = raw.FS_MATRIX(a, b, c, d, e, f)
        clip = raw.FS_RECTF(0, 0, WIDTH, height)
        flags = (
            raw.FPDF_ANNOT
            | raw.FPDF_GRAYSCALE
            | raw.FPDF_RENDER_NO_SMOOTHTEXT
            | raw.FPDF_RENDER_NO_SMOOTHPATH
        )
        raw.FPDF_RenderPageBitmapWithMatrix(bitmap, page.raw, matrix, clip, flags)
        stride = raw.FPDFBitmap_GetStride(bitmap)
        address = ctypes.cast(raw.FPDFBitmap_GetBuffer(bitmap), ctypes.c_void_p).value
        if not address:
            raise MemoryError
        return use(address, stride, height)
    finally:
        raw.FPDFBitmap_Destroy(bitmap)


# Grey levels: lighter than WHITE_FROM is paper (light tints, scanner noise), darker than
# BLACK_TO is ink; in between is stretched and dithered.
WHITE_FROM = 216
BLACK_TO = 40
_STRETCH = [
    0
    if v <= BLACK_TO
    else 255
    if v >= WHITE_FROM
    else (v - BLACK_TO) * 255 // (WHITE_FROM - BLACK_TO)
    for v in range(256)
]
_POSITIVE = [255 if v > 0 else 0 for v in range(256)]
# A page is made bilevel a band of rows at a time: a band is dithered when more than
# DITHER_FROM_SAMPLES of its samples (one pixel in 64) are mid-grey (a photo, a tint darker
# than paper); otherwise it is only ink and paper, and thresholded. Ink and paper come out
# the same either way: the choice matters only for the grey.
BAND_ROWS = 256
SAMPLE_STEP = 8
DITHER_FROM_SAMPLES = 1
_bayer_cache: dict[tuple[int, int], Any] = {}


def _bayer(size: tuple[int, int]) -> PILImage.Image:
    """An image of ``size`` tiled with the 8 x 8 Bayer matrix's thresholds (2..254)."""
    from PIL import Image

    cached = _bayer_cache.get(size)
    if cached is not None:
        return cached
    matrix = [[0]]
    while len(matrix) < 8:
        n = len(matrix)
        matrix = [
            [4 * matrix[y % n][x % n] + ((0, 2), (3, 1))[y // n][x // n] for x in range(2 * n)]
            for y in range(2 * n)
        ]
    tile = Image.new("L", (8, 8))
    tile.putdata([int((matrix[y][x] + 0.5) * 256 / 64) for y in range(8) for x in range(8)])
    row = Image.new("L", (size[0], 8))
    for x in range(0, size[0], 8):
        row.paste(tile, (x, 0))
    full = Image.new("L", size)
    for y in range(0, size[1], 8):
        full.paste(row, (0, y))
    if len(_bayer_cache) > 8:
        _bayer_cache.clear()
    _bayer_cache[size] = full
    return full


def has_grey(grey: PILImage.Image) -> bool:
    """Whether a band carries grey worth dithering, judged on the centre pixel of each
    8 x 8 cell (a photo or a tint covers far more than that; anti-aliasing is off, so text
    adds none). The compiled path samples the same pixels."""
    from PIL import Image

    columns, rows = grey.width // SAMPLE_STEP, grey.height // SAMPLE_STEP
    if not columns or not rows:
        return False
    whole = grey.crop((0, 0, columns * SAMPLE_STEP, rows * SAMPLE_STEP))
    sample = whole.resize((columns, rows), Image.Resampling.NEAREST)
    histogram = sample.histogram()
    return sum(histogram[BLACK_TO + 1 : WHITE_FROM]) > DITHER_FROM_SAMPLES


def to_bilevel(grey: PILImage.Image) -> PILImage.Image:
    """A grey page as bilevel (mode ``"1"``, white 255), a band of :data:`BAND_ROWS` rows
    at a time: thresholded at mid-grey when the band is only ink and paper,
    ordered-dithered (light tints clipped to white, dark ones to black, the rest
    stretched) when it carries grey."""
    from PIL import Image

    page = Image.new("1", grey.size, 1)
    for top in range(0, grey.height, BAND_ROWS):
        band = grey.crop((0, top, grey.width, min(grey.height, top + BAND_ROWS)))
        page.paste(_band_to_bilevel(band), (0, top))
    return page


def _band_to_bilevel(grey: PILImage.Image) -> PILImage.Image:
    from PIL import Image, ImageChops

    if not has_grey(grey):
        return grey.convert("1", dither=Image.Dither.NONE)
    stretched = grey.point(_STRETCH)
    return ImageChops.subtract(stretched, _bayer(stretched.size)).point(_POSITIVE, "1")


def _text_to_pdf(data: bytes, max_pages: int = 350) -> bytes:
    """Plain text laid out on Letter pages (Courier 10 pt, lines wrapped at 84 columns,
    form feeds start a page); refused as soon as it runs past ``max_pages``."""
    import textwrap

    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    text = _decode_text(data) or data.decode("latin-1")
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(8)
    out = io.BytesIO()
    doc = canvas.Canvas(out, pagesize=letter, invariant=True)
    size, leading, margin = 10, 12, 54
    columns = int((letter[0] - 2 * margin) // stringWidth("M", "Courier", size))
    lines_per_page = int((letter[1] - 2 * margin) // leading)
    pages = 0
    for number, chunk in enumerate(text.split("\f")):
        if number:
            doc.showPage()
        lines: list[str] = []
        for line in chunk.split("\n"):
            lines.extend(textwrap.wrap(line, columns, drop_whitespace=False) or [""])
        for start in range(0, max(len(lines), 1), lines_per_page):
            pages += 1
            if pages > max_pages:
                raise _worker_refusal("too_many_pages", f"more than {max_pages}")
            if start:
                doc.showPage()
            body = doc.beginText(margin, letter[1] - margin - size)
            body.setFont("Courier", size, leading)
            for line in lines[start : start + lines_per_page]:
                body.textLine("".join(ch if ord(ch) < 0x10000 else "?" for ch in line))
            doc.drawText(body)
    doc.showPage()
    doc.save()
    return out.getvalue()


def _image_pages(
    data: bytes,
    kind: str,
    resolution: Resolution,
    *,
    max_pages: int,
    max_page_pixels: int,
    max_decoded_bytes: int,
) -> tuple[int, Iterator[PILImage.Image]]:
    """The pages (frames) of an image, counted and checked against the budget from their
    headers before a pixel is decoded (decompression bombs), then each on a fax page:
    at its own size when it has a resolution and fits, else scaled to fit; landscape
    turned; grey and colour dithered. A GIF animation is sent as its first frame."""
    from PIL import Image

    from faxline.documents.limits import bytes_per_pixel

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[IMAGE_FORMATS[kind]])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _worker_refusal("bomb") from exc
    count = 0
    decoded = 0
    try:
        while True:
            if count:
                if kind != "tiff":
                    break
                try:
                    image.seek(count)
                except EOFError:
                    break
            if count >= max_pages:
                raise _worker_refusal("too_many_pages", f"more than {max_pages}")
            width, height = image.size
            if width < 1 or height < 1:
                raise _worker_refusal("corrupt")
            if width * height > max_page_pixels:
                raise _worker_refusal("bomb")
            decoded += width * height * bytes_per_pixel(image.mode)
            if decoded > max_decoded_bytes:
                raise _worker_refusal("bomb")
            count += 1
        if count > 1:
            image.seek(0)
    except BaseException:
        image.close()
        raise
    return count, _image_frames(image, count, resolution)


def _image_frames(image: Any, count: int, resolution: Resolution) -> Iterator[PILImage.Image]:
    from PIL import ImageOps

    with image:
        for index in range(count):
            if index:
                image.seek(index)
            frame = ImageOps.exif_transpose(image) if index == 0 else image.copy()
            yield _image_on_page(frame, _dpi(image), resolution)


def _dpi(image: Any) -> tuple[float, float] | None:
    dpi = image.info.get("dpi")
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        return None
    if 50 <= x <= 2400 and 25 <= y <= 2400:
        return x, y
    return None


def _image_on_page(
    frame: PILImage.Image, dpi: tuple[float, float] | None, resolution: Resolution
) -> PILImage.Image:
    from PIL import Image

    y_dpi = resolution.y_dpi
    if frame.mode == "1" and frame.width == WIDTH and dpi and round(dpi[0]) == X_DPI:
        # Already a fax page: only its rows change with the resolution.
        if round(dpi[1]) == y_dpi:
            return frame.copy()
        return _resample_rows(frame, y_dpi / dpi[1])
    grey = _grey(frame)
    if grey.width > grey.height * 1.05:
        grey = grey.transpose(Image.Transpose.ROTATE_90)
        dpi = (dpi[1], dpi[0]) if dpi else None
    if dpi is None:
        # No resolution: the image fills the width of a Letter page (or its length).
        fit = max(grey.width / LETTER[0], grey.height / LETTER[1], 72.0)
        dpi = (fit, fit)
    width = grey.width / dpi[0] * X_DPI
    height = grey.height / dpi[1] * y_dpi
    scale = min(1.0, WIDTH / width, MAX_PAGE_INCHES * y_dpi / height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size != grey.size:
        grey = grey.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    page_height = max(size[1], round(LETTER[1] * y_dpi))
    page = Image.new("L", (WIDTH, page_height), 255)
    page.paste(grey, ((WIDTH - size[0]) // 2, 0))
    return to_bilevel(page)


def _grey(frame: Any) -> PILImage.Image:
    """Any frame as 8-bit grey, transparency flattened on white."""
    from PIL import Image

    if frame.mode == "L":
        return frame
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat.convert("L")
    if frame.mode.startswith(("I", "F")):
        return frame.convert("L")
    if frame.mode == "CMYK":
        return frame.convert("RGB").convert("L")
    return frame.convert("L")
