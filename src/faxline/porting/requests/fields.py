"""The fields of a port request, written once.

The services' checks (names, lengths, what a new request needs, what is secret), the
portal's forms, the change requests' labels and the bulk CSV's columns all read this list;
the API's schema is tested against it. Adding a field here and to the model is the whole
change for the shape; its own rules (a format, a cross-check) stay with the services and the
validation engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How a value is checked (``services.clean_request_data``): plain text of at most
# ``max_length``; an email; a phone number (E.164); a choice; a date; a list of choices;
# the state or province code; a postal code; the numbers to port.
Kind = Literal["text", "email", "phone", "choice", "date", "list", "region", "postal", "numbers"]
# Its place in the bulk CSV: a required column, an optional one, an extra one (accepted but
# not in the template), or none (set in the portal or the API only).
CsvColumn = Literal["required", "optional", "extra", ""]


@dataclass(frozen=True)
class RequestField:
    """One field of a port request."""

    name: str
    label: str  # how pages, change requests and messages name it
    short_label: str  # the label of its input, under the wizard's section title
    kind: Kind
    max_length: int = 0
    required: bool = False  # a new request needs a value (or a default applies)
    secret: bool = False  # encrypted, masked, never shown again
    csv: CsvColumn = ""
    csv_help: str = ""
    contact: bool = False  # who to talk to: defaults to the uploader in the bulk CSV


FIELDS: tuple[RequestField, ...] = (
    RequestField(
        "contact_first_name",
        "Contact first name",
        "First name",
        "text",
        100,
        required=True,
        csv="optional",
        csv_help="Blank: you.",
        contact=True,
    ),
    RequestField(
        "contact_last_name",
        "Contact last name",
        "Last name",
        "text",
        100,
        required=True,
        csv="optional",
        csv_help="Blank: you.",
        contact=True,
    ),
    RequestField(
        "contact_phone",
        "Contact phone",
        "Phone",
        "text",
        30,
        csv="optional",
        csv_help="Optional.",
        contact=True,
    ),
    RequestField(
        "contact_email",
        "Contact email",
        "Email",
        "email",
        254,
        required=True,
        csv="optional",
        csv_help="Blank: your email.",
        contact=True,
    ),
    RequestField(
        "port_type",
        "Port type",
        "Port type",
        "choice",
        required=True,
        csv="extra",
        csv_help="full or partial (blank: full).",
    ),
    RequestField(
        "btn",
        "Billing Telephone Number (BTN)",
        "Billing Telephone Number (BTN)",
        "phone",
        30,
        required=True,
        csv="optional",
        csv_help="The Billing Telephone Number on the account. Blank: the number itself.",
    ),
    RequestField(
        "new_btn",
        "New BTN (for the numbers that stay)",
        "New Billing Telephone Number",
        "phone",
        30,
        csv="extra",
        csv_help="For a partial port whose BTN ports: the new BTN of what stays.",
    ),
    RequestField(
        "losing_carrier",
        "Losing carrier",
        "Losing carrier",
        "text",
        100,
        required=True,
        csv="required",
        csv_help="Required. The current carrier.",
    ),
    RequestField(
        "account_number",
        "Carrier account number",
        "Carrier account number",
        "text",
        50,
        required=True,
        secret=True,
        csv="required",
        csv_help="Required. The account number with the current carrier.",
    ),
    RequestField(
        "pin",
        "PIN / port-out passcode",
        "PIN / port-out passcode",
        "text",
        20,
        secret=True,
        csv="optional",
        csv_help="The account PIN or port-out passcode (required for wireless numbers).",
    ),
    RequestField(
        "business_name",
        "Business name",
        "Business name",
        "text",
        200,
        required=True,
        csv="required",
        csv_help="Required. Exactly as on the bill or CSR.",
    ),
    RequestField(
        "authorized_name",
        "Authorized person",
        "Authorized person",
        "text",
        200,
        required=True,
        csv="required",
        csv_help="Required. The authorized user or owner who signs the LOA.",
    ),
    RequestField(
        "authorized_title",
        "Authorized person's title",
        "Title",
        "text",
        100,
        csv="optional",
        csv_help="Optional.",
    ),
    RequestField(
        "authorized_email",
        "Authorized person's email",
        "Email of the authorized person",
        "email",
        254,
        csv="optional",
        csv_help="Optional. Where the LOA signing link is sent.",
    ),
    RequestField(
        "street",
        "Street",
        "Street address",
        "text",
        200,
        required=True,
        csv="required",
        csv_help="Required. A physical address (no PO boxes), as on the CSR.",
    ),
    RequestField(
        "unit",
        "Unit / Suite",
        "Unit / Suite",
        "text",
        50,
        csv="optional",
        csv_help="Optional. Suite, unit, floor.",
    ),
    RequestField(
        "city",
        "City",
        "City",
        "text",
        100,
        required=True,
        csv="required",
        csv_help="Required.",
    ),
    RequestField(
        "state",
        "State / Province",
        "State / Province",
        "region",
        2,
        required=True,
        csv="required",
        csv_help="Required. Two-letter state or province code.",
    ),
    RequestField(
        "postal_code",
        "ZIP / Postal code",
        "ZIP / Postal code",
        "postal",
        10,
        required=True,
        csv="required",
        csv_help="Required. ZIP or Canadian postal code.",
    ),
    RequestField(
        "country",
        "Country",
        "Country",
        "choice",
        required=True,
        csv="optional",
        csv_help="US or CA (blank: US).",
    ),
    RequestField(
        "shared_line_uses",
        "Shared line uses",
        "Is this line shared with a card terminal, alarm or internet?",
        "list",
    ),
    RequestField(
        "special_instructions",
        "Special instructions",
        "Special Instructions",
        "text",
        2000,
    ),
    RequestField(
        "requested_date",
        "Requested port date",
        "Requested port date (optional)",
        "date",
    ),
    RequestField("numbers", "Numbers to port", "Numbers to port", "numbers", required=True),
)

BY_NAME: dict[str, RequestField] = {f.name: f for f in FIELDS}
# Every field the customer writes (and a rejection may reopen), in the pages' order.
REQUEST_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS)
SECRET_FIELDS: frozenset[str] = frozenset(f.name for f in FIELDS if f.secret)
REQUIRED_FIELDS: frozenset[str] = frozenset(f.name for f in FIELDS if f.required)
ADDRESS_FIELDS: tuple[str, ...] = ("street", "unit", "city", "state", "postal_code", "country")


def field_label(name: str) -> str:
    """How pages, change requests and messages name a field (``documents``: the Files
    tab, which a rejection may also ask to fix)."""
    if name == "documents":
        return "Documents (Files tab)"
    found = BY_NAME.get(name)
    return found.label if found is not None else name.replace("_", " ").capitalize()


def max_length(name: str) -> int:
    return BY_NAME[name].max_length
