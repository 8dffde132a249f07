"""Background task of archive copies: thin and idempotent; the row is the truth."""

from __future__ import annotations

from django_tasks import task

from faxline.faxing.archive import services


@task()
def deliver(copy_id: int) -> str:
    """Attempt one archive copy; returns its status afterwards ("skipped" when it was not
    due: another worker has it, or it is settled)."""
    copy = services.archive_copy_deliver(copy_id=copy_id)
    return copy.status if copy is not None else "skipped"
