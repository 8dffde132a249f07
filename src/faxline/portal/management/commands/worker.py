"""``faxline worker``: runs queued background tasks (django-tasks database backend)."""

from __future__ import annotations

import logging
import math
import os
import socket
import sys
import time
from argparse import ArgumentParser, BooleanOptionalAction
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TASKS_LOGGER, InvalidTaskBackend, TaskResultStatus, task_backends
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from faxline.core.backoff import Backoff
from faxline.portal.management.serving import (
    add_exit_with_parent_argument,
    validate_positive_int,
    watch_parent_option,
)

log = logging.getLogger("faxline.worker")

BACKEND = "default"
# After a "database is locked": 1, 2, 4, ... seconds, at most 30, for as long as it lasts.
LOCKED_BACKOFF = Backoff(
    first=timedelta(seconds=1), factor=2.0, cap=timedelta(seconds=30), max_attempts=sys.maxsize
)
# A lock met this long after the last one starts the pauses from the beginning again.
LOCKED_CALM_AFTER = 60.0
# A task whose own work met a locked database is run again, up to this many runs in all.
LOCKED_TASK_RUNS = 5


def default_worker_id() -> str:
    """A worker id that tells which machine and process claimed a task (at most 64 chars)."""
    host = socket.gethostname().split(".")[0][:40] or "worker"
    return f"{host}-{os.getpid()}-{get_random_string(6)}"


def validate_interval(value: object) -> float:
    """Return ``value`` as a polling interval in seconds (zero or more)."""
    try:
        interval = float(str(value))
    except ValueError:
        interval = math.nan
    if not math.isfinite(interval) or interval < 0:
        raise CommandError(f"--interval: expected a number of seconds (0 or more), got {value!r}")
    return interval


def validate_worker_id(value: object) -> str:
    """Return ``value`` as a worker id: 1 to 64 printable characters."""
    text = str(value).strip()
    if not text or len(text) > 64 or not text.isprintable():
        raise CommandError(f"--worker-id: expected 1 to 64 printable characters, got {value!r}")
    return text


def validate_queue_names(value: object) -> list[str]:
    """Return ``value`` as queue names (comma-separated, ``*`` for all)."""
    text = str(value).strip()
    names = [name.strip() for name in text.split(",")]
    if not text or not all(names):
        raise CommandError(f"--queue-name: expected queue names or '*', got {text!r}")
    return names


def require_database_backend() -> None:
    """The worker runs the tasks of django-tasks' database backend; any other backend is a
    configuration error (``FAXLINE_TASK_BACKEND``), said once and plainly."""
    try:
        backend = task_backends[BACKEND]
    except InvalidTaskBackend as exc:
        raise CommandError(f"FAXLINE_TASK_BACKEND: {exc}") from exc
    if not isinstance(backend, DatabaseBackend):
        raise CommandError(
            "FAXLINE_TASK_BACKEND: the task worker needs django_tasks_db.DatabaseBackend, "
            f"not {type(backend).__module__}.{type(backend).__qualname__}"
        )


def _failed_on_locked_database(result: DBTaskResult) -> bool:
    if result.status != TaskResultStatus.FAILED:
        return False
    if not result.exception_class_path.endswith("OperationalError"):
        return False
    lines = result.traceback.strip().splitlines()
    return bool(lines) and "is locked" in lines[-1].lower()


