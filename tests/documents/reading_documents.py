"""Born-digital bills and CSRs drawn with reportlab for the reading tests (issue 14): rows
of text placed by position, in the fonts word processors and CSR dumps use."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

Rows = list[tuple[float, float, str, str, float]]  # x, y from the top, text, font, size


def make_pdf(*pages: Rows, encrypt: str | None = None) -> bytes:
    out = io.BytesIO()
    doc = canvas.Canvas(out, pagesize=letter, encrypt=encrypt)
    height = letter[1]
    for rows in pages:
        for x, y, text, font, size in rows:
            doc.setFont(font, size)
            doc.drawString(x, height - y, text)
        doc.showPage()
    doc.save()
    return out.getvalue()


def helv(x: float, y: float, text: str, size: float = 10, bold: bool = False) -> Any:
    return (x, y, text, "Helvetica-Bold" if bold else "Helvetica", size)


def mono(y: float, text: str) -> Any:
    return (40, y, text, "Courier", 9)
