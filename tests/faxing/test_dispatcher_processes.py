"""Durability with real processes: ``kill -9`` of a dispatcher in the middle of a call loses
nothing (the lease expires, another dispatcher retries, the job finishes once), and several
dispatcher processes on PostgreSQL never run one attempt twice nor call one destination
twice at once."""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from liveinstall import Home, copy_home, environment, faxline_command, shared_demo_home

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
jobs = []
for to in {sends!r}:
    jobs += fax_send(actor=Actor(user=user), to=to, files=[Attachment(b"Hello\\n", "a.txt")],
        cover=CoverRequest(requested=False))
print(",".join(j.identifier for j in jobs))
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return shared_demo_home(tmp_path_factory)


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


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="a SQLite install of its own: runs in one pass"
)
def test_kill_9_mid_call_loses_nothing_and_the_job_finishes_once(
    home: Home, tmp_path: Path
) -> None:
    mine = copy_home(home, tmp_path / "home")
    made = faxline_command(mine.path, "shell", "-c", MAKE_JOBS.format(sends=[["+16175559876"]]))
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
    assert rows(db, "select ended_at from faxing_faxattempt where job_id = ?", job_id) == [(None,)]
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
        db,
        "select from_status, to_status, kind from faxing_faxjobevent where job_id = ? order by id",
        job_id,
    )
    assert events == [
        ("", "queued", "accepted"),
        ("queued", "in_progress", "dialing"),
        ("in_progress", "retrying", "interrupted"),
        ("retrying", "in_progress", "dialing"),
        ("in_progress", "success", "sent"),
    ]
    assert second.returncode == 0, log.read_text()


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_several_dispatchers_on_postgresql_never_run_an_attempt_twice(
    cast: object, tmp_path: Path
) -> None:
    from django.db import connection

    from faxline.faxing.models import FaxAttempt, FaxJob, FaxJobEvent

    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED between processes: PostgreSQL only")
    home = tmp_path / "home"
    home.mkdir()
    env = {"DATABASE_URL": _database_url()}
    # Six jobs to one destination (a send makes one job per distinct number), eight others.
    sends = [["+16175559876"]] * 5 + [["+16175559876"] + [f"+1617555{9800 + i}" for i in range(8)]]
    faxline_command(home, "shell", "-c", MAKE_JOBS.format(sends=sends), **env)
    assert FaxJob.objects.count() == 14
    log = tmp_path / "dispatchers.log"
    workers = [dispatcher(home, log, **env) for _ in range(3)]
    try:
        wait_for(
            lambda: not FaxJob.objects.exclude(status="success").exists(),
            timeout=120,
            what="every job sent",
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
    assert FaxAttempt.objects.count() == 14  # one attempt each: none ran twice
    assert FaxJobEvent.objects.filter(to_status="success").count() == 14
    calls = list(
        FaxAttempt.objects.filter(job__to_number="+16175559876")
        .order_by("started_at")
        .values_list("started_at", "ended_at")
    )
    assert len(calls) == 6
    for (_, ended), (started, _) in itertools.pairwise(calls):
        assert ended <= started, "two calls to one destination overlapped"
    owners = set(FaxAttempt.objects.values_list("lease_owner", flat=True))
    assert len(owners) >= 2, log.read_text()
