"""The message of every finding, in the words of seed 004: what is wrong (naming the values
compared), why the losing carrier would reject it, and what to do next.

Messages never carry a PIN, and show account numbers only by their last digits
(:func:`mask`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from faxline.core.crypto import visible_tail

if TYPE_CHECKING:
    from faxline.porting.validation.request import PortAddressIn

CSR = "Customer Service Record (CSR)"
LOA = "Letter of Authorization (LOA)"
COUNTRY_NAMES = {"US": "the US", "CA": "Canada"}
COUNTRY_ADJECTIVES = {"US": "US", "CA": "Canadian"}


def q(value: str) -> str:
    """A value as quoted in a message."""
    return f"'{value.strip()}'"


def mask(account_number: str) -> str:
    """An account number as a message may show it: the same last characters as every page
    shows (``core.crypto.visible_tail``), or none when it is very short."""
    tail = visible_tail(account_number)
    return f"ending in {tail}" if tail else "(hidden)"


def join(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def address_line(address: PortAddressIn, *, postal: bool = True) -> str:
    """An address on one line, as typed."""
    parts = [address.street.strip()]
    if address.unit and address.unit.strip():
        parts.append(address.unit.strip())
    tail = f"{address.city.strip()}, {address.state.strip()}"
    if postal:
        tail += f" {address.postal_code.strip()}"
    return ", ".join([*parts, tail])


def _carrier(carrier: str) -> str:
    return f"your current carrier ({carrier.strip()})"


# ---- numbers


def number_unreadable(raw: str) -> str:
    return (
        f"{q(raw)} is not a valid phone number. Enter the number exactly as it appears on your "
        "bill, with its country code and area code (for example +1 206 555 0123)."
    )


def number_foreign(display: str, country: str) -> str:
    where = f" ({country})" if country else ""
    return (
        f"{display} is not a US or Canadian number{where}: only US and Canadian numbers can be "
        "ported here. Remove it from this request; to keep receiving on it, forward its calls "
        "to a new faxline number instead."
    )


def number_not_portable(display: str) -> str:
    return (
        f"{display} is not a geographic or toll-free number (800, 833, 844, 855, 866, 877, "
        "888), so it cannot be ported here. Remove it from this request, or check the number "
        "on your bill."
    )


def number_twice(display: str, first_field: str) -> str:
    return f"{display} is listed twice (also at {first_field}). Remove the duplicate entry."


def number_in_service(display: str) -> str:
    return (
        f"{display} is already in service on this platform, so it cannot be ported in. Remove "
        "it from this request; if you think this is wrong, contact the porting team."
    )


def number_in_open_request(display: str) -> str:
    return (
        f"{display} is already in another open port request, and a number can be in only one "
        "at a time. Remove it from this request, or cancel the other request first."
    )


def mixed_countries(first: str, first_country: str, other: str, other_country: str) -> str:
    return (
        f"This request mixes numbers of {COUNTRY_NAMES[first_country]} ({first}) and "
        f"{COUNTRY_NAMES[other_country]} ({other}). Carriers port each country separately, "
        f"with a US or a Canadian {LOA}: move the {COUNTRY_ADJECTIVES[other_country]} numbers "
        "to a port request of their own."
    )


def address_country_mismatch(numbers_country: str, address_country: str) -> str:
    return (
        f"The numbers are {COUNTRY_ADJECTIVES[numbers_country]} numbers, but the service "
        f"address is in "
        f"{COUNTRY_NAMES[address_country]}. The service address must be the physical address "
        f"where the numbers are in service, as it appears on your bill or {CSR}: correct it."
    )


def toll_free_mixed(toll_free: str, geographic: str) -> str:
    return (
        f"{toll_free} is a toll-free number, but this request also ports geographic numbers "
        f"(such as {geographic}). Toll-free numbers move between RespOrgs in a separate "
        "process: put the toll-free numbers in a port request of their own."
    )


# ---- billing telephone number, account, PIN


def btn_missing() -> str:
    return (
        "Enter the billing telephone number (BTN): the main number your current carrier uses "
        f"to identify your account, as it appears on your bill or {CSR}. If you do not know "
        "it, contact your current carrier to obtain the billing telephone number they have on "
        "file."
    )


def btn_invalid(raw: str, *, new: bool) -> str:
    what = "new billing telephone number" if new else "billing telephone number (BTN)"
    return (
        f"{q(raw)} is not a valid {what}: it must be a US or Canadian number with its area "
        "code. The billing telephone number is typically the master number of your account; "
        "contact your current carrier to obtain the billing telephone number they have on "
        "file, then correct it."
    )


def new_btn_required(btn: str) -> str:
    return (
        f"This is a partial port and the billing telephone number (BTN) {btn} is one of the "
        "numbers being ported. The numbers that stay with your current carrier need a new "
        "BTN, or the carrier rejects the port: ask your current carrier which remaining number "
        "becomes the new billing telephone number and enter it as the new BTN."
    )


def new_btn_ported(new_btn: str) -> str:
    return (
        f"The new billing telephone number {new_btn} is also being ported. The new BTN must be "
        "a number that stays with your current carrier: ask your carrier which remaining "
        "number becomes the billing telephone number and enter it."
    )


def account_number_missing(carrier: str) -> str:
    return (
        f"Enter your account number with {_carrier(carrier)}, exactly as it appears on your "
        f"bill or {CSR}. If you cannot find it, contact your current carrier to obtain the "
        "account number they have on file."
    )


def pin_required(display: str, carrier: str) -> str:
    return (
        f"{display} is a wireless number: to port wireless numbers, you must submit the "
        f"account PIN (port-out passcode). Contact {_carrier(carrier)} to obtain the PIN they "
        "have on file and enter it here. Please note that the PIN is sometimes the last four "
        "digits of the account holder's Social Security Number."
    )


def google_voice_unlock() -> str:
    return (
        "All Google Voice numbers must be unlocked before they can be ported out, or the port "
        "is rejected. Unlock the number in your Google Voice settings "
        "(www.google.com/voice/unlock) and pay Google's unlock fee, then submit this request."
    )


# ---- authorized person and address


def authorized_person_missing() -> str:
    return (
        "Enter the first and last name of the authorized user or owner of the account, exactly "
        f"as your current carrier has it on file. This person signs the {LOA}."
    )


def authorized_person_incomplete(name: str) -> str:
    return (
        f"{q(name)} is not a first and last name. Enter the authorized user or owner's first "
        "and last name, exactly as your current carrier has it on file."
    )


def po_box(value: str, kind: str) -> str:
    return (
        f"{q(value)} is a {kind}. The service address must be an actual physical address "
        "where the line is installed; PO Boxes are not valid addresses. Enter the service "
        f"address exactly as it appears on your bill or {CSR} (your billing address may be a "
        "PO box, the service address may not)."
    )


def postal_code_invalid(postal_code: str, country: str) -> str:
    if country == "US":
        return (
            f"{q(postal_code)} is not a US ZIP code. Enter the 5-digit ZIP code of the service "
            "address (or its ZIP+4, such as 98121-1234) as it appears on your bill."
        )
    return (
        f"{q(postal_code)} is not a Canadian postal code. Enter the postal code of the service "
        "address as it appears on your bill, in the form A1A 1A1."
    )


def postal_code_wrong_province(postal_code: str, province: str) -> str:
    return (
        f"The postal code {q(postal_code)} is not in {province}. Check the postal code and the "
        "province of the service address against your bill and correct them."
    )


# ---- documents


def loa_missing() -> str:
    return (
        f"Add a {LOA} signed by the authorized user or owner of the number(s). The information "
        "on your LOA must match the authorized user name and service address provided by your "
        "current carrier, and it has to be signed within 30 days of submitting it."
    )


def loa_expired(signed_on: date, as_of: date, signer: str) -> str:
    days = (as_of - signed_on).days
    return (
        f"The {LOA} was signed on {signed_on.isoformat()}, {days} days before "
        f"{as_of.isoformat()}; it has to be signed within 30 days of submitting it. Have "
        f"{signer.strip()} sign a new LOA, then submit."
    )


def loa_future_dated(signed_on: date, as_of: date) -> str:
    return (
        f"The {LOA} is dated {signed_on.isoformat()}, after {as_of.isoformat()}. Carriers "
        "reject a future-dated LOA: correct the date of signature, or have the LOA signed "
        "again today."
    )


def loa_signer_mismatch(signer: str, authorized: str) -> str:
    return (
        f"The {LOA} is signed by {q(signer)}, but the authorized person is {q(authorized)}. "
        "The person authorized to make changes on the account must sign the LOA, or the "
        f"carrier rejects it as an unauthorized signature: have {authorized.strip()} sign a "
        f"new LOA, or, if {signer.strip()} is authorized on the account, make them the "
        "authorized person here."
    )


def bill_missing() -> str:
    return (
        "Add a copy of your most recent phone bill, within the last 30 days, that includes "
        "the account, owner/authorized user name, and address information for all the numbers "
        "you'd like to port (a PDF of its own)."
    )


def bill_stale(statement_date: date, as_of: date) -> str:
    days = (as_of - statement_date).days
    return (
        f"The bill is dated {statement_date.isoformat()}, {days} days before "
        f"{as_of.isoformat()}; carriers need the most recent bill, within the last 30 days. "
        "Add your latest bill."
    )


def csr_missing() -> str:
    return (
        f"No {CSR} was given. The surest way to reduce the likelihood of a port rejection is "
        "to obtain the CSR from your current carrier and submit exactly the information it "
        "shows. Ask your carrier's porting team for the customer service record on file, not "
        "merely your billing records, and add it."
    )


def document_unconfirmed(kind: str) -> str:
    document = "bill" if kind == "bill" else "CSR"
    return (
        f"The {document} was uploaded, but its facts are not confirmed yet: open the "
        f"request's Files tab, check what faxline read from the {document} and confirm or "
        "correct it."
    )


# ---- against the CSR


def name_mismatch(csr_name: str, request_name: str) -> str:
    return (
        f"The business name does not match the account name on the {CSR} (CSR: "
        f"{q(csr_name)}, request: {q(request_name)}). The name on the {LOA} must match the "
        "name on your account exactly as it appears on your bill or Customer Service Record: "
        "use the name on the CSR, or contact your current carrier to update the name on the "
        "account."
    )


def _differ(parts: Sequence[str]) -> str:
    names = [f"the {p}" for p in parts]
    return join(names) + (" differs" if len(names) == 1 else " differ")


def address_mismatch(parts: Sequence[str], csr: PortAddressIn, request: PortAddressIn) -> str:
    return (
        f"The service address does not match the {CSR}: {_differ(parts)} (CSR: "
        f"{q(address_line(csr, postal=False))}, request: "
        f"{q(address_line(request, postal=False))}). The service address on the {LOA} must "
        "exactly match the CSR: use the address as it appears on the CSR, or contact your "
        "current carrier to update the address on the account."
    )


def postal_code_mismatch(csr: str, request: str, country: str) -> str:
    what = "ZIP code" if country == "US" else "postal code"
    return (
        f"The {what} of the service address does not match the {CSR} (CSR: {q(csr)}, "
        f"request: {q(request)}). Carriers reject a port whose {what} differs from their "
        f"record: use the {what} on the CSR, or contact your current carrier to correct it."
    )


def btn_mismatch(csr: str, request: str) -> str:
    return (
        f"The billing telephone number (BTN) does not match the {CSR} (CSR: {csr}, request: "
        f"{request}). Enter the billing telephone number exactly as it appears on the CSR."
    )


def account_number_mismatch(csr: str, request: str) -> str:
    csr_masked, request_masked = mask(csr), mask(request)
    hidden = " (they differ in digits not shown)" if csr_masked == request_masked else ""
    return (
        f"The account number does not match the {CSR} (CSR: {csr_masked}, request: "
        f"{request_masked}){hidden}. Enter the account number exactly as it appears on the "
        "CSR, or contact your current carrier to obtain the account number they have on file."
    )


def authorized_person_mismatch(name: str, authorized_names: Sequence[str]) -> str:
    listed = ", ".join(q(n) for n in authorized_names)
    choose = (
        "choose one of them" if len(authorized_names) > 1 else "make them the authorized person"
    )
    return (
        f"{q(name)} is not an authorized user on the {CSR} (CSR: {listed}). The person "
        f"authorized to make changes on the account must sign the {LOA}: {choose} and have "
        f"them sign, or contact your current carrier to add {name.strip()} to the account."
    )


def number_not_on_account(display: str) -> str:
    return (
        f"{display} is not on the {CSR} of this account. Check the number; if it is on "
        "another account, port it in a separate request with that account's number, bill "
        "and CSR."
    )


SHOWN_NUMBERS = 5


def numbers_shown(displays: Sequence[str]) -> str:
    """Up to :data:`SHOWN_NUMBERS` numbers, then how many more."""
    shown = list(displays[:SHOWN_NUMBERS])
    more = len(displays) - len(shown)
    if more:
        return ", ".join(shown) + f" and {more} more"
    return join(shown)


def full_port_numbers_left_out(displays: Sequence[str]) -> str:
    return (
        f"This is a full port, but the {CSR} also lists {numbers_shown(displays)}, which "
        "this request does not port. A full port moves every number on the account, and the "
        "losing carrier rejects one that leaves numbers out: add them to this request, or "
        "make it a partial port (the numbers left out then stay with the losing carrier, on "
        "the account)."
    )


# ---- against the bill


def bill_name_mismatch(bill_name: str, request_name: str) -> str:
    return (
        f"The account name on the bill does not match the business name (bill: "
        f"{q(bill_name)}, request: {q(request_name)}). The bill must show the account name of "
        f"the {LOA}: use the name exactly as it appears on your bill, or add the bill of the "
        "right account."
    )


def bill_address_mismatch(parts: Sequence[str], bill: PortAddressIn, request: PortAddressIn) -> str:
    return (
        f"The service address on the bill does not match the service address of this request: "
        f"{_differ(parts)} (bill: {q(address_line(bill))}, request: "
        f"{q(address_line(request))}). The address must match what is on the phone bill from "
        "your current carrier: use the address exactly as it appears on your bill, or add the "
        "bill for this service address."
    )


# ---- line features and shared lines

LINE_FEATURE_ADVICE = {
    "dsl": (
        "DSL internet on this account. Porting the number disconnects the DSL service on the "
        "line, and carriers reject the port while DSL is active on it. Arrange other internet "
        "service and ask your current carrier to remove DSL before you submit, or keep the "
        "line and forward its calls to a faxline number instead."
    ),
    "hunt_group": (
        "a hunt group. Carriers often reject the port of a number that is part of a hunt "
        "group: ask your current carrier to remove the numbers you are porting from the hunt "
        "group (or to dissolve it) before you submit."
    ),
    "distinctive_ring": (
        "distinctive ring: a number that rings on another line cannot be ported on its own. "
        "Ask your current carrier to remove distinctive ring or port the main line with it, "
        "before you submit."
    ),
    "remote_call_forwarding": (
        "remote call forwarding: the number only forwards calls and has no line of its own. "
        "Ask your current carrier to confirm it can be ported, or to convert it to a regular "
        "line, before you submit."
    ),
    "isdn": (
        "ISDN service. Carriers often reject ports of single numbers out of an ISDN line: ask "
        "your current carrier how these numbers can be ported (usually the ISDN group ports "
        "together or is converted first) before you submit."
    ),
}


def line_feature_risk(feature: str) -> str:
    return f"The {CSR} shows {LINE_FEATURE_ADVICE[feature]}"


def read_line_feature_risk(kind: str, feature: str) -> str:
    return f"The {_document(kind)}, as faxline read it, shows {LINE_FEATURE_ADVICE[feature]}"


SHARED_USE_NAMES = {
    "credit_card_terminal": "credit card terminal",
    "alarm": "alarm panel",
    "internet": "internet service",
}


def shared_line(uses: Sequence[str]) -> str:
    devices = join([SHARED_USE_NAMES[u] for u in uses])
    return (
        f"This line is also used by your {devices}. When a number is ported, this immediately "
        "disconnects it from any other devices and services on the line, and porting is "
        "irreversible. If the line must keep serving them, do not port the number: keep the "
        "line and use call forwarding to a faxline number instead. Otherwise, move them to "
        "another line before you submit."
    )


# ---- what was read from the bill's and the CSR's files (issue 14)

DOCUMENT_NAMES = {"bill": "bill", "csr": CSR, "loa": LOA, "other": "another kind of document"}
READ_FACT_NAMES = {
    "statement_date": "statement date",
    "account_name": "account name",
    "service_address": "service address",
    "btn": "billing telephone number (BTN)",
    "account_number": "account number",
    "authorized_names": "authorized names",
    "numbers": "telephone numbers",
    "line_features": "line features",
}


def _document(kind: str) -> str:
    return "bill" if kind == "bill" else CSR


def read_fact_mismatch(kind: str, fact: str, typed: str, read: str) -> str:
    name = READ_FACT_NAMES[fact]
    return (
        f"The {name} entered for the {_document(kind)} ({q(typed)}) is not the one faxline "
        f"read from the document ({q(read)}). Carriers compare the request with their own "
        f"record: check the {name} on the document and correct what was entered, or add the "
        "right document if this one belongs to another account."
    )


def read_document_type(kind: str, read_type: str) -> str:
    return (
        f"The document uploaded as the {_document(kind)} reads as {DOCUMENT_NAMES[read_type]}. "
        f"Carriers need the {_document(kind)} itself: check the file and upload the "
        f"{_document(kind)} of this account in its place."
    )


def read_bill_stale(read_date: date, typed_date: date, as_of: date) -> str:
    days = (as_of - read_date).days
    return (
        f"The bill is dated {read_date.isoformat()} on the document, {days} days before "
        f"{as_of.isoformat()} (entered as {typed_date.isoformat()}); carriers need the most "
        "recent bill, within the last 30 days. Add your latest bill."
    )


def read_request_mismatch(kind: str, fact: str, read: str, ours: str) -> str:
    name = READ_FACT_NAMES[fact]
    return (
        f"The {name} on the {_document(kind)} does not match this request (document: "
        f"{q(read)}, request: {q(ours)}). The losing carrier rejects a port whose details "
        f"differ from its records: use the {name} exactly as the {_document(kind)} shows it, "
        f"or add the {_document(kind)} of the right account."
    )


def read_number_not_on_document(display: str, kinds: Sequence[str]) -> str:
    documents = join([_document(k) for k in kinds])
    return (
        f"{display} is not among the numbers listed on the {documents}. Only numbers on the "
        "account can be ported: remove the number from this request, or add the document of "
        "the account it belongs to."
    )


def read_numbers_left_out(kind: str, displays: Sequence[str]) -> str:
    return (
        f"This is a full port, but faxline read {numbers_shown(displays)} on the "
        f"{_document(kind)}, which this request does not port. A full port moves every number "
        "on the account: check the numbers on the document, then add them to this request, "
        "or make it a partial port (the numbers left out then stay with the losing carrier, "
        "on the account)."
    )


def read_authorized_person_mismatch(kind: str, name: str, read_names: Sequence[str]) -> str:
    listed = ", ".join(q(n) for n in read_names)
    return (
        f"{q(name)} is not among the authorized names faxline read from the "
        f"{_document(kind)} ({listed}). The person authorized to make changes on the account "
        f"must sign the {LOA}, or the losing carrier rejects the port: check the names on the "
        "document, then make one of them the authorized person, or contact your current "
        f"carrier to add {name.strip()} to the account."
    )
