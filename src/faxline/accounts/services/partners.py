"""Channel partners: add partners, their staff sign-ins, assign client companies."""

from __future__ import annotations

from django.db import transaction

from faxline.accounts.access import Actor, may_manage_partners
from faxline.accounts.choices import Role
from faxline.accounts.models import (
    ChannelPartner,
    Company,
    User,
)
from faxline.accounts.services.people import CreatedAccount, new_person, save_new_account
from faxline.accounts.validation import (
    clean_text,
)
from faxline.core.audit import audit_record
from faxline.core.errors import ValidationFailed


@transaction.atomic
def channel_partner_create(*, actor: Actor, name: str) -> ChannelPartner:
    """Operators add a channel partner (a reseller who onboards client companies)."""
    may_manage_partners(actor).check()
    name = clean_text(name, field="name", max_length=200, required=True)
    if ChannelPartner.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(f"A channel partner named {name!r} already exists.", field="name")
    partner = ChannelPartner.objects.create(name=name)
    audit_record(
        kind="channel_partner.created",
        actor=actor.user,
        company=None,
        target=partner,
        ip_address=actor.ip_address,
    )
    return partner


def channel_partner_staff_create(
    *,
    actor: Actor,
    partner: ChannelPartner,
    first_name: str,
    last_name: str,
    email: str,
    username: str | None = None,
    use_email_as_username: bool = False,
    password: str | None = None,
    generate_password: bool = False,
) -> CreatedAccount:
    """Operators give a channel partner a sign-in; it sees only the partner's clients."""
    may_manage_partners(actor).check()
    person = new_person(
        first_name=first_name,
        last_name=last_name,
        email=email,
        username=username,
        use_email_as_username=use_email_as_username,
        password=password,
        generate_password=generate_password,
        company=None,
        department=None,
    )
    with transaction.atomic():
        staff = User(**person.identity(), role=Role.CHANNEL_PARTNER, channel_partner=partner)
        created = save_new_account(staff, person)
        audit_record(
            kind="channel_partner.staff_created",
            actor=actor.user,
            company=None,
            target=staff,
            ip_address=actor.ip_address,
            detail={"channel_partner_id": partner.pk},
        )
    return created


@transaction.atomic
def company_assign_channel_partner(
    *, actor: Actor, company: Company, partner: ChannelPartner | None
) -> Company:
    """Operators assign a client company to a channel partner (or take it away)."""
    may_manage_partners(actor).check()
    before = company.channel_partner_id
    company.channel_partner = partner
    company.save(update_fields=["channel_partner"])
    audit_record(
        kind="company.channel_partner_changed",
        actor=actor.user,
        company=company,
        target=company,
        ip_address=actor.ip_address,
        detail={"before": before, "after": partner.pk if partner else None},
    )
    return company
