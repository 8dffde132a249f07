"""A received fax as the recipient's files: PDF, TIF, XPS, TIF-HiRes or TIF-Fax, one file or
one per page (Fax Page Separation), and the metadata XML (Add Metadata).

A received fax arrives as the TIFF the modem wrote (spandsp: bilevel, min-is-white,
LSB-to-MSB fill order, one strip per page, T.4 or T.6 coded, 204 dpi across and 98
(standard) or 196 (fine) dpi down, the remote ident in ImageDescription). It came from the
network: its pages are decoded only in the sandbox's worker (the job ``received.files``),
within :data:`RECEIVED_BUDGET` and the worker's hard limits, and refused cleanly
(``fax_image_unreadable``, ``fax_image_too_large``) when damaged, hostile or not a fax.

Every page is decoded once and coded again as T.6 (CCITT G4) — lossless: the pixels are
the ones received — and that one coding is what each file type carries:

- **PDF** (the default): one page per fax page, sized from the fax's physical size
  (1728 dots at 204 dpi is 8.47 in), so a standard-resolution page shows at its true
  aspect; the G4 data is embedded as it is (``/CCITTFaxDecode``), so the PDF is about the
  size of the TIFF. No text. The remote CSI, the title and the time received are in the
  document information.
- **TIF**: a clean multi-page TIFF (TIFF Class F style: G4, min-is-white, MSB-first fill
  order, one strip per page, resolution in inches, page numbers, the remote CSI).
- **TIF-HiRes**: the same with every page at fine resolution: a standard page's rows are
  each printed twice (204x98 becomes 204x196), the way a fax machine prints it.
- **TIF-Fax**: the TIF with a ``.fax`` extension (its content is a TIFF).
- **XPS**: an XPS document (Microsoft XPS 1.0 / ECMA-388 package): one fixed page per fax
  page at its physical size, each filled with a bilevel PNG of the page (lossless; PNG
  because every XPS consumer must read it); checked by rendering it back with libgxps.

The metadata XML (:func:`metadata_xml`) needs no decoding and is written in the caller's
process. Its schema, namespace ``urn:faxline:received-fax:1``::

    <receivedFax xmlns="urn:faxline:received-fax:1" version="1" id="ID">
      <callerNumber>+12125550142</callerNumber>   the calling number (ANI), may be empty
      <remoteCsid>...</remoteCsid>                 the CSI the sender's machine sent
      <calledNumber>+16465550110</calledNumber>    our number that answered
      <pages>3</pages>                             pages received
      <receivedStart>2026-12-06T09:30:05-05:00</receivedStart>   ISO 8601 with offset
      <receivedEnd>2026-12-06T09:31:19-05:00</receivedEnd>
      <timeZone>America/New_York</timeZone>        the zone the times are given in
      <durationSeconds>74</durationSeconds>
      <result code="0">OK</result>                 T.30 completion code and text
      <potentialPartial>false</potentialPartial>   the call ended without proper end
      <files><file name="..." contentType="..." bytes="..." sha256="..."/></files>
    </receivedFax>

Text is escaped; characters XML cannot carry (control characters a hostile sender put in
its CSI, carriage returns included) are replaced by U+FFFD.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from faxline.core.errors import ValidationFailed
from faxline.documents.limits import Budget, WorkerLimits

# --- what the Fax tab offers ---------------------------------------------------------

PDF, TIF, TIF_HIRES, TIF_FAX, XPS = "pdf", "tif", "tif-hires", "tif-fax", "xps"
# (value, label) in the order the Fax tab lists them.
FILE_TYPES: tuple[tuple[str, str], ...] = (
    (TIF, "TIF (.tif)"),
    (XPS, "XPS (.xps)"),
    (PDF, "PDF (default)"),
    (TIF_HIRES, "TIF-HiRes (High-Resolution TIF File)"),
    (TIF_FAX, "TIF-Fax (standard TIF with \u201c.fax\u201d extension)"),
)
OFFERED = frozenset(value for value, _label in FILE_TYPES)
XPS_CONTENT_TYPE = "application/vnd.ms-xpsdocument"
DEFAULT_FILE_TYPE = PDF

# What one received fax may cost, read from its headers before a page is decoded. The
# widest T.4 page is 4864 dots (A3 at 400 dpi); a letter page at 400 lines per inch is
# about 4400 rows: 25 million pixels leaves room for long pages.
RECEIVED_BUDGET = Budget(
    max_bytes=64 * 1024 * 1024,
    max_frames=500,
    max_page_pixels=25_000_000,
    max_decoded_bytes=2 * 1024 * 1024 * 1024,
    max_converted_bytes=256 * 1024 * 1024,
)
MAX_FAX_WIDTH = 4864
# The worker's hard limits for a received fax: decoding and coding again costs about 50 ms
# of CPU for a fine page dense with small text (290 kB of G4; measured, PDF, TIF and XPS
# alike), so the 500 pages of the budget fit in 60 CPU seconds; ordinary pages cost a
# fraction of that.
RECEIVED_LIMITS = WorkerLimits(cpu_seconds=60, memory_bytes=1024 * 1024 * 1024, wall_seconds=120)

# Resolutions a fax machine uses (dots per inch), to which a measured one is snapped.
_FAX_X_DPI = (200.0, 204.0, 300.0, 400.0, 408.0)
_FAX_Y_DPI = (98.0, 100.0, 196.0, 200.0, 300.0, 391.0, 400.0)
FINE_Y_DPI = 196.0
_INVERT = bytes(255 - i for i in range(256))


@dataclass(frozen=True)
class DeliveredFile:
    """One file for the recipient: its name, MIME type and content."""

    name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Reception:
    """What the fax engine knows of one received fax (plain values; documents knows no
    tenant). ``started_at`` and ``ended_at`` are aware datetimes; ``time_zone`` is the
    IANA zone the recipient reads times in (the XML gives them in that zone)."""

    fax_id: str
    caller_number: str = ""
    remote_csid: str = ""
    called_number: str = ""
    pages: int = 0
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    time_zone: str = "UTC"
    result_code: int = 0
    result_text: str = "OK"
    partial: bool = False


@dataclass(frozen=True)
class FaxPage:
    """One decoded page: its size in dots, its resolution, and its T.6 coding (white runs
    as white, most significant bit first, as PDF's and TIFF's CCITT decoders read it) or
    its PNG."""

    width: int
    height: int
    x_dpi: float
    y_dpi: float
    g4: bytes
    png: bytes = b""  # the page as a bilevel PNG, when that is what is wanted (XPS)

    @property
    def fine(self) -> bool:
        return self.y_dpi >= 150

    @property
    def points(self) -> tuple[float, float]:
        """The page's size in PDF points (1/72 in)."""
        return self.width * 72.0 / self.x_dpi, self.height * 72.0 / self.y_dpi


