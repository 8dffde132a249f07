"""Cover pages: the built-in "faxline Default" and uploaded templates, as one-page PDFs.

A cover page is made from :class:`CoverFields` (to, to company, to fax, from, from company,
from fax, from phone, subject, comments, page count including the cover, and the date, which
the caller has already written in the sender's date format and time zone).

- :func:`render_default_cover` draws the built-in cover with reportlab: large type, black
  on white, no tints, so that it stays legible once faxed at 204x98 (standard resolution).
- An **uploaded template** is a one-page PDF. Its AcroForm text fields named after the keys
  of :data:`FIELD_KEYS` are filled and flattened: the values are drawn into the page's
  content inside each field's box (wrapped, shrunk or cut short to fit) and every form
  widget and the form itself are removed, so any renderer (and the fax converter) shows the
  same thing. A template with no form fields at all is a **static cover** (a letterhead):
  the fields block is drawn on an opaque white panel in the reserved area of the page (below
  its top quarter, above its bottom inch). A template whose form fields carry none of the
  key names is refused, naming the names it should use.

Templates are untrusted: :func:`check_template` passes them through
:func:`faxline.documents.intake.accept_document` (type by content, size, active content,
encryption) with a cover page's own budget (:data:`TEMPLATE_BUDGET`: 2 MB, one page) and
then reads the form fields in the sandbox's worker process. Filling a template and drawing
its preview also run there (jobs ``coverpage.fill`` and ``coverpage.preview``). Values are
plain text: control characters are removed, nothing is interpreted as markup.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import asdict, dataclass
from typing import Any

from faxline.core.errors import ValidationFailed
from faxline.documents.layout import SANS, SANS_BOLD, register_fonts
from faxline.documents.limits import Budget

# The names of the fields a cover carries: a template's form fields use exactly these.
FIELD_KEYS: tuple[str, ...] = (
    "to",
    "to_company",
    "to_fax",
    "from",
    "from_company",
    "from_fax",
    "from_phone",
    "subject",
    "comments",
    "pages",
    "date",
)
FIELD_LABELS: dict[str, str] = {
    "to": "To",
    "to_company": "Company",
    "to_fax": "Fax",
    "from": "From",
    "from_company": "Company",
    "from_fax": "Fax",
    "from_phone": "Phone",
    "subject": "Subject",
    "comments": "Comments",
    "pages": "Pages",
    "date": "Date",
}
BUILT_IN_NAME = "faxline Default"
MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
# A cover page template: one page, small; the objects of a designed page, not a catalogue.
TEMPLATE_BUDGET = Budget(
    max_bytes=MAX_TEMPLATE_BYTES,
    max_pdf_pages=1,
    max_pdf_objects=20_000,
    max_converted_bytes=8 * MAX_TEMPLATE_BYTES,
)
# How long a value may be before it is cut (the boxes cut it again to what fits).
MAX_VALUE_CHARS = {"comments": 2000}
MAX_SHORT_VALUE_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
LETTER = (612.0, 792.0)


@dataclass(frozen=True)
class CoverFields:
    """What a cover page says. ``sender`` is the guide's "from" (a Python keyword)."""

    to: str = ""
    to_company: str = ""
    to_fax: str = ""
    sender: str = ""
    from_company: str = ""
    from_fax: str = ""
    from_phone: str = ""
    subject: str = ""
    comments: str = ""
    pages: int | None = None
    date: str = ""

    def values(self) -> dict[str, str]:
        """The fields by their keys (:data:`FIELD_KEYS`), as clean plain text."""
        raw = asdict(self)
        raw["from"] = raw.pop("sender")
        raw["pages"] = "" if self.pages is None else str(self.pages)
        return {key: clean_value(key, str(raw[key])) for key in FIELD_KEYS}

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> CoverFields:
        """The fields from a mapping keyed by :data:`FIELD_KEYS` (unknown keys ignored)."""
        data = {k: str(values.get(k) or "") for k in FIELD_KEYS if k not in ("pages", "from")}
        pages = str(values.get("pages") or "")
        return cls(
            sender=str(values.get("from") or ""),
            pages=int(pages) if pages.isdigit() else None,
            **data,
        )


SAMPLE_FIELDS = CoverFields(
    to="Dana Recipient",
    to_company="Example Clinic",
    to_fax="+1 212 555 0142",
    sender="Sam Sender",
    from_company="Your Company",
    from_fax="+1 646 555 0110",
    from_phone="+1 646 555 0111",
    subject="Sample cover page",
    comments="This preview shows where each field of the cover page appears.",
    pages=3,
    date="12-06-2026 9:30 AM",
)


