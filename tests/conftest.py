"""Fixtures shared by every test (pytest-django provides the database ones).

Work after commit (``docs/decisions/0005-work-after-commit.md``): services nudge the task
worker once their transaction commits, and email, Bulk Create and the like happen there.
Tests exercise that real path with two fixtures:

- ``run_tasks()`` runs every due task of the database backend in this process, as one
  ``faxline worker --batch`` pass would (claim, run, record the result), again and again
  until none is due; a task that raised fails the test with its traceback.
- ``after_commit()`` is a block whose commit hooks (the nudges) run at its end, followed by
  the tasks they enqueued: ``with after_commit(): client.post(...)`` and then read
  ``mail.outbox``. In a test that uses the ``transactional_db`` (browser tests) commits are
  real; call ``run_tasks()`` after the action instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from django.test import TestCase

RunTasks = Callable[[], int]
AfterCommit = Callable[[], AbstractContextManager[Any]]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Hash passwords with MD5 in tests: the real hashers are slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _run_due_tasks(limit: int = 500) -> int:
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="pytest",
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
            found.claim(worker.worker_id)
            worker.run_task(found)
        found.refresh_from_db()
        if found.status == "FAILED":
            pytest.fail(f"task {found.task_path} failed:\n{found.traceback}")
        ran += 1
        if ran >= limit:
            pytest.fail(f"more than {limit} tasks ran: does a task enqueue itself in a loop?")


@pytest.fixture
def run_tasks() -> RunTasks:
    """Run every due task now (see the module docstring); returns how many ran."""
    return _run_due_tasks


@pytest.fixture
def after_commit(run_tasks: RunTasks) -> AfterCommit:
    """A block whose commit hooks and the tasks they enqueue run at its end."""

    @contextmanager
    def block() -> Iterator[Any]:
        with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
            yield callbacks
        run_tasks()

    return block
