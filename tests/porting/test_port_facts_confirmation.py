"""Confirming what faxline read from a bill or CSR (issue 14): a document uploaded without
facts awaits confirmation and the checks use none of it; the person confirms or corrects
the facts read (portal page with thumbnails, or the API); where each confirmed fact came
from is recorded and shown to the porting desk; bad input changes nothing."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from documents_support import (
    documents_env,  # noqa: F401 (fixture)
    pdf_bytes,
    signing_key_files,  # noqa: F401 (fixture)
)
from porting_support import request_data

from documents.reading_documents import port_bill_pdf as bill_pdf
from documents.reading_documents import port_csr_pdf as csr_pdf
from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.crypto import decrypt_text
from faxline.porting.choices import FactOrigin, FactsState, PortStatus, ReadStatus
from faxline.porting.files.confirmation import facts_compared, port_document_confirm
from faxline.porting.files.services import csr_record, port_document_add
from faxline.porting.models import PortDocument, PortEvent, PortRequest
from faxline.porting.requests import services
from faxline.porting.validation.checks import findings_of

from cast import Cast

pytestmark = pytest.mark.usefixtures("documents_env")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(datetime(2026, 12, 7, 15, tzinfo=UTC)) as traveller:
        yield traveller


@pytest.fixture
def port(cast: Cast) -> PortRequest:
    admin = cast.actor(cast.company_admin)
    return services.port_request_create(actor=admin, company=cast.company, data=request_data())


def add(cast: Cast, port: PortRequest, data: bytes, kind: str = "bill", **facts: Any) -> int:
    actor = cast.actor(cast.company_admin)
    document = port_document_add(
        actor=actor, request=port, kind=kind, filename=f"{kind}.pdf", data=data, facts=facts
    )
    return document.pk


def codes(port: PortRequest) -> dict[str, str]:
    return {f.field: f.code for f in findings_of(port)}


def _api(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="facts").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


BILL_AS_READ = {
    "statement_date": "2026-12-01",
    "account_name": "Acme Corp",
    "service_address": {
        "street": "1313 Mockingbird Lane",
        "unit": "Suite 15",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
    },
}


def test_a_bill_without_facts_awaits_confirmation_then_its_confirmed_facts_are_used(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    with after_commit():
        pk = add(cast, port, bill_pdf())
    document = PortDocument.objects.get(pk=pk)
    assert document.read_status == ReadStatus.READ, document.read_error
    assert document.facts_state == FactsState.AWAITING and document.facts == {}
    found = codes(port)
    # Not "no bill": a bill is there, its facts are not confirmed yet (an error).
    assert found["bill"] == "DOCUMENT_UNCONFIRMED" and "BILL_MISSING" not in found.values()
    assert next(f for f in findings_of(port) if f.field == "bill").severity == "error"
    # A thumbnail of where each fact was read, none of the account number.
    assert document.read_snippets
    api = _api(cast.company_admin)
    shown = api.get(f"/api/v1/port-requests/{port.pk}/documents").json()["items"][0]
    assert shown["facts_state"] == "awaiting"
    assert set(shown["snippet_urls"]) >= {"account_name", "statement_date", "service_address"}
    assert "account_number" not in shown["snippet_urls"]
    png = api.get(shown["snippet_urls"]["account_name"])
    assert png.status_code == 200 and png.content.startswith(PNG_MAGIC)
    assert png["Content-Type"] == "image/png" and "no-store" in png["Cache-Control"]
    # Confirmed as read.
    response = api.post(
        f"/api/v1/port-requests/{port.pk}/documents/{pk}/confirm",
        {"facts": BILL_AS_READ},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["facts_state"] == "confirmed" and body["facts_confirmed_at"]
    assert body["fact_origins"] == {
        "statement_date": "read",
        "account_name": "read",
        "service_address": "read",
    }
    found = codes(port)
    assert "bill" not in found and "BILL_MISSING" not in found.values()
    assert not [c for c in found.values() if c.startswith("READ_") or c.startswith("BILL_")]
    event = PortEvent.objects.filter(request=port, kind="document_facts_confirmed").get()
    assert "3 as read" in event.message


def test_a_corrected_fact_is_recorded_as_corrected_and_still_meets_the_document(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    with after_commit():
        pk = add(cast, port, bill_pdf(date="November 28, 2026"))
    actor = cast.actor(cast.company_admin)
    facts = {**BILL_AS_READ, "statement_date": "2026-11-30"}
    document = port_document_confirm(actor=actor, request=port, document_id=pk, facts=facts)
    assert document.fact_origins["statement_date"] == FactOrigin.CORRECTED
    assert document.fact_origins["account_name"] == FactOrigin.READ
    assert codes(port)["bill.read.statement_date"] == "READ_FACT_MISMATCH"
    lines = {line.key: line for line in facts_compared(document)}
    assert lines["statement_date"].used == "2026-11-30"
    assert lines["statement_date"].read == "2026-11-28"
    assert lines["statement_date"].differs and not lines["account_name"].differs


def test_a_csr_confirmed_without_its_account_number_keeps_the_one_read(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    with after_commit():
        pk = add(cast, port, csr_pdf(), kind="csr")
    document = PortDocument.objects.get(pk=pk)
    assert document.read_status == ReadStatus.READ, document.read_error
    assert codes(port)["csr"] == "DOCUMENT_UNCONFIRMED"
    api = _api(cast.company_admin)
    read = api.get(f"/api/v1/port-requests/{port.pk}/documents").json()["items"][0]["read_facts"]
    assert read["account_number"] == "••••8877"
    facts = {k: read[k] for k in ("account_name", "service_address", "btn", "numbers")}
    facts["authorized_names"] = read["authorized_names"]
    facts["line_features"] = read["line_features"]
    response = api.post(
        f"/api/v1/port-requests/{port.pk}/documents/{pk}/confirm",
        {"facts": facts},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["fact_origins"]["account_number"] == "read"
    assert body["facts"]["record"]["account_number"] == "••••8877"
    assert "998877" not in json.dumps(body)
    document.refresh_from_db()
    assert csr_record(document)["account_number"] == "ACCT-998877"
    assert decrypt_text(document.facts["account_number_encrypted"]) == "ACCT-998877"
    # Left out on purpose: no account number.
    response = api.post(
        f"/api/v1/port-requests/{port.pk}/documents/{pk}/confirm",
        {"facts": facts, "keep_read_account_number": False},
        content_type="application/json",
    )
    assert response.status_code == 200
    document.refresh_from_db()
    assert csr_record(document).get("account_number") is None


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({**BILL_AS_READ, "statement_date": "2027-01-01"}, "statement_date"),
        ({**BILL_AS_READ, "statement_date": "yesterday"}, "statement_date"),
        ({**BILL_AS_READ, "unknown": "x"}, "unknown"),
        ({"account_name": "Acme Corp"}, "statement_date"),
        ({**BILL_AS_READ, "service_address": {"street": "1313 Mockingbird Lane"}}, "city"),
    ],
)
def test_bad_facts_are_refused_naming_the_field_and_nothing_changes(
    cast: Cast, port: PortRequest, after_commit: Any, facts: dict[str, Any], field: str
) -> None:
    with after_commit():
        pk = add(cast, port, bill_pdf())
    response = _api(cast.company_admin).post(
        f"/api/v1/port-requests/{port.pk}/documents/{pk}/confirm",
        {"facts": facts},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    document = PortDocument.objects.get(pk=pk)
    assert document.facts_state == FactsState.AWAITING and document.fact_origins == {}
    assert not PortEvent.objects.filter(kind="document_facts_confirmed").exists()


def test_who_may_confirm_and_see_the_pictures(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    with after_commit():
        pk = add(cast, port, bill_pdf())
    confirm = f"/api/v1/port-requests/{port.pk}/documents/{pk}/confirm"
    picture = f"/api/v1/port-requests/{port.pk}/documents/{pk}/snippets/account_name"
    body = {"facts": BILL_AS_READ}
    outsider = _api(cast.outsider_admin)
    assert outsider.post(confirm, body, content_type="application/json").status_code == 404
    assert outsider.get(picture).status_code == 404
    page = reverse("porting:document_facts", args=[port.pk, pk])
    assert _client(cast.outsider_admin).get(page).status_code == 404
    read_only = _api(cast.read_only_admin)
    assert read_only.get(picture).status_code == 200
    refused = read_only.post(confirm, body, content_type="application/json")
    assert refused.status_code == 403
    html = _client(cast.read_only_admin).get(page).content.decode()
    assert "Confirm facts" not in html and "Acme Corp" in html
    posted = _client(cast.read_only_admin).post(page, {"statement_date": "2026-12-01"})
    assert posted.status_code == 403
    api = _api(cast.company_admin)
    assert api.get(picture.replace("account_name", "account_number")).status_code == 404
    assert api.get(picture.replace("account_name", "../etc")).status_code == 404
    assert PortDocument.objects.get(pk=pk).facts_state == FactsState.AWAITING


def test_what_cannot_be_confirmed(
    cast: Cast, port: PortRequest, django_capture_on_commit_callbacks: Any
) -> None:
    api = _api(cast.company_admin)
    with django_capture_on_commit_callbacks(execute=False):  # not read yet
        pk = add(cast, port, bill_pdf())
    url = f"/api/v1/port-requests/{port.pk}/documents/{pk}/confirm"
    response = api.post(url, {"facts": BILL_AS_READ}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "document_being_read"
    other = add(cast, port, pdf_bytes(), kind="other")
    response = api.post(
        f"/api/v1/port-requests/{port.pk}/documents/{other}/confirm",
        {"facts": {}},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["field"] == "kind"
    newer = add(cast, port, bill_pdf(), statement_date="2026-12-01")
    assert PortDocument.objects.get(pk=newer).facts_state == FactsState.TYPED
    response = api.post(url, {"facts": BILL_AS_READ}, content_type="application/json")
    assert response.status_code == 404  # superseded by the newer bill


def test_the_portal_reads_then_asks_to_confirm_and_the_desk_compares(
    cast: Cast, port: PortRequest, run_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(cast.company_admin)
    upload = io.BytesIO(bill_pdf(name="Acme Widgets"))
    upload.name = "november.pdf"
    files_url = reverse("porting:files", args=[port.pk])
    with django_capture_on_commit_callbacks() as nudges:  # the nudge, sent below
        response = client.post(files_url, {"kind": "bill", "file": upload})
    document = PortDocument.objects.get()
    facts_page = reverse("porting:document_facts", args=[port.pk, document.pk])
    assert response.status_code == 302 and response["Location"] == facts_page
    html = client.get(facts_page).content.decode()
    assert "Waiting to be read" in html and 'hx-trigger="every 1s"' in html
    for nudge in nudges:
        nudge()
    assert run_tasks() == 1
    html = client.get(facts_page).content.decode()
    assert 'value="Acme Widgets"' in html and 'value="2026-12-01"' in html
    assert "Read on page 1" in html and "facts/account_name.png" in html
    thumbnail = client.get(
        reverse("porting:document_snippet", args=[port.pk, document.pk, "account_name"])
    )
    assert thumbnail.status_code == 200 and thumbnail.content.startswith(PNG_MAGIC)
    form = {
        "statement_date": "2026-12-01",
        "account_name": "Acme Corp",  # not what the bill says
        "street": "1313 Mockingbird Lane",
        "unit": "Suite 15",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
    }
    bad = client.post(facts_page, {**form, "postal_code": ""})
    assert bad.status_code == 422 and "postal code" in bad.content.decode()
    done = client.post(facts_page, form)
    assert done.status_code == 302
    assert done["Location"] == reverse("porting:detail", args=[port.pk])
    document.refresh_from_db()
    assert document.fact_origins["account_name"] == FactOrigin.CORRECTED
    files = client.get(reverse("porting:detail", args=[port.pk]) + "?tab=files").content.decode()
    assert "Facts confirmed" in files
    # The porting desk sees submitted requests (the rest of the submission is not the point).
    PortRequest.objects.filter(pk=port.pk).update(status=PortStatus.NEW)
    operator = _client(cast.operator)
    desk = operator.get(reverse("porting:desk_request", args=[port.pk])).content.decode()
    assert 'data-testid="desk-facts-bill"' in desk
    assert "Acme Widgets" in desk and "Corrected" in desk


def test_a_reading_cut_off_again_and_again_is_given_up_and_the_facts_typed(
    cast: Cast, port: PortRequest, django_capture_on_commit_callbacks: Any, _monday: Any
) -> None:
    from datetime import timedelta

    from faxline.porting.files import reading

    with django_capture_on_commit_callbacks(execute=False):
        pk = add(cast, port, bill_pdf())
    # A worker began reading it and stopped mid-read (the row says so, nothing else).
    PortDocument.objects.filter(pk=pk).update(read_started_at=datetime(2026, 12, 7, 15, tzinfo=UTC))
    _monday.shift(reading.SWEEP_AFTER + timedelta(minutes=1))
    assert reading.port_document_read_sweep() == 1  # nudged again: it may still finish
    assert PortDocument.objects.get(pk=pk).read_status == ReadStatus.PENDING
    _monday.shift(reading.GIVE_UP_AFTER)
    assert reading.port_document_read_sweep() == 0
    document = PortDocument.objects.get(pk=pk)
    assert document.read_status == ReadStatus.UNREADABLE
    assert "did not finish" in document.read_error
    html = (
        _client(cast.company_admin)
        .get(reverse("porting:document_facts", args=[port.pk, pk]))
        .content.decode()
    )
    assert "could not read this file" in html and "Type the facts" in html
    typed = port_document_confirm(
        actor=cast.actor(cast.company_admin), request=port, document_id=pk, facts=BILL_AS_READ
    )
    assert set(typed.fact_origins.values()) == {FactOrigin.TYPED}
    assert "bill" not in codes(port)


def test_a_hostile_pdf_is_stopped_by_the_sandbox_and_the_upload_kept(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    """A PDF that passes the upload's checks but whose page would take the reader a
    gigabyte: the read task's sandbox stops it, the document is recorded unreadable with
    the reason, the task returns (the worker goes on), and the person types the facts."""
    from hostile_documents import heavy_text_pdf

    with after_commit():
        pk = add(cast, port, heavy_text_pdf())
    document = PortDocument.objects.get(pk=pk)
    assert document.read_status == ReadStatus.UNREADABLE
    assert "time and memory" in document.read_error
    assert document.read_snippets == "" and document.read_facts == {}
    assert document.facts_state == FactsState.AWAITING
    typed = port_document_confirm(
        actor=cast.actor(cast.company_admin), request=port, document_id=pk, facts=BILL_AS_READ
    )
    assert typed.facts_state == FactsState.CONFIRMED


def test_a_scan_left_unread_without_ocr_is_read_once_ocr_is_installed(
    cast: Cast,
    port: PortRequest,
    after_commit: Any,
    run_tasks: Any,
    monkeypatch: pytest.MonkeyPatch,
    _monday: Any,
) -> None:
    from datetime import timedelta

    from faxline.documents.reading import ocr as ocr_module
    from faxline.porting.files import reading
    from reading_corpus import documents

    scan = next(documents(seed=14, kinds=["scanned"], layouts=["label_left"]))
    monkeypatch.setattr(ocr_module, "available", lambda: False)  # tesseract not installed
    with after_commit():
        pk = add(cast, port, scan.data)
    assert PortDocument.objects.get(pk=pk).read_error == reading.NO_OCR
    _monday.shift(reading.SWEEP_AFTER + timedelta(minutes=1))
    assert reading.port_document_read_sweep() == 0  # still no OCR: nothing to do
    monkeypatch.undo()  # an operator installs it
    assert reading.port_document_read_sweep() == 1
    run_tasks()
    document = PortDocument.objects.get(pk=pk)
    assert document.read_status == ReadStatus.READ and document.read_ocr
    assert document.read_document_type == scan.document_type == "bill"
    assert document.read_facts["account_name"] == scan.truth["account_name"]


def test_the_facts_page_and_the_document_list_cost_the_same_with_many_numbers(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    """What a CSR lists (hundreds of numbers) is data of one row: the pages that show it
    ask the database the same number of queries whatever its size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(numbers: int) -> tuple[int, int]:
        with after_commit():
            pk = add(cast, port, csr_pdf(), kind="csr")
        listed = [f"+1206234{n:04d}" for n in range(numbers)]
        document = PortDocument.objects.get(pk=pk)
        document.read_facts = {**document.read_facts, "numbers": listed}
        document.save(update_fields=["read_facts"])
        client, api = _client(cast.company_admin), _api(cast.company_admin)
        page = reverse("porting:document_facts", args=[port.pk, pk])
        client.get(page)  # the session and the caches warm
        with CaptureQueriesContext(connection) as seen_page:
            assert client.get(page).status_code == 200
        api.get(f"/api/v1/port-requests/{port.pk}/documents")
        with CaptureQueriesContext(connection) as seen_list:
            listing = api.get(f"/api/v1/port-requests/{port.pk}/documents")
        assert listing.status_code == 200
        return len(seen_page), len(seen_list)

    few = cost(2)
    many = cost(400)
    assert few[0] == many[0]
    # The list grows by the superseded CSR only: one row more, not one query more.
    assert few[1] == many[1]


