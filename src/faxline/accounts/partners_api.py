"""REST API of channel partners: operators add partners, give them sign-ins and assign
client companies to them; partner staff see only their own clients."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from faxline.accounts import selectors
from faxline.accounts.api_auth import actor_of
from faxline.accounts.schemas import InputSchema
from faxline.accounts.services.partners import (
    channel_partner_create,
    channel_partner_staff_create,
    company_assign_channel_partner,
)

router = Router(tags=["Channel partners"])


class ChannelPartnerOut(Schema):
    id: int
    name: str
    created_at: datetime
    company_ids: list[int]


class ChannelPartnerPage(Schema):
    items: list[ChannelPartnerOut]
    count: int


class ChannelPartnerCreate(InputSchema):
    name: str = Field(description="Unique (case-insensitive) partner name.")


class PartnerStaffCreate(InputSchema):
    first_name: str
    last_name: str
    email: str
    username: str | None = None
    use_email_as_username: bool = False
    password: str | None = None
    generate_password: bool = False


class PartnerStaffOut(Schema):
    id: int
    username: str
    email: str
    channel_partner_id: int
    generated_password: str | None


class PartnerAssign(InputSchema):
    channel_partner_id: int | None = Field(description="None: no partner.")


def _out(partner: object) -> ChannelPartnerOut:
    from faxline.accounts.models import ChannelPartner

    assert isinstance(partner, ChannelPartner)
    return ChannelPartnerOut(
        id=partner.pk,
        name=partner.name,
        created_at=partner.created_at,
        company_ids=sorted(partner.companies.values_list("pk", flat=True)),
    )


@router.get("/channel-partners", response=ChannelPartnerPage, summary="List channel partners")
def list_partners(request: HttpRequest) -> ChannelPartnerPage:
    """Operators: every partner; partner staff: their own."""
    items = [_out(p) for p in selectors.channel_partner_list(actor=actor_of(request))]
    return ChannelPartnerPage(items=items, count=len(items))


@router.post(
    "/channel-partners", response={201: ChannelPartnerOut}, summary="Add a channel partner"
)
def create_partner(
    request: HttpRequest, payload: ChannelPartnerCreate
) -> Status[ChannelPartnerOut]:
    partner = channel_partner_create(actor=actor_of(request), name=payload.name)
    return Status(201, _out(partner))


@router.post(
    "/channel-partners/{partner_id}/staff",
    response={201: PartnerStaffOut},
    summary="Give a channel partner a sign-in",
)
def create_staff(
    request: HttpRequest, partner_id: int, payload: PartnerStaffCreate
) -> Status[PartnerStaffOut]:
    actor = actor_of(request)
    partner = selectors.channel_partner_get(actor=actor, channel_partner_id=partner_id)
    created = channel_partner_staff_create(actor=actor, partner=partner, **payload.model_dump())
    return Status(
        201,
        PartnerStaffOut(
            id=created.user.pk,
            username=created.user.username,
            email=created.user.email,
            channel_partner_id=partner.pk,
            generated_password=created.generated_password,
        ),
    )


@router.put(
    "/companies/{company_id}/channel-partner",
    response=ChannelPartnerPage,
    summary="Assign a company to a channel partner (operators)",
)
def assign_partner(
    request: HttpRequest, company_id: int, payload: PartnerAssign
) -> ChannelPartnerPage:
    actor = actor_of(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    partner = (
        selectors.channel_partner_get(actor=actor, channel_partner_id=payload.channel_partner_id)
        if payload.channel_partner_id is not None
        else None
    )
    company_assign_channel_partner(actor=actor, company=company, partner=partner)
    items = [_out(partner)] if partner else []
    return ChannelPartnerPage(items=items, count=len(items))
