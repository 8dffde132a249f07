"""One row per finding code: the valid request plus one change yields exactly that finding,
and the valid request yields none, so every rule is shown to fire and not to misfire."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from validation_support import (
    EXAMPLES,
    TORONTO,
    add_number,
    address,
    run,
    set_all_addresses,
    valid_request,
)

from faxline.porting.validation import CODES

Change = Callable[[dict[str, Any]], None]


def put(path: str, value: Any) -> Change:
    """A change setting ``a.b.c`` (list indexes as numbers: ``numbers.1.line_type``)."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return change


def both(*changes: Change) -> Change:
    def change(data: dict[str, Any]) -> None:
        for c in changes:
            c(data)

    return change


def added(number: str, line_type: str = "landline", *, on_csr: bool = True) -> Change:
    def change(data: dict[str, Any]) -> None:
        if on_csr:
            add_number(data, number, line_type)
        else:
            data["numbers"].append({"number": number, "line_type": line_type})

    return change


def addresses(value: dict[str, Any]) -> Change:
    return lambda data: set_all_addresses(data, value)


def nothing(data: dict[str, Any]) -> None:
    """No change to the request: the context makes the difference."""


# (code, field, change, context)
ROWS: list[tuple[str, str, Change, dict[str, Any]]] = [
    ("NUMBER_INVALID", "numbers[2].number", added("+1206555012"), {}),
    ("NUMBER_INVALID", "numbers[2].number", added("fax line"), {}),
    ("NUMBER_INVALID", "numbers[2].number", added("+442071234567"), {}),
    ("NUMBER_INVALID", "numbers[2].number", added("+19005551234"), {}),
    ("NUMBER_DUPLICATE", "numbers[2].number", added("(206) 555-0124", on_csr=False), {}),
    ("NUMBER_DUPLICATE", "numbers[1].number", nothing, {"in_service": {"+12065550124"}}),
    (
        "NUMBER_DUPLICATE",
        "numbers[0].number",
        nothing,
        {"open_requests": {"+12065550123"}},
    ),
    ("MIXED_COUNTRIES", "numbers[2].number", added("+14165550123"), {}),
    ("MIXED_COUNTRIES", "service_address.country", addresses(TORONTO), {}),
    ("TOLL_FREE_MIXED", "numbers[2].number", added("+18005550199"), {}),
    ("BTN_MISSING", "btn", put("btn", None), {}),
    ("BTN_MISSING", "btn", put("btn", "  "), {}),
    ("BTN_INVALID", "btn", put("btn", "+1206555"), {}),
    ("BTN_INVALID", "new_btn", put("new_btn", "555-0100"), {}),
    ("NEW_BTN_REQUIRED", "new_btn", put("port_type", "partial"), {}),
    ("NEW_BTN_REQUIRED", "new_btn", put("new_btn", "+12065550124"), {}),
    ("ACCOUNT_NUMBER_MISSING", "account_number", put("account_number", None), {}),
    ("ACCOUNT_NUMBER_MISSING", "account_number", put("account_number", ""), {}),
    ("PIN_REQUIRED", "pin", put("numbers.1.line_type", "wireless"), {}),
    ("GOOGLE_VOICE_UNLOCK", "losing_carrier", put("losing_carrier", "Google Voice"), {}),
    ("GOOGLE_VOICE_UNLOCK", "losing_carrier", put("losing_carrier", "google"), {}),
    ("AUTHORIZED_PERSON_MISSING", "authorized_person", put("authorized_person", None), {}),
    ("AUTHORIZED_PERSON_MISSING", "authorized_person.name", put("authorized_person.name", ""), {}),
    (
        "AUTHORIZED_PERSON_MISSING",
        "authorized_person.name",
        put("authorized_person.name", "Jane"),
        {},
    ),
    ("PO_BOX", "service_address.street", addresses(address(street="P.O. Box 4410", unit=None)), {}),
    ("PO_BOX", "service_address.unit", addresses(address(unit="PMB 12")), {}),
    (
        "POSTAL_CODE_INVALID",
        "service_address.postal_code",
        addresses(address(postal_code="9810")),
        {},
    ),
    (
        "POSTAL_CODE_INVALID",
        "service_address.postal_code",
        addresses(address(postal_code="M5X 1A9")),
        {},
    ),
    (
        "POSTAL_CODE_INVALID",
        "service_address.postal_code",
        both(
            addresses(TORONTO | {"postal_code": "V6B 1A1"}),
            put("numbers.0.number", "+14165550123"),
            put("numbers.1.number", "+14165550124"),
            put("btn", "+14165550123"),
            put("csr.btn", "+14165550123"),
            put("csr.numbers", ["+14165550123", "+14165550124"]),
        ),
        {},
    ),
    ("LOA_MISSING", "loa", put("loa", None), {}),
    ("LOA_EXPIRED", "loa.signed_on", put("loa.signed_on", "2025-05-30"), {}),
    ("LOA_FUTURE_DATED", "loa.signed_on", put("loa.signed_on", "2025-07-01"), {}),
    ("LOA_SIGNER_MISMATCH", "loa.signer_name", put("loa.signer_name", "John Doe"), {}),
    ("BILL_MISSING", "bill", put("bill", None), {}),
    ("BILL_STALE", "bill.statement_date", put("bill.statement_date", "2025-05-30"), {}),
    ("CSR_MISSING", "csr", put("csr", None), {}),
    (
        "DOCUMENT_UNCONFIRMED",
        "csr",
        both(put("csr", None), put("unconfirmed", ["csr"])),
        {},
    ),
    ("NAME_MISMATCH", "csr.account_name", put("csr.account_name", "Pine Street Medical LLC"), {}),
    (
        "ADDRESS_MISMATCH",
        "csr.service_address.street",
        put("csr.service_address.street", "502 Pine Street"),
        {},
    ),
    ("ADDRESS_MISMATCH", "csr.service_address.city", put("csr.service_address.city", "Tacoma"), {}),
    (
        "POSTAL_CODE_MISMATCH",
        "csr.service_address.postal_code",
        put("csr.service_address.postal_code", "98102"),
        {},
    ),
    ("BTN_MISMATCH", "csr.btn", put("csr.btn", "+12065550100"), {}),
    (
        "ACCOUNT_NUMBER_MISMATCH",
        "csr.account_number",
        put("csr.account_number", "330012345679"),
        {},
    ),
    (
        "AUTHORIZED_PERSON_MISMATCH",
        "csr.authorized_names",
        put("csr.authorized_names", ["John Roe", "Mary Major"]),
        {},
    ),
    ("NUMBER_NOT_ON_ACCOUNT", "numbers[1].number", put("csr.numbers", ["+12065550123"]), {}),
    (
        "FULL_PORT_NUMBERS_LEFT_OUT",
        "csr.numbers",
        put("csr.numbers", ["+12065550123", "+12065550124", "+12065550125"]),
        {},
    ),
    (
        "BILL_NAME_MISMATCH",
        "bill.account_name",
        put("bill.account_name", "Pine Street Clinic Inc"),
        {},
    ),
    (
        "BILL_ADDRESS_MISMATCH",
        "bill.service_address.unit",
        put("bill.service_address.unit", "Suite 211"),
        {},
    ),
    ("LINE_FEATURE_RISK", "csr.line_features[0]", put("csr.line_features", ["hunt_group"]), {}),
    ("SHARED_LINE", "shared_line_uses", put("shared_line_uses", ["alarm"]), {}),
    # What was read from the documents' files (issue 14).
    (
        "READ_FACT_MISMATCH",
        "bill.read.statement_date",
        put("bill.read", {"statement_date": "2025-06-04"}),
        {},
    ),
    (
        "READ_REQUEST_MISMATCH",
        "csr.read.account_number",
        put("csr.read", {"account_number": "330012345670"}),
        {},
    ),
    (
        "READ_DOCUMENT_TYPE",
        "csr.read.document_type",
        put("csr.read", {"document_type": "bill"}),
        {},
    ),
    (
        "READ_DOCUMENT_TYPE",
        "bill.read.document_type",
        put("bill.read", {"document_type": "other"}),
        {},
    ),
    (
        "READ_BILL_STALE",
        "bill.read.statement_date",
        put("bill.read", {"statement_date": "2025-05-01", "document_type": "bill"}),
        {},
    ),
    (
        "READ_REQUEST_MISMATCH",
        "bill.read.account_number",
        put("bill.read", {"account_number": "330012345670"}),
        {},
    ),
    ("READ_REQUEST_MISMATCH", "bill.read.btn", put("bill.read", {"btn": "(206) 555-0199"}), {}),
    (
        "READ_REQUEST_MISMATCH",
        "csr.read.account_name",
        put("csr.read", {"account_name": "Pine Street Dental LLC"}),
        {},
    ),
    (
        "READ_REQUEST_MISMATCH",
        "bill.read.service_address",
        put(
            "bill.read",
            {
                "service_address": {
                    "street": "510 Pine St",
                    "unit": "Ste 210",
                    "city": "Seattle",
                    "state": "WA",
                    "postal_code": "98101",
                }
            },
        ),
        {},
    ),
    (
        "READ_NUMBER_NOT_ON_DOCUMENT",
        "numbers[1].number",
        put("csr.read", {"numbers": ["+12065550123"]}),
        {},
    ),
    (
        "READ_NUMBERS_LEFT_OUT",
        "bill.read.numbers",
        put("bill.read", {"numbers": ["+12065550123", "+12065550124", "+12065550125"]}),
        {},
    ),
]


