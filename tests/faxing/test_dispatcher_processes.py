"""Durability with real processes: ``kill -9`` of a dispatcher in the middle of a call loses
nothing (the lease expires, another dispatcher retries, the job finishes once), and several
dispatcher processes on PostgreSQL never run one attempt twice nor call one destination
twice at once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from liveinstall import Home, copy_home, environment, faxline_command, prepared_home

pytestmark = [pytest.mark.processes]

MAKE_JOBS = """
from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.faxing.jobs.send import Attachment, CoverRequest, fax_send
from faxline.numbers.models import FaxNumber

user = User.objects.filter(role="fax_user").order_by("pk").first()
if not FaxNumber.objects.filter(user=user).exists():
    FaxNumber.objects.create(number="+12125557001", country="US", area_code="212",
        source="sandbox", status="in_service", company=user.company, user=user, outbound=True)
jobs = fax_send(actor=Actor(user=user), to={to!r}, files=[Attachment(b"Hello\\n", "a.txt")],
    cover=CoverRequest(requested=False))
print(",".join(j.identifier for j in jobs))
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return prepared_home(tmp_path_factory.mktemp("dispatch-home") / "home")


def dispatcher(home_path: Path, log: Path, **env: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "faxline.cli", "dispatcher", "--poll", "0.2"],
            env=environment(home_path, **env),
            cwd=home_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def rows(db: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as conn:
        return list(conn.execute(sql, args))


def wait_for(check, *, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_mid_call_loses_nothing_and_the_job_finishes_once(
    home: Home, tmp_path: Path
) -> None:
    mine = copy_home(home, tmp_path / "home")
    made = faxline_command(mine.path, "shell", "-c", MAKE_JOBS.format(to=["+16175559876"]))
    (identifier,) = made.strip().splitlines()[-1].split(",")
    db = mine.database
    (job_id,) = rows(db, "select id from faxing_faxjob where identifier = ?", identifier)[0]
    log = tmp_path / "dispatchers.log"
    lease = {"FAXLINE_DISPATCH_LEASE_SECONDS": "2"}
    first = dispatcher(mine.path, log, FAXLINE_SANDBOX_REAL_TIME="1", **lease)
    try:
        wait_for(
            lambda: rows(db, "select id from faxing_faxattempt where job_id = ?", job_id),
            timeout=60,
            what="the first attempt",
        )
        time.sleep(2.0)  # mid-call: a paced call of one page lasts well over 5 s
        assert rows(db, "select status from faxing_faxjob where id = ?", job_id) == [
            ("in_progress",)
        ]
        assert first.poll() is None
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert rows(db, "select ended_at from faxing_faxattempt where job_id = ?", job_id) == [
        (None,)
    ]
    second = dispatcher(mine.path, log, **lease)
    try:
        wait_for(
            lambda: rows(
                db, "select 1 from faxing_faxjob where id = ? and status = 'success'", job_id
            ),
            timeout=60,
            what="the job to be sent by the second dispatcher",
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    attempts = rows(
        db,
        "select number, outcome, cause, lease_owner from faxing_faxattempt where job_id = ? "
        "order by number",
        job_id,
    )
    assert [(n, o, c) for n, o, c, _ in attempts] == [
        (1, "General Error", "interrupted"),
        (2, "Sent", "t30"),
    ]
    assert attempts[0][3] != attempts[1][3]  # two dispatchers
    events = rows(
        db, "select from_status, to_status, kind from faxing_faxjobevent where job_id = ? "
        "order by id", job_id
    )
    assert events == [
        ("", "queued", "accepted"),
        ("queued", "in_progress", "dialing"),
        ("in_progress", "retrying", "interrupted"),
        ("retrying", "in_progress", "dialing"),
        ("in_progress", "success", "sent"),
    ]
    assert second.returncode == 0, log.read_text()
