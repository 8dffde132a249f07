"""The webhook delivery task: thin and idempotent; the delivery row is the truth."""

from __future__ import annotations

from django_tasks import task

from faxline.notify.webhooks import services


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Attempt one delivery; returns its status afterwards ("skipped" when it was not due
    or not pending: another worker has it, or it is settled)."""
    delivery = services.delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "skipped"
