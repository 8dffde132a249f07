"""Reads of the emails the gateway received, scoped to the acting person."""

from __future__ import annotations

from django.db.models import QuerySet

from faxline.accounts.access import Actor
from faxline.core.errors import ValidationFailed
from faxline.gateway.access import may_see_gateway_messages
from faxline.gateway.choices import MessageStatus
from faxline.gateway.models import GatewayMessage


def gateway_message_list(*, actor: Actor, status: str = "") -> QuerySet[GatewayMessage]:
    """The received emails, newest first, as the actor may see them (a message of an unknown
    sender belongs to no company: operators only)."""
    may_see_gateway_messages(actor).check()
    qs = GatewayMessage.objects.filter(actor.in_companies_q()).order_by("-received_at", "-id")
    if status:
        if status not in MessageStatus.values:
            raise ValidationFailed(
                "status must be one of " + ", ".join(MessageStatus.values) + ".", field="status"
            )
        qs = qs.filter(status=status)
    return qs
