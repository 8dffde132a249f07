"""REST API of fax credits: the month's balance, the ledger, operators' adjustments."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from faxline.accounts.access import Actor
from faxline.accounts.api_auth import actor_of
from faxline.accounts.models import Company
from faxline.accounts.schemas import InputSchema
from faxline.accounts.selectors import actor_company, company_get
from faxline.core.errors import ValidationFailed
from faxline.core.pagination import paginate
from faxline.faxing import credits
from faxline.faxing.access import may_see_credits
from faxline.faxing.models import CreditEntry, CreditPlan

router = Router(tags=["Fax credits"])


class BalanceOut(Schema):
    company_id: int
    period: str = Field(description="The month, YYYY-MM.")
    plan: str
    allotment: int
    used: int
    balance: int


class EntryOut(Schema):
    id: int
    period: str
    kind: str
    pages: int
    international: bool
    credits: int
    reference: str
    note: str
    created_at: datetime


class EntryPage(Schema):
    items: list[EntryOut]
    count: int


class AdjustmentIn(InputSchema):
    credits: int = Field(description="Credits to add (negative: to remove) this month.")
    note: str = Field(description="Why.")


class PlanIn(InputSchema):
    plan: str = Field(description="The name of an existing credit plan.")


def _company(actor: Actor, company_id: int | None) -> Company:
    company = (
        company_get(actor=actor, company_id=company_id)
        if company_id is not None
        else actor_company(actor=actor)
    )
    may_see_credits(actor).check()
    return company


def _balance(company: Company) -> BalanceOut:
    b = credits.credits_balance(company)
    return BalanceOut(
        company_id=company.pk,
        period=b.period,
        plan=b.plan,
        allotment=b.allotment,
        used=b.used,
        balance=b.balance,
    )


@router.get("/credits", response=BalanceOut, summary="This month's fax credits")
def balance(request: HttpRequest, company_id: int | None = None) -> BalanceOut:
    return _balance(_company(actor_of(request), company_id))


@router.get("/credits/ledger", response=EntryPage, summary="The credit ledger")
def ledger(
    request: HttpRequest,
    company_id: int | None = None,
    period: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> EntryPage:
    """Allotments, pages sent and received, and adjustments, newest first."""
    company = _company(actor_of(request), company_id)
    qs = CreditEntry.objects.filter(company=company).order_by("-created_at", "-id")
    if period:
        qs = qs.filter(period=period)
    items, count = paginate(qs, limit=limit, offset=offset)
    return EntryPage(
        items=[EntryOut.model_validate(e, from_attributes=True) for e in items], count=count
    )


@router.post(
    "/companies/{company_id}/credits/adjustments",
    response={201: BalanceOut},
    summary="Adjust a company's credits (operators)",
)
def adjust(request: HttpRequest, company_id: int, payload: AdjustmentIn) -> Status[BalanceOut]:
    actor = actor_of(request)
    company = company_get(actor=actor, company_id=company_id)
    credits.credits_adjust(actor=actor, company=company, credits=payload.credits, note=payload.note)
    return Status(201, _balance(company))


@router.put(
    "/companies/{company_id}/credits/plan",
    response=BalanceOut,
    summary="Put a company on a credit plan (operators)",
)
def set_plan(request: HttpRequest, company_id: int, payload: PlanIn) -> BalanceOut:
    actor = actor_of(request)
    company = company_get(actor=actor, company_id=company_id)
    plan = CreditPlan.objects.filter(name=payload.plan).first()
    if plan is None:
        raise ValidationFailed(f"There is no credit plan named {payload.plan!r}.", field="plan")
    credits.credits_set_plan(actor=actor, company=company, plan=plan)
    return _balance(company)