def test_a_list_that_may_miss_numbers_is_not_trusted_to_say_one_is_missing(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    """A bill whose numbers list runs onto a page after the one read lists a number of
    the request nowhere that was read: nobody is told it is not on the bill, and the
    person confirming is told to check the list."""
    from documents.reading_documents import helv, make_pdf

    data = make_pdf(
        [
            helv(72, 130, "Account Name:", bold=True),
            helv(200, 130, "Acme Corp"),
            helv(72, 146, "Statement Date:", bold=True),
            helv(200, 146, "December 1, 2026"),
            helv(72, 170, "Telephone Numbers:", bold=True),
            helv(200, 170, "(206) 234-5600"),
            helv(200, 184, "(206) 234-5601"),
        ],
        [helv(200, 60, "(206) 234-5678"), helv(72, 100, "Page 2 of 2")],
    )
    with after_commit():
        pk = add(cast, port, data, statement_date="2026-12-01")
    document = PortDocument.objects.get(pk=pk)
    assert document.read_facts["incomplete"] == ["numbers"]
    assert "numbers[0].number" not in codes(port)  # +1 206 234 5678 is on page 2
    api = _api(cast.company_admin)
    shown = api.get(f"/api/v1/port-requests/{port.pk}/documents").json()["items"][0]
    assert shown["read_facts"]["incomplete"] == ["numbers"]
    # Said as complete, the same list would make the number missing from the bill.
    read = dict(document.read_facts, incomplete=[])
    PortDocument.objects.filter(pk=pk).update(read_facts=read)
    assert codes(port)["numbers[0].number"] == "READ_NUMBER_NOT_ON_DOCUMENT"


def test_the_csr_facts_page_asks_to_check_a_list_that_may_miss_entries(
    cast: Cast, port: PortRequest, after_commit: Any
) -> None:
    with after_commit():
        pk = add(cast, port, csr_pdf(), kind="csr")
    document = PortDocument.objects.get(pk=pk)
    page = reverse("porting:document_facts", args=[port.pk, pk])
    client = _client(cast.company_admin)
    assert 'data-testid="fact-incomplete"' not in client.get(page).content.decode()
    document.read_facts = dict(document.read_facts, incomplete=["numbers"])
    document.save(update_fields=["read_facts"])
    html = client.get(page).content.decode()
    assert html.count('data-testid="fact-incomplete"') == 1
    assert "check the list against the document" in html
