"""Benchmark of Account Administration at provider scale; prints one JSON line.

    PYTHONPATH=src python bench/tree.py [--scale 1.0] [--runs 30]

Seeds ``bench/seed.py``'s data set (50 companies, 352 departments, 11,000 users, 6,000
numbers, 2,000 port requests at scale 1) in a database of its own, then times, through
Django's test client, as the big company's administrator (and as an operator):

- ``page``: the tree page (``/settings/accounts/``), and ``operator_page`` with ``?company=``;
- ``opened_page``: the page opened at the deepest department (what an action there leads to);
- ``child_fetch``: expanding the Call Center (its first page of children);
- ``users_page``: the Call Center's next page of people ("Show more");
- ``search``: a search by name;
- ``full_render``: the whole company in one page, every department expanded, which is what
  the page did before it loaded a level at a time (the same code with the "small company"
  threshold lifted; fewer runs, it is slow).

For each: p50 and p95 in milliseconds (wall clock; ``cpu_p95_ms`` is the process's CPU time,
which a busy machine inflates less), the size of the answer in kB and its number of queries,
against the target of 200 ms and 200 kB. SQLite always (a file database with the production
settings: WAL); PostgreSQL too when ``DATABASE_URL`` is set (in a database named by
``FAXLINE_BENCH_DATABASE``, default ``bench_tree``, created and dropped here). Each backend
runs in a child process of its own.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 200
TARGET_KB = 200


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _measure(client: Any, url: str, runs: int, warm: int = 2) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warm):  # warm the caches (templates, the session)
        client.get(url)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    p95 = _percentile(wall, 0.95)
    kb = len(response.content) / 1024
    return {
        "p50_ms": round(_percentile(wall, 0.5), 1),
        "p95_ms": round(p95, 1),
        "cpu_p95_ms": round(_percentile(cpu, 0.95), 1),
        "kb": round(kb, 1),
        "queries": len(queries),
        "runs": runs,
        "within_target": p95 <= TARGET_MS and kb <= TARGET_KB,
    }


def run_backend(scale: float, runs: int) -> dict[str, Any]:
    """Seed and time in this process, on the database the environment names."""
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    home = tempfile.mkdtemp(prefix="faxline-bench-tree-")
    os.environ["FAXLINE_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from bench.seed import seed_provider
    from faxline.accounts.views import tree as tree_views

    test = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test["NAME"] = str(Path(home) / "bench.sqlite3")
    else:
        test["NAME"] = os.environ.get("FAXLINE_BENCH_DATABASE", "bench_tree")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        seeded = seed_provider(scale)
        seed_s = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        admin, operator = Client(), Client()
        admin.force_login(seeded["company_admin"])
        operator.force_login(seeded["operator"])
        company, call_center = seeded["company"], seeded["call_center"]
        tree = reverse("accounts:tree")
        children = f"{reverse('accounts:tree_children')}?company={company.pk}"
        at_call_center = f"{children}&department={call_center.pk}"
        results = {
            "page": _measure(admin, tree, runs),
            "operator_page": _measure(operator, f"{tree}?company={company.pk}", runs),
            "opened_page": _measure(admin, f"{tree}?open={seeded['deepest'].pk}", runs),
            "child_fetch": _measure(admin, at_call_center, runs),
            "users_page": _measure(admin, f"{at_call_center}&d=1000&p=40", runs),
            "search": _measure(
                admin, f"{reverse('accounts:tree_search')}?company={company.pk}&q=adams", runs
            ),
        }
        lifted = tree_views.EXPAND_ALL_UP_TO
        tree_views.EXPAND_ALL_UP_TO = 10**9
        try:
            results["full_render"] = _measure(admin, tree, max(1, min(2, runs)), warm=0)
        finally:
            tree_views.EXPAND_ALL_UP_TO = lifted
        return {
            "vendor": connection.vendor,
            "seed_s": round(seed_s, 1),
            "counts": seeded["counts"],
            "results": results,
        }
    finally:
        connection.creation.destroy_test_db(test["NAME"], verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.backend:  # a child: one backend, its JSON on the last line
        print(json.dumps(run_backend(args.scale, args.runs)))
        return

    backends = {"sqlite": {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}}
    if os.environ.get("DATABASE_URL"):
        backends["postgresql"] = dict(os.environ)
    line: dict[str, Any] = {
        "bench": "tree",
        "scale": args.scale,
        "target_ms": TARGET_MS,
        "target_kb": TARGET_KB,
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }
    for name, env in backends.items():
        child = subprocess.run(  # noqa: S603 - this script, with our own arguments
            [
                sys.executable,
                __file__,
                "--backend",
                name,
                "--scale",
                str(args.scale),
                "--runs",
                str(args.runs),
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            line[name] = {"error": child.stderr.strip().splitlines()[-1:]}
            continue
        line[name] = json.loads(child.stdout.strip().splitlines()[-1])
    print(json.dumps(line))
    failed = [n for n in backends if "error" in line[n]]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