# --- the parent's side -----------------------------------------------------------------


def file_stem(fax_id: str) -> str:
    """``fax-<id>`` with only letters, digits, ``-`` and ``_`` kept from the id."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", fax_id).strip("-")[:64]
    return f"fax-{safe or 'received'}"


def check_file_type(file_type: str, *, field: str = "file_type") -> str:
    """The file type if offered (case does not matter); another refused naming ``field``."""
    value = (file_type or DEFAULT_FILE_TYPE).strip().lower()
    if value in OFFERED:
        return value
    raise ValidationFailed(
        "Choose one of " + ", ".join(label for _v, label in FILE_TYPES) + ".",
        field=field,
        code="file_type_unknown",
    )


def received_files(
    tiff: bytes,
    reception: Reception,
    *,
    file_type: str = DEFAULT_FILE_TYPE,
    separate_pages: bool = False,
    add_metadata: bool = False,
    title: str = "",
    limits: WorkerLimits | None = None,
) -> list[DeliveredFile]:
    """The received fax ``tiff`` as the recipient's files, in order: the fax (one file,
    or one per page with ``separate_pages``), then the metadata XML with
    ``add_metadata``.

    Decoding runs in the sandbox's worker; call it outside any database transaction. A
    damaged or hostile TIFF is refused (``ValidationFailed``, field ``file``)."""
    from faxline.documents import sandbox

    kind = check_file_type(file_type)
    sender = reception.remote_csid or reception.caller_number or "unknown sender"
    params: dict[str, Any] = {
        "file_type": kind,
        "separate_pages": bool(separate_pages),
        "stem": file_stem(reception.fax_id),
        "title": title or f"Fax received from {sender}",
        "remote_csid": reception.remote_csid,
        "received_at": reception.started_at.isoformat() if reception.started_at else "",
        "budget": RECEIVED_BUDGET.as_params(),
    }
    result = sandbox.run_job(
        "received.files",
        tiff,
        params,
        limits=limits or RECEIVED_LIMITS,
        max_payload=RECEIVED_BUDGET.max_converted_bytes,
    )
    files = unpack_files(result.meta, result.payload)
    if add_metadata:
        if not reception.pages:  # the modem's count when the caller has none
            reception = replace(reception, pages=int(result.meta.get("pages") or 0))
        files.append(
            DeliveredFile(
                f"{params['stem']}.xml", "application/xml", metadata_xml(reception, files)
            )
        )
    return files


def unpack_files(meta: dict[str, Any], payload: bytes) -> list[DeliveredFile]:
    """The files a job packed into one payload (``meta["files"]`` gives names and sizes)."""
    files, offset = [], 0
    for entry in meta.get("files") or []:
        size = int(entry["size"])
        files.append(
            DeliveredFile(
                str(entry["name"]), str(entry["content_type"]), payload[offset : offset + size]
            )
        )
        offset += size
    if offset != len(payload):
        raise ValueError("the packed files do not match their sizes")
    return files


# --- the metadata XML ------------------------------------------------------------------

XML_NAMESPACE = "urn:faxline:received-fax:1"
# Characters XML 1.0 cannot carry, and carriage returns (a parser turns them into line
# feeds: the value read back would not be the value written).
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Text XML 1.0 can carry, read back as written: control characters (but tab and line
    feed) replaced by U+FFFD (escaping of ``<&"`` is the serializer's)."""
    return _NOT_XML.sub("\ufffd", str(value))


