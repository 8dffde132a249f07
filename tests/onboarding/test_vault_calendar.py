"""The document vault (encrypted at rest, content checks) and the business calendar."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from onboarding_support import (
    bomb_png,
    broken_pdf,
    exe_bytes,
    header_bomb_png,
    pdf_bytes,
    png_bytes,
    vault_files,
)

from faxline.core.calendar import (
    add_business_days,
    is_business_day,
    next_business_day,
    why_not_business_day,
)
from faxline.core.errors import NotFound, ValidationFailed
from faxline.core.vault import (
    MAX_DOCUMENT_BYTES,
    accept_document,
    safe_filename,
    vault_delete,
    vault_read,
    vault_store,
)


def test_store_encrypts_at_rest_and_reads_back(media: Path) -> None:
    data = pdf_bytes()
    stored = vault_store(data, purpose="onboarding")
    assert stored.name.startswith("vault/onboarding/") and stored.name.endswith(".bin")
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    (on_disk,) = vault_files(media)
    raw = on_disk.read_bytes()
    assert b"%PDF" not in raw and raw != data  # encrypted at rest
    assert vault_read(stored.name) == data
    vault_delete(stored.name)
    assert vault_files(media) == []


def test_names_outside_the_vault_are_refused(media: Path) -> None:
    for name in ("../secret_key", "vault/../../etc/passwd", "vault/x/short.bin", ""):
        with pytest.raises(NotFound):
            vault_read(name)
    with pytest.raises(ValueError):
        vault_store(b"x", purpose="../up")


def test_accepts_pdf_png_jpeg_tiff() -> None:
    from io import BytesIO

    from PIL import Image

    assert accept_document(pdf_bytes(3)).pages == 3
    assert accept_document(png_bytes()).content_type == "image/png"
    for fmt, kind in (("JPEG", "jpeg"), ("TIFF", "tiff")):
        out = BytesIO()
        Image.new("L", (100, 100), 255).save(out, format=fmt)
        assert accept_document(out.getvalue()).kind == kind


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (exe_bytes(), "document_type"),
        (b"", "document_empty"),
        (broken_pdf(), "document_unreadable"),
        (bomb_png(), "document_too_large"),
        (header_bomb_png(), "document_too_large"),
        (png_bytes()[:60], "document_unreadable"),
        (b"<html><script>alert(1)</script></html>", "document_type"),
    ],
    ids=["executable", "empty", "broken-pdf", "bomb", "header-bomb", "truncated-png", "html"],
)
def test_hostile_files_refused(data: bytes, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        accept_document(data, filename="bill.pdf")
    assert caught.value.code == code
    assert caught.value.field == "file"
    assert "bill.pdf" in caught.value.message or code == "document_empty"


def test_too_large_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        accept_document(b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES)
    assert "10 MB" in caught.value.message


def test_safe_filename() -> None:
    assert safe_filename("../../etc/passwd", extension=".pdf") == "passwd.pdf"
    assert safe_filename('bill "May".exe', extension=".pdf") == "bill _May.pdf"
    assert safe_filename("", extension=".png") == "document.png"


def test_business_days() -> None:
    assert is_business_day(date(2026, 3, 10))  # a Tuesday
    assert not is_business_day(date(2026, 3, 14))  # Saturday
    assert not is_business_day(date(2026, 7, 3), country="US")  # Independence Day observed
    assert is_business_day(date(2026, 7, 3), country="CA")
    assert not is_business_day(date(2026, 7, 1), country="CA")  # Canada Day
    assert is_business_day(date(2026, 7, 1), country="US")
    # Thanksgiving: Thursday off in the US; Canada works.
    assert next_business_day(date(2025, 11, 26), country="US") == date(2025, 11, 28)
    assert next_business_day(date(2025, 11, 26), country="CA") == date(2025, 11, 27)
    assert next_business_day(date(2025, 11, 26)) == date(2025, 11, 28)
    assert next_business_day(date(2026, 3, 13)) == date(2026, 3, 16)  # Friday → Monday
    assert add_business_days(date(2026, 3, 13), 2) == date(2026, 3, 17)
    assert "weekend" in (why_not_business_day(date(2026, 3, 14)) or "")
    assert "Independence Day" in (why_not_business_day(date(2026, 7, 3), country="US") or "")
