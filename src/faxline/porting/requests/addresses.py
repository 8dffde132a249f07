"""The company's service address book ("Choose Existing Address" / "+ New Service Address").

The guide: the service address may differ from the billing address; the losing carrier's
Customer Service Record shows it. A company keeps the addresses it used before so the next
request can choose one instead of typing it again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.accounts.validation import clean_text
from faxline.core.audit import audit_record
from faxline.core.errors import NotFound, ValidationFailed
from faxline.porting.access import may_see_company_porting, may_write_company_requests
from faxline.porting.models import ServiceAddress
from faxline.porting.requests.fields import ADDRESS_FIELDS, BY_NAME, max_length


def service_address_list(*, actor: Actor, company: Company) -> QuerySet[ServiceAddress]:
    """The company's service addresses, for "Choose Existing Address"."""
    if not may_see_company_porting(actor, company):
        return ServiceAddress.objects.none()
    return ServiceAddress.objects.filter(company=company).order_by("street", "city", "pk")


def service_address_get(*, actor: Actor, company: Company, address_id: int) -> ServiceAddress:
    address = service_address_list(actor=actor, company=company).filter(pk=address_id).first()
    if address is None:
        raise NotFound("Service address not found.", field="service_address_id")
    return address


def clean_address(data: dict[str, Any]) -> dict[str, str]:
    """Shape checks of an address (what the losing carrier compares is the validator's)."""
    out = {
        name: clean_text(
            data.get(name),
            field=name,
            max_length=BY_NAME[name].max_length,
            required=BY_NAME[name].required,
        )
        for name in ("street", "unit", "city")
    }
    state = clean_text(
        data.get("state"), field="state", max_length=max_length("state"), required=True
    ).upper()
    if len(state) != 2 or not state.isalpha():
        raise ValidationFailed("state must be the two-letter code.", field="state")
    out["state"] = state
    out["postal_code"] = clean_text(
        data.get("postal_code"),
        field="postal_code",
        max_length=max_length("postal_code"),
        required=True,
    ).upper()
    country = data.get("country") or "US"
    if country not in ("US", "CA"):
        raise ValidationFailed("country must be US or CA.", field="country")
    out["country"] = country
    return out


def _key(values: dict[str, str]) -> tuple[str, ...]:
    return tuple(" ".join(values[name].split()).casefold() for name in ADDRESS_FIELDS)


@transaction.atomic
def service_address_save(*, actor: Actor, company: Company, data: dict[str, Any]) -> ServiceAddress:
    """Keep an address in the company's book (+ New Service Address); an address already
    there (same text, case and spacing aside) is returned instead of a copy."""
    may_write_company_requests(actor, company).check()
    values = clean_address(data)
    wanted = _key(values)
    for existing in ServiceAddress.objects.select_for_update().filter(company=company):
        if _key({name: getattr(existing, name) for name in ADDRESS_FIELDS}) == wanted:
            return existing
    address = ServiceAddress.objects.create(company=company, **values)
    audit_record(
        kind="service_address.created",
        actor=actor.user,
        company=company,
        target=address,
        ip_address=actor.ip_address,
        detail={"city": address.city, "state": address.state},
    )
    return address
