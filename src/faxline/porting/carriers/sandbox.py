"""SANDBOX carrier: a simulation of the upstream provider and the losing carrier, for demos
and tests. Nothing here reaches a real carrier.

It holds a book of Customer Service Records (CSRs) of fictional accounts (:data:`BOOK`). A
number that is not in the book is unknown to the simulated losing carrier. On its
business-day clock (``tick``, driven by the scheduler, ``faxline porting_tick`` or the
``porting.tasks.tick`` task; time comes from ``timezone.now()`` so tests travel with
time-machine):

1. New → Pending one business day after submission (the upstream provider's approval);
2. one business day later the losing carrier answers: it compares the request with the CSR
   as a careful clerk would (the validation engine's normalizers) and rejects with the real
   carrier code and the fields to fix — 7409 unknown number, 7401 account number, 7435 PIN,
   7445 BTN, 7404 business name, 7402 service address, 7473 authorizing name, 7408 when
   several disagree — or commits to an FOC five business days later (the numbers' country
   calendar; later if the customer asked for a later date): Pending → Scheduled;
3. on the FOC date the port completes (``porting.completion``; the numbers enter the
   inventory linked as the request says, else unassigned).

Each step is a named transition service of ``porting.requests`` (accept, reject, schedule,
complete), called as the system actor :data:`ACTOR` so the timeline says the sandbox did it;
each is a compare-and-set transition: ticks are idempotent and may run concurrently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from faxline.accounts.access import SystemActor
from faxline.core.calendar import add_business_days, is_business_day, next_business_day
from faxline.core.errors import DomainError
from faxline.numbers.plan import display_number
from faxline.porting.carriers import CarrierAdapter
from faxline.porting.choices import LineType, PortStatus, RejectionCode
from faxline.porting.models import PortRequest
from faxline.porting.validation.normalize import (
    account_key,
    compare_addresses,
    phone_key,
    same_business,
    same_person,
)
from faxline.porting.validation.request import PortAddressIn

log = logging.getLogger(__name__)

NAME = "sandbox"
LABEL = "SANDBOX (simulated carrier for demos and tests)"
# The simulated intervals, in business days of the numbers' country.
UPSTREAM_APPROVAL_DAYS = 1
LOSING_CARRIER_ANSWER_DAYS = 1
FOC_DAYS = 5
# Who acts in the timeline and the audit trail: the simulated carrier, not a person.
ACTOR = SystemActor(label="SANDBOX carrier")
ACTIVE = (PortStatus.NEW, PortStatus.PENDING, PortStatus.IN_PROGRESS, PortStatus.SCHEDULED)


def completion_business_days(country: str) -> int:
    """Business days from submission to completion on the sandbox's clock (for the ETA)."""
    return UPSTREAM_APPROVAL_DAYS + LOSING_CARRIER_ANSWER_DAYS + FOC_DAYS


@dataclass(frozen=True)
class CsrRecord:
    """One account of the simulated losing carrier, as its CSR shows it."""

    account_name: str
    street: str
    unit: str
    city: str
    state: str
    postal_code: str
    country: str
    btn: str
    account_number: str
    authorized_names: tuple[str, ...]
    numbers: tuple[str, ...]
    pin: str = ""  # wireless accounts: the port-out PIN
    carrier: str = "Old Telco"

    @property
    def address(self) -> PortAddressIn:
        return PortAddressIn(
            street=self.street,
            unit=self.unit or None,
            city=self.city,
            state=self.state,
            postal_code=self.postal_code,
            country=self.country,  # type: ignore[arg-type]
        )

    @property
    def address_line(self) -> str:
        unit = f", {self.unit}" if self.unit else ""
        return f"{self.street}{unit}, {self.city}, {self.state} {self.postal_code}"


