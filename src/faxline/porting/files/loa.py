"""The Letter of Authorization: generated from the request, e-signed by the authorized
person, sealed with the platform's key.

1. :func:`loa_generate` renders the LOA (US or Canadian variant) with what the losing carrier
   checks: business name, authorized person and title, service address, BTN, new BTN, losing
   carrier, account number and PIN, the numbers, the authorization wording. The account
   number and PIN are printed in full (the carrier needs them; the PDF is encrypted at rest in
   the vault) and never written to logs or pages. The unsigned PDF is stored as an ``loa``
   document, tagged with the fingerprint of the data it states (``checks.loa_fingerprint``).
2. :func:`loa_sign` (signed in to the portal or the API) and :func:`loa_sign_with_token`
   (an emailed one-time link, no account) record the consent text, the typed name, a drawn or
   typed signature, the time, IP address and user agent and the SHA-256 of the unsigned LOA.
   The signed PDF is the LOA plus a final signature page carrying that audit trail, certified
   with the platform's key through pyHanko (no change allowed afterwards), stored as the
   ``signed_loa`` document; the ``LoaSignature`` row keeps the same trail and
   ``data_sha256``: a change of the request's LOA data afterwards needs a new signature.
3. :func:`loa_verify` checks a signed LOA: intact, modified, or sealed by another key.
4. :func:`loa_send_link` emails the authorized person a link that signs once within 7 days;
   only its SHA-256 digest is stored.

The platform's signing key and self-signed certificate are generated on first use under
``$FAXLINE_HOME/signing/`` (the key file mode 0600), unless ``FAXLINE_SIGNING_KEY_FILE`` and
``FAXLINE_SIGNING_CERT_FILE`` name a PEM key and certificate (required when several machines
sign: they must share one key).
"""

from __future__ import annotations

import base64
import binascii
import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import io
import logging
import os
import secrets
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.validation import clean_email, clean_text
from faxline.config import ConfigError
from faxline.core.errors import Conflict, Forbidden, ValidationFailed
from faxline.core.vault import vault_read
from faxline.porting.access import require_customer_write
from faxline.porting.choices import TERMINAL, DocumentKind, PortStatus, PortType
from faxline.porting.files.services import store_document, vault_rollback
from faxline.porting.models import LoaSignature, PortDocument, PortEvent, PortRequest
from faxline.porting.requests.services import record_event
from faxline.porting.validation.checks import current_signature, loa_fingerprint
from faxline.porting.validation.normalize import same_person

log = logging.getLogger(__name__)
T = TypeVar("T")

LINK_VALIDITY = dt.timedelta(days=7)
MAX_LINKS_PER_DAY = 10
# A drawn signature: a PNG data URL from the signature pad.
MAX_SIGNATURE_URL_CHARS = 400_000
MAX_SIGNATURE_PIXELS = 4_000_000
MIN_INK_PIXELS = 40
SIGNATURE_KINDS = ("typed", "drawn")
SEAL_FIELD = "FaxlinePlatformSeal"


def provider_name() -> str:
    """The gaining provider named on the LOA (the platform's operator)."""
    return str(getattr(settings, "FAXLINE_PROVIDER_NAME", "") or "faxline")


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


# --- the platform's signing key ------------------------------------------------------------


@dataclass(frozen=True)
class SigningMaterial:
    key_file: Path
    cert_file: Path
    generated: bool


_key_lock = threading.Lock()
_signer_cache: dict[tuple[str, str, float, float], Any] = {}


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
            _generate_key(folder, key_path, cert_path)
    return SigningMaterial(key_path, cert_path, generated=True)


def _generate_key(folder: Path, key_path: Path, cert_path: Path) -> None:
    """A self-signed platform certificate and its RSA key (0600), once per install.

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
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Number Porting"),
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
        log.info("Generated the platform's LOA signing key in %s", folder)


def _signer() -> Any:
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
            raise ConfigError("The LOA signing key or certificate cannot be read (PEM expected)")
        _signer_cache.clear()
        _signer_cache[cache_key] = signer
    return signer


def platform_certificate() -> Any:
    """The platform's signing certificate (asn1crypto)."""
    return _signer().signing_cert


def certificate_summary() -> tuple[str, str]:
    """The certificate's subject and SHA-256 fingerprint, as the signature page prints them."""
    cert = platform_certificate()
    return cert.subject.human_friendly, hashlib.sha256(cert.dump()).hexdigest()


# --- what the LOA states -------------------------------------------------------------------


def _phone(number: str) -> str:
    digits = number.removeprefix("+1")
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return number


@dataclass(frozen=True)
class LoaContent:
    """The data and wording of one LOA, shared by the PDF and the page preview."""

    request_id: int
    variant: str  # US | CA
    title: str
    subtitle: str
    provider: str
    business_name: str
    authorized_name: str
    authorized_title: str
    street: str
    unit: str
    city: str
    state: str
    postal_code: str
    country_name: str
    state_label: str
    postal_label: str
    losing_carrier: str
    account_number: str
    pin: str
    btn: str
    new_btn: str
    port_type: str
    numbers: tuple[str, ...]
    authorization: tuple[str, ...]
    confirmations: tuple[str, ...]
    fingerprint: str
    generated_on: dt.date

    @property
    def address_line(self) -> str:
        unit = f", {self.unit}" if self.unit else ""
        return f"{self.street}{unit}, {self.city}, {self.state} {self.postal_code}"

    def rows(self, *, masked: bool) -> list[tuple[str, list[tuple[str, str]]]]:
        """The LOA's sections as (heading, [(label, value)]); ``masked`` for pages."""
        from faxline.core.crypto import mask

        account = mask(self.account_number, 4) if masked else self.account_number
        pin = ("•" * len(self.pin) if masked else self.pin) if self.pin else "None on the account"
        carrier: list[tuple[str, str]] = [
            ("Current carrier", self.losing_carrier),
            ("Account number", account),
            ("PIN / passcode", pin),
            ("Billing number (BTN)", _phone(self.btn)),
            ("Port type", self.port_type),
        ]
        if self.new_btn:
            carrier.append(("New BTN (numbers staying)", _phone(self.new_btn)))
        return [
            (
                "Customer",
                [
                    ("Business name", self.business_name),
                    ("Authorized person", self.authorized_name),
                    ("Title", self.authorized_title or "—"),
                ],
            ),
            (
                "Service address",
                [
                    ("Street", self.street),
                    ("Suite / unit", self.unit or "—"),
                    ("City", self.city),
                    (self.state_label, self.state),
                    (self.postal_label, self.postal_code),
                    ("Country", self.country_name),
                ],
            ),
            ("Current carrier account", carrier),
        ]


