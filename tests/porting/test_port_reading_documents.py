"""Porting reads the documents (issue 14): a bill or CSR uploaded to a request is read in the
background after its commit, what it says is stored beside what was typed (the account
number encrypted), and the first-time-right checks compare the two and the request."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from documents_support import (
    documents_env,  # noqa: F401 (fixture)
    pdf_bytes,
    signing_key_files,  # noqa: F401 (fixture)
)
from porting_support import request_data

from documents.reading_documents import make_pdf
from documents.reading_documents import port_bill_pdf as bill_pdf
from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.crypto import decrypt_text
from faxline.documents.reading import ocr as ocr_module
from faxline.porting.choices import ReadStatus
from faxline.porting.files import reading
from faxline.porting.files.reading import (
    port_document_read,
    port_document_read_sweep,
    read_facts_of,
    read_facts_shown,
)
from faxline.porting.files.services import port_document_add
from faxline.porting.models import PortDocument, PortRequest
from faxline.porting.requests import services
from faxline.porting.validation.checks import findings_of

from cast import Cast

pytestmark = pytest.mark.usefixtures("documents_env")
TYPED_BILL = {"statement_date": "2026-12-01", "account_name": "Acme Corp"}
READ_CODES = {
    "READ_FACT_MISMATCH",
    "READ_DOCUMENT_TYPE",
    "READ_BILL_STALE",
    "READ_REQUEST_MISMATCH",
    "READ_NUMBER_NOT_ON_DOCUMENT",
    "READ_NUMBERS_LEFT_OUT",
}


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(datetime(2026, 12, 7, 15, tzinfo=UTC)) as traveller:
        yield traveller


@pytest.fixture
def port(cast: Cast) -> PortRequest:
    admin = cast.actor(cast.company_admin)
    return services.port_request_create(actor=admin, company=cast.company, data=request_data())


def upload(cast: Cast, port: PortRequest, data: bytes, **kw: Any) -> PortDocument:
    args: dict[str, Any] = {"kind": "bill", "filename": "bill.pdf", "facts": TYPED_BILL}
    args.update(kw)
    return port_document_add(actor=cast.actor(cast.company_admin), request=port, data=data, **args)


def read_codes(port: PortRequest) -> dict[str, str]:
    return {f.field: f.code for f in findings_of(port) if f.code in READ_CODES}


def test_a_bill_is_read_after_its_upload_and_its_account_number_kept_encrypted(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    with after_commit():
        document = upload(cast, port, bill_pdf())
        assert document.read_status == ReadStatus.PENDING
    document.refresh_from_db()
    assert document.read_status == ReadStatus.READ, document.read_error
    assert document.read_document_type == "bill" and document.read_ocr is False
    assert document.read_at is not None and document.read_error == ""
    facts = read_facts_of(document)
    assert facts["account_name"] == "Acme Corp"
    assert facts["account_number"] == "ACCT-998877"
    assert facts["btn"] == "+12062345678"
    assert facts["statement_date"] == "2026-12-01"
    assert facts["service_address"]["street"] == "1313 Mockingbird Lane"
    assert document.read_sources["statement_date"]["page"] == 1
    # At rest: the account number only as ciphertext, in the JSON column as stored.
    assert "account_number" not in document.read_facts
    token = document.read_facts["account_number_encrypted"]
    assert token != "ACCT-998877" and decrypt_text(token) == "ACCT-998877"
    with connection.cursor() as cursor:
        cursor.execute("SELECT read_facts FROM porting_portdocument WHERE id = %s", [document.pk])
        raw = cursor.fetchone()[0]
    assert "998877" not in str(raw)
    assert read_facts_shown(document)["account_number"] == "••••8877"
    # A matching bill: no finding about what was read.
    assert read_codes(port) == {}


def test_reading_is_idempotent(cast: Cast, port: PortRequest, after_commit: Any) -> None:
    with after_commit():
        document = upload(cast, port, bill_pdf())
    document.refresh_from_db()
    read_at = document.read_at

    def never(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a read document is read again")

    reading_module_extract = "faxline.documents.reading.extract.extract"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading_module_extract, never)
        assert port_document_read(document.pk) == ReadStatus.READ
    document.refresh_from_db()
    assert document.read_at == read_at


def test_a_mismatching_bill_gives_the_read_findings(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    data = bill_pdf(
        name="Acme Plumbing LLC",
        account="ACCT-123456",
        btn="(206) 234-9999",
        date="October 1, 2026",
        street="1400 Mockingbird Lane, Suite 15",
        numbers="(206) 234-9999",
    )
    with after_commit():
        upload(cast, port, data)
    found = read_codes(port)
    assert found == {
        "bill.read.statement_date": "READ_BILL_STALE",
        "bill.read.account_name": "READ_REQUEST_MISMATCH",
        "bill.read.account_number": "READ_REQUEST_MISMATCH",
        "bill.read.btn": "READ_REQUEST_MISMATCH",
        "bill.read.service_address": "READ_REQUEST_MISMATCH",
        "numbers[0].number": "READ_NUMBER_NOT_ON_DOCUMENT",
        # The bill lists a number this full port leaves out.
        "bill.read.numbers": "READ_NUMBERS_LEFT_OUT",
    }
    page = _client(cast.company_admin).get(reverse("porting:detail", args=[port.pk]))
    assert page.status_code == 200
    assert "is not among the numbers listed on the bill" in page.content.decode()
    messages = {f.field: f.message for f in findings_of(port)}
    assert "123456" not in messages["bill.read.account_number"]
    assert "ending in 3456" in messages["bill.read.account_number"]
    assert "2026-10-01" in messages["bill.read.statement_date"]
    assert all(f.severity == "warning" for f in findings_of(port) if f.code in READ_CODES)


def test_a_typed_date_other_than_the_bills_is_a_finding(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    with after_commit():
        upload(cast, port, bill_pdf(date="November 28, 2026"))
    assert read_codes(port) == {"bill.read.statement_date": "READ_FACT_MISMATCH"}


def test_a_csr_uploaded_as_a_bill_is_a_finding(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    csr = make_pdf(
        [
            (40, 40, "CUSTOMER SERVICE RECORD                 PAGE 1", "Courier", 9),
            (40, 64, "ACCT NO: ACCT-998877     BTN: 206 234 5678", "Courier", 9),
            (40, 76, "NAME: ACME CORP", "Courier", 9),
            (40, 100, "BILL DATE: 01-DEC-2026", "Courier", 9),
        ]
    )
    with after_commit():
        document = upload(cast, port, csr)
    document.refresh_from_db()
    assert document.read_document_type == "csr"
    assert read_codes(port) == {"bill.read.document_type": "READ_DOCUMENT_TYPE"}


def test_other_documents_are_skipped(cast: Cast, port: PortRequest, after_commit: Any) -> None:
    with after_commit():
        document = upload(cast, port, pdf_bytes(), kind="other", facts={})
    document.refresh_from_db()
    assert document.read_status == ReadStatus.SKIPPED and document.read_facts == {}


def test_an_unreadable_file_is_recorded_and_the_upload_kept(
    cast: Cast, port: PortRequest, after_commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr_module, "available", lambda: False)
    with after_commit():
        document = upload(cast, port, pdf_bytes(text=""))  # no text layer, no OCR here
    document.refresh_from_db()
    assert document.read_status == ReadStatus.UNREADABLE
    assert "OCR" in document.read_error
    assert read_codes(port) == {}
    assert PortDocument.objects.filter(pk=document.pk, superseded=False).exists()


def test_a_refusal_by_the_reader_is_unreadable_with_its_message(
    cast: Cast, port: PortRequest, after_commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from faxline.core.errors import ValidationFailed

    def refuse(_data: bytes, filename: str = "") -> Any:
        raise ValidationFailed(f"{filename} has too many pages to read.", field="file")

    monkeypatch.setattr("faxline.documents.reading.extract.extract", refuse)
    with after_commit():
        document = upload(cast, port, bill_pdf())
    document.refresh_from_db()
    assert document.read_status == ReadStatus.UNREADABLE
    assert document.read_error == "bill.pdf has too many pages to read."


def test_a_lost_nudge_is_found_by_the_sweep(
    cast: Cast,
    port: PortRequest,
    django_capture_on_commit_callbacks: Any,
    run_tasks: Any,
    _monday: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the nudge is lost
        document = upload(cast, port, bill_pdf())
    assert run_tasks() == 0
    assert port_document_read_sweep() == 0  # too early: its task may still be on its way
    _monday.shift(reading.SWEEP_AFTER + timedelta(minutes=1))
    assert port_document_read_sweep() == 1
    run_tasks()
    document.refresh_from_db()
    assert document.read_status == ReadStatus.READ
    assert port_document_read_sweep() == 0


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_portal_and_api_uploads_are_read(cast: Cast, port: PortRequest, after_commit: Any) -> None:
    upload_file = io.BytesIO(bill_pdf())
    upload_file.name = "bill.pdf"
    with after_commit():
        response = _client(cast.company_admin).post(
            reverse("porting:files", args=[port.pk]),
            {
                "kind": "bill",
                "file": upload_file,
                "bill_statement_date": "2026-12-01",
                "bill_account_name": "Acme Corp",
            },
        )
    assert response.status_code == 302
    bill = PortDocument.objects.get()
    assert bill.read_status == ReadStatus.READ
    secret = api_key_create(actor=Actor(user=cast.company_admin), name="docs").secret
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    upload_file = io.BytesIO(pdf_bytes(text=""))
    upload_file.name = "csr.pdf"
    csr = {
        "account_name": "Acme Corp",
        "street": "1313 Mockingbird Ln",
        "unit": "Ste 15",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
    }
    with after_commit():
        response = api.post(
            f"/api/v1/port-requests/{port.pk}/documents",
            {"kind": "csr", "file": upload_file, "facts": json.dumps(csr)},
        )
    assert response.status_code == 201, response.content
    document = PortDocument.objects.get(kind="csr")
    assert document.read_status in {ReadStatus.READ, ReadStatus.UNREADABLE}
    listing = api.get(f"/api/v1/port-requests/{port.pk}/documents").json()
    shown = {item["kind"]: item for item in listing["items"]}["bill"]
    assert shown["read_status"] == "read" and shown["read_document_type"] == "bill"
    assert shown["read_facts"]["account_number"] == "••••8877"
    assert shown["read_facts"]["statement_date"] == "2026-12-01"
    assert "998877" not in json.dumps(listing)


def test_a_typed_csr_fact_the_document_does_not_show_is_a_finding() -> None:
    """The CSR's typed BTN and account number differ from the request (their own errors)
    and from what was read: the read ones say what was typed is not on the document."""
    from validation_support import run, valid_request

    data = valid_request()
    data["csr"]["btn"] = "+12065550199"
    data["csr"]["account_number"] = "330012345600"
    data["csr"]["read"] = {"btn": "+12065550123", "account_number": "330012345678"}
    found = {(f.code, f.field) for f in run(data)}
    assert found == {
        ("BTN_MISMATCH", "csr.btn"),
        ("ACCOUNT_NUMBER_MISMATCH", "csr.account_number"),
        ("READ_FACT_MISMATCH", "csr.read.btn"),
        ("READ_FACT_MISMATCH", "csr.read.account_number"),
    }
    message = next(f.message for f in run(data) if f.field == "csr.read.account_number")
    assert "330012345600" not in message and "ending in" in message
