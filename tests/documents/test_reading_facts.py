"""Finding facts by label and position (issue 14): each label variant, each date format,
the values that must not parse, and the parsers. The words are read in this process
(``words_job`` directly) to keep the many small cases fast; the sandbox path is
test_reading_extract's."""

from __future__ import annotations

import json

import pytest
from reading_documents import helv, make_pdf, mono

from faxline.documents.reading import facts as facts_module
from faxline.documents.reading import words as words_module
from faxline.documents.reading.extract import Extraction


def read(*rows: object) -> dict[str, object]:
    _meta, payload = words_module.words_job(make_pdf(list(rows)), {})  # type: ignore[arg-type]
    pages = words_module.pages_from_plain(json.loads(payload))
    found = facts_module.find_facts(pages)
    return Extraction("bill", found, pages=len(pages)).as_json()["facts"]  # type: ignore[no-any-return]


def left_right(label: str, value: str) -> dict[str, object]:
    return read(helv(72, 100, label, bold=True), helv(230, 100, value))


@pytest.mark.parametrize(
    "label", ["Account Name:", "Customer Name:", "Bill To:", "Name:", "BUSINESS NAME", "Name"]
)
def test_account_name_labels(label: str) -> None:
    assert left_right(label, "Acme Plumbing LLC")["account_name"] == "Acme Plumbing LLC"


@pytest.mark.parametrize(
    "label",
    [
        "BTN:",
        "BTN",
        "Billing Telephone No.:",
        "Billing Telephone Number",
        "Main Number:",
        "billing telephone no",
    ],
)
def test_btn_labels(label: str) -> None:
    facts = left_right(label, "(212) 555-0143")
    assert facts["btn"] == "+12125550143"
    assert facts["numbers"] == ["+12125550143"]


@pytest.mark.parametrize(
    "label", ["Account Number:", "Acct No.", "Account #", "Account No", "ACCT NO:", "Account #:"]
)
def test_account_number_labels(label: str) -> None:
    assert left_right(label, "8840-2231-77")["account_number"] == "8840-2231-77"


@pytest.mark.parametrize(
    "label", ["Service Address:", "Service Location", "SVC ADDR:", "SERVICE ADDRESS"]
)
def test_service_address_labels(label: str) -> None:
    address = left_right(label, "12 Main St, Springfield, IL 62701")["service_address"]
    assert address == {
        "street": "12 Main St",
        "unit": None,
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
    }


@pytest.mark.parametrize("label", ["Statement Date:", "Bill Date", "Invoice Date:", "BILL DATE:"])
def test_statement_date_labels(label: str) -> None:
    assert left_right(label, "March 1, 2026")["statement_date"] == "2026-03-01"


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("March 1, 2026", "2026-03-01"),
        ("Mar 1 2026", "2026-03-01"),
        ("Sept. 30, 2025", "2025-09-30"),
        ("03/01/2026", "2026-03-01"),
        ("3/1/26", "2026-03-01"),
        ("2026-03-01", "2026-03-01"),
        ("01-MAR-2026", "2026-03-01"),
        ("1 March 2026", "2026-03-01"),
        ("02/30/2026", None),  # no such day: null, not a guess
        ("Smarch 1, 2026", None),
        ("see enclosed", None),
    ],
)
def test_dates(printed: str, iso: str | None) -> None:
    assert facts_module.parse_date(printed) == iso
    assert left_right("Statement Date:", printed)["statement_date"] == iso


@pytest.mark.parametrize("value", ["call us", "555-0143", "(212) 555-014", "(012) 555-0143", "N/A"])
def test_a_btn_that_does_not_parse_is_null(value: str) -> None:
    facts = left_right("BTN:", value)
    assert facts["btn"] is None
    assert facts["numbers"] == []


def test_an_address_without_its_zip_is_null() -> None:
    assert left_right("Service Address:", "12 Main St, Springfield, IL")["service_address"] is None
    assert (
        left_right("Service Address:", "12 Main St, Springfield, ZZ 62701")["service_address"]
        is None
    )


def test_a_canadian_address_keeps_its_province_and_postal_code() -> None:
    address = left_right("Service Address:", "200 Bay St Unit 5, Toronto, ON M5J2J2")[
        "service_address"
    ]
    assert address == {
        "street": "200 Bay St",
        "unit": "Unit 5",
        "city": "Toronto",
        "state": "ON",
        "postal_code": "M5J 2J2",
    }


def test_an_account_number_without_digits_is_null() -> None:
    assert left_right("Account Number:", "see reverse")["account_number"] is None


def test_an_upper_case_dump_with_other_label_variants() -> None:
    facts = read(
        mono(60, "CUSTOMER SERVICE RECORD"),
        mono(80, "ACCOUNT #: 77-1200-3   MAIN NUMBER: 312.555.0160"),
        mono(92, "SERVICE LOCATION: 1 N STATE ST FL 9, CHICAGO, IL 60602"),
        mono(104, "TNS: 312.555.0160 312.555.0161"),
        mono(116, "LINE FEATURES: DISTINCTIVE RING"),
        mono(128, "               REMOTE CALL FORWARDING"),
    )
    assert facts == {
        "account_name": None,
        "service_address": {
            "street": "1 N STATE ST",
            "unit": "FL 9",
            "city": "CHICAGO",
            "state": "IL",
            "postal_code": "60602",
        },
        "btn": "+13125550160",
        "account_number": "77-1200-3",
        "statement_date": None,
        "numbers": ["+13125550160", "+13125550161"],
        "authorized_names": [],
        "line_features": ["distinctive_ring", "remote_call_forwarding"],
    }


def test_a_name_label_inside_other_words_is_not_the_account_name() -> None:
    facts = read(
        helv(72, 100, "Carrier Name: Metro Telephone", bold=True),
        helv(72, 120, "Authorized Names: Maria Lopez"),
    )
    assert facts["account_name"] is None
    assert facts["authorized_names"] == ["Maria Lopez"]


@pytest.mark.parametrize(
    ("phrases", "kind"),
    [
        (["CUSTOMER SERVICE RECORD"], "csr"),
        (["CSR", "ACCT NO: 1234"], "csr"),
        (["Letter of Authorization"], "loa"),
        (["Total Amount Due $12.00"], "bill"),
        (["Monthly Statement"], "bill"),
        (["Meeting notes"], "other"),
    ],
)
def test_document_type(phrases: list[str], kind: str) -> None:
    rows = [helv(72, 100 + 20 * i, phrase) for i, phrase in enumerate(phrases)]
    _meta, payload = words_module.words_job(make_pdf(rows), {})
    assert facts_module.document_type(words_module.pages_from_plain(json.loads(payload))) == kind


def test_as_json_has_exactly_the_issue_keys() -> None:
    out = Extraction(None).as_json()
    assert list(out) == ["document_type", "facts", "pages", "ocr"]
    assert list(out["facts"]) == [
        "account_name",
        "service_address",
        "btn",
        "account_number",
        "statement_date",
        "numbers",
        "authorized_names",
        "line_features",
    ]


def test_features_are_named_by_their_porting_meaning() -> None:
    assert facts_module.features_in("CALL WAITING, MLH, ADSL, RINGMATE") == [
        "hunt_group",
        "dsl",
        "distinctive_ring",
    ]
    assert facts_module.features_in("CALLER ID, VOICE MAIL") == []
