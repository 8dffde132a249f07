"""The activity benchmarks' database: SQLite under ``var/bench/activity/`` (kept between
runs, so the million jobs are generated once), or the PostgreSQL database ``DATABASE_URL``
names (``postgres://postgres@127.0.0.1:5432/bench_activity``; create it first with
``psql -h 127.0.0.1 -U postgres -c 'create database bench_activity'``). Migrated on each
start (nothing to do when it is up to date)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_HOME = Path(os.environ.get("BENCH_ACTIVITY_HOME") or ROOT / "var" / "bench" / "activity")


def setup_database() -> str:
    """Set Django up on the benchmark database and migrate it; returns the vendor."""
    if not os.environ.get("DATABASE_URL"):
        SQLITE_HOME.mkdir(parents=True, exist_ok=True)
        os.environ["FAXLINE_HOME"] = str(SQLITE_HOME)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")
    os.environ.setdefault("FAXLINE_SECRET_KEY", "bench-" + "x" * 60)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    return connection.vendor
