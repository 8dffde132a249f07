"""Two processes racing for one number: exactly one wins (PostgreSQL, real row locks)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from faxline.numbers import selectors
from faxline.numbers.models import FaxNumber

from cast import Cast

WORKER = Path(__file__).with_name("race_worker.py")


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pool_number", [False, True], ids=["sandbox", "pool"])
def test_two_processes_one_winner(cast: Cast, pool_number: bool) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the two-process race runs against PostgreSQL")
    (number,) = selectors.available_numbers(
        actor=cast.actor(cast.company_admin), country="US", area="206", count=1
    )
    if pool_number:
        FaxNumber.objects.create(
            number=number, country="US", area_code="206", source="stock", status="available"
        )
    env = {**os.environ, "DATABASE_URL": _database_url()}
    start_at = str(time.time() + 2.0)
    contenders = [
        (cast.company_admin.pk, cast.company.pk),
        (cast.outsider_admin.pk, cast.outsider_company.pk),
    ]
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), start_at, str(admin), str(company), number],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for admin, company in contenders
    ]
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        outcomes.append(out.strip())
    assert sorted(outcomes) == ["lost:number_unavailable", "won"]
    owner = FaxNumber.objects.get(number=number)
    winner = contenders[outcomes.index("won")][1]
    assert owner.company_id == winner
