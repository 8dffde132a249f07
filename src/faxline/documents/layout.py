"""The house style of the PDFs faxline writes (reportlab): fonts, colours, paragraph styles,
tables, the page decoration (a brand band with the title, a footer) and the layout of a
letter-size document numbered "Page n of N".

A document is a *story* (a list of reportlab flowables) made by a function of the frame's
width, laid out by :func:`render_pdf` with a :class:`PageDecoration` on every page.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

# Font names as the styles and canvases below use them.
SANS = "FaxlineSans"
SANS_BOLD = "FaxlineSans-Bold"
SANS_ITALIC = "FaxlineSans-Italic"
MONO = "FaxlineMono"
SCRIPT = "FaxlineScript"  # a handwriting-like face for typed signatures

_FONT_CANDIDATES = {
    SANS: (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "Vera.ttf",
    ),
    SANS_BOLD: (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "VeraBd.ttf",
    ),
    SANS_ITALIC: (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
        "VeraIt.ttf",
    ),
    MONO: (
        "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
        "Vera.ttf",
    ),
    SCRIPT: (
        "/usr/share/fonts/truetype/liberation/LiberationSerif-BoldItalic.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf",
        "VeraBI.ttf",
    ),
}
_fonts_ready = False
_fonts_lock = threading.Lock()

# Colours as RGB fractions.
INK = (0.11, 0.15, 0.2)
BRAND = (0.059, 0.239, 0.408)  # #0f3d68, the portal's brand colour
ACCENT = (0.31, 0.765, 0.969)  # the portal's accent
MUTED = (0.36, 0.41, 0.47)
RULE = (0.85, 0.88, 0.92)
TINT = (0.953, 0.961, 0.973)

# Letter-size pages; the side margins, and the top margin that clears the brand band.
SIDE_MARGIN = 48.0
BAND_HEIGHT = 74.0


def register_fonts() -> None:
    """Register TrueType fonts with wide coverage (names in any Latin, Greek or Cyrillic
    script): Liberation or DejaVu when installed, else the Vera fonts that ship with
    reportlab. Safe to call any number of times, from any thread."""
    global _fonts_ready
    if _fonts_ready:
        return
    with _fonts_lock:
        if _fonts_ready:
            return
        import reportlab
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        bundled = Path(reportlab.__file__).parent / "fonts"
        for name, candidates in _FONT_CANDIDATES.items():
            for candidate in candidates:
                path = Path(candidate) if candidate.startswith("/") else bundled / candidate
                if path.is_file():
                    pdfmetrics.registerFont(TTFont(name, str(path)))
                    break
        addMapping(SANS, 0, 0, SANS)
        addMapping(SANS, 1, 0, SANS_BOLD)
        addMapping(SANS, 0, 1, SANS_ITALIC)
        addMapping(SANS, 1, 1, SANS_BOLD)
        _fonts_ready = True


def styles() -> dict[str, Any]:
    """The paragraph styles: body, small, label, value, mono, h2 and bullet."""
    from reportlab.lib.colors import Color
    from reportlab.lib.styles import ParagraphStyle

    ink, muted, brand = Color(*INK), Color(*MUTED), Color(*BRAND)
    base = ParagraphStyle("body", fontName=SANS, fontSize=9, leading=12.2, textColor=ink)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5, textColor=muted),
        "label": ParagraphStyle("label", parent=base, fontSize=8.5, leading=11, textColor=muted),
        "value": ParagraphStyle("value", parent=base, fontName=SANS_BOLD, fontSize=9),
        "mono": ParagraphStyle("mono", parent=base, fontName=MONO, fontSize=8, leading=10.5),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=SANS_BOLD,
            fontSize=10,
            leading=13,
            textColor=brand,
            spaceBefore=8,
            spaceAfter=3,
        ),
        "bullet": ParagraphStyle(
            "bullet", parent=base, leftIndent=12, bulletIndent=2, spaceBefore=1.5
        ),
    }


def paragraph(text: str, style: Any) -> Any:
    """A paragraph of plain text (escaped: names and addresses are not markup)."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), style)


