"""Snippets: small images of the places on a document's pages where facts were read.

The person who confirms the facts read from a bill or a CSR (:mod:`.extract`) sees, beside
each value, the place it was read from: the value's box (:meth:`~.extract.Extraction.sources`,
points from the page's top-left corner) widened by some context (half an inch to the left,
where the value's label usually stands, 0.15 inch elsewhere), clipped to the page, as a
greyscale PNG of at most :data:`MAX_WIDTH_PX` x :data:`MAX_HEIGHT_PX` pixels and never
finer than :data:`MAX_DPI`.

pdfium draws the pages in the sandbox's worker (job ``read.snippets``): each page asked for
is opened once, and only the region of each snippet is drawn, at the scale that snippet
needs (the bitmap is the snippet's size, so a giant page costs no more than a small one).
All PNGs come back in the one payload, their offsets and lengths in the job's metadata.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from faxline.documents.limits import MAX_DOCUMENT_BYTES, MAX_PDF_PAGES
from faxline.documents.reading.words import FIELD, check_pdf_upload, open_pdf

JOB = "read.snippets"
#: Regions one call may ask for: a document's facts are about a dozen places.
MAX_REGIONS = 40
MAX_WIDTH_PX = 640
MAX_HEIGHT_PX = 200
MAX_DPI = 150.0
# Context around the value's box, in points (72 a inch).
PAD_LEFT = 36.0
PAD_OTHER = 10.8
# What one PNG may take in the payload (an L image of 640 x 200 stored raw is 129 kB).
MAX_PNG_BYTES = 192 * 1024

Box = tuple[float, float, float, float]


def snippets(
    pdf: bytes,
    regions: Sequence[tuple[int, Box]],
    *,
    label: str = "The document",
) -> list[bytes | None]:
    """One greyscale PNG per ``(page, (x0, top, x1, bottom))`` of ``regions`` (pages from
    1, boxes in points from the page's top-left corner, as
    :meth:`~.extract.Extraction.sources` gives them), in their order: None for a region
    on a page the PDF does not have or with an empty box.

    More than :data:`MAX_REGIONS` regions is a programming error (``ValueError``). The PDF
    is refused like :func:`~.words.read_words` refuses it (``ValidationFailed`` on field
    ``file``: ``document_empty``, ``document_type``, ``document_too_large``,
    ``document_encrypted``, ``document_unreadable``, the last also when the worker
    overruns its limits). Call it outside any database transaction."""
    from faxline.core.errors import ValidationFailed
    from faxline.documents import sandbox

    if len(regions) > MAX_REGIONS:
        raise ValueError(f"at most {MAX_REGIONS} snippets a call, not {len(regions)}")
    plain = [_plain_region(page, box) for page, box in regions]
    if not plain:
        return []
    check_pdf_upload(pdf, max_bytes=MAX_DOCUMENT_BYTES, label=label)
    try:
        result = sandbox.run_job(
            JOB,
            pdf,
            {"regions": plain, "max_pages": MAX_PDF_PAGES},
            max_payload=len(plain) * MAX_PNG_BYTES,
            field_name=FIELD,
        )
    except sandbox.JobOverrun as exc:
        raise ValidationFailed(
            f"{label} could not be drawn within the time and memory it may take.",
            field=FIELD,
            code="document_unreadable",
        ) from exc
    return _unpack(result.meta, result.payload, len(plain))


def _plain_region(page: int, box: Sequence[float]) -> list[Any]:
    """A region as the worker takes it: ``[page, [x0, top, x1, bottom]]`` (a box that is
    not four finite numbers is an empty one)."""
    numbers = [float(v) for v in box]
    if len(numbers) != 4 or not all(math.isfinite(v) for v in numbers):
        numbers = [0.0, 0.0, 0.0, 0.0]
    return [int(page), numbers]


def _unpack(meta: dict[str, Any], payload: bytes, count: int) -> list[bytes | None]:
    spans = meta.get("snippets")
    if not isinstance(spans, list) or len(spans) != count:
        raise RuntimeError("the snippets job answered for other regions than it was asked")
    out: list[bytes | None] = []
    for span in spans:
        if span is None:
            out.append(None)
            continue
        offset, length = int(span[0]), int(span[1])
        if offset < 0 or length < 1 or offset + length > len(payload):
            raise RuntimeError("the snippets job gave a span outside its payload")
        out.append(payload[offset : offset + length])
    return out


# --- the worker side ---------------------------------------------------------------------


def snippets_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The sandbox job ``read.snippets``: meta ``{"snippets": [[offset, length] | None]}``,
    payload the PNGs one after the other."""
    max_pages = int(params.get("max_pages") or MAX_PDF_PAGES)
    regions = [(int(page), tuple(float(v) for v in box)) for page, box in params["regions"]]
    if len(regions) > MAX_REGIONS:
        raise ValueError(f"at most {MAX_REGIONS} snippets a job")
    document = open_pdf(data, max_pages)
    pngs: list[bytes | None] = [None] * len(regions)
    try:
        count = len(document)
        by_page: dict[int, list[int]] = {}
        for index, (number, box) in enumerate(regions):
            if 1 <= number <= count and len(box) == 4:
                by_page.setdefault(number, []).append(index)
        for number in sorted(by_page):
            page = document[number - 1]
            try:
                for index in by_page[number]:
                    x0, top, x1, bottom = regions[index][1]
                    pngs[index] = _snippet(page, (x0, top, x1, bottom))
            finally:
                page.close()
    finally:
        document.close()
    spans: list[list[int] | None] = []
    payload = bytearray()
    for png in pngs:
        if png is None:
            spans.append(None)
        else:
            spans.append([len(payload), len(png)])
            payload += png
    return {"snippets": spans}, bytes(payload)


def _snippet(page: Any, box: Box) -> bytes | None:
    """The PNG of ``box`` on ``page`` with its context, or None for an empty box."""
    x0, top, x1, bottom = box
    if not (x1 > x0 and bottom > top):
        return None
    # Boxes are measured in the page's unrotated space (the text layer's, see .words):
    # the page is drawn without its /Rotate so that they fall where they were read.
    rotation = page.get_rotation()
    left_edge, bottom_edge, right_edge, top_edge = page.get_bbox()
    width, height = right_edge - left_edge, top_edge - bottom_edge
    if not (width > 0 and height > 0):
        return None
    left = max(0.0, x0 - PAD_LEFT)
    right = min(width, x1 + PAD_OTHER)
    upper = max(0.0, top - PAD_OTHER)
    lower = min(height, bottom + PAD_OTHER)
    if right - left < 1.0 or lower - upper < 1.0:
        return None  # the box lies outside the page
    scale = min(MAX_DPI / 72.0, MAX_WIDTH_PX / (right - left), MAX_HEIGHT_PX / (lower - upper))
    if min(right - left, lower - upper) * scale < 4:
        return None  # a sliver: nothing a person could see
    # Drawn: only the crop, (left, bottom, right, top) cut off the page's drawing, so
    # the bitmap is the snippet's size whatever the page's.
    bitmap = page.render(
        scale=scale,
        rotation=(360 - rotation) % 360,
        crop=(left, height - lower, width - right, upper),
        grayscale=True,
    )
    image = bitmap.to_pil().convert("L")
    if image.width > MAX_WIDTH_PX or image.height > MAX_HEIGHT_PX:  # rounding up by a pixel
        image = image.crop((0, 0, min(image.width, MAX_WIDTH_PX), min(image.height, MAX_HEIGHT_PX)))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
