"""Dispatch: attempts per second through the outbound dispatcher, with an instant transport.

Every attempt takes the dispatcher's whole path but the modem: claim (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, compare-and-set on SQLite, with the one-call-per-destination
index), the job's event rows, the stored image read from the vault, the outcome recorded
with the retry policy, and the job's final event. The transport answers "Sent" at once, so
the figure is the database and faxline's bookkeeping, not the fax call (a real call is
seconds of media; ``bench/sandbox_pstn.py`` measures those).

Runs with 1 and 4 dispatcher **processes** (forked, each with its own connection) over
``BENCH_JOBS`` jobs (400) to distinct numbers, and, as the floor in the same run, one
process doing nothing but one plain status UPDATE per job (no lock, no attempt, no event).
Prints one JSON line::

    {"database": "sqlite", "jobs": 400, "workers": {"1": {"attempts_per_s": ..,
     "seconds": ..}, "4": {...}}, "floor_updates_per_s": ..}

Usage (from the repository root)::

    PYTHONPATH=src python bench/dispatch.py            # SQLite, in a temporary directory
    DATABASE_URL=postgres://... PYTHONPATH=src python bench/dispatch.py   # PostgreSQL

On PostgreSQL it creates and drops its own database (``bench_dispatch``).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import tempfile
import time
from typing import Any

JOBS = int(os.environ.get("BENCH_JOBS", "400"))


def _setup_django() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["FAXLINE_HOME"] = tempfile.mkdtemp(prefix="faxline-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")
    os.environ.setdefault("FAXLINE_SECRET_KEY", "bench-" + "x" * 60)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.settings_dict.setdefault("TEST", {})
        connection.settings_dict["TEST"]["NAME"] = "bench_dispatch"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return connection.vendor


def _instant_transport() -> Any:
    from faxline.telephony.outcomes import outcome_of_t30
    from faxline.telephony.sandbox.pstn import LocalLines
    from faxline.telephony.transport import CallOutcome, CallRequest, Transport

    class Instant(Transport):
        name = "instant"
        lines = LocalLines(64)

        def inbound(self, fax: Any) -> None:  # pragma: no cover - never called
            pass

        async def place_call(self, request: CallRequest) -> CallOutcome:
            return CallOutcome(
                outcome_of_t30(0), True, "instant", request.from_number, request.to_number
            )

    return Instant()


def _seed() -> dict[str, Any]:
    from faxline.accounts.access import Actor
    from faxline.accounts.choices import Role
    from faxline.accounts.models import User
    from faxline.accounts.services.companies import company_create
    from faxline.documents.faximage import convert_to_fax
    from faxline.faxing.images import fax_image_store

    operator = User.objects.create_user(
        username="bench-op", password="x" * 16, role=Role.OPERATOR, email="op@bench.example"
    )
    company = company_create(actor=Actor(user=operator), name="Bench Co")
    sender = User.objects.create_user(
        username="bench-sender",
        password="x" * 16,
        role=Role.FAX_USER,
        company=company,
        email="s@bench.example",
    )
    image = fax_image_store(convert_to_fax(b"Bench page\n", filename="a.txt"))
    return {"company": company, "sender": sender, "image": image}


def _jobs(seed: dict[str, Any], count: int) -> None:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from faxline.faxing.jobs.state import job_create
    from faxline.faxing.models import FaxJob

    FaxJob.objects.all().delete()
    now = timezone.now()
    with transaction.atomic():
        for i in range(count):
            job_create(
                actor_id=None,
                company=seed["company"],
                sender=seed["sender"],
                from_number="+12125557001",
                to_number=f"+1617{7000000 + i}",
                pages=1,
                image=seed["image"],
                header=False,
                send_at=now,
                kill_at=now + timedelta(hours=3),
                next_attempt_at=now,
            )


def _worker(number: int, done: Any) -> None:
    from django.db import DatabaseError, connections

    from faxline.faxing.jobs.dispatcher import claim_next, run_attempt

    connections.close_all()
    transport = _instant_transport()
    owner = f"bench-{number}"
    placed = 0
    idle = 0
    while idle < 3:
        try:
            attempt = claim_next(owner)
        except DatabaseError:
            time.sleep(0.01)
            continue
        if attempt is None:
            idle += 1
            time.sleep(0.01)
            continue
        idle = 0
        run_attempt(attempt, transport)
        placed += 1
    done.put(placed)


def _run(workers: int, seed: dict[str, Any]) -> dict[str, float]:
    from django.db import connections

    from faxline.faxing.models import FaxJob

    _jobs(seed, JOBS)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    done = context.Queue()
    started = time.perf_counter()
    processes = [context.Process(target=_worker, args=(n, done)) for n in range(workers)]
    for p in processes:
        p.start()
    placed = sum(done.get() for _ in processes)
    for p in processes:
        p.join()
    seconds = time.perf_counter() - started
    sent = FaxJob.objects.filter(status="success").count()
    assert sent == JOBS == placed, (sent, placed)
    return {"attempts_per_s": round(placed / seconds, 1), "seconds": round(seconds, 2)}


def _floor(seed: dict[str, Any]) -> float:
    from faxline.faxing.models import FaxJob

    _jobs(seed, JOBS)
    ids = list(FaxJob.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    for pk in ids:
        FaxJob.objects.filter(pk=pk, status="queued").update(status="success")
    return round(len(ids) / (time.perf_counter() - started), 1)


def main() -> None:
    vendor = _setup_django()
    from django.db import connection

    seed = _seed()
    try:
        result = {
            "database": vendor,
            "jobs": JOBS,
            "workers": {str(n): _run(n, seed) for n in (1, 4)},
            "floor_updates_per_s": _floor(seed),
        }
    finally:
        if vendor == "postgresql":
            connection.creation.destroy_test_db("bench_dispatch", verbosity=0)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