class PageDecoration:
    """The page decoration: a brand band with the title, subtitle and up to three lines at
    the right, and a footer; ``numbering`` makes the footer's right-hand text from the page
    number."""

    def __init__(
        self,
        *,
        title: str,
        subtitle: str,
        right: list[str],
        footer: str,
        numbering: Callable[[int], str],
    ) -> None:
        self.title, self.subtitle, self.right, self.footer = title, subtitle, right, footer
        self.numbering = numbering

    def __call__(self, canvas: Any, doc: Any) -> None:
        from reportlab.lib.colors import Color, white

        width, height = doc.pagesize
        light = Color(0.82, 0.89, 0.96)
        canvas.saveState()
        canvas.setFillColor(Color(*BRAND))
        canvas.rect(0, height - BAND_HEIGHT, width, BAND_HEIGHT, stroke=0, fill=1)
        canvas.setFillColor(Color(*ACCENT))
        canvas.rect(0, height - BAND_HEIGHT - 3, width, 3, stroke=0, fill=1)
        canvas.setFillColor(white)
        canvas.setFont(SANS_BOLD, 17)
        canvas.drawString(SIDE_MARGIN, height - 38, self.title)
        canvas.setFont(SANS, 9)
        canvas.setFillColor(light)
        canvas.drawString(SIDE_MARGIN, height - 55, self.subtitle)
        for index, line in enumerate(self.right):
            canvas.setFont(SANS_BOLD if index == 0 else SANS, 9.5 if index == 0 else 8.5)
            canvas.setFillColor(white if index == 0 else light)
            canvas.drawRightString(width - SIDE_MARGIN, height - 32 - index * 13, line)
        canvas.setStrokeColor(Color(*RULE))
        canvas.setLineWidth(0.6)
        canvas.line(SIDE_MARGIN, 46, width - SIDE_MARGIN, 46)
        canvas.setFont(SANS, 7.5)
        canvas.setFillColor(Color(*MUTED))
        canvas.drawString(SIDE_MARGIN, 34, self.footer)
        canvas.drawRightString(width - SIDE_MARGIN, 34, self.numbering(doc.page))
        canvas.restoreState()


def key_value_table(
    rows: list[tuple[str, str]], style: dict[str, Any], width: float, label_share: float = 0.34
) -> Any:
    """A two-column table of labels and values, ruled between rows."""
    from reportlab.lib.colors import Color
    from reportlab.platypus import Table, TableStyle

    data = [
        [paragraph(label, style["label"]), paragraph(value, style["value"])]
        for label, value in rows
    ]
    widths = [width * label_share, width * (1 - label_share)]
    table = Table(data, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, Color(*RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 2.6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def numbered_grid(
    items: tuple[str, ...] | list[str], style: dict[str, Any], width: float, columns: int = 4
) -> Any:
    """A tinted box listing ``items`` numbered 1., 2., ... in ``columns`` columns, row by row."""
    from reportlab.lib.colors import Color
    from reportlab.platypus import Table, TableStyle

    cells = [f"{i + 1}.  {item}" for i, item in enumerate(items)]
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)] or [[]]
    rows[-1] += [""] * (columns - len(rows[-1]))
    data = [[paragraph(c, style["body"]) for c in row] for row in rows]
    table = Table(data, colWidths=[width / columns] * columns, hAlign="LEFT", repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), Color(*TINT)),
                ("BOX", (0, 0), (-1, -1), 0.5, Color(*RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return table


def side_by_side(left: list[Any], right: list[Any], width: float, gap: float = 22) -> Any:
    """Two columns of flowables of equal width, ``gap`` points apart."""
    from reportlab.platypus import Table, TableStyle

    half = (width - gap) / 2
    table = Table([[left, "", right]], colWidths=[half, gap, half], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def render_pdf(
    story: Callable[[float], list[Any]],
    *,
    decoration: Callable[[int | None], PageDecoration],
    top_margin: float = 94,
    bottom_margin: float = 60,
    count_pages: bool = True,
    **info: str,
) -> bytes:
    """A letter-size PDF of ``story(frame width)`` with ``decoration(total pages)`` on
    every page; ``info`` sets the document's title, author, subject...

    With ``count_pages`` the document is laid out twice: once to count its pages (the
    decoration gets None), then with the total, so that it can print "Page n of N"."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()

    def build(total: int | None) -> tuple[bytes, int]:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=LETTER,
            leftMargin=SIDE_MARGIN,
            rightMargin=SIDE_MARGIN,
            topMargin=top_margin,
            bottomMargin=bottom_margin,
            creator="faxline",
            **info,
        )
        page = decoration(total)
        doc.build(story(doc.width), onFirstPage=page, onLaterPages=page)
        return buffer.getvalue(), doc.page

    if not count_pages:
        return build(None)[0]
    _, pages = build(None)
    return build(pages)[0]
