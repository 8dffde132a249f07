"""The validator's rules on documents not confirmed yet, full ports that leave numbers out
and what was read from a document beyond its typed facts (line features, authorized names):
each fires with its code, field and severity, and stays silent in the near miss."""

from __future__ import annotations

from typing import Any

import pytest
from porting_support import ready_request
from pydantic import ValidationError
from validation_support import run, valid_request

from faxline.porting.choices import DocumentKind, ReadStatus
from faxline.porting.validation import CODES, parse_request
from faxline.porting.validation.checks import findings_of, read_input, validation_input

from cast import Cast


def found(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(f.code, f.field, f.severity) for f in run(data)]


# ---- DOCUMENT_UNCONFIRMED


@pytest.mark.parametrize(("kind", "instead"), [("bill", "BILL_MISSING"), ("csr", "CSR_MISSING")])
def test_an_unconfirmed_document_is_an_error_instead_of_a_missing_one(
    kind: str, instead: str
) -> None:
    data = valid_request()
    data[kind] = None
    assert [f.code for f in run(data)] == [instead]
    data["unconfirmed"] = [kind]
    (finding,) = run(data)
    assert (finding.code, finding.field, finding.severity) == (
        "DOCUMENT_UNCONFIRMED",
        kind,
        "error",
    )
    assert "Files tab" in finding.message and "confirm" in finding.message
    assert ("the CSR" if kind == "csr" else "the bill") in finding.message


def test_both_documents_unconfirmed_are_two_findings() -> None:
    data = valid_request() | {"bill": None, "csr": None, "unconfirmed": ["csr", "bill"]}
    assert found(data) == [
        ("DOCUMENT_UNCONFIRMED", "bill", "error"),
        ("DOCUMENT_UNCONFIRMED", "csr", "error"),
    ]


def test_unconfirmed_with_the_documents_facts_given_says_nothing() -> None:
    data = valid_request() | {"unconfirmed": ["bill", "csr"]}
    assert run(data) == []


def test_unconfirmed_defaults_to_empty_and_takes_only_the_two_documents() -> None:
    assert parse_request(valid_request()).unconfirmed == []
    for wrong in (["loa"], ["bill", "csr", "bill"], "bill"):
        with pytest.raises(ValidationError):
            parse_request(valid_request() | {"unconfirmed": wrong})


# ---- FULL_PORT_NUMBERS_LEFT_OUT


def test_a_full_port_leaving_out_a_csr_number_is_one_error_at_the_csr_numbers() -> None:
    data = valid_request()
    data["csr"]["numbers"].append("(206) 555-0125")
    (finding,) = run(data)
    assert (finding.code, finding.field, finding.severity) == (
        "FULL_PORT_NUMBERS_LEFT_OUT",
        "csr.numbers",
        "error",
    )
    assert "+1 206-555-0125" in finding.message and "more" not in finding.message
    assert "partial port" in finding.message and "add them" in finding.message


def test_the_message_shows_five_numbers_and_counts_the_rest() -> None:
    data = valid_request()
    extra = [f"+1206555013{d}" for d in range(8)]
    data["csr"]["numbers"] += [*extra, extra[0]]  # a number listed twice counts once
    (finding,) = run(data)
    assert finding.code == "FULL_PORT_NUMBERS_LEFT_OUT"
    for d in range(5):
        assert f"+1 206-555-013{d}" in finding.message
    assert "+1 206-555-0135" not in finding.message
    assert "and 3 more" in finding.message


def test_the_csr_numbers_in_other_spellings_are_not_left_out() -> None:
    data = valid_request()
    data["csr"]["numbers"] = ["(206) 555-0123", "206.555.0124", "+1 206 555 0123"]
    assert run(data) == []


def test_a_partial_port_may_leave_csr_numbers_out() -> None:
    data = valid_request() | {"port_type": "partial", "new_btn": "+12065550125"}
    data["csr"]["numbers"].append("+12065550125")
    assert run(data) == []
    data["port_type"] = "full"
    data["new_btn"] = None
    assert [f.code for f in run(data)] == ["FULL_PORT_NUMBERS_LEFT_OUT"]


# ---- READ_NUMBERS_LEFT_OUT