def loa_content(request: PortRequest, *, on: dt.date | None = None) -> LoaContent:
    """What the LOA of ``request`` says, in its country's variant."""
    canadian = request.country == "CA"
    provider = provider_name()
    numbers = tuple(
        _phone(n) for n in request.numbers.order_by("number").values_list("number", flat=True)
    )
    carrier = request.losing_carrier
    partial = request.port_type == PortType.PARTIAL
    if canadian:
        authorization = (
            f"By signing this Letter of Authorization, the customer named above (the "
            f"“Customer”) appoints {provider} (the “New Provider”) and the carriers it works "
            f"with as its agent to transfer (“port”) the telephone numbers listed above from "
            f"{carrier} (the “Current Carrier”) to the New Provider under the local number "
            f"portability rules of the Canadian Radio-television and Telecommunications "
            f"Commission (CRTC), and to obtain the Customer Service Record of the account "
            f"for that purpose.",
        )
    else:
        authorization = (
            f"By signing this Letter of Authorization, the customer named above (the "
            f"“Customer”) authorizes {provider} (the “New Provider”) and the carriers it works "
            f"with to act as its agent to transfer (“port”) the telephone numbers listed "
            f"above from {carrier} (the “Current Carrier”) to the New Provider, and to obtain "
            f"the Customer Service Record (CSR) of the account for that purpose.",
        )
    confirmations = [
        "The signer is the person authorized to make changes to this account with the "
        "Current Carrier, and the information above matches the Current Carrier's records.",
        "Porting ends the Current Carrier's service on these numbers on the port date: "
        "card terminals, alarm panels or internet service sharing these lines stop working.",
    ]
    if partial:
        remaining = (
            f" with {_phone(request.new_btn)} as their new billing telephone number"
            if request.new_btn
            else ""
        )
        confirmations.append(
            "This is a partial port: the other numbers of the account stay with the "
            f"Current Carrier{remaining}."
        )
    confirmations += [
        "The Customer remains responsible for any balance owed to the Current Carrier and "
        "keeps that service active until the port is complete.",
        "This authorization is valid for 30 days from the date of signature. A copy or an "
        "electronically signed original is as valid as a handwritten original.",
    ]
    return LoaContent(
        request_id=request.pk,
        variant="CA" if canadian else "US",
        title="Letter of Authorization" if not canadian else "Letter of Authorization (Canada)",
        subtitle=(
            "Local number portability — Canada (CRTC)"
            if canadian
            else "Local number portability — United States"
        ),
        provider=provider,
        business_name=request.business_name,
        authorized_name=request.authorized_name,
        authorized_title=request.authorized_title,
        street=request.street,
        unit=request.unit,
        city=request.city,
        state=request.state,
        postal_code=request.postal_code,
        country_name="Canada" if canadian else "United States",
        state_label="Province" if canadian else "State",
        postal_label="Postal code" if canadian else "ZIP code",
        losing_carrier=carrier,
        account_number=request.account_number,
        pin=request.pin,
        btn=request.btn,
        new_btn=request.new_btn,
        port_type="Partial (some numbers stay)" if partial else "Full (all numbers)",
        numbers=numbers,
        authorization=authorization,
        confirmations=tuple(confirmations),
        fingerprint=loa_fingerprint(request),
        generated_on=on or timezone.localdate(),
    )


def consent_text(request: PortRequest) -> str:
    """What the signer agrees to, recorded verbatim with the signature."""
    return (
        f"I, {request.authorized_name}, am the person authorized to make changes to the "
        f"account of {request.business_name} with {request.losing_carrier}. I have reviewed "
        f"this Letter of Authorization for port request {request.pk}, and I agree to sign it "
        f"electronically: my electronic signature has the same effect as my handwritten "
        f"signature, and it authorizes {provider_name()} to port the numbers it lists."
    )


# --- PDF rendering -------------------------------------------------------------------------

_FONT_CANDIDATES = {
    "LoaSans": (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "Vera.ttf",
    ),
    "LoaSans-Bold": (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "VeraBd.ttf",
    ),
    "LoaSans-Italic": (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
        "VeraIt.ttf",
    ),
    "LoaMono": (
        "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
        "Vera.ttf",
    ),
    "LoaScript": (
        "/usr/share/fonts/truetype/liberation/LiberationSerif-BoldItalic.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf",
        "VeraBI.ttf",
    ),
}
_fonts_ready = False
_fonts_lock = threading.Lock()

INK = (0.11, 0.15, 0.2)
BRAND = (0.059, 0.239, 0.408)  # #0f3d68, the portal's brand colour
MUTED = (0.36, 0.41, 0.47)
RULE = (0.85, 0.88, 0.92)
TINT = (0.953, 0.961, 0.973)


