"""Outbound and Inbound Activity at a million jobs: p50 / p95 of each search (issue 12).

Seeds (once, then reused: ``bench/activity_seed.py``) a company with 1,000,000 outbound
jobs and 300,000 received faxes over 6 months, then times, for the default search (the last
30 days, 100 rows, newest first) and each single filter:

- ``orm``: the query the list runs, straight through the ORM (the company administrator's
  scope, the date range, the filter, ``ORDER BY created_at DESC, id DESC LIMIT 100``,
  fetched): the raw cost, the baseline of the two below;
- ``api``: ``GET /api/v1/activity/outbound`` (``/inbound``) with an API key of the
  company's administrator (Django's test client: middleware, authentication, the view, the
  JSON);
- ``portal``: the page ``/activity/outbound/`` (``/activity/inbound/``) signed in as the
  same administrator.

One JSON line per measurement::

    {"database": "sqlite", "list": "outbound", "search": "recipient_exact", "via": "api",
     "p50_ms": .., "p95_ms": .., "rows": 100, "raw_p50_ms": .., "ratio_p50": ..,
     "target_ms": 150, "ok": true}

An endpoint that answers 404 (not merged yet) is reported as ``"missing": true``. The
request parameters are those of the Activity lists (``from``, ``to``, ``filter`` /
``search`` / ``match`` rows, ``status``, ``partial``; ``limit`` in the API, ``rows`` on the
page): change them in :data:`PARAMS` only.

Also counted (``"via": "count"``): ``COUNT(*)`` of the default search, unbounded and capped
(``LIMIT 10001`` in a subquery), and with ``--explain`` the query plans of every ORM query
(``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL) into
``bench/results/activity-plans-<database>.md``.

Usage (from the repository root)::

    PYTHONPATH=src:. python -m bench.activity [--explain] [--small]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_activity PYTHONPATH=src:. \\
        python -m bench.activity
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
TARGET_MS = 150.0
COUNT_CAP = 10_000
PAGE_ROWS = 100
RESULTS = Path(__file__).resolve().parent / "results"
ORM_ONLY = {"job_iexact", "sender_busiest_ids", "sender_rare_ids", "department_unit_ids"}

# --- the request parameters, in one place -----------------------------------------------------
URLS = {
    ("outbound", "api"): "/api/v1/activity/outbound",
    ("inbound", "api"): "/api/v1/activity/inbound",
    ("outbound", "portal"): "/activity/outbound/",
    ("inbound", "portal"): "/activity/inbound/",
}
PARAMS = {
    "from": "from",
    "to": "to",
    "filter": "filter",  # a filter row: field name ...
    "search": "search",  # ... what to look for ...
    "match": "match",  # ... exact / contains
    "status": "status",
    "partial": "partial",
    "api_rows": "limit",
    "portal_rows": "rows",
}
# The filter rows' field names (the list definitions' FilterField names).
FIELDS = {
    "department": "department",
    "sender": "sender",
    "recipient": "recipient",
    "job": "job",
    "number": "number",
    "caller": "caller",
    "user": "user",
}


@dataclass(frozen=True)
class Search:
    """One search: its name, the list, the request's filter (field, search, match; status;
    partial) and the equivalent ORM filter (a function of the seeded set's facts)."""

    name: str
    list: str
    orm: Callable[[Any], Any]  # (context) -> Q
    field: str = ""
    search: str = ""
    match: str = "exact"
    status: str = ""
    partial: str = ""

    def query(self, via: str, start: date, end: date) -> list[tuple[str, str]]:
        pairs = [(PARAMS["from"], start.isoformat()), (PARAMS["to"], end.isoformat())]
        if self.field:
            pairs += [
                (PARAMS["filter"], FIELDS[self.field]),
                (PARAMS["search"], self.search),
                (PARAMS["match"], self.match),
            ]
        if self.status:
            pairs.append((PARAMS["status"], self.status))
        if self.partial:
            pairs.append((PARAMS["partial"], self.partial))
        pairs.append((PARAMS[f"{via}_rows"], str(PAGE_ROWS)))
        return pairs


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered), p95


def _time(run: Callable[[], Any], runs: int = RUNS) -> tuple[float, float, Any]:
    result = run()  # warm the caches and the plan
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        samples.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(samples)
    return round(p50, 2), round(p95, 2), result


@dataclass
class Context:
    """The seeded facts the searches use."""

    seeded: Any
    company_id: int
    start: datetime
    end: datetime
    sender_username: str
    rare_sender_username: str
    top_department: str
    small_department: str
    small_department_path: str
    top_department_path: str
    user_username: str


