"""Sealing a PDF with the platform's key, and verifying a seal.

:func:`seal_pdf` certifies a PDF through pyHanko with the key of
:mod:`faxline.documents.keys` (a certification signature that allows no change afterwards);
:func:`verify_pdf` tells whether a sealed PDF is intact, modified (a byte changed, something
appended, the seal broken), sealed by another key, or not sealed at all.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import io
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings

from faxline.core.provider import provider_name
from faxline.documents.keys import platform_certificate, platform_signer

log = logging.getLogger(__name__)
T = TypeVar("T")

SEAL_FIELD = "FaxlinePlatformSeal"

MODIFIED = "This PDF was changed after it was signed: do not rely on it."
APPENDED = "Something was added to this PDF after it was signed: do not rely on it."
UNTRUSTED = "This PDF is unchanged since it was signed, but not by this platform's key."
INTACT = "The PDF is intact: nothing changed since it was signed."
UNSIGNED = "This PDF carries no signature."


def _run(fn: Callable[[], T]) -> T:
    """Run pyHanko's synchronous API (it calls ``asyncio.run``) even from a thread that
    already runs an event loop (an async view, Playwright's sync API in tests)."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


def seal_pdf(pdf: bytes, *, reason: str) -> bytes:
    """Certify ``pdf`` with the platform's key: no change is allowed afterwards.

    ``reason`` is recorded in the signature (what the seal attests)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = platform_signer()
    location = settings.FAXLINE_PORTAL_URL.split("//", 1)[-1].split("/", 1)[0]

    def sign() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD,
            md_algorithm="sha256",
            reason=reason[:200],
            location=location or None,
            name=f"{provider_name()} platform seal",
            certify=True,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        )
        out = signers.sign_pdf(writer, meta, signer=signer)
        return bytes(out.getvalue())

    return _run(sign)


@dataclass(frozen=True)
class VerificationResult:
    """The check of a sealed PDF.

    ``status``: ``intact`` (the platform's seal covers the whole file, unchanged),
    ``modified`` (a byte changed, something was appended, or the seal is broken; with
    ``appended`` when the sealed bytes are intact but more was written after them),
    ``untrusted`` (unchanged, but sealed by a key that is not this platform's) or
    ``unsigned`` (no seal at all)."""

    status: str
    message: str
    signed_at: dt.datetime | None = None
    certificate_subject: str = ""
    certificate_sha256: str = ""
    appended: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.status == "intact"

    @property
    def modified(self) -> bool:
        return self.status == "modified"


def verify_pdf(data: bytes) -> VerificationResult:
    """Check the platform's seal on a PDF's bytes."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    root = platform_certificate()

    def check() -> VerificationResult:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reader = PdfFileReader(io.BytesIO(data), strict=False)
                signatures = reader.embedded_signatures
                if not signatures:
                    return VerificationResult("unsigned", UNSIGNED)
                if len(signatures) != 1 or signatures[0].field_name != SEAL_FIELD:
                    return VerificationResult(
                        "modified", MODIFIED, details={"signatures": len(signatures)}
                    )
                embedded = signatures[0]
                status = validate_pdf_signature(
                    embedded, ValidationContext(trust_roots=[root]), skip_diff=True
                )
        except (PdfError, SignatureValidationError, ValueError, KeyError, TypeError) as exc:
            return VerificationResult("modified", MODIFIED, details={"error": str(exc)[:300]})
        except Exception as exc:  # a file damaged in a way the parser did not foresee
            log.info("Sealed PDF unreadable: %s", type(exc).__name__)
            return VerificationResult("modified", MODIFIED, details={"error": type(exc).__name__})
        cert = status.signing_cert
        subject = cert.subject.human_friendly if cert is not None else ""
        fingerprint = hashlib.sha256(cert.dump()).hexdigest() if cert is not None else ""
        common: dict[str, Any] = {
            "signed_at": status.signer_reported_dt,
            "certificate_subject": subject,
            "certificate_sha256": fingerprint,
            "details": {
                "coverage": status.coverage.name if status.coverage else "",
                "intact": status.intact,
                "valid": status.valid,
                "trusted": status.trusted,
            },
        }
        if not (status.intact and status.valid):
            return VerificationResult("modified", MODIFIED, **common)
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            return VerificationResult("modified", APPENDED, appended=True, **common)
        if not status.trusted:
            return VerificationResult("untrusted", UNTRUSTED, **common)
        return VerificationResult("intact", INTACT, **common)

    return _run(check)
