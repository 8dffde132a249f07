"""Reading a bill or CSR from the outside (issue 14): ``faxline porting extract FILE`` and
``POST /api/v1/porting/extract`` print the same JSON, ``Extraction.as_json()``; unreadable
input is exit 2 with one line (the command) or 422 naming ``file`` (the API)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from documents.reading_documents import METRO_BILL, helv, make_pdf
from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.porting.management.commands.porting import Command
from hostile_documents import heavy_text_pdf

from cast import Cast

FAXLINE = Path(sys.executable).with_name("faxline")
URL = "/api/v1/porting/extract"


EXPECTED: dict[str, Any] = {
    "document_type": "bill",
    "facts": {
        "account_name": "Acme Plumbing LLC",
        "service_address": {
            "street": "125 West 31st Street",
            "unit": "Suite 400",
            "city": "New York",
            "state": "NY",
            "postal_code": "10001",
        },
        "btn": "+12125550143",
        "account_number": "8840-2231-77",
        "statement_date": "2026-03-01",
        "numbers": ["+12125550143", "+12125550144", "+12125550145"],
        "authorized_names": [],
        "line_features": [],
    },
    "pages": 1,
    "ocr": False,
}


@pytest.fixture(scope="module")
def bill_pdf() -> bytes:
    return make_pdf(METRO_BILL)


# --- the command ------------------------------------------------------------------------


def run_command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(Command(), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_a_bill_prints_its_facts(tmp_path: Path, bill_pdf: bytes) -> None:
    path = tmp_path / "bill.pdf"
    path.write_bytes(bill_pdf)
    code, out, err = run_command("extract", str(path))
    assert (code, json.loads(out), err) == (0, EXPECTED, "")


def test_a_pdf_without_text_prints_nulls(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    path.write_bytes(make_pdf([helv(72, 72, "1")]))
    code, out, _ = run_command("extract", str(path))
    assert code == 0
    data = json.loads(out)
    assert data["document_type"] is None and data["pages"] == 1
    assert data["facts"]["account_name"] is None and data["facts"]["numbers"] == []


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pdf"
    code, out, err = run_command("extract", str(missing))
    assert (code, out) == (2, "")
    assert err == f"faxline porting extract: cannot read {missing}: No such file or directory\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Account Number: 123\n", "is not a PDF."),
        (b"", "is empty."),
        (b"%PDF-1.7\n% nothing else\n", ""),
        (heavy_text_pdf(), "within the time and memory"),
    ],
    ids=["not_a_pdf", "empty", "broken_pdf", "hostile_pdf"],
)
def test_unreadable_input_exits_2(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bill.pdf"
    path.write_bytes(content)
    code, out, err = run_command("extract", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"faxline porting extract: {path}") and message in err
    assert err.count("\n") == 1


def test_a_directory_exits_2(tmp_path: Path) -> None:
    code, out, err = run_command("extract", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.startswith(f"faxline porting extract: cannot read {tmp_path}: ")


def faxline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FAXLINE), "porting", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_console_script(tmp_path: Path, bill_pdf: bytes) -> None:
    (tmp_path / "bill.pdf").write_bytes(bill_pdf)
    read = faxline("extract", str(tmp_path / "bill.pdf"))
    assert (read.returncode, json.loads(read.stdout), read.stderr) == (0, EXPECTED, "")
    (tmp_path / "notes.txt").write_text("Account Number: 123\n")
    for path in (tmp_path / "missing.pdf", tmp_path / "notes.txt"):
        refused = faxline("extract", str(path))
        assert (refused.returncode, refused.stdout) == (2, "")
        assert refused.stderr.startswith("faxline porting extract: ")
        assert len(refused.stderr.strip().splitlines()) == 1
        assert "Traceback" not in refused.stderr


# --- the API ----------------------------------------------------------------------------


def api(user: User | None) -> Client:
    if user is None:
        return Client()
    secret = api_key_create(actor=Actor(user=user), name="extract").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def upload(client: Client, data: bytes, name: str = "bill.pdf") -> Any:
    document = io.BytesIO(data)
    document.name = name
    return client.post(URL, {"file": document})


@pytest.mark.parametrize("who", ["company_admin", "operator", "outsider_admin"])
def test_administrators_get_the_facts(cast: Cast, bill_pdf: bytes, who: str) -> None:
    response = upload(api(getattr(cast, who)), bill_pdf)
    assert response.status_code == 200, response.content
    assert response.json() == EXPECTED


@pytest.mark.parametrize(
    ("who", "code"),
    [("billing_user", "no_porting"), ("outsider_user", "no_porting"), ("read_only_admin", "")],
)
def test_who_may_not_upload_gets_403(cast: Cast, bill_pdf: bytes, who: str, code: str) -> None:
    response = upload(api(getattr(cast, who)), bill_pdf)
    assert response.status_code == 403, response.content
    assert code in response.json()["code"]


def test_unauthenticated_is_401(db: None, bill_pdf: bytes) -> None:
    response = upload(api(None), bill_pdf)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"Account Number: 123\n", "document_type"),
        (b"", "document_empty"),
        (b"%PDF-1.7\n% nothing else\n", "document_unreadable"),
        (heavy_text_pdf(), "document_unreadable"),
    ],
    ids=["not_a_pdf", "empty", "broken_pdf", "hostile_pdf"],
)
def test_a_refused_file_is_422_naming_it(cast: Cast, content: bytes, code: str) -> None:
    response = upload(api(cast.company_admin), content, "notes.pdf")
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["field"], body["code"]) == ("file", code)
    assert code == "document_unreadable" or body["message"].startswith("notes.pdf ")


def test_no_file_is_422_naming_it(cast: Cast) -> None:
    response = api(cast.company_admin).post(URL, {"other": "x"})
    assert response.status_code == 422
    assert response.json()["field"] == "file"


@override_settings(FAXLINE_API_MAX_REQUEST_BYTES=1024 * 1024)
def test_an_oversized_body_is_413(cast: Cast) -> None:
    response = upload(api(cast.company_admin), b"%PDF-1.7\n" + b"0" * (1024 * 1024))
    assert response.status_code == 413
    assert (response.json()["code"], response.json()["field"]) == ("request_too_large", "body")


def test_a_document_over_the_limit_is_422(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from faxline.porting.files import extract_api

    monkeypatch.setattr(extract_api, "MAX_DOCUMENT_BYTES", 1000)
    # extract's own limit is the real one: read one byte past ours, it is still refused.
    response = upload(api(cast.company_admin), b"%PDF-1.7\n" + b"0" * 2000)
    assert response.status_code == 422
    assert response.json()["field"] == "file"


def test_a_retry_with_the_same_key_replays(cast: Cast, bill_pdf: bytes) -> None:
    client = api(cast.company_admin)
    headers = {"HTTP_IDEMPOTENCY_KEY": "extract-1"}
    first = client.post(URL, {"file": _named(bill_pdf)}, **headers)
    again = client.post(URL, {"file": _named(bill_pdf)}, **headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() == EXPECTED
    assert again["Idempotent-Replayed"] == "true"


def _named(data: bytes) -> io.BytesIO:
    document = io.BytesIO(data)
    document.name = "bill.pdf"
    return document


def test_documented_in_openapi(cast: Cast) -> None:
    schema = api(cast.company_admin).get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["post"]
    assert operation["tags"] == ["Number Porting"]
    assert "document_empty" in operation["description"]
    assert {"200", "401", "403", "413", "422"} <= set(operation["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])


def test_the_readme_example_bill_reads_as_the_readme_says() -> None:
    """README: ``faxline porting extract docs/examples/lumen-bill.pdf`` prints the facts of
    the bill of ``docs/examples/port-request-valid.json``."""
    root = Path(__file__).resolve().parents[2] / "docs" / "examples"
    code, out, err = run_command("extract", str(root / "lumen-bill.pdf"))
    assert (code, err) == (0, "")
    facts = json.loads(out)["facts"]
    request = json.loads((root / "port-request-valid.json").read_text())
    assert facts["account_name"] == request["bill"]["account_name"]
    assert facts["statement_date"] == request["bill"]["statement_date"]
    assert facts["account_number"] == request["account_number"]
    assert facts["btn"] == request["btn"]
    assert facts["numbers"] == ["+12065550123", "+12065550124"]
    assert facts["service_address"]["postal_code"] == "98121"
