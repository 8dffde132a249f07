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

from django.db import IntegrityError, transaction

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
