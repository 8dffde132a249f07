"""Keeping the children of ``faxline serve`` running.

``faxline serve`` serves the portal and the API in the foreground and runs everything else
beside it as its children: the task worker (a process), the periodic scheduler (a thread),
and whatever long-running command an app declares
(:class:`ServedProcess`, below). A child that stops on its own (a crash, ``kill -9``, an
exception in the thread, a clean exit nobody asked for) is logged and started again; it is
never a reason to stop the web server.

Restarts back off: the first comes after ``RESTART_BACKOFF.first`` (one second), and each
further crash in a row doubles the pause, up to a cap (a minute). A child that had been
running for ``STABLE_AFTER`` seconds before it stopped counts as healthy again: its next
restart comes after the first pause. So a worker that dies now and then is back at once,
and one that cannot start at all (a bad configuration, a database that is not there) costs
one attempt a minute and one line in the log, not a busy loop.

Stopping (SIGTERM, Ctrl-C) asks every child to stop at once (SIGTERM to processes, the stop
event of threads), waits for them up to each one's ``stop_timeout`` and kills the
processes that are still running.

How an app adds a process: declare ``served_processes()`` on its AppConfig, returning
:class:`ServedProcess` items (see ``faxline.core.contributions``). The command must stop
gracefully on SIGTERM and accept ``--exit-with-parent=PID`` (``faxline worker`` shows how:
``serving.add_exit_with_parent_argument`` and ``serving.exit_with_parent``), so that it
also stops should ``serve`` itself be killed. At scale the same command runs on its own,
under the machine's service manager.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connections

from faxline.core.backoff import Backoff

log = logging.getLogger("faxline.serve")

# Never exhausted: a child of `faxline serve` is tried again for as long as serve runs.
RESTART_BACKOFF = Backoff(
    first=timedelta(seconds=1), factor=2.0, cap=timedelta(seconds=60), max_attempts=sys.maxsize
)
STABLE_AFTER = 60.0
POLL_INTERVAL = 0.5
DEFAULT_STOP_TIMEOUT = 30.0


@dataclass(frozen=True)
class ServedProcess:
    """A long-running faxline command that ``faxline serve`` runs beside the web server and
    starts again whenever it stops.

    ``name`` is what the banner and the log call it ("task worker"); ``command`` is the
    faxline command and its arguments (``("worker", "--no-reload")``), to which ``serve``
    adds ``--verbosity`` and ``--exit-with-parent``. ``stop_timeout`` is how long it may
    take to finish what it is doing after SIGTERM before it is killed.
    """

    name: str
    command: tuple[str, ...]
    stop_timeout: float = DEFAULT_STOP_TIMEOUT


class Child(ABC):
    """Something ``faxline serve`` keeps running: a process or a thread."""

    name: str
    stop_timeout: float = DEFAULT_STOP_TIMEOUT

    @abstractmethod
    def start(self) -> str:
        """Start it (again); returns what the log calls this run ("process 4242")."""

    @abstractmethod
    def exit_reason(self) -> str | None:
        """None while it runs; otherwise why it stopped ("killed by SIGKILL")."""

    @abstractmethod
    def request_stop(self) -> None:
        """Ask it to stop after what it is doing (does not wait)."""

    @abstractmethod
    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for it to stop; True once it has."""

    def kill(self) -> None:  # noqa: B027 - a thread cannot be killed; processes can
        """Stop it now, whatever it is doing (when it did not stop in time)."""


