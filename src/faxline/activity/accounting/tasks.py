"""Background task of Accounting: thin and idempotent; the generation row is the truth."""

from __future__ import annotations

from django_tasks import task

from faxline.activity.accounting import services


@task()
def generate_current_month(generation_id: int) -> str:
    """Make the current month's day files of a requested generation ("skipped" when it was
    not queued: another worker has it, or it is done)."""
    generation = services.cdr_generation_run(generation_id=generation_id)
    return generation.status if generation is not None else "skipped"
