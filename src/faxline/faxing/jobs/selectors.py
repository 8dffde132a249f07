"""Reads of outbound jobs, narrowed to what the actor may see (outside it a job does not
exist: 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from faxline.accounts.access import Actor
from faxline.core.errors import NotFound, ValidationFailed
from faxline.faxing.models import FaxJob, FaxJobEvent, FaxJobStatus
from faxline.telephony.transport import normalized_number


def jobs_visible(actor: Actor) -> QuerySet[FaxJob]:
    """Its sender's jobs for a fax user; the company's for its company-level administrators
    (a department administrator's subtree's); the partner's
    companies' for a channel partner; all for operators."""
    if actor.is_operator or actor.is_partner or actor.is_administrator:
        scope = actor.in_companies_q()
        root = actor.scope_department
        if root is not None:
            # A department administrator: the jobs counted under their subtree.
            scope &= Q(department__path__startswith=root.path)
    else:
        scope = Q(sender_id=actor.user.pk)
    return FaxJob.objects.filter(scope)


def job_get(*, actor: Actor, identifier: str) -> FaxJob:
    job = (
        jobs_visible(actor)
        .select_related("company", "sender")
        .filter(identifier=identifier)
        .first()
    )
    if job is None:
        raise NotFound("There is no fax job with this identifier.", field="id")
    return job


EVENT_LABELS = {
    "accepted": "Accepted",
    "imported": "Imported from history",
    "dialing": "Dialing",
    "sent": "Sent",
    "retry_scheduled": "Retry scheduled",
    "gave_up": "Failed",
    "cancelled": "Cancelled",
    "kill_time": "Kill time reached",
    "interrupted": "Call interrupted",
    "archived": "Archived",
    "archive_retrying": "Archive attempt failed",
    "archive_failed": "Archive failed",
    "archive_retried": "Archive tried again",
}
MAX_EVENTS = 200


@dataclass(frozen=True)
class JobEventView:
    """One line of a job's events as its page and the API show it."""

    at: datetime
    kind: str
    label: str
    from_status: str
    to_status: str
    note: str


def _event_note(event: FaxJobEvent) -> str:
    detail = event.detail or {}
    if detail.get("note"):
        return str(detail["note"])
    parts = [str(detail[k]) for k in ("outcome", "cause") if detail.get(k)]
    if detail.get("attempt") and event.kind != "dialing":
        parts.insert(0, f"attempt {detail['attempt']}")
    elif detail.get("attempt"):
        parts.append(f"attempt {detail['attempt']}")
    return ", ".join(parts)


def job_events(job: FaxJob) -> list[JobEventView]:
    """The job's events in order (status changes, and the Archive tab's copies), at most
    :data:`MAX_EVENTS` (the latest)."""
    rows = list(job.events.order_by("-at", "-pk")[:MAX_EVENTS])
    return [
        JobEventView(
            at=e.at,
            kind=e.kind,
            label=EVENT_LABELS.get(e.kind, e.kind.replace("_", " ").capitalize()),
            from_status=e.from_status,
            to_status=e.to_status,
            note=_event_note(e),
        )
        for e in reversed(rows)
    ]


def jobs_list(
    *,
    actor: Actor,
    status: str | None = None,
    to: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[FaxJob]:
    """Newest first, filtered by status, recipient (any spelling) and acceptance time."""
    jobs = jobs_visible(actor).order_by("-created_at", "-id")
    if status:
        if status not in FaxJobStatus.values:
            raise ValidationFailed(
                f"status must be one of {', '.join(FaxJobStatus.values)}.", field="status"
            )
        jobs = jobs.filter(status=status)
    if to:
        jobs = jobs.filter(to_number=normalized_number(to, field_name="to"))
    if since:
        jobs = jobs.filter(created_at__gte=since)
    if until:
        jobs = jobs.filter(created_at__lt=until)
    return jobs