def _searches(ctx: Context) -> list[Search]:
    from django.db.models import Q

    from faxline.accounts.models import Department, User

    s = ctx.seeded

    def subtree(path: str) -> Q:
        return Q(department_id__in=Department.objects.filter(path__startswith=path).values("pk"))

    def person(column: str, username: str) -> Q:
        return Q(
            **{f"{column}_id__in": User.objects.filter(username__iexact=username).values("pk")}
        )

    contains = s.rare_destination[-5:-1]
    return [
        Search("default", "outbound", lambda c: Q()),
        Search("status_success", "outbound", lambda c: Q(status="success"), status="success"),
        Search(
            "status_failed",
            "outbound",
            lambda c: Q(status__in=["failed", "cancelled"]),
            status="failed",
        ),
        Search(
            "status_in_progress",
            "outbound",
            lambda c: Q(status__in=["queued", "in_progress", "retrying"]),
            status="in_progress",
        ),
        Search(
            "recipient_exact_common",
            "outbound",
            lambda c: Q(to_number=s.common_destination),
            field="recipient",
            search=s.common_destination,
        ),
        Search(
            "recipient_exact_rare",
            "outbound",
            lambda c: Q(to_number=s.rare_destination),
            field="recipient",
            search=s.rare_destination,
        ),
        Search(
            "recipient_contains",
            "outbound",
            lambda c: Q(to_number__contains=contains),
            field="recipient",
            search=contains,
            match="contains",
        ),
        Search(
            "sender_busiest",
            "outbound",
            lambda c: person("sender", ctx.sender_username),
            field="sender",
            search=ctx.sender_username,
        ),
        Search(
            "sender_rare",
            "outbound",
            lambda c: person("sender", ctx.rare_sender_username),
            field="sender",
            search=ctx.rare_sender_username,
        ),
        Search(
            "department_top",
            "outbound",
            lambda c: subtree(ctx.top_department_path),
            field="department",
            search=ctx.top_department,
        ),
        Search(
            "department_unit",
            "outbound",
            lambda c: subtree(ctx.small_department_path),
            field="department",
            search=ctx.small_department,
        ),
        # The same person and department resolved to ids first (one small query), then
        # ``IN (<ids>)``: the planner sees the value (PostgreSQL's statistics of a busy
        # sender; SQLite's equality on a one-id list) instead of a subquery.
        Search(
            "sender_busiest_ids",
            "outbound",
            lambda c: Q(
                sender_id__in=list(
                    User.objects.filter(username__iexact=ctx.sender_username).values_list(
                        "pk", flat=True
                    )
                )
            ),
        ),
        Search(
            "sender_rare_ids",
            "outbound",
            lambda c: Q(
                sender_id__in=list(
                    User.objects.filter(username__iexact=ctx.rare_sender_username).values_list(
                        "pk", flat=True
                    )
                )
            ),
        ),
        Search(
            "department_unit_ids",
            "outbound",
            lambda c: Q(
                department_id__in=list(
                    Department.objects.filter(
                        path__startswith=ctx.small_department_path
                    ).values_list("pk", flat=True)
                )
            ),
        ),
        Search(
            "job_exact",
            "outbound",
            lambda c: Q(identifier=s.sample_identifier),
            field="job",
            search=s.sample_identifier,
        ),
        Search(
            "job_iexact",
            "outbound",
            lambda c: Q(identifier__iexact=s.sample_identifier),
        ),
        Search("default", "inbound", lambda c: Q()),
        Search(
            "number_exact",
            "inbound",
            lambda c: Q(to_number=s.busiest_number),
            field="number",
            search=s.busiest_number,
        ),
        Search(
            "caller_exact",
            "inbound",
            lambda c: Q(from_number=s.common_caller),
            field="caller",
            search=s.common_caller,
        ),
        Search(
            "caller_contains",
            "inbound",
            lambda c: Q(from_number__contains=contains),
            field="caller",
            search=contains,
            match="contains",
        ),
        Search("partial_yes", "inbound", lambda c: Q(partial=True), partial="yes"),
        Search(
            "status_failed",
            "inbound",
            lambda c: Q(pages=0) | Q(delivery_status__in=["undeliverable", "failed"]),
            status="failed",
        ),
        Search(
            "department_unit",
            "inbound",
            lambda c: subtree(ctx.small_department_path),
            field="department",
            search=ctx.small_department,
        ),
        Search(
            "user",
            "inbound",
            lambda c: person("user", ctx.user_username),
            field="user",
            search=ctx.user_username,
        ),
    ]


