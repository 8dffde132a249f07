"""A whole company's top destinations over a window of days, exact, without reading every
destination of the window.

At a provider's scale a company faxes tens of thousands of numbers: summing a row per
destination and day over 90 days reads hundreds of thousands of rows. The monthly tallies
(:class:`~faxline.faxing.tally.models.MonthlyRemote`) are few, and a destination's count in
the months that overlap the window is at least its count in the window. So:

1. the ``k`` destinations with the highest monthly counts are the candidates;
2. their exact counts in the window are read from the daily tallies
   (:class:`~faxline.faxing.tally.models.DailyRemote`, by destination: an index seek each);
3. if the last candidate's monthly count is below the ``limit``-th exact count, no other
   destination can enter the top list (its window count is at most its monthly count, at
   most the last candidate's); otherwise ``k`` grows and it starts again.

The result is the same as sorting every destination of the window (a test checks it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Sum

from faxline.faxing.tally.models import DailyArea, DailyRemote, MonthlyRemote

COUNTS = ("faxes", "success", "failed", "pages", "busy")
FIRST_CANDIDATES = 200


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month.replace(day=28) + (date(2000, 1, 5) - date(2000, 1, 1)) * 7).replace(day=1)
    return months


def _exact(company_id: int, start: date, end: date, remotes: list[str]) -> list[dict[str, Any]]:
    rows = (
        DailyRemote.objects.filter(
            company_id=company_id, remote__in=remotes, day__gte=start, day__lte=end
        )
        .values("remote")
        .annotate(**{name: Sum(name) for name in COUNTS})
        .order_by()
    )
    found: list[dict[str, Any]] = []
    for row in rows:
        values: dict[str, Any] = dict(row)
        found.append({"remote": values["remote"], **{n: int(values[n] or 0) for n in COUNTS}})
    return found


def top_remotes(
    *, company_id: int, start: date, end: date, by: str = "faxes", limit: int = 50
) -> list[dict[str, Any]]:
    """The ``limit`` destinations with the most ``by`` (faxes or busy calls) from ``start``
    to ``end`` (days, both included), most first, ties by number; those with none are left
    out. Each row has the destination (``remote``) and its :data:`COUNTS`."""
    if by not in COUNTS:
        raise ValueError(f"cannot rank destinations by {by!r}")
    bounds = (
        MonthlyRemote.objects.filter(company_id=company_id, month__in=_months(start, end))
        .values("remote")
        .annotate(bound=Sum(by))
        .filter(bound__gt=0)
        .order_by("-bound", "remote")
    )
    k = max(FIRST_CANDIDATES, 4 * limit)
    while True:
        candidates = list(bounds.values_list("remote", "bound")[:k])
        exact = [
            row for row in _exact(company_id, start, end, [r for r, _ in candidates]) if row[by]
        ]
        exact.sort(key=lambda row: (-row[by], row["remote"]))
        top = exact[:limit]
        if len(candidates) < k:  # every destination with a count was a candidate
            return top
        if len(top) == limit and candidates[-1][1] < top[-1][by]:
            return top
        k *= 4


def area_totals(*, company_id: int, start: date, end: date) -> list[tuple[str, int]]:
    """Outbound jobs by destination area ("+1206") from ``start`` to ``end``, most first."""
    rows = (
        DailyArea.objects.filter(company_id=company_id, day__gte=start, day__lte=end)
        .values("area")
        .annotate(total=Sum("faxes"))
        .order_by("-total", "area")
        .values_list("area", "total")
    )
    return [(area, int(total or 0)) for area, total in rows if total]
