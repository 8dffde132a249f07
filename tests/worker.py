"""The task worker in tests: work after commit, run in this process.

Services nudge the task worker once their transaction commits
(``docs/decisions/0005-work-after-commit.md``); email, Bulk Create and the like happen
there. Tests exercise that real path with the database backend's own worker:

- :func:`run_tasks` runs every due task, as one ``faxline worker --batch`` pass would
  (claim, run, record the result), until none is due; a task that raised fails the test
  with its traceback.
- :func:`after_commit` is a block whose commit hooks (the nudges) run at its end, followed
  by the tasks they enqueued: ``with after_commit(): client.post(...)``, then read
  ``mail.outbox``. Browser tests commit for real: they call :func:`run_tasks` after the
  action instead.

Both are also fixtures (``tests/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import TestCase

WORKER_ID = "pytest"


def run_tasks(*, limit: int = 500) -> int:
    """Run every due task of the database backend now; returns how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=WORKER_ID,
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        # Commit hooks registered by a task (the nudges it sends) run when it returns, as
        # they would on its real commit; in a transactional test they ran already.
        with TestCase.captureOnCommitCallbacks(execute=True):
            found = DBTaskResult.objects.ready().filter(backend_name="default").first()
            if found is None:
                return ran
            found.claim(WORKER_ID)
            worker.run_task(found)
        found.refresh_from_db()
        if found.status == "FAILED":
            pytest.fail(f"task {found.task_path} failed:\n{found.traceback}")
        ran += 1
        if ran >= limit:
            pytest.fail(f"more than {limit} tasks ran: does a task enqueue itself in a loop?")


@contextmanager
def after_commit() -> Iterator[Any]:
    """A block whose commit hooks, and then the tasks they enqueued, run at its end."""
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        yield callbacks
    run_tasks()