# Fictional accounts. Acme Corp is the demo company (and the tests' standard request).
BOOK: tuple[CsrRecord, ...] = (
    CsrRecord(
        account_name="Acme Corp",
        street="1313 Mockingbird Lane",
        unit="Suite 15",
        city="Seattle",
        state="WA",
        postal_code="98101",
        country="US",
        btn="+12062345678",
        account_number="ACCT-998877",
        authorized_names=("Carol Chief",),
        numbers=("+12062345678", "+12062345679", "+12062345680"),
    ),
    CsrRecord(
        account_name="Initech LLC",
        street="4120 Freidrich Lane",
        unit="Building 2",
        city="Austin",
        state="TX",
        postal_code="78744",
        country="US",
        btn="+15122345670",
        account_number="512-ITL-0042",
        authorized_names=("Bill Lumbergh", "Ian Initial"),
        numbers=("+15122345670", "+15122345671"),
        carrier="Lone Star Bell",
    ),
    CsrRecord(
        account_name="Globex Corporation",
        street="742 Evergreen Terrace",
        unit="",
        city="Springfield",
        state="IL",
        postal_code="62704",
        country="US",
        btn="+12172345678",
        account_number="GLBX77001",
        authorized_names=("Hank Scorpio",),
        numbers=("+12172345678",),
        pin="4321",
        carrier="Prairie Wireless",
    ),
    CsrRecord(
        account_name="Maple Leaf Dental Inc.",
        street="100 King Street West",
        unit="Suite 2500",
        city="Toronto",
        state="ON",
        postal_code="M5X 1A9",
        country="CA",
        btn="+14162345678",
        account_number="TOR-100-2500",
        authorized_names=("Margaret Maple",),
        numbers=("+14162345678", "+14162345679"),
        carrier="Northern Tel",
    ),
)


def csr_for(number: str) -> CsrRecord | None:
    """The simulated losing carrier's record holding ``number`` (None: not found)."""
    key = phone_key(number)
    for record in BOOK:
        if key in record.numbers:
            return record
    return None


# --- the losing carrier's comparison ------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """A rejection: the carrier code, the note for the customer, the fields to fix."""

    code: str
    note: str
    fields_to_fix: list[str]


_ADDRESS_FIELDS = {
    "street number": "street",
    "directional": "street",
    "street name": "street",
    "street suffix": "street",
    "city": "city",
    "state": "state",
    "postal code": "postal_code",
    "country": "country",
}


def _address_of(request: PortRequest) -> PortAddressIn | None:
    try:
        return PortAddressIn(
            street=request.street,
            unit=request.unit or None,
            city=request.city,
            state=request.state,
            postal_code=request.postal_code,
            country=request.country,  # type: ignore[arg-type]
        )
    except ValidationError:
        return None


def review(request: PortRequest) -> Verdict | None:
    """Compare the request with the CSR of its numbers; None when the carrier accepts."""
    numbers = list(request.numbers.order_by("number").values_list("number", "line_type"))
    unknown = [n for n, _ in numbers if csr_for(n) is None]
    if unknown:
        shown = ", ".join(display_number(n) for n in unknown)
        return Verdict(
            RejectionCode.NUMBER_INACTIVE,
            f"SANDBOX losing carrier: no active service found for {shown}. Check the number "
            "with your current carrier.",
            ["numbers"],
        )
    records = {csr_for(n) for n, _ in numbers}
    if len(records) > 1:
        return Verdict(
            RejectionCode.ALL_DATA_MISMATCH,
            "SANDBOX losing carrier: the numbers belong to different accounts; submit one "
            "request per account.",
            ["numbers"],
        )
    record = records.pop()
    assert record is not None
    problems: list[tuple[str, str, list[str]]] = []
    if account_key(record.account_number) != account_key(request.account_number or ""):
        problems.append(
            (
                RejectionCode.ACCOUNT_NUMBER,
                "the account number does not match the account",
                ["account_number"],
            )
        )
    wireless = any(t == LineType.WIRELESS for _, t in numbers)
    if (record.pin or wireless) and (request.pin or "").strip() != record.pin:
        problems.append((RejectionCode.PIN, "the port-out PIN is wrong", ["pin"]))
    if phone_key(record.btn) != phone_key(request.btn or ""):
        problems.append(
            (
                RejectionCode.INVALID_BTN,
                "the billing telephone number is not the account's",
                ["btn"],
            )
        )
    if not same_business(record.account_name, request.business_name):
        problems.append(
            (
                RejectionCode.BUSINESS_NAME,
                "the business name differs from the account name",
                ["business_name"],
            )
        )
    ours = _address_of(request)
    difference = compare_addresses(record.address, ours) if ours is not None else None
    if ours is None or difference:
        parts = difference.parts if difference else ("street",)
        fields = sorted({_ADDRESS_FIELDS.get(p, "street") for p in parts if p != "unit"})
        if "unit" in parts:
            fields = sorted({*fields, "unit", *([] if request.unit else ["street"])})
        problems.append(
            (
                RejectionCode.ADDRESS_MISMATCH,
                f"the service address differs from the account's ({', '.join(parts)})",
                fields,
            )
        )
    if not any(same_person(request.authorized_name, n) for n in record.authorized_names):
        problems.append(
            (
                RejectionCode.AUTHORIZING_NAME,
                "the authorizing person is not authorized on the account",
                ["authorized_name"],
            )
        )
    if not problems:
        return None
    code = problems[0][0] if len(problems) == 1 else RejectionCode.ALL_DATA_MISMATCH
    fields = sorted({f for _, _, fs in problems for f in fs})
    what = "; ".join(text for _, text, _ in problems)
    return Verdict(
        code,
        f"SANDBOX losing carrier ({record.carrier}): {what}. Correct it to match the "
        "Customer Service Record and resubmit.",
        fields,
    )


