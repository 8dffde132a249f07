"""Fax history for the activity, accounting and reports tests: outbound jobs and received
faxes made at chosen moments through faxing's own state owner and tally upkeep (so the
traffic tallies move exactly as in production), without placing calls.

    job = outbound(cast.billing_user, to="+16175550100", at=moment, status="failed",
                   error="No Answer", busy=1)
    fax = inbound(cast.billing_user, number="+12125557001", at=moment, pages=3)
"""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.db import transaction

from faxline.accounts.models import User
from faxline.faxing.inbound.models import (
    DeliveryStatus,
    EventKind,
    InboundEvent,
    InboundFax,
)
from faxline.faxing.jobs.state import job_create, job_transition
from faxline.faxing.models import FaxAttempt, FaxImageFile, FaxJob, FaxJobStatus
from faxline.faxing.tally.services import inbound_counted, inbound_forward_counted

SENDER_NUMBER = "+12125557001"
CALLER = "+13125550000"
OPEN = (FaxJobStatus.QUEUED, FaxJobStatus.RETRYING)


def history_image(pages: int = 1) -> FaxImageFile:
    """A stored image row with no content (lists and counts only; a test that opens the
    document sends a real fax)."""
    image, _ = FaxImageFile.objects.get_or_create(
        sha256=f"{pages:064d}",
        defaults={
            "vault_name": "",
            "pages": pages,
            "resolution": "fine",
            "compression": "g4",
            "size": 0,
        },
    )
    return image


def _attempt(job: FaxJob, number: int, at: datetime, outcome: str, seconds: float) -> None:
    FaxAttempt.objects.create(
        job=job,
        number=number,
        started_at=at,
        ended_at=at + timedelta(seconds=seconds),
        lease_owner="history",
        lease_expires_at=at + timedelta(seconds=seconds),
        outcome=outcome,
        connected=outcome == "Sent",
        completion_code=0 if outcome == "Sent" else None,
        pages_sent=job.pages if outcome == "Sent" else 0,
        duration_seconds=seconds,
    )


def outbound(
    sender: User,
    *,
    to: str,
    at: datetime,
    status: str = FaxJobStatus.SUCCESS,
    error: str = "",
    pages: int = 1,
    busy: int = 0,
    from_number: str = SENDER_NUMBER,
    wait: timedelta = timedelta(seconds=20),
    call: timedelta = timedelta(seconds=40),
) -> FaxJob:
    """A job ``sender`` sent to ``to`` at ``at``: ``busy`` calls that met a busy line, then
    the end ``status`` (``failed`` with ``error``) after ``wait`` and a call of ``call``."""
    with time_machine.travel(at, tick=False), transaction.atomic():
        job = job_create(
            actor_id=sender.pk,
            company=sender.company,
            sender=sender,
            department_id=sender.department_id,
            from_number=from_number,
            to_number=to,
            pages=pages,
            image=history_image(pages),
            send_at=at,
            kill_at=at + timedelta(days=1),
            next_attempt_at=at,
        )
    if status == FaxJobStatus.QUEUED:
        return job
    if status == FaxJobStatus.CANCELLED:
        job_transition(job, allowed_from=OPEN, to=status, kind="cancelled", now=at + wait)
        return job
    moment = at + wait
    for number in range(1, busy + 1):
        job_transition(
            job, allowed_from=OPEN, to=FaxJobStatus.IN_PROGRESS, kind="dialing", now=moment
        )
        _attempt(job, number, moment, "Busy", 5)
        job_transition(
            job,
            allowed_from=(FaxJobStatus.IN_PROGRESS,),
            to=FaxJobStatus.RETRYING,
            kind="retry_scheduled",
            fields={"error": "Busy", "will_retry": True, "dials": number},
            detail={"attempt": number, "outcome": "Busy"},
            now=moment + timedelta(seconds=5),
        )
        moment += timedelta(minutes=3)
    job_transition(job, allowed_from=OPEN, to=FaxJobStatus.IN_PROGRESS, kind="dialing", now=moment)
    if status == FaxJobStatus.IN_PROGRESS:
        return job
    if status == FaxJobStatus.RETRYING:
        _attempt(job, busy + 1, moment, error or "No Answer", call.total_seconds())
        job_transition(
            job,
            allowed_from=(FaxJobStatus.IN_PROGRESS,),
            to=status,
            kind="retry_scheduled",
            fields={"error": error or "No Answer", "will_retry": True},
            detail={"attempt": busy + 1, "outcome": error or "No Answer"},
            now=moment + call,
        )
        return job
    outcome = "Sent" if status == FaxJobStatus.SUCCESS else (error or "No Answer")
    _attempt(job, busy + 1, moment, outcome, call.total_seconds())
    job_transition(
        job,
        allowed_from=(FaxJobStatus.IN_PROGRESS,),
        to=status,
        kind="sent" if status == FaxJobStatus.SUCCESS else "gave_up",
        fields={"error": "" if status == FaxJobStatus.SUCCESS else outcome, "will_retry": False},
        detail={"attempt": busy + 1, "outcome": outcome},
        now=moment + call,
    )
    job.refresh_from_db()
    return job


def inbound(
    user: User | None,
    *,
    number: str,
    at: datetime,
    company_id: int | None = None,
    pages: int = 2,
    partial: bool = False,
    caller: str = CALLER,
    forwarded_after: timedelta | None = timedelta(seconds=4),
) -> InboundFax:
    """A fax received on ``number`` (routed to ``user``) at ``at``; delivered
    ``forwarded_after`` later (None: not delivered yet)."""
    with transaction.atomic():
        fax = InboundFax.objects.create(
            to_number=number,
            from_number=caller,
            company_id=company_id if user is None else user.company_id,
            user=user,
            department_id=user.department_id if user else None,
            received_at=at,
            pages=pages,
            remote_csid="SENDER",
            completion_code=0 if pages and not partial else 48,
            call_seconds=30.0 * max(pages, 1),
            partial=partial,
            sha256="0" * 64,
            delivery_status=DeliveryStatus.PENDING,
        )
        InboundEvent.objects.create(fax=fax, at=at, kind=EventKind.RECEIVED)
        inbound_counted(fax)
        if forwarded_after is not None:
            forwarded = at + forwarded_after
            InboundFax.objects.filter(pk=fax.pk).update(
                delivery_status=DeliveryStatus.DELIVERED,
                delivered_at=forwarded,
                first_forwarded_at=forwarded,
            )
            InboundEvent.objects.create(
                fax=fax,
                at=forwarded,
                kind=EventKind.FORWARDED,
                receiving_address=user.email if user else "",
            )
            inbound_forward_counted(fax, at=forwarded)
    fax.refresh_from_db()
    return fax