def _register_fonts() -> None:
    """TrueType fonts with wide coverage (names in any Latin, Greek or Cyrillic script):
    Liberation or DejaVu when installed, else the Vera fonts that ship with reportlab."""
    global _fonts_ready
    if _fonts_ready:
        return
    with _fonts_lock:
        if _fonts_ready:
            return
        import reportlab
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        bundled = Path(reportlab.__file__).parent / "fonts"
        for name, candidates in _FONT_CANDIDATES.items():
            for candidate in candidates:
                path = Path(candidate) if candidate.startswith("/") else bundled / candidate
                if path.is_file():
                    pdfmetrics.registerFont(TTFont(name, str(path)))
                    break
        addMapping("LoaSans", 0, 0, "LoaSans")
        addMapping("LoaSans", 1, 0, "LoaSans-Bold")
        addMapping("LoaSans", 0, 1, "LoaSans-Italic")
        addMapping("LoaSans", 1, 1, "LoaSans-Bold")
        _fonts_ready = True


def _styles() -> dict[str, Any]:
    from reportlab.lib.colors import Color
    from reportlab.lib.styles import ParagraphStyle

    ink, muted, brand = Color(*INK), Color(*MUTED), Color(*BRAND)
    base = ParagraphStyle("body", fontName="LoaSans", fontSize=9, leading=12.2, textColor=ink)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5, textColor=muted),
        "label": ParagraphStyle("label", parent=base, fontSize=8.5, leading=11, textColor=muted),
        "value": ParagraphStyle("value", parent=base, fontName="LoaSans-Bold", fontSize=9),
        "mono": ParagraphStyle("mono", parent=base, fontName="LoaMono", fontSize=8, leading=10.5),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName="LoaSans-Bold",
            fontSize=10,
            leading=13,
            textColor=brand,
            spaceBefore=8,
            spaceAfter=3,
        ),
        "bullet": ParagraphStyle(
            "bullet", parent=base, leftIndent=12, bulletIndent=2, spaceBefore=1.5
        ),
    }


def _p(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text), style)


class _Page:
    """The page decoration: a brand band with the title, and a footer; ``numbering`` makes
    the footer's right-hand text from the page number."""

    def __init__(
        self,
        *,
        title: str,
        subtitle: str,
        right: list[str],
        footer: str,
        numbering: Callable[[int], str],
    ) -> None:
        self.title, self.subtitle, self.right, self.footer = title, subtitle, right, footer
        self.numbering = numbering

    def __call__(self, canvas: Any, doc: Any) -> None:
        from reportlab.lib.colors import Color, white

        width, height = doc.pagesize
        light = Color(0.82, 0.89, 0.96)
        canvas.saveState()
        canvas.setFillColor(Color(*BRAND))
        canvas.rect(0, height - 74, width, 74, stroke=0, fill=1)
        canvas.setFillColor(Color(0.31, 0.765, 0.969))  # the portal's accent
        canvas.rect(0, height - 77, width, 3, stroke=0, fill=1)
        canvas.setFillColor(white)
        canvas.setFont("LoaSans-Bold", 17)
        canvas.drawString(48, height - 38, self.title)
        canvas.setFont("LoaSans", 9)
        canvas.setFillColor(light)
        canvas.drawString(48, height - 55, self.subtitle)
        for index, line in enumerate(self.right):
            canvas.setFont("LoaSans-Bold" if index == 0 else "LoaSans", 9.5 if index == 0 else 8.5)
            canvas.setFillColor(white if index == 0 else light)
            canvas.drawRightString(width - 48, height - 32 - index * 13, line)
        canvas.setStrokeColor(Color(*RULE))
        canvas.setLineWidth(0.6)
        canvas.line(48, 46, width - 48, 46)
        canvas.setFont("LoaSans", 7.5)
        canvas.setFillColor(Color(*MUTED))
        canvas.drawString(48, 34, self.footer)
        canvas.drawRightString(width - 48, 34, self.numbering(doc.page))
        canvas.restoreState()


