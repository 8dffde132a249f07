"""Every write of Accounting: making CDR files, "Generate current month", and the periodic
sweep that closes the last month, deletes files past the six months kept and resumes
generations whose nudge was lost (``docs/cdr.md``)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.activity.accounting.access import may_see_company_accounting
from faxline.activity.accounting.models import (
    CdrFile,
    CdrFileKind,
    CdrGeneration,
    CdrGenerationStatus,
    CdrMonthClosed,
)
from faxline.activity.accounting.periods import Month, day_start, oldest_kept
from faxline.activity.accounting.records import (
    STREAM_CHUNK_BYTES,
    cdr_chunks,
    cdr_records,
    has_activity,
)
from faxline.core.aftercommit import enqueue_after_commit, enqueue_now, renudge_lost
from faxline.core.errors import Conflict
from faxline.core.vault import vault_delete, vault_store

log = logging.getLogger(__name__)

VAULT_PURPOSE = "cdr"
PART_BYTES = 4 * 1024 * 1024
"""A file is stored in encrypted parts of about this size (memory stays flat)."""
MONTH_FILES_PER_SWEEP = 20
"""At most this many month files are made by one run of the sweep (the next run goes on)."""
GENERATION_STALE = timedelta(minutes=30)
"""A generation running longer than this without finishing lost its worker: it is queued
again. A queued one not nudged for ``NUDGE_AGAIN`` is nudged again."""
NUDGE_AGAIN = timedelta(minutes=5)
SWEEP_BATCH = 200


class _Counted:
    """The records, counted as they pass."""

    def __init__(self, records: Iterable[tuple[object, ...]]) -> None:
        self.records = records
        self.count = 0

    def __iter__(self) -> Iterator[tuple[object, ...]]:
        for record in self.records:
            self.count += 1
            yield record


def _delete_parts_after_commit(names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            vault_delete(name)

    transaction.on_commit(delete)


def cdr_file_write(
    *, company_id: int, kind: str, period: str, start: datetime, end: datetime, now: datetime
) -> CdrFile | None:
    """Make (or make again) the company's CDR file of ``period`` from its records in
    [start, end): streamed from the database into encrypted vault parts of about 4 MiB.
    None (and no file, an older one deleted) when there is no record."""
    counted = _Counted(cdr_records(company_id, start, end))
    digest = hashlib.sha256()
    parts: list[str] = []
    buffer: list[bytes] = []
    size = buffered = 0
    try:
        for chunk in cdr_chunks(counted, size=min(PART_BYTES, STREAM_CHUNK_BYTES)):
            digest.update(chunk)
            buffer.append(chunk)
            size += len(chunk)
            buffered += len(chunk)
            if buffered >= PART_BYTES:
                parts.append(vault_store(b"".join(buffer), purpose=VAULT_PURPOSE).name)
                buffer, buffered = [], 0
        if counted.count and buffer:
            parts.append(vault_store(b"".join(buffer), purpose=VAULT_PURPOSE).name)
    except BaseException:
        for name in parts:
            vault_delete(name)
        raise
    try:
        with transaction.atomic():
            old = CdrFile.objects.select_for_update().filter(company_id=company_id, period=period)
            old_parts = [name for f in old for name in f.vault_names]
            old.delete()
            made = None
            if counted.count:
                made = CdrFile.objects.create(
                    company_id=company_id,
                    kind=kind,
                    period=period,
                    month=period[:7],
                    rows=counted.count,
                    size=size,
                    sha256=digest.hexdigest(),
                    vault_names=parts,
                    created_at=now,
                )
            _delete_parts_after_commit(old_parts)
    except IntegrityError:
        # Another process made the same file at the same moment: theirs stands.
        for name in parts:
            vault_delete(name)
        return CdrFile.objects.filter(company_id=company_id, period=period).first()
    return made


def cdr_month_make(*, company_id: int, month: Month, now: datetime | None = None) -> CdrFile | None:
    """The company's file of a month that has ended, made once (idempotent: an existing
    one is returned as it is); None when the month had no billable activity. The month's
    day files, which the month file replaces, are deleted."""
    now = now or timezone.now()
    if month.end > now:
        raise Conflict(f"{month} has not ended yet.", code="month_not_ended", field="month")
    made = CdrFile.objects.filter(company_id=company_id, period=str(month)).first()
    if made is None and has_activity(company_id, month.start, month.end):
        made = cdr_file_write(
            company_id=company_id,
            kind=CdrFileKind.MONTH,
            period=str(month),
            start=month.start,
            end=month.end,
            now=now,
        )
    _delete_files(CdrFile.objects.filter(company_id=company_id, month=str(month), kind="day"))
    return made


def _delete_files(files: object) -> int:
    """Delete CDR file rows (a queryset) and, after commit, their vault parts."""
    from django.db.models import QuerySet

    assert isinstance(files, QuerySet)
    deleted = 0
    while True:
        batch = list(files.order_by("pk").values_list("pk", "vault_names")[:SWEEP_BATCH])
        if not batch:
            return deleted
        with transaction.atomic():
            CdrFile.objects.filter(pk__in=[pk for pk, _ in batch]).delete()
            _delete_parts_after_commit([name for _, names in batch for name in names])
        deleted += len(batch)


def _day_is_final(file: CdrFile | None, day: date) -> bool:
    """A day file made after the day ended holds every record of it (none can be added)."""
    return file is not None and file.created_at >= day_start(day) + timedelta(days=1)


def cdr_generation_request(
    *, actor: Actor, company: Company, now: datetime | None = None
) -> CdrGeneration:
    """ "Generate current month": one file for each day of the current month so far, made by
    a background task. Asking while a generation is queued or running returns it."""
    may_see_company_accounting(actor, company).check()
    now = now or timezone.now()
    month = str(Month.of(now))
    with transaction.atomic():
        generation, created = CdrGeneration.objects.select_for_update().get_or_create(
            company=company,
            month=month,
            defaults={"requested_by": actor.user, "requested_at": now},
        )
        if not created and generation.status in (
            CdrGenerationStatus.QUEUED,
            CdrGenerationStatus.RUNNING,
        ):
            return generation
        if not created:
            generation.status = CdrGenerationStatus.QUEUED
            generation.requested_by = actor.user
            generation.requested_at = now
            generation.started_at = generation.finished_at = None
            generation.days_done = generation.files_made = 0
            generation.error = ""
        generation.nudged_at = now
        generation.save()
        from faxline.activity.accounting.tasks import generate_current_month

        enqueue_after_commit(generate_current_month, generation.pk)
    return generation


def cdr_generation_run(*, generation_id: int, now: datetime | None = None) -> CdrGeneration | None:
    """Do a queued generation: claim it (compare-and-set, so one worker does it), then make
    the file of each day of its month up to today that has activity and no final file yet.
    None when it was not queued (another worker has it, or it is done)."""
    now = now or timezone.now()
    claimed = CdrGeneration.objects.filter(
        pk=generation_id, status=CdrGenerationStatus.QUEUED
    ).update(status=CdrGenerationStatus.RUNNING, started_at=now, days_done=0, files_made=0)
    if not claimed:
        return None
    generation = CdrGeneration.objects.get(pk=generation_id)
    year, number = (int(x) for x in generation.month.split("-"))
    month = Month(year, number)
    files_made = 0
    try:
        month_done = CdrFile.objects.filter(
            company_id=generation.company_id, period=str(month)
        ).exists()
        days = [] if month_done else [d for d in month.days() if day_start(d) <= now]
        existing = {
            f.period: f
            for f in CdrFile.objects.filter(
                company_id=generation.company_id, month=str(month), kind=CdrFileKind.DAY
            )
        }
        for index, day in enumerate(days, start=1):
            period = day.isoformat()
            if not _day_is_final(existing.get(period), day):
                start = day_start(day)
                end = min(start + timedelta(days=1), now)
                if has_activity(generation.company_id, start, end):
                    made = cdr_file_write(
                        company_id=generation.company_id,
                        kind=CdrFileKind.DAY,
                        period=period,
                        start=start,
                        end=start + timedelta(days=1),
                        now=timezone.now(),
                    )
                    files_made += made is not None
            CdrGeneration.objects.filter(pk=generation_id).update(
                days_done=index, files_made=files_made
            )
    except Exception as exc:
        log.exception("CDR generation %s failed", generation_id)
        CdrGeneration.objects.filter(pk=generation_id).update(
            status=CdrGenerationStatus.FAILED,
            finished_at=timezone.now(),
            error=f"The files could not be made ({type(exc).__name__}); try again.",
        )
        raise
    CdrGeneration.objects.filter(pk=generation_id).update(
        status=CdrGenerationStatus.DONE, finished_at=timezone.now(), files_made=files_made
    )
    generation.refresh_from_db()
    return generation


def cdr_month_close(*, month: Month, now: datetime, limit: int = MONTH_FILES_PER_SWEEP) -> bool:
    """Make the month's file of every company that had activity in it (at most ``limit``
    files in this call); mark the month closed once every company is done. Returns whether
    it is closed."""
    if CdrMonthClosed.objects.filter(month=str(month)).exists():
        return True
    made = 0
    done = set(CdrFile.objects.filter(period=str(month)).values_list("company_id", flat=True))
    after = 0
    while True:
        ids = list(
            Company.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        if not ids:
            break
        for company_id in ids:
            if company_id in done:
                continue
            if made >= limit:
                return False
            if cdr_month_make(company_id=company_id, month=month, now=now) is not None:
                made += 1
        after = ids[-1]
    CdrMonthClosed.objects.get_or_create(
        month=str(month), defaults={"closed_at": now, "files_made": made + len(done)}
    )
    return True


def accounting_sweep(*, now: datetime | None = None) -> dict[str, object]:
    """The periodic job (hourly): close the month that ended, delete the files (and
    generations) older than the six months kept, nudge again the generations whose nudge
    was lost or whose worker died. Idempotent."""
    now = now or timezone.now()
    last_month = Month.of(now).shifted(-1)
    closed = cdr_month_close(month=last_month, now=now)
    oldest = str(oldest_kept(now))
    deleted = _delete_files(CdrFile.objects.filter(month__lt=oldest))
    CdrGeneration.objects.filter(month__lt=oldest).delete()
    CdrMonthClosed.objects.filter(month__lt=oldest).delete()
    revived = CdrGeneration.objects.filter(
        status=CdrGenerationStatus.RUNNING, started_at__lt=now - GENERATION_STALE
    ).update(status=CdrGenerationStatus.QUEUED, nudged_at=None)
    from faxline.activity.accounting.tasks import generate_current_month

    nudged = renudge_lost(
        CdrGeneration.objects.filter(status=CdrGenerationStatus.QUEUED),
        overdue=now - NUDGE_AGAIN,
        now=now,
        nudge=lambda pk: enqueue_now(generate_current_month, pk),
        order_by="requested_at",
    )
    return {
        "month_closed": closed,
        "files_deleted": deleted,
        "generations_revived": revived,
        "generations_nudged": nudged,
    }