def test_the_valid_request_has_no_findings() -> None:
    assert run(valid_request()) == []


@pytest.mark.parametrize(
    ("code", "field", "change", "context"),
    ROWS,
    ids=[f"{row[0]}-{row[1]}-{i}" for i, row in enumerate(ROWS)],
)
def test_one_change_one_finding(
    code: str, field: str, change: Change, context: dict[str, Any]
) -> None:
    data = valid_request()
    change(data)
    findings = run(data, **context)
    assert [(f.code, f.field) for f in findings] == [(code, field)], findings
    assert findings[0].severity == CODES[code].severity
    assert findings[0].message.strip()


def test_every_code_has_a_row_and_codes_are_as_documented() -> None:
    assert {row[0] for row in ROWS} == set(CODES)
    warnings = {code for code, info in CODES.items() if info.severity == "warning"}
    assert warnings == {
        "GOOGLE_VOICE_UNLOCK",
        "CSR_MISSING",
        "LINE_FEATURE_RISK",
        "SHARED_LINE",
        "READ_FACT_MISMATCH",
        "READ_DOCUMENT_TYPE",
        "READ_BILL_STALE",
        "READ_REQUEST_MISMATCH",
        "READ_NUMBER_NOT_ON_DOCUMENT",
        "READ_NUMBERS_LEFT_OUT",
    }


