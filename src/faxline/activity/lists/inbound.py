"""Inbound Activity's definition: the received faxes of the actor's scope (faxing's
``inbound_visible_q``), searched by reception date, filtered by our fax number, the caller,
department (with its sub-departments) and user, with the Partial filter.

Status, defined here once (the filter and the Status column agree):

- **Failed**: no page arrived, or the delivery failed (an unreadable image) or nobody could
  receive it (undeliverable: no user, a locked user, no receiving address);
- **In Progress**: pages arrived and the delivery is still to be made (pending or running);
- **Success**: pages arrived and were delivered.

A potential partial (the call ended without proper termination) is a separate question,
the Partial filter: a delivered partial fax is a Success with Partial "Yes".
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from faxline.accounts.access import Actor
from faxline.activity.lists.access import may_see_inbound_activity
from faxline.activity.lists.filters import (
    FAILED,
    IN_PROGRESS,
    SUCCESS,
    Column,
    ListDefinition,
    department_field,
    number_field,
    person_field,
)
from faxline.faxing.inbound.access import inbound_visible_q
from faxline.faxing.inbound.models import DeliveryStatus, InboundFax

NOT_DELIVERED = (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERABLE)
DELIVERING = (DeliveryStatus.PENDING, DeliveryStatus.DELIVERING)

STATUSES = {
    FAILED: Q(pages=0) | Q(delivery_status__in=NOT_DELIVERED),
    IN_PROGRESS: Q(pages__gt=0, delivery_status__in=DELIVERING),
    SUCCESS: Q(pages__gt=0, delivery_status=DeliveryStatus.DELIVERED),
}


def status_group(fax: InboundFax) -> str:
    """The Status of a received fax (the same rule as :data:`STATUSES`)."""
    if fax.pages == 0 or fax.delivery_status in NOT_DELIVERED:
        return FAILED
    if fax.delivery_status in DELIVERING:
        return IN_PROGRESS
    return SUCCESS


def inbound_scope(actor: Actor) -> QuerySet[InboundFax]:
    return InboundFax.objects.filter(inbound_visible_q(actor))


INBOUND = ListDefinition(
    name="inbound",
    title="Inbound Activity",
    fields=(
        number_field("number", "Fax Number", "to_number"),
        number_field("caller", "Caller", "from_number", lenient=True),
        department_field(),
        person_field("user", "User", "user"),
    ),
    columns=(
        Column("date", "Date"),
        Column("number", "Fax Number"),
        Column("caller", "Caller"),
        Column("csid", "Remote ID", shown=False),
        Column("department", "Department"),
        Column("user", "User"),
        Column("pages", "Pages"),
        Column("duration", "Duration", shown=False),
        Column("status", "Status"),
        Column("partial", "Partial"),
        Column("delivery", "Delivery"),
    ),
    statuses=STATUSES,
    date_field="received_at",
    order=("-received_at", "-id"),
    may_see=may_see_inbound_activity,
    scope=inbound_scope,
    related=("user", "department"),
    has_partial=True,
)
