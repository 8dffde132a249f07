"""The periodic scheduler: jobs that run every so often, each idempotent.

Every app declares its own jobs (``periodic_jobs()`` on its AppConfig, see
``faxline.core.contributions``); the scheduler knows none of them by name. ``faxline serve``
runs it in a thread; at scale run ``faxline scheduler`` (one is enough; more are harmless
because every job is a compare-and-set sweep).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.db import close_old_connections

from faxline.core.contributions import collect

log = logging.getLogger("faxline.scheduler")


@dataclass
class PeriodicJob:
    """A job run every ``every_seconds``: a function called without arguments, or its
    ``"module:function"`` path."""

    name: str
    every_seconds: float
    target: Callable[[], object] | str
    last_run: float = field(default=0.0)

    def function(self) -> Callable[[], object]:
        if callable(self.target):
            return self.target
        module, name = self.target.split(":")
        return getattr(import_module(module), name)  # type: ignore[no-any-return]


def registered_jobs() -> list[PeriodicJob]:
    """The jobs every installed app declares, fresh (none has run yet)."""
    return collect("periodic_jobs", PeriodicJob)


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
    """Run the registered jobs until ``stop`` is set."""
    jobs = registered_jobs()
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