def _zone(name: str) -> tuple[str, dt.tzinfo]:
    """The IANA zone named (UTC when the name is not one)."""
    try:
        return name, ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return "UTC", dt.UTC


def _in_zone(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    if moment is None:
        return ""
    return moment.astimezone(zone).isoformat(timespec="seconds")


XmlField = tuple[str, str, dict[str, str]]


def event_xml(
    tag: str, *, namespace: str, ident: str, fields: list[XmlField], files: list[DeliveredFile]
) -> bytes:
    """A fax's event data as XML: the root ``tag`` in ``namespace`` with its ``id``, one
    element per field (tag, text, attributes) and the list of its files with their sizes
    and SHA-256. The received fax's (:func:`metadata_xml`) and the archive's sent fax's
    metadata share it."""
    from xml.etree import ElementTree as ET

    root = ET.Element(tag, {"xmlns": namespace, "version": "1", "id": xml_text(ident)})
    for name, text, attrs in fields:
        element = ET.SubElement(root, name, {k: xml_text(v) for k, v in attrs.items()})
        element.text = xml_text(text)
    listing = ET.SubElement(root, "files")
    for item in files:
        ET.SubElement(
            listing,
            "file",
            {
                "name": xml_text(item.name),
                "contentType": item.content_type,
                "bytes": str(len(item.data)),
                "sha256": item.sha256,
            },
        )
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def metadata_xml(reception: Reception, files: list[DeliveredFile]) -> bytes:
    """The event data of a received fax as XML (the schema is in this module's docstring)."""
    duration = ""
    if reception.started_at and reception.ended_at:
        duration = str(max(0, round((reception.ended_at - reception.started_at).total_seconds())))
    zone_name, zone = _zone(reception.time_zone)
    fields: list[XmlField] = [
        ("callerNumber", reception.caller_number, {}),
        ("remoteCsid", reception.remote_csid, {}),
        ("calledNumber", reception.called_number, {}),
        ("pages", str(int(reception.pages)), {}),
        ("receivedStart", _in_zone(reception.started_at, zone), {}),
        ("receivedEnd", _in_zone(reception.ended_at, zone), {}),
        ("timeZone", zone_name, {}),
        ("durationSeconds", duration, {}),
        ("result", reception.result_text, {"code": str(int(reception.result_code))}),
        ("potentialPartial", "true" if reception.partial else "false", {}),
    ]
    return event_xml(
        "receivedFax",
        namespace=XML_NAMESPACE,
        ident=reception.fax_id,
        fields=fields,
        files=files,
    )


# --- the worker's side: decoding --------------------------------------------------------


def _refuse(message: str, code: str = "fax_image_unreadable") -> ValidationFailed:
    return ValidationFailed(message, field="file", code=code)


def _snap(value: float, choices: tuple[float, ...]) -> float:
    nearest = min(choices, key=lambda c: abs(c - value))
    return nearest if abs(nearest - value) <= nearest * 0.03 else value


def page_resolution(image: Any) -> tuple[float, float]:
    """A page's resolution in dots per inch, snapped to the fax resolutions; a page
    without one is taken as 204 across and, by its length, standard or fine."""
    dpi = image.info.get("dpi")
    try:
        x, y = (float(dpi[0]), float(dpi[1])) if dpi else (0.0, 0.0)
    except (TypeError, ValueError, IndexError):
        x = y = 0.0
    if not 50.0 <= x <= 1200.0:
        x = 204.0
    if not 50.0 <= y <= 1200.0:
        y = 98.0 if image.size[1] <= 1400 else 196.0
    return _snap(x, _FAX_X_DPI), _snap(y, _FAX_Y_DPI)


def encode_g4(page: Any) -> bytes:
    """A mode "1" image as one T.6 strip with white coded as white (libtiff codes 0 bits
    as white; Pillow's mode "1" has 1 bits for white, so its bytes are inverted first)."""
    from PIL import Image

    width, height = page.size
    inverted = Image.frombytes("1", page.size, page.tobytes().translate(_INVERT))
    out = io.BytesIO()
    inverted.save(out, "TIFF", compression="group4", strip_size=((width + 7) // 8) * height)
    with Image.open(io.BytesIO(out.getvalue())) as opened:
        tags: Any = getattr(opened, "tag_v2", {})
        offsets, counts = tags.get(273), tags.get(279)
    offsets = offsets if isinstance(offsets, tuple) else (offsets,)
    counts = counts if isinstance(counts, tuple) else (counts,)
    if len(offsets) != 1 or len(counts) != 1:
        raise RuntimeError("the G4 coder wrote more than one strip")
    data = out.getvalue()
    return data[int(offsets[0]) : int(offsets[0]) + int(counts[0])]


def decode_g4(page: FaxPage) -> Any:
    """A page's pixels back from its T.6 coding (mode "1"), through a one-page TIFF."""
    from PIL import Image

    with Image.open(io.BytesIO(fax_tiff([page]))) as image:
        image.load()
        return image.convert("1")


def read_pages(
    data: bytes, budget: Budget = RECEIVED_BUDGET, *, hires: bool = False, png: bool = False
) -> tuple[list[FaxPage], str]:
    """Decode a received fax TIFF into pages (with ``hires``, standard pages line-doubled
    to fine resolution) and the remote ident the modem recorded; each page coded as T.6,
    or with ``png`` as a PNG only. Worker side only."""
    from PIL import Image

    if len(data) > budget.max_bytes:
        raise _refuse("The received fax is larger than a fax can be.", "fax_image_too_large")
    if data[:4] not in (b"II*\x00", b"MM\x00*"):
        raise _refuse("The received fax is not a TIFF image.")
    pages: list[FaxPage] = []
    ident = ""
    decoded = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["TIFF"]) as opened:
                image: Any = opened
                frames = int(getattr(image, "n_frames", 1))
                if frames > budget.max_frames:
                    raise _refuse(
                        f"The received fax has more than {budget.max_frames} pages.",
                        "fax_image_too_large",
                    )
                # Every page's header first: nothing is decoded unless all pages fit.
                for index in range(frames):
                    image.seek(index)
                    width, height = image.size
                    if image.mode != "1":
                        raise _refuse("The received fax has a page that is not black and white.")
                    if not (1 <= width <= MAX_FAX_WIDTH and height >= 1) or (
                        width * height > budget.max_page_pixels
                    ):
                        raise _refuse(
                            "The received fax has a page larger than a fax page can be.",
                            "fax_image_too_large",
                        )
                    decoded += width * height
                    if decoded > budget.max_decoded_bytes:
                        raise _refuse(
                            "The received fax has more pages than can be delivered.",
                            "fax_image_too_large",
                        )
                    if index == 0:
                        description = image.tag_v2.get(270)
                        if isinstance(description, str):
                            ident = description
                for index in range(frames):
                    image.seek(index)
                    width, height = image.size
                    x_dpi, y_dpi = page_resolution(image)
                    image.load()
                    page = image.copy()
                    if hires and y_dpi < 150:
                        page = page.resize((width, height * 2), Image.Resampling.NEAREST)
                        height, y_dpi = height * 2, y_dpi * 2
                    if png:
                        coded = encode_png(page, (x_dpi, y_dpi))
                        pages.append(FaxPage(width, height, x_dpi, y_dpi, b"", coded))
                    else:
                        pages.append(FaxPage(width, height, x_dpi, y_dpi, encode_g4(page)))
                    del page
    except (ValidationFailed, MemoryError):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(
            "The received fax has a page larger than a fax page can be.", "fax_image_too_large"
        ) from exc
    except Exception as exc:  # whatever a damaged or hostile file makes the decoder raise
        raise _refuse("The received fax image is damaged and cannot be read.") from exc
    if not pages:
        raise _refuse("The received fax has no pages.")
    return pages, _printable(ident)


def _printable(text: str, limit: int = 64) -> str:
    return "".join(c if " " <= c <= "~" else "?" for c in text).strip()[:limit]


# --- the worker's side: writing -------------------------------------------------------


def fax_tiff(pages: list[FaxPage], *, ident: str = "") -> bytes:
    """Pages as a multi-page TIFF: G4, min-is-white, MSB-first, one strip per page,
    resolution in inches, page numbers, the remote ident in ImageDescription."""
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    description = (_printable(ident) or "").encode("ascii") + b"\x00"
    software = b"faxline\x00"
    previous_link = 4  # where the offset of the next IFD is written
    for number, page in enumerate(pages):
        strip = len(out)
        out += page.g4
        if len(out) % 2:
            out += b"\x00"
        # Out-of-line values follow the strip: the two rationals and the strings.
        xres = struct.pack("<II", round(page.x_dpi * 100), 100)
        yres = struct.pack("<II", round(page.y_dpi * 100), 100)
        blobs = [xres, yres, software] + ([description] if len(description) > 1 else [])
        places = []
        for blob in blobs:
            places.append(len(out))
            out += blob
            if len(out) % 2:
                out += b"\x00"
        entries: list[tuple[int, int, int, int | bytes]] = [
            (254, 4, 1, 2),  # NewSubfileType: a page of a multi-page document
            (256, 4, 1, page.width),
            (257, 4, 1, page.height),
            (258, 3, 1, 1),
            (259, 3, 1, 4),  # T.6
            (262, 3, 1, 0),  # min-is-white
            (266, 3, 1, 1),  # MSB first
            (273, 4, 1, strip),
            (277, 3, 1, 1),
            (278, 4, 1, page.height),
            (279, 4, 1, len(page.g4)),
            (282, 5, 1, places[0]),
            (283, 5, 1, places[1]),
            (293, 4, 1, 0),  # T6Options
            (296, 3, 1, 2),  # inches
            (297, 3, 2, struct.pack("<HH", number, len(pages))),
            (305, 2, len(software), places[2]),
        ]
        if len(description) > 1:
            entries.append((270, 2, len(description), places[3]))
        entries.sort(key=lambda entry: entry[0])
        ifd_at = len(out)
        struct.pack_into("<I", out, previous_link, ifd_at)
        out += struct.pack("<H", len(entries))
        for tag, kind, count, value in entries:
            if isinstance(value, bytes):
                field = value.ljust(4, b"\x00")
            elif kind == 3 and count == 1:
                field = struct.pack("<HH", value, 0)
            else:
                field = struct.pack("<I", value)
            out += struct.pack("<HHI", tag, kind, count) + field
        previous_link = len(out)
        out += b"\x00\x00\x00\x00"
    return bytes(out)


def _pdf_string(text: str) -> bytes:
    """A PDF text string as UTF-16BE hex: any text, nothing to escape."""
    return b"<FEFF" + text.encode("utf-16-be", "replace").hex().upper().encode() + b">"


def _pdf_date(iso: str) -> bytes | None:
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    stamp = moment.strftime("D:%Y%m%d%H%M%S") + f"{sign}{minutes // 60:02d}'{minutes % 60:02d}'"
    return b"(" + stamp.encode() + b")"


def fax_pdf(pages: list[FaxPage], *, info: dict[str, str], received_at: str = "") -> bytes:
    """Pages as a PDF: one page per fax page at its physical size, each drawing its G4
    data as an image (``/CCITTFaxDecode``, as coded: nothing re-rasterised)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    tree = add(b"")
    entries = [b"/Producer " + _pdf_string("faxline"), b"/Creator " + _pdf_string("faxline")]
    for key, value in info.items():
        if value:
            entries.append(b"/" + key.encode("ascii") + b" " + _pdf_string(value))
    date = _pdf_date(received_at) if received_at else None
    if date:
        entries.append(b"/CreationDate " + date)
    information = add(b"<< " + b" ".join(entries) + b" >>")
    kids = []
    for page in pages:
        width_pt, height_pt = page.points
        image = add(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 1 /Filter /CCITTFaxDecode "
            b"/DecodeParms << /K -1 /Columns %d /Rows %d /BlackIs1 false >> /Length %d >>\n"
            b"stream\n"
            % (page.width, page.height, page.width, page.height, len(page.g4))
            + page.g4
            + b"\nendstream"
        )
        drawing = b"q %.4f 0 0 %.4f 0 0 cm /Fax Do Q" % (width_pt, height_pt)
        content = add(b"<< /Length %d >>\nstream\n" % len(drawing) + drawing + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.4f %.4f] "
                b"/Resources << /XObject << /Fax %d 0 R >> >> /Contents %d 0 R >>"
                % (tree, width_pt, height_pt, image, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        information,
        xref,
    )
    return bytes(out)


_XPS = "http://schemas.microsoft.com/xps/2005/06"
_OPC_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XPS_CONTENT_TYPES = {
    "rels": "application/vnd.openxmlformats-package.relationships+xml",
    "fdseq": "application/vnd.ms-package.xps-fixeddocumentsequence+xml",
    "fdoc": "application/vnd.ms-package.xps-fixeddocument+xml",
    "fpage": "application/vnd.ms-package.xps-fixedpage+xml",
    "png": "image/png",
    "xml": "application/vnd.openxmlformats-package.core-properties+xml",
}


def _xml(root: Any) -> bytes:
    from xml.etree import ElementTree as ET

    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def encode_png(image: Any, dpi: tuple[float, float]) -> bytes:
    """A mode "1" image as a bilevel PNG (1 bit a pixel) carrying its resolution. zlib's
    default level: level 9 costs five times the CPU on dense pages for 2% less."""
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6, dpi=dpi)
    return out.getvalue()


def page_png(page: FaxPage) -> bytes:
    """A page as a bilevel PNG (the one made while decoding, if any)."""
    return page.png or encode_png(decode_g4(page), (page.x_dpi, page.y_dpi))


def fax_xps(pages: list[FaxPage], *, info: dict[str, str], received_at: str = "") -> bytes:
    """Pages as an XPS document (ECMA-388 / Microsoft XPS 1.0): an OPC package of one
    fixed document whose fixed pages, sized from the fax's physical size (XPS units are
    1/96 in), each fill with one bilevel PNG of the page (PNG: the image format every XPS
    consumer reads); title, creator (the remote CSI) and time received in the core
    properties."""
    import zipfile
    from xml.etree import ElementTree as ET

    parts: dict[str, bytes] = {}
    contents = ET.Element("FixedDocument", {"xmlns": _XPS})
    for number, page in enumerate(pages, start=1):
        width, height = page.width * 96.0 / page.x_dpi, page.height * 96.0 / page.y_dpi
        image_name = f"/Documents/1/Resources/Images/{number}.png"
        page_name = f"/Documents/1/Pages/{number}.fpage"
        fixed = ET.Element(
            "FixedPage",
            {"xmlns": _XPS, "Width": f"{width:.4f}", "Height": f"{height:.4f}", "xml:lang": "und"},
        )
        path = ET.SubElement(
            fixed,
            "Path",
            {"Data": f"M 0,0 L {width:.4f},0 {width:.4f},{height:.4f} 0,{height:.4f} Z"},
        )
        fill = ET.SubElement(path, "Path.Fill")
        ET.SubElement(
            fill,
            "ImageBrush",
            {
                "ImageSource": image_name,
                "Viewbox": f"0,0,{width:.4f},{height:.4f}",
                "ViewboxUnits": "Absolute",
                "Viewport": f"0,0,{width:.4f},{height:.4f}",
                "ViewportUnits": "Absolute",
                "TileMode": "None",
            },
        )
        parts[page_name] = _xml(fixed)
        parts[f"/Documents/1/Pages/_rels/{number}.fpage.rels"] = _relationships(
            [(f"{_XPS}/required-resource", image_name)]
        )
        parts[image_name] = page_png(page)
        ET.SubElement(
            contents,
            "PageContent",
            {"Source": page_name, "Width": f"{width:.4f}", "Height": f"{height:.4f}"},
        )
    parts["/Documents/1/FixedDoc.fdoc"] = _xml(contents)
    sequence = ET.Element("FixedDocumentSequence", {"xmlns": _XPS})
    ET.SubElement(sequence, "DocumentReference", {"Source": "/Documents/1/FixedDoc.fdoc"})
    parts["/FixedDocSeq.fdseq"] = _xml(sequence)
    parts["/docProps/core.xml"] = _core_properties(info, received_at)
    parts["/_rels/.rels"] = _relationships(
        [
            (f"{_XPS}/fixedrepresentation", "/FixedDocSeq.fdseq"),
            (
                "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
                "core-properties",
                "/docProps/core.xml",
            ),
        ]
    )
    types = ET.Element(
        "Types", {"xmlns": "http://schemas.openxmlformats.org/package/2006/content-types"}
    )
    for extension, content_type in _XPS_CONTENT_TYPES.items():
        ET.SubElement(types, "Default", {"Extension": extension, "ContentType": content_type})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", _xml(types), zipfile.ZIP_DEFLATED)
        for name, body in parts.items():
            method = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
            package.writestr(name.lstrip("/"), body, method)
    return out.getvalue()


def _relationships(targets: list[tuple[str, str]]) -> bytes:
    from xml.etree import ElementTree as ET

    root = ET.Element("Relationships", {"xmlns": _OPC_RELATIONSHIPS})
    for index, (kind, target) in enumerate(targets, start=1):
        ET.SubElement(root, "Relationship", {"Type": kind, "Target": target, "Id": f"R{index}"})
    return _xml(root)


def _core_properties(info: dict[str, str], received_at: str) -> bytes:
    from xml.etree import ElementTree as ET

    root = ET.Element(
        "cp:coreProperties",
        {
            "xmlns:cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
            "xmlns:dcterms": "http://purl.org/dc/terms/",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        },
    )
    for tag, value in (("dc:title", info.get("Title", "")), ("dc:creator", info.get("Author", ""))):
        if value:
            ET.SubElement(root, tag).text = xml_text(value)
    if received_at:
        created = ET.SubElement(root, "dcterms:created", {"xsi:type": "dcterms:W3CDTF"})
        created.text = xml_text(received_at)
    return _xml(root)


def files_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The sandbox job ``received.files``: decode a received fax and write its files."""
    file_type = str(params.get("file_type") or PDF)
    if file_type not in OFFERED:
        raise _refuse("That file type is not offered.", "file_type_unknown")
    budget = Budget.from_params(dict(params.get("budget") or {}))
    stem = str(params.get("stem") or "fax-received")
    pages, ident = read_pages(data, budget, hires=file_type == TIF_HIRES, png=file_type == XPS)
    csid = str(params.get("remote_csid") or "") or ident
    groups = [[page] for page in pages] if params.get("separate_pages") else [pages]
    files: list[tuple[str, str, bytes]] = []
    for number, group in enumerate(groups, start=1):
        name = (
            stem
            if len(groups) == 1 and not params.get("separate_pages")
            else (f"{stem}-page-{number:02d}")
        )
        info = {"Title": str(params.get("title") or ""), "Author": csid, "FaxRemoteCSI": csid}
        received_at = str(params.get("received_at") or "")
        if file_type == PDF:
            if received_at:
                info["FaxReceived"] = received_at
            body = fax_pdf(group, info=info, received_at=received_at)
            files.append((f"{name}.pdf", "application/pdf", body))
        elif file_type == XPS:
            body = fax_xps(group, info=info, received_at=received_at)
            files.append((f"{name}.xps", XPS_CONTENT_TYPE, body))
        else:
            extension = ".fax" if file_type == TIF_FAX else ".tif"
            files.append((name + extension, "image/tiff", fax_tiff(group, ident=csid)))
    total = sum(len(body) for _n, _t, body in files)
    if total > budget.max_converted_bytes:
        raise _refuse("The received fax is too large to deliver.", "fax_image_too_large")
    meta = {
        "pages": len(pages),
        "remote_ident": ident,
        "files": [{"name": n, "content_type": t, "size": len(b)} for n, t, b in files],
    }
    return meta, b"".join(body for _n, _t, body in files)


def thumbnail_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The sandbox job ``received.thumbnail``: the first page of a fax TIFF (received or
    sent) as a greyscale PNG ``width_px`` wide, drawn at the page's true aspect."""
    from PIL import Image

    budget = Budget.from_params(dict(params.get("budget") or {}))
    width_px = max(32, min(1200, int(params.get("width_px") or 400)))
    first = _first_page(data, budget)
    page = decode_g4(first)
    inches_w, inches_h = first.width / first.x_dpi, first.height / first.y_dpi
    height_px = max(1, round(width_px * inches_h / inches_w))
    small = page.convert("L").resize((width_px, height_px), Image.Resampling.BOX)
    out = io.BytesIO()
    small.save(out, "PNG", optimize=True)
    return {
        "width": first.width,
        "height": first.height,
        "x_dpi": first.x_dpi,
        "y_dpi": first.y_dpi,
    }, out.getvalue()


def _first_page(data: bytes, budget: Budget) -> FaxPage:
    """The first page of a fax TIFF only (a budget of one frame would refuse the rest)."""
    from PIL import Image

    if data[:4] not in (b"II*\x00", b"MM\x00*") or len(data) > budget.max_bytes:
        raise _refuse("The fax image is not a TIFF image.")
    try:
        with Image.open(io.BytesIO(data), formats=["TIFF"]) as image:
            width, height = image.size
            if (
                image.mode != "1"
                or width > MAX_FAX_WIDTH
                or width * height > budget.max_page_pixels
            ):
                raise _refuse("The fax image is not a fax page.")
            x_dpi, y_dpi = page_resolution(image)
            image.load()
            return FaxPage(width, height, x_dpi, y_dpi, encode_g4(image.copy()))
    except (ValidationFailed, MemoryError):
        raise
    except Exception as exc:
        raise _refuse("The fax image is damaged and cannot be read.") from exc


__all__ = [
    "DEFAULT_FILE_TYPE",
    "FILE_TYPES",
    "RECEIVED_BUDGET",
    "DeliveredFile",
    "Reception",
    "check_file_type",
    "file_stem",
    "metadata_xml",
    "received_files",
]
