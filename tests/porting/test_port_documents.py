"""The Files of a port request: typed uploads checked by content, images converted to PDF,
facts for the first-time-right checks, superseding, encryption at rest, who may upload and
download (portal and API), and hostile files refused with nothing stored."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from documents_support import (
    HOSTILE,
    documents_env,  # noqa: F401 (fixture)
    image_bytes,
    page_count,
    pdf_bytes,
    png_bomb,
    signing_key_files,  # noqa: F401 (fixture)
    tiff_pages,
    vault_files,
)
from porting_support import request_data

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from faxline.core.vault import vault_read
from faxline.porting.choices import DocumentKind, PortStatus
from faxline.porting.files import services as documents
from faxline.porting.files.services import port_document_add
from faxline.porting.models import PortDocument, PortEvent, PortRequest
from faxline.porting.requests import services
from faxline.porting.validation.checks import findings_of, validation_input

from cast import Cast

pytestmark = pytest.mark.usefixtures("documents_env")
BILL = {"statement_date": "2026-12-01", "account_name": "Acme Corp"}
CSR = {
    "account_name": "Acme Corporation",
    "street": "1313 Mockingbird Ln",
    "unit": "Ste 15",
    "city": "Seattle",
    "state": "WA",
    "postal_code": "98101-1234",
    "btn": "+12062345678",
    "account_number": "ACCT-998877",
    "authorized_names": "Carol Chief\nDana Dept",
    "numbers": "+12062345678",
    "line_features": ["dsl"],
}


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(datetime(2026, 12, 7, 15, tzinfo=UTC)):
        yield


@pytest.fixture
def port(cast: Cast) -> PortRequest:
    admin = cast.actor(cast.company_admin)
    return services.port_request_create(actor=admin, company=cast.company, data=request_data())


def add(actor: Actor, port: PortRequest, **kw: Any) -> PortDocument:
    args: dict[str, Any] = {
        "kind": "bill",
        "filename": "bill.pdf",
        "data": pdf_bytes(),
        "facts": BILL,
    }
    args.update(kw)
    return port_document_add(actor=actor, request=port, **args)


# --- storing -----------------------------------------------------------------------------


def test_a_bill_is_stored_encrypted_with_its_facts(cast: Cast, port: PortRequest) -> None:
    data = pdf_bytes(2)
    doc = add(cast.actor(cast.company_admin), port, data=data)
    assert (doc.kind, doc.content_type, doc.size, doc.filename) == (
        "bill",
        "application/pdf",
        len(data),
        "bill.pdf",
    )
    assert doc.facts == {"statement_date": "2026-12-01", "account_name": "Acme Corp"}
    (stored,) = vault_files()
    assert b"%PDF" not in stored.read_bytes()  # encrypted at rest
    assert vault_read(doc.vault_name) == data
    event = PortEvent.objects.get(request=port, kind="document_added")
    assert event.detail["document_kind"] == "bill" and "Phone bill added" in event.message
    assert validation_input(port)["bill"]["statement_date"] == "2026-12-01"


@pytest.mark.parametrize(
    ("name", "data", "pages"),
    [
        ("bill-photo.png", image_bytes("PNG"), 1),
        ("scan.jpg", image_bytes("JPEG"), 1),
        ("rgba.png", image_bytes("PNG", mode="RGBA"), 1),
        ("fax.tif", tiff_pages(3), 3),
    ],
)
def test_images_and_tiff_become_pdf(
    cast: Cast, port: PortRequest, name: str, data: bytes, pages: int
) -> None:
    doc = add(cast.actor(cast.company_admin), port, filename=name, data=data)
    pdf = vault_read(doc.vault_name)
    assert pdf.startswith(b"%PDF") and page_count(pdf) == pages
    assert doc.content_type == "application/pdf" and doc.filename.endswith(".pdf")
    assert doc.facts["converted_from"] in {"png", "jpeg", "tiff"}


@pytest.mark.parametrize("what", sorted(HOSTILE))
def test_hostile_files_are_refused_and_nothing_is_stored(
    cast: Cast, port: PortRequest, what: str
) -> None:
    filename, data = HOSTILE[what]
    with pytest.raises(ValidationFailed) as err:
        add(cast.actor(cast.company_admin), port, filename=filename, data=data)
    assert err.value.field == "file"
    assert "“bill.pdf”" in err.value.message or "“invoice.pdf”" in err.value.message
    assert not PortDocument.objects.exists() and not vault_files()
    assert not PortEvent.objects.filter(kind="document_added").exists()


def test_a_decompression_bomb_is_refused(cast: Cast, port: PortRequest) -> None:
    with pytest.raises(ValidationFailed, match="decompression bomb"):
        add(cast.actor(cast.company_admin), port, filename="bill.png", data=png_bomb())
    assert not PortDocument.objects.exists() and not vault_files()


def test_a_failed_database_write_removes_the_vault_file(
    cast: Cast, port: PortRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(documents, "record_event", broken)
    with pytest.raises(RuntimeError):
        add(cast.actor(cast.company_admin), port)
    assert not vault_files() and not PortDocument.objects.exists()


# --- facts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "field", "message"),
    [
        # Nothing typed is fine (read, then confirmed); something typed must be whole.
        ({"account_name": "Acme Corp"}, "statement_date", "statement date printed on the bill"),
        ({"statement_date": "12/01/2026"}, "statement_date", "YYYY-MM-DD"),
        ({"statement_date": "2026-12-25"}, "statement_date", "in the future"),
        ({"statement_date": "2026-12-01", "street": "1 Main St"}, "city", "city"),
        ({"statement_date": "2026-12-01", "pin": "1234"}, "pin", "Unknown fact"),
    ],
)
def test_bill_facts_are_checked(
    cast: Cast, port: PortRequest, facts: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message) as err:
        add(cast.actor(cast.company_admin), port, facts=facts)
    assert err.value.field == field
    assert not PortDocument.objects.exists()


def test_bill_address_feeds_the_checks(cast: Cast, port: PortRequest) -> None:
    facts = {**BILL, "street": "99 Other Rd", "city": "Seattle", "state": "WA"}
    facts["postal_code"] = "98101"
    add(cast.actor(cast.company_admin), port, facts=facts)
    codes = {f.code for f in findings_of(port)}
    assert "BILL_ADDRESS_MISMATCH" in codes


def test_csr_record_is_read_by_the_checks_with_the_account_number_encrypted(
    cast: Cast, port: PortRequest
) -> None:
    doc = add(cast.actor(cast.company_admin), port, kind="csr", filename="csr.pdf", facts=CSR)
    record = doc.facts["record"]
    assert record["account_number"] is None and "ACCT-998877" not in json.dumps(doc.facts)
    assert record["authorized_names"] == ["Carol Chief", "Dana Dept"]
    assert record["service_address"]["postal_code"] == "98101-1234"
    csr = validation_input(port)["csr"]
    assert csr["account_number"] == "ACCT-998877" and csr["line_features"] == ["dsl"]
    codes = {f.code for f in findings_of(port)}
    assert "LINE_FEATURE_RISK" in codes
    assert not {"ADDRESS_MISMATCH", "NAME_MISMATCH", "ACCOUNT_NUMBER_MISMATCH"} & codes


def test_csr_in_the_validator_shape_and_its_required_fields(cast: Cast, port: PortRequest) -> None:
    admin = cast.actor(cast.company_admin)
    record = {
        "account_name": "Acme Corp",
        "service_address": {
            "street": "1313 Mockingbird Lane",
            "unit": "Suite 15",
            "city": "Seattle",
            "state": "WA",
            "postal_code": "98101",
            "country": "US",
        },
        "account_number": "ACCT-000000",
    }
    add(admin, port, kind="csr", facts={"record": record})
    assert "ACCOUNT_NUMBER_MISMATCH" in {f.code for f in findings_of(port)}
    with pytest.raises(ValidationFailed) as err:
        add(admin, port, kind="csr", facts={"account_name": "Acme"})
    assert err.value.field == "street"
    with pytest.raises(ValidationFailed) as err:
        add(admin, port, kind="csr", facts={**CSR, "line_features": ["fax_modem"]})
    assert err.value.field == "line_features"


# --- kinds, superseding, status ----------------------------------------------------------


def test_a_new_document_supersedes_the_previous_one_of_its_kind(
    cast: Cast, port: PortRequest
) -> None:
    admin = cast.actor(cast.company_admin)
    first = add(admin, port)
    other1 = add(admin, port, kind="other", facts={"description": "Tax ID letter"})
    second = add(admin, port, facts={"statement_date": "2026-12-05"})
    other2 = add(admin, port, kind="other", facts={})
    first.refresh_from_db()
    other1.refresh_from_db()
    assert first.superseded and not second.superseded
    assert not other1.superseded and not other2.superseded  # several "other" documents
    assert validation_input(port)["bill"]["statement_date"] == "2026-12-05"


@pytest.mark.parametrize("kind", ["loa", "signed_loa", "passport"])
def test_the_loa_is_never_uploaded(cast: Cast, port: PortRequest, kind: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        add(cast.actor(cast.company_admin), port, kind=kind, facts={})
    assert err.value.field == "kind"
    if kind != "passport":
        assert err.value.code == "loa_is_generated"


def test_files_can_be_added_with_the_team_but_not_once_closed(
    cast: Cast, port: PortRequest
) -> None:
    admin = cast.actor(cast.company_admin)
    PortRequest.objects.filter(pk=port.pk).update(status=PortStatus.PENDING)
    port.refresh_from_db()
    add(admin, port)
    for closed in (PortStatus.COMPLETED, PortStatus.CANCELLED):
        PortRequest.objects.filter(pk=port.pk).update(status=closed)
        port.refresh_from_db()
        with pytest.raises(Conflict) as err:
            add(admin, port)
        assert err.value.code == "request_closed"


def test_who_may_upload(cast: Cast, port: PortRequest) -> None:
    add(cast.actor(cast.operator), port)  # the porting team
    add(cast.actor(cast.dept_admin), port)
    with pytest.raises(Forbidden):
        add(cast.actor(cast.read_only_admin), port)
    for outsider in (cast.outsider_admin, cast.billing_user):
        with pytest.raises(NotFound):
            add(cast.actor(outsider), port)
    limited = cast.dept_admin
    limited.rights = ["porting.view"]
    limited.save()
    with pytest.raises(Forbidden):
        add(Actor(user=User.objects.get(pk=limited.pk)), port)


# --- portal ------------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_portal_upload_download_and_isolation(cast: Cast, port: PortRequest) -> None:
    client = _client(cast.company_admin)
    url = reverse("porting:files", args=[port.pk])
    upload = io.BytesIO(image_bytes("PNG"))
    upload.name = "my bill.png"
    response = client.post(url, {"kind": "bill", "file": upload})
    assert response.status_code == 302
    doc = PortDocument.objects.get()
    assert doc.filename == "my bill.pdf" and doc.facts == {"converted_from": "png"}
    # Next: the page where its facts, once read, are confirmed.
    assert response["Location"] == reverse("porting:document_facts", args=[port.pk, doc.pk])
    download = reverse("porting:document", args=[port.pk, doc.pk])
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my bill.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == vault_read(doc.vault_name)
    assert _client(cast.operator).get(download).status_code == 200
    assert _client(cast.read_only_admin).get(download).status_code == 200
    for outsider in (cast.outsider_admin, cast.billing_user, cast.outsider_user):
        assert _client(outsider).get(download).status_code == 404
        assert _client(outsider).get(url).status_code == 404
    assert Client().get(download).status_code == 302  # to sign-in


def test_portal_refusal_keeps_the_form_and_stores_nothing(cast: Cast, port: PortRequest) -> None:
    client = _client(cast.company_admin)
    upload = io.BytesIO(HOSTILE["executable renamed .pdf"][1])
    upload.name = "bill.pdf"
    response = client.post(
        reverse("porting:files", args=[port.pk]),
        {"kind": "other", "file": upload, "other_description": "Letter from the carrier"},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "is not a PDF, PNG, JPEG or TIFF document" in text
    assert 'value="Letter from the carrier"' in text
    assert not PortDocument.objects.exists() and not vault_files()


def test_the_files_tab_lists_documents_and_the_loa_status(cast: Cast, port: PortRequest) -> None:
    admin = cast.actor(cast.company_admin)
    add(admin, port)
    add(admin, port, kind="csr", filename="csr.pdf", facts=CSR)
    add(admin, port, facts={"statement_date": "2026-12-05"})
    html = render_to_string(
        "porting/files_tab.html", {"request": port, "actor": admin, "csrf_token": "x"}
    )
    assert "Not generated" in html and "Sign now" in html and "Send signing link" in html
    assert html.count("Superseded") == 1
    assert "Customer Service Record" in html and "account ••••8877" in html
    assert "ACCT-998877" not in html
    # A bill's or CSR's facts are read and confirmed on their own page, not typed here.
    assert 'name="bill_statement_date"' not in html and 'name="other_description"' in html
    assert "Being read" in html  # in the background, after the upload
    # the porting team uploads but never signs; read-only administrators only look
    team = render_to_string(
        "porting/files_tab.html", {"request": port, "actor": cast.actor(cast.operator)}
    )
    assert "Sign now" not in team and "Upload a document" in team and "Send signing link" in team
    reader = render_to_string(
        "porting/files_tab.html", {"request": port, "actor": cast.actor(cast.read_only_admin)}
    )
    assert "Upload a document" not in reader and "Send signing link" not in reader
    outsider = render_to_string(
        "porting/files_tab.html", {"request": port, "actor": cast.actor(cast.outsider_admin)}
    )
    assert "Phone bill" not in outsider


def test_files_page_htmx_upload_returns_the_tab(cast: Cast, port: PortRequest) -> None:
    client = _client(cast.company_admin)
    upload = io.BytesIO(pdf_bytes())
    upload.name = "csr.pdf"
    response = client.post(
        reverse("porting:files", args=[port.pk]),
        {"kind": "other", "file": upload, "other_description": "Reseller letter"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="fx-files"' in text and "Reseller letter" in text and "added" in text


# --- API ---------------------------------------------------------------------------------


def _api(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="docs").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_api_upload_list_download(cast: Cast, port: PortRequest) -> None:
    api = _api(cast.company_admin)
    base = f"/api/v1/port-requests/{port.pk}/documents"
    upload = io.BytesIO(tiff_pages(2))
    upload.name = "bill.tif"
    response = api.post(
        base,
        {"kind": "bill", "file": upload, "statement_date": "2026-12-02", "account_name": "Acme"},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["kind"] == "bill" and created["filename"] == "bill.pdf"
    assert created["facts"]["converted_from"] == "tiff"
    upload = io.BytesIO(pdf_bytes())
    upload.name = "csr.pdf"
    response = api.post(base, {"kind": "csr", "file": upload, "facts": json.dumps(CSR)})
    assert response.status_code == 201, response.content
    assert response.json()["facts"]["record"]["account_number"] == "••••8877"
    listing = api.get(base).json()
    assert listing["count"] == 2 and listing["items"][0]["kind"] == "csr"
    response = api.get(created["download_url"])
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    outsider = _api(cast.outsider_admin)
    assert outsider.get(base).status_code == 404
    assert outsider.get(created["download_url"]).status_code == 404
    assert _api(cast.billing_user).get(created["download_url"]).status_code == 404


def test_api_refusals(cast: Cast, port: PortRequest) -> None:
    api = _api(cast.company_admin)
    base = f"/api/v1/port-requests/{port.pk}/documents"
    upload = io.BytesIO(png_bomb())
    upload.name = "bill.png"
    response = api.post(base, {"kind": "bill", "file": upload, "statement_date": "2026-12-01"})
    assert response.status_code == 422
    assert response.json()["field"] == "file" and "decompression bomb" in response.json()["message"]
    upload = io.BytesIO(pdf_bytes())
    upload.name = "loa.pdf"
    response = api.post(base, {"kind": "signed_loa", "file": upload})
    assert response.status_code == 422 and response.json()["code"] == "loa_is_generated"
    response = _api(cast.read_only_admin).post(base, {"kind": "other", "file": io.BytesIO(b"x")})
    assert response.status_code in (403, 422)
    assert not vault_files()
    assert DocumentKind.BILL not in {d.kind for d in PortDocument.objects.all()}
