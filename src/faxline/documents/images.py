"""Image to PDF: a PNG, JPEG or TIFF (every page of a multi-page TIFF) as a PDF of its own.

Each image becomes a page sized by its own resolution (or fitted on a letter page when it
has none); a bilevel scan stays bilevel (compact, as faxes are), transparency is flattened
on white. The conversion is bounded: pixels decoded in total and the size of the result
(:mod:`faxline.documents.limits`). Call it on an image that :mod:`~faxline.documents.intake`
accepted (``accept_document(..., as_pdf=True)`` does both, in the sandbox's worker).

:func:`ink_on_white` cleans a drawing (a signature from a signature pad): ink on white,
cropped to the strokes. Both decode bytes a user sent: callers run them through
:mod:`faxline.documents.sandbox` (the jobs ``intake.inspect`` and ``images.ink``).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from faxline.core.errors import ValidationFailed
from faxline.documents.limits import Budget, bytes_per_pixel

# An image without a resolution is fitted on a letter page (8.5 x 11 inches).
PAGE_INCHES = (8.5, 11.0)


def image_to_pdf(
    data: bytes,
    *,
    filename: str = "",
    field: str = "file",
    label: str | None = None,
    budget: Budget | None = None,
) -> bytes:
    """Convert an accepted PNG, JPEG or TIFF (every page of a multi-page TIFF) to a PDF.

    Refused (``document_too_large``, naming ``field``) when the pages decode to more than
    the budget's ``max_decoded_bytes`` in total or the PDF would be larger than its
    ``max_converted_bytes``."""
    from PIL import Image, ImageOps
    from pypdf import PdfWriter

    budget = budget or Budget()
    label = label or (f"“{filename}”" if filename else "The file")
    writer = PdfWriter()
    decoded = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                decoded += image.size[0] * image.size[1] * bytes_per_pixel(image.mode)
                if decoded > budget.max_decoded_bytes:
                    raise ValidationFailed(
                        f"{label} has too many large pages to convert: upload it as a PDF.",
                        field=field,
                        code="document_too_large",
                    )
                frame = image.copy() if index else ImageOps.exif_transpose(image)
                page = _pdf_ready(frame)
                out = io.BytesIO()
                page.save(out, "PDF", dpi=_resolution(image))
                del frame, page
                writer.append(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    writer.write(result)
    pdf = result.getvalue()
    if len(pdf) > budget.max_converted_bytes:
        raise ValidationFailed(
            f"{label} is too large once converted to PDF: scan it at a lower resolution.",
            field=field,
            code="document_too_large",
        )
    return pdf


def _resolution(image: Any) -> tuple[float, float]:
    """Dots per inch across and down for the PDF page: the image's own (a standard-resolution
    fax page is 204 x 98: its page keeps its true height), or what fits a letter page."""
    width, height = image.size
    dpi = image.info.get("dpi")
    fitted = max(width / PAGE_INCHES[0], height / PAGE_INCHES[1], 72.0)
    try:
        across, down = (float(dpi[0]), float(dpi[1])) if dpi else (0.0, 0.0)
    except (TypeError, ValueError, IndexError):
        across = down = 0.0
    if 50.0 <= across <= 2400.0 and 50.0 <= down <= 2400.0:
        return (across, down)
    return (fitted, fitted)


def _pdf_ready(frame: Any) -> Any:
    """A frame in a mode Pillow writes into a PDF compactly (bilevel stays G4)."""
    from PIL import Image

    if frame.mode in ("1", "L", "RGB", "CMYK"):
        return frame
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if frame.mode.startswith(("I", "F")):
        return frame.convert("L")
    return frame.convert("RGB")


def ink_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The sandbox job ``images.ink``: :func:`ink_on_white` with plain parameters."""
    png = ink_on_white(
        data,
        max_pixels=int(params.get("max_pixels") or 4_000_000),
        min_ink=int(params.get("min_ink") or 1),
        padding=int(params.get("padding") or 0),
    )
    return {}, png


def ink_on_white(data: bytes, *, max_pixels: int, min_ink: int, padding: int = 6) -> bytes:
    """A drawing (a PNG, its strokes on a transparent or white background) as dark ink on
    white, cropped to the strokes with ``padding`` pixels around them, as a PNG.

    Refused with ``image_unreadable`` (not a PNG, larger than ``max_pixels``, damaged) or
    ``ink_empty`` (fewer than ``min_ink`` pixels of ink)."""
    from PIL import Image, ImageOps

    unreadable = ValidationFailed(
        "The drawing could not be read.", field="file", code="image_unreadable"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
                width, height = image.size
                if image.format != "PNG" or width * height > max_pixels:
                    raise unreadable
                image.load()
                rgba = image.convert("RGBA")
    except (ValidationFailed, MemoryError):
        raise
    except Exception as exc:  # whatever a damaged file makes the decoder raise
        raise unreadable from exc
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    ink = ImageOps.invert(flat.convert("L")).point(lambda v: 255 if v > 60 else 0)
    box = ink.getbbox()
    if box is None or ink.histogram()[255] < min_ink:
        raise ValidationFailed("The drawing is empty.", field="file", code="ink_empty")
    left, top, right, bottom = box
    cropped = flat.crop(
        (
            max(0, left - padding),
            max(0, top - padding),
            min(flat.width, right + padding),
            min(flat.height, bottom + padding),
        )
    )
    out = io.BytesIO()
    cropped.save(out, "PNG", optimize=True)
    return out.getvalue()
