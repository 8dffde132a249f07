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
from typing import Any, ParamSpec

from django.db import transaction
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
