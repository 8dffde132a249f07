"""Finished task rows are pruned after the retention, in bounded batches; waiting and
running ones are never touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult, get_date_max

from faxline.core.periodic import registered_jobs
from faxline.core.task_results import task_results_prune

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _row(status: str, finished_days_ago: float | None) -> DBTaskResult:
    finished = None if finished_days_ago is None else NOW - timedelta(days=finished_days_ago)
    return DBTaskResult.objects.create(
        status=status,
        finished_at=finished,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="faxline.porting.tasks.tick",
        backend_name="default",
        run_after=get_date_max(),
    )


def test_prunes_finished_rows_past_the_retention_only(settings: Any) -> None:
    old_ok = [_row("SUCCESSFUL", 20) for _ in range(3)]
    old_failed = _row("FAILED", 15)
    recent = _row("SUCCESSFUL", 13)
    waiting = _row("READY", None)
    running = _row("RUNNING", None)
    # A stale "finished_at" on a row that is not finished (never written by the backend,
    # but the status decides): kept.
    odd = _row("RUNNING", 30)

    assert task_results_prune(now=NOW) == 4  # FAXLINE_TASK_RETENTION_DAYS: 14
    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert left == {recent.id, waiting.id, running.id, odd.id}
    assert not left & {r.id for r in [*old_ok, old_failed]}
    # Again: nothing more to do.
    assert task_results_prune(now=NOW) == 0
    # A shorter retention (the setting) reaches the recent row too.
    settings.FAXLINE_TASK_RETENTION_DAYS = 7
    assert task_results_prune(now=NOW) == 1


def test_one_run_is_bounded_and_the_next_goes_on() -> None:
    for _ in range(7):
        _row("SUCCESSFUL", 30)
    assert task_results_prune(now=NOW, batch_size=2, max_batches=2) == 4
    assert DBTaskResult.objects.count() == 3
    assert task_results_prune(now=NOW, batch_size=2, max_batches=2) == 3
    assert DBTaskResult.objects.count() == 0


def test_core_declares_the_prune_job() -> None:
    jobs = {job.name: job for job in registered_jobs()}
    job = jobs["prune finished task results"]
    assert job.every_seconds == 3600 and job.function() is task_results_prune
