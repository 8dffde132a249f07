"""The platform's seal: a sealed PDF verifies as intact; any change (a byte, bytes appended,
an incremental update) is detected; another platform's seal is not trusted; the key is
generated once (mode 0600) or configured."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from document_files import pdf_bytes

from faxline.config import ConfigError
from faxline.documents import keys
from faxline.documents.sealing import SEAL_FIELD, seal_pdf, verify_pdf

pytestmark = pytest.mark.usefixtures("sealing")


@pytest.fixture
def sealed(settings: Any) -> bytes:
    """A PDF sealed with the session's key."""
    settings.FAXLINE_PORTAL_URL = "https://fax.example.com/portal"
    return seal_pdf(pdf_bytes(2, text="Sealed letter"), reason="Signed by Carol Chief")


def test_seal_then_verify(sealed: bytes) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    result = verify_pdf(sealed)
    assert result.status == "intact" and result.intact and not result.modified
    assert result.signed_at is not None and not result.appended
    subject, fingerprint = keys.certificate_summary()
    assert (result.certificate_subject, result.certificate_sha256) == (subject, fingerprint)
    (embedded,) = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    assert embedded.field_name == SEAL_FIELD
    assert embedded.sig_object["/Reason"] == "Signed by Carol Chief"
    assert embedded.sig_object["/Location"] == "fax.example.com"


def test_a_changed_byte_is_detected(sealed: bytes) -> None:
    for position in (40, len(sealed) // 3, len(sealed) // 2, len(sealed) - 300):
        changed = bytearray(sealed)
        changed[position] ^= 0x01
        result = verify_pdf(bytes(changed))
        assert result.status == "modified", (position, result)
        assert not result.intact


def test_bytes_appended_are_detected(sealed: bytes) -> None:
    result = verify_pdf(sealed + b"\n%%appended\n")
    assert result.status == "modified" and not result.intact


def test_an_incremental_update_that_changes_content_is_detected(sealed: bytes) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    stream = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 500 Td (Account 0000) Tj ET")
    )
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue())
    assert result.status == "modified" and result.appended and "added" in result.message


def test_a_pdf_without_a_seal_or_no_pdf_at_all() -> None:
    assert verify_pdf(pdf_bytes()).status == "unsigned"
    assert verify_pdf(b"not a PDF at all").status == "modified"


def test_a_pdf_sealed_by_another_key_is_not_trusted(
    sealed: bytes, settings: Any, tmp_path: Path
) -> None:
    settings.FAXLINE_SIGNING_KEY_FILE = ""
    settings.FAXLINE_SIGNING_CERT_FILE = ""
    settings.FAXLINE_HOME = tmp_path  # a fresh install generates its own key
    result = verify_pdf(sealed)
    assert result.status == "untrusted" and not result.intact


def test_the_key_is_generated_once_under_faxline_home(settings: Any, tmp_path: Path) -> None:
    settings.FAXLINE_SIGNING_KEY_FILE = ""
    settings.FAXLINE_SIGNING_CERT_FILE = ""
    settings.FAXLINE_HOME = tmp_path
    material = keys.signing_material()
    assert material.generated and material.key_file.parent == tmp_path / "signing"
    assert stat.S_IMODE(os.stat(material.key_file).st_mode) == 0o600
    key = material.key_file.read_bytes()
    assert keys.signing_material().key_file.read_bytes() == key
    subject, fingerprint = keys.certificate_summary()
    assert "platform seal" in subject and len(fingerprint) == 64


def test_configured_key_files(settings: Any) -> None:
    material = keys.signing_material()
    assert not material.generated and material.key_file.is_file()  # the session's key
    settings.FAXLINE_SIGNING_CERT_FILE = ""
    with pytest.raises(ConfigError, match="must be set together"):
        keys.signing_material()
    settings.FAXLINE_SIGNING_CERT_FILE = "/nonexistent/cert.pem"
    with pytest.raises(ConfigError, match="FAXLINE_SIGNING_CERT_FILE"):
        keys.signing_material()
