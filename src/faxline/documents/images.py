"""Image to PDF: a PNG, JPEG or TIFF (every page of a multi-page TIFF) as a PDF of its own.

Each image becomes a page sized by its own resolution (or fitted on a letter page when it
has none); a bilevel scan stays bilevel (compact, as faxes are), transparency is flattened
on white. The conversion is bounded: pixels decoded in total and the size of the result
(:mod:`faxline.documents.limits`). Call it on an image that :mod:`~faxline.documents.intake`
accepted (``accept_document(..., as_pdf=True)`` does both).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from faxline.core.errors import ValidationFailed
from faxline.documents import limits

# An image without a resolution is fitted on a letter page (8.5 x 11 inches).
PAGE_INCHES = (8.5, 11.0)


def image_to_pdf(data: bytes, *, filename: str = "", field: str = "file") -> bytes:
    """Convert an accepted PNG, JPEG or TIFF (every page of a multi-page TIFF) to a PDF.

    Refused (``document_too_large``, naming ``field``) when the pages hold too many pixels
    in total or the PDF would be too large."""
    from PIL import Image, ImageOps
    from pypdf import PdfWriter

    label = f"“{filename}”" if filename else "The file"
    writer = PdfWriter()
    pixels = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                pixels += image.size[0] * image.size[1]
                if pixels > limits.MAX_CONVERTED_PIXELS:
                    raise ValidationFailed(
                        f"{label} has too many large pages to convert: upload it as a PDF.",
                        field=field,
                        code="document_too_large",
                    )
                frame = image.copy() if index else ImageOps.exif_transpose(image)
                page = _pdf_ready(frame)
                out = io.BytesIO()
                page.save(out, "PDF", resolution=_resolution(image))
                writer.append(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    writer.write(result)
    pdf = result.getvalue()
    if len(pdf) > limits.MAX_CONVERTED_BYTES:
        raise ValidationFailed(
            f"{label} is too large once converted to PDF: scan it at a lower resolution.",
            field=field,
            code="document_too_large",
        )
    return pdf


def _resolution(image: Any) -> float:
    """Dots per inch for the PDF page: the image's own, or what fits a letter page."""
    width, height = image.size
    dpi = image.info.get("dpi")
    fitted = max(width / PAGE_INCHES[0], height / PAGE_INCHES[1], 72.0)
    try:
        own = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        own = 0.0
    return own if 50.0 <= own <= 2400.0 else fitted


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
