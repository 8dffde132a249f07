"""Background task of inbound delivery: thin and idempotent; the row is the truth."""

from __future__ import annotations

from django_tasks import task

from faxline.faxing.inbound import services


@task()
def deliver(fax_id: int) -> str:
    """Deliver one received fax; returns its delivery status afterwards ("skipped" when it
    was not pending: another worker has it, or it is settled)."""
    fax = services.inbound_fax_deliver(fax_id=fax_id)
    return fax.delivery_status if fax is not None else "skipped"
