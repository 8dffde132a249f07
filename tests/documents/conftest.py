"""Fixtures of the documents tests: one platform seal key for the whole session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from faxline.documents.keys import generate_key_files


@pytest.fixture(scope="session")
def seal_key_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A platform key and certificate generated once (RSA 3072 takes a moment)."""
    folder = tmp_path_factory.mktemp("seal")
    key, cert = folder / "platform-seal.key", folder / "platform-seal.crt"
    generate_key_files(folder, key, cert)
    return key, cert


@pytest.fixture
def sealing(settings: Any, seal_key_files: tuple[Path, Path]) -> tuple[Path, Path]:
    """The session's key as the configured platform key."""
    settings.FAXLINE_SIGNING_KEY_FILE = str(seal_key_files[0])
    settings.FAXLINE_SIGNING_CERT_FILE = str(seal_key_files[1])
    settings.FAXLINE_PORTAL_URL = "https://fax.example.com"
    return seal_key_files
