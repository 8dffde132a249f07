"""``faxline serve`` for real: a killed task worker is started again and the web server
keeps answering; a worker that cannot start is backed off, not spun; SIGTERM stops it all.

Each test runs ``python -m faxline.cli serve`` on its own copy of a migrated demo install
(SQLite in a temporary ``FAXLINE_HOME``, ``tests/liveinstall.py``).
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from liveinstall import Home, Serve, copy_home, process_exists

pytestmark = [pytest.mark.processes, pytest.mark.database_independent]


@pytest.fixture
def home(live_home: Home, tmp_path: Path) -> Home:
    return copy_home(live_home, tmp_path / "home")


def bulk_csv(prefix: str, rows: int) -> bytes:
    lines = ["first_name,last_name,email,username"]
    lines += [f"Pat,{prefix}{n},{prefix}{n}@example.com,{prefix}{n}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def wait_for_bulk_job(serve: Serve, key: str, job_id: int, *, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = serve.request("GET", f"/api/v1/users/bulk/{job_id}", key=key)
        assert answer.status == 200, answer.text
        if answer.body["status"] in {"done", "failed"}:
            return answer.body
        assert time.monotonic() < deadline, f"job {job_id} not done: {answer.body}\n{serve.log()}"
        time.sleep(0.3)


def test_a_killed_worker_is_started_again_and_the_web_server_keeps_serving(home: Home) -> None:
    key = home.api_key("company_admin")
    with Serve(home) as serve:
        first = serve.worker_pid()
        assert serve.get_status() == 200

        os.kill(first, signal.SIGKILL)
        again = serve.wait_for_log(r"the task worker is running again \(process (\d+)\)")
        second = int(again.group(1))
        assert second != first
        assert process_exists(second)
        assert re.search(
            rf"the task worker \(process {first}\) stopped after [\d.]+ s: killed by SIGKILL; "
            r"starting it again in 1 s \(1 in a row\)",
            serve.log(),
        )
        # The web server never stopped, and the new worker does the work.
        assert serve.get_status() == 200
        upload = serve.request(
            "POST", "/api/v1/users/bulk", key=key, files={"file": ("u.csv", bulk_csv("kill", 3))}
        )
        assert upload.status == 202, upload.text
        job = wait_for_bulk_job(serve, key, upload.body["id"])
        assert (job["status"], job["created"]) == ("done", 3)

        assert serve.stop() == 0
    assert not process_exists(second)
    log = serve.log()
    assert "Stopping ..." in log
    assert "shutting down gracefully" in log  # the worker got its SIGTERM
    assert "Traceback" not in log


def test_a_worker_that_cannot_start_is_backed_off_and_the_web_server_keeps_serving(
    home: Home,
) -> None:
    # A configuration the worker refuses at once, every time (the web server is fine
    # with it): the worker exits with an error as soon as it starts.
    dummy = {"FAXLINE_TASK_BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    with Serve(home, env=dummy) as serve:
        serve.wait_for_log(r"starting it again in 4 s \(3 in a row\)", timeout=120)
        log = serve.log()
        pauses = re.findall(
            r"the task worker \(process \d+\) stopped after [\d.]+ s: exit code 1; "
            r"starting it again in (\d+) s",
            log,
        )
        assert pauses[:3] == ["1", "2", "4"]
        assert log.count("FAXLINE_TASK_BACKEND: the task worker needs") == len(pauses)
        assert serve.get_status() == 200
        assert serve.stop() == 0


def test_serve_survives_a_locked_database(home: Home) -> None:
    """Another program holds the database's write lock longer than the busy timeout: the
    worker and the scheduler meet "database is locked", pause and carry on; serve keeps
    running them all, and work queued meanwhile is done once the lock is gone."""
    key = home.api_key("company_admin")
    with Serve(home, env={"FAXLINE_SQLITE_BUSY_TIMEOUT": "1"}) as serve:
        serve.wait_for_log(r"Starting worker worker_id=")
        worker = serve.worker_pid()
        upload = serve.request(
            "POST", "/api/v1/users/bulk", key=key, files={"file": ("u.csv", bulk_csv("lock", 2))}
        )
        assert upload.status == 202, upload.text
        wait_for_bulk_job(serve, key, upload.body["id"])

        holder = sqlite3.connect(home.database, timeout=30, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        offset = len(serve.log())
        try:
            serve.wait_for_log(
                r"faxline worker: the database is locked \(database is locked\); "
                r"trying again in \d+ s",
                after=offset,
            )
            time.sleep(3)  # several more pauses while the lock is held
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        upload = serve.request(
            "POST", "/api/v1/users/bulk", key=key, files={"file": ("u.csv", bulk_csv("after", 2))}
        )
        assert upload.status == 202, upload.text
        job = wait_for_bulk_job(serve, key, upload.body["id"])
        assert (job["status"], job["created"]) == ("done", 2)
        assert serve.worker_pid() == worker  # never restarted: it did not exit
        assert "stopped after" not in serve.log()
        assert serve.stop() == 0
