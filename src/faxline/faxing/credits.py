"""Fax credits: the monthly allotment, charging pages sent and received, the balance.

The fax engine calls :func:`credits_charge_outbound` before sending (a send without enough
credits is refused with ``insufficient_credits``) and :func:`credits_charge_inbound` on
reception (reception is never refused; the balance may go below zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.core.audit import audit_record
from faxline.core.errors import Conflict, NotFound, ValidationFailed
from faxline.faxing.access import may_manage_credits
from faxline.faxing.models import CreditAccount, CreditEntry, CreditEntryKind, CreditPlan

DEFAULT_PLAN = "Standard"


def period_of(moment: datetime | None = None) -> str:
    return (moment or timezone.now()).strftime("%Y-%m")


def plan_of(company: Company) -> CreditPlan:
    account = CreditAccount.objects.filter(company=company).select_related("plan").first()
    if account is not None:
        return account.plan
    plan, _ = CreditPlan.objects.get_or_create(name=DEFAULT_PLAN)
    return plan


def _ensure_allotment(company: Company, period: str) -> None:
    if CreditEntry.objects.filter(company=company, period=period, kind="allotment").exists():
        return
    plan = plan_of(company)
    try:
        with transaction.atomic():
            CreditEntry.objects.create(
                company=company,
                period=period,
                kind=CreditEntryKind.ALLOTMENT,
                credits=plan.monthly_credits,
                note=f"{plan.name} plan, {period}",
            )
    except IntegrityError:
        pass  # another process granted it first


@dataclass(frozen=True)
class CreditBalance:
    period: str
    allotment: int
    used: int
    balance: int
    plan: str


def credits_balance(company: Company) -> CreditBalance:
    period = period_of()
    _ensure_allotment(company, period)
    entries = CreditEntry.objects.filter(company=company, period=period)
    total = entries.aggregate(s=Sum("credits"))["s"] or 0
    allotment = entries.filter(kind="allotment").aggregate(s=Sum("credits"))["s"] or 0
    used = -(entries.filter(credits__lt=0).aggregate(s=Sum("credits"))["s"] or 0)
    return CreditBalance(period, allotment, used, total, plan_of(company).name)


def page_cost(company: Company, *, pages: int, international: bool) -> int:
    plan = plan_of(company)
    rate = plan.international_page_credits if international else plan.domestic_page_credits
    return pages * rate


def _charge(
    company: Company, *, kind: str, pages: int, international: bool, reference: str, strict: bool
) -> CreditEntry:
    if pages < 1:
        raise ValidationFailed("pages must be at least 1.", field="pages")
    period = period_of()
    _ensure_allotment(company, period)
    cost = page_cost(company, pages=pages, international=international)
    with transaction.atomic():
        # Lock the company row: concurrent sends of one company are charged one at a time.
        Company.objects.select_for_update().filter(pk=company.pk).first()
        if reference:
            existing = CreditEntry.objects.filter(
                company=company, kind=kind, reference=reference
            ).first()
            if existing is not None:
                return existing  # idempotent: a retried charge is not charged twice
        if strict:
            balance = (
                CreditEntry.objects.filter(company=company, period=period).aggregate(
                    s=Sum("credits")
                )["s"]
                or 0
            )
            if balance < cost:
                raise Conflict(
                    f"Not enough fax credits: this fax needs {cost} credits and "
                    f"{max(balance, 0)} are left this month. Ask your administrator to add "
                    "credits or wait for next month's allotment.",
                    code="insufficient_credits",
                )
        return CreditEntry.objects.create(
            company=company,
            period=period,
            kind=kind,
            pages=pages,
            international=international,
            credits=-cost,
            reference=reference[:100],
        )


def credits_charge_outbound(
    *, company: Company, pages: int, international: bool, reference: str = ""
) -> CreditEntry:
    """Charge pages about to be sent; refused when the balance does not cover them."""
    return _charge(
        company,
        kind=CreditEntryKind.OUTBOUND,
        pages=pages,
        international=international,
        reference=reference,
        strict=True,
    )


def credits_charge_inbound(
    *, company: Company, pages: int, international: bool = False, reference: str = ""
) -> CreditEntry:
    """Charge pages received (never refused)."""
    return _charge(
        company,
        kind=CreditEntryKind.INBOUND,
        pages=pages,
        international=international,
        reference=reference,
        strict=False,
    )


def credits_refund_outbound(*, company: Company, credits: int, reference: str) -> None:
    """Give back credits reserved for a fax that was not delivered (failed or cancelled):
    an adjustment referring to the charge, at most once per reference."""
    if credits <= 0:
        return
    try:
        with transaction.atomic():
            CreditEntry.objects.create(
                company=company,
                period=period_of(),
                kind=CreditEntryKind.ADJUSTMENT,
                credits=credits,
                reference=f"refund:{reference}"[:100],
                note="Fax not delivered: credits given back",
            )
    except IntegrityError:
        pass  # already given back


@transaction.atomic
def credits_adjust(*, actor: Actor, company: Company, credits: int, note: str) -> CreditEntry:
    """Operators add (or remove) credits for the current month, with a reason."""
    may_manage_credits(actor).check()
    if not actor.sees_company(company):
        raise NotFound("Company not found.", field="company_id")
    if isinstance(credits, bool) or not isinstance(credits, int) or credits == 0:
        raise ValidationFailed("credits must be a non-zero whole number.", field="credits")
    if abs(credits) > 1_000_000:
        raise ValidationFailed("credits must be within ±1,000,000.", field="credits")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("Say why the credits are adjusted.", field="note")
    entry = CreditEntry.objects.create(
        company=company,
        period=period_of(),
        kind=CreditEntryKind.ADJUSTMENT,
        credits=credits,
        note=note[:200],
        actor=actor.user,
    )
    audit_record(
        kind="credits.adjusted",
        actor=actor.user,
        company=company,
        target=company,
        ip_address=actor.ip_address,
        detail={"credits": credits, "note": note[:200]},
    )
    return entry


@transaction.atomic
def credits_set_plan(*, actor: Actor, company: Company, plan: CreditPlan) -> CreditAccount:
    """Operators put a company on a plan (from next month's allotment on)."""
    may_manage_credits(actor).check()
    account, _ = CreditAccount.objects.update_or_create(company=company, defaults={"plan": plan})
    audit_record(
        kind="credits.plan_changed",
        actor=actor.user,
        company=company,
        target=company,
        ip_address=actor.ip_address,
        detail={"plan": plan.name},
    )
    return account
