"""The request shape: strict (unknown fields refused, dates ISO), and errors name the field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from validation_support import valid_request

from faxline.porting.validation import parse_request, shape_error


def error_of(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        parse_request(data)
    return shape_error(info.value)


def test_the_valid_request_parses() -> None:
    request = parse_request(valid_request())
    assert request.as_of.isoformat() == "2025-06-30"
    assert request.numbers[1].number == "+12065550124"


def test_optional_fields_may_be_absent() -> None:
    data = valid_request()
    for key in ("btn", "new_btn", "account_number", "pin", "authorized_person", "loa"):
        del data[key]
    for key in ("bill", "csr", "shared_line_uses"):
        del data[key]
    del data["service_address"]["unit"]
    request = parse_request(data)
    assert request.btn is None and request.csr is None and request.shared_line_uses == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(surprise=1), "surprise: unknown field"),
        (lambda d: d["numbers"][1].update(extra="x"), "numbers[1].extra: unknown field"),
        (lambda d: d["csr"]["service_address"].update(zip="1"), "csr.service_address.zip: unknown"),
        (lambda d: d.pop("as_of"), "as_of: required field is missing"),
        (lambda d: d.update(as_of="06/30/2025"), "as_of: must be a date written YYYY-MM-DD"),
        (lambda d: d.update(as_of="2025-02-30"), "as_of: is not a real calendar date"),
        (lambda d: d.update(as_of=20250630), "as_of: must be a date written YYYY-MM-DD"),
        (lambda d: d["loa"].update(signed_on="2025-06-20T10:00:00"), "loa.signed_on: must be"),
        (lambda d: d["numbers"][0].update(line_type="cell"), "numbers[0].line_type: Input should"),
        (
            lambda d: d["numbers"][0].update(number=12065550123),
            "numbers[0].number: Input should be a valid string",
        ),
        (lambda d: d.update(numbers=[]), "numbers: List should have at least 1 item"),
        (lambda d: d.update(port_type="some"), "port_type: Input should be 'full' or 'partial'"),
        (lambda d: d.update(business_name=" "), "business_name: must not be blank"),
        (lambda d: d["service_address"].update(country="MX"), "service_address.country: Input"),
        (lambda d: d["service_address"].update(state="ZZ"), "service_address.state: 'ZZ' is not"),
        (
            lambda d: d["service_address"].update(state="ON"),
            "service_address: state 'ON' is a Canadian province, but country is 'US'",
        ),
        (lambda d: d["csr"].update(line_features=["voicemail"]), "csr.line_features[0]: Input"),
        (lambda d: d.update(shared_line_uses=["fax"]), "shared_line_uses[0]: Input should be"),
        (lambda d: d["bill"].pop("account_name"), "bill.account_name: required field is missing"),
    ],
)
def test_shape_errors_name_the_field(change: Any, expected: str) -> None:
    data = valid_request()
    change(data)
    assert error_of(data).startswith(expected)


def test_several_errors_are_counted_on_one_line() -> None:
    data = valid_request()
    data["surprise"] = 1
    data["port_type"] = "some"
    message = error_of(data)
    assert "\n" not in message and message.endswith("(and 1 more)")


def test_a_request_that_is_not_an_object() -> None:
    with pytest.raises(ValidationError) as info:
        parse_request(["not", "an", "object"])
    assert shape_error(info.value).startswith("(the request): ")


def test_state_names_are_accepted() -> None:
    data = valid_request()
    data["service_address"]["state"] = "washington"
    assert parse_request(data).service_address.state == "washington"