def test_numbers_read_that_a_full_port_leaves_out_are_one_warning_per_document() -> None:
    data = valid_request()
    data["bill"]["read"] = {"numbers": ["+12065550123", "+12065550124", "(206) 555-0140"]}
    data["csr"]["read"] = {"numbers": ["+12065550123", "+12065550124", "+12065550141"]}
    findings = run(data)
    assert [(f.code, f.field, f.severity) for f in findings] == [
        ("READ_NUMBERS_LEFT_OUT", "bill.read.numbers", "warning"),
        ("READ_NUMBERS_LEFT_OUT", "csr.read.numbers", "warning"),
    ]
    assert "+1 206-555-0140" in findings[0].message and "bill" in findings[0].message
    assert "+1 206-555-0141" in findings[1].message and "(CSR)" in findings[1].message
    assert "partial port" in findings[0].message


def test_numbers_the_typed_csr_leaves_out_are_not_repeated_from_the_reading() -> None:
    data = valid_request()
    data["csr"]["numbers"].append("+12065550125")
    data["csr"]["read"] = {"numbers": ["+12065550123", "+12065550124", "+12065550125"]}
    assert found(data) == [("FULL_PORT_NUMBERS_LEFT_OUT", "csr.numbers", "error")]
    data["csr"]["read"]["numbers"].append("+12065550126")
    findings = run(data)
    assert [(f.code, f.field) for f in findings] == [
        ("FULL_PORT_NUMBERS_LEFT_OUT", "csr.numbers"),
        ("READ_NUMBERS_LEFT_OUT", "csr.read.numbers"),
    ]
    assert "+1 206-555-0126" in findings[1].message
    assert "+1 206-555-0125" not in findings[1].message


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"port_type": "partial", "new_btn": "+12065550140"}, id="partial port"),
        pytest.param({"document_type": "other"}, id="the bill reads as another document"),
        pytest.param({"numbers": ["206-555-0124", "206-555-0123"]}, id="all read are ported"),
    ],
)
def test_numbers_read_near_misses(change: dict[str, Any]) -> None:
    data = valid_request()
    data["bill"]["read"] = {"numbers": ["+12065550123", "+12065550124", "+12065550140"]}
    if "port_type" in change:
        data.update(change)
    else:
        data["bill"]["read"].update(change)
    codes = [f.code for f in run(data)]
    assert "READ_NUMBERS_LEFT_OUT" not in codes
    assert codes in ([], ["READ_DOCUMENT_TYPE"])


# ---- line features read


def test_a_line_feature_read_and_not_typed_is_a_risk_at_the_reading() -> None:
    data = valid_request()
    data["bill"]["read"] = {"line_features": ["dsl", "dsl", "hunt_group"]}
    findings = run(data)
    assert [(f.code, f.field, f.severity) for f in findings] == [
        ("LINE_FEATURE_RISK", "bill.read.line_features[0]", "warning"),
        ("LINE_FEATURE_RISK", "bill.read.line_features[2]", "warning"),
    ]
    assert findings[0].message.startswith("The bill, as faxline read it, shows DSL")
    assert "hunt group" in findings[1].message


def test_a_feature_read_from_both_documents_is_reported_once() -> None:
    data = valid_request()
    data["bill"]["read"] = {"line_features": ["isdn"]}
    data["csr"]["read"] = {"line_features": ["isdn", "distinctive_ring"]}
    assert found(data) == [
        ("LINE_FEATURE_RISK", "bill.read.line_features[0]", "warning"),
        ("LINE_FEATURE_RISK", "csr.read.line_features[1]", "warning"),
    ]


def test_a_feature_read_with_no_csr_typed_is_a_risk() -> None:
    data = valid_request() | {"csr": None}
    data["bill"]["read"] = {"line_features": ["remote_call_forwarding"]}
    assert found(data) == [
        ("LINE_FEATURE_RISK", "bill.read.line_features[0]", "warning"),
        ("CSR_MISSING", "csr", "warning"),
    ]


def test_a_feature_already_typed_on_the_csr_is_not_repeated() -> None:
    data = valid_request()
    data["csr"]["line_features"] = ["dsl"]
    data["csr"]["read"] = {"line_features": ["dsl"]}
    data["bill"]["read"] = {"line_features": ["dsl"]}
    assert found(data) == [("LINE_FEATURE_RISK", "csr.line_features[0]", "warning")]


def test_features_of_a_document_read_as_another_kind_are_not_used() -> None:
    data = valid_request()
    data["csr"]["read"] = {"document_type": "bill", "line_features": ["dsl"]}
    assert [f.code for f in run(data)] == ["READ_DOCUMENT_TYPE"]


def test_a_read_feature_must_be_one_the_validator_knows() -> None:
    data = valid_request()
    data["bill"]["read"] = {"line_features": ["voicemail"]}
    with pytest.raises(ValidationError):
        parse_request(data)


# ---- authorized names read


