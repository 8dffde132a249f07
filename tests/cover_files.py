"""Cover page templates made at test time: PDFs with AcroForm text fields (reportlab), a
letterhead without fields, and hostile or oversized ones. Shared by the documents, accounts
and faxing tests."""

from __future__ import annotations

import io
from collections.abc import Iterable

# Where each field's box goes on the form template (x, y, width, height in points).
FORM_BOXES: dict[str, tuple[float, float, float, float]] = {
    "date": (380, 700, 180, 20),
    "to": (130, 640, 300, 22),
    "to_company": (130, 610, 300, 22),
    "to_fax": (130, 580, 300, 22),
    "from": (130, 530, 300, 22),
    "from_company": (130, 500, 300, 22),
    "from_fax": (130, 470, 300, 22),
    "from_phone": (130, 440, 300, 22),
    "subject": (130, 400, 400, 22),
    "pages": (130, 370, 60, 22),
    "comments": (72, 150, 468, 200),
}


def form_template(
    names: Iterable[str] | None = None, *, title: str = "ACME MEDICAL GROUP", pages: int = 1
) -> bytes:
    """A cover template: a title drawn as page content and a text field per name (default:
    every cover field), the comments field multi-line; ``pages`` > 1 adds blank pages."""
    from reportlab.pdfgen.canvas import Canvas

    wanted = list(FORM_BOXES if names is None else names)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(612, 792), invariant=1)
    canvas.setFont("Helvetica-Bold", 24)
    canvas.drawString(72, 740, title)
    canvas.setFont("Helvetica", 12)
    for name in wanted:
        x, y, w, h = FORM_BOXES.get(name, (72, 100, 200, 22))
        canvas.drawString(30, y + 6, name.upper()[:12])
        canvas.acroForm.textfield(
            name=name,
            x=x,
            y=y,
            width=w,
            height=h,
            fontSize=0 if name != "comments" else 11,
            borderWidth=1,
            fieldFlags="multiline" if name == "comments" else "",
            value="",
        )
    canvas.showPage()
    for index in range(1, pages):
        canvas.drawString(72, 720, f"extra page {index + 1}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def letterhead(title: str = "NORTHWIND TRADING LETTERHEAD") -> bytes:
    """A static cover: page content only, no form fields."""
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(612, 792), invariant=1)
    canvas.setFont("Helvetica-Bold", 22)
    canvas.drawString(72, 730, title)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(72, 40, "1 Harbour Street, Springfield")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def javascript_template() -> bytes:
    """A one-page form template that runs JavaScript when opened."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(form_template(["to"]))))
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def oversized_template(size: int = 2 * 1024 * 1024 + 10) -> bytes:
    """A PDF larger than a template may be (padding after its end)."""
    data = form_template(["to"])
    return data + b"\n%" + b"x" * (size - len(data))