class ProcessChild(Child):
    """A child process in a session of its own, so that Ctrl-C on the terminal reaches only
    ``faxline serve``, which then stops the child with exactly one SIGTERM (a second signal
    would abort the worker's task in hand)."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        stop_timeout: float = DEFAULT_STOP_TIMEOUT,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.env = dict(env) if env is not None else None
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            self.command, env=self.env, start_new_session=True
        )
        return f"process {self.process.pid}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def exit_reason(self) -> str | None:
        if self.process is None:
            return "not started"
        code = self.process.poll()
        if code is None:
            return None
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def request_stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait(self, timeout: float) -> bool:
        if self.process is None:
            return True
        try:
            self.process.wait(timeout=max(timeout, 0.0))
        except subprocess.TimeoutExpired:
            return False
        return True

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class ThreadChild(Child):
    """A daemon thread of ``faxline serve`` running ``target(stop)`` until ``stop`` is set.

    An exception that escapes ``target`` is logged with its traceback and the thread is
    started again like a crashed process; the thread's database connections are closed
    whenever it ends."""

    def __init__(
        self,
        name: str,
        target: Callable[[threading.Event], object],
        *,
        stop_timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.target = target
        self.stop_timeout = stop_timeout
        self.thread: threading.Thread | None = None
        self.stop_event = threading.Event()
        self.error: BaseException | None = None

    def start(self) -> str:
        self.stop_event = threading.Event()
        self.error = None
        stop = self.stop_event

        def run() -> None:
            try:
                self.target(stop)
            except BaseException as exc:
                self.error = exc
                log.exception("faxline serve: the %s failed", self.name)
            finally:
                connections.close_all()

        slug = self.name.replace(" ", "-")
        self.thread = threading.Thread(target=run, name=f"faxline-{slug}", daemon=True)
        self.thread.start()
        return f"thread {self.thread.name}"

    def exit_reason(self) -> str | None:
        if self.thread is None:
            return "not started"
        if self.thread.is_alive():
            return None
        if self.error is not None:
            return f"raised {type(self.error).__name__}: {self.error}"
        return "returned"

    def request_stop(self) -> None:
        self.stop_event.set()

    def wait(self, timeout: float) -> bool:
        if self.thread is None:
            return True
        self.thread.join(max(timeout, 0.0))
        return not self.thread.is_alive()


@dataclass
class _Watched:
    child: Child
    started_at: float = 0.0
    running: str = ""
    crashes_in_a_row: int = 0
    restarts: int = 0
    restart_at: float | None = None


@dataclass
class Supervisor:
    """Starts the children, starts again each one that stops, and stops them all at the
    end. ``check()`` is one look at every child; ``start()`` runs it every
    ``poll_interval`` seconds in a thread of its own until ``stop()``."""

    children: Sequence[Child]
    backoff: Backoff = RESTART_BACKOFF
    stable_after: float = STABLE_AFTER
    poll_interval: float = POLL_INTERVAL
    clock: Callable[[], float] = time.monotonic
    _watched: list[_Watched] = field(init=False, default_factory=list)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _stopping: threading.Event = field(init=False, default_factory=threading.Event)
    _watcher: threading.Thread | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._watched = [_Watched(child) for child in self.children]

    def start(self) -> dict[str, str]:
        """Start every child and the watch; returns each child's name and what runs it."""
        with self._lock:
            for watched in self._watched:
                self._launch(watched, self.clock())
        self._watcher = threading.Thread(target=self._watch, name="faxline-supervisor", daemon=True)
        self._watcher.start()
        return {w.child.name: w.running for w in self._watched}

    def running(self) -> dict[str, str]:
        """Each child's name and what runs it now ("" while it waits to be started again)."""
        with self._lock:
            return {w.child.name: w.running for w in self._watched}

    def restarts(self) -> dict[str, int]:
        """How many times each child was started again."""
        with self._lock:
            return {w.child.name: w.restarts for w in self._watched}

    def _watch(self) -> None:
        while not self._stopping.wait(self.poll_interval):
            try:
                self.check()
            except Exception:  # the watch itself must outlive anything a check meets
                log.exception("faxline serve: checking the children failed")

    def check(self) -> None:
        """Start again each child whose pause is over; notice each child that stopped."""
        with self._lock:
            if self._stopping.is_set():
                return
            now = self.clock()
            for watched in self._watched:
                if watched.restart_at is not None:
                    if now >= watched.restart_at:
                        watched.restart_at = None
                        watched.restarts += 1
                        if self._launch(watched, now):
                            log.warning(
                                "faxline serve: the %s is running again (%s)",
                                watched.child.name,
                                watched.running,
                            )
                    continue
                reason = watched.child.exit_reason()
                if reason is not None:
                    self._schedule_restart(watched, now, reason)

    def _launch(self, watched: _Watched, now: float) -> bool:
        watched.started_at = now
        try:
            watched.running = watched.child.start()
        except Exception as exc:  # e.g. no memory for a new process: try again later
            watched.running = ""
            self._schedule_restart(watched, now, f"could not start ({exc})")
            return False
        return True

    def _schedule_restart(self, watched: _Watched, now: float, reason: str) -> None:
        ran = now - watched.started_at
        if ran >= self.stable_after:
            watched.crashes_in_a_row = 0
        watched.crashes_in_a_row += 1
        pause = self.backoff.delay(watched.crashes_in_a_row).total_seconds()
        watched.restart_at = now + pause
        previous = f" ({watched.running})" if watched.running else ""
        watched.running = ""
        log.error(
            "faxline serve: the %s%s stopped after %.1f s: %s; starting it again in %s "
            "(%d in a row)",
            watched.child.name,
            previous,
            ran,
            reason,
            _seconds(pause),
            watched.crashes_in_a_row,
        )

    def stop(self) -> None:
        """Stop watching, then ask every child to stop and wait for them (each up to its
        ``stop_timeout``); kill the processes that are still running after that."""
        with self._lock:
            self._stopping.set()
        if self._watcher is not None:
            self._watcher.join()
        running = [w.child for w in self._watched if w.running and w.child.exit_reason() is None]
        for child in running:
            child.request_stop()
        started = self.clock()
        for child in running:
            remaining = child.stop_timeout - (self.clock() - started)
            if not child.wait(remaining):
                log.warning(
                    "faxline serve: the %s did not stop within %s; killing it",
                    child.name,
                    _seconds(child.stop_timeout),
                )
                child.kill()

    def kill(self) -> None:
        """Stop every child now (a second Ctrl-C while stopping)."""
        self._stopping.set()
        for watched in self._watched:
            watched.child.kill()


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 1 else f"{value:.1f} s"
