"""The periodic scheduler: jobs that run every so often, each idempotent.

``faxline serve`` runs it in a thread; at scale run ``faxline scheduler`` (one is enough;
more are harmless because every job is a compare-and-set sweep).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.db import close_old_connections

log = logging.getLogger("faxline.scheduler")


@dataclass
class PeriodicJob:
    name: str
    every_seconds: float
    target: str  # "module:function", called without arguments
    last_run: float = field(default=0.0)

    def function(self) -> Callable[[], object]:
        module, name = self.target.split(":")
        return getattr(import_module(module), name)  # type: ignore[no-any-return]


def default_jobs() -> list[PeriodicJob]:
    return [
        PeriodicJob("porting carriers tick", 60, "faxline.porting.desk.services:porting_tick"),
        PeriodicJob(
            "deliver queued notifications",
            60,
            "faxline.notify.services:notifications_deliver_pending",
        ),
        PeriodicJob("return aged numbers", 3600, "faxline.numbers.services:numbers_return_aged"),
        PeriodicJob("continue Bulk Create jobs", 60, "faxline.accounts.bulk:bulk_create_sweep"),
    ]


def run_due(jobs: list[PeriodicJob], *, now: float | None = None) -> list[str]:
    """Run every job whose interval has passed; a failing job is logged, never fatal."""
    moment = time.monotonic() if now is None else now
    ran: list[str] = []
    for job in jobs:
        if job.last_run and moment - job.last_run < job.every_seconds:
            continue
        job.last_run = moment
        close_old_connections()
        try:
            result = job.function()()
            log.debug("periodic job %s: %s", job.name, result)
        except Exception:
            log.exception("periodic job %s failed", job.name)
        finally:
            close_old_connections()
        ran.append(job.name)
    return ran


def run_forever(stop: threading.Event, *, tick: float = 5.0) -> None:
    """Run the default jobs until ``stop`` is set."""
    jobs = default_jobs()
    while not stop.is_set():
        run_due(jobs)
        stop.wait(tick)


def start_thread() -> tuple[threading.Thread, threading.Event]:
    """The scheduler as a daemon thread of the calling process (``faxline serve``)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(stop,), name="faxline-scheduler", daemon=True
    )
    thread.start()
    return thread, stop