def _base(ctx: Context, list_name: str, scope: Any) -> Any:
    from faxline.faxing.inbound.models import InboundFax
    from faxline.faxing.models import FaxJob

    if list_name == "outbound":
        return FaxJob.objects.filter(
            scope, created_at__gte=ctx.start, created_at__lt=ctx.end
        ).order_by("-created_at", "-id")
    return InboundFax.objects.filter(
        scope, received_at__gte=ctx.start, received_at__lt=ctx.end
    ).order_by("-received_at", "-id")


def _context(seeded: Any) -> Context:
    from faxline.accounts.models import Department, User

    users = {u.pk: u for u in User.objects.filter(company_id=seeded.company_id)}
    top = Department.objects.get(pk=seeded.top_department_id)
    unit = Department.objects.get(pk=seeded.small_department_id)
    # The search covers the last 30 days up to the day of generation (both included).
    end_day = seeded.anchor.date() + timedelta(days=1)
    start_day = end_day - timedelta(days=30)
    tz = seeded.anchor.tzinfo
    receiver = next(u for u in users.values() if u.role == "fax_user")
    return Context(
        seeded=seeded,
        company_id=seeded.company_id,
        start=datetime.combine(start_day, datetime.min.time(), tz),
        end=datetime.combine(end_day, datetime.min.time(), tz),
        sender_username=users[seeded.busiest_sender_id].username,
        rare_sender_username=users[seeded.rare_sender_id].username,
        top_department=top.name,
        small_department=unit.name,
        small_department_path=unit.path,
        top_department_path=top.path,
        user_username=receiver.username,
    )


def _explain(qs: Any, vendor: str) -> str:
    if vendor == "postgresql":
        return str(qs.explain(analyze=True, buffers=True))
    return str(qs.explain())


def _emit(line: dict[str, Any], sink: list[dict[str, Any]]) -> None:
    sink.append(line)
    print(json.dumps(line), flush=True)


def run(
    *, explain: bool = False, seeded: Any = None, vendor: str = "", runs: int = RUNS
) -> list[dict[str, Any]]:
    """Time every search (see the module's docstring); returns the JSON lines."""
    from django.db.models import Q
    from django.test import Client

    from faxline.accounts.access import Actor
    from faxline.accounts.models import User
    from faxline.accounts.services.api_keys import api_key_create

    ctx = _context(seeded)
    admin = User.objects.get(pk=seeded.admin_id)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {_api_key(admin, Actor, api_key_create)}")
    portal = Client()
    portal.force_login(admin)
    company = Q(company_id=ctx.company_id)
    lines: list[dict[str, Any]] = []
    plans: list[str] = []
    start_day = ctx.start.date()
    last_day = ctx.end.date() - timedelta(days=1)
    for search in _searches(ctx):
        qs = _base(ctx, search.list, company & search.orm(ctx))[:PAGE_ROWS]
        p50, p95, rows = _time(lambda qs=qs: list(qs.all()), runs)
        raw = {"p50": p50, "p95": p95}
        base = {"database": vendor, "list": search.list, "search": search.name}
        _emit(
            {
                **base,
                "via": "orm",
                "p50_ms": p50,
                "p95_ms": p95,
                "rows": len(rows),
                "target_ms": TARGET_MS,
                "ok": p95 <= TARGET_MS,
            },
            lines,
        )
        if explain:
            plans.append(
                f"### {search.list} / {search.name}\n\n```sql\n{qs.query}\n```\n\n"
                f"```\n{_explain(qs, vendor)}\n```\n"
            )
        if search.name in ORM_ONLY:
            continue  # variants of the ORM query only (how else a filter could be written)
        for via, client in (("api", api), ("portal", portal)):
            url = URLS[(search.list, via)]
            pairs = search.query(via, start_day, last_day)
            response = client.get(url, pairs)
            if response.status_code == 404:  # a list URL that is not there (yet)
                _emit({**base, "via": via, "missing": True, "url": url}, lines)
                continue
            if response.status_code != 200:
                _emit(
                    {
                        **base,
                        "via": via,
                        "status": response.status_code,
                        "body": response.content[:300].decode(errors="replace"),
                    },
                    lines,
                )
                continue
            p50, p95, response = _time(lambda c=client, u=url, q=pairs: c.get(u, q), runs)
            _emit(
                {
                    **base,
                    "via": via,
                    "p50_ms": p50,
                    "p95_ms": p95,
                    "bytes": len(response.content),
                    "raw_p50_ms": raw["p50"],
                    "ratio_p50": round(p50 / max(raw["p50"], 0.01), 2),
                    "ratio_p95": round(p95 / max(raw["p95"], 0.01), 2),
                    "target_ms": TARGET_MS,
                    "ok": p95 <= TARGET_MS,
                },
                lines,
            )
    lines += _counts(ctx, vendor, runs)
    lines += _department_admin(ctx, vendor, seeded, plans if explain else None, runs)
    if explain:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"activity-plans-{vendor}.md").write_text(
            f"# Activity query plans ({vendor}, {seeded.counts.get('jobs')} jobs)\n\n"
            + "\n".join(plans)
        )
    return lines


