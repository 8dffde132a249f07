"""Bulk Resubmit: many received faxes delivered again, by the task worker, with progress.

Work after commit (``docs/decisions/0005-work-after-commit.md``), in three steps:

1. :func:`bulk_resubmit_start` (the portal's Bulk Resubmit, ``POST
   /api/v1/inbound/resubmit``) checks the actor's right and the selection (at most
   :data:`MAX_FAXES` ids; ids outside the actor's scope are ignored as if they did not
   exist), stores a :class:`~faxline.faxing.inbound.models.BulkResubmit` with one item per
   fax in one short transaction, and nudges the task after commit. The request answers at
   once.
2. :func:`bulk_resubmit_run` (the task ``faxing.inbound.tasks.bulk_resubmit``) claims the
   job and resubmits its faxes in order, each in its own transaction together with its
   item's outcome (resubmitted, or refused with the reason: content deleted, a delivery
   running, the fax no longer in the person's scope...) and the job's counters. A crash
   between two faxes loses nothing and repeats nothing: the next run continues with the
   first waiting item. Running it again once it is done does nothing.
3. :func:`bulk_resubmit_get` and :func:`bulk_resubmit_items` give the progress, as the
   portal's progress page polls it and ``GET /api/v1/inbound/resubmit/{id}`` returns it.

:func:`bulk_resubmits_resume` (periodic) nudges jobs whose nudge was lost or whose worker
died (a heartbeat older than :data:`STALE_JOB`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.core.aftercommit import enqueue_after_commit, enqueue_now, renudge_lost
from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from faxline.faxing.inbound.access import inbound_visible_q, may_resubmit_inbound
from faxline.faxing.inbound.models import (
    BulkResubmit,
    BulkResubmitItem,
    BulkResubmitItemStatus,
    BulkResubmitStatus,
    InboundFax,
)

log = logging.getLogger(__name__)

MAX_FAXES = 1000
MAX_ID = 2**63 - 1  # the largest primary key a database holds: beyond it, no fax exists
# A running job whose worker has not renewed its heartbeat for this long lost its worker;
# a queued one not started after this long lost its nudge.
STALE_JOB = timedelta(minutes=2)
# Faxes per task run: then the job goes back to the queue behind the tasks that came
# meanwhile (the deliveries it queued among them).
FAXES_PER_RUN = 200
SWEEP_LIMIT = 100


def _nudge_after_commit(job_id: int) -> None:
    from faxline.faxing.inbound.tasks import bulk_resubmit  # tasks.py imports this module

    enqueue_after_commit(bulk_resubmit, job_id)


def _nudge_now(job_id: int) -> bool:
    from faxline.faxing.inbound.tasks import bulk_resubmit

    return enqueue_now(bulk_resubmit, job_id)


def bulk_resubmit_start(*, actor: Actor, fax_ids: Sequence[int]) -> BulkResubmit:
    """Start a Bulk Resubmit of the faxes ``fax_ids`` (in the order given, repeats
    dropped). Refusals: a read-only administrator or one without "Resubmit received faxes"
    403; no ids, more than :data:`MAX_FAXES`, or none the actor can see, 422 naming
    ``fax_ids``. Ids the actor cannot see are left out as if they did not exist; faxes
    that cannot be resubmitted are refused one by one, with their reason, as the job
    runs."""
    may_resubmit_inbound(actor).check()
    wanted = list(dict.fromkeys(int(i) for i in fax_ids))
    known = [pk for pk in wanted if 0 < pk <= MAX_ID]
    if not wanted:
        raise ValidationFailed("Choose the faxes to resubmit.", field="fax_ids")
    if len(wanted) > MAX_FAXES:
        raise ValidationFailed(
            f"Resubmit at most {MAX_FAXES} faxes at once ({len(wanted)} chosen).",
            field="fax_ids",
        )
    visible = set(
        InboundFax.objects.filter(inbound_visible_q(actor), pk__in=known).values_list(
            "pk", flat=True
        )
    )
    chosen = [pk for pk in wanted if pk in visible]
    if not chosen:
        raise ValidationFailed("None of the chosen faxes exists.", code="no_faxes", field="fax_ids")
    now = timezone.now()
    with transaction.atomic():
        job = BulkResubmit.objects.create(
            company_id=actor.user.company_id,
            created_by=actor.user,
            total=len(chosen),
            heartbeat_at=now,
        )
        BulkResubmitItem.objects.bulk_create(
            BulkResubmitItem(job=job, position=n, fax_id=pk) for n, pk in enumerate(chosen, 1)
        )
        _nudge_after_commit(job.pk)
    log.info("bulk resubmit %s: %d faxes by user %s", job.pk, job.total, actor.user.pk)
    return job


def _claim(job_id: int, now: datetime) -> bool:
    """Take the job: queued, or running with a stale heartbeat (its worker died)."""
    stale = now - STALE_JOB
    return bool(
        BulkResubmit.objects.filter(pk=job_id)
        .filter(
            Q(status=BulkResubmitStatus.QUEUED)
            | Q(status=BulkResubmitStatus.RUNNING, heartbeat_at__lt=stale)
        )
        .update(
            status=BulkResubmitStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            nudged_at=None,
        )
    )


def _refusal(exc: Conflict | Forbidden | NotFound) -> str:
    return exc.message[:300]


def _resubmit_one(
    job: BulkResubmit, actor: Actor | None, item_id: int, heartbeat: datetime
) -> datetime | None:
    """Resubmit one fax and record its outcome, in one transaction. Returns the renewed
    heartbeat, or None when another worker took the job over (nothing written)."""
    from faxline.faxing.inbound.services import inbound_fax_resubmit

    now = timezone.now()
    with transaction.atomic():
        if not BulkResubmit.objects.filter(
            pk=job.pk, status=BulkResubmitStatus.RUNNING, heartbeat_at=heartbeat
        ).update(heartbeat_at=now):
            return None
        item = (
            BulkResubmitItem.objects.select_for_update()
            .filter(pk=item_id, status=BulkResubmitItemStatus.WAITING)
            .first()
        )
        if item is None:  # done already (cannot happen while we hold the heartbeat)
            return now
        reason = ""
        if actor is None:
            reason = "The person who started this Bulk Resubmit can no longer act."
        else:
            fax = InboundFax.objects.filter(inbound_visible_q(actor), pk=item.fax_id).first()
            if fax is None:
                reason = "The fax is no longer in your scope."
            else:
                try:
                    with transaction.atomic():
                        inbound_fax_resubmit(actor=actor, fax=fax)
                except (Conflict, Forbidden, NotFound) as exc:
                    reason = _refusal(exc)
        refused = bool(reason)
        BulkResubmitItem.objects.filter(pk=item.pk).update(
            status=BulkResubmitItemStatus.REFUSED
            if refused
            else BulkResubmitItemStatus.RESUBMITTED,
            reason=reason,
            done_at=now,
        )
        BulkResubmit.objects.filter(pk=job.pk).update(
            processed=F("processed") + 1,
            refused_count=F("refused_count") + int(refused),
            resubmitted_count=F("resubmitted_count") + int(not refused),
        )
    return now


def _actor_of(job: BulkResubmit) -> Actor | None:
    """Who started the job, as they are now (None: deleted, inactive or locked)."""
    user = User.objects.select_related("company", "department").filter(pk=job.created_by_id).first()
    if user is None or not user.is_active or user.deleted_at is not None or user.is_locked:
        return None
    return Actor(user=user)


def bulk_resubmit_run(*, job_id: int, limit: int = FAXES_PER_RUN) -> BulkResubmit | None:
    """The task: resubmit the job's waiting faxes in order, each in its own transaction,
    at most ``limit`` per run (then the job is queued again and nudged). Idempotent: a job
    that is done, or running with a live worker, is left alone (None returned)."""
    heartbeat = timezone.now()
    if not _claim(job_id, heartbeat):
        return None
    job = BulkResubmit.objects.get(pk=job_id)
    actor = _actor_of(job)
    waiting = list(
        BulkResubmitItem.objects.filter(job=job, status=BulkResubmitItemStatus.WAITING)
        .order_by("position")
        .values_list("pk", flat=True)[: limit + 1]
    )
    for item_id in waiting[:limit]:
        renewed = _resubmit_one(job, actor, item_id, heartbeat)
        if renewed is None:
            log.warning("bulk resubmit %s: another worker took it over", job_id)
            return None
        heartbeat = renewed
    if len(waiting) > limit:
        now = timezone.now()
        with transaction.atomic():
            if BulkResubmit.objects.filter(
                pk=job.pk, status=BulkResubmitStatus.RUNNING, heartbeat_at=heartbeat
            ).update(status=BulkResubmitStatus.QUEUED, heartbeat_at=now, nudged_at=now):
                _nudge_after_commit(job.pk)
        job.refresh_from_db()
        return job
    BulkResubmit.objects.filter(
        pk=job.pk, status=BulkResubmitStatus.RUNNING, heartbeat_at=heartbeat
    ).update(status=BulkResubmitStatus.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    log.info(
        "bulk resubmit %s done: %d resubmitted, %d refused",
        job.pk,
        job.resubmitted_count,
        job.refused_count,
    )
    return job


def bulk_resubmits_resume(*, limit: int = SWEEP_LIMIT) -> int:
    """The periodic sweep: nudge again the jobs whose nudge was lost (queued) or whose
    worker died (running, heartbeat stale). Returns how many were nudged."""
    now = timezone.now()
    overdue = now - STALE_JOB
    return renudge_lost(
        BulkResubmit.objects.filter(
            Q(status=BulkResubmitStatus.QUEUED) | Q(status=BulkResubmitStatus.RUNNING),
            heartbeat_at__lt=overdue,
        ),
        overdue=overdue,
        now=now,
        nudge=_nudge_now,
        order_by="heartbeat_at",
        limit=limit,
    )


def bulk_resubmit_get(*, actor: Actor, job_id: int) -> BulkResubmit:
    """A Bulk Resubmit of the actor's own (its progress is theirs to follow); any other,
    or none, is 404."""
    job = BulkResubmit.objects.filter(pk=job_id, created_by_id=actor.user.pk).first()
    if job is None:
        raise NotFound("There is no such Bulk Resubmit.", field="id")
    return job


def bulk_resubmit_items(job: BulkResubmit) -> QuerySet[BulkResubmitItem]:
    """The job's faxes in order with their outcome (bounded: at most :data:`MAX_FAXES`),
    each with its fax, in one query."""
    return job.items.select_related("fax").order_by("position")
