"""Nothing received is lost, with real processes: a process that received a fax is killed
(SIGKILL) right after the reception committed, before the delivery task was enqueued. The
fax is in the database; the periodic sweep nudges it; ``faxline worker`` delivers it once.

Runs on a migrated demo install on SQLite in a temporary ``FAXLINE_HOME`` (tests/liveinstall):
the receiving process, the sweep and the worker are separate processes on one file database.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from liveinstall import Home, copy_home, environment, faxline_command, shared_demo_home
from telephony.fax_calls import make_tiff

pytestmark = pytest.mark.database_independent  # its own database, not the test one

RECEIVE_AND_DIE = """
import os, signal, sys
import django
django.setup()
from django.db import transaction
from faxline.faxing.sandbox.wiring import sandbox_transport
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.transport import CallRequest

caller, callee, tiff = sys.argv[1:4]
with transaction.atomic():
    # Runs first once the reception commits: the process dies before any nudge leaves.
    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
    outcome = sandbox_transport().place_call_sync(
        CallRequest(caller, callee, tiff, FaxOptions(ident="KILLED"))
    )
    assert outcome.success, outcome.as_dict()
    print("stored", outcome.far_end["stored"], flush=True)
print("not killed", flush=True)
"""

SWEEP_LATER = """
import datetime as dt
import django
django.setup()
import time_machine
from django.utils import timezone
from faxline.faxing.inbound.services import inbound_deliveries_resume

print("too early", inbound_deliveries_resume())
with time_machine.travel(timezone.now() + dt.timedelta(minutes=3), tick=False):
    print("nudged", inbound_deliveries_resume())
    print("again", inbound_deliveries_resume())
"""


# The fax this test receives (the demo's history of received faxes comes from "DEMO SENDER").
RECEIVED_HERE = "remote_csid <> 'DEMO SENDER'"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return shared_demo_home(tmp_path_factory)


def python(home: Home, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=environment(home.path),
        cwd=home.path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def rows(home: Home, sql: str) -> list[tuple]:
    with sqlite3.connect(home.database) as db:
        return list(db.execute(sql))


def test_a_fax_received_by_a_process_killed_before_its_nudge_is_delivered_once(
    home: Home, tmp_path: Path
) -> None:
    mine = copy_home(home, tmp_path / "home")
    numbers = [user["fax_number"] for user in mine.sign_ins.values() if user.get("fax_number")]
    caller, callee = numbers[:2]
    tiff = make_tiff(tmp_path / "one.tif", pages=1)

    died = python(mine, RECEIVE_AND_DIE, caller, callee, str(tiff))
    assert died.returncode == -signal.SIGKILL, died.stderr
    assert "stored" in died.stdout and "not killed" not in died.stdout
    [(fax_id, status, pages, sha256)] = rows(
        mine,
        f"select id, delivery_status, pages, sha256 from faxing_inboundfax where {RECEIVED_HERE}",
    )
    assert (status, pages, len(sha256)) == ("pending", 1, 64)
    assert rows(mine, "select count(*) from django_tasks_database_dbtaskresult") == [(0,)]

    faxline_command(mine.path, "worker", "--batch")  # nothing queued: nothing happens
    assert rows(mine, f"select delivery_status from faxing_inboundfax where {RECEIVED_HERE}") == [
        ("pending",)
    ]

    swept = python(mine, SWEEP_LATER)
    assert swept.returncode == 0, swept.stderr
    assert swept.stdout.split("\n")[:3] == ["too early 0", "nudged 1", "again 0"]
    faxline_command(mine.path, "worker", "--batch")
    assert rows(mine, f"select delivery_status from faxing_inboundfax where {RECEIVED_HERE}") == [
        ("delivered",)
    ]
    sent = rows(
        mine, "select recipient, status from notify_notificationlog where kind='faxing.inbound'"
    )
    assert len(sent) == 1 and sent[0][1] == "logged"
    kinds = rows(mine, f"select kind from faxing_inboundevent where fax_id={fax_id} order by id")
    assert kinds == [("received",), ("forwarded",)]

    faxline_command(mine.path, "worker", "--batch")
    assert python(mine, SWEEP_LATER).stdout.split("\n")[:2] == ["too early 0", "nudged 0"]
    assert len(rows(mine, "select id from notify_notificationlog where kind='faxing.inbound'")) == 1
