"""Reads of received faxes, scoped to the actor."""

from __future__ import annotations

from django.db.models import QuerySet

from faxline.accounts.access import Actor
from faxline.core.errors import NotFound
from faxline.faxing.inbound.access import inbound_visible_q
from faxline.faxing.inbound.models import DeliveryStatus, InboundFax


def inbound_fax_list(
    *, actor: Actor, undeliverable: bool = False, to_number: str = ""
) -> QuerySet[InboundFax]:
    """The received faxes the actor may see, newest first; ``undeliverable`` keeps those no
    one received (no route, a locked user, no receiving address, unreadable)."""
    qs = InboundFax.objects.filter(inbound_visible_q(actor))
    if undeliverable:
        qs = qs.filter(delivery_status__in=[DeliveryStatus.UNDELIVERABLE, DeliveryStatus.FAILED])
    if to_number:
        qs = qs.filter(to_number=to_number)
    return qs.order_by("-received_at", "-id")


def inbound_fax_get(*, actor: Actor, fax_id: int) -> InboundFax:
    """One received fax the actor may see; any other (or none) is 404."""
    fax = InboundFax.objects.filter(inbound_visible_q(actor), pk=fax_id).first()
    if fax is None:
        raise NotFound("Received fax not found.", field="id")
    return fax
