"""The delivery receipt of a sent fax: a sealed one-page PDF the sender can show as proof
of what was delivered, to whom and when.

It prints what the call's T.30 session reported (the remote CSI, the outcome with its raw
completion code and text, pages, bit rate, resolution, ECM, start and end), the numbers,
the job identifier, a thumbnail of the first page **as sent** (drawn from the TIFF-F that
went down the line, not from the document uploaded) and the **SHA-256 of that TIFF**. Anyone
holding the image can hash it and compare; anyone holding the receipt can check its seal:
it is certified with the platform's key (:mod:`faxline.documents.sealing`, as the LOA is),
so a receipt changed after it was issued no longer verifies.

The caller (the fax engine) fills a :class:`DeliveryReceipt` with plain values: times
already formatted for the sender (their format and zone), no tenant or job object.
The thumbnail is decoded in the sandbox's worker (the job ``received.thumbnail``), since
the TIFF was made from a document a user uploaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from faxline.documents.received import RECEIVED_BUDGET

THUMBNAIL_PX = 420  # the thumbnail's width in pixels (drawn about 2.4 in wide)


@dataclass(frozen=True)
class DeliveryReceipt:
    """What a delivery receipt states. ``image`` is the TIFF-F exactly as transmitted;
    ``started`` and ``ended`` are strings in the sender's format and zone."""

    job_id: str
    from_number: str
    to_number: str
    remote_csi: str
    outcome: str  # the outcome's name, as the portal shows it ("Success")
    result_code: int  # the raw T.30 completion code
    result_text: str  # its text ("OK")
    pages_sent: int
    bit_rate: int  # bits per second
    resolution: str  # "204 x 196 (fine)"
    ecm: bool
    started: str
    ended: str
    image: bytes
    duration: str = ""  # "1 min 14 s", optional
    provider: str = ""

    @property
    def image_sha256(self) -> str:
        return hashlib.sha256(self.image).hexdigest()

    def rows(self) -> list[tuple[str, str]]:
        """The receipt's fields as label and value, in the order printed."""
        rows = [
            ("Job identifier", self.job_id),
            ("From", self.from_number or "—"),
            ("To", self.to_number),
            ("Remote CSI", self.remote_csi or "(none sent)"),
            ("Result", f"{self.outcome} — T.30 code {self.result_code}: {self.result_text}"),
            ("Pages sent", str(self.pages_sent)),
            ("Bit rate", f"{self.bit_rate} bit/s" if self.bit_rate else "—"),
            ("Resolution", self.resolution or "—"),
            ("Error correction (ECM)", "Yes" if self.ecm else "No"),
            ("Started", self.started),
            ("Ended", self.ended),
        ]
        if self.duration:
            rows.append(("Duration", self.duration))
        return rows


def receipt_thumbnail(
    image: bytes, *, width_px: int = THUMBNAIL_PX
) -> tuple[bytes, dict[str, Any]]:
    """The first page of a fax TIFF as a PNG (drawn in the sandbox), and its size and
    resolution."""
    from faxline.documents import sandbox
    from faxline.documents.received import RECEIVED_LIMITS

    result = sandbox.run_job(
        "received.thumbnail",
        image,
        {"width_px": width_px, "budget": RECEIVED_BUDGET.as_params()},
        limits=RECEIVED_LIMITS,
        max_payload=8 * 1024 * 1024,
        field_name="image",
    )
    return result.payload, result.meta


def render_receipt(receipt: DeliveryReceipt) -> bytes:
    """The receipt as a PDF, not yet sealed (see :func:`delivery_receipt`)."""
    from faxline.core.provider import provider_name
    from faxline.documents.layout import PageDecoration, render_pdf

    thumbnail, _meta = receipt_thumbnail(receipt.image)
    provider = receipt.provider or provider_name()
    page = PageDecoration(
        title="Fax delivery receipt",
        subtitle=f"Proof of delivery of fax job {receipt.job_id}",
        right=[receipt.outcome, f"Job {receipt.job_id}", provider],
        footer=f"Sealed by {provider}. Check the seal in a PDF reader; hash the image to compare.",
        numbering=lambda n: f"Page {n}",
    )
    return render_pdf(
        lambda width: _story(receipt, thumbnail, width),
        decoration=lambda total: page,
        count_pages=False,
        title=f"Fax delivery receipt — job {receipt.job_id}",
        author=provider,
        subject=(
            f"Fax to {receipt.to_number}: {receipt.outcome}; image SHA-256 {receipt.image_sha256}"
        ),
    )


def delivery_receipt(receipt: DeliveryReceipt) -> bytes:
    """The receipt as a PDF sealed with the platform's key. Call it outside any database
    transaction (the thumbnail is drawn in the sandbox)."""
    from faxline.documents.sealing import seal_pdf

    return seal_pdf(
        render_receipt(receipt),
        reason=(
            f"Delivery receipt of fax job {receipt.job_id} to {receipt.to_number}; "
            f"image SHA-256 {receipt.image_sha256}"
        ),
    )


def _story(receipt: DeliveryReceipt, thumbnail: bytes, width: float) -> list[Any]:
    import io

    from reportlab.lib.colors import Color
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image, Spacer, Table, TableStyle

    from faxline.documents.layout import RULE, key_value_table, paragraph, styles

    house = styles()
    reader = ImageReader(io.BytesIO(thumbnail))
    pixels_w, pixels_h = reader.getSize()
    thumb_w = width * 0.36
    thumb_h = thumb_w * pixels_h / pixels_w
    if thumb_h > 300:
        thumb_w, thumb_h = thumb_w * 300 / thumb_h, 300
    picture = Image(io.BytesIO(thumbnail), width=thumb_w, height=thumb_h)
    framed = Table([[picture]], colWidths=[thumb_w + 6])
    framed.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, Color(*RULE)),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    left_w = width - thumb_w - 28
    details = [
        paragraph("Transmission", house["h2"]),
        key_value_table(receipt.rows(), house, left_w, 0.38),
    ]
    caption = paragraph("First page as transmitted", house["small"])
    columns = Table(
        [[details, "", [framed, Spacer(1, 3), caption]]],
        colWidths=[left_w, 16, thumb_w + 12],
        hAlign="LEFT",
    )
    columns.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    digest = receipt.image_sha256
    mono = house["mono"]
    return [
        paragraph(
            f"The fax job {receipt.job_id} from {receipt.from_number or 'this account'} to "
            f"{receipt.to_number} ended with the result below, as the call's T.30 session "
            "reported it.",
            house["body"],
        ),
        Spacer(1, 6),
        columns,
        Spacer(1, 8),
        paragraph("Image sent", house["h2"]),
        paragraph(
            f"SHA-256 of the image transmitted (TIFF-F, {len(receipt.image)} bytes, "
            f"{receipt.pages_sent} page(s)):",
            house["body"],
        ),
        Spacer(1, 2),
        paragraph(digest, mono),
        Spacer(1, 6),
        paragraph(
            "To prove what was delivered, compute the SHA-256 of the transmitted image "
            "(for example with sha256sum) and compare it with the value above. This receipt "
            "is sealed with the platform's key: any change to it breaks the seal.",
            house["small"],
        ),
    ]


__all__ = ["DeliveryReceipt", "delivery_receipt", "receipt_thumbnail", "render_receipt"]
