"""The Call Detail Records of a company over a time range, made by streaming.

:func:`cdr_records` yields one tuple per record, reading the database in bounded chunks
(keyset pagination, never an offset, never a list of every row): the outbound jobs first,
then the received faxes, each in the order they came. Departments and users are named from
small per-company caches (the departments read once; users as they appear, one query per
chunk for those not seen yet), and :func:`cdr_chunks` writes the records through the one
CSV writer, ``core.csvfile`` (a value a spreadsheet could run as a formula gets its
apostrophe), in pieces of about 64 KiB for a streamed answer or a file part. Memory stays
flat whatever the number of records.

Which activity is billable, and when it counts (``docs/cdr.md``):

- an outbound job once it is finished (Success, Failed or Cancelled), at its **completion
  time**: a month's file, made after the month ended, is then final (no job can finish in
  the past), while a job still being tried at the end of a month is counted in the month
  it finishes;
- a received fax of the company at its **reception time** (Success, Partial when pages
  arrived but the call did not end properly, Failed when no fax data arrived).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db.models import CharField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast

from faxline.accounts.models import Department, User
from faxline.core.csvfile import csv_chunks
from faxline.faxing.inbound.models import InboundFax
from faxline.faxing.jobs.send import DEFAULT_KILL_AFTER, MAX_SCHEDULE_AHEAD
from faxline.faxing.models import FAX_JOB_DONE, FaxAttempt, FaxJob, FaxJobStatus
from faxline.faxing.tally.services import inbound_metrics, inbound_outcome

COLUMNS: tuple[str, ...] = (
    "Record ID",
    "Direction",
    "Time (UTC)",
    "From",
    "To",
    "Department",
    "User",
    "Pages",
    "Duration (s)",
    "Result",
    "Error",
)
"""The columns of every CDR file, in order (``docs/cdr.md`` says what each holds)."""

CHUNK_ROWS = 5000
STREAM_CHUNK_BYTES = 64 * 1024

# A job finished in a range was accepted at most this long before the range began (it may
# be scheduled up to 30 days ahead, then has its kill time and its last call): reading the
# jobs accepted since then goes through the company's acceptance-time index.
JOB_LIFETIME = MAX_SCHEDULE_AHEAD + DEFAULT_KILL_AFTER + timedelta(days=1)

OUTBOUND_RESULTS = {
    FaxJobStatus.SUCCESS: "Success",
    FaxJobStatus.FAILED: "Failed",
    FaxJobStatus.CANCELLED: "Cancelled",
}
INBOUND_RESULTS = {"success": "Success", "partial": "Partial", "failed": "Failed"}


def department_names(company_id: int) -> dict[int, str]:
    """Every department of the company by id, named with its full path ("Billing Dept ->
    Billing Level 1"): one query (a company has a bounded number of departments)."""
    rows = list(Department.objects.filter(company_id=company_id).values_list("pk", "name", "path"))
    names = {pk: name for pk, name, _ in rows}
    return {
        pk: (" -> ".join(names.get(int(p), "?") for p in path.strip("/").split("/") if p))
        for pk, _, path in rows
    }


class UserNames:
    """Usernames by id, read as they appear (one query per chunk for the ones not seen)."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}

    def load(self, ids: Iterable[int | None]) -> None:
        missing = {i for i in ids if i is not None and i not in self.names}
        if missing:
            found = User.objects.filter(pk__in=missing).values_list("pk", "username")
            self.names.update((pk, (username)) for pk, username in found)

    def __getitem__(self, user_id: int | None) -> str:
        return "" if user_id is None else self.names.get(user_id, "")


def _keyset(queryset: Any, time_field: str, fields: tuple[str, ...], chunk: int) -> Iterator[Any]:
    """The rows of ``queryset`` (``fields``, the first one ``pk``) in (``time_field``, id)
    order, ``chunk`` at a time: each chunk starts after the last row of the one before.
    The rows carry no time object to convert (the slow part of reading a row); the last
    row's time is read on its own, once per chunk."""
    after: tuple[datetime, int] | None = None
    model = queryset.model
    while True:
        page = queryset
        if after is not None:
            moment, pk = after
            page = page.filter(
                Q(**{f"{time_field}__gt": moment}) | Q(**{time_field: moment, "pk__gt": pk}),
                **{f"{time_field}__gte": moment},
            )
        rows = list(page.order_by(time_field, "pk").values_list(*fields)[:chunk])
        if not rows:
            return
        yield rows
        if len(rows) < chunk:
            return
        last = rows[-1][0]
        moment = model._default_manager.filter(pk=last).values_list(time_field, flat=True).get()
        after = (moment, last)


def _as_text(field: str) -> Cast:
    """A time column as the database spells it in UTC (``2026-11-03 14:05:09[.ffffff]``,
    PostgreSQL adds ``+00``): read as text, it needs no conversion per row."""
    return Cast(field, output_field=CharField())


def iso_text(text: str) -> str:
    """``2026-11-03 14:05:09.123+00`` → ``2026-11-03T14:05:09Z``."""
    return text[:10] + "T" + text[11:19] + "Z"


def outbound_records(
    company_id: int,
    start: datetime,
    end: datetime,
    *,
    departments: dict[int, str],
    users: UserNames,
    chunk: int = CHUNK_ROWS,
) -> Iterator[tuple[object, ...]]:
    """The company's jobs finished in [start, end), in acceptance order."""
    attempts = FaxAttempt.objects.filter(job_id=OuterRef("pk")).order_by().values("job_id")
    jobs = FaxJob.objects.filter(
        company_id=company_id,
        created_at__gte=start - JOB_LIFETIME,
        created_at__lt=end,
        status__in=FAX_JOB_DONE,
        completed_at__gte=start,
        completed_at__lt=end,
    ).annotate(
        call_seconds=Subquery(attempts.annotate(s=Sum("duration_seconds")).values("s")[:1]),
        pages_sent=Subquery(attempts.annotate(p=Max("pages_sent")).values("p")[:1]),
        completed_text=_as_text("completed_at"),
    )
    fields = (
        "pk",
        "identifier",
        "completed_text",
        "from_number",
        "to_number",
        "department_id",
        "sender_id",
        "status",
        "error",
        "pages",
        "pages_sent",
        "call_seconds",
    )
    for rows in _keyset(jobs, "created_at", fields, chunk):
        users.load(row[6] for row in rows)
        for (
            _pk,
            identifier,
            completed_at,
            from_number,
            to_number,
            department_id,
            sender_id,
            status,
            error,
            pages,
            pages_sent,
            call_seconds,
        ) in rows:
            yield (
                (identifier),
                "outbound",
                iso_text(completed_at),
                (from_number),
                (to_number),
                departments.get(department_id, ""),
                users[sender_id],
                pages if status == FaxJobStatus.SUCCESS else (pages_sent or 0),
                round(call_seconds or 0),
                OUTBOUND_RESULTS.get(status, status),
                (error),
            )


def inbound_records(
    company_id: int,
    start: datetime,
    end: datetime,
    *,
    departments: dict[int, str],
    users: UserNames,
    chunk: int = CHUNK_ROWS,
) -> Iterator[tuple[object, ...]]:
    """The company's faxes received in [start, end), in reception order."""
    faxes = InboundFax.objects.filter(
        company_id=company_id, received_at__gte=start, received_at__lt=end
    ).annotate(received_text=_as_text("received_at"))
    fields = (
        "pk",
        "received_text",
        "from_number",
        "to_number",
        "department_id",
        "user_id",
        "pages",
        "call_seconds",
        "partial",
    )
    for rows in _keyset(faxes, "received_at", fields, chunk):
        users.load(row[5] for row in rows)
        for (
            pk,
            received_at,
            caller,
            number,
            department_id,
            user_id,
            pages,
            seconds,
            partial,
        ) in rows:
            _, error = inbound_metrics(pages=pages, partial=partial)
            yield (
                pk,
                "inbound",
                iso_text(received_at),
                (caller),
                (number),
                departments.get(department_id, ""),
                users[user_id],
                pages,
                round(seconds or 0),
                INBOUND_RESULTS[inbound_outcome(pages=pages, partial=partial)],
                error,
            )


def cdr_records(
    company_id: int, start: datetime, end: datetime, *, chunk: int = CHUNK_ROWS
) -> Iterator[tuple[object, ...]]:
    """Every billable record of the company in [start, end): the outbound jobs finished in
    it, then the faxes received in it."""
    departments = department_names(company_id)
    users = UserNames()
    yield from outbound_records(
        company_id, start, end, departments=departments, users=users, chunk=chunk
    )
    yield from inbound_records(
        company_id, start, end, departments=departments, users=users, chunk=chunk
    )


def cdr_chunks(
    records: Iterable[tuple[object, ...]], *, size: int | None = None
) -> Iterator[bytes]:
    """The CSV file as UTF-8 pieces of about ``size`` bytes (default
    ``STREAM_CHUNK_BYTES``: a streamed answer's chunks)."""
    yield from csv_chunks(COLUMNS, records, size=size or STREAM_CHUNK_BYTES)


def has_activity(company_id: int, start: datetime, end: datetime) -> bool:
    """Whether the company has any billable record in [start, end) (two indexed lookups)."""
    jobs = FaxJob.objects.filter(
        company_id=company_id,
        created_at__gte=start - JOB_LIFETIME,
        created_at__lt=end,
        status__in=FAX_JOB_DONE,
        completed_at__gte=start,
        completed_at__lt=end,
    )
    if jobs.exists():
        return True
    return InboundFax.objects.filter(
        company_id=company_id, received_at__gte=start, received_at__lt=end
    ).exists()
