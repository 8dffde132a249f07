"""Recomputing the traffic tallies from the faxes themselves: a repair, and how generated
history (``bench/``) gets its counts. The faxes are read once, in key order of nothing in
particular, with the same contribution rules as the incremental upkeep
(``faxline.faxing.tally.services``), so the result equals what it maintains."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Q

from faxline.faxing.inbound.models import InboundFax
from faxline.faxing.models import FaxAttempt, FaxJob
from faxline.faxing.tally.models import (
    DailyArea,
    DailyDestination,
    DailyError,
    DailyRemote,
    DailyTraffic,
    Direction,
    MonthlyRemote,
)
from faxline.faxing.tally.services import (
    JobFacts,
    area_of,
    inbound_metrics,
    job_metrics,
    tally_day,
)

BATCH = 2000
CHUNK = 5000
_FLOATS = frozenset({"first_wait_seconds", "completion_seconds"})

Key = tuple[Any, ...]
Counts = dict[Key, dict[str, float]]


def _counts() -> Counts:
    return defaultdict(lambda: defaultdict(float))


class _Job:
    """A job's values as :func:`job_metrics` reads them."""

    def __init__(self, pages: int, created_at: Any) -> None:
        self.pages = pages
        self.created_at = created_at


def _fields(key: Key) -> dict[str, Any]:
    company_id, day, department_key, user_key, number = key[:5]
    return {
        "company_id": company_id,
        "day": day,
        "department_key": department_key,
        "user_key": user_key,
        "number": number,
    }


def _typed(metrics: dict[str, float]) -> dict[str, Any]:
    return {n: (v if n in _FLOATS else int(v)) for n, v in metrics.items()}


def _outbound(scope: Q, traffic: Counts, destinations: Counts, errors: Counts) -> None:
    jobs = FaxJob.objects.filter(scope)
    busy = {
        row["job_id"]: row["n"]
        for row in FaxAttempt.objects.filter(job__in=jobs, outcome="Busy")
        .values("job_id")
        .annotate(n=Count("id"))
    }
    names = [
        "id",
        "company_id",
        "created_at",
        "department_id",
        "sender_id",
        "from_number",
        "to_number",
        "pages",
        "status",
        "error",
        "first_dial_at",
        "completed_at",
    ]
    for row in jobs.values_list(*names).iterator(chunk_size=CHUNK):
        (pk, company, created, department, sender, number, remote, pages) = row[:8]
        status, error, first_dial, completed = row[8:]
        key = (company, tally_day(created), department or 0, sender or 0, number)
        metrics = job_metrics(_Job(pages, created), JobFacts(status, error, first_dial, completed))
        metrics["busy"] = busy.get(pk, 0)
        for name, value in metrics.items():
            traffic[(Direction.OUTBOUND, *key)][name] += value
        target = destinations[(*key, remote)]
        for name in ("faxes", "success", "failed", "busy", "pages"):
            target[name] += metrics.get(name, 0)
        if status == "failed" and error:
            errors[(Direction.OUTBOUND, *key, error[:40])]["faxes"] += 1


def _inbound(scope: Q, traffic: Counts, errors: Counts) -> None:
    names = [
        "company_id",
        "received_at",
        "department_id",
        "user_id",
        "to_number",
        "pages",
        "partial",
        "first_forwarded_at",
    ]
    rows = InboundFax.objects.filter(scope, company__isnull=False).values_list(*names)
    for company, received, department, user, number, pages, partial, forwarded in rows.iterator(
        chunk_size=CHUNK
    ):
        key = (Direction.INBOUND, company, tally_day(received), department or 0, user or 0, number)
        metrics, error = inbound_metrics(pages=pages, partial=partial)
        if forwarded is not None:
            metrics["first_wait_count"] = 1
            metrics["first_wait_seconds"] = max(0.0, (forwarded - received).total_seconds())
        for name, value in metrics.items():
            traffic[key][name] += value
        if error:
            errors[(*key, error)]["faxes"] += 1


def _write(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (every column but the id) in as few statements as the database
    allows: ``COPY`` on PostgreSQL, ``executemany`` elsewhere. Model instances and
    ``bulk_create`` cost more than the counting itself at a million faxes."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [str(f.column) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    dated = [f.attname in ("day", "month") for f in fields]
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[name] for name in attnames])
            return
        adapt = connection.ops.adapt_datefield_value
        values = [
            tuple(adapt(row[n]) if d else row[n] for n, d in zip(attnames, dated, strict=True))
            for row in rows
        ]
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - the model's names
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])


# Every count starts at zero: a key's metrics name only those its faxes moved.
_TRAFFIC_ZEROS: dict[str, Any] = {
    **dict.fromkeys(
        ("faxes", "success", "failed", "cancelled", "partial", "pages", "pages_success"), 0
    ),
    **dict.fromkeys(("first_wait_count", "completion_count", "busy"), 0),
    **dict.fromkeys(_FLOATS, 0.0),
}
_DESTINATION_ZEROS: dict[str, Any] = dict.fromkeys(
    ("faxes", "success", "failed", "pages", "busy"), 0
)


def _by_remote(destinations: Counts) -> dict[type[models.Model], list[dict[str, Any]]]:
    """The company-wide destination tallies (by destination and day or month, by area and
    day) summed from the per-sender ones."""
    daily: Counts = _counts()
    monthly: Counts = _counts()
    areas: dict[tuple[Any, ...], int] = defaultdict(int)
    for key, metrics in destinations.items():
        company, day, remote = key[0], key[1], key[5]
        for name, value in metrics.items():
            daily[(company, day, remote)][name] += value
            monthly[(company, day.replace(day=1), remote)][name] += value
        areas[(company, day, area_of(remote))] += int(metrics.get("faxes", 0))
    return {
        DailyRemote: [
            {"company_id": c, "day": d, "remote": r, **_DESTINATION_ZEROS, **_typed(m)}
            for (c, d, r), m in daily.items()
        ],
        MonthlyRemote: [
            {"company_id": c, "month": d, "remote": r, **_DESTINATION_ZEROS, **_typed(m)}
            for (c, d, r), m in monthly.items()
        ],
        DailyArea: [
            {"company_id": c, "day": d, "area": a, "faxes": n}
            for (c, d, a), n in areas.items()
            if n
        ],
    }


def tally_rebuild(*, company_id: int | None = None) -> dict[str, int]:
    """Replace the tallies of one company (None: every company) by counts made from its
    jobs and received faxes. Returns the number of rows written per table."""
    scope = Q() if company_id is None else Q(company_id=company_id)
    traffic, destinations, errors = _counts(), _counts(), _counts()
    _outbound(scope, traffic, destinations, errors)
    _inbound(scope, traffic, errors)
    rows: dict[type[models.Model], list[dict[str, Any]]] = {
        DailyTraffic: [
            {
                "direction": key[0],
                **_fields(key[1:]),
                **_TRAFFIC_ZEROS,
                **_typed(metrics),
            }
            for key, metrics in traffic.items()
        ],
        DailyError: [
            {
                "direction": key[0],
                **_fields(key[1:6]),
                "error": key[6],
                "faxes": int(m["faxes"]),
            }
            for key, m in errors.items()
        ],
        DailyDestination: [
            {**_fields(key), "remote": key[5], **_DESTINATION_ZEROS, **_typed(metrics)}
            for key, metrics in destinations.items()
        ],
    }
    rows.update(_by_remote(destinations))
    with transaction.atomic():
        for model, made in rows.items():
            model._default_manager.filter(scope).delete()
            _write(model, made)
    return {model.__name__: len(made) for model, made in rows.items()}
