"""Fax images: an attachment converted to TIFF-F once and stored once, by its SHA-256.

The one service every caller uses (the portal, the API, email and tasks):
:func:`fax_image_convert` converts the sender's bytes (``faxline.documents.faximage``, in
the document sandbox, outside any database transaction) and stores the result with
:func:`fax_image_store`, which keeps one row and one vault file per distinct image (the
bytes encrypted at rest by ``faxline.core.vault``). Refusals are the domain errors of the
conversion: ``invalid_attachment`` (the guide's "Invalid Attachment", with a reason) and
``no_attachment``, both naming the field ``document``.
"""

from __future__ import annotations

import io

from django.db import IntegrityError, transaction
from PIL import Image

from faxline.core.errors import NotFound
from faxline.core.vault import vault_delete, vault_read, vault_store
from faxline.documents.faximage import (
    Compression,
    FaxImage,
    Resolution,
    convert_to_fax,
)
from faxline.faxing.models import FaxImageFile

VAULT_PURPOSE = "fax-images"


def fax_image_store(image: FaxImage) -> FaxImageFile:
    """The stored row of ``image``: the existing one when an image with its SHA-256 is
    already kept, else a new row and vault file. Safe against a concurrent store of the
    same image (PostgreSQL and SQLite): the unique SHA-256 decides, the loser's vault file
    is removed."""
    existing = FaxImageFile.objects.filter(sha256=image.sha256).first()
    if existing is not None:
        return existing
    stored = vault_store(image.tiff, purpose=VAULT_PURPOSE)
    try:
        with transaction.atomic():
            return FaxImageFile.objects.create(
                sha256=image.sha256,
                vault_name=stored.name,
                pages=image.pages,
                resolution=image.resolution.value,
                compression=image.compression.value,
                size=len(image.tiff),
                source_kind=image.source_kind,
                discouraged=image.discouraged,
            )
    except IntegrityError:
        vault_delete(stored.name)
        return FaxImageFile.objects.get(sha256=image.sha256)


def fax_image_convert(
    data: bytes | None,
    *,
    filename: str = "",
    resolution: Resolution | str = Resolution.FINE,
    compression: Compression | str = Compression.G4,
) -> FaxImageFile:
    """Convert an attachment to TIFF-F and store it (deduplicated). Call it outside any
    database transaction: the conversion refuses to run inside one."""
    image = convert_to_fax(data, filename=filename, resolution=resolution, compression=compression)
    return fax_image_store(image)


def fax_image_bytes(row: FaxImageFile) -> bytes:
    """The TIFF-F of a stored fax image (decrypted)."""
    return vault_read(row.vault_name)


# --- pages as PNG for the browser ----------------------------------------------------------
# A fax page's content is what a sender sent: its size is checked before it is decoded, and
# nothing larger than a fax page is decoded (the sandbox's received faxes, previews).

MAX_WIDTH = 4864  # T.4's widest line (A3 at 400 dpi is 4864 pixels)
MAX_HEIGHT = 12000  # a Legal page at 400 lines per inch is 5600 lines: room to spare


def page_png(tiff: bytes, page: int) -> bytes:
    """Page ``page`` (from 1) of a multi-page TIFF-F as a PNG; a standard-resolution page
    (98 lines per inch) is shown with its lines doubled so that it keeps its proportions."""
    with Image.open(io.BytesIO(tiff)) as image:
        if page < 1 or page > getattr(image, "n_frames", 1):
            raise NotFound(f"This fax has no page {page}.", field="page")
        image.seek(page - 1)
        width, height = image.size
        if width > MAX_WIDTH or height > MAX_HEIGHT:
            raise NotFound("This page is larger than a fax page.", field="page")
        dpi = image.info.get("dpi") or (204, 196)
        frame = image.convert("1")
        x_dpi, y_dpi = float(dpi[0] or 204), float(dpi[1] or 196)
        if y_dpi and x_dpi / y_dpi > 1.5:
            frame = frame.resize((width, round(height * x_dpi / y_dpi)), Image.Resampling.NEAREST)
        out = io.BytesIO()
        frame.save(out, format="PNG")
        return out.getvalue()


def fax_image_page_png(row: FaxImageFile, page: int) -> bytes:
    """Page ``page`` (from 1) of a stored fax image as a PNG (:func:`page_png`)."""
    return page_png(fax_image_bytes(row), page)
