"""Shared by the validation tests: a valid request and helpers to run the engine on JSON."""

from __future__ import annotations

from collections.abc import Set
from pathlib import Path
from typing import Any

from faxline.porting.validation import (
    Finding,
    ValidationContext,
    parse_request,
    validate,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
AS_OF = "2025-06-30"


def address(**changes: Any) -> dict[str, Any]:
    base = {
        "street": "500 Pine Street",
        "unit": "Suite 210",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
        "country": "US",
    }
    return base | changes


TORONTO = {
    "street": "100 King St W",
    "unit": "Suite 200",
    "city": "Toronto",
    "state": "ON",
    "postal_code": "M5X 1A9",
    "country": "CA",
}


def valid_request() -> dict[str, Any]:
    """A minimal port request that passes every rule."""
    return {
        "as_of": AS_OF,
        "numbers": [
            {"number": "+12065550123", "line_type": "landline"},
            {"number": "+12065550124", "line_type": "landline"},
        ],
        "port_type": "full",
        "btn": "+12065550123",
        "new_btn": None,
        "losing_carrier": "Lumen",
        "account_number": "330012345678",
        "pin": None,
        "business_name": "Pine Street Clinic LLC",
        "authorized_person": {"name": "Jane Doe", "title": "Owner"},
        "service_address": address(),
        "loa": {"signer_name": "Jane Doe", "signed_on": "2025-06-20"},
        "bill": {
            "statement_date": "2025-06-05",
            "account_name": "Pine Street Clinic LLC",
            "service_address": address(),
        },
        "csr": {
            "account_name": "Pine Street Clinic LLC",
            "service_address": address(),
            "btn": "+12065550123",
            "account_number": "330012345678",
            "authorized_names": ["Jane Doe"],
            "numbers": ["+12065550123", "+12065550124"],
            "line_features": [],
        },
        "shared_line_uses": [],
    }


def set_all_addresses(data: dict[str, Any], value: dict[str, Any]) -> None:
    """The same address as service address, on the bill and on the CSR."""
    data["service_address"] = dict(value)
    data["bill"]["service_address"] = dict(value)
    data["csr"]["service_address"] = dict(value)


def add_number(data: dict[str, Any], number: str, line_type: str = "landline") -> None:
    """Port one more number, listed on the CSR too."""
    data["numbers"].append({"number": number, "line_type": line_type})
    data["csr"]["numbers"].append(number)


def run(
    data: dict[str, Any],
    *,
    open_requests: Set[str] = frozenset(),
    in_service: Set[str] = frozenset(),
) -> list[Finding]:
    context = ValidationContext(open_request_numbers=open_requests, in_service_numbers=in_service)
    return validate(parse_request(data), context=context)


def codes(data: dict[str, Any], **context: Any) -> list[str]:
    return [f.code for f in run(data, **context)]