def test_the_authorized_person_not_among_the_names_read_is_a_request_mismatch() -> None:
    data = valid_request()
    data["csr"]["authorized_names"] = []
    data["csr"]["read"] = {"authorized_names": ["John Roe", "Mary Major"]}
    (finding,) = run(data)
    assert (finding.code, finding.field, finding.severity) == (
        "READ_REQUEST_MISMATCH",
        "csr.read.authorized_names",
        "warning",
    )
    assert "'Jane Doe'" in finding.message
    assert "'John Roe', 'Mary Major'" in finding.message
    assert "(CSR)" in finding.message


def test_the_names_read_from_the_bill_count_when_there_is_no_csr() -> None:
    data = valid_request() | {"csr": None}
    data["bill"]["read"] = {"authorized_names": ["John Roe"]}
    assert found(data) == [
        ("READ_REQUEST_MISMATCH", "bill.read.authorized_names", "warning"),
        ("CSR_MISSING", "csr", "warning"),
    ]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        pytest.param([], ["DOE, JANE", "Roe, Rick"], id="person among the names read"),
        pytest.param([], ["Jane Q. Doe"], id="person with a middle initial"),
        pytest.param(["Jane Doe"], ["John Roe"], id="the typed CSR lists names"),
        pytest.param([], [" "], id="only blank names read"),
    ],
)
def test_names_read_near_misses(typed: list[str], read: list[str]) -> None:
    data = valid_request()
    data["csr"]["authorized_names"] = typed
    data["csr"]["read"] = {"authorized_names": read}
    assert run(data) == []


def test_names_read_are_not_compared_without_a_full_name() -> None:
    data = valid_request()
    data["authorized_person"] = {"name": "Jane", "title": None}
    data["csr"]["authorized_names"] = []
    data["csr"]["read"] = {"authorized_names": ["John Roe"]}
    assert [f.code for f in run(data)] == ["AUTHORIZED_PERSON_MISSING"]


# ---- together


def test_the_new_findings_follow_the_request_order() -> None:
    data = valid_request()
    data["csr"]["numbers"].append("+12065550125")
    data["csr"]["authorized_names"] = []
    data["csr"]["line_features"] = ["hunt_group"]
    data["csr"]["read"] = {
        "numbers": ["+12065550126"],
        "authorized_names": ["John Roe"],
        "line_features": ["dsl"],
    }
    assert [(f.field, f.code) for f in run(data)] == [
        ("numbers[0].number", "READ_NUMBER_NOT_ON_DOCUMENT"),
        ("numbers[1].number", "READ_NUMBER_NOT_ON_DOCUMENT"),
        ("csr.numbers", "FULL_PORT_NUMBERS_LEFT_OUT"),
        ("csr.line_features[0]", "LINE_FEATURE_RISK"),
        ("csr.read.numbers", "READ_NUMBERS_LEFT_OUT"),
        ("csr.read.authorized_names", "READ_REQUEST_MISMATCH"),
        ("csr.read.line_features[0]", "LINE_FEATURE_RISK"),
    ]


def test_the_new_codes_are_in_the_table_with_their_severity() -> None:
    assert CODES["DOCUMENT_UNCONFIRMED"].severity == "error"
    assert CODES["FULL_PORT_NUMBERS_LEFT_OUT"].severity == "error"
    assert CODES["READ_NUMBERS_LEFT_OUT"].severity == "warning"


# ---- the stored request's reading (checks.read_input)


def test_the_names_and_known_features_read_reach_the_validator(cast: Cast) -> None:
    port = ready_request(cast.actor(cast.company_admin), cast.company)
    bill = port.documents.get(kind=DocumentKind.BILL)
    bill.read_status = ReadStatus.READ
    bill.read_document_type = "bill"
    bill.read_facts = {
        "authorized_names": ["Carol Chief", "x" * 301],
        "line_features": ["voicemail", "dsl", "dsl", "isdn"],
        "numbers": ["+12062345678"],
    }
    bill.save()
    read = read_input(bill)
    assert read is not None
    assert read["authorized_names"] == ["Carol Chief"]
    assert read["line_features"] == ["dsl", "isdn"]
    data = validation_input(port)
    assert data["unconfirmed"] == [] and parse_request(data).unconfirmed == []
    risks = [(f.code, f.field) for f in findings_of(port) if f.field.startswith("bill.read")]
    assert risks == [
        ("LINE_FEATURE_RISK", "bill.read.line_features[0]"),
        ("LINE_FEATURE_RISK", "bill.read.line_features[1]"),
    ]
