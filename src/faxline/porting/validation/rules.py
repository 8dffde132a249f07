"""The rules: one small function per finding code (or closely related group of codes).

Each rule reads the :class:`Facts` of a request (the request, its context and the numbers
parsed once) and yields findings. A rule reports only what it is about and stays silent when
what it needs is missing (that has its own code): a missing BTN is ``BTN_MISSING``, not also a
``BTN_MISMATCH``. One finding per problem: each invalid number is its own finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from pydantic import ValidationError

from faxline.porting.validation import messages
from faxline.porting.validation.codes import Finding, finding
from faxline.porting.validation.context import ValidationContext
from faxline.porting.validation.normalize import (
    AddressDifference,
    Phone,
    account_key,
    business_key,
    compare_addresses,
    has_first_and_last_name,
    is_google_voice,
    parse_phone,
    phone_key,
    po_box,
    postal_code_problem,
    postal_key,
    same_person,
    state_code,
)
from faxline.porting.validation.request import (
    PortAddressIn,
    PortBillIn,
    PortCsrIn,
    PortReadIn,
    PortRequestIn,
)
from faxline.porting.validation.tables import CA_PROVINCES

MAX_DOCUMENT_AGE_DAYS = 30

Rule = Callable[["Facts"], Iterator[Finding]]


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


@dataclass(frozen=True)
class Facts:
    """A request with what every rule needs computed once."""

    request: PortRequestIn
    context: ValidationContext

    @cached_property
    def phones(self) -> tuple[Phone | None, ...]:
        return tuple(parse_phone(n.number) for n in self.request.numbers)

    @cached_property
    def ported(self) -> list[tuple[int, Phone]]:
        """The portable numbers with their index, each number once (first occurrence)."""
        seen: set[str] = set()
        out: list[tuple[int, Phone]] = []
        for i, phone in enumerate(self.phones):
            if phone is not None and phone.portable and phone.e164 not in seen:
                seen.add(phone.e164)
                out.append((i, phone))
        return out

    @cached_property
    def ported_e164(self) -> set[str]:
        return {phone.e164 for _, phone in self.ported}

    @cached_property
    def btn(self) -> Phone | None:
        return parse_phone(self.request.btn)

    @property
    def carrier(self) -> str:
        return self.request.losing_carrier

    @property
    def authorized_name(self) -> str | None:
        """The authorized person's name when it can be compared (a first and a last name);
        otherwise AUTHORIZED_PERSON_MISSING says so and the comparisons stay silent."""
        person = self.request.authorized_person
        if person is None or not has_first_and_last_name(person.name):
            return None
        return person.name


def _number_field(i: int) -> str:
    return f"numbers[{i}].number"


# ---- numbers


def number_invalid(facts: Facts) -> Iterator[Finding]:
    for i, (entry, phone) in enumerate(zip(facts.request.numbers, facts.phones, strict=True)):
        if phone is None:
            message = messages.number_unreadable(entry.number)
        elif phone.kind != "other":
            continue
        elif phone.country not in ("US", "CA"):
            message = messages.number_foreign(phone.display, phone.country)
        else:
            message = messages.number_not_portable(phone.display)
        yield finding("NUMBER_INVALID", _number_field(i), message)


def number_duplicate(facts: Facts) -> Iterator[Finding]:
    asked = {phone.e164 for phone in facts.phones if phone is not None}
    in_service = facts.context.numbers_in_service(asked) if asked else set()
    in_open = facts.context.numbers_in_open_requests(asked - in_service) if asked else set()
    first_at: dict[str, int] = {}
    for i, phone in enumerate(facts.phones):
        if phone is None:
            continue
        if phone.e164 in first_at:
            message = messages.number_twice(phone.display, _number_field(first_at[phone.e164]))
        else:
            first_at[phone.e164] = i
            if phone.e164 in in_service:
                message = messages.number_in_service(phone.display)
            elif phone.e164 in in_open:
                message = messages.number_in_open_request(phone.display)
            else:
                continue
        yield finding("NUMBER_DUPLICATE", _number_field(i), message)


def mixed_countries(facts: Facts) -> Iterator[Finding]:
    geographic = [(i, p) for i, p in facts.ported if p.kind == "geographic"]
    if not geographic:
        return
    _, first = geographic[0]
    for j, other in geographic:
        if other.country != first.country:
            message = messages.mixed_countries(
                first.display, first.country, other.display, other.country
            )
            yield finding("MIXED_COUNTRIES", _number_field(j), message)
            return
    country = facts.request.service_address.country
    if first.country != country:
        message = messages.address_country_mismatch(first.country, country)
        yield finding("MIXED_COUNTRIES", "service_address.country", message)


def toll_free_mixed(facts: Facts) -> Iterator[Finding]:
    if not facts.ported:
        return
    _, first = facts.ported[0]
    for j, other in facts.ported:
        if other.kind != first.kind:
            toll_free, geographic = (other, first) if other.kind == "toll_free" else (first, other)
            message = messages.toll_free_mixed(toll_free.display, geographic.display)
            yield finding("TOLL_FREE_MIXED", _number_field(j), message)
            return


# ---- billing telephone number, account, PIN, carrier


def btn_present_and_valid(facts: Facts) -> Iterator[Finding]:
    request = facts.request
    if _blank(request.btn):
        yield finding("BTN_MISSING", "btn", messages.btn_missing())
    elif facts.btn is None or not facts.btn.portable:
        yield finding("BTN_INVALID", "btn", messages.btn_invalid(request.btn or "", new=False))
    if not _blank(request.new_btn):
        new_btn = parse_phone(request.new_btn)
        if new_btn is None or not new_btn.portable:
            message = messages.btn_invalid(request.new_btn or "", new=True)
            yield finding("BTN_INVALID", "new_btn", message)


def new_btn_required(facts: Facts) -> Iterator[Finding]:
    request = facts.request
    new_btn = parse_phone(request.new_btn)
    if new_btn is not None and new_btn.e164 in facts.ported_e164:
        yield finding("NEW_BTN_REQUIRED", "new_btn", messages.new_btn_ported(new_btn.display))
        return
    if (
        request.port_type == "partial"
        and facts.btn is not None
        and facts.btn.e164 in facts.ported_e164
        and _blank(request.new_btn)
    ):
        yield finding("NEW_BTN_REQUIRED", "new_btn", messages.new_btn_required(facts.btn.display))


def account_number_missing(facts: Facts) -> Iterator[Finding]:
    if _blank(facts.request.account_number):
        message = messages.account_number_missing(facts.carrier)
        yield finding("ACCOUNT_NUMBER_MISSING", "account_number", message)


def pin_required(facts: Facts) -> Iterator[Finding]:
    if not _blank(facts.request.pin):
        return
    for entry, phone in zip(facts.request.numbers, facts.phones, strict=True):
        if entry.line_type == "wireless":
            display = phone.display if phone else entry.number.strip()
            yield finding("PIN_REQUIRED", "pin", messages.pin_required(display, facts.carrier))
            return


def google_voice_unlock(facts: Facts) -> Iterator[Finding]:
    if is_google_voice(facts.carrier):
        yield finding("GOOGLE_VOICE_UNLOCK", "losing_carrier", messages.google_voice_unlock())


# ---- authorized person, service address


def authorized_person_missing(facts: Facts) -> Iterator[Finding]:
    person = facts.request.authorized_person
    if person is None:
        message = messages.authorized_person_missing()
        yield finding("AUTHORIZED_PERSON_MISSING", "authorized_person", message)
    elif _blank(person.name):
        message = messages.authorized_person_missing()
        yield finding("AUTHORIZED_PERSON_MISSING", "authorized_person.name", message)
    elif not has_first_and_last_name(person.name):
        message = messages.authorized_person_incomplete(person.name)
        yield finding("AUTHORIZED_PERSON_MISSING", "authorized_person.name", message)


def service_address_po_box(facts: Facts) -> Iterator[Finding]:
    address = facts.request.service_address
    for name, value in (("street", address.street), ("unit", address.unit)):
        kind = po_box(value)
        if kind and value:
            yield finding("PO_BOX", f"service_address.{name}", messages.po_box(value, kind))


def postal_code_invalid(facts: Facts) -> Iterator[Finding]:
    address = facts.request.service_address
    problem = postal_code_problem(address.postal_code, address.country, address.state)
    if problem == "format":
        message = messages.postal_code_invalid(address.postal_code, address.country)
    elif problem == "province":
        province = CA_PROVINCES.get(state_code(address.state, "CA") or "", address.state)
        message = messages.postal_code_wrong_province(address.postal_code, province.title())
    else:
        return
    yield finding("POSTAL_CODE_INVALID", "service_address.postal_code", message)


# ---- documents


def loa_checks(facts: Facts) -> Iterator[Finding]:
    request, loa = facts.request, facts.request.loa
    if loa is None:
        yield finding("LOA_MISSING", "loa", messages.loa_missing())
        return
    if loa.signed_on > request.as_of:
        message = messages.loa_future_dated(loa.signed_on, request.as_of)
        yield finding("LOA_FUTURE_DATED", "loa.signed_on", message)
    elif (request.as_of - loa.signed_on).days > MAX_DOCUMENT_AGE_DAYS:
        signer = facts.authorized_name or loa.signer_name
        message = messages.loa_expired(loa.signed_on, request.as_of, signer)
        yield finding("LOA_EXPIRED", "loa.signed_on", message)
    authorized = facts.authorized_name
    if authorized is not None and not same_person(loa.signer_name, authorized):
        message = messages.loa_signer_mismatch(loa.signer_name, authorized)
        yield finding("LOA_SIGNER_MISMATCH", "loa.signer_name", message)


def _address_field(base: str, difference: AddressDifference, address: PortAddressIn) -> str:
    fields: set[str] = set()
    for part in difference.parts:
        if part == "unit":
            fields.add("unit" if address.unit and address.unit.strip() else "street")
        elif part in ("city", "state", "country"):
            fields.add(part)
        elif part == "postal code":
            fields.add("postal_code")
        else:
            fields.add("street")
    return f"{base}.{fields.pop()}" if len(fields) == 1 else base


def bill_checks(facts: Facts) -> Iterator[Finding]:
    request, bill = facts.request, facts.request.bill
    if bill is None:
        if "bill" in request.unconfirmed:
            yield finding("DOCUMENT_UNCONFIRMED", "bill", messages.document_unconfirmed("bill"))
        else:
            yield finding("BILL_MISSING", "bill", messages.bill_missing())
        return
    if (request.as_of - bill.statement_date).days > MAX_DOCUMENT_AGE_DAYS:
        message = messages.bill_stale(bill.statement_date, request.as_of)
        yield finding("BILL_STALE", "bill.statement_date", message)
    if business_key(bill.account_name) != business_key(request.business_name):
        message = messages.bill_name_mismatch(bill.account_name, request.business_name)
        yield finding("BILL_NAME_MISMATCH", "bill.account_name", message)
    difference = compare_addresses(bill.service_address, request.service_address)
    if difference:
        field = _address_field("bill.service_address", difference, bill.service_address)
        message = messages.bill_address_mismatch(
            difference.parts, bill.service_address, request.service_address
        )
        yield finding("BILL_ADDRESS_MISMATCH", field, message)


# ---- against the CSR


def csr_missing(facts: Facts) -> Iterator[Finding]:
    """No CSR: one uploaded whose facts are not confirmed yet blocks (its facts are not
    used until a person confirms them); none at all only warns."""
    if facts.request.csr is not None:
        return
    if "csr" in facts.request.unconfirmed:
        yield finding("DOCUMENT_UNCONFIRMED", "csr", messages.document_unconfirmed("csr"))
    else:
        yield finding("CSR_MISSING", "csr", messages.csr_missing())


def csr_name_and_address(facts: Facts) -> Iterator[Finding]:
    request, csr = facts.request, facts.request.csr
    if csr is None:
        return
    if business_key(csr.account_name) != business_key(request.business_name):
        message = messages.name_mismatch(csr.account_name, request.business_name)
        yield finding("NAME_MISMATCH", "csr.account_name", message)
    ours, theirs = request.service_address, csr.service_address
    difference = compare_addresses(theirs, ours, postal=False)
    if difference:
        field = _address_field("csr.service_address", difference, theirs)
        message = messages.address_mismatch(difference.parts, theirs, ours)
        yield finding("ADDRESS_MISMATCH", field, message)
    if postal_key(theirs.postal_code, theirs.country) != postal_key(ours.postal_code, ours.country):
        message = messages.postal_code_mismatch(theirs.postal_code, ours.postal_code, ours.country)
        yield finding("POSTAL_CODE_MISMATCH", "csr.service_address.postal_code", message)


def csr_btn(facts: Facts) -> Iterator[Finding]:
    csr, btn = facts.request.csr, facts.btn
    if csr is None or _blank(csr.btn) or btn is None or csr.btn is None:
        return
    if phone_key(csr.btn) != btn.e164:
        theirs = parse_phone(csr.btn)
        message = messages.btn_mismatch(theirs.display if theirs else csr.btn, btn.display)
        yield finding("BTN_MISMATCH", "csr.btn", message)


def csr_account_number(facts: Facts) -> Iterator[Finding]:
    csr, ours = facts.request.csr, facts.request.account_number
    if csr is None or csr.account_number is None or _blank(csr.account_number) or ours is None:
        return
    if _blank(ours):
        return
    if account_key(csr.account_number) != account_key(ours):
        message = messages.account_number_mismatch(csr.account_number, ours)
        yield finding("ACCOUNT_NUMBER_MISMATCH", "csr.account_number", message)


def csr_authorized_person(facts: Facts) -> Iterator[Finding]:
    csr, name = facts.request.csr, facts.authorized_name
    if csr is None or name is None:
        return
    listed = [n for n in csr.authorized_names if not _blank(n)]
    if listed and not any(same_person(name, n) for n in listed):
        message = messages.authorized_person_mismatch(name, listed)
        yield finding("AUTHORIZED_PERSON_MISMATCH", "csr.authorized_names", message)


def csr_numbers(facts: Facts) -> Iterator[Finding]:
    csr = facts.request.csr
    if csr is None or not csr.numbers:
        return
    on_account = {phone_key(n) for n in csr.numbers}
    for i, phone in facts.ported:
        if phone.e164 not in on_account:
            message = messages.number_not_on_account(phone.display)
            yield finding("NUMBER_NOT_ON_ACCOUNT", _number_field(i), message)


def _left_out(listed: list[str], ported: set[str], skip: set[str]) -> list[str]:
    """The numbers of ``listed`` (each once, in their order, those that parse) that are
    neither ported (``phone_key`` of the request's numbers) nor in ``skip``, as displayed."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in listed:
        phone = parse_phone(raw)
        if phone is None or phone.e164 in seen or phone.e164 in ported or phone.e164 in skip:
            continue
        seen.add(phone.e164)
        out.append(phone.display)
    return out


def _requested_keys(request: PortRequestIn) -> set[str]:
    return {phone_key(n.number) for n in request.numbers}


def full_port_numbers_left_out(facts: Facts) -> Iterator[Finding]:
    """A full port moves every number of the account: the CSR's numbers it leaves out."""
    request, csr = facts.request, facts.request.csr
    if request.port_type != "full" or csr is None or not csr.numbers:
        return
    left_out = _left_out(csr.numbers, _requested_keys(request), set())
    if left_out:
        message = messages.full_port_numbers_left_out(left_out)
        yield finding("FULL_PORT_NUMBERS_LEFT_OUT", "csr.numbers", message)


def csr_line_features(facts: Facts) -> Iterator[Finding]:
    csr = facts.request.csr
    if csr is None:
        return
    seen: set[str] = set()
    for j, feature in enumerate(csr.line_features):
        if feature not in seen:
            seen.add(feature)
            message = messages.line_feature_risk(feature)
            yield finding("LINE_FEATURE_RISK", f"csr.line_features[{j}]", message)


# ---- what was read from the bill's and the CSR's files (issue 14)


def _read_documents(request: PortRequestIn) -> Iterator[tuple[str, PortBillIn | PortCsrIn]]:
    """The bill and the CSR that were read and read as the kind they were uploaded as."""
    for kind, document in (("bill", request.bill), ("csr", request.csr)):
        if document is None or document.read is None:
            continue
        if document.read.document_type in (None, kind):
            yield kind, document


def read_document_type(facts: Facts) -> Iterator[Finding]:
    for kind, document in (("bill", facts.request.bill), ("csr", facts.request.csr)):
        read = document.read if document is not None else None
        if read is not None and read.document_type not in (None, kind):
            message = messages.read_document_type(kind, read.document_type)
            yield finding("READ_DOCUMENT_TYPE", f"{kind}.read.document_type", message)


def read_bill_date(facts: Facts) -> Iterator[Finding]:
    """The bill's own date against the typed one: a stale read date is reported as stale
    (when the typed one is not: that is ``BILL_STALE``), any other difference as a
    mismatch."""
    request, bill = facts.request, facts.request.bill
    if bill is None or bill.read is None or bill.read.statement_date is None:
        return
    if bill.read.document_type not in (None, "bill"):
        return
    read_date = bill.read.statement_date
    if read_date == bill.statement_date:
        return
    field = "bill.read.statement_date"
    typed_stale = (request.as_of - bill.statement_date).days > MAX_DOCUMENT_AGE_DAYS
    if (request.as_of - read_date).days > MAX_DOCUMENT_AGE_DAYS and not typed_stale:
        message = messages.read_bill_stale(read_date, bill.statement_date, request.as_of)
        yield finding("READ_BILL_STALE", field, message)
    else:
        message = messages.read_fact_mismatch(
            "bill", "statement_date", bill.statement_date.isoformat(), read_date.isoformat()
        )
        yield finding("READ_FACT_MISMATCH", field, message)


_SAME: dict[str, Callable[[str, str], bool]] = {
    "account_name": lambda a, b: business_key(a) == business_key(b),
    "btn": lambda a, b: phone_key(a) == phone_key(b),
    "account_number": lambda a, b: account_key(a) == account_key(b),
}


def _shown(fact: str, value: str) -> str:
    if fact == "account_number":
        return messages.mask(value)
    if fact == "btn":
        phone = parse_phone(value)
        return phone.display if phone else value
    return value


def _read_address(read: PortReadIn, country: str) -> PortAddressIn | None:
    """The address read, when it is complete enough to compare (else nothing is said)."""
    found = read.service_address
    if found is None or any(
        _blank(v) for v in (found.street, found.city, found.state, found.postal_code)
    ):
        return None
    try:
        return PortAddressIn(
            street=found.street or "",
            unit=found.unit,
            city=found.city or "",
            state=found.state or "",
            postal_code=found.postal_code or "",
            country=country,  # type: ignore[arg-type]
        )
    except ValidationError:
        return None


def _typed_and_read(
    kind: str, fact: str, read: str, typed: str | None, ours: str | None
) -> Finding | None:
    """One fact read from a document against what was typed for it and the request's: a
    read value that differs from a typed one that matches the request (or from the request
    when nothing was typed) differs from the request; one that differs from a typed value
    that is itself not the request's differs from what was typed."""
    same = _SAME[fact]
    field = f"{kind}.read.{fact}"
    if not _blank(typed) and typed is not None:
        if same(read, typed):
            return None
        if ours is None or _blank(ours) or not same(typed, ours):
            message = messages.read_fact_mismatch(
                kind, fact, _shown(fact, typed), _shown(fact, read)
            )
            return finding("READ_FACT_MISMATCH", field, message)
    if ours is None or _blank(ours) or same(read, ours):
        return None
    message = messages.read_request_mismatch(kind, fact, _shown(fact, read), _shown(fact, ours))
    return finding("READ_REQUEST_MISMATCH", field, message)


def read_facts_against_request(facts: Facts) -> Iterator[Finding]:
    """The account name, BTN, account number and service address read from the bill and the
    CSR against what was typed for the document and the request's."""
    request = facts.request
    for kind, document in _read_documents(request):
        read = document.read
        assert read is not None
        typed_btn = document.btn if isinstance(document, PortCsrIn) else None
        typed_account = document.account_number if isinstance(document, PortCsrIn) else None
        values = (
            ("account_name", read.account_name, document.account_name, request.business_name),
            ("btn", read.btn, typed_btn, request.btn),
            ("account_number", read.account_number, typed_account, request.account_number),
        )
        for fact, value, typed, ours in values:
            if value is None or _blank(value):
                continue
            found = _typed_and_read(kind, fact, value, typed, ours)
            if found is not None:
                yield found
        address = _read_address(read, request.service_address.country)
        if address is None:
            continue
        field = f"{kind}.read.service_address"
        typed_address = document.service_address
        if not compare_addresses(address, typed_address):
            continue
        if compare_addresses(typed_address, request.service_address):
            typed_line = messages.address_line(typed_address)
            message = messages.read_fact_mismatch(
                kind, "service_address", typed_line, messages.address_line(address)
            )
            yield finding("READ_FACT_MISMATCH", field, message)
        else:
            message = messages.read_request_mismatch(
                kind,
                "service_address",
                messages.address_line(address),
                messages.address_line(request.service_address),
            )
            yield finding("READ_REQUEST_MISMATCH", field, message)


def read_numbers(facts: Facts) -> Iterator[Finding]:
    """A number to port that a document listing the account's numbers does not list (a
    number the typed CSR already leaves out is ``NUMBER_NOT_ON_ACCOUNT``)."""
    request = facts.request
    listed: list[tuple[str, set[str]]] = []
    for kind, document in _read_documents(request):
        assert document.read is not None
        if document.read.numbers and document.read.numbers_complete:
            listed.append((kind, {phone_key(n) for n in document.read.numbers}))
    if not listed:
        return
    typed = {phone_key(n) for n in request.csr.numbers} if request.csr is not None else set()
    for i, phone in facts.ported:
        if typed and phone.e164 not in typed:
            continue
        missing = [kind for kind, numbers in listed if phone.e164 not in numbers]
        if missing:
            message = messages.read_number_not_on_document(phone.display, missing)
            yield finding("READ_NUMBER_NOT_ON_DOCUMENT", _number_field(i), message)


def read_numbers_left_out(facts: Facts) -> Iterator[Finding]:
    """A full port that leaves out numbers read from the bill or the CSR, one finding per
    document (numbers the typed CSR lists are ``FULL_PORT_NUMBERS_LEFT_OUT`` already)."""
    request = facts.request
    if request.port_type != "full":
        return
    requested = _requested_keys(request)
    typed = {phone_key(n) for n in request.csr.numbers} if request.csr is not None else set()
    for kind, document in _read_documents(request):
        assert document.read is not None
        left_out = _left_out(document.read.numbers, requested, typed)
        if left_out:
            message = messages.read_numbers_left_out(kind, left_out)
            yield finding("READ_NUMBERS_LEFT_OUT", f"{kind}.read.numbers", message)


def read_line_features(facts: Facts) -> Iterator[Finding]:
    """A line feature read from the bill or the CSR that the typed CSR does not list (a
    listed one is reported at the CSR's ``line_features``), once per feature."""
    request = facts.request
    seen: set[str] = set(request.csr.line_features) if request.csr is not None else set()
    for kind, document in _read_documents(request):
        assert document.read is not None
        for j, feature in enumerate(document.read.line_features):
            if feature not in seen:
                seen.add(feature)
                message = messages.read_line_feature_risk(kind, feature)
                yield finding("LINE_FEATURE_RISK", f"{kind}.read.line_features[{j}]", message)


def read_authorized_names(facts: Facts) -> Iterator[Finding]:
    """The authorized person against the authorized names read, when the typed CSR lists
    none (when it lists some, ``AUTHORIZED_PERSON_MISMATCH`` compares with those)."""
    request, name = facts.request, facts.authorized_name
    if name is None:
        return
    if request.csr is not None and any(not _blank(n) for n in request.csr.authorized_names):
        return
    for kind, document in _read_documents(request):
        assert document.read is not None
        read_names = [n for n in document.read.authorized_names if not _blank(n)]
        if read_names and not any(same_person(name, n) for n in read_names):
            message = messages.read_authorized_person_mismatch(kind, name, read_names)
            yield finding("READ_REQUEST_MISMATCH", f"{kind}.read.authorized_names", message)


# ---- shared lines


def shared_line(facts: Facts) -> Iterator[Finding]:
    uses = list(dict.fromkeys(facts.request.shared_line_uses))
    if uses:
        yield finding("SHARED_LINE", "shared_line_uses", messages.shared_line(uses))


RULES: tuple[Rule, ...] = (
    number_invalid,
    number_duplicate,
    mixed_countries,
    toll_free_mixed,
    btn_present_and_valid,
    new_btn_required,
    account_number_missing,
    pin_required,
    google_voice_unlock,
    authorized_person_missing,
    service_address_po_box,
    postal_code_invalid,
    loa_checks,
    bill_checks,
    csr_missing,
    csr_name_and_address,
    csr_btn,
    csr_account_number,
    csr_authorized_person,
    csr_numbers,
    full_port_numbers_left_out,
    csr_line_features,
    read_document_type,
    read_bill_date,
    read_facts_against_request,
    read_numbers,
    read_numbers_left_out,
    read_line_features,
    read_authorized_names,
    shared_line,
)
