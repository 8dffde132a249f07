"""Fax credits: monthly allotment, charges, international pages, refusal, adjustments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from faxline.core.errors import Conflict, Forbidden, ValidationFailed
from faxline.faxing import credits
from faxline.faxing.models import CreditEntry, CreditPlan

from cast import Cast


@pytest.fixture
def small_plan(cast: Cast) -> CreditPlan:
    plan = CreditPlan.objects.create(name="Tiny", monthly_credits=10, international_page_credits=4)
    credits.credits_set_plan(actor=cast.actor(cast.operator), company=cast.company, plan=plan)
    return plan


@time_machine.travel(datetime(2026, 11, 10, tzinfo=UTC))
def test_balance_and_charges(cast: Cast, small_plan: CreditPlan) -> None:
    assert credits.credits_balance(cast.company).balance == 10
    credits.credits_charge_outbound(
        company=cast.company, pages=3, international=False, reference="job-1"
    )
    credits.credits_charge_outbound(
        company=cast.company, pages=1, international=True, reference="job-2"
    )
    credits.credits_charge_inbound(company=cast.company, pages=2, reference="in-1")
    balance = credits.credits_balance(cast.company)
    assert (balance.allotment, balance.used, balance.balance) == (10, 9, 1)
    # A retried charge with the same reference is not charged twice.
    credits.credits_charge_outbound(
        company=cast.company, pages=3, international=False, reference="job-1"
    )
    assert credits.credits_balance(cast.company).balance == 1


@time_machine.travel(datetime(2026, 11, 10, tzinfo=UTC))
def test_send_without_credits_refused_receive_not(cast: Cast, small_plan: CreditPlan) -> None:
    with pytest.raises(Conflict) as err:
        credits.credits_charge_outbound(company=cast.company, pages=3, international=True)
    assert err.value.code == "insufficient_credits"
    assert "needs 12 credits and 10 are left" in err.value.message
    assert not CreditEntry.objects.filter(kind="outbound").exists()
    credits.credits_charge_inbound(company=cast.company, pages=11)
    assert credits.credits_balance(cast.company).balance == -1


def test_new_month_new_allotment(cast: Cast, small_plan: CreditPlan) -> None:
    with time_machine.travel(datetime(2026, 11, 30, 23, tzinfo=UTC)):
        credits.credits_charge_outbound(company=cast.company, pages=10, international=False)
        assert credits.credits_balance(cast.company).balance == 0
    with time_machine.travel(datetime(2026, 12, 1, 1, tzinfo=UTC)):
        assert credits.credits_balance(cast.company).balance == 10


def test_adjust_is_operator_only_and_checked(cast: Cast, small_plan: CreditPlan) -> None:
    with pytest.raises(Forbidden):
        credits.credits_adjust(
            actor=cast.actor(cast.company_admin), company=cast.company, credits=5, note="x"
        )
    with pytest.raises(ValidationFailed):
        credits.credits_adjust(
            actor=cast.actor(cast.operator), company=cast.company, credits=5, note=" "
        )
    credits.credits_adjust(
        actor=cast.actor(cast.operator), company=cast.company, credits=5, note="goodwill"
    )
    assert credits.credits_balance(cast.company).balance == 15
