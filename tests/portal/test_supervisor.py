"""The supervisor of ``faxline serve``'s children, with real processes and threads.

The clock is the test's own, so the pauses between restarts are read exactly; the
processes are real (a short Python program), killed and exiting for real.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from faxline.core.backoff import Backoff
from faxline.portal.management.supervisor import (
    RESTART_BACKOFF,
    ProcessChild,
    Supervisor,
    ThreadChild,
)

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
QUITTER = [sys.executable, "-c", "raise SystemExit(3)"]


def stubborn_command(ready: Path) -> list[str]:
    """A process that ignores SIGTERM; ``ready`` exists once it does."""
    return [
        sys.executable,
        "-c",
        "import pathlib, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "pathlib.Path(sys.argv[1]).touch()\n"
        "time.sleep(60)",
        str(ready),
    ]


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def supervise(*children: ProcessChild | ThreadChild, clock: Clock, **kwargs: object) -> Supervisor:
    """A supervisor whose watch never looks by itself: the test calls ``check()``."""
    options: dict[str, object] = {"poll_interval": 3600.0, "stable_after": 60.0, **kwargs}
    return Supervisor(list(children), clock=clock, **options)  # type: ignore[arg-type]


def wait_until_stopped(child: ProcessChild | ThreadChild) -> str:
    assert child.wait(10), f"{child.name} did not stop"
    reason = child.exit_reason()
    assert reason is not None
    return reason


def test_the_default_restart_pauses_double_up_to_a_minute() -> None:
    pauses = [RESTART_BACKOFF.delay(n).total_seconds() for n in range(1, 10)]
    assert pauses == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_a_killed_process_is_started_again_with_a_new_pid(caplog) -> None:
    caplog.set_level(logging.INFO, logger="faxline.serve")
    clock = Clock()
    worker = ProcessChild("task worker", SLEEPER)
    supervisor = supervise(worker, clock=clock)
    assert supervisor.start() == {"task worker": f"process {worker.pid}"}
    try:
        first = worker.pid
        assert first is not None
        supervisor.check()
        assert supervisor.restarts() == {"task worker": 0}  # running: nothing to do

        os.kill(first, signal.SIGKILL)
        assert wait_until_stopped(worker) == "killed by SIGKILL"
        clock.now += 5
        supervisor.check()
        assert f"the task worker (process {first}) stopped after 5.0 s: killed by SIGKILL; " in (
            caplog.text
        )
        assert "starting it again in 1 s (1 in a row)" in caplog.text
        assert supervisor.running() == {"task worker": ""}

        clock.now += 1
        supervisor.check()
        assert worker.pid not in (None, first)
        assert worker.exit_reason() is None
        assert supervisor.running() == {"task worker": f"process {worker.pid}"}
        assert f"the task worker is running again (process {worker.pid})" in caplog.text
        assert supervisor.restarts() == {"task worker": 1}
    finally:
        supervisor.stop()
    assert worker.exit_reason() == "killed by SIGTERM"


def test_a_process_that_keeps_exiting_is_backed_off_up_to_the_cap(caplog) -> None:
    caplog.set_level(logging.INFO, logger="faxline.serve")
    clock = Clock()
    quitter = ProcessChild("quitter", QUITTER)
    backoff = Backoff(first=timedelta(seconds=1), cap=timedelta(seconds=8), max_attempts=99)
    supervisor = supervise(quitter, clock=clock, backoff=backoff)
    supervisor.start()
    pauses: list[float] = []
    pids: set[int | None] = set()
    try:
        for _ in range(6):
            pids.add(quitter.pid)
            assert wait_until_stopped(quitter) == "exit code 3"
            supervisor.check()  # notices the exit; schedules the next start
            started_at = clock.now
            while supervisor.running()["quitter"] == "":
                clock.now += 0.5
                supervisor.check()  # nothing starts before the pause is over
            pauses.append(clock.now - started_at)
    finally:
        supervisor.stop()
    assert pauses == [1, 2, 4, 8, 8, 8]
    assert len(pids) == 6
    assert supervisor.restarts() == {"quitter": 6}
    assert "stopped after 0.0 s: exit code 3; starting it again in 8 s (4 in a row)" in caplog.text


def test_a_child_that_ran_a_while_is_started_again_after_the_first_pause() -> None:
    clock = Clock()
    quitter = ProcessChild("quitter", QUITTER)
    supervisor = supervise(quitter, clock=clock, stable_after=60.0)
    supervisor.start()
    try:
        for _ in range(3):  # three quick crashes: the pause is 4 s now
            wait_until_stopped(quitter)
            supervisor.check()
            clock.now += 10
            supervisor.check()
        wait_until_stopped(quitter)
        clock.now += 61  # this run lasted longer than stable_after
        supervisor.check()
        clock.now += 1
        supervisor.check()
        assert supervisor.running()["quitter"].startswith("process ")
    finally:
        supervisor.stop()


def test_a_command_that_cannot_start_is_retried_not_raised(caplog) -> None:
    clock = Clock()
    missing = ProcessChild("gateway", ["/nonexistent/faxline-gateway"])
    supervisor = supervise(missing, clock=clock)
    assert supervisor.start() == {"gateway": ""}
    supervisor.stop()
    assert "the gateway stopped after 0.0 s: could not start" in caplog.text
    assert "starting it again in 1 s" in caplog.text


def test_a_thread_that_raises_is_logged_and_started_again(caplog) -> None:
    clock = Clock()
    runs: list[threading.Event] = []

    def scheduler(stop: threading.Event) -> None:
        runs.append(stop)
        if len(runs) == 1:
            raise RuntimeError("the clock broke")
        stop.wait()

    thread = ThreadChild("scheduler", scheduler)
    supervisor = supervise(thread, clock=clock)
    supervisor.start()
    try:
        assert wait_until_stopped(thread) == "raised RuntimeError: the clock broke"
        assert "the scheduler failed" in caplog.text  # with its traceback
        supervisor.check()
        clock.now += 1
        supervisor.check()
        assert len(runs) == 2
        assert thread.exit_reason() is None
    finally:
        supervisor.stop()
    assert runs[1].is_set()
    assert thread.exit_reason() == "returned"


def test_stop_kills_a_process_that_ignores_sigterm_after_its_timeout(caplog, tmp_path) -> None:
    ready = tmp_path / "ready"
    stubborn = ProcessChild("stubborn", stubborn_command(ready), stop_timeout=0.5)
    polite = ProcessChild("worker", SLEEPER)
    supervisor = Supervisor([stubborn, polite], poll_interval=0.05)
    supervisor.start()
    deadline = time.monotonic() + 20
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - started < 10
    assert stubborn.exit_reason() == "killed by SIGKILL"
    assert polite.exit_reason() == "killed by SIGTERM"
    assert "the stubborn did not stop within 0.5 s; killing it" in caplog.text


def test_the_watch_restarts_by_itself() -> None:
    worker = ProcessChild("task worker", SLEEPER)
    fast = Backoff(first=timedelta(seconds=0.05), max_attempts=99)
    supervisor = Supervisor([worker], backoff=fast, poll_interval=0.05)
    supervisor.start()
    try:
        first = worker.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and worker.pid in (None, first):
            time.sleep(0.05)
        assert worker.pid != first
    finally:
        supervisor.stop()


@pytest.mark.parametrize("code", [-9, -15, 0, 2])
def test_exit_reasons(code: int) -> None:
    child = ProcessChild("x", [sys.executable, "-c", f"import os, sys; sys.exit({max(code, 0)})"])
    if code < 0:
        child = ProcessChild("x", SLEEPER)
    child.start()
    if code < 0:
        assert child.pid is not None
        os.kill(child.pid, -code)
    reason = wait_until_stopped(child)
    expected = {-9: "killed by SIGKILL", -15: "killed by SIGTERM"}.get(code, f"exit code {code}")
    assert reason == expected
