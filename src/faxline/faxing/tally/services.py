"""Keeping the traffic tallies exact (``faxline.faxing.tally.models``).

A fax contributes to the counts of its key and day according to what it is now (its status,
its first dial, its end...). Whenever it changes, :func:`job_counted` and
:func:`inbound_counted` add the difference between its new and its old contribution, in the
transaction of the change: the counts move with the facts or not at all. An upsert
(``INSERT … ON CONFLICT DO NOTHING``, then ``UPDATE … SET n = n + d``) keeps concurrent
writers from losing each other's additions. :func:`tally_rebuild` recomputes them from the
faxes (a repair, and how the benchmark's generated history gets its counts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import models, transaction
from django.db.models import F

from faxline.faxing.tally.models import (
    DailyArea,
    DailyDestination,
    DailyError,
    DailyRemote,
    DailyTraffic,
    Direction,
    MonthlyRemote,
)

NO_FAX_DATA = "No fax data"
POTENTIAL_PARTIAL = "Potential partial"


def tally_day(moment: datetime) -> date:
    """The day a fax is counted on: the UTC date of its acceptance or reception."""
    return moment.astimezone(UTC).date()


@dataclass(frozen=True)
class JobFacts:
    """What an outbound job's contribution depends on (the rest of it never changes)."""

    status: str
    error: str
    first_dial_at: datetime | None
    completed_at: datetime | None


def job_facts(job: Any) -> JobFacts:
    return JobFacts(job.status, job.error or "", job.first_dial_at, job.completed_at)


def _seconds(later: datetime | None, earlier: datetime) -> float | None:
    return None if later is None else max(0.0, (later - earlier).total_seconds())


def job_metrics(job: Any, facts: JobFacts | None) -> dict[str, float]:
    if facts is None:
        return {}
    metrics: dict[str, float] = {"faxes": 1, "pages": job.pages}
    if facts.status == "success":
        metrics.update(success=1, pages_success=job.pages)
    elif facts.status == "failed":
        metrics["failed"] = 1
    elif facts.status == "cancelled":
        metrics["cancelled"] = 1
    wait = _seconds(facts.first_dial_at, job.created_at)
    if wait is not None:
        metrics.update(first_wait_count=1, first_wait_seconds=wait)
    if facts.status in ("success", "failed"):
        took = _seconds(facts.completed_at, job.created_at)
        if took is not None:
            metrics.update(completion_count=1, completion_seconds=took)
    return metrics


def _difference(new: Mapping[str, float], old: Mapping[str, float]) -> dict[str, float]:
    names = set(new) | set(old)
    return {n: new.get(n, 0) - old.get(n, 0) for n in names if new.get(n, 0) != old.get(n, 0)}


def _bump(model: type[models.Model], key: dict[str, Any], deltas: Mapping[str, float]) -> None:
    deltas = {name: value for name, value in deltas.items() if value}
    if not deltas:
        return
    with transaction.atomic():
        model._default_manager.bulk_create([model(**key)], ignore_conflicts=True)
        model._default_manager.filter(**key).update(
            **{name: F(name) + value for name, value in deltas.items()}
        )


def area_of(number: str) -> str:
    """The country and area code a destination is counted under: "+1206" of
    "+12065550143" (the Dashboard maps it to a state or province)."""
    return number[:5]


def _job_key(job: Any) -> dict[str, Any]:
    return {
        "company_id": job.company_id,
        "day": tally_day(job.created_at),
        "department_key": job.department_id or 0,
        "user_key": job.sender_id or 0,
        "number": job.from_number,
    }


def job_counted(job: Any, *, before: JobFacts | None, busy: bool = False) -> None:
    """``job`` changed (it was ``before``; None: it was just created): move its counts.
    ``busy``: the call that ended met a busy line."""
    after = job_facts(job)
    key = _job_key(job)
    traffic = _difference(job_metrics(job, after), job_metrics(job, before))
    if busy:
        traffic["busy"] = traffic.get("busy", 0) + 1
    _bump(DailyTraffic, {**key, "direction": Direction.OUTBOUND}, traffic)
    destination: dict[str, float] = {
        name: traffic[name]
        for name in ("faxes", "success", "failed", "busy", "pages")
        if name in traffic
    }
    _bump(DailyDestination, {**key, "remote": job.to_number}, destination)
    if destination:
        remote = {"company_id": job.company_id, "remote": job.to_number}
        _bump(DailyRemote, {**remote, "day": key["day"]}, destination)
        _bump(MonthlyRemote, {**remote, "month": key["day"].replace(day=1)}, destination)
    if "faxes" in destination:
        area = {"company_id": job.company_id, "day": key["day"], "area": area_of(job.to_number)}
        _bump(DailyArea, area, {"faxes": destination["faxes"]})
    old_error = before.error if before is not None and before.status == "failed" else ""
    new_error = after.error if after.status == "failed" else ""
    if old_error != new_error:
        errors = {"direction": Direction.OUTBOUND, **key}
        if old_error:
            _bump(DailyError, {**errors, "error": old_error[:40]}, {"faxes": -1})
        if new_error:
            _bump(DailyError, {**errors, "error": new_error[:40]}, {"faxes": 1})


def inbound_outcome(*, pages: int, partial: bool) -> str:
    """A received fax as the reports count it: ``success``; ``partial`` (pages arrived,
    the call did not end properly); ``failed`` (no fax data)."""
    if pages == 0:
        return "failed"
    return "partial" if partial else "success"


def _inbound_key(fax: Any) -> dict[str, Any]:
    return {
        "company_id": fax.company_id,
        "direction": Direction.INBOUND,
        "day": tally_day(fax.received_at),
        "department_key": fax.department_id or 0,
        "user_key": fax.user_id or 0,
        "number": fax.to_number,
    }


def inbound_metrics(*, pages: int, partial: bool) -> tuple[dict[str, float], str]:
    """A received fax's counts, and the error it is counted under ("" when none)."""
    outcome = inbound_outcome(pages=pages, partial=partial)
    metrics: dict[str, float] = {"faxes": 1, "pages": pages}
    if outcome == "success":
        metrics.update(success=1, pages_success=pages)
        return metrics, ""
    metrics["failed"] = 1
    if outcome == "partial":
        metrics["partial"] = 1
        return metrics, POTENTIAL_PARTIAL
    return metrics, NO_FAX_DATA


def inbound_counted(fax: Any) -> None:
    """``fax`` was received: count it (a fax to a number of no company is nobody's)."""
    if fax.company_id is None:
        return
    key = _inbound_key(fax)
    metrics, error = inbound_metrics(pages=fax.pages, partial=fax.partial)
    if error:
        _bump(DailyError, {**key, "error": error}, {"faxes": 1})
    _bump(DailyTraffic, key, metrics)


def inbound_forward_counted(fax: Any, *, at: datetime) -> None:
    """``fax`` was forwarded for the first time at ``at``."""
    if fax.company_id is None:
        return
    wait = _seconds(at, fax.received_at) or 0.0
    _bump(DailyTraffic, _inbound_key(fax), {"first_wait_count": 1, "first_wait_seconds": wait})
