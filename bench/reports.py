"""Reports and the Dashboard graph over 90 days at a million jobs: p50 / p95 (issue 12).

On the set of ``bench/activity_seed.py`` (reused when present), times each figure two ways:

- ``tally``: from the traffic tallies (DailyTraffic, DailyDestination, DailyError), as the
  reports and the Dashboard read them;
- ``raw``: the same figure computed from the FaxJob / FaxAttempt / InboundFax rows (the
  baseline: what a report would cost without the tallies),

checks that both give the same figures, and then times the endpoints when they exist
(``GET /api/v1/reports/<direction>/<slug>`` with an API key of the company's administrator,
the report pages ``/activity/reports/<direction>/<slug>/`` and the Dashboard ``/`` with a
90-day range; 404: ``"missing": true``). One JSON line per measurement::

    {"database": "sqlite", "figure": "top_destinations", "via": "tally", "p50_ms": ..,
     "p95_ms": .., "raw_p50_ms": .., "speedup_p50": .., "equal": true, "target_ms": 500}

Usage: ``PYTHONPATH=src:. python -m bench.reports [--small] [--explain]`` (``DATABASE_URL``
for PostgreSQL, as ``bench/activity.py``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bench.activity import _time

RUNS = int(os.environ.get("BENCH_RUNS", "10"))
TARGET_MS = 500.0
DAYS = 90
TOP = 50
RESULTS = Path(__file__).resolve().parent / "results"

OUTBOUND_REPORTS = (
    "usage-summary",
    "average-time-to-first-dial",
    "highest-volume-destinations",
    "frequent-busy-destinations",
    "outbound-failures",
    "average-total-completion-time",
)
INBOUND_REPORTS = (
    "average-time-to-first-forward",
    "highest-volume-numbers",
    "potential-partial-faxes",
    "transmission-failures",
    "usage-summary",
)
# The endpoints, in one place.
REPORT_API = "/api/v1/reports/{direction}/{slug}"
REPORT_PAGE = "/activity/reports/{direction}/{slug}/"
DASHBOARD = "/"
DASHBOARD_PARAMS = {"start": "start", "end": "end", "interval": "interval"}


@dataclass(frozen=True)
class Figure:
    """One figure of a report or the Dashboard: from the tallies and from the raw rows."""

    name: str
    tally: Callable[[], Any]
    raw: Callable[[], Any]


def _rounded(rows: Any) -> Any:
    """Rows comparable across the two ways (floats to the millisecond, sorted)."""

    def fix(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 3)
        if isinstance(value, datetime):
            return value.date()
        return value

    if isinstance(rows, dict):
        return {k: fix(v) for k, v in rows.items()}
    return [tuple(fix(v) for v in row) for row in rows]


def figures(company_id: int, first: date, last: date) -> list[Figure]:
    """The figures the reports and the Dashboard show, for ``company_id`` and the days
    ``first`` to ``last`` (both included, UTC)."""
    from django.db.models import Count, Q, Sum
    from django.db.models.functions import TruncDate

    from faxline.faxing.inbound.models import InboundFax
    from faxline.faxing.models import FaxAttempt, FaxJob
    from faxline.faxing.tally.models import DailyDestination, DailyError, DailyTraffic

    start = datetime.combine(first, time.min, UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, UTC)
    days = {"company_id": company_id, "day__gte": first, "day__lte": last}
    jobs = FaxJob.objects.filter(company_id=company_id, created_at__gte=start, created_at__lt=end)
    received = InboundFax.objects.filter(
        company_id=company_id, received_at__gte=start, received_at__lt=end
    )

    def traffic(direction: str) -> Any:
        return DailyTraffic.objects.filter(direction=direction, **days)

    def graph_tally() -> Any:
        return list(
            traffic("out")
            .values("day")
            .annotate(faxes=Sum("faxes"), success=Sum("success"), pages=Sum("pages"))
            .order_by("day")
            .values_list("day", "faxes", "success", "pages")
        )

    def graph_raw() -> Any:
        return list(
            jobs.annotate(day=TruncDate("created_at"))
            .values("day")
            .annotate(
                faxes=Count("id"),
                success=Count("id", filter=Q(status="success")),
                pages=Sum("pages"),
            )
            .order_by("day")
            .values_list("day", "faxes", "success", "pages")
        )

    def top_tally() -> Any:
        return list(
            DailyDestination.objects.filter(**days)
            .values("remote")
            .annotate(n=Sum("faxes"), pages=Sum("pages"))
            .order_by("-n", "remote")
            .values_list("remote", "n", "pages")[:TOP]
        )

    def top_raw() -> Any:
        return list(
            jobs.values("to_number")
            .annotate(n=Count("id"), pages=Sum("pages"))
            .order_by("-n", "to_number")
            .values_list("to_number", "n", "pages")[:TOP]
        )

    def busy_tally() -> Any:
        return list(
            DailyDestination.objects.filter(busy__gt=0, **days)
            .values("remote")
            .annotate(n=Sum("busy"))
            .order_by("-n", "remote")
            .values_list("remote", "n")[:TOP]
        )

    def busy_raw() -> Any:
        return list(
            FaxAttempt.objects.filter(job__in=jobs, outcome="Busy")
            .values("job__to_number")
            .annotate(n=Count("id"))
            .order_by("-n", "job__to_number")
            .values_list("job__to_number", "n")[:TOP]
        )

    def errors_tally() -> Any:
        return list(
            DailyError.objects.filter(direction="out", **days)
            .values("error")
            .annotate(n=Sum("faxes"))
            .order_by("-n", "error")
            .values_list("error", "n")
        )

    def errors_raw() -> Any:
        return list(
            jobs.filter(status="failed")
            .exclude(error="")
            .values("error")
            .annotate(n=Count("id"))
            .order_by("-n", "error")
            .values_list("error", "n")
        )

    def usage_tally() -> Any:
        return list(
            traffic("out")
            .values("user_key")
            .annotate(n=Sum("faxes"), pages=Sum("pages"), success=Sum("success"))
            .order_by("user_key")
            .values_list("user_key", "n", "pages", "success")
        )

    def usage_raw() -> Any:
        return list(
            jobs.values("sender_id")
            .annotate(
                n=Count("id"), pages=Sum("pages"), success=Count("id", filter=Q(status="success"))
            )
            .order_by("sender_id")
            .values_list("sender_id", "n", "pages", "success")
        )

    def first_dial_tally() -> Any:
        row = traffic("out").aggregate(n=Sum("first_wait_count"), s=Sum("first_wait_seconds"))
        return {"n": row["n"], "average": (row["s"] or 0) / max(1, row["n"] or 0)}

    def first_dial_raw() -> Any:
        # Python does the subtraction: the same for both databases (and what a report
        # without tallies would do).
        n, total = 0, 0.0
        for created, dialed in (
            jobs.filter(first_dial_at__isnull=False)
            .values_list("created_at", "first_dial_at")
            .iterator(chunk_size=10_000)
        ):
            n += 1
            total += max(0.0, (dialed - created).total_seconds())
        return {"n": n, "average": total / max(1, n)}

    def inbound_numbers_tally() -> Any:
        return list(
            traffic("in")
            .values("number")
            .annotate(n=Sum("faxes"), pages=Sum("pages"))
            .order_by("-n", "number")
            .values_list("number", "n", "pages")[:TOP]
        )

    def inbound_numbers_raw() -> Any:
        return list(
            received.values("to_number")
            .annotate(n=Count("id"), pages=Sum("pages"))
            .order_by("-n", "to_number")
            .values_list("to_number", "n", "pages")[:TOP]
        )

    def partial_tally() -> Any:
        return list(
            traffic("in")
            .filter(partial__gt=0)
            .values("number")
            .annotate(n=Sum("partial"))
            .order_by("-n", "number")
            .values_list("number", "n")
        )

    def partial_raw() -> Any:
        return list(
            received.filter(partial=True, pages__gt=0)
            .values("to_number")
            .annotate(n=Count("id"))
            .order_by("-n", "to_number")
            .values_list("to_number", "n")
        )

    def inbound_graph_tally() -> Any:
        return list(
            traffic("in")
            .values("day")
            .annotate(faxes=Sum("faxes"), failed=Sum("failed"))
            .order_by("day")
            .values_list("day", "faxes", "failed")
        )

    def inbound_graph_raw() -> Any:
        return list(
            received.annotate(day=TruncDate("received_at"))
            .values("day")
            .annotate(
                faxes=Count("id"),
                failed=Count("id", filter=Q(pages=0) | Q(partial=True)),
            )
            .order_by("day")
            .values_list("day", "faxes", "failed")
        )

    return [
        Figure("dashboard_graph_outbound_by_day", graph_tally, graph_raw),
        Figure("dashboard_graph_inbound_by_day", inbound_graph_tally, inbound_graph_raw),
        Figure("top_50_destinations", top_tally, top_raw),
        Figure("frequent_busy_destinations", busy_tally, busy_raw),
        Figure("outbound_failures_by_error", errors_tally, errors_raw),
        Figure("outbound_usage_by_user", usage_tally, usage_raw),
        Figure("average_time_to_first_dial", first_dial_tally, first_dial_raw),
        Figure("inbound_highest_volume_numbers", inbound_numbers_tally, inbound_numbers_raw),
        Figure("inbound_potential_partials", partial_tally, partial_raw),
    ]


def _emit(line: dict[str, Any], sink: list[dict[str, Any]]) -> None:
    sink.append(line)
    print(json.dumps(line), flush=True)


def run(*, seeded: Any, vendor: str, explain: bool = False) -> list[dict[str, Any]]:
    from django.test import Client

    from faxline.accounts.access import Actor
    from faxline.accounts.models import User
    from faxline.accounts.services.api_keys import api_key_create

    lines: list[dict[str, Any]] = []
    last = seeded.anchor.date()
    first = last - timedelta(days=DAYS - 1)
    plans: list[str] = []
    for figure in figures(seeded.company_id, first, last):
        p50, p95, made = _time(figure.tally, runs=RUNS)
        raw_runs = max(2, RUNS // 4)
        raw50, raw95, expected = _time(figure.raw, runs=raw_runs)
        equal = _rounded(made) == _rounded(expected)
        _emit(
            {
                "database": vendor,
                "figure": figure.name,
                "via": "tally",
                "days": DAYS,
                "p50_ms": p50,
                "p95_ms": p95,
                "raw_p50_ms": raw50,
                "raw_p95_ms": raw95,
                "speedup_p50": round(raw50 / max(p50, 0.01), 1),
                "equal": equal,
                "rows": len(made) if isinstance(made, list) else 1,
                "target_ms": TARGET_MS,
                "ok": p95 <= TARGET_MS,
            },
            lines,
        )
        if not equal:
            _emit(
                {"figure": figure.name, "tally": str(made)[:500], "raw": str(expected)[:500]}, lines
            )
    if explain:
        plans += _plans(seeded.company_id, first, last, vendor)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"reports-plans-{vendor}.md").write_text(
            f"# Report query plans ({vendor})\n\n" + "\n".join(plans)
        )

    admin = User.objects.get(pk=seeded.admin_id)
    secret = api_key_create(actor=Actor(user=admin), name="bench-reports").secret
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    portal = Client()
    portal.force_login(admin)
    targets: list[tuple[str, Client, str, dict[str, str]]] = []
    for direction, slugs in (("outbound", OUTBOUND_REPORTS), ("inbound", INBOUND_REPORTS)):
        for slug in slugs:
            targets.append(
                (f"{direction}/{slug}", api, REPORT_API.format(direction=direction, slug=slug), {})
            )
            targets.append(
                (
                    f"{direction}/{slug}",
                    portal,
                    REPORT_PAGE.format(direction=direction, slug=slug),
                    {},
                )
            )
    dashboard = {
        DASHBOARD_PARAMS["start"]: first.isoformat(),
        DASHBOARD_PARAMS["end"]: last.isoformat(),
        DASHBOARD_PARAMS["interval"]: "day",
    }
    targets.append(("dashboard_90_days", portal, DASHBOARD, dashboard))
    for name, client, url, params in targets:
        via = "api" if client is api else "portal"
        base = {"database": vendor, "figure": name, "via": via, "url": url}
        response = client.get(url, params)
        if response.status_code == 404:
            _emit({**base, "missing": True}, lines)
            continue
        if response.status_code != 200:
            _emit({**base, "status": response.status_code}, lines)
            continue
        p50, p95, response = _time(lambda c=client, u=url, q=params: c.get(u, q), runs=RUNS)
        _emit(
            {
                **base,
                "p50_ms": p50,
                "p95_ms": p95,
                "bytes": len(response.content),
                "target_ms": TARGET_MS,
                "ok": p95 <= TARGET_MS,
            },
            lines,
        )
    return lines


def _plans(company_id: int, first: date, last: date, vendor: str) -> list[str]:
    from django.db.models import Sum

    from faxline.faxing.tally.models import DailyDestination, DailyTraffic

    days = {"company_id": company_id, "day__gte": first, "day__lte": last}
    queries = {
        "top_50_destinations": DailyDestination.objects.filter(**days)
        .values("remote")
        .annotate(n=Sum("faxes"))
        .order_by("-n", "remote")[:TOP],
        "dashboard_graph_outbound_by_day": DailyTraffic.objects.filter(direction="out", **days)
        .values("day")
        .annotate(n=Sum("faxes"))
        .order_by("day"),
    }
    out = []
    for name, qs in queries.items():
        plan = qs.explain(analyze=True) if vendor == "postgresql" else qs.explain()
        out.append(f"### {name}\n\n```sql\n{qs.query}\n```\n\n```\n{plan}\n```\n")
    return out


def main() -> None:  # pragma: no cover - the command line
    from bench.activity_db import setup_database
    from bench.activity_seed import FULL, ActivityScale, ensure_seeded

    vendor = setup_database()
    scale = ActivityScale(outbound=20_000, inbound=6_000) if "--small" in sys.argv else FULL
    seeded = ensure_seeded(scale, log=lambda text: print(text, file=sys.stderr, flush=True))
    lines = run(seeded=seeded, vendor=vendor, explain="--explain" in sys.argv)
    RESULTS.mkdir(exist_ok=True)
    suffix = "-small" if "--small" in sys.argv else ""
    with (RESULTS / f"reports-{vendor}{suffix}.jsonl").open("w") as out:
        for line in lines:
            out.write(json.dumps(line) + "\n")


if __name__ == "__main__":  # pragma: no cover
    main()