def clean_value(key: str, value: str) -> str:
    """A field value as plain text: control characters removed (comments keep their line
    breaks, other fields become one line), cut to a sane length."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if key != "comments":
        value = " ".join(value.split())
    value = _CONTROL.sub("", value)
    return value[: MAX_VALUE_CHARS.get(key, MAX_SHORT_VALUE_CHARS)].strip()


# --- fitting text into boxes -------------------------------------------------------------


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font, size))


def _cut(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width``."""
    if _width(text, font, size) <= width:
        return text
    while text and _width(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def wrap_lines(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """``text`` wrapped to ``width`` in at most ``max_lines`` lines (the last one cut with an
    ellipsis when text remains); paragraphs (line breaks) are kept, long words broken."""
    from reportlab.lib.utils import simpleSplit

    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        for line in simpleSplit(paragraph, font, size, width):
            while _width(line, font, size) > width and len(line) > 1:
                # A word longer than the box: break it.
                cut = len(line)
                while cut > 1 and _width(line[:cut], font, size) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = _cut(kept[-1] + " …", font, size, width)
        if not kept[-1].endswith("…"):
            kept[-1] = _cut(kept[-1] + "…", font, size, width)
        return kept
    return lines


def _draw_box(
    canvas: Any,
    text: str,
    rect: tuple[float, float, float, float],
    *,
    multiline: bool,
    size: float | None = None,
    font: str = SANS,
) -> None:
    """``text`` drawn inside ``rect`` (x0, y0, x1, y1): one line shrunk to fit (down to 6
    points) then cut, or wrapped lines cut to the box's height."""
    x0, y0, x1, y1 = rect
    pad = 2.0
    width, height = max(1.0, x1 - x0 - 2 * pad), max(1.0, y1 - y0)
    if not text:
        return
    if multiline:
        size = size or min(11.0, max(6.0, height / 3))
        leading = size * 1.2
        max_lines = max(1, int((height - pad) // leading))
        lines = wrap_lines(text, font, size, width, max_lines)
        canvas.setFont(font, size)
        y = y1 - pad - size
        for line in lines:
            canvas.drawString(x0 + pad, y, line)
            y -= leading
        return
    size = size or min(14.0, max(6.0, height * 0.7))
    while size > 6 and _width(text, font, size) > width:
        size -= 0.5
    canvas.setFont(font, size)
    baseline = y0 + (height - size * 0.72) / 2
    canvas.drawString(x0 + pad, baseline, _cut(text, font, size, width))


# --- the built-in default ------------------------------------------------------------------

MARGIN = 54.0


def render_default_cover(fields: CoverFields) -> bytes:
    """The built-in "faxline Default" cover page: a letter-size one-page PDF.

    Type of 13 to 44 points, black on white, thick rules instead of tints: at 204x98 a point
    is about 1.4 rows, so the smallest text is still about 14 rows high."""
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    values = fields.values()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, pageCompression=1, invariant=1)
    canvas.setTitle("Fax cover page")
    canvas.setCreator("faxline")
    width, height = LETTER
    inner = width - 2 * MARGIN
    canvas.setFillGray(0)
    canvas.setStrokeGray(0)

    top = height - MARGIN
    canvas.setFont(SANS_BOLD, 44)
    canvas.drawString(MARGIN, top - 40, "FAX")
    canvas.setFont(SANS, 15)
    if values["date"]:
        canvas.drawRightString(width - MARGIN, top - 16, _cut(values["date"], SANS, 15, 260))
    if values["pages"]:
        pages = f"{values['pages']} page{'s' if values['pages'] != '1' else ''} with this cover"
        canvas.drawRightString(width - MARGIN, top - 38, pages)
    canvas.setLineWidth(3)
    canvas.line(MARGIN, top - 54, width - MARGIN, top - 54)

    y = _default_block(
        canvas,
        top - 90,
        inner,
        [("to", "To"), ("to_company", "Company"), ("to_fax", "Fax")],
        values,
    )
    canvas.setLineWidth(1)
    canvas.line(MARGIN, y + 6, width - MARGIN, y + 6)
    y = _default_block(
        canvas,
        y - 20,
        inner,
        [
            ("from", "From"),
            ("from_company", "Company"),
            ("from_fax", "Fax"),
            ("from_phone", "Phone"),
        ],
        values,
    )
    canvas.setLineWidth(1)
    canvas.line(MARGIN, y + 6, width - MARGIN, y + 6)
    y = _default_block(canvas, y - 20, inner, [("subject", "Subject")], values, multiline=True)
    canvas.setLineWidth(3)
    canvas.line(MARGIN, y + 6, width - MARGIN, y + 6)

    canvas.setFont(SANS_BOLD, 15)
    canvas.drawString(MARGIN, y - 16, "Comments")
    footer_top = MARGIN + 34
    _draw_box(
        canvas,
        values["comments"],
        (MARGIN - 2, footer_top + 8, width - MARGIN + 2, y - 24),
        multiline=True,
        size=14,
    )
    canvas.setLineWidth(1)
    canvas.line(MARGIN, footer_top, width - MARGIN, footer_top)
    canvas.setFont(SANS, 11)
    canvas.drawString(
        MARGIN,
        footer_top - 16,
        "If you received this fax in error, please tell the sender and destroy it.",
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _default_block(
    canvas: Any,
    y: float,
    inner: float,
    rows: list[tuple[str, str]],
    values: dict[str, str],
    *,
    multiline: bool = False,
) -> float:
    """Label and value rows from ``y`` down (a value may take two lines); returns the y
    below the block."""
    label_width = 118.0
    value_width = inner - label_width
    for key, label in rows:
        canvas.setFont(SANS_BOLD, 17)
        canvas.drawString(MARGIN, y, label + ":")
        lines = wrap_lines(values[key], SANS, 17, value_width, 2 if multiline else 1)
        if not multiline:
            lines = [_cut(values[key], SANS, 17, value_width)] if values[key] else []
        canvas.setFont(SANS, 17)
        for index, line in enumerate(lines or [""]):
            canvas.drawString(MARGIN + label_width, y - index * 21, line)
        y -= 27 + 21 * max(0, len(lines) - 1)
    return y


# --- templates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateField:
    """A text field of a template: its name, its box on the page and how to draw into it."""

    name: str
    rect: tuple[float, float, float, float]
    multiline: bool
    size: float | None


@dataclass(frozen=True)
class TemplateInfo:
    """What :func:`check_template` learnt of an accepted template: the cover fields it
    fills (a subset of :data:`FIELD_KEYS`, in that order; empty for a static cover)."""

    fields: tuple[str, ...]
    sha256: str

    @property
    def static(self) -> bool:
        return not self.fields


def _field_name(annotation: Any) -> str:
    """The full name of a form field (``parent.child``) of a widget annotation."""
    parts = []
    node = annotation
    for _ in range(32):
        if node is None:
            break
        title = node.get("/T")
        if title is not None:
            parts.append(str(title))
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return ".".join(reversed(parts))


def _inherited(annotation: Any, key: str) -> Any:
    node = annotation
    for _ in range(32):
        if node is None:
            return None
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def _font_size(appearance: Any) -> float | None:
    """The font size of a field's default appearance (``/Helv 12 Tf``); None for auto (0)."""
    match = re.search(r"([\d.]+)\s+Tf", str(appearance or ""))
    if not match:
        return None
    try:
        size = float(match.group(1))
    except ValueError:
        return None
    return min(size, 36.0) if size >= 4 else None


def _widgets(page: Any) -> list[tuple[Any, Any]]:
    """The page's widget annotations as (reference or object, annotation dictionary)."""
    annots = page.get("/Annots")
    if annots is None:
        return []
    found = []
    for ref in annots.get_object():
        annot = ref.get_object()
        if annot.get("/Subtype") == "/Widget":
            found.append((ref, annot))
    return found


def read_template_fields(page: Any) -> tuple[list[TemplateField], list[str]]:
    """The text fields of a template's page named after a cover field (lower case, last part
    of the name), and the names of the other form fields."""
    fields: list[TemplateField] = []
    others: list[str] = []
    for _ref, annot in _widgets(page):
        name = _field_name(annot)
        key = name.rsplit(".", 1)[-1].strip().lower()
        kind = _inherited(annot, "/FT")
        if key not in FIELD_KEYS or kind != "/Tx":
            if name:
                others.append(name)
            continue
        x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
        flags = int(_inherited(annot, "/Ff") or 0)
        fields.append(
            TemplateField(
                name=key,
                rect=(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
                multiline=bool(flags & (1 << 12)) or key == "comments",
                size=_font_size(_inherited(annot, "/DA")),
            )
        )
    return fields, others


def fill_template(template: bytes, fields: CoverFields) -> bytes:
    """The template with its fields filled and flattened (run in the sandbox's worker; the
    template passed :func:`check_template`). A static template gets the fields block in its
    reserved area."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, NameObject
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    values = fields.values()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(template)))
        page = writer.pages[0]
        box = page.mediabox
        left, bottom = float(box.left), float(box.bottom)
        right, top = float(box.right), float(box.top)
        template_fields, _others = read_template_fields(page)

        overlay = io.BytesIO()
        canvas = Canvas(overlay, pagesize=(right, top), invariant=1)
        canvas.setFillGray(0)
        if template_fields:
            for field in template_fields:
                _draw_box(
                    canvas,
                    values[field.name],
                    field.rect,
                    multiline=field.multiline,
                    size=field.size,
                )
        else:
            _static_block(canvas, values, (left, bottom, right, top))
        canvas.showPage()
        canvas.save()

        # Flatten: no widget stays, and no form.
        if "/Annots" in page:
            kept = [
                ref
                for ref in page["/Annots"].get_object()  # type: ignore[union-attr]
                if ref.get_object().get("/Subtype") != "/Widget"
            ]
            if kept:
                page[NameObject("/Annots")] = ArrayObject(kept)
            else:
                del page["/Annots"]
        if "/AcroForm" in writer._root_object:
            del writer._root_object["/AcroForm"]
        page.merge_page(PdfReader(overlay).pages[0])
        writer.add_metadata({"/Producer": "faxline", "/Title": "Fax cover page"})
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()


def _static_block(
    canvas: Any, values: dict[str, str], box: tuple[float, float, float, float]
) -> None:
    """The fields block of a static cover (a letterhead): an opaque white panel from a
    quarter of the page below its top to an inch above its bottom, inside half-inch side
    margins."""
    left, bottom, right, top = box
    height = top - bottom
    x0, x1 = left + 36, right - 36
    y1 = top - height / 4
    y0 = bottom + 72
    canvas.setFillGray(1)
    canvas.rect(x0, y0, x1 - x0, y1 - y0, stroke=0, fill=1)
    canvas.setFillGray(0)
    rows = [
        ("date", "Date"),
        ("to", "To"),
        ("to_company", "Company"),
        ("to_fax", "Fax"),
        ("from", "From"),
        ("from_company", "Company"),
        ("from_fax", "Fax"),
        ("from_phone", "Phone"),
        ("pages", "Pages"),
        ("subject", "Subject"),
    ]
    y = y1 - 24
    label_width = 90.0
    for key, label in rows:
        canvas.setFont(SANS_BOLD, 14)
        canvas.drawString(x0 + 6, y, label + ":")
        canvas.setFont(SANS, 14)
        text = _cut(values[key], SANS, 14, x1 - x0 - label_width - 12)
        canvas.drawString(x0 + 6 + label_width, y, text)
        y -= 21
    canvas.setFont(SANS_BOLD, 14)
    canvas.drawString(x0 + 6, y - 6, "Comments:")
    _draw_box(canvas, values["comments"], (x0 + 4, y0, x1 - 4, y - 14), multiline=True, size=13)


def inspect_template(template: bytes) -> dict[str, Any]:
    """The cover fields of a one-page template and the names of its other form fields
    (in the worker); a template whose pages cannot be read raises."""
    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(template))
        page = reader.pages[0]
        fields, others = read_template_fields(page)
        box = page.mediabox
        width, height = float(box.width), float(box.height)
    present = {f.name for f in fields}
    return {
        "fields": [k for k in FIELD_KEYS if k in present],
        "others": sorted(set(others))[:20],
        "width": width,
        "height": height,
    }


def render_png(pdf: bytes, *, width_px: int = 850) -> bytes:
    """The first page of ``pdf`` as a greyscale PNG ``width_px`` wide (previews)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        scale = width_px / page.get_width()
        image = page.render(scale=scale, grayscale=True).to_pil()
        page.close()
    finally:
        document.close()
    out = io.BytesIO()
    image.convert("L").save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- sandbox jobs (faxline.documents.worker.JOBS) ---------------------------------------


def inspect_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """``coverpage.inspect``: :func:`inspect_template`, then a trial fill with the sample
    fields (a template that cannot be filled is refused here, not at send time)."""
    label = str(params.get("label") or "The file")
    try:
        meta = inspect_template(data)
        fill_template(data, SAMPLE_FIELDS)
    except ValidationFailed:
        raise
    except Exception as exc:
        raise ValidationFailed(
            f"{label} is not a cover page faxline can fill (the PDF is damaged): upload it again.",
            field="file",
            code="document_unreadable",
        ) from exc
    return meta, b""


def fill_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """``coverpage.fill``: the filled and flattened cover (optionally its PNG preview)."""
    fields = CoverFields.from_values(dict(params.get("fields") or {}))
    pdf = fill_template(data, fields)
    if params.get("png"):
        return {"kind": "png"}, render_png(pdf, width_px=int(params.get("width_px") or 850))
    return {"kind": "pdf"}, pdf


def preview_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """``coverpage.preview``: a PDF faxline drew (the built-in cover) as a PNG."""
    return {"kind": "png"}, render_png(data, width_px=int(params.get("width_px") or 850))


# --- the parent's side ------------------------------------------------------------------


def check_template(data: bytes, *, filename: str = "", field: str = "file") -> TemplateInfo:
    """Accept an uploaded cover page template or refuse it with a clear reason naming
    ``field``: intake's checks with :data:`TEMPLATE_BUDGET` (a PDF of at most 2 MB and
    exactly one page, no scripts or embedded files), then its form fields read in the
    sandbox. Call it outside any database transaction."""
    import hashlib

    from faxline.documents import sandbox
    from faxline.documents.intake import accept_document

    label = f"“{filename}”" if filename else "The file"
    kind = (data[:1024].lstrip(b" \t\r\n\x00")[:5] == b"%PDF-") if data else False
    if data and len(data) <= MAX_TEMPLATE_BYTES and not kind:
        raise ValidationFailed(
            f"{label} is not a PDF: a cover page template is a one-page PDF.",
            field=field,
            code="document_type",
        )
    try:
        accept_document(data, filename=filename, field=field, budget=TEMPLATE_BUDGET)
    except ValidationFailed as exc:
        if exc.code == "document_too_large" and "pages" in exc.message:
            raise ValidationFailed(
                f"{label} has more than one page: a cover page template is one page.",
                field=field,
                code="cover_pages",
            ) from exc
        raise
    result = sandbox.run_job(
        "coverpage.inspect",
        data,
        {"label": label},
        max_payload=1024,
        field_name=field,
    )
    meta = result.meta
    fields = tuple(k for k in FIELD_KEYS if k in (meta.get("fields") or []))
    others = [str(o) for o in meta.get("others") or []]
    if not fields and others:
        raise ValidationFailed(
            f"{label} has form fields ({', '.join(others[:5])}) but none named after a cover "
            f"field. Name its text fields {', '.join(FIELD_KEYS)}, or upload it without form "
            "fields to use it as letterhead.",
            field=field,
            code="cover_fields",
        )
    return TemplateInfo(fields=fields, sha256=hashlib.sha256(data).hexdigest())


def render_cover(fields: CoverFields, *, template: bytes | None = None) -> bytes:
    """The cover page as a one-page PDF: the built-in default when ``template`` is None,
    else the template (checked when it was uploaded) filled in the sandbox."""
    if template is None:
        return render_default_cover(fields)
    from faxline.documents import sandbox

    params = {"fields": fields.values()}
    return sandbox.run_job("coverpage.fill", template, params, max_payload=16 * 1024 * 1024).payload


def render_cover_preview(
    fields: CoverFields = SAMPLE_FIELDS, *, template: bytes | None = None, width_px: int = 850
) -> bytes:
    """A cover filled with ``fields`` (the sample by default) as a PNG, drawn in the
    sandbox (Browse)."""
    from faxline.documents import sandbox

    if template is None:
        result = sandbox.run_job(
            "coverpage.preview",
            render_default_cover(fields),
            {"width_px": width_px},
            max_payload=16 * 1024 * 1024,
        )
    else:
        result = sandbox.run_job(
            "coverpage.fill",
            template,
            {"fields": fields.values(), "png": True, "width_px": width_px},
            max_payload=16 * 1024 * 1024,
        )
    return result.payload


__all__ = [
    "BUILT_IN_NAME",
    "FIELD_KEYS",
    "SAMPLE_FIELDS",
    "CoverFields",
    "TemplateInfo",
    "check_template",
    "fill_template",
    "render_cover",
    "render_cover_preview",
    "render_default_cover",
]
