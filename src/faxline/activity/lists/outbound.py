"""Outbound Activity's definition: the jobs of the actor's scope (faxing's
``jobs_visible``), searched by acceptance date, filtered by department (with its
sub-departments), sender, recipient fax number, job ID and sender fax number.

Status: Success is a sent job; Failed a failed or cancelled one; In Progress one still
queued, calling or waiting to retry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from faxline.activity.lists.access import may_see_outbound_activity
from faxline.activity.lists.filters import (
    FAILED,
    IN_PROGRESS,
    SUCCESS,
    Column,
    ListDefinition,
    department_field,
    identifier_field,
    number_field,
    person_field,
)
from faxline.faxing.jobs.selectors import jobs_visible
from faxline.faxing.models import FAX_JOB_OPEN, FaxAttempt, FaxJob, FaxJobStatus

STATUSES = {
    SUCCESS: Q(status=FaxJobStatus.SUCCESS),
    FAILED: Q(status__in=(FaxJobStatus.FAILED, FaxJobStatus.CANCELLED)),
    IN_PROGRESS: Q(status__in=FAX_JOB_OPEN),
}


def status_group(job: FaxJob) -> str:
    """The Status filter's group of a job (the same rule as :data:`STATUSES`)."""
    if job.status == FaxJobStatus.SUCCESS:
        return SUCCESS
    if job.status in (FaxJobStatus.FAILED, FaxJobStatus.CANCELLED):
        return FAILED
    return IN_PROGRESS


OUTBOUND = ListDefinition(
    name="outbound",
    title="Outbound Activity",
    fields=(
        department_field(),
        person_field("sender", "Sender", "sender"),
        number_field("recipient", "Recipient Fax Number", "to_number"),
        identifier_field("job", "Job ID", "identifier"),
        number_field("sender_number", "Sender Fax Number", "from_number"),
    ),
    columns=(
        Column("job", "Job ID"),
        Column("date", "Date"),
        Column("sender", "Sender"),
        Column("department", "Department"),
        Column("from", "Sender Fax Number"),
        Column("to", "Recipient Fax Number"),
        Column("pages", "Pages"),
        Column("status", "Status"),
        Column("error", "Error"),
        Column("attempts", "Attempts/Duration"),
        Column("completed", "Completed", shown=False),
        Column("source", "Source", shown=False),
    ),
    statuses=STATUSES,
    date_field="created_at",
    order=("-created_at", "-id"),
    may_see=may_see_outbound_activity,
    scope=jobs_visible,
    related=("sender", "department"),
)


@dataclass(frozen=True)
class CallTime:
    """A job's calls: how many were placed and how long they lasted in all (seconds)."""

    attempts: int
    seconds: float


def call_times(jobs: list[FaxJob]) -> dict[int, CallTime]:
    """The calls of a page of jobs, in one query."""
    rows = (
        FaxAttempt.objects.filter(job_id__in=[j.pk for j in jobs])
        .values("job_id")
        .annotate(n=Count("id"), seconds=Sum("duration_seconds"))
        .order_by()
    )
    return {r["job_id"]: CallTime(r["n"], float(r["seconds"] or 0.0)) for r in rows}