class LockTolerantWorker(Worker):
    """django-tasks' database worker that outlives a locked database.

    On SQLite one write transaction at a time holds the database; another waits up to the
    busy timeout (``FAXLINE_SQLITE_BUSY_TIMEOUT``) and then fails with "database is
    locked". The library's worker exits on that while claiming a task or recording its
    result, and with it, before, ``faxline serve``. This one logs it, pauses
    (``LOCKED_BACKOFF``) and carries on. A task whose own work met the locked database is
    queued again after such a pause instead of staying failed, up to ``LOCKED_TASK_RUNS``
    runs: tasks are idempotent (docs/decisions/0005-work-after-commit.md).
    """

    def run(self) -> None:
        in_a_row, last_lock = 0, -math.inf
        while True:
            try:
                super().run()
                return
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                now = time.monotonic()
                in_a_row = 1 if now - last_lock > LOCKED_CALM_AFTER else in_a_row + 1
                last_lock = now
                pause = LOCKED_BACKOFF.delay(in_a_row).total_seconds()
                log.warning(
                    "faxline worker: the database is locked (%s); trying again in %.0f s",
                    exc,
                    pause,
                )
            self.running_task = False
            self.startup_delay = False
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:
                    connection.close()
            if not self.running:
                return
            time.sleep(pause)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        runs = len(db_task_result.worker_ids)
        if runs >= LOCKED_TASK_RUNS or not _failed_on_locked_database(db_task_result):
            return
        pause = LOCKED_BACKOFF.delay(runs)
        requeued = DBTaskResult.objects.filter(
            pk=db_task_result.pk, status=TaskResultStatus.FAILED
        ).update(status=TaskResultStatus.READY, run_after=timezone.now() + pause, finished_at=None)
        if requeued:
            log.warning(
                "faxline worker: task %s (%s) met a locked database; queued again to run in "
                "%.0f s (run %d of at most %d)",
                db_task_result.pk,
                db_task_result.task_path,
                pause.total_seconds(),
                runs,
                LOCKED_TASK_RUNS,
            )


def configure_logging(verbosity: int) -> None:
    """Verbosity 0 keeps the worker quiet, 1 logs each task, 2 and more everything."""
    level = {0: logging.CRITICAL, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    for name in (TASKS_LOGGER, "django_tasks_db"):
        logging.getLogger(name).setLevel(level)
    if verbosity == 0:
        log.setLevel(logging.WARNING)


class Command(BaseCommand):
    help = (
        "Run the background task worker. Start as many as needed, on any machine that "
        "shares the database (DATABASE_URL) and the secret key; each claims tasks with a "
        "row lock, so no task runs twice. Stops gracefully on SIGTERM or Ctrl-C after the "
        "task in hand. A locked database (SQLite) makes it pause and carry on, never exit."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue-name",
            default="*",
            help="Queues to process, comma-separated; '*' for all (default: %(default)s).",
        )
        parser.add_argument(
            "--interval",
            default="1",
            help="Seconds to wait before polling again when no task is due (default: %(default)s).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run every task that is due, then exit.",
        )
        parser.add_argument(
            "--max-tasks",
            default=None,
            help="Exit after running this many tasks (a supervisor then restarts the worker).",
        )
        parser.add_argument(
            "--worker-id",
            default=None,
            help="Unique id of this worker (default: host name, process id and a random suffix).",
        )
        parser.add_argument(
            "--reload",
            action=BooleanOptionalAction,
            default=False,
            help="Restart when code changes (development only; default: off).",
        )
        # Used by ``faxline serve`` for its child worker.
        add_exit_with_parent_argument(parser)

    def build_worker(self, **options: Any) -> LockTolerantWorker:
        """The worker the options describe (a bad option is a CommandError naming it)."""
        queue_names = validate_queue_names(options["queue_name"])
        interval = validate_interval(options["interval"])
        max_tasks = None
        if options["max_tasks"] is not None:
            max_tasks = validate_positive_int(options["max_tasks"], option="--max-tasks")
        worker_id = validate_worker_id(options["worker_id"] or default_worker_id())
        require_database_backend()
        return LockTolerantWorker(
            queue_names=queue_names,
            interval=interval,
            batch=bool(options["batch"]),
            backend_name=BACKEND,
            startup_delay=not options["batch"],
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = self.build_worker(**options)
        configure_logging(options["verbosity"])
        watch_parent_option(options["exit_with_parent"])
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloaded child runs tasks
            run_with_reloader(worker.run)
            return
        worker.configure_signals()
        worker.run()