def _api_key(user: Any, actor_class: Any, create: Any) -> str:
    return str(create(actor=actor_class(user=user), name="bench").secret)


def _counts(ctx: Context, vendor: str, runs: int) -> list[dict[str, Any]]:
    """What a page's "N results" costs: COUNT(*) of the default search, unbounded and
    capped (a COUNT over ``LIMIT cap + 1`` rows); 6 months unbounded as the worst case."""
    from django.db.models import Q

    lines: list[dict[str, Any]] = []
    company = Q(company_id=ctx.company_id)
    for list_name in ("outbound", "inbound"):
        qs = _base(ctx, list_name, company)
        everything = qs.model.objects.filter(company)
        for name, counter in (
            ("count_30_days", lambda qs=qs: qs.count()),
            ("count_30_days_capped", lambda qs=qs: qs[: COUNT_CAP + 1].count()),
            ("count_6_months", lambda e=everything: e.count()),
            ("count_6_months_capped", lambda e=everything: e[: COUNT_CAP + 1].count()),
        ):
            p50, p95, n = _time(counter, runs=max(1, runs // 4))
            _emit(
                {
                    "database": vendor,
                    "list": list_name,
                    "search": name,
                    "via": "count",
                    "p50_ms": p50,
                    "p95_ms": p95,
                    "count": n,
                },
                lines,
            )
    return lines


def _department_admin(
    ctx: Context, vendor: str, seeded: Any, plans: list[str] | None, runs: int
) -> list[dict[str, Any]]:
    """A department administrator's scope two ways: ``department_id IN (subquery on the
    path)`` and faxing's ``jobs_visible`` (a join on the department's path)."""
    from django.db.models import Q

    from faxline.accounts.access import Actor
    from faxline.accounts.models import Department, User
    from faxline.faxing.jobs.selectors import jobs_visible

    lines: list[dict[str, Any]] = []
    admin = User.objects.select_related("department").get(pk=seeded.dept_admin_id)
    path = admin.department.path if admin.department else "/"
    subquery = Q(company_id=ctx.company_id) & Q(
        department_id__in=Department.objects.filter(path__startswith=path).values("pk")
    )
    variants = {
        "dept_admin_subquery": _base(ctx, "outbound", subquery)[:PAGE_ROWS],
        "dept_admin_jobs_visible": jobs_visible(Actor(user=admin))
        .filter(created_at__gte=ctx.start, created_at__lt=ctx.end)
        .order_by("-created_at", "-id")[:PAGE_ROWS],
    }
    for name, qs in variants.items():
        p50, p95, rows = _time(lambda qs=qs: list(qs.all()), runs)
        _emit(
            {
                "database": vendor,
                "list": "outbound",
                "search": name,
                "via": "orm",
                "p50_ms": p50,
                "p95_ms": p95,
                "rows": len(rows),
                "target_ms": TARGET_MS,
                "ok": p95 <= TARGET_MS,
            },
            lines,
        )
        if plans is not None:
            plans.append(
                f"### outbound / {name}\n\n```sql\n{qs.query}\n```\n\n"
                f"```\n{_explain(qs, vendor)}\n```\n"
            )
    return lines


def main() -> None:  # pragma: no cover - the command line
    from bench.activity_db import setup_database
    from bench.activity_seed import FULL, ActivityScale, ensure_seeded

    vendor = setup_database()
    scale = ActivityScale(outbound=20_000, inbound=6_000) if "--small" in sys.argv else FULL
    seeded = ensure_seeded(scale, log=lambda text: print(text, file=sys.stderr, flush=True))
    lines = run(explain="--explain" in sys.argv, seeded=seeded, vendor=vendor)
    RESULTS.mkdir(exist_ok=True)
    suffix = "-small" if "--small" in sys.argv else ""
    with (RESULTS / f"activity-{vendor}{suffix}.jsonl").open("w") as out:
        for line in lines:
            out.write(json.dumps(line) + "\n")


if __name__ == "__main__":  # pragma: no cover
    main()
