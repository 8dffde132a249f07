"""The Letter of Authorization: generated (US and Canadian variants), signed by the
authorized person in the portal or the API (typed or drawn), sealed with the platform's key
(a change is reported in the LOA's words), signed from an emailed one-time link without an
account, and a new signature needed when the request changes."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from documents_support import (
    documents_env,  # noqa: F401 (fixture)
    drawn_signature,
    page_count,
    pdf_bytes,
    pdf_text,
    signing_key_files,  # noqa: F401 (fixture)
    vault_files,
)
from porting_support import add_bill, request_data

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from faxline.core.vault import vault_read
from faxline.documents.sealing import verify_pdf
from faxline.notify.models import NotificationLog
from faxline.porting.choices import DocumentKind, PortStatus
from faxline.porting.files import loa
from faxline.porting.files.loa import SignatureInput
from faxline.porting.files.loa.signing import loa_verdict
from faxline.porting.models import LoaSignature, PortDocument, PortEvent, PortRequest
from faxline.porting.requests import services
from faxline.porting.validation.checks import loa_fingerprint, loa_signed_for, validation_input

from cast import Cast

pytestmark = pytest.mark.usefixtures("documents_env")
NOW = datetime(2026, 12, 7, 15, tzinfo=UTC)
UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 faxline-tests"


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def port(cast: Cast) -> PortRequest:
    admin = cast.actor(cast.company_admin)
    return services.port_request_create(
        actor=admin,
        company=cast.company,
        data=request_data(pin="4321", authorized_email="carol@acme.example"),
    )


def carol(cast: Cast) -> Actor:
    return Actor(user=cast.company_admin, ip_address="203.0.113.7")


def sign(cast: Cast, port: PortRequest, **kw: Any) -> LoaSignature:
    data = {"signer_name": "Carol Chief", "signer_title": "CEO", "consent": True}
    data.update(kw)
    return loa.loa_sign(actor=carol(cast), request=port, data=SignatureInput(**data), user_agent=UA)


def signed_bytes(signature: LoaSignature) -> bytes:
    assert signature.signed_document is not None
    return vault_read(signature.signed_document.vault_name)


# --- generation --------------------------------------------------------------------------


def test_the_generated_loa_states_what_the_carrier_checks(cast: Cast, port: PortRequest) -> None:
    doc = loa.loa_generate(actor=carol(cast), request=port)
    assert doc.kind == DocumentKind.LOA and doc.facts["variant"] == "US"
    assert doc.facts["data_sha256"] == loa_fingerprint(port)
    text = pdf_text(vault_read(doc.vault_name))
    for expected in (
        "Letter of Authorization",
        "Acme Corp",
        "Carol Chief",
        "CEO",
        "1313 Mockingbird Lane",
        "Suite 15",
        "Seattle",
        "98101",
        "Old Telco",
        "ACCT-998877",  # in full: the carrier needs it (the PDF is encrypted at rest)
        "4321",
        "206-234-5678",
        "ZIP code",
        "valid for 30 days",
    ):
        assert expected in text, expected
    assert loa.loa_generate(actor=carol(cast), request=port).pk == doc.pk  # unchanged data


def test_the_canadian_variant(cast: Cast) -> None:
    admin = carol(cast)
    port = services.port_request_create(
        actor=admin,
        company=cast.company,
        data=request_data(
            numbers=[{"number": "+14165550123", "line_type": "landline"}],
            btn="+14165550123",
            street="100 Queen St W",
            unit="",
            city="Toronto",
            state="ON",
            postal_code="M5H 2N2",
            country="CA",
        ),
    )
    doc = loa.loa_generate(actor=admin, request=port)
    text = pdf_text(vault_read(doc.vault_name))
    assert doc.facts["variant"] == "CA"
    assert "CRTC" in text and "Province" in text and "Postal code" in text and "M5H 2N2" in text


def test_a_change_regenerates_the_loa_and_supersedes_the_old_one(
    cast: Cast, port: PortRequest
) -> None:
    first = loa.loa_generate(actor=carol(cast), request=port)
    services.port_request_update(actor=carol(cast), request=port, data={"unit": "Suite 16"})
    second = loa.loa_generate(actor=carol(cast), request=port)
    first.refresh_from_db()
    assert second.pk != first.pk and first.superseded
    assert "Suite 16" in pdf_text(vault_read(second.vault_name))


# --- signing in the portal / API ---------------------------------------------------------


def test_typed_signature_makes_a_sealed_pdf_with_the_audit_trail(
    cast: Cast, port: PortRequest
) -> None:
    signature = sign(cast, port)
    unsigned = signature.unsigned_document
    data = signed_bytes(signature)
    assert signature.signed_at == NOW and signature.signature_kind == "typed"
    assert signature.ip_address == "203.0.113.7" and signature.user_agent == UA
    assert signature.signer_email == "carol@acme.example"
    assert signature.document_sha256 == unsigned.sha256
    assert unsigned.sha256 == hashlib.sha256(vault_read(unsigned.vault_name)).hexdigest()
    assert signature.data_sha256 == loa_fingerprint(port)
    assert "I, Carol Chief, am the person authorized" in signature.consent_text
    assert loa_signed_for(port)
    assert validation_input(port)["loa"] == {
        "signer_name": "Carol Chief",
        "signed_on": "2026-12-07",
    }
    # the signed PDF: the LOA, then the signature page with the audit trail
    unsigned_pages = page_count(vault_read(unsigned.vault_name))
    assert page_count(data) == unsigned_pages + 1
    last = pdf_text(data, page=-1)
    for expected in (
        "Signature page",
        "Carol Chief",
        "carol@acme.example",
        "2026-12-07 15:00:00 UTC",
        "203.0.113.7",
        "faxline-tests",
        unsigned.sha256,
        "Typed by the signer",
        "signed in as carol",
    ):
        assert expected in last.replace("\n", " "), expected
    assert verify_pdf(data).intact
    assert loa.loa_verify(signature.signed_document).status == "intact"  # type: ignore[arg-type]
    # encrypted at rest, like every document
    for path in vault_files():
        assert b"%PDF" not in path.read_bytes()
    assert PortEvent.objects.filter(request=port, kind="loa_signed").count() == 1


def test_drawn_signature(cast: Cast, port: PortRequest) -> None:
    signature = sign(cast, port, signature_kind="drawn", signature_image=drawn_signature())
    assert signature.signature_kind == "drawn"
    data = signed_bytes(signature)
    from pypdf import PdfReader

    last = PdfReader(io.BytesIO(data)).pages[-1]
    assert last.images, "the drawn signature is on the signature page"
    assert "Drawn on screen by the signer" in pdf_text(data, page=-1)
    assert verify_pdf(data).intact


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (None, "Draw your signature"),
        (drawn_signature(ink=False), "signature box is empty"),
        ("data:image/jpeg;base64,/9j/4AAQ", "must be a PNG image"),
        ("data:image/png;base64,not base64!!", "could not be read"),
        ("data:image/png;base64," + "A" * 500_000, "too large"),
        ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB", "could not be read"),
        (drawn_signature(size=(4000, 2000)), "could not be read"),
    ],
)
def test_drawn_signature_is_checked(
    cast: Cast, port: PortRequest, image: str | None, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message) as err:
        sign(cast, port, signature_kind="drawn", signature_image=image)
    assert err.value.field == "signature_image"
    assert not loa_signed_for(port) and not LoaSignature.objects.exists()


def test_only_the_authorized_person_signs(cast: Cast, port: PortRequest) -> None:
    with pytest.raises(Forbidden, match="send the signing link to Carol Chief") as err:
        sign(cast, port, signer_name="Dana Dept")
    assert err.value.code == "not_authorized_person" and err.value.field == "signer_name"
    with pytest.raises(Forbidden):
        sign(cast, port, signer_name="Carrie Chief")  # a nickname is another person
    signature = sign(cast, port, signer_name="carol  CHIEF")  # case and spacing do not matter
    assert signature.signer_name == "carol  CHIEF"


def test_consent_rights_and_status(cast: Cast, port: PortRequest) -> None:
    with pytest.raises(ValidationFailed) as err:
        sign(cast, port, consent=False)
    assert err.value.field == "consent"
    data = SignatureInput(signer_name="Carol Chief", consent=True)
    with pytest.raises(Forbidden, match="porting team cannot sign"):
        loa.loa_sign(actor=cast.actor(cast.operator), request=port, data=data)
    with pytest.raises(Forbidden):
        loa.loa_sign(actor=cast.actor(cast.read_only_admin), request=port, data=data)
    with pytest.raises(NotFound):
        loa.loa_sign(actor=cast.actor(cast.outsider_admin), request=port, data=data)
    PortRequest.objects.filter(pk=port.pk).update(status=PortStatus.CANCELLED)
    port.refresh_from_db()
    with pytest.raises(Conflict):
        sign(cast, port)


def test_a_failed_signature_leaves_no_file_behind(
    cast: Cast, port: PortRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(LoaSignature.objects, "create", broken)
    with pytest.raises(RuntimeError):
        sign(cast, port)
    # The unsigned LOA of the request's data is made first, in a transaction of its own
    # (rendering it must not hold the database's write lock), and stays, as opening the
    # LOA page would have made it; the signed copy is gone with the failed transaction.
    assert list(PortDocument.objects.values_list("kind", flat=True)) == [DocumentKind.LOA]
    assert len(vault_files()) == 1
    assert not loa_signed_for(port)


def test_signing_a_stale_loa_is_refused(cast: Cast, port: PortRequest) -> None:
    seen = loa.loa_generate(actor=carol(cast), request=port)
    services.port_request_update(actor=carol(cast), request=port, data={"unit": "Suite 99"})
    with pytest.raises(Conflict) as err:
        sign(cast, port, document_sha256=seen.sha256)
    assert err.value.code == "loa_changed"


def test_a_change_after_signing_needs_a_new_signature(cast: Cast, port: PortRequest) -> None:
    sign(cast, port)
    add_bill(port)
    assert loa_signed_for(port) and loa.loa_status(port).state == "signed"
    services.port_request_update(actor=carol(cast), request=port, data={"street": "1 Other St"})
    assert not loa_signed_for(port)
    assert loa.loa_status(port).state == "outdated"
    with pytest.raises(Conflict, match="Sign the Letter"):
        services.port_request_submit(actor=carol(cast), request=port)
    sign(cast, port)
    services.port_request_submit(actor=carol(cast), request=port)
    port.refresh_from_db()
    assert port.status == PortStatus.NEW


# --- tampering ---------------------------------------------------------------------------
# The seal itself (any changed byte, appended bytes, another key) is tested in
# tests/documents/test_sealing.py; here, that the LOA's check says it in the LOA's words.


def test_a_tampered_signed_loa_is_reported_in_the_loas_words(cast: Cast, port: PortRequest) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signature = sign(cast, port)
    data = signed_bytes(signature)
    assert loa.loa_verify(signature.signed_document).message == (  # type: ignore[arg-type]
        "The signed LOA is intact: nothing changed since it was signed."
    )
    changed = bytearray(data)
    changed[len(data) // 2] ^= 0x01
    result = loa_verdict(verify_pdf(bytes(changed)))
    assert result.status == "modified"
    assert result.message == (
        "This PDF was changed after it was signed: do not rely on it. Download the signed LOA "
        "again from the portal."
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 500 Td (Account 0000) Tj ET")
    )
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    result = loa_verdict(verify_pdf(out.getvalue()))
    assert result.status == "modified" and result.message == (
        "Something was added to this PDF after it was signed: do not rely on it. "
        "Download the signed LOA again from the portal."
    )
    assert loa_verdict(verify_pdf(pdf_bytes())).status == "unsigned"


# --- the emailed link --------------------------------------------------------------------


def send(cast: Cast, port: PortRequest, after_commit: Any) -> str:
    with after_commit():
        loa.loa_send_link(actor=carol(cast), request=port)
    body = mail.outbox[-1].body
    return body.split("/settings/porting/sign/", 1)[1].split("/", 1)[0]


def test_the_emailed_link_signs_once_without_an_account(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    token = send(cast, port, after_commit)
    message = mail.outbox[-1]
    assert message.to == ["carol@acme.example"]
    assert "Please sign the Letter of Authorization for port request" in message.subject
    assert "https://fax.example.com/settings/porting/sign/" in message.body
    assert NotificationLog.objects.filter(kind="porting.loa_link").count() == 1
    pending = LoaSignature.objects.get()
    assert pending.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(LoaSignature.objects.values().get())
    assert pending.token_expires_at == NOW + timedelta(days=7)
    assert loa.loa_status(port).state == "waiting" and loa.loa_status(port).link == pending

    client = Client(HTTP_USER_AGENT="Mobile Safari/605 link-test", REMOTE_ADDR="198.51.100.23")
    url = reverse("porting:loa_public", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sign as Carol Chief" in text and "ACCT-998877" not in text and "••••8877" in text
    assert page["Referrer-Policy"] == "same-origin"
    pdf = client.get(url + "?download=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    response = client.post(
        url,
        {
            "signer_name": "Carol Chief",
            "signer_title": "CEO",
            "signature_kind": "drawn",
            "signature_image": drawn_signature(),
            "consent": "on",
        },
    )
    assert response.status_code == 200 and "Signed" in response.content.decode()
    pending.refresh_from_db()
    assert pending.signed_at == NOW and pending.ip_address == "198.51.100.23"
    assert pending.user_agent == "Mobile Safari/605 link-test"
    assert loa_signed_for(port)
    last = pdf_text(signed_bytes(pending), page=-1).replace("\n", " ")
    assert "one-time signing link emailed to carol@acme.example" in last
    assert verify_pdf(signed_bytes(pending)).intact
    event = PortEvent.objects.get(request=port, kind="loa_signed")
    assert event.actor is None and event.actor_label == "Carol Chief (emailed link)"
    # a second use is refused, with a clear page
    again = client.post(
        url, {"signer_name": "Carol Chief", "consent": "on", "signature_kind": "typed"}
    )
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert client.get(url).status_code == 410
    with pytest.raises(Conflict) as err:
        loa.loa_sign_with_token(
            token=token,
            data=SignatureInput(signer_name="Carol Chief", consent=True),
            ip_address=None,
        )
    assert err.value.code == "link_used"
    assert LoaSignature.objects.filter(signed_at__isnull=False).count() == 1


def test_the_link_refuses_another_signer_and_keeps_working(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    token = send(cast, port, after_commit)
    url = reverse("porting:loa_public", args=[token])
    client = Client()
    response = client.post(
        url, {"signer_name": "Mallory Doe", "consent": "on", "signature_kind": "typed"}
    )
    assert response.status_code == 403
    assert "Only Carol Chief" in response.content.decode()
    response = client.post(url, {"signer_name": "Carol Chief", "signature_kind": "typed"})
    assert response.status_code == 422  # no consent
    assert loa.loa_link_state(token).valid


def test_expired_changed_and_invalid_links(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    token = send(cast, port, after_commit)
    assert Client().get(reverse("porting:loa_public", args=["x" * 43])).status_code == 404
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        response = Client().get(reverse("porting:loa_public", args=[token]))
        assert response.status_code == 410 and "expired" in response.content.decode()
    services.port_request_update(actor=carol(cast), request=port, data={"unit": "Suite 2"})
    assert loa.loa_link_state(token).state == "changed"
    response = Client().get(reverse("porting:loa_public", args=[token]))
    assert (
        response.status_code == 410
        and "changed after this link was sent" in response.content.decode()
    )


def test_signing_in_the_portal_spends_the_links(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    token = send(cast, port, after_commit)
    sign(cast, port)
    assert loa.loa_link_state(token).state == "signed"


def test_sending_needs_an_address_and_is_limited(cast: Cast) -> None:
    port = services.port_request_create(
        actor=carol(cast), company=cast.company, data=request_data()
    )
    with pytest.raises(ValidationFailed) as err:
        loa.loa_send_link(actor=carol(cast), request=port)
    assert err.value.field == "email"
    for _ in range(loa.MAX_LINKS_PER_DAY):
        loa.loa_send_link(actor=cast.actor(cast.operator), request=port, email="carol@acme.example")
    with pytest.raises(Conflict):
        loa.loa_send_link(actor=carol(cast), request=port, email="carol@acme.example")
    with pytest.raises(Forbidden):
        loa.loa_send_link(actor=cast.actor(cast.read_only_admin), request=port, email="a@b.example")


# --- portal pages ------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client(HTTP_USER_AGENT=UA)
    client.force_login(user)
    return client


def test_portal_sign_page(cast: Cast, port: PortRequest) -> None:
    client = _client(cast.company_admin)
    url = reverse("porting:loa", args=[port.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sign as the authorized person" in text and "ACCT-998877" not in text
    assert "<dt>PIN / passcode</dt><dd>••••</dd>" in text  # the PIN, masked
    assert "data-fx-pad" in text and "I, Carol Chief, am the person authorized" in text
    sha = PortDocument.objects.get(kind="loa").sha256
    response = client.post(
        url,
        {
            "signer_name": "Carol Chief",
            "signer_title": "CEO",
            "signature_kind": "drawn",
            "signature_image": drawn_signature(),
            "document_sha256": sha,
            "consent": "on",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Signed on Dec 7, 2026 by Carol Chief" in page and "Intact" in page
    assert loa_signed_for(port)


def test_portal_refuses_someone_else(cast: Cast, port: PortRequest) -> None:
    client = _client(cast.dept_admin)
    url = reverse("porting:loa", args=[port.pk])
    assert "You are signed in as" in client.get(url).content.decode()
    response = client.post(
        url, {"signer_name": "Dana Dept", "signature_kind": "typed", "consent": "on"}
    )
    assert response.status_code == 403
    assert "send the signing link to Carol Chief" in response.content.decode()
    for outsider in (cast.outsider_admin, cast.billing_user):
        assert _client(outsider).get(url).status_code == 404


def test_portal_send_link(cast: Cast, port: PortRequest, after_commit: Any) -> None:
    client = _client(cast.operator)
    with after_commit():
        response = client.post(
            reverse("porting:loa_send", args=[port.pk]),
            {"email": "carol@acme.example", "next": "loa"},
        )
    assert response.status_code == 302 and response["Location"] == reverse(
        "porting:loa", args=[port.pk]
    )
    assert len(mail.outbox) == 1 and "The porting team" in mail.outbox[0].body
    assert (
        _client(cast.outsider_admin)
        .post(reverse("porting:loa_send", args=[port.pk]), {"email": "x@y.example"})
        .status_code
        == 404
    )


# --- API ---------------------------------------------------------------------------------


def _api(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="loa").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_USER_AGENT="api-client/1.0")


def test_api_generate_sign_verify(cast: Cast, port: PortRequest) -> None:
    api = _api(cast.company_admin)
    base = f"/api/v1/port-requests/{port.pk}/loa"
    assert api.get(base + "/verify").json()["status"] == "unsigned"
    response = api.get(base)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")
    sha = response["X-Document-SHA256"]
    assert sha == hashlib.sha256(response.content).hexdigest()
    response = api.post(
        base + "/sign",
        {
            "signer_name": "Carol Chief",
            "consent": True,
            "signature_kind": "drawn",
            "signature_image": drawn_signature(),
            "document_sha256": sha,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["document_sha256"] == sha and body["user_agent"] == "api-client/1.0"
    assert body["signer_title"] == "CEO" and body["current"] is True
    verify = api.get(base + "/verify").json()
    assert verify["status"] == "intact" and verify["intact"] and verify["signed_for_current_data"]
    response = api.post(
        base + "/sign",
        {"signer_name": "Someone Else", "consent": True},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "not_authorized_person"
    outsider = _api(cast.outsider_admin)
    for path in (base, base + "/verify"):
        assert outsider.get(path).status_code == 404
    assert outsider.post(base + "/send", {}, content_type="application/json").status_code == 404


def test_api_send_link(cast: Cast, port: PortRequest, after_commit: Any) -> None:
    api = _api(cast.company_admin)
    with after_commit():
        response = api.post(
            f"/api/v1/port-requests/{port.pk}/loa/send", {}, content_type="application/json"
        )
    assert response.status_code == 202
    assert response.json()["sent_to"] == "carol@acme.example"
    assert len(mail.outbox) == 1


def test_api_read_only_gets_no_loa_and_nothing_is_stored(cast: Cast, port: PortRequest) -> None:
    # The LOA states the account number and PIN in full: a read-only administrator may not
    # open it (it used to get an unsaved preview; see porting.access.may_read_credentials).
    response = _api(cast.read_only_admin).get(f"/api/v1/port-requests/{port.pk}/loa")
    assert response.status_code == 403 and response.json()["code"] == "credentials_withheld"
    assert not PortDocument.objects.exists()


def test_the_notification_log_withholds_the_signing_link(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    from django.test import Client

    from faxline.accounts.services.api_keys import api_key_create

    token = send(cast, port, after_commit)
    key = api_key_create(actor=carol(cast), name="t").secret
    listing = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/notifications").json()
    loa_links = [n for n in listing["items"] if n["kind"] == "porting.loa_link"]
    assert loa_links and all(token not in n["body"] for n in loa_links)
    client = Client()
    client.force_login(cast.company_admin)
    assert token not in client.get("/notifications/").content.decode()
