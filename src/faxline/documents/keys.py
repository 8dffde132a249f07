"""The platform's seal: the key and certificate that seal the PDFs faxline signs.

Generated on first use under ``$FAXLINE_HOME/signing/`` (a self-signed certificate, the key
file mode 0600), unless ``FAXLINE_SIGNING_KEY_FILE`` and ``FAXLINE_SIGNING_CERT_FILE`` name a
PEM key and certificate: required when several machines seal, since they must share one key
for a seal made on one to verify on another.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from faxline.config import ConfigError
from faxline.core.provider import provider_name

log = logging.getLogger(__name__)

_key_lock = threading.Lock()
_signer_cache: dict[tuple[str, str, float, float], Any] = {}


@dataclass(frozen=True)
class SigningMaterial:
    """Where the platform's key and certificate are, and whether faxline generated them."""

    key_file: Path
    cert_file: Path
    generated: bool


def _configured(name: str) -> str:
    return str(getattr(settings, name, "") or os.environ.get(name, "") or "")


def signing_material() -> SigningMaterial:
    """Where the platform's key and certificate are; generated on first use if not set."""
    key_file, cert_file = (
        _configured("FAXLINE_SIGNING_KEY_FILE"),
        _configured("FAXLINE_SIGNING_CERT_FILE"),
    )
    if key_file or cert_file:
        if not (key_file and cert_file):
            raise ConfigError(
                "FAXLINE_SIGNING_KEY_FILE and FAXLINE_SIGNING_CERT_FILE must be set together"
            )
        for name, path in (
            ("FAXLINE_SIGNING_KEY_FILE", key_file),
            ("FAXLINE_SIGNING_CERT_FILE", cert_file),
        ):
            if not Path(path).is_file():
                raise ConfigError(f"{name}: {path} is not a readable file")
        return SigningMaterial(Path(key_file), Path(cert_file), generated=False)
    folder = Path(settings.FAXLINE_HOME) / "signing"
    key_path, cert_path = folder / "platform-seal.key", folder / "platform-seal.crt"
    if not (key_path.is_file() and cert_path.is_file()):
        with _key_lock:
            generate_key_files(folder, key_path, cert_path)
    return SigningMaterial(key_path, cert_path, generated=True)


def generate_key_files(folder: Path, key_path: Path, cert_path: Path) -> None:
    """Write a self-signed platform certificate and its RSA key (0600) into ``folder``,
    unless both files are there already.

    A file lock keeps two processes of one machine from generating two keys."""
    import fcntl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if key_path.is_file() and cert_path.is_file():
            return
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, f"{provider_name()} platform seal"[:64]),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, provider_name()[:64]),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Sealed documents"),
            ]
        )
        now = dt.datetime.now(dt.UTC)
        usage = x509.KeyUsage(
            digital_signature=True,
            content_commitment=True,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=False,
            crl_sign=False,
            encipher_only=False,
            decipher_only=False,
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp_key = key_path.with_suffix(".key.tmp")
        fd = os.open(tmp_key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.chmod(tmp_key, 0o600)
        tmp_cert = cert_path.with_suffix(".crt.tmp")
        tmp_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        os.replace(tmp_key, key_path)
        os.replace(tmp_cert, cert_path)
        log.info("Generated the platform's seal key in %s", folder)


def platform_signer() -> Any:
    """pyHanko's signer for the platform's key (loaded once per key file)."""
    from pyhanko.sign import signers

    material = signing_material()
    cache_key = (
        str(material.key_file),
        str(material.cert_file),
        material.key_file.stat().st_mtime,
        material.cert_file.stat().st_mtime,
    )
    signer = _signer_cache.get(cache_key)
    if signer is None:
        signer = signers.SimpleSigner.load(str(material.key_file), str(material.cert_file))
        if signer is None:
            raise ConfigError(
                "The platform's signing key or certificate cannot be read (PEM expected)"
            )
        _signer_cache.clear()
        _signer_cache[cache_key] = signer
    return signer


def platform_certificate() -> Any:
    """The platform's signing certificate (asn1crypto)."""
    return platform_signer().signing_cert


def certificate_summary() -> tuple[str, str]:
    """The certificate's subject and SHA-256 fingerprint, as a sealed document prints them."""
    cert = platform_certificate()
    return cert.subject.human_friendly, hashlib.sha256(cert.dump()).hexdigest()
