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


@task()
def bulk_resubmit(job_id: int) -> str:
    """Work through one Bulk Resubmit (``faxing/inbound/bulk.py``); returns its status
    afterwards ("skipped" when another worker has it or it is done)."""
    from faxline.faxing.inbound.bulk import bulk_resubmit_run

    job = bulk_resubmit_run(job_id=job_id)
    return job.status if job is not None else "skipped"
