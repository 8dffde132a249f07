"""``faxline worker`` and a locked database: a task whose work met "database is locked" is
queued again after a pause (a few times), not recorded as failed for good; other failures
stay failed. (The worker loop itself meeting the lock is in ``test_serve_live.py``, against
a real lock on a real file database.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from faxline.portal.management.commands.worker import (
    LOCKED_TASK_RUNS,
    Command,
    LockTolerantWorker,
)

# Committed for real: the worker's loop closes connections between tasks, as in production,
# which would end a test transaction on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)

RUNS: list[str] = []


@task()
def meets_a_lock(label: str) -> None:
    """Fails as a write does when another holds SQLite's lock past the busy timeout."""
    RUNS.append(label)
    raise OperationalError("database is locked")


@task()
def meets_a_broken_disk(label: str) -> None:
    RUNS.append(label)
    raise OperationalError("disk I/O error")


def batch_worker() -> LockTolerantWorker:
    options: dict[str, Any] = {
        "queue_name": "*",
        "interval": "0",
        "batch": True,
        "max_tasks": None,
        "worker_id": "test-worker",
    }
    return Command().build_worker(**options)


def test_a_task_that_met_a_locked_database_is_queued_again_then_given_up(caplog) -> None:
    RUNS.clear()
    result = meets_a_lock.enqueue("a")
    now = timezone.now()
    with time_machine.travel(now, tick=False) as traveller:
        for run in range(1, LOCKED_TASK_RUNS):
            batch_worker().run()
            row = DBTaskResult.objects.get(pk=result.id)
            assert (len(RUNS), row.status) == (run, "READY")
            pause = timedelta(seconds=2 ** (run - 1))
            assert row.run_after == now + pause
            assert f"met a locked database; queued again to run in {pause.seconds} s" in (
                caplog.text
            )
            batch_worker().run()  # not due yet: nothing runs
            assert len(RUNS) == run
            now += pause
            traveller.move_to(now)
        batch_worker().run()
    row = DBTaskResult.objects.get(pk=result.id)
    assert (len(RUNS), row.status) == (LOCKED_TASK_RUNS, "FAILED")
    assert row.exception_class_path.endswith("OperationalError")


def test_other_database_errors_stay_failed() -> None:
    RUNS.clear()
    result = meets_a_broken_disk.enqueue("b")
    batch_worker().run()
    assert RUNS == ["b"]
    assert DBTaskResult.objects.get(pk=result.id).status == "FAILED"
