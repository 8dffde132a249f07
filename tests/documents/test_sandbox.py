"""The document sandbox: a fresh worker process per job, killed when it overruns its CPU
seconds, its address space or its wall-clock time, and the caller told which; never inside
a database transaction; a bounded number at once; a zygote that comes back when killed."""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from faxline.core.errors import Unavailable
from faxline.documents import sandbox
from faxline.documents.limits import WorkerLimits

# Pure documents code (no models): what it checks does not depend on the database engine.
pytestmark = pytest.mark.database_independent

SRC = Path(__file__).resolve().parents[2] / "src"
# The wall clock is wide: a loaded machine gives a spinning job little CPU per second.
TIGHT = WorkerLimits(cpu_seconds=1, memory_bytes=300 * 1024 * 1024, wall_seconds=60)


def test_a_job_runs_in_a_fresh_process_and_returns_its_result() -> None:
    first = sandbox.run_job("selftest.echo", b"\x00bytes\xff" * 1000, {"n": 1}, limits=TIGHT)
    second = sandbox.run_job("selftest.echo", b"", {}, limits=TIGHT)
    assert first.payload == b"\x00bytes\xff" * 1000 and first.meta["size"] == 7000
    assert first.meta["params"] == {"n": 1}
    pids = {first.meta["pid"], second.meta["pid"], os.getpid(), sandbox.zygote_pid()}
    assert len(pids) == 4  # each job its own process: not this one, not the zygote
    assert 0 < first.cost.cpu_seconds < 1 and first.cost.max_rss_bytes > 0


def test_cpu_overrun_is_killed_and_reported() -> None:
    started = time.monotonic()
    with pytest.raises(sandbox.JobOverrun) as caught:
        sandbox.run_job("selftest.spin", b"", limits=TIGHT)
    assert caught.value.limit == "cpu"
    # It spun until stopped, and was stopped at its limit (1 s), not later; the kernel may
    # account slightly less than the limit at the moment it signals.
    assert 0.5 <= caught.value.cost.cpu_seconds < 2.5
    assert time.monotonic() - started < TIGHT.wall_seconds


def test_memory_overrun_is_stopped_and_reported() -> None:
    with pytest.raises(sandbox.JobOverrun) as caught:
        sandbox.run_job("selftest.allocate", b"", {"megabytes": 2000}, limits=TIGHT)
    assert caught.value.limit == "memory"
    assert caught.value.cost.max_rss_bytes <= TIGHT.memory_bytes
    # Within the limit, the same job runs.
    done = sandbox.run_job("selftest.allocate", b"", {"megabytes": 50}, limits=TIGHT)
    assert done.meta == {"megabytes": 50}


def test_wall_clock_overrun_is_killed() -> None:
    limits = WorkerLimits(cpu_seconds=5, wall_seconds=1)
    started = time.monotonic()
    with pytest.raises(sandbox.JobOverrun) as caught:
        sandbox.run_job("selftest.sleep", b"", {"seconds": 60}, limits=limits)
    assert caught.value.limit == "time"
    assert 1 <= time.monotonic() - started < 1 + sandbox.GRACE_SECONDS