# Changes a careful clerk accepts: none of them may produce a finding.
NEAR_MISSES: list[tuple[str, Change]] = [
    ("LOA signed exactly 30 days before", put("loa.signed_on", "2025-05-31")),
    ("LOA signed on as_of", put("loa.signed_on", "2025-06-30")),
    ("bill exactly 30 days old", put("bill.statement_date", "2025-05-31")),
    ("wireless with a PIN", both(put("numbers.1.line_type", "wireless"), put("pin", "4321"))),
    (
        "partial port with a new BTN",
        both(put("port_type", "partial"), put("new_btn", "+12065550100")),
    ),
    (
        "partial port whose BTN stays",
        both(
            put("port_type", "partial"),
            put("btn", "+12065550100"),
            put("csr.btn", "+12065550100"),
        ),
    ),
    ("Google Fiber is not Google Voice", put("losing_carrier", "Google Fiber")),
    ("signer with middle initial", put("loa.signer_name", "Jane Q. Doe")),
    ("CSR lists the person surname first", put("csr.authorized_names", ["DOE, JANE", "Roe, Rick"])),
    ("CSR name spelled out", put("csr.account_name", "The Pine Street Clinic, L.L.C.")),
    (
        "bill name other case",
        put("bill.account_name", "PINE STREET CLINIC LIMITED LIABILITY COMPANY"),
    ),
    (
        "CSR address abbreviated, unit in street line",
        put("csr.service_address", address(street="500 PINE ST STE 210", unit=None)),
    ),
    ("CSR ZIP+4", put("csr.service_address.postal_code", "98101-2233")),
    ("CSR state by name", put("csr.service_address.state", "Washington")),
    ("BTN and numbers written nationally", put("csr.btn", "(206) 555-0123")),
    ("account number with spaces", put("csr.account_number", "3300 1234 5678")),
    (
        "partial port: the CSR lists a number that stays",
        both(
            put("numbers", [{"number": "+12065550123", "line_type": "landline"}]),
            put("port_type", "partial"),
            put("btn", "+12065550124"),
            put("csr.btn", "+12065550124"),
        ),
    ),
    (
        "Canadian request",
        both(
            addresses(TORONTO),
            put("numbers.0.number", "+14165550123"),
            put("numbers.1.number", "+14165550124"),
            put("btn", "+14165550123"),
            put("csr.btn", "+14165550123"),
            put("csr.numbers", ["+14165550123", "+14165550124"]),
            put("csr.service_address.postal_code", "m5x1a9"),
            put("csr.service_address.street", "200-100 King Street West"),
            put("csr.service_address.unit", None),
        ),
    ),
    (
        "toll-free only",
        both(
            put("numbers", [{"number": "+18005550199", "line_type": "toll_free"}]),
            put("btn", "+18005550199"),
            put("csr.btn", "+18005550199"),
            put("csr.numbers", ["+18005550199"]),
        ),
    ),
    ("no shared line", put("shared_line_uses", [])),
    (
        "documents read as typed, in other spellings",
        both(
            put(
                "bill.read",
                {
                    "document_type": "bill",
                    "statement_date": "2025-06-05",
                    "account_name": "PINE STREET CLINIC, L.L.C.",
                    "btn": "206-555-0123",
                    "account_number": "3300-1234-5678",
                    "service_address": {
                        "street": "500 PINE ST STE 210",
                        "city": "SEATTLE",
                        "state": "WA",
                        "postal_code": "98101-2233",
                    },
                    "numbers": ["(206) 555-0123", "206.555.0124"],
                },
            ),
            put("csr.read", {"document_type": "csr", "btn": "+12065550123"}),
        ),
    ),
    ("nothing found on the documents", both(put("bill.read", {}), put("csr.read", {}))),
    (
        "an incomplete address read is not compared",
        put("bill.read", {"service_address": {"street": "9 Elm St", "city": None}}),
    ),
]


