"""``faxline worker``: runs queued background tasks (django-tasks database backend)."""

from __future__ import annotations

import math
import os
import signal
import socket
import threading
from argparse import SUPPRESS, ArgumentParser, BooleanOptionalAction
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from faxline.portal.management.serving import validate_positive_int


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


def exit_with_parent(parent_pid: int, *, interval: float = 2.0) -> threading.Thread:
    """Stop this worker gracefully (SIGTERM to itself) once ``parent_pid`` is gone.

    ``faxline serve`` starts the worker in a session of its own; should ``serve`` be killed
    without a chance to stop it, the worker notices that it was re-parented and stops.
    """

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(interval):
            if os.getppid() != parent_pid:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    thread = threading.Thread(target=watch, name="faxline-parent-watch", daemon=True)
    thread.start()
    return thread


class Command(BaseCommand):
    help = (
        "Run the background task worker. Start as many as needed, on any machine that "
        "shares the database (DATABASE_URL) and the secret key; each claims tasks with a "
        "row lock, so no task runs twice. Stops gracefully on SIGTERM or Ctrl-C after the "
        "task in hand."
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
        parser.add_argument("--exit-with-parent", default=None, help=SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        queue_name = str(options["queue_name"]).strip()
        if not queue_name or any(not name.strip() for name in queue_name.split(",")):
            raise CommandError(f"--queue-name: expected queue names or '*', got {queue_name!r}")
        worker_options: dict[str, Any] = {
            "queue_name": queue_name,
            "interval": validate_interval(options["interval"]),
            "batch": bool(options["batch"]),
            "reload": bool(options["reload"]),
            "worker_id": validate_worker_id(options["worker_id"] or default_worker_id()),
            "verbosity": options["verbosity"],
        }
        if options["max_tasks"] is not None:
            worker_options["max_tasks"] = validate_positive_int(
                options["max_tasks"], option="--max-tasks"
            )
        if options["exit_with_parent"] is not None:
            exit_with_parent(
                validate_positive_int(options["exit_with_parent"], option="--exit-with-parent")
            )
        call_command("db_worker", **worker_options)
