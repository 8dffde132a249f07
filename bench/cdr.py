"""Call Detail Records at scale: a company's 1,000,000-job month made into its CSV by the
streaming generator, against the database's own bulk export of the same rows.

Seeds a provider (``bench.seed.seed_provider`` at a tenth of its scale) and gives its big
company ``BENCH_CDR_JOBS`` (1,000,000) finished outbound jobs, each with its call, spread
over October 2026 (plain multi-row inserts in batches). Then, each in a fresh subprocess so
that its peak memory (``ru_maxrss``) is its own:

- ``stream``: the month's CSV as the API streams it (``cdr_chunks(cdr_records(...))``),
  the pieces counted and dropped, as a client's socket would take them;
- ``api``: the same through ``GET /api/v1/accounting/cdr?month=2026-10`` with Django's test
  client (authentication, the streamed answer), with the time to the first piece;
- ``file``: the month's file as the periodic job makes it (encrypted vault parts);
- ``baseline``: the database's own export of the same rows: SQLite through the ``sqlite3``
  module, ``csv.writer`` over a raw cursor; PostgreSQL ``COPY (SELECT ...) TO STDOUT``.

Prints one JSON line::

    {"bench": "cdr", "database": "sqlite", "rows": 1000000, "stream": {"seconds": ..,
     "peak_rss_mb": .., "bytes": ..}, "api": {...}, "file": {...}, "baseline": {...},
     "ratio": .., "targets": {"seconds": 30, "peak_rss_mb": 200}, "ok": true,
     "calibration_ms": {...}}

Each run also gives its CPU seconds: on a shared machine the wall time grows with the load
(``load_average``; ``calibration_ms`` is ``bench/lists.py``'s fixed loop, longer on a busy
machine), the CPU time much less.

Usage (from the repository root)::

    PYTHONPATH=src python bench/cdr.py            # SQLite, in a temporary directory
    DATABASE_URL=postgres://... PYTHONPATH=src python bench/cdr.py   # PostgreSQL

On PostgreSQL it creates and drops its own database (``FAXLINE_TEST_DATABASE`` or
``bench_cdr``); it never touches the database ``DATABASE_URL`` names.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

JOBS = int(os.environ.get("BENCH_CDR_JOBS", "1000000"))
MONTH = "2026-10"
START = datetime(2026, 10, 1, tzinfo=UTC)
TARGET_SECONDS = 30.0
TARGET_PEAK_MB = 200.0
BATCH = 2000  # rows per INSERT: PostgreSQL takes at most 65,535 parameters a statement
ROOT = Path(__file__).resolve().parents[1]


def _setup_django(create: bool) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")
    os.environ.setdefault("FAXLINE_SECRET_KEY", "bench-" + "x" * 60)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = ["*"]
    if connection.vendor == "postgresql":
        name = os.environ.get("FAXLINE_TEST_DATABASE", "bench_cdr")
        if create:
            connection.settings_dict.setdefault("TEST", {})
            connection.settings_dict["TEST"]["NAME"] = name
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        else:
            connection.close()
            connection.settings_dict["NAME"] = name
    elif create:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return connection.vendor


# --- seeding --------------------------------------------------------------------------------


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    # Times as Django writes them (SQLite stores text: a different spelling compares wrong).
    adapt = connection.ops.adapt_datetimefield_value
    rows = [tuple(adapt(v) if isinstance(v, datetime) else v for v in row) for row in rows]
    marks = "(" + ",".join(["%s"] * len(columns)) + ")"
    # The table and columns are the models' own names; the values are parameters.
    values = ",".join([marks] * len(rows))
    sql = f"INSERT INTO {table} ({','.join(columns)}) VALUES {values}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def seed() -> dict[str, Any]:
    """The provider, then ``JOBS`` finished jobs of its big company in October, each with
    one call: 90 % sent, 8 % failed, 2 % cancelled (no call)."""
    from django.db import connection, transaction

    from bench.seed import seed_provider
    from faxline.faxing.models import FaxAttempt, FaxImageFile, FaxJob

    provider = seed_provider(0.1)
    company = provider["company_admin"].company
    from faxline.accounts.models import User

    people = list(User.objects.filter(company=company).values_list("pk", "department_id")[:2000])
    image = FaxImageFile.objects.create(
        sha256="b" * 64, vault_name="", pages=2, resolution="fine", compression="g4", size=0
    )
    job_columns = [f.column for f in FaxJob._meta.concrete_fields]
    attempt_columns = [f.column for f in FaxAttempt._meta.concrete_fields if f.column != "id"]
    rng = random.Random(12)  # noqa: S311 (a repeatable data set, not a secret)
    spread = (31 * 86400) / JOBS
    errors = ("No Answer", "Busy", "Fax Protocol Error", "=cmd|' /C calc'!A0")
    first_id = (FaxJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    vendor = connection.vendor
    json_empty: Any = "[]" if vendor == "sqlite" else json.dumps([])
    for batch_start in range(0, JOBS, BATCH):
        jobs: list[tuple[Any, ...]] = []
        attempts: list[tuple[Any, ...]] = []
        for n in range(batch_start, min(JOBS, batch_start + BATCH)):
            pk = first_id + n
            user_id, department_id = people[n % len(people)]
            created = START + timedelta(seconds=n * spread)
            draw = rng.random()
            status = "success" if draw < 0.9 else "failed" if draw < 0.98 else "cancelled"
            error = "" if status == "success" else errors[n % len(errors)]
            completed = created + timedelta(seconds=60)
            pages = 1 + n % 5
            values = {
                "id": pk,
                "identifier": f"{500 + n % 400}-{pk:08d}",
                "company_id": company.pk,
                "sender_id": user_id,
                "department_id": department_id,
                "from_number": "+12125557001",
                "to_number": f"+1617555{n % 10000:04d}",
                "international": False,
                "status": status,
                "error": "Job Cancelled" if status == "cancelled" else error,
                "error_code": None,
                "error_cause": "",
                "will_retry": False,
                "pages": pages,
                "image_id": image.pk,
                "cover": False,
                "header": True,
                "send_at": created,
                "kill_at": created + timedelta(hours=3),
                "next_attempt_at": None,
                "dials": 0 if status == "cancelled" else 1,
                "tries": 0 if status == "cancelled" else 1,
                "credits_charged": pages,
                "resent_from_id": None,
                "source": "api",
                "reply_to": "",
                "document_name": "invoice.pdf",
                "created_at": created,
                "status_changed_at": completed,
                "first_dial_at": None if status == "cancelled" else created + timedelta(seconds=5),
                "completed_at": completed,
            }
            jobs.append(tuple(values[c] for c in job_columns))
            if status != "cancelled":
                dialled = created + timedelta(seconds=5)
                call = {
                    "job_id": pk,
                    "number": 1,
                    "started_at": dialled,
                    "ended_at": dialled + timedelta(seconds=50),
                    "lease_owner": "bench",
                    "lease_expires_at": dialled + timedelta(seconds=50),
                    "outcome": "Sent" if status == "success" else error,
                    "cause": "",
                    "retry": "",
                    "connected": status == "success",
                    "completion_code": 0 if status == "success" else None,
                    "completion_text": "",
                    "remote_csi": "",
                    "pages_sent": pages if status == "success" else 0,
                    "duration_seconds": 50.0,
                    "progress": json_empty,
                    "statistics": "{}",
                    "sent_image_id": None,
                }
                attempts.append(tuple(call[c] for c in attempt_columns))
        with transaction.atomic():
            _insert(FaxJob._meta.db_table, job_columns, jobs)
            _insert(FaxAttempt._meta.db_table, attempt_columns, attempts)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('faxing_faxjob', 'id'), "
                "(SELECT max(id) FROM faxing_faxjob))"
            )
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"company_id": company.pk, "admin": provider["company_admin"]}


# --- the measured runs (each in its own process) ---------------------------------------------


def _peak_mb() -> float:
    """This process's peak resident memory (``VmHWM``: unlike ``ru_maxrss`` it does not
    carry the parent's peak across ``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _cpu_seconds() -> float:
    """CPU time of this process (user + system): on a busy shared machine the wall time
    grows with the load, this much less (SQLite runs inside the process, so it counts)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(mode: str, company_id: int, secret: str) -> dict[str, Any]:
    """One measured run in this (fresh) process."""
    vendor = _setup_django(create=False)
    from faxline.activity.accounting.periods import Month
    from faxline.activity.accounting.records import cdr_chunks, cdr_records

    month = Month(2026, 10)
    if mode == "api":
        from django.test import Client

        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        client.get("/api/v1/me")  # the first request builds the API; not what is measured
    before = _peak_mb()
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    first_piece = None
    size = rows = 0
    if mode == "stream":
        for piece in cdr_chunks(cdr_records(company_id, month.start, month.end)):
            first_piece = first_piece or time.perf_counter() - started
            size += len(piece)
    elif mode == "api":
        response = client.get(f"/api/v1/accounting/cdr?month={MONTH}&company_id={company_id}")
        assert response.status_code == 200, response.status_code
        for piece in response.streaming_content:  # type: ignore[attr-defined]
            first_piece = first_piece or time.perf_counter() - started
            size += len(piece)
    elif mode == "file":
        from faxline.activity.accounting.services import cdr_file_write

        made = cdr_file_write(
            company_id=company_id,
            kind="month",
            period=MONTH,
            start=month.start,
            end=month.end,
            now=datetime.now(UTC),
        )
        assert made is not None
        size, rows = made.size, made.rows
    elif mode == "baseline":
        size = _baseline(vendor, company_id, month.start, month.end)
    seconds = time.perf_counter() - started
    out: dict[str, Any] = {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu_before, 2),
        "peak_rss_mb": _peak_mb(),
        "rss_before_mb": before,
        "bytes": size,
    }
    if first_piece is not None:
        out["first_piece_ms"] = round(first_piece * 1000, 1)
    if rows:
        out["rows"] = rows
    return out


def _baseline(vendor: str, company_id: int, start: datetime, end: datetime) -> int:
    """The database's own export of the same rows (jobs finished in the month, with their
    call's seconds), written as CSV and dropped."""
    import csv

    from django.db import connection

    class Sink:
        size = 0

        def write(self, text: str | bytes) -> int:
            self.size += len(text)
            return len(text)

    sink = Sink()
    query = (
        "SELECT j.identifier, j.completed_at, j.from_number, j.to_number, j.department_id, "
        "j.sender_id, j.pages, (SELECT sum(a.duration_seconds) FROM faxing_faxattempt a "
        "WHERE a.job_id = j.id), j.status, j.error FROM faxing_faxjob j "
        "WHERE j.company_id = {p} AND j.completed_at >= {p} AND j.completed_at < {p} "
        "AND j.status IN ('success', 'failed', 'cancelled') ORDER BY j.created_at, j.id"
    )
    if vendor == "postgresql":
        connection.ensure_connection()
        raw: Any = connection.connection
        with raw.cursor() as cursor:
            sql = query.format(p="%s")
            copy_sql = cursor.mogrify(sql, (company_id, start, end))
            with cursor.copy(f"COPY ({copy_sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                for data in copy:
                    sink.write(bytes(data))
        return sink.size
    import sqlite3

    db = sqlite3.connect(str(connection.settings_dict["NAME"]))
    cursor = db.execute(
        query.format(p="?"),
        (company_id, start.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S")),
    )
    writer = csv.writer(sink)
    writer.writerow([d[0] for d in cursor.description])
    while rows := cursor.fetchmany(5000):
        writer.writerows(rows)
    db.close()
    return sink.size


def _child(mode: str, company_id: int, secret: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(  # noqa: S603 (this very script, with our own arguments)
        [sys.executable, __file__, "--measure", mode, str(company_id), secret],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _plan(vendor: str, company_id: int) -> list[str]:
    """The query plan of one chunk of the generator (it must walk the company's index)."""
    from django.db import connection

    from faxline.activity.accounting.periods import Month
    from faxline.activity.accounting.records import JOB_LIFETIME
    from faxline.faxing.models import FAX_JOB_DONE, FaxJob

    month = Month(2026, 10)
    query = (
        FaxJob.objects.filter(
            company_id=company_id,
            created_at__gte=month.start - JOB_LIFETIME,
            created_at__lt=month.end,
            status__in=FAX_JOB_DONE,
            completed_at__gte=month.start,
            completed_at__lt=month.end,
        )
        .order_by("created_at", "pk")
        .values_list("pk")[:2000]
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN ") + sql, params)
        return [str(row[-1] if vendor == "sqlite" else row[0]) for row in cursor.fetchall()]


def run() -> dict[str, Any]:
    from bench.lists import _calibration_ms

    if not os.environ.get("DATABASE_URL"):
        os.environ["FAXLINE_HOME"] = tempfile.mkdtemp(prefix="faxline-bench-cdr-")
    vendor = _setup_django(create=True)
    from faxline.accounts.access import Actor
    from faxline.accounts.services.api_keys import api_key_create

    started = time.perf_counter()
    seeded = seed()
    seed_seconds = round(time.perf_counter() - started, 1)
    secret = api_key_create(actor=Actor(user=seeded["admin"]), name="bench").secret
    from django.db import connection

    connection.close()
    company_id = seeded["company_id"]
    calibration_before = _calibration_ms()
    results = {
        mode: _child(mode, company_id, secret) for mode in ("baseline", "stream", "api", "file")
    }
    stream = results["stream"]
    out = {
        "bench": "cdr",
        "database": vendor,
        "rows": JOBS,
        "seed_seconds": seed_seconds,
        **results,
        "ratio": round(stream["seconds"] / max(results["baseline"]["seconds"], 0.001), 2),
        "targets": {"seconds": TARGET_SECONDS, "peak_rss_mb": TARGET_PEAK_MB},
        "ok": all(
            results[m]["seconds"] <= TARGET_SECONDS and results[m]["peak_rss_mb"] < TARGET_PEAK_MB
            for m in ("stream", "api", "file")
        ),
        "plan": _plan(vendor, company_id),
        "load_average": os.getloadavg()[0],
        "calibration_ms": {"before": calibration_before, "after": _calibration_ms()},
    }
    if vendor == "postgresql":
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"], verbosity=0, keepdb=False
        )
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]), sys.argv[4])))
    else:
        print(json.dumps(run()))
