"""The Letter of Authorization as a PDF: the letter itself and, once signed, its signature
page with the audit trail, in the house style of :mod:`faxline.documents.layout`."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from faxline.core.provider import provider_name
from faxline.documents.layout import (
    BRAND,
    INK,
    MUTED,
    RULE,
    SANS,
    SANS_BOLD,
    SCRIPT,
    TINT,
    PageDecoration,
    key_value_table,
    numbered_grid,
    paragraph,
    render_pdf,
    side_by_side,
)
from faxline.documents.layout import styles as house_styles
from faxline.porting.files.loa.content import LoaContent


def _loa_story(content: LoaContent, width: float) -> list[Any]:
    from reportlab.lib.colors import Color
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    styles = house_styles()
    half = (width - 22) / 2
    (customer_h, customer), (address_h, address), (carrier_h, carrier) = content.rows(masked=False)
    split = 3
    story: list[Any] = [
        paragraph(
            f"The customer below asks {content.provider} to port the numbers listed on this "
            f"letter from {content.losing_carrier}. The losing carrier checks every field "
            f"against its records, so they must match the account exactly.",
            styles["body"],
        ),
        Spacer(1, 5),
        side_by_side(
            [paragraph(customer_h, styles["h2"]), key_value_table(customer, styles, half, 0.4)],
            [paragraph(address_h, styles["h2"]), key_value_table(address, styles, half, 0.4)],
            width,
        ),
        paragraph(carrier_h, styles["h2"]),
        side_by_side(
            [key_value_table(carrier[:split], styles, half, 0.4)],
            [key_value_table(carrier[split:], styles, half, 0.4)],
            width,
        ),
        paragraph(f"Numbers to port ({len(content.numbers)})", styles["h2"]),
        numbered_grid(content.numbers, styles, width),
        paragraph("Authorization", styles["h2"]),
    ]
    for text in content.authorization:
        story.append(paragraph(text, styles["body"]))
    story.append(Spacer(1, 3))
    story.append(paragraph("The Customer confirms that:", styles["body"]))
    for line in content.confirmations:
        bullet = paragraph(line, styles["bullet"])
        bullet.bulletText = "•"
        story.append(bullet)
    signature_rows = [
        [
            paragraph("Authorized signature", styles["label"]),
            paragraph("Signed electronically: see the signature page", styles["small"]),
            paragraph("Date", styles["label"]),
            paragraph("See the signature page", styles["small"]),
        ],
        [
            paragraph("Printed name", styles["label"]),
            paragraph(content.authorized_name, styles["value"]),
            paragraph("Title", styles["label"]),
            paragraph(content.authorized_title or "—", styles["value"]),
        ],
    ]
    block = Table(
        signature_rows,
        colWidths=[width * 0.2, width * 0.38, width * 0.1, width * 0.32],
        hAlign="LEFT",
    )
    block.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, Color(*BRAND)),
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, Color(*RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(
        KeepTogether([paragraph("Signature of the authorized person", styles["h2"]), block])
    )
    return story


def render_loa_pdf(content: LoaContent) -> bytes:
    """The unsigned LOA as a PDF (letter size), numbered "Page n of N"."""
    on = content.generated_on

    def decoration(total: int | None) -> PageDecoration:
        return PageDecoration(
            title=content.title,
            subtitle=content.subtitle,
            right=[
                f"Port request {content.request_id}",
                f"Prepared {on:%B} {on.day}, {on:%Y}",
                content.provider,
            ],
            footer=(
                f"LOA for port request {content.request_id} · data fingerprint "
                f"{content.fingerprint[:16]} · contains account credentials: keep confidential"
            ),
            numbering=lambda n: f"Page {n} of {total}" if total else f"Page {n}",
        )

    return render_pdf(
        lambda width: _loa_story(content, width),
        decoration=decoration,
        top_margin=94,
        bottom_margin=60,
        title=f"Letter of Authorization — port request {content.request_id}",
        author=content.provider,
        subject=f"Porting of {len(content.numbers)} number(s) from {content.losing_carrier}",
    )


@dataclass(frozen=True)
class SignatureTrail:
    """What the signature page records."""

    request_id: int
    signer_name: str
    signer_title: str
    signer_email: str
    signed_at: dt.datetime
    ip_address: str
    user_agent: str
    channel: str
    signature_kind: str
    signature_png: bytes | None
    consent_text: str
    document_sha256: str
    document_pages: int
    data_sha256: str
    certificate_subject: str
    certificate_sha256: str


def render_signature_page(trail: SignatureTrail) -> bytes:
    """The final page of a signed LOA: the signature and its audit trail."""
    page = PageDecoration(
        title="Signature page",
        subtitle="Electronic signature of the Letter of Authorization",
        right=[
            f"Port request {trail.request_id}",
            f"Signed {trail.signed_at:%B} {trail.signed_at.day}, {trail.signed_at:%Y}",
            provider_name(),
        ],
        footer=f"Signature page of the LOA for port request {trail.request_id}",
        numbering=lambda n: f"Follows the {trail.document_pages}-page LOA",
    )
    return render_pdf(
        lambda width: _signature_story(trail, width),
        decoration=lambda total: page,
        top_margin=96,
        bottom_margin=62,
        count_pages=False,
        title=f"Signature page — port request {trail.request_id}",
    )


def _signature_story(trail: SignatureTrail, width: float) -> list[Any]:
    from reportlab.lib.colors import Color
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Flowable, Spacer, Table, TableStyle

    styles = house_styles()

    class SignatureBox(Flowable):  # type: ignore[misc]
        """The signature (drawn image or typed name) over a line, with the printed name."""

        def wrap(self, *_: Any) -> tuple[float, float]:
            return width, 118

        def draw(self) -> None:
            canvas = self.canv
            canvas.setFillColor(Color(1, 1, 1))
            canvas.setStrokeColor(Color(*RULE))
            canvas.setLineWidth(0.8)
            canvas.roundRect(0, 0, width, 118, 6, stroke=1, fill=1)
            left, base = 22, 38
            if trail.signature_png:
                image = ImageReader(io.BytesIO(trail.signature_png))
                iw, ih = image.getSize()
                scale = min(260 / iw, 66 / ih, 1.5)
                canvas.drawImage(image, left, base + 2, iw * scale, ih * scale, mask="auto")
            else:
                canvas.setFillColor(Color(0.05, 0.16, 0.42))
                size = 30.0
                from reportlab.pdfbase.pdfmetrics import stringWidth

                while size > 14 and stringWidth(trail.signer_name, SCRIPT, size) > 300:
                    size -= 1
                canvas.setFont(SCRIPT, size)
                canvas.drawString(left, base + 10, trail.signer_name)
            canvas.setStrokeColor(Color(*MUTED))
            canvas.setLineWidth(0.7)
            canvas.line(left, base, left + 300, base)
            canvas.setFillColor(Color(*INK))
            canvas.setFont(SANS_BOLD, 9.5)
            title = f", {trail.signer_title}" if trail.signer_title else ""
            canvas.drawString(left, base - 14, f"{trail.signer_name}{title}")
            canvas.setFont(SANS, 8)
            canvas.setFillColor(Color(*MUTED))
            canvas.drawString(
                left, base - 26, f"Signed electronically on {trail.signed_at:%Y-%m-%d %H:%M:%S} UTC"
            )
            # The seal mark at the right.
            cx, cy = width - 70, 59
            canvas.setStrokeColor(Color(*BRAND))
            canvas.setLineWidth(1.6)
            canvas.circle(cx, cy, 34, stroke=1, fill=0)
            canvas.setLineWidth(0.6)
            canvas.circle(cx, cy, 29, stroke=1, fill=0)
            canvas.setFillColor(Color(*BRAND))
            canvas.setFont(SANS_BOLD, 7)
            canvas.drawCentredString(cx, cy + 6, "DIGITALLY")
            canvas.drawCentredString(cx, cy - 3, "SEALED")
            canvas.setFont(SANS, 5.5)
            canvas.drawCentredString(cx, cy - 12, "SHA-256")

    channel_rows = [
        ("Signer", trail.signer_name),
        ("Title", trail.signer_title or "—"),
        ("Email", trail.signer_email or "—"),
        ("Signed at (UTC)", f"{trail.signed_at:%Y-%m-%d %H:%M:%S} UTC"),
        ("IP address", trail.ip_address or "unknown"),
        ("User agent", trail.user_agent or "unknown"),
        ("Signed through", trail.channel),
        (
            "Signature",
            "Drawn on screen by the signer"
            if trail.signature_kind == "drawn"
            else "Typed by the signer",
        ),
    ]
    document_rows = [
        (
            "Document signed",
            f"Letter of Authorization for port request {trail.request_id}, "
            f"{trail.document_pages} page{'s' if trail.document_pages != 1 else ''}, "
            "before this page",
        ),
    ]
    story: list[Any] = [
        paragraph(
            "This page is part of the Letter of Authorization above. It records how the "
            "authorized person signed it electronically.",
            styles["body"],
        ),
        Spacer(1, 10),
        SignatureBox(),
        paragraph("Audit trail", styles["h2"]),
        key_value_table(channel_rows + document_rows, styles, width),
    ]
    hashes = Table(
        [
            [
                paragraph("SHA-256 of the unsigned LOA", styles["label"]),
                paragraph(trail.document_sha256, styles["mono"]),
            ],
            [
                paragraph("SHA-256 of the request data", styles["label"]),
                paragraph(trail.data_sha256, styles["mono"]),
            ],
        ],
        colWidths=[width * 0.34, width * 0.66],
        hAlign="LEFT",
    )
    hashes.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, Color(*RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [
        hashes,
        paragraph("Consent given by the signer", styles["h2"]),
    ]
    consent = Table(
        [[paragraph(f"“{trail.consent_text}”", styles["body"])]],
        colWidths=[width],
        hAlign="LEFT",
    )
    consent.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), Color(*TINT)),
                ("LINEBEFORE", (0, 0), (0, -1), 2.5, Color(*BRAND)),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    story += [
        consent,
        paragraph("Platform seal", styles["h2"]),
        paragraph(
            f"This PDF is certified with the digital signature of the {provider_name()} "
            f"platform ({trail.certificate_subject}; certificate SHA-256 "
            f"{trail.certificate_sha256}). Any change to the file after signing breaks that "
            "signature: a PDF reader that validates signatures, or the porting portal, "
            "shows it.",
            styles["small"],
        ),
    ]
    return story
