"""The one owner of an outbound job's status (DESIGN.md rule 11).

A job is created here (:func:`job_create`, ``queued``) and changes status only through
:func:`job_transition`, a compare-and-set on the stored status that writes a
:class:`~faxline.faxing.models.FaxJobEvent` for every change. Its callers are the services
of ``faxing/jobs`` (a test scans the source). The lifecycle::

    queued ──claim──▶ in_progress ──Sent──▶ success
      ▲                  │ ├──retry────▶ retrying ──claim──▶ in_progress ...
      │                  │ └──give up──▶ failed
    (resend: a new job)  └──lease expired──▶ retrying
    queued / retrying ──cancel──▶ cancelled;  ──kill time──▶ failed ("Job Cancelled")
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from faxline.core.errors import Conflict
from faxline.faxing.jobs.followups import job_changed
from faxline.faxing.models import FaxJob, FaxJobEvent, FaxJobStatus
from faxline.faxing.tally.services import JobFacts, job_counted
from faxline.telephony.outcomes import OutcomeName

# Allowed moves: from -> the statuses it may go to.
MOVES: dict[str, frozenset[str]] = {
    FaxJobStatus.QUEUED: frozenset(
        {FaxJobStatus.IN_PROGRESS, FaxJobStatus.CANCELLED, FaxJobStatus.FAILED}
    ),
    FaxJobStatus.RETRYING: frozenset(
        {FaxJobStatus.IN_PROGRESS, FaxJobStatus.CANCELLED, FaxJobStatus.FAILED}
    ),
    FaxJobStatus.IN_PROGRESS: frozenset(
        {FaxJobStatus.SUCCESS, FaxJobStatus.RETRYING, FaxJobStatus.FAILED}
    ),
    FaxJobStatus.SUCCESS: frozenset(),
    FaxJobStatus.FAILED: frozenset(),
    FaxJobStatus.CANCELLED: frozenset(),
}


def new_identifier() -> str:
    """A job identifier as the guide shows them, "501-26438917": random (not a sequence
    anyone could walk), 3 + 8 digits."""
    return f"{100 + secrets.randbelow(900)}-{secrets.randbelow(10**8):08d}"


def job_create(*, actor_id: int | None, **fields: Any) -> FaxJob:
    """A new ``queued`` job with its first event (inside the caller's transaction). The
    identifier is drawn again in the unlikely case it is taken."""
    for _ in range(5):
        try:
            with transaction.atomic():
                job = FaxJob.objects.create(
                    identifier=new_identifier(),
                    status=FaxJobStatus.QUEUED,
                    status_changed_at=timezone.now(),
                    **fields,
                )
                break
        except IntegrityError:
            continue
    else:  # pragma: no cover - 5 collisions in 9e10
        raise Conflict("Could not draw a free job identifier; try again.", code="busy")
    FaxJobEvent.objects.create(
        job=job,
        kind="accepted",
        from_status="",
        to_status=FaxJobStatus.QUEUED,
        at=job.status_changed_at or timezone.now(),
        actor_id=actor_id,
        detail={"to": job.to_number, "pages": job.pages},
    )
    job_counted(job, before=None)
    job_changed(job, from_status="", to_status=FaxJobStatus.QUEUED)
    return job


def job_import(*, created_at: datetime, status: str, **fields: Any) -> FaxJob:
    """A finished job from before faxline (a fax server's history moved in, the demo's
    sixty days): stored as it ended, accepted at ``created_at``, with an ``imported`` event.
    It is counted in the traffic tallies by the caller's ``tally_rebuild`` once the history
    is in (one rebuild, not an upsert per job)."""
    if status not in (FaxJobStatus.SUCCESS, FaxJobStatus.FAILED, FaxJobStatus.CANCELLED):
        raise Conflict("Only a finished job can be imported.", code="invalid_transition")
    job = FaxJob.objects.create(identifier=new_identifier(), status=status, **fields)
    FaxJob.objects.filter(pk=job.pk).update(created_at=created_at)
    job.created_at = created_at
    FaxJobEvent.objects.create(
        job=job,
        kind="imported",
        from_status="",
        to_status=status,
        at=fields.get("completed_at") or created_at,
        detail={"to": job.to_number, "pages": job.pages},
    )
    return job


def job_transition(
    job: FaxJob,
    *,
    allowed_from: Iterable[str],
    to: str,
    kind: str,
    actor_id: int | None = None,
    fields: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> FaxJob:
    """Move ``job`` to ``to`` if its stored status is one of ``allowed_from`` (and the move
    is one of :data:`MOVES`), with ``fields`` written in the same UPDATE; an event row says
    so. Refuses with ``invalid_transition`` (409) when the job is elsewhere, ``stale_status``
    when it changed meanwhile. Raises ``IntegrityError`` when a claim meets another call
    in progress to the same destination (the caller's savepoint decides)."""
    allowed = set(allowed_from)
    current, error, first_dial_at, completed_at = (
        FaxJob.objects.filter(pk=job.pk)
        .values_list("status", "error", "first_dial_at", "completed_at")
        .get()
    )
    before = JobFacts(current, error, first_dial_at, completed_at)
    if current not in allowed or to not in MOVES[current]:
        raise Conflict(
            f"A job that is {FaxJobStatus(current).label.lower()} cannot be "
            f"{kind.replace('_', ' ')}.",
            code="invalid_transition",
        )
    moment = now or timezone.now()
    updates: dict[str, Any] = {"status": to, "status_changed_at": moment, **(fields or {})}
    if to in (FaxJobStatus.SUCCESS, FaxJobStatus.FAILED, FaxJobStatus.CANCELLED):
        updates.setdefault("completed_at", moment)
        updates.setdefault("next_attempt_at", None)
    if to == FaxJobStatus.IN_PROGRESS and first_dial_at is None:
        updates["first_dial_at"] = moment
    if not FaxJob.objects.filter(pk=job.pk, status=current).update(**updates):
        raise Conflict("The job changed meanwhile; reload it.", code="stale_status")
    for name, value in updates.items():
        setattr(job, name, value)
    FaxJobEvent.objects.create(
        job=job,
        kind=kind,
        from_status=current,
        to_status=to,
        at=moment,
        actor_id=actor_id,
        detail=detail or {},
    )
    busy = (detail or {}).get("outcome") == OutcomeName.BUSY
    job_counted(job, before=before, busy=busy)
    job_changed(job, from_status=current, to_status=to)
    return job