def _kv_table(
    rows: list[tuple[str, str]], styles: dict[str, Any], width: float, label_share: float = 0.34
) -> Any:
    from reportlab.lib.colors import Color
    from reportlab.platypus import Table, TableStyle

    data = [[_p(label, styles["label"]), _p(value, styles["value"])] for label, value in rows]
    widths = [width * label_share, width * (1 - label_share)]
    table = Table(data, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, Color(*RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 2.6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _numbers_table(numbers: tuple[str, ...], styles: dict[str, Any], width: float) -> Any:
    from reportlab.lib.colors import Color
    from reportlab.platypus import Table, TableStyle

    columns = 4
    cells = [f"{i + 1}.  {n}" for i, n in enumerate(numbers)]
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    rows[-1] += [""] * (columns - len(rows[-1]))
    data = [[_p(c, styles["body"]) for c in row] for row in rows]
    table = Table(data, colWidths=[width / columns] * columns, hAlign="LEFT", repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), Color(*TINT)),
                ("BOX", (0, 0), (-1, -1), 0.5, Color(*RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return table


def _side_by_side(left: list[Any], right: list[Any], width: float, gap: float = 22) -> Any:
    from reportlab.platypus import Table, TableStyle

    half = (width - gap) / 2
    table = Table([[left, "", right]], colWidths=[half, gap, half], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _loa_story(content: LoaContent, width: float) -> list[Any]:
    from reportlab.lib.colors import Color
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    styles = _styles()
    half = (width - 22) / 2
    (customer_h, customer), (address_h, address), (carrier_h, carrier) = content.rows(masked=False)
    split = 3
    story: list[Any] = [
        _p(
            f"The customer below asks {content.provider} to port the numbers listed on this "
            f"letter from {content.losing_carrier}. The losing carrier checks every field "
            f"against its records, so they must match the account exactly.",
            styles["body"],
        ),
        Spacer(1, 5),
        _side_by_side(
            [_p(customer_h, styles["h2"]), _kv_table(customer, styles, half, 0.4)],
            [_p(address_h, styles["h2"]), _kv_table(address, styles, half, 0.4)],
            width,
        ),
        _p(carrier_h, styles["h2"]),
        _side_by_side(
            [_kv_table(carrier[:split], styles, half, 0.4)],
            [_kv_table(carrier[split:], styles, half, 0.4)],
            width,
        ),
        _p(f"Numbers to port ({len(content.numbers)})", styles["h2"]),
        _numbers_table(content.numbers, styles, width),
        _p("Authorization", styles["h2"]),
    ]
    for paragraph in content.authorization:
        story.append(_p(paragraph, styles["body"]))
    story.append(Spacer(1, 3))
    story.append(_p("The Customer confirms that:", styles["body"]))
    for line in content.confirmations:
        bullet = _p(line, styles["bullet"])
        bullet.bulletText = "•"
        story.append(bullet)
    signature_rows = [
        [
            _p("Authorized signature", styles["label"]),
            _p("Signed electronically: see the signature page", styles["small"]),
            _p("Date", styles["label"]),
            _p("See the signature page", styles["small"]),
        ],
        [
            _p("Printed name", styles["label"]),
            _p(content.authorized_name, styles["value"]),
            _p("Title", styles["label"]),
            _p(content.authorized_title or "—", styles["value"]),
        ],
    ]
    block = Table(
        signature_rows,
        colWidths=[width * 0.2, width * 0.38, width * 0.1, width * 0.32],
        hAlign="LEFT",
    )
    block.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, Color(*BRAND)),
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, Color(*RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(KeepTogether([_p("Signature of the authorized person", styles["h2"]), block]))
    return story


def render_loa_pdf(content: LoaContent) -> bytes:
    """The unsigned LOA as a PDF (letter size), numbered "Page n of N"."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.platypus import SimpleDocTemplate

    _register_fonts()

    def build(total: int | None) -> tuple[bytes, int]:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=LETTER,
            leftMargin=48,
            rightMargin=48,
            topMargin=94,
            bottomMargin=60,
            title=f"Letter of Authorization — port request {content.request_id}",
            author=content.provider,
            subject=f"Porting of {len(content.numbers)} number(s) from {content.losing_carrier}",
            creator="faxline",
        )
        on = content.generated_on
        page = _Page(
            title=content.title,
            subtitle=content.subtitle,
            right=[
                f"Port request {content.request_id}",
                f"Prepared {on:%B} {on.day}, {on:%Y}",
                content.provider,
            ],
            footer=(
                f"LOA for port request {content.request_id} · data fingerprint "
                f"{content.fingerprint[:16]} · contains account credentials: keep confidential"
            ),
            numbering=lambda n: f"Page {n} of {total}" if total else f"Page {n}",
        )
        doc.build(_loa_story(content, doc.width), onFirstPage=page, onLaterPages=page)
        return buffer.getvalue(), doc.page

    _, pages = build(None)
    return build(pages)[0]


@dataclass(frozen=True)
class SignatureTrail:
    """What the signature page records."""

    request_id: int
    signer_name: str
    signer_title: str
    signer_email: str
    signed_at: dt.datetime
    ip_address: str
    user_agent: str
    channel: str
    signature_kind: str
    signature_png: bytes | None
    consent_text: str
    document_sha256: str
    document_pages: int
    data_sha256: str
    certificate_subject: str
    certificate_sha256: str


def render_signature_page(trail: SignatureTrail) -> bytes:
    """The final page of a signed LOA: the signature and its audit trail."""
    from reportlab.lib.colors import Color
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=48,
        rightMargin=48,
        topMargin=96,
        bottomMargin=62,
        title=f"Signature page — port request {trail.request_id}",
        creator="faxline",
    )
    width = doc.width

    class SignatureBox(Flowable):  # type: ignore[misc]
        """The signature (drawn image or typed name) over a line, with the printed name."""

        def wrap(self, *_: Any) -> tuple[float, float]:
            return width, 118

        def draw(self) -> None:
            canvas = self.canv
            canvas.setFillColor(Color(1, 1, 1))
            canvas.setStrokeColor(Color(*RULE))
            canvas.setLineWidth(0.8)
            canvas.roundRect(0, 0, width, 118, 6, stroke=1, fill=1)
            left, base = 22, 38
            if trail.signature_png:
                image = ImageReader(io.BytesIO(trail.signature_png))
                iw, ih = image.getSize()
                scale = min(260 / iw, 66 / ih, 1.5)
                canvas.drawImage(image, left, base + 2, iw * scale, ih * scale, mask="auto")
            else:
                canvas.setFillColor(Color(0.05, 0.16, 0.42))
                size = 30.0
                from reportlab.pdfbase.pdfmetrics import stringWidth

                while size > 14 and stringWidth(trail.signer_name, "LoaScript", size) > 300:
                    size -= 1
                canvas.setFont("LoaScript", size)
                canvas.drawString(left, base + 10, trail.signer_name)
            canvas.setStrokeColor(Color(*MUTED))
            canvas.setLineWidth(0.7)
            canvas.line(left, base, left + 300, base)
            canvas.setFillColor(Color(*INK))
            canvas.setFont("LoaSans-Bold", 9.5)
            title = f", {trail.signer_title}" if trail.signer_title else ""
            canvas.drawString(left, base - 14, f"{trail.signer_name}{title}")
            canvas.setFont("LoaSans", 8)
            canvas.setFillColor(Color(*MUTED))
            canvas.drawString(
                left, base - 26, f"Signed electronically on {trail.signed_at:%Y-%m-%d %H:%M:%S} UTC"
            )
            # The seal mark at the right.
            cx, cy = width - 70, 59
            canvas.setStrokeColor(Color(*BRAND))
            canvas.setLineWidth(1.6)
            canvas.circle(cx, cy, 34, stroke=1, fill=0)
            canvas.setLineWidth(0.6)
            canvas.circle(cx, cy, 29, stroke=1, fill=0)
            canvas.setFillColor(Color(*BRAND))
            canvas.setFont("LoaSans-Bold", 7)
            canvas.drawCentredString(cx, cy + 6, "DIGITALLY")
            canvas.drawCentredString(cx, cy - 3, "SEALED")
            canvas.setFont("LoaSans", 5.5)
            canvas.drawCentredString(cx, cy - 12, "SHA-256")

    channel_rows = [
        ("Signer", trail.signer_name),
        ("Title", trail.signer_title or "—"),
        ("Email", trail.signer_email or "—"),
        ("Signed at (UTC)", f"{trail.signed_at:%Y-%m-%d %H:%M:%S} UTC"),
        ("IP address", trail.ip_address or "unknown"),
        ("User agent", trail.user_agent or "unknown"),
        ("Signed through", trail.channel),
        (
            "Signature",
            "Drawn on screen by the signer"
            if trail.signature_kind == "drawn"
            else "Typed by the signer",
        ),
    ]
    document_rows = [
        (
            "Document signed",
            f"Letter of Authorization for port request {trail.request_id}, "
            f"{trail.document_pages} page{'s' if trail.document_pages != 1 else ''}, "
            "before this page",
        ),
    ]
    story: list[Any] = [
        _p(
            "This page is part of the Letter of Authorization above. It records how the "
            "authorized person signed it electronically.",
            styles["body"],
        ),
        Spacer(1, 10),
        SignatureBox(),
        _p("Audit trail", styles["h2"]),
        _kv_table(channel_rows + document_rows, styles, width),
    ]
    hashes = Table(
        [
            [
                _p("SHA-256 of the unsigned LOA", styles["label"]),
                _p(trail.document_sha256, styles["mono"]),
            ],
            [
                _p("SHA-256 of the request data", styles["label"]),
                _p(trail.data_sha256, styles["mono"]),
            ],
        ],
        colWidths=[width * 0.34, width * 0.66],
        hAlign="LEFT",
    )
    hashes.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, Color(*RULE)),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [
        hashes,
        _p("Consent given by the signer", styles["h2"]),
    ]
    consent = Table(
        [[_p(f"“{trail.consent_text}”", styles["body"])]],
        colWidths=[width],
        hAlign="LEFT",
    )
    consent.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), Color(*TINT)),
                ("LINEBEFORE", (0, 0), (0, -1), 2.5, Color(*BRAND)),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    story += [
        consent,
        _p("Platform seal", styles["h2"]),
        _p(
            f"This PDF is certified with the digital signature of the {provider_name()} "
            f"platform ({trail.certificate_subject}; certificate SHA-256 "
            f"{trail.certificate_sha256}). Any change to the file after signing breaks that "
            "signature: a PDF reader that validates signatures, or the porting portal, "
            "shows it.",
            styles["small"],
        ),
    ]
    page = _Page(
        title="Signature page",
        subtitle="Electronic signature of the Letter of Authorization",
        right=[
            f"Port request {trail.request_id}",
            f"Signed {trail.signed_at:%B} {trail.signed_at.day}, {trail.signed_at:%Y}",
            provider_name(),
        ],
        footer=f"Signature page of the LOA for port request {trail.request_id}",
        numbering=lambda n: f"Follows the {trail.document_pages}-page LOA",
    )
    doc.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _seal(pdf: bytes, *, reason: str) -> bytes:
    """Certify ``pdf`` with the platform's key: no change is allowed afterwards."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _signer()
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


def build_signed_pdf(unsigned: bytes, trail: SignatureTrail) -> bytes:
    """The LOA, then the signature page, certified with the platform's key."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(unsigned)))
    writer.append(PdfReader(io.BytesIO(render_signature_page(trail))))
    writer.add_metadata(
        {
            "/Title": f"Signed Letter of Authorization — port request {trail.request_id}",
            "/Author": trail.signer_name,
            "/Creator": "faxline",
        }
    )
    merged = io.BytesIO()
    writer.write(merged)
    return _seal(
        merged.getvalue(),
        reason=f"Letter of Authorization signed electronically by {trail.signer_name}",
    )


# --- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationResult:
    """The check of a signed LOA.

    ``status``: ``intact`` (the platform's seal covers the whole file, unchanged),
    ``modified`` (a byte changed, something was appended, or the seal is broken),
    ``untrusted`` (unchanged, but sealed by a key that is not this platform's) or
    ``unsigned`` (no seal at all)."""

    status: str
    message: str
    signed_at: dt.datetime | None = None
    certificate_subject: str = ""
    certificate_sha256: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.status == "intact"

    @property
    def modified(self) -> bool:
        return self.status == "modified"


MODIFIED = (
    "This PDF was changed after it was signed: do not rely on it. Download the signed LOA "
    "again from the portal."
)


def verify_pdf(data: bytes) -> VerificationResult:
    """Check the platform's seal on a signed LOA's bytes."""
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
                    return VerificationResult("unsigned", "This PDF carries no signature.")
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
            log.info("Signed LOA unreadable: %s", type(exc).__name__)
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
            return VerificationResult(
                "modified",
                "Something was added to this PDF after it was signed: do not rely on it. "
                "Download the signed LOA again from the portal.",
                **common,
            )
        if not status.trusted:
            return VerificationResult(
                "untrusted",
                "This PDF is unchanged since it was signed, but not by this platform's key.",
                **common,
            )
        return VerificationResult(
            "intact", "The signed LOA is intact: nothing changed since it was signed.", **common
        )

    return _run(check)


def loa_verify(document: PortDocument) -> VerificationResult:
    """Check a stored signed LOA (intact / modified)."""
    if document.kind != DocumentKind.SIGNED_LOA:
        return VerificationResult("unsigned", "Only a signed LOA carries the platform's seal.")
    return verify_pdf(vault_read(document.vault_name))


# --- the unsigned LOA ----------------------------------------------------------------------


def loa_current(request: PortRequest) -> PortDocument | None:
    """The stored unsigned LOA that states the request's current data, if any."""
    fingerprint = loa_fingerprint(request)
    for document in PortDocument.objects.filter(
        request=request, kind=DocumentKind.LOA, superseded=False
    ).order_by("-uploaded_at", "-id"):
        if document.facts.get("data_sha256") == fingerprint:
            return document
    return None


def _require_open(request: PortRequest) -> None:
    if request.status in TERMINAL:
        raise Conflict(
            f"The request is {PortStatus(request.status).label}: its LOA cannot change.",
            code="request_closed",
        )


def _generate(actor: Actor | None, request: PortRequest) -> PortDocument:
    content = loa_content(request)
    pdf = render_loa_pdf(content)
    return store_document(
        actor=actor,
        request=request,
        kind=DocumentKind.LOA,
        filename=f"LOA-port-request-{request.pk}.pdf",
        pdf=pdf,
        facts={
            "data_sha256": content.fingerprint,
            "variant": content.variant,
            "pages": _page_count(pdf),
            "by_label": "Generated from the request",
        },
        message="Letter of Authorization generated",
    )


@transaction.atomic
def loa_generate(*, actor: Actor, request: PortRequest) -> PortDocument:
    """The unsigned LOA of the request's current data: the stored one, or a new one."""
    require_customer_write(actor, request)
    locked = PortRequest.objects.select_for_update().get(pk=request.pk)
    current = loa_current(locked)
    if current is not None:
        return current
    _require_open(locked)
    with vault_rollback():
        return _generate(actor, locked)


def loa_preview_pdf(request: PortRequest) -> bytes:
    """The LOA rendered without storing it (for those who may only read)."""
    return render_loa_pdf(loa_content(request))


# --- signing -------------------------------------------------------------------------------


def clean_signature_image(data_url: Any) -> bytes:
    """A drawn signature from the signature pad: a PNG data URL, size-limited and decoded
    with Pillow; returns a normalized PNG (ink on white, cropped to the strokes)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    field_name = "signature_image"
    if not isinstance(data_url, str) or not data_url.strip():
        raise ValidationFailed("Draw your signature in the box.", field=field_name)
    if len(data_url) > MAX_SIGNATURE_URL_CHARS:
        raise ValidationFailed(
            "The drawn signature is too large: clear the box and sign again.", field=field_name
        )
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise ValidationFailed(
            "The drawn signature must be a PNG image (data:image/png;base64,...).",
            field=field_name,
        )
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(
            "The drawn signature could not be read: clear the box and sign again.",
            field=field_name,
        ) from exc
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationFailed("The drawn signature is not a PNG image.", field=field_name)
    unreadable = ValidationFailed(
        "The drawn signature could not be read: clear the box and sign again.", field=field_name
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as image:
                width, height = image.size
                if image.format != "PNG" or width * height > MAX_SIGNATURE_PIXELS:
                    raise unreadable
                image.load()
                rgba = image.convert("RGBA")
    except ValidationFailed:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise unreadable from exc
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    gray = flat.convert("L")
    ink = ImageOps.invert(gray).point(lambda v: 255 if v > 60 else 0)
    box = ink.getbbox()
    if box is None or ink.histogram()[255] < MIN_INK_PIXELS:
        raise ValidationFailed(
            "The signature box is empty: draw your signature, or choose a typed signature.",
            field=field_name,
        )
    pad = 6
    left, top, right, bottom = box
    cropped = flat.crop(
        (
            max(0, left - pad),
            max(0, top - pad),
            min(flat.width, right + pad),
            min(flat.height, bottom + pad),
        )
    )
    out = io.BytesIO()
    cropped.save(out, "PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class SignatureInput:
    """What the signer submits (the portal form, the API, the emailed link)."""

    signer_name: str
    signer_title: str = ""
    consent: bool = False
    signature_kind: str = "typed"
    signature_image: str | None = None
    document_sha256: str | None = None


def _check_input(
    request: PortRequest, data: SignatureInput, *, by_link: bool
) -> tuple[str, str, bytes | None]:
    name = clean_text(data.signer_name, field="signer_name", max_length=200)
    if not name:
        raise ValidationFailed("Type your full name to sign.", field="signer_name")
    title = clean_text(data.signer_title, field="signer_title", max_length=100)
    if not data.consent:
        raise ValidationFailed(
            "Tick the consent box: it is how you agree to sign electronically.", field="consent"
        )
    if data.signature_kind not in SIGNATURE_KINDS:
        raise ValidationFailed("signature_kind must be typed or drawn.", field="signature_kind")
    if not same_person(name, request.authorized_name):
        if by_link:
            message = (
                f"Only {request.authorized_name}, the authorized person on the account, can "
                f"sign this LOA: type the name exactly as the carrier has it on file."
            )
        else:
            message = (
                f"Only the authorized person on the account, {request.authorized_name}, can "
                f"sign this LOA. If that is not you, send the signing link to "
                f"{request.authorized_name} instead."
            )
        raise Forbidden(message, code="not_authorized_person", field="signer_name")
    image = clean_signature_image(data.signature_image) if data.signature_kind == "drawn" else None
    return name, title or request.authorized_title, image


def _sign(
    *,
    actor: Actor | None,
    request: PortRequest,
    data: SignatureInput,
    ip_address: str | None,
    user_agent: str,
    signer_email: str,
    channel: str,
    pending: LoaSignature | None,
) -> LoaSignature:
    """Sign the request's current LOA (the caller holds the request's row lock)."""
    _require_open(request)
    name, title, image = _check_input(request, data, by_link=pending is not None)
    unsigned = loa_current(request)
    if unsigned is None:
        if data.document_sha256:
            raise Conflict(
                "The request changed since the LOA was opened: review the new LOA and sign again.",
                code="loa_changed",
                field="document_sha256",
            )
        unsigned = _generate(actor, request)
    if data.document_sha256 and data.document_sha256 != unsigned.sha256:
        raise Conflict(
            "The request changed since the LOA was opened: review the new LOA and sign again.",
            code="loa_changed",
            field="document_sha256",
        )
    unsigned_pdf = vault_read(unsigned.vault_name)
    if hashlib.sha256(unsigned_pdf).hexdigest() != unsigned.sha256:
        raise Conflict("The stored LOA is damaged: generate it again.", code="loa_damaged")
    signed_at = timezone.now().replace(microsecond=0)
    subject, cert_sha = certificate_summary()
    text = consent_text(request)
    fingerprint = loa_fingerprint(request)
    trail = SignatureTrail(
        request_id=request.pk,
        signer_name=name,
        signer_title=title,
        signer_email=signer_email,
        signed_at=signed_at.astimezone(dt.UTC),
        ip_address=ip_address or "",
        user_agent=user_agent[:400],
        channel=channel,
        signature_kind=data.signature_kind,
        signature_png=image,
        consent_text=text,
        document_sha256=unsigned.sha256,
        document_pages=int(unsigned.facts.get("pages") or _page_count(unsigned_pdf)),
        data_sha256=fingerprint,
        certificate_subject=subject,
        certificate_sha256=cert_sha,
    )
    signed_pdf = build_signed_pdf(unsigned_pdf, trail)
    signed = store_document(
        actor=actor,
        request=request,
        kind=DocumentKind.SIGNED_LOA,
        filename=f"LOA-port-request-{request.pk}-signed.pdf",
        pdf=signed_pdf,
        facts={
            "data_sha256": fingerprint,
            "unsigned_sha256": unsigned.sha256,
            "signer_name": name,
            "by_label": f"Signed by {name}",
        },
        message=f"Letter of Authorization signed by {name}",
    )
    values = {
        "unsigned_document": unsigned,
        "signed_document": signed,
        "signer_name": name,
        "signer_title": title,
        "signer_email": signer_email,
        "signature_kind": data.signature_kind,
        "consent_text": text,
        "document_sha256": unsigned.sha256,
        "data_sha256": fingerprint,
        "ip_address": ip_address or None,
        "user_agent": user_agent[:400],
        "signed_at": signed_at,
    }
    if pending is not None:
        for key, value in values.items():
            setattr(pending, key, value)
        pending.save()
        signature = pending
    else:
        signature = LoaSignature.objects.create(request=request, **values)
    # Other links still out for this request are spent: the LOA is signed.
    LoaSignature.objects.filter(
        request=request, signed_at__isnull=True, token_expires_at__gt=signed_at
    ).exclude(pk=signature.pk).update(token_expires_at=signed_at)
    event = record_event(
        request,
        kind="loa_signed",
        actor=actor,
        message=f"LOA signed by {name}" + (" (emailed link)" if pending is not None else ""),
        signature_id=signature.pk,
        document_id=signed.pk,
        signature_kind=data.signature_kind,
        ip_address=ip_address or "",
    )
    if actor is None:
        PortEvent.objects.filter(pk=event.pk).update(actor_label=f"{name} (emailed link)")
    return signature


@transaction.atomic
def loa_sign(
    *,
    actor: Actor,
    request: PortRequest,
    data: SignatureInput,
    user_agent: str = "",
) -> LoaSignature:
    """The authorized person signs the LOA while signed in (portal or API).

    The typed name must be the authorized person's (a careful clerk's comparison); anyone
    else is told to send the signing link to the authorized person. The porting team never
    signs for a customer."""
    require_customer_write(actor, request)
    if actor.is_operator:
        raise Forbidden(
            "The porting team cannot sign for the customer: send the signing link to the "
            "authorized person.",
            code="not_authorized_person",
        )
    locked = PortRequest.objects.select_for_update().get(pk=request.pk)
    user = actor.user
    full = user.get_full_name() or user.get_username()
    with vault_rollback():
        return _sign(
            actor=actor,
            request=locked,
            data=data,
            ip_address=actor.ip_address,
            user_agent=user_agent,
            signer_email=user.email or "",
            channel=f"The portal, signed in as {user.get_username()} ({full})",
            pending=None,
        )


# --- the emailed link ----------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LinkSent:
    signature: LoaSignature
    email: str
    expires_at: dt.datetime
    url: str


@transaction.atomic
def loa_send_link(*, actor: Actor, request: PortRequest, email: str | None = None) -> LinkSent:
    """Email the authorized person a one-time link to sign the LOA without an account.

    Valid for 7 days and for the request's data at sending time; only the token's SHA-256
    is stored."""
    from faxline.notify.services import notify_email, render_email

    require_customer_write(actor, request)
    locked = PortRequest.objects.select_for_update().get(pk=request.pk)
    _require_open(locked)
    address = clean_email(email or locked.authorized_email, field="email", required=False)
    if not address:
        raise ValidationFailed(
            f"Enter the email address of {locked.authorized_name}, the authorized person.",
            field="email",
        )
    now = timezone.now()
    recent = LoaSignature.objects.filter(
        request=locked, created_at__gte=now - dt.timedelta(days=1)
    ).exclude(token_digest="")
    if recent.count() >= MAX_LINKS_PER_DAY:
        raise Conflict(
            f"At most {MAX_LINKS_PER_DAY} signing links a day can be sent for one request: "
            "try again tomorrow.",
            code="too_many_links",
            field="email",
        )
    with vault_rollback():
        unsigned = loa_current(locked) or _generate(actor, locked)
    token = secrets.token_urlsafe(32)
    expires = now + LINK_VALIDITY
    signature = LoaSignature.objects.create(
        request=locked,
        unsigned_document=unsigned,
        signer_name=locked.authorized_name,
        signer_email=address,
        data_sha256=loa_fingerprint(locked),
        token_digest=_digest(token),
        token_expires_at=expires,
    )
    url = settings.FAXLINE_PORTAL_URL.rstrip("/") + reverse("porting:loa_public", args=[token])
    user = actor.user
    subject, body = render_email(
        "porting/email/loa_link.txt",
        {
            "request": locked,
            "numbers": [_phone(n) for n in locked.numbers.values_list("number", flat=True)],
            "sender": "The porting team"
            if actor.is_operator
            else (user.get_full_name() or user.get_username()),
            "provider": provider_name(),
            "url": url,
            "expires": timezone.localtime(expires),
        },
    )
    notify_email(
        kind="porting.loa_link",
        to=[address],
        subject=subject,
        body=body,
        company=locked.company,
        related=f"Port request {locked.pk}",
    )
    record_event(
        locked,
        kind="loa_link_sent",
        actor=actor,
        message=f"Signing link sent to {address}",
        signature_id=signature.pk,
        expires_at=expires.isoformat(),
    )
    return LinkSent(signature=signature, email=address, expires_at=expires, url=url)


@dataclass(frozen=True)
class LinkState:
    """What an emailed link leads to: ``valid``, ``used`` (signed with it), ``signed``
    (the LOA was signed another way), ``expired``, ``changed`` (the request changed after
    sending), ``closed`` (completed or cancelled) or ``invalid``."""

    state: str
    signature: LoaSignature | None = None
    request: PortRequest | None = None

    @property
    def valid(self) -> bool:
        return self.state == "valid"


def loa_link_state(token: str, *, for_update: bool = False) -> LinkState:
    """Look up an emailed signing link by its token."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return LinkState("invalid")
    qs = LoaSignature.objects.select_related("request", "request__company")
    if for_update:
        qs = qs.select_for_update()
    signature = qs.filter(token_digest=_digest(token)).first()
    if signature is None:
        return LinkState("invalid")
    request = signature.request
    if signature.signed_at is not None:
        return LinkState("used", signature, request)
    if request.status in TERMINAL:
        return LinkState("closed", signature, request)
    if signature.token_expires_at is None or signature.token_expires_at <= timezone.now():
        latest = current_signature(request)
        state = (
            "signed"
            if latest is not None and latest.data_sha256 == loa_fingerprint(request)
            else "expired"
        )
        return LinkState(state, signature, request)
    if signature.data_sha256 != loa_fingerprint(request):
        return LinkState("changed", signature, request)
    return LinkState("valid", signature, request)


LINK_REFUSALS = {
    "invalid": "This signing link is not valid: check that you copied all of it.",
    "used": "This signing link was already used: the LOA is signed.",
    "signed": "The LOA was already signed: this link is no longer needed.",
    "expired": "This signing link has expired: ask for a new one.",
    "changed": "The port request changed after this link was sent: ask for a new link.",
    "closed": "This port request is closed: there is nothing to sign.",
}


def loa_sign_with_token(
    *,
    token: str,
    data: SignatureInput,
    ip_address: str | None,
    user_agent: str = "",
) -> LoaSignature:
    """The authorized person signs from the emailed link, without an account (once)."""
    with transaction.atomic():
        state = loa_link_state(token, for_update=True)
        if not state.valid:
            raise Conflict(LINK_REFUSALS[state.state], code=f"link_{state.state}")
        assert state.signature is not None and state.request is not None
        locked = PortRequest.objects.select_for_update().get(pk=state.request.pk)
        pending = state.signature
        sent = timezone.localtime(pending.created_at)
        with vault_rollback():
            return _sign(
                actor=None,
                request=locked,
                data=data,
                ip_address=ip_address,
                user_agent=user_agent,
                signer_email=pending.signer_email,
                channel=(
                    f"A one-time signing link emailed to {pending.signer_email} on "
                    f"{sent:%Y-%m-%d} (no account)"
                ),
                pending=pending,
            )


# --- status for pages ----------------------------------------------------------------------


@dataclass(frozen=True)
class LoaStatus:
    """The LOA as the Files tab shows it."""

    state: str  # not_generated | waiting | signed | outdated
    label: str
    unsigned: PortDocument | None
    signature: LoaSignature | None
    link: LoaSignature | None

    @property
    def signed(self) -> bool:
        return self.state == "signed"


def loa_status(request: PortRequest) -> LoaStatus:
    """Not generated / Waiting for signature / Signed on … by … (or signed for older data)."""
    fingerprint = loa_fingerprint(request)
    signature = current_signature(request)
    unsigned = loa_current(request)
    link = (
        LoaSignature.objects.filter(
            request=request,
            signed_at__isnull=True,
            token_expires_at__gt=timezone.now(),
            data_sha256=fingerprint,
        )
        .exclude(token_digest="")
        .order_by("-created_at", "-id")
        .first()
    )
    if signature is not None and signature.data_sha256 == fingerprint:
        assert signature.signed_at is not None
        on = timezone.localtime(signature.signed_at)
        label = f"Signed on {on:%b} {on.day}, {on:%Y} by {signature.signer_name}"
        return LoaStatus("signed", label, unsigned, signature, None)
    if signature is not None:
        return LoaStatus(
            "outdated",
            "Waiting for a new signature: the request changed after the LOA was signed",
            unsigned,
            signature,
            link,
        )
    if unsigned is None and link is None:
        return LoaStatus("not_generated", "Not generated", None, None, None)
    return LoaStatus("waiting", "Waiting for signature", unsigned, None, link)


__all__ = [
    "LinkSent",
    "LinkState",
    "LoaContent",
    "LoaStatus",
    "SignatureInput",
    "VerificationResult",
    "consent_text",
    "loa_content",
    "loa_current",
    "loa_generate",
    "loa_link_state",
    "loa_send_link",
    "loa_sign",
    "loa_sign_with_token",
    "loa_status",
    "loa_verify",
    "verify_pdf",
]