@pytest.mark.parametrize(("name", "change"), NEAR_MISSES, ids=[n for n, _ in NEAR_MISSES])
def test_near_misses_are_not_findings(name: str, change: Change) -> None:
    data = valid_request()
    change(data)
    assert run(data) == []


def test_context_numbers_elsewhere_do_not_matter() -> None:
    assert run(valid_request(), open_requests={"+12065550999"}, in_service={"+12065550998"}) == []


def test_each_problem_is_its_own_finding() -> None:
    data = valid_request()
    for bad in ("+1206555012", "+1206", "+19005551234"):
        data["numbers"].append({"number": bad, "line_type": "landline"})
    findings = run(data)
    assert [(f.code, f.field) for f in findings] == [
        ("NUMBER_INVALID", "numbers[2].number"),
        ("NUMBER_INVALID", "numbers[3].number"),
        ("NUMBER_INVALID", "numbers[4].number"),
    ]


def test_order_follows_the_request_then_the_code() -> None:
    data = json.loads((EXAMPLES / "port-request-mismatches.json").read_text())
    findings = run(data)
    assert [(f.field, f.code) for f in findings] == [
        ("numbers[2].number", "NUMBER_NOT_ON_ACCOUNT"),
        ("new_btn", "NEW_BTN_REQUIRED"),
        ("pin", "PIN_REQUIRED"),
        ("loa.signer_name", "LOA_SIGNER_MISMATCH"),
        ("loa.signed_on", "LOA_EXPIRED"),
        ("bill.statement_date", "BILL_STALE"),
        ("csr.account_name", "NAME_MISMATCH"),
        ("csr.service_address.street", "ADDRESS_MISMATCH"),
        ("csr.service_address.postal_code", "POSTAL_CODE_MISMATCH"),
        ("csr.btn", "BTN_MISMATCH"),
        ("csr.account_number", "ACCOUNT_NUMBER_MISMATCH"),
        ("csr.authorized_names", "AUTHORIZED_PERSON_MISMATCH"),
        ("csr.line_features[0]", "LINE_FEATURE_RISK"),
        ("shared_line_uses", "SHARED_LINE"),
    ]
    assert run(data) == findings  # deterministic


