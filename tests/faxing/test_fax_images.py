"""Converted fax images are stored once: one row and one vault file per SHA-256, whoever
converts the same document, also when two store it at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from faxline.core.errors import ValidationFailed
from faxline.core.vault import vault_read
from faxline.documents.faximage import convert_to_fax
from faxline.faxing.images import fax_image_bytes, fax_image_convert, fax_image_store
from faxline.faxing.models import FaxImageFile


def _pdf(text: str) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    doc = canvas.Canvas(out, invariant=True)
    doc.drawString(72, 720, text)
    doc.showPage()
    doc.save()
    return out.getvalue()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def vault_files(media: Path) -> list[Path]:
    return sorted((media / "vault" / "fax-images").glob("*.bin"))


@pytest.mark.django_db
def test_the_same_document_twice_is_one_row_and_one_vault_file(media: Path) -> None:
    first = fax_image_convert(_pdf("Invoice 4411"), filename="invoice.pdf")
    second = fax_image_convert(_pdf("Invoice 4411"), filename="copy of invoice.pdf")
    assert first.pk == second.pk and FaxImageFile.objects.count() == 1
    assert len(vault_files(media)) == 1
    assert first.pages == 1 and first.resolution == "fine" and first.compression == "g4"
    tiff = fax_image_bytes(first)
    assert tiff.startswith(b"II*\x00") and len(tiff) == first.size
    # Encrypted at rest: the file on disk is not the TIFF.
    assert vault_files(media)[0].read_bytes() != tiff
    assert vault_read(first.vault_name) == tiff
    # Another document, or the same at another resolution, is another image.
    other = fax_image_convert(_pdf("Invoice 4411"), filename="invoice.pdf", resolution="standard")
    assert other.pk != first.pk and other.resolution == "standard"
    assert FaxImageFile.objects.count() == 2 and len(vault_files(media)) == 2


@pytest.mark.django_db
def test_a_refused_document_stores_nothing(media: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        fax_image_convert(b"\x00\x01garbage", filename="x.pdf")
    assert caught.value.code == "invalid_attachment"
    assert FaxImageFile.objects.count() == 0 and not vault_files(media)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_stores_of_one_image_keep_one(media: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "the concurrent store runs against PostgreSQL (the test SQLite is shared memory)"
        )
    image = convert_to_fax(_pdf("Lease, signed"))
    start = threading.Barrier(2)
    stored: list[int] = []
    errors: list[BaseException] = []

    def store() -> None:
        try:
            start.wait(timeout=10)
            stored.append(fax_image_store(image).pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=store) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(stored) == 2 and len(set(stored)) == 1
    assert FaxImageFile.objects.count() == 1
    assert len(vault_files(media)) == 1  # the loser's file removed