def foc_for(request: PortRequest, today: date) -> date:
    """The FOC the simulated losing carrier commits to: five business days out, or the
    customer's requested date when later (moved to a business day)."""
    country = request.country or "US"
    foc = add_business_days(today, FOC_DAYS, country=country)
    wanted = request.requested_date
    if wanted and wanted > foc:
        foc = (
            wanted
            if is_business_day(wanted, country=country)
            else next_business_day(wanted, country=country)
        )
    return foc


# --- the adapter --------------------------------------------------------------------------


class SandboxCarrier(CarrierAdapter):
    """The SANDBOX carrier (see the module docstring)."""

    name = NAME
    label = LABEL

    def on_event(self, request_id: int, what: str) -> None:
        """The sandbox reacts on its own clock only (``tick``), never at once."""

    def tick(self) -> int:
        """Advance every due sandbox request by one step; returns how many changed."""
        today = timezone.localdate()
        ids = list(
            PortRequest.objects.filter(carrier=NAME, status__in=ACTIVE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        changed = 0
        for pk in ids:
            try:
                if self.advance(pk, today):
                    changed += 1
            except DomainError as exc:
                # Another process moved it first, or the porting team did: skip it.
                log.info("sandbox: request %s not advanced: %s", pk, exc.code)
        return changed

    @transaction.atomic
    def advance(self, request_id: int, today: date) -> bool:
        """One step of one request if it is due today (False when nothing was due)."""
        from faxline.porting.requests import services
        from faxline.porting.requests.completion import port_request_complete

        request = (
            PortRequest.objects.select_for_update()
            .select_related("company")
            .filter(pk=request_id, carrier=NAME, status__in=ACTIVE)
            .first()
        )
        if request is None:
            return False
        country = request.country or "US"
        since = timezone.localdate(request.status_changed_at)
        if request.status == PortStatus.NEW:
            if today < add_business_days(since, UPSTREAM_APPROVAL_DAYS, country=country):
                return False
            services.port_request_accept(
                actor=ACTOR,
                request=request,
                message="SANDBOX upstream provider approved it and sent it to the losing carrier",
            )
            return True
        if request.status in (PortStatus.PENDING, PortStatus.IN_PROGRESS):
            if today < add_business_days(since, LOSING_CARRIER_ANSWER_DAYS, country=country):
                return False
            verdict = review(request)
            if verdict is not None:
                services.port_request_reject(
                    actor=ACTOR,
                    request=request,
                    code=verdict.code,
                    note=verdict.note,
                    fields_to_fix=verdict.fields_to_fix,
                )
            else:
                services.port_request_schedule(
                    actor=ACTOR, request=request, foc_date=foc_for(request, today)
                )
            return True
        if request.status == PortStatus.SCHEDULED:
            if request.foc_date is None or today < request.foc_date:
                return False
            port_request_complete(actor=ACTOR, request=request, links={})
            return True
        return False
