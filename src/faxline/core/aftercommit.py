"""Work after commit: nudge a background task once the caller's transaction has committed.

The pattern (``docs/decisions/0005-work-after-commit.md``): a service writes the row that
says what must be done (the truth) and calls :func:`enqueue_after_commit` to nudge the task
that does it. The nudge is sent only if the transaction commits, so a task never looks for
a row that a rollback took away, and a rollback sends nothing. A nudge can still be lost
(the process stops between commit and enqueue, the task backend refuses it): that is why
every such row is also found by a periodic sweep, and why the task must be idempotent.

A deferred nudge (a retry with backoff) is the same call on ``task.using(run_after=...)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django_tasks.base import Task

log = logging.getLogger(__name__)

P = ParamSpec("P")


def enqueue_now(task: Task[P, Any], *args: P.args, **kwargs: P.kwargs) -> bool:
    """Enqueue ``task(*args, **kwargs)`` at once; returns whether the backend took it.

    A refusal is logged, never raised: the row the task works on is the truth, and the
    sweep nudges it again.
    """
    try:
        task.enqueue(*args, **kwargs)
    except Exception:
        log.exception("could not enqueue %s%r; the periodic sweep will retry", task.name, args)
        return False
    return True


def enqueue_after_commit(task: Task[P, Any], *args: P.args, **kwargs: P.kwargs) -> None:
    """Enqueue ``task(*args, **kwargs)`` once the current transaction commits.

    Outside a transaction (autocommit) it is enqueued at once. Arguments must be
    JSON-serialisable: pass ids, never model instances (the row may change before the task
    runs; the task reads it then).
    """
    transaction.on_commit(lambda: enqueue_now(task, *args, **kwargs))


def renudge_lost(
    pending: QuerySet[Any],
    *,
    overdue: datetime,
    now: datetime,
    nudge: Callable[[int], bool],
    order_by: str | None = None,
    limit: int = 200,
) -> int:
    """The sweep's half of the pattern: nudge again the rows of ``pending`` (work still
    waiting long enough that its nudge must have been lost) that were not nudged since
    ``overdue``, oldest first by ``order_by``, at most ``limit``. Each row is taken by a
    compare-and-set on its ``nudged_at``, so that of two sweeps running at once one nudges
    it. ``nudge(pk)`` enqueues the row's task and says whether the backend took it. Returns
    how many were nudged."""
    waiting = pending.filter(Q(nudged_at__isnull=True) | Q(nudged_at__lt=overdue))
    if order_by:
        waiting = waiting.order_by(order_by, "pk")
    model: type[Model] = pending.model
    nudged = 0
    for pk, nudged_at in list(waiting.values_list("pk", "nudged_at")[:limit]):
        if model._default_manager.filter(pk=pk, nudged_at=nudged_at).update(nudged_at=now):
            nudged += int(nudge(pk))
    return nudged
