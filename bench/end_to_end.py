"""End to end: faxes per minute from ``POST /api/v1/faxes`` to the recipient's inbox.

A temporary install on SQLite (``faxline demo`` in a directory of its own), the two demo fax
users: one POSTs ``--faxes`` faxes (100) of a 3-page PDF, no cover page, to the other's
number through the API (Django's test client: the whole stack below the web server, the
conversion in the documents sandbox included); the outbound dispatcher (``Dispatcher``, in
this process, as in ``faxline serve``) places them through the sandbox PSTN with the line
capacity at 8 (``FAXLINE_SANDBOX_LINES``); each call is on-net, so the recipient's side
receives it for real (spandsp both ways) and the delivery task (run in this process: the
immediate task backend) converts it to the recipient's PDF and mails it (the in-memory
mail backend). A fax counts as delivered when its inbound fax is *Delivered*; the n-th
earliest delivery is paired with the n-th earliest POST (one sender, one recipient: the
latency distribution, not a per-fax trace).

The POSTs come first, then the dispatcher drains the queue (SQLite takes one writer at a
time; a real install runs them side by side), so "POST to delivered" includes the wait in
the queue. As the baseline, in the same run, the same 3-page image goes through a bare
modem pair (``run_back_to_back``: spandsp back to back, no network, no database), and the
overhead ratio is the end-to-end seconds per fax over the bare modem's.

Prints one JSON line::

    {"faxes": 100, "pages_per_fax": 3, "lines": 8, "faxes_per_min": .., "pages_per_min": ..,
     "post_s": .., "dispatch_s": .., "median_post_to_delivered_s": ..,
     "p95_post_to_delivered_s": .., "baseline_modem_s_per_fax": ..,
     "end_to_end_s_per_fax": .., "overhead_ratio": ..}

Usage (from the repository root)::

    PYTHONPATH=src python bench/end_to_end.py --faxes 100
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

LINES = 8
PAGES = 3


def _setup_django(home: str) -> None:
    os.environ["FAXLINE_HOME"] = home
    os.environ.pop("DATABASE_URL", None)  # SQLite, in the temporary home
    os.environ["FAXLINE_SANDBOX_LINES"] = str(LINES)
    os.environ["FAXLINE_SANDBOX_REAL_TIME"] = "false"
    os.environ["FAXLINE_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ["FAXLINE_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")
    os.environ.setdefault("FAXLINE_SECRET_KEY", "bench-" + "x" * 60)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    logging.disable(logging.INFO)  # one JSON line: the per-call and per-task logs are noise


def _three_page_pdf() -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=letter)
    for page in range(1, PAGES + 1):
        pdf.setFont("Helvetica", 14)
        for line in range(40):
            pdf.drawString(60, 740 - 17 * line, f"Page {page}, line {line + 1}: end to end bench.")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _demo() -> dict[str, dict[str, str]]:
    from django.core.management import call_command

    from faxline.accounts.access import Actor
    from faxline.accounts.models import User
    from faxline.accounts.services.settings import settings_update
    from faxline.faxing.credits import credits_adjust

    out = io.StringIO()
    call_command("demo", stdout=out)
    users = {u["role"]: u for u in json.loads(out.getvalue())["users"]}
    admin = User.objects.get(username=users["company_admin"]["username"])
    sender = User.objects.get(username=users["fax_user"]["username"])
    # No cover page: the 3 pages go as 3 pages.
    settings_update(
        actor=Actor(user=admin),
        owner=sender,
        tab="coverpage",
        values={"mode": "on_demand"},
    )
    operator = User.objects.filter(role="operator").first()
    if operator is not None and sender.company is not None:
        credits_adjust(
            actor=Actor(user=operator), company=sender.company, credits=100_000, note="bench"
        )
    return users


def _post_all(users: dict[str, dict[str, str]], count: int) -> dict[str, float]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    pdf = _three_page_pdf()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {users['fax_user']['api_key']}")
    posted: dict[str, float] = {}
    for _ in range(count):
        at = time.time()
        response = api.post(
            "/api/v1/faxes",
            {
                "to": [users["fax_user_2"]["fax_number"]],
                "file": [SimpleUploadedFile("letter.pdf", pdf, "application/pdf")],
                "cover": "false",
            },
        )
        if response.status_code != 202:
            raise SystemExit(f"POST /api/v1/faxes: {response.status_code} {response.content!r}")
        for job in response.json()["jobs"]:
            posted[job["id"]] = at
    return posted


def _dispatch(count: int, timeout: float) -> float:
    from django.db import close_old_connections

    from faxline.faxing.inbound.models import InboundFax
    from faxline.faxing.jobs.dispatcher import Dispatcher
    from faxline.faxing.sandbox.wiring import sandbox_transport

    dispatcher = Dispatcher(sandbox_transport(), concurrency=LINES, poll_seconds=0.05)
    thread = threading.Thread(target=dispatcher.run, name="dispatcher", daemon=True)
    started = time.perf_counter()
    thread.start()
    try:
        while time.perf_counter() - started < timeout:
            done = InboundFax.objects.filter(delivery_status="delivered").count()
            if done >= count:
                break
            time.sleep(0.05)
            close_old_connections()
        else:
            raise SystemExit(f"not all {count} faxes were delivered in {timeout:.0f} s")
    finally:
        dispatcher.stop.set()
        thread.join(timeout=30)
    return time.perf_counter() - started


def _latencies(posted: dict[str, float]) -> list[float]:
    from faxline.faxing.inbound.models import InboundFax
    from faxline.faxing.models import FaxJob

    jobs = {j.identifier: j for j in FaxJob.objects.filter(identifier__in=posted)}
    bad = [j.identifier for j in jobs.values() if j.status != "success"]
    if bad or len(jobs) != len(posted):
        raise SystemExit(f"jobs not successful: {bad[:5]}")
    # Each on-net call leaves one inbound fax; pair them by order (one sender, one recipient).
    delivered: list[datetime] = sorted(
        f.delivered_at
        for f in InboundFax.objects.filter(delivery_status="delivered")
        if f.delivered_at is not None
    )
    pages = set(InboundFax.objects.values_list("pages", flat=True))
    if pages != {PAGES}:
        raise SystemExit(f"received page counts {pages}, expected {PAGES}")
    starts = sorted(posted.values())
    return [d.timestamp() - s for d, s in zip(delivered, starts, strict=True)]


def _baseline(posted: dict[str, float]) -> float:
    """Wall seconds of the bare modem pair for the first job's image (median of 3)."""
    from faxline.faxing.jobs.dispatcher import image_for_call
    from faxline.faxing.models import FaxJob
    from faxline.telephony.t30 import AudioFaxSession, FaxOptions, run_back_to_back

    job = FaxJob.objects.select_related("image", "sender").get(identifier=next(iter(posted)))
    runs = []
    with tempfile.TemporaryDirectory(prefix="faxline-bench-") as name:
        folder = Path(name)
        tiff = folder / "fax.tif"
        tiff.write_bytes(image_for_call(job))
        for _ in range(3):
            started = time.perf_counter()
            caller = AudioFaxSession(calling=True, options=FaxOptions(), send=tiff)
            answerer = AudioFaxSession(
                calling=False, options=FaxOptions(), receive=folder / "rx.tif"
            )
            with caller, answerer:
                result, _ = run_back_to_back(caller, answerer)
            runs.append(time.perf_counter() - started)
            assert result.success and result.pages == PAGES, result
    return statistics.median(runs)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faxes", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args(argv)
    home = tempfile.mkdtemp(prefix="faxline-bench-e2e-")
    _setup_django(home)
    users = _demo()
    started = time.perf_counter()
    posted = _post_all(users, args.faxes)
    post_s = time.perf_counter() - started
    dispatch_s = _dispatch(args.faxes, args.timeout)
    total_s = time.perf_counter() - started
    latencies = _latencies(posted)
    baseline = _baseline(posted)
    per_fax = total_s / args.faxes
    result = {
        "database": "sqlite",
        "faxes": args.faxes,
        "pages_per_fax": PAGES,
        "lines": LINES,
        "faxes_per_min": round(60 * args.faxes / total_s, 1),
        "pages_per_min": round(60 * args.faxes * PAGES / total_s, 1),
        "post_s": round(post_s, 2),
        "dispatch_s": round(dispatch_s, 2),
        "median_post_to_delivered_s": round(statistics.median(latencies), 2),
        "p95_post_to_delivered_s": round(_p95(latencies), 2),
        "end_to_end_s_per_fax": round(per_fax, 3),
        "baseline_modem_s_per_fax": round(baseline, 3),
        "overhead_ratio": round(per_fax / baseline, 2),
    }
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
