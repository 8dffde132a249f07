"""The document vault (encrypted at rest) and the business calendar.

The content checks of uploads are tested in tests/documents/test_intake.py."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from onboarding_support import pdf_bytes, vault_files

from faxline.core.calendar import (
    add_business_days,
    is_business_day,
    next_business_day,
    why_not_business_day,
)
from faxline.core.errors import NotFound
from faxline.core.vault import vault_delete, vault_read, vault_store


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
