"""Webhook events for apps that sit below ``notify``: the port, not the delivery.

``numbers`` tells a company's webhooks that a number was assigned, but it may not import
``notify`` (they are independent, on one row of the layers). So core declares the one call
such an app needs, :func:`publish_event`, and ``notify`` plugs its webhooks in at start-up
(``NotifyConfig.ready``), as it does for email (``faxline.core.mail``). The event and one
delivery per subscribed endpoint are recorded inside the caller's transaction; the task
worker delivers them after commit. Apps above ``notify`` may call it too: one way in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class EventPublisher(Protocol):
    """What ``notify`` provides: record an event of ``kind`` for ``company_id`` (and, for
    inbound faxes, the fax ``number`` it concerns) with its ``data``."""

    def __call__(
        self, *, kind: str, company_id: int, data: Mapping[str, Any], number: str | None
    ) -> object: ...


_publisher: EventPublisher | None = None


def register_event_publisher(publisher: EventPublisher) -> None:
    """Plug in the webhooks (called once by ``notify`` when the apps are ready)."""
    global _publisher
    _publisher = publisher


def publish_event(
    kind: str, *, company_id: int, data: Mapping[str, Any], number: str | None = None
) -> None:
    """Record a webhook event for ``company_id``'s endpoints subscribed to ``kind``, in the
    caller's transaction; delivered by the task worker after commit. ``data`` must be
    JSON-serialisable and carry no personal data beyond what the event's schema documents.
    Without the webhooks installed, nothing is recorded."""
    if _publisher is None:
        return
    _publisher(kind=kind, company_id=company_id, data=data, number=number)
