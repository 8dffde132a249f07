"""The exact top destinations of a whole company, from candidates of the monthly tallies,
equal a sort of every destination of the window."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.db.models import Sum

from faxline.faxing.models import DailyDestination, DailyRemote, MonthlyRemote
from faxline.faxing.tally import top
from faxline.faxing.tally.top import area_totals, top_remotes

from cast import Cast

pytestmark = pytest.mark.django_db


def seed(company_id: int, rnd: random.Random) -> None:
    """Tallies as the upkeep leaves them: per sender, per destination, per month."""
    for _ in range(400):
        day = date(2026, rnd.randint(8, 11), rnd.randint(1, 28))
        remote = f"+1617555{rnd.randint(0, 60):04d}"
        faxes, busy = rnd.randint(1, 4), rnd.randint(0, 2)
        user = rnd.randint(1, 3)
        for model, key in (
            (DailyDestination, {"day": day, "user_key": user, "number": "+12125557001"}),
            (DailyRemote, {"day": day}),
            (MonthlyRemote, {"month": day.replace(day=1)}),
        ):
            row, _ = model.objects.get_or_create(company_id=company_id, remote=remote, **key)
            row.faxes += faxes
            row.busy += busy
            row.save()


def naive(company_id: int, start: date, end: date, by: str, limit: int) -> list[tuple[str, int]]:
    rows = (
        DailyDestination.objects.filter(company_id=company_id, day__gte=start, day__lte=end)
        .values("remote")
        .annotate(n=Sum(by))
        .filter(n__gt=0)
        .order_by("-n", "remote")
    )
    return [(r["remote"], r["n"]) for r in rows[:limit]]


@pytest.mark.parametrize("first", [2, 200])
def test_top_remotes_equal_a_sort_of_every_destination(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, first: int
) -> None:
    monkeypatch.setattr(top, "FIRST_CANDIDATES", first)
    seed(cast.company.pk, random.Random(5))
    for start, end in (
        (date(2026, 8, 20), date(2026, 10, 10)),
        (date(2026, 9, 3), date(2026, 9, 4)),
    ):
        for by in ("faxes", "busy"):
            for limit in (1, 5, 50):
                found = top_remotes(
                    company_id=cast.company.pk, start=start, end=end, by=by, limit=limit
                )
                assert [(r["remote"], r[by]) for r in found] == naive(
                    cast.company.pk, start, end, by, limit
                ), (start, end, by, limit)


def test_another_company_counts_nothing(cast: Cast) -> None:
    seed(cast.outsider_company.pk, random.Random(1))
    assert (
        top_remotes(company_id=cast.company.pk, start=date(2026, 8, 1), end=date(2026, 12, 1)) == []
    )
    assert (
        area_totals(company_id=cast.company.pk, start=date(2026, 8, 1), end=date(2026, 12, 1)) == []
    )
