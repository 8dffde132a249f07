"""Reads of outbound jobs, narrowed to what the actor may see (outside it a job does not
exist: 404)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from faxline.accounts.access import Actor
from faxline.core.errors import NotFound, ValidationFailed
from faxline.faxing.models import FaxJob, FaxJobStatus
from faxline.telephony.transport import normalized_number


def jobs_visible(actor: Actor) -> QuerySet[FaxJob]:
    """Its sender's jobs for a fax user; the company's for its administrators; the partner's
    companies' for a channel partner; all for operators."""
    if actor.is_operator or actor.is_partner or actor.is_administrator:
        scope = actor.in_companies_q()
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
