"""faxing's part of ``faxline demo``: sixty days of fax traffic for the demo company, so
that a newcomer's Dashboard, Activity and Reports show something on the first run.

Runs after numbers' step (the fax users have their numbers). Idempotent: a company that has
any fax job is left alone. The history is written as rows with their attempts and events,
then counted by :func:`~faxline.faxing.tally.rebuild.tally_rebuild`, as a repair would; its
documents are not kept (the demo's faxes were "sent" before faxline was installed), which
the job pages say.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from faxline.accounts.models import Company, User
from faxline.core.demo import DemoData
from faxline.faxing.inbound.models import DeliveryStatus, EventKind, InboundEvent, InboundFax
from faxline.faxing.jobs.state import job_import
from faxline.faxing.models import (
    FaxAttempt,
    FaxImageFile,
    FaxJob,
    FaxJobEvent,
    FaxJobSource,
    FaxJobStatus,
)
from faxline.faxing.tally.rebuild import tally_rebuild

DAYS = 60
OUTBOUND_PER_DAY = (2, 9)
INBOUND_PER_DAY = (0, 4)
# Correspondents across the US and Canada (area codes of several states and provinces).
REMOTES = (
    "+12065550143",
    "+12065550178",
    "+13125550190",
    "+12125550111",
    "+16175550122",
    "+14155550133",
    "+17135550144",
    "+13055550155",
    "+14165550166",
    "+16045550177",
    "+15145550188",
    "+13035550199",
    "+16025550101",
    "+15035550112",
    "+14045550123",
)
FAILURES = ("Busy", "No Answer", "Voice Answer", "Fast Busy", "No Fax Tone")


def _image(pages: int) -> FaxImageFile:
    image, _ = FaxImageFile.objects.get_or_create(
        sha256=f"demo-history-{pages:02d}".ljust(64, "0"),
        defaults={
            "vault_name": "",
            "pages": pages,
            "resolution": "fine",
            "compression": "g4",
            "size": 0,
        },
    )
    return image


def _job(rnd: random.Random, user: User, number: str, at: datetime) -> None:
    pages = rnd.choice((1, 1, 1, 2, 2, 3, 4, 6))
    roll = rnd.random()
    status = (
        FaxJobStatus.SUCCESS
        if roll < 0.86
        else FaxJobStatus.FAILED
        if roll < 0.97
        else FaxJobStatus.CANCELLED
    )
    busy = rnd.choice((0, 0, 0, 0, 1, 2)) if status != FaxJobStatus.CANCELLED else 0
    start = at
    first_dial = start + timedelta(seconds=rnd.randint(3, 40))
    error = rnd.choice(FAILURES) if status == FaxJobStatus.FAILED else ""
    end = first_dial + timedelta(minutes=3 * busy, seconds=30 * pages + rnd.randint(5, 40))
    job = job_import(
        created_at=start,
        status=status,
        company_id=user.company_id,
        sender=user,
        department_id=user.department_id,
        from_number=number,
        to_number=rnd.choice(REMOTES),
        international=False,
        error=error,
        pages=pages,
        image=_image(pages),
        send_at=start,
        kill_at=start + timedelta(hours=3),
        dials=busy + (0 if status == FaxJobStatus.CANCELLED else 1),
        tries=int(status == FaxJobStatus.SUCCESS),
        source=rnd.choice((FaxJobSource.PORTAL, FaxJobSource.API, FaxJobSource.EMAIL)),
        status_changed_at=end,
        first_dial_at=None if status == FaxJobStatus.CANCELLED else first_dial,
        completed_at=end,
    )
    events = []
    moment = first_dial
    attempts = busy + (0 if status == FaxJobStatus.CANCELLED else 1)
    for number_of in range(1, attempts + 1):
        last = number_of == attempts
        outcome = "Busy" if not last else ("Sent" if status == FaxJobStatus.SUCCESS else error)
        seconds = 30.0 * pages if outcome == "Sent" else 6.0
        FaxAttempt.objects.create(
            job=job,
            number=number_of,
            started_at=moment,
            ended_at=moment + timedelta(seconds=seconds),
            lease_owner="demo",
            lease_expires_at=moment + timedelta(seconds=seconds),
            outcome=outcome,
            connected=outcome == "Sent",
            completion_code=0 if outcome == "Sent" else None,
            pages_sent=pages if outcome == "Sent" else 0,
            duration_seconds=seconds,
        )
        events.append(FaxJobEvent(job=job, kind="dialing", to_status="in_progress", at=moment))
        moment += timedelta(minutes=3)
    FaxJobEvent.objects.bulk_create(events)


def _received(rnd: random.Random, user: User, number: str, at: datetime) -> None:
    pages = rnd.choice((0, 1, 1, 2, 2, 3, 5)) if rnd.random() < 0.97 else 0
    partial = pages > 0 and rnd.random() < 0.04
    fax = InboundFax.objects.create(
        to_number=number,
        from_number=rnd.choice(REMOTES),
        company_id=user.company_id,
        user=user,
        department_id=user.department_id,
        received_at=at,
        pages=pages,
        remote_csid="DEMO SENDER",
        completion_code=0 if pages and not partial else 48,
        call_seconds=30.0 * max(pages, 1),
        partial=partial,
        sha256="0" * 64,
        delivery_status=DeliveryStatus.DELIVERED if pages else DeliveryStatus.FAILED,
    )
    events = [InboundEvent(fax=fax, at=at, kind=EventKind.RECEIVED)]
    if pages:
        forwarded = at + timedelta(seconds=rnd.randint(2, 12))
        InboundFax.objects.filter(pk=fax.pk).update(
            delivered_at=forwarded, first_forwarded_at=forwarded
        )
        events.append(
            InboundEvent(
                fax=fax, at=forwarded, kind=EventKind.FORWARDED, receiving_address=user.email
            )
        )
    InboundEvent.objects.bulk_create(events)


def demo_history(data: DemoData) -> None:
    """Sixty days of faxes sent and received by the demo's fax users (seeded: the same
    history on every install), counted in the traffic tallies."""
    company = Company.objects.get(name=data["company"])
    if FaxJob.objects.filter(company=company).exists():
        return
    people = [
        (User.objects.get(username=e["username"]), e["fax_number"])
        for e in data["users"]
        if e["role"].startswith("fax_user") and e.get("fax_number")
    ]
    if not people:
        return
    rnd = random.Random(12)  # noqa: S311 - a seeded history, not a secret
    today = timezone.now().replace(minute=0, second=0, microsecond=0)
    for days_ago in range(DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        weekend = day.weekday() >= 5
        for _ in range(rnd.randint(*OUTBOUND_PER_DAY) // (3 if weekend else 1)):
            user, number = rnd.choice(people)
            _job(rnd, user, number, day.replace(hour=rnd.randint(8, 18), minute=rnd.randint(0, 59)))
        for _ in range(rnd.randint(*INBOUND_PER_DAY)):
            user, number = rnd.choice(people)
            _received(
                rnd, user, number, day.replace(hour=rnd.randint(0, 23), minute=rnd.randint(0, 59))
            )
    tally_rebuild(company_id=company.pk)
