"""Housekeeping of the task backend: finished task rows do not pile up for ever.

Every nudge (``core.aftercommit``), Bulk Create batch and porting tick leaves a row in the
database backend's table (``django_tasks_db``) that stays after the task has run. The rows
are worth keeping for a while (a failed task's traceback, what ran when), not for ever: a
busy platform writes thousands a day. :func:`task_results_prune` deletes the finished ones
(successful or failed) older than ``FAXLINE_TASK_RETENTION_DAYS``; core declares it as a
periodic job (``CoreConfig.periodic_jobs``).

It deletes in bounded batches, each its own short statement: it never holds a long lock on
the table the workers claim tasks from, and one run does a bounded amount of work (what is
left is found by the next run). Rows that are waiting or running are never touched.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
BATCH_SIZE = 500
MAX_BATCHES = 20  # at most 10,000 rows a run; the next run goes on


def retention() -> timedelta:
    """How long a finished task row is kept (``FAXLINE_TASK_RETENTION_DAYS``)."""
    return timedelta(days=int(settings.FAXLINE_TASK_RETENTION_DAYS))


def task_results_prune(
    *,
    now: datetime | None = None,
    keep: timedelta | None = None,
    batch_size: int = BATCH_SIZE,
    max_batches: int = MAX_BATCHES,
) -> int:
    """Delete finished task rows that finished before ``now - keep`` (default: the
    configured retention), at most ``batch_size`` rows per statement and
    ``max_batches`` statements per call. Returns how many rows were deleted.

    Idempotent and safe on several machines at once: each batch deletes by primary key
    among rows that are still finished and old, so a row another run deleted meanwhile
    is simply not counted."""
    cutoff = (now or timezone.now()) - (keep if keep is not None else retention())
    old = DBTaskResult.objects.filter(status__in=FINISHED, finished_at__lt=cutoff)
    deleted = 0
    for _ in range(max_batches):
        # No ordering (not even the model's default): the database stops at the first
        # ``batch_size`` old rows it finds instead of sorting the whole table.
        ids = list(old.order_by().values_list("id", flat=True)[:batch_size])
        if not ids:
            break
        count, _by_model = old.filter(id__in=ids).delete()
        deleted += count
        if len(ids) < batch_size:
            break
    return deleted
