"""PO boxes in every common spelling are refused; streets that merely contain "Box" are not."""

from __future__ import annotations

import pytest
from validation_support import address, codes, set_all_addresses, valid_request

from faxline.porting.validation.normalize import po_box

MAILBOXES = [
    "PO Box 123",
    "P.O. Box 123",
    "P. O. Box 123",
    "P O Box 123",
    "PO BOX 123",
    "po box 123",
    "POBox 123",
    "P.O.Box 123",
    "POBOX123",
    "Post Office Box 123",
    "post office box 123",
    "Postal Box 123",
    "POB 123",
    "P.O.B. 123",
    "PO 123",
    "Box 123",
    "BOX #123",
    "box123",
    "PO Drawer 7",
    "P.O. Drawer 7",
    "PMB 45",
    "123 Main St PMB 45",
    "123 Main St #PMB 45",
    "Private Mailbox 45",
    "C.P. 1000",
    "Case Postale 1000",
    "RR 2 Box 15",
    "Rural Route 2 Box 15",
    "HC 1 Box 9",
    "General Delivery",
    "Lockbox 88",
    "1200 Main St, PO Box 5",
]

STREETS = [
    "123 Box Elder Street",
    "45 Boxwood Rd",
    "1 Box Canyon Road",
    "9 Boxer Ln",
    "100 Post Rd",
    "100 Post Office Rd",
    "12 Pobst Ave",
    "500 Pine Street",
    "77 Postal Way",
    "3 Capitol Way",
    "8 Cape Cod Ln",
    "10 Po River Dr",
]


@pytest.mark.parametrize("text", MAILBOXES)
def test_mailboxes_are_recognized(text: str) -> None:
    assert po_box(text) is not None


@pytest.mark.parametrize("text", STREETS)
def test_streets_are_not_mailboxes(text: str) -> None:
    assert po_box(text) is None


@pytest.mark.parametrize("text", ["P.O. Box 4410", "Box 12", "PMB 3"])
def test_a_po_box_service_address_is_refused(text: str) -> None:
    data = valid_request()
    set_all_addresses(data, address(street=text, unit=None))
    assert codes(data) == ["PO_BOX"]


@pytest.mark.parametrize("text", ["123 Box Elder Street", "45 Boxwood Rd"])
def test_a_box_street_service_address_is_accepted(text: str) -> None:
    data = valid_request()
    set_all_addresses(data, address(street=text))
    assert codes(data) == []


def test_a_po_box_bill_address_is_not_a_service_address_problem() -> None:
    data = valid_request()
    data["bill"]["service_address"] = address(street="PO Box 4410", unit=None)
    assert codes(data) == ["BILL_ADDRESS_MISMATCH"]
