"""Companies: Add Company and Company Details."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from faxline.accounts.access import Actor, may_add_company, may_change_company
from faxline.accounts.models import (
    ChannelPartner,
    Company,
)
from faxline.accounts.services.settings import settings_update_tabs
from faxline.accounts.validation import (
    clean_text,
)
from faxline.core.audit import audit_record
from faxline.core.errors import ValidationFailed


@transaction.atomic
def company_create(
    *,
    actor: Actor,
    name: str,
    channel_partner: ChannelPartner | None = None,
    domain: str = "",
) -> Company:
    """Create a client company (operators; channel partners for themselves)."""
    may_add_company(actor).check()
    if actor.is_partner:
        channel_partner = actor.user.channel_partner
    name = clean_text(name, field="name", max_length=200, required=True)
    if Company.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(f"A company named {name!r} already exists.", field="name")
    company = Company.objects.create(
        name=name,
        channel_partner=channel_partner,
        domain=clean_text(domain, field="domain", max_length=253),
    )
    audit_record(
        kind="company.created",
        actor=actor.user,
        company=company,
        target=company,
        ip_address=actor.ip_address,
    )
    return company


@transaction.atomic
def company_update(
    *,
    actor: Actor,
    company: Company,
    name: str | None = None,
    domain: str | None = None,
    settings: dict[str, dict[str, Any]] | None = None,
) -> Company:
    """Rename a company or change its domain (company-level administrators and up) and,
    in the same transaction, change settings tabs (the Custom tab saves the name and domain
    with the date and time settings): each tab as ``settings_update`` saves it, with its
    right and audit event. All or nothing."""
    if name is not None or domain is not None or not settings:
        may_change_company(actor, company).check()
    changed: list[str] = []
    if name is not None:
        name = clean_text(name, field="name", max_length=200, required=True)
        if Company.objects.filter(name__iexact=name).exclude(pk=company.pk).exists():
            raise ValidationFailed(f"A company named {name!r} already exists.", field="name")
        company.name = name
        changed.append("name")
    if domain is not None:
        company.domain = clean_text(domain, field="domain", max_length=253)
        changed.append("domain")
    company_save_fields(actor=actor, company=company, changed=changed, kind="company.updated")
    settings_update_tabs(actor=actor, owner=company, tabs=settings)
    return company


def company_save_fields(*, actor: Actor, company: Company, changed: list[str], kind: str) -> None:
    """Save the ``changed`` fields of ``company`` (nothing when none changed) and audit the
    change as ``kind``: the tail of every service that edits a company's own fields."""
    if not changed:
        return
    company.save(update_fields=changed)
    audit_record(
        kind=kind,
        actor=actor.user,
        company=company,
        target=company,
        ip_address=actor.ip_address,
        detail={"fields": changed},
    )
