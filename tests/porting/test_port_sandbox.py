"""The SANDBOX carrier: a request that matches its CSR runs New → Pending → Scheduled →
Completed on its own business-day clock; one that disagrees is rejected with the real
carrier code and the fields to fix. Ticks are idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from desk_support import submitted
from django.core.management import call_command

from faxline.core.models import AuditEvent
from faxline.numbers.choices import NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.porting.carriers import carrier_for
from faxline.porting.carriers.sandbox import BOOK, SandboxCarrier, csr_for, review
from faxline.porting.choices import PortStatus
from faxline.porting.desk.services import porting_tick
from faxline.porting.models import PortEvent, PortRequest
from faxline.porting.requests import services

from cast import Cast


@pytest.fixture(autouse=True)
def _sandbox(settings) -> None:
    settings.FAXLINE_PORTING_CARRIER = "sandbox"


CARRIER_STEPS = ("accepted", "scheduled", "completed")


def day(d: int, month: int = 12) -> datetime:
    return datetime(2026, month, d, 15, tzinfo=UTC)


def status(request: PortRequest) -> str:
    request.refresh_from_db()
    return request.status


def test_a_matching_request_runs_to_completion_on_its_clock(cast: Cast) -> None:
    with time_machine.travel(day(7), tick=False) as clock:  # Monday
        request = submitted(cast)
        assert request.carrier == "sandbox"
        assert isinstance(carrier_for(request), SandboxCarrier)
        # The ETA follows the sandbox's intervals: 1 + 1 + 5 business days.
        assert request.eta == date(2026, 12, 16)
        assert porting_tick() == 0  # nothing happens at once
        assert status(request) == PortStatus.NEW

        clock.move_to(day(8))
        assert porting_tick() == 1
        assert status(request) == PortStatus.PENDING
        assert porting_tick() == 0  # idempotent: nothing more is due today

        clock.move_to(day(9))
        porting_tick()
        request.refresh_from_db()
        assert request.status == PortStatus.SCHEDULED
        assert request.foc_date == date(2026, 12, 16) == request.eta

        clock.move_to(day(15))
        assert porting_tick() == 0
        clock.move_to(day(16))
        assert porting_tick() == 1
        request.refresh_from_db()
        assert request.status == PortStatus.COMPLETED
        number = FaxNumber.objects.get(number="+12062345678")
        assert (number.company, number.user, number.status) == (
            cast.company,
            None,
            NumberStatus.IN_SERVICE,
        )
        kinds = [e.to_status for e in PortEvent.objects.filter(request=request) if e.to_status]
        assert kinds == ["draft", "new", "pending", "scheduled", "completed"]
        # Every step the carrier took is its own in the timeline, through the named
        # transition services (no person acted: the audit trail says "system").
        steps = PortEvent.objects.filter(request=request, kind__in=CARRIER_STEPS)
        assert sorted((e.kind, e.actor_label, e.actor_id) for e in steps) == [
            ("accepted", "SANDBOX carrier", None),
            ("completed", "SANDBOX carrier", None),
            ("scheduled", "SANDBOX carrier", None),
        ]
        ported = AuditEvent.objects.get(kind="number.ported_in")
        assert (ported.actor_id, ported.actor_label) == (None, "system")
        assert ported.detail["request_id"] == request.pk
        assert porting_tick() == 0


def test_the_foc_skips_holidays_and_weekends(cast: Cast) -> None:
    with time_machine.travel(day(17), tick=False) as clock:  # Thursday Dec 17
        request = submitted(cast)
        clock.move_to(day(18))
        porting_tick()
        clock.move_to(day(21))  # Monday
        porting_tick()
        request.refresh_from_db()
        # Dec 22, 23, 24, (25 Christmas), 28, 29 → the 5th business day is Dec 29.
        assert request.foc_date == date(2026, 12, 29)


def test_an_address_mismatch_is_rejected_with_7402(cast: Cast) -> None:
    with time_machine.travel(day(7), tick=False) as clock:
        request = submitted(cast, street="1331 Mockingbird Lane", unit="Suite 51")
        clock.move_to(day(8))
        porting_tick()
        clock.move_to(day(9))
        porting_tick()
        request.refresh_from_db()
        assert request.status == PortStatus.REJECTED
        assert request.rejection_code == "7402"
        assert request.fields_to_fix == ["street", "unit"]
        assert request.action_required
        assert "street number" in request.rejection_note and "SANDBOX" in request.rejection_note
        assert porting_tick() == 0  # a rejected request waits for the customer


@pytest.mark.parametrize(
    ("changes", "code", "fields"),
    [
        ({"account_number": "ACCT-000000"}, "7401", ["account_number"]),
        ({"business_name": "Acme Industries"}, "7404", ["business_name"]),
        ({"postal_code": "98102"}, "7402", ["postal_code"]),
        ({"authorized_name": "Wile E. Coyote"}, "7473", ["authorized_name"]),
        (
            {"numbers": [{"number": "+12062345679"}], "btn": "+12062345679"},
            "7445",
            ["btn"],
        ),
        (
            {"numbers": [{"number": "+12069998877"}], "btn": "+12069998877"},
            "7409",
            ["numbers"],
        ),
        (
            {"business_name": "Acme Industries", "account_number": "X1"},
            "7408",
            ["account_number", "business_name"],
        ),
    ],
)
def test_review_codes(cast: Cast, changes, code, fields) -> None:
    with time_machine.travel(day(7), tick=False):
        request = submitted(cast, **changes)
    verdict = review(request)
    assert verdict is not None
    assert (verdict.code, verdict.fields_to_fix) == (code, fields)
    assert "ACCT" not in verdict.note  # never the credentials


def test_equivalent_spellings_are_accepted(cast: Cast) -> None:
    with time_machine.travel(day(7), tick=False):
        request = submitted(
            cast,
            street="1313 MOCKINGBIRD LN.",
            unit="Ste 15",
            business_name="ACME Corporation",
            postal_code="98101-1234",
            account_number="acct 998877",
        )
    assert review(request) is None


def test_wireless_pin(cast: Cast) -> None:
    globex = next(r for r in BOOK if r.pin)
    base = {
        "numbers": [{"number": globex.numbers[0], "line_type": "wireless"}],
        "btn": globex.btn,
        "account_number": globex.account_number,
        "business_name": globex.account_name,
        "authorized_name": globex.authorized_names[0],
        "street": globex.street,
        "unit": "",
        "city": globex.city,
        "state": globex.state,
        "postal_code": globex.postal_code,
    }
    with time_machine.travel(day(7), tick=False):
        wrong = submitted(cast, pin="0000", **base)
    verdict = review(wrong)
    assert verdict is not None and (verdict.code, verdict.fields_to_fix) == ("7435", ["pin"])
    assert "0000" not in verdict.note and globex.pin not in verdict.note
    services.port_request_cancel(actor=cast.actor(cast.operator), request=wrong)
    with time_machine.travel(day(7), tick=False):
        right = submitted(cast, pin=globex.pin, **base)
    assert review(right) is None


def test_manual_requests_are_left_alone(cast: Cast, settings) -> None:
    settings.FAXLINE_PORTING_CARRIER = "manual"
    with time_machine.travel(day(7), tick=False) as clock:
        request = submitted(cast)
        clock.move_to(day(21))
        assert porting_tick() == 0
        assert status(request) == PortStatus.NEW


def test_the_team_moving_first_is_respected(cast: Cast) -> None:
    with time_machine.travel(day(7), tick=False) as clock:
        request = submitted(cast)
        services.port_request_cancel(actor=cast.actor(cast.operator), request=request)
        clock.move_to(day(9))
        assert porting_tick() == 0
        assert status(request) == PortStatus.CANCELLED


def test_command_and_task(cast: Cast) -> None:
    from faxline.porting.tasks import tick

    with time_machine.travel(day(7), tick=False) as clock:
        request = submitted(cast)
        clock.move_to(day(8))
        out = StringIO()
        call_command("porting_tick", stdout=out)
        assert "1 port request(s) advanced" in out.getvalue()
        assert status(request) == PortStatus.PENDING
        clock.move_to(day(9))
        assert tick.call() == 1
        assert status(request) == PortStatus.SCHEDULED


def test_book_lookup() -> None:
    assert csr_for("+1 (206) 234-5678") is not None
    assert csr_for("+12069998877") is None
