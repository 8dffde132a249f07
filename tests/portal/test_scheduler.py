"""The periodic scheduler: due jobs run, failures are logged and do not stop the others."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from faxline.core.periodic import PeriodicJob, registered_jobs, run_due

CALLS: list[str] = []


def job_ok() -> str:
    CALLS.append("ok")
    return "ok"


def job_fails() -> None:
    raise RuntimeError("boom")


@pytest.mark.django_db
def test_due_jobs_run_and_a_failure_is_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    CALLS.clear()
    jobs = [
        PeriodicJob("fails", 10, f"{__name__}:job_fails"),
        PeriodicJob("ok", 10, f"{__name__}:job_ok"),
    ]
    assert run_due(jobs, now=100.0) == ["fails", "ok"]
    assert "periodic job fails failed" in caplog.text
    assert run_due(jobs, now=105.0) == []  # not due yet
    assert run_due(jobs, now=111.0) == ["fails", "ok"]
    assert CALLS == ["ok", "ok"]


@pytest.mark.django_db
def test_scheduler_once_runs_the_registered_jobs() -> None:
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "ran: porting carriers tick" in out.getvalue()
    assert "ran: return aged numbers" in out.getvalue()


def test_the_apps_declare_their_jobs() -> None:
    jobs = {job.name: job for job in registered_jobs()}
    assert set(jobs) == {
        "prune finished task results",
        "expire idempotency keys",
        "continue Bulk Create jobs",
        "return aged numbers",
        "deliver queued notifications",
        "deliver webhook events",
        "prune old webhook events",
        "porting carriers tick",
        "porting test fax sweep",
        "porting document read sweep",
        "resume inbound fax deliveries",
        "delete received faxes past retention",
        "resume archive copies",
        "resume bulk resubmits",
        "resume email to fax and delete kept emails past retention",
        "close last month's call detail records",
    }
    assert all(callable(job.target) for job in jobs.values())
    assert jobs["porting carriers tick"].every_seconds == 60
    assert jobs["return aged numbers"].every_seconds == 3600
