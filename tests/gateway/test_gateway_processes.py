"""The gateway as it runs, in real processes on a demo install (SQLite in a temporary
``FAXLINE_HOME``, tests/liveinstall): ``faxline serve --smtp-port`` takes a demo fax user's
email to fax and its task worker makes the job; and nothing accepted is lost when the SMTP
process is killed (SIGKILL) right after its 250 and the worker processing the message is
killed too."""

from __future__ import annotations

import signal
import smtplib
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gateway.gateway_support import a_pdf, email_to_fax, wire
from liveinstall import (
    Home,
    Serve,
    copy_home,
    environment,
    faxline_command,
    free_port,
    shared_demo_home,
)

pytestmark = [pytest.mark.processes, pytest.mark.database_independent]

DIE_WHILE_PROCESSING = """
import os, signal, sys
import django
django.setup()
from faxline.gateway import services

def killed(**kwargs):
    # The worker dies with the documents converted, before the jobs are written.
    os.kill(os.getpid(), signal.SIGKILL)

services.fax_send = killed
services.message_process(message_id=int(sys.argv[1]))
print("not killed", flush=True)
"""

SWEEP_LATER = """
import datetime as dt
import django
django.setup()
import time_machine
from django.utils import timezone
from faxline.gateway.services import gateway_sweep

print("now", gateway_sweep()["released"])
with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
    print("later", gateway_sweep()["released"])
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return shared_demo_home(tmp_path_factory)


def rows(home: Home, sql: str) -> list[tuple]:
    with sqlite3.connect(home.database) as db:
        return list(db.execute(sql))


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


# The jobs this test makes (the demo's history of imported jobs has no reply-to address).
EMAILED = "reply_to <> ''"


def fax_user(home: Home) -> tuple[str, str]:
    """A demo fax user's email address and another demo user's number to fax."""
    users = [u for u in home.sign_ins.values() if u.get("fax_number")]
    return users[0]["email"], users[1]["fax_number"]


def smtp_send(port: int, sender: str, number: str, message_id: str) -> None:
    message = email_to_fax(sender, [number], pdf=a_pdf(), body="Hello", message_id=message_id)
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        assert client.sendmail(sender, [f"{number}@fax.localhost"], wire(message)) == {}


def wait_for(check: object, *, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.2)


def test_serve_takes_a_demo_users_email_to_fax(home: Home, tmp_path: Path) -> None:
    mine = copy_home(home, tmp_path / "home")
    sender, number = fax_user(mine)
    # Every demo fax user's email address is their registered sending address.
    registered = rows(mine, "select email, sending_email from accounts_user where role='fax_user'")
    assert len(registered) >= 4 and all(email == sending for email, sending in registered)
    with Serve(mine) as serve:
        serve.wait_for_log(rf"SMTP gateway: port {serve.smtp_port}")
        serve.wait_for_log(r"Email to fax:\s+running \(process \d+\)")
        serve.wait_for_log(r"faxline smtpd: listening on 127\.0\.0\.1:\d+")
        smtp_send(serve.smtp_port, sender, number.lstrip("+"), "<live@test>")
        wait_for(lambda: rows(mine, "select status from gateway_gatewaymessage") == [("done",)])
    [(jobs,)] = rows(mine, "select job_identifiers from gateway_gatewaymessage")
    [(to_number, source, reply_to)] = rows(
        mine, "select to_number, source, reply_to from faxing_faxjob where reply_to <> ''"
    )
    assert (to_number, source, reply_to) == (number, "email", sender)
    assert rows(mine, "select kind from notify_notificationlog where kind like 'gateway.%'") == [
        ("gateway.initial_success",)
    ]
    assert jobs.startswith('["')


def test_killed_after_the_250_and_killed_while_processing_still_makes_the_job_once(
    home: Home, tmp_path: Path
) -> None:
    mine = copy_home(home, tmp_path / "home")
    sender, number = fax_user(mine)
    port = free_port()
    with (tmp_path / "smtpd.out").open("wb") as out:
        smtpd = subprocess.Popen(
            [sys.executable, "-m", "faxline.cli", "smtpd", "--port", str(port)],
            env=environment(mine.path),
            cwd=mine.path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: b"listening on" in (tmp_path / "smtpd.out").read_bytes(), timeout=60)
        smtp_send(port, sender, number, "<kill@test>")
    finally:
        smtpd.send_signal(signal.SIGKILL)  # right after the 250
        smtpd.wait()
    [(pk, status)] = rows(mine, "select id, status from gateway_gatewaymessage")
    assert status == "received"

    died = python(mine, DIE_WHILE_PROCESSING, str(pk))
    assert died.returncode == -signal.SIGKILL, died.stderr
    assert "not killed" not in died.stdout
    assert rows(mine, "select status from gateway_gatewaymessage") == [("processing",)]

    faxline_command(mine.path, "worker", "--batch")  # the nudge finds it claimed: skipped
    assert rows(mine, f"select count(*) from faxing_faxjob where {EMAILED}") == [(0,)]

    swept = python(mine, SWEEP_LATER)
    assert swept.returncode == 0, swept.stderr
    assert swept.stdout.split("\n")[:2] == ["now 0", "later 1"]
    faxline_command(mine.path, "worker", "--batch")
    assert rows(mine, "select status, attempts from gateway_gatewaymessage") == [("done", 2)]
    assert rows(mine, f"select count(*) from faxing_faxjob where {EMAILED}") == [(1,)]
    faxline_command(mine.path, "worker", "--batch")
    assert rows(mine, f"select count(*) from faxing_faxjob where {EMAILED}") == [(1,)]