def test_a_crash_and_a_defect_are_reported_not_raised_as_such(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(sandbox.JobOverrun) as crashed:
        sandbox.run_job("selftest.crash", b"", limits=TIGHT)
    assert crashed.value.limit == "crashed"
    with (
        caplog.at_level(logging.ERROR, logger="faxline.documents.sandbox"),
        pytest.raises(sandbox.JobOverrun) as failed,
    ):
        sandbox.run_job("selftest.fail", b"", limits=TIGHT)
    assert failed.value.limit == "crashed" and failed.value.detail == "KeyError"
    assert "a defect" in caplog.text and "fail_job" in caplog.text  # the traceback, logged


def test_after_any_overrun_the_next_job_runs() -> None:
    for job in ("selftest.crash", "selftest.fail"):
        with pytest.raises(sandbox.JobOverrun):
            sandbox.run_job(job, b"", limits=TIGHT)
    assert sandbox.run_job("selftest.echo", b"ok", limits=TIGHT).payload == b"ok"


def test_a_killed_zygote_is_replaced() -> None:
    sandbox.run_job("selftest.echo", b"", limits=TIGHT)
    old = sandbox.zygote_pid()
    assert old is not None
    os.kill(old, signal.SIGKILL)
    time.sleep(0.2)
    assert sandbox.run_job("selftest.echo", b"again", limits=TIGHT).payload == b"again"
    assert sandbox.zygote_pid() not in (None, old)


def test_unknown_jobs_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        sandbox.run_job("os.system", b"", limits=TIGHT)


@pytest.mark.django_db
def test_never_inside_a_transaction() -> None:
    sandbox.run_job("selftest.echo", b"", limits=TIGHT)  # the test's own transaction is fine
    with transaction.atomic(), pytest.raises(RuntimeError, match="before the database"):
        sandbox.run_job("selftest.echo", b"", limits=TIGHT)


def test_a_bounded_number_at_once(settings: Any) -> None:
    settings.FAXLINE_INTAKE_CONCURRENCY = 1
    busy = threading.Event()
    outcome: list[object] = []

    def hold_the_slot() -> None:
        busy.set()
        outcome.append(
            sandbox.run_job(
                "selftest.sleep", b"", {"seconds": 2}, limits=WorkerLimits(wall_seconds=10)
            )
        )

    holder = threading.Thread(target=hold_the_slot)
    holder.start()
    busy.wait()
    time.sleep(0.3)
    with pytest.raises(Unavailable) as caught:
        sandbox.run_job("selftest.echo", b"", limits=WorkerLimits(wall_seconds=1))
    assert (caught.value.code, caught.value.status) == ("intake_busy", 503)
    holder.join()
    assert len(outcome) == 1
    # Once the slot is free again, the next one waits its turn and runs.
    assert sandbox.run_job("selftest.echo", b"x", limits=TIGHT).payload == b"x"


def test_the_worker_side_imports_no_django() -> None:
    """The zygote and its workers load the decoders and the jobs, never Django (and so no
    settings, no database connection)."""
    code = (
        "import importlib, sys\n"
        "from faxline.documents import worker\n"
        "for name in worker.PRELOAD: importlib.import_module(name)\n"
        "for job in worker.JOBS: worker.resolve(job)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.django_db
def test_intake_runs_in_a_task_of_the_task_worker(run_tasks: Callable[[], int]) -> None:
    from django_tasks_db.models import DBTaskResult
    from document_files import bomb_tiff, tiff_pages
    from intake_tasks import check_document

    good = check_document.enqueue(base64.b64encode(tiff_pages(3)).decode())
    bomb = check_document.enqueue(base64.b64encode(bomb_tiff(200, 6700, 6700)).decode())
    assert run_tasks() == 2
    assert DBTaskResult.objects.get(pk=good.id).return_value == {"pages": 3}
    assert DBTaskResult.objects.get(pk=bomb.id).return_value == {"refused": "document_too_large"}


def test_a_stuck_zygote_is_replaced() -> None:
    sandbox.run_job("selftest.echo", b"", limits=TIGHT)
    stuck = sandbox.zygote_pid()
    assert stuck is not None
    os.kill(stuck, signal.SIGSTOP)
    try:
        with pytest.raises(Unavailable) as caught:
            sandbox.run_job("selftest.echo", b"", limits=WorkerLimits(wall_seconds=1))
        assert caught.value.code == "intake_unavailable"
    finally:
        with contextlib.suppress(ProcessLookupError):  # killed when it was replaced
            os.kill(stuck, signal.SIGCONT)
    assert sandbox.run_job("selftest.echo", b"next", limits=TIGHT).payload == b"next"
    assert sandbox.zygote_pid() not in (None, stuck)