def test_same_field_sorted_by_code() -> None:
    data = valid_request()
    data["numbers"].append({"number": "+14165550123", "line_type": "landline"})
    findings = run(data, in_service={"+14165550123"})
    assert [(f.field, f.code) for f in findings] == [
        ("numbers[2].number", "MIXED_COUNTRIES"),
        ("numbers[2].number", "NUMBER_DUPLICATE"),
        ("numbers[2].number", "NUMBER_NOT_ON_ACCOUNT"),
    ]


def test_the_documented_valid_example_is_valid() -> None:
    data = json.loads((EXAMPLES / "port-request-valid.json").read_text())
    assert run(data) == []


def test_messages_name_the_values_and_never_the_secrets() -> None:
    data = json.loads((EXAMPLES / "port-request-mismatches.json").read_text())
    data["pin"] = "908172"
    messages = " ".join(f.message for f in run(data))
    assert "908172" not in messages
    for secret in ("4472-1190-3386", "447211903386", "447211903385"):
        assert secret not in messages
    assert "CSR: ending in 3385, request: ending in 3386" in messages
    assert "CSR: 'Acme Dental Holdings Inc', request: 'Acme Dental Group LLC'" in messages
    assert "Robert Chen" in messages and "Bob Chen" in messages


def test_short_account_numbers_show_fewer_digits() -> None:
    data = valid_request()
    data["account_number"] = "123456"
    data["csr"]["account_number"] = "123499"
    (finding,) = run(data)
    assert "ending in 56" in finding.message and "ending in 99" in finding.message
    assert "123456" not in finding.message


def test_same_last_digits_say_the_difference_is_hidden() -> None:
    data = valid_request()
    data["csr"]["account_number"] = "990012345678"
    (finding,) = run(data)
    assert "digits not shown" in finding.message


ACTIONS = (
    *("enter", "add", "remove", "contact", "use ", "have ", "ask", "move", "unlock"),
    *("put ", "check", "correct", "choose", "make ", "keep ", "arrange"),
)


@pytest.mark.parametrize(
    ("code", "field", "change", "context"),
    ROWS,
    ids=[f"{row[0]}-{row[1]}-{i}" for i, row in enumerate(ROWS)],
)
def test_every_message_says_what_to_do(
    code: str, field: str, change: Change, context: dict[str, Any]
) -> None:
    data = valid_request()
    change(data)
    (finding,) = run(data, **context)
    assert any(action in finding.message.lower() for action in ACTIONS), finding.message
