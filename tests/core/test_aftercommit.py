"""The generic parts of work after commit: the nudge after commit and the backoff schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from faxline.core.aftercommit import enqueue_after_commit, enqueue_now
from faxline.core.backoff import Backoff

pytestmark = pytest.mark.django_db


@task()
def double(number: int) -> int:
    """A task for these tests."""
    return number * 2


def waiting() -> list[Any]:
    return [
        r.args_kwargs["args"]
        for r in DBTaskResult.objects.filter(task_path=double.module_path, status="READY")
    ]


def test_enqueued_only_once_the_transaction_commits(
    django_capture_on_commit_callbacks: Any, run_tasks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_after_commit(double, 21)
        assert waiting() == []
    assert waiting() == [[21]]
    assert run_tasks() == 1
    assert DBTaskResult.objects.get(task_path=double.module_path).return_value == 42


def test_nothing_is_enqueued_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_after_commit(double, 1)
        transaction.set_rollback(True)
    assert waiting() == []


def test_a_deferred_nudge_waits_for_its_time(run_tasks: Any) -> None:
    later = datetime(2030, 1, 1, tzinfo=UTC)
    assert enqueue_now(double.using(run_after=later), 5) is True
    assert run_tasks() == 0
    assert DBTaskResult.objects.get(task_path=double.module_path).run_after == later


def test_a_refused_enqueue_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    assert enqueue_now(double, object()) is False  # type: ignore[arg-type]
    assert "the periodic sweep will retry" in caplog.text
    assert waiting() == []


def test_backoff_schedule() -> None:
    backoff = Backoff(first=timedelta(minutes=1), factor=3, cap=timedelta(hours=1), max_attempts=5)
    assert [d.total_seconds() for d in backoff.schedule()] == [60, 180, 540, 1620]
    assert backoff.delay(10) == timedelta(hours=1)  # capped
    assert backoff.delay(10_000) == timedelta(hours=1)  # no overflow
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert backoff.next_attempt(1, now=now) == now + timedelta(minutes=1)
    assert backoff.next_attempt(4, now=now) == now + timedelta(minutes=27)
    assert backoff.next_attempt(5, now=now) is None and backoff.exhausted(5)
    assert not backoff.exhausted(4)
    with pytest.raises(ValueError):
        Backoff(first=timedelta(0))
    with pytest.raises(ValueError):
        Backoff(first=timedelta(seconds=1), max_attempts=0)
