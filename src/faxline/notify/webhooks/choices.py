"""Event types, and the states of endpoints and deliveries.

A delivery::

    pending ──claim──▶ sending ──2xx──▶ delivered
       ▲                  ├─ error, attempts left ──▶ retrying ──(due)──claim──▶ …
       │                  ├─ error, no attempts left (or 410 Gone) ──▶ failed (endpoint paused)
       │                  └─ endpoint paused meanwhile ──▶ held
       └──── Redeliver (a person), Resume (held ones) ─────────────────────┘
"""

from __future__ import annotations

from django.db import models


class EventType(models.TextChoices):
    """What an endpoint may subscribe to."""

    FAX_QUEUED = "fax.queued", "Fax queued"
    FAX_IN_PROGRESS = "fax.in_progress", "Fax in progress"
    FAX_DELIVERED = "fax.delivered", "Fax delivered"
    FAX_FAILED = "fax.failed", "Fax failed"
    FAX_INBOUND_RECEIVED = "fax.inbound.received", "Inbound fax received"
    PORT_STATUS_CHANGED = "port_request.status_changed", "Port request status changed"
    PORT_NOTE_ADDED = "port_request.note_added", "Port request note added"
    PORT_FOC_SET = "port_request.foc_set", "Port request FOC date set"
    NUMBER_ASSIGNED = "number.assigned", "Number assigned"


# The event a person sends from the Webhooks page to one endpoint; nobody subscribes to it.
TEST_EVENT = "webhook.test"

# Events about the company as a whole, not one of its numbers: a number-scoped endpoint
# cannot subscribe to them.
COMPANY_ONLY_EVENTS = frozenset(
    {
        EventType.PORT_STATUS_CHANGED,
        EventType.PORT_NOTE_ADDED,
        EventType.PORT_FOC_SET,
    }
)


class EndpointStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    HELD = "held", "Held (endpoint paused)"


PENDING = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
# What a person may deliver again.
REDELIVERABLE = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.HELD)
