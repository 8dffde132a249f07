"""The Dashboard's figures: pages per interval in each direction, and the Top Destinations.

Days and months are read from the per-day tallies (``DailyTraffic``, ``DailyDestination``),
summed by the database: one row per day and direction whatever the number of faxes. Hours
are finer than the tallies, so the Hour interval (ranges of a week at most) sums the faxes
themselves, by hour, within the range and the scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q, Sum
from django.db.models.functions import Substr, TruncHour

from faxline.activity.dashboard.scope import TrafficFilter, TrafficScope
from faxline.faxing.inbound.models import InboundFax
from faxline.faxing.models import FaxJob
from faxline.faxing.tally.models import DailyDestination, DailyTraffic, Direction
from faxline.faxing.tally.top import area_totals
from faxline.numbers.plan import area_codes

TOP_DESTINATIONS = 10
OTHER = "Other"


@dataclass(frozen=True)
class Bucket:
    """One interval of the chart: when it starts and the pages each way."""

    start: datetime
    outbound: int
    inbound: int


@dataclass(frozen=True)
class Locale:
    """A US state or Canadian province the company sends to (``code`` "Other" for
    international and unknown destinations), with the faxes sent there."""

    code: str
    name: str
    country: str
    faxes: int


def _tally_q(scope: TrafficScope) -> Q:
    q = Q(company=scope.company)
    if scope.user_id is not None:
        q &= Q(user_key=scope.user_id)
    if scope.department_ids is not None:
        q &= Q(department_key__in=scope.department_ids)
    return q


def _row_q(scope: TrafficScope, user_field: str) -> Q:
    q = Q(company=scope.company)
    if scope.user_id is not None:
        q &= Q(**{f"{user_field}_id": scope.user_id})
    if scope.department_ids is not None:
        q &= Q(department_id__in=scope.department_ids)
    return q


def bucket_starts(filter: TrafficFilter) -> list[datetime]:
    """The start of every interval of the range (UTC)."""
    first = datetime.combine(filter.start, time.min, tzinfo=UTC)
    after = datetime.combine(filter.end + timedelta(days=1), time.min, tzinfo=UTC)
    starts = []
    if filter.interval == "hour":
        moment = first
        while moment < after:
            starts.append(moment)
            moment += timedelta(hours=1)
    elif filter.interval == "day":
        starts = [first + timedelta(days=n) for n in range(filter.days)]
    else:
        month = first.replace(day=1)
        while month < after:
            starts.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
    return starts


def _bucket_of(day: date, interval: str) -> datetime:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start.replace(day=1) if interval == "month" else start


def _pages_by_hour(
    model: type[FaxJob] | type[InboundFax],
    scope: TrafficScope,
    filter: TrafficFilter,
    user_field: str,
    moment: str,
) -> Iterable[tuple[datetime, int | None]]:
    """(hour, pages) of the faxes of ``model`` in the scope whose ``moment`` is in the
    range, summed by the database."""
    first = datetime.combine(filter.start, time.min, tzinfo=UTC)
    after = datetime.combine(filter.end + timedelta(days=1), time.min, tzinfo=UTC)
    return (
        model.objects.filter(
            _row_q(scope, user_field), **{f"{moment}__gte": first, f"{moment}__lt": after}
        )
        .annotate(hour=TruncHour(moment, tzinfo=UTC))
        .values("hour")
        .annotate(total=Sum("pages"))
        .values_list("hour", "total")
    )


def traffic_series(*, scope: TrafficScope, filter: TrafficFilter) -> list[Bucket]:
    """Pages sent and received in each interval of the range, for the scope."""
    pages: dict[tuple[datetime, str], int] = defaultdict(int)
    if filter.interval == "hour":
        for model, user_field, moment, direction in (
            (FaxJob, "sender", "created_at", Direction.OUTBOUND),
            (InboundFax, "user", "received_at", Direction.INBOUND),
        ):
            for hour, total in _pages_by_hour(model, scope, filter, user_field, moment):
                pages[(hour.astimezone(UTC), direction.value)] += int(total or 0)
    else:
        days = (
            DailyTraffic.objects.filter(_tally_q(scope), day__gte=filter.start, day__lte=filter.end)
            .values("day", "direction")
            .annotate(total=Sum("pages"))
            .values_list("day", "direction", "total")
        )
        for day, way, total in days:
            pages[(_bucket_of(day, filter.interval), way)] += int(total or 0)
    return [
        Bucket(
            start,
            outbound=pages[(start, Direction.OUTBOUND.value)],
            inbound=pages[(start, Direction.INBOUND.value)],
        )
        for start in bucket_starts(filter)
    ]


def _locale_of(prefix: str) -> tuple[str, str, str]:
    """``+1206`` → ("WA", "Washington", "US"); anything else "Other"."""
    plan = area_codes()
    if prefix.startswith("+1") and len(prefix) == 5:
        found = plan.get(prefix[2:])
        if found is not None:
            return found.state_code, found.state_name, found.country
    return OTHER, OTHER, ""


def top_destinations(locales: list[Locale]) -> tuple[list[Locale], Locale | None]:
    """The Top Destinations of ``destination_locales``: the first ten states and provinces,
    and "Other" (None when nothing went abroad or to an unknown number)."""
    placed = [item for item in locales if item.code != OTHER]
    other = next((item for item in locales if item.code == OTHER), None)
    return placed[:TOP_DESTINATIONS], other


def destination_locales(*, scope: TrafficScope, filter: TrafficFilter) -> list[Locale]:
    """Faxes sent to each US state and Canadian province over the range (most first), and
    "Other" (international, toll-free and unknown numbers) last when there are any. The
    database sums by country code and area code (at most a row per area code): a whole
    company's from its per-area tallies, a subtree's or a person's from their
    destinations."""
    rows: Iterable[tuple[str, int]]
    if scope.user_id is None and scope.department_ids is None:
        # A whole company: its per-area tallies (a row per area and day).
        rows = area_totals(company_id=scope.company.pk, start=filter.start, end=filter.end)
    else:
        rows = (
            DailyDestination.objects.filter(
                _tally_q(scope), day__gte=filter.start, day__lte=filter.end
            )
            .annotate(prefix=Substr("remote", 1, 5))
            .values("prefix")
            .annotate(total=Sum("faxes"))
            .values_list("prefix", "total")
        )
    counts: dict[str, int] = defaultdict(int)
    names: dict[str, tuple[str, str]] = {}
    for prefix, total in rows:
        code, name, country = _locale_of(prefix or "")
        counts[code] += int(total or 0)
        names[code] = (name, country)
    locales = [
        Locale(code, names[code][0], names[code][1], faxes)
        for code, faxes in counts.items()
        if faxes > 0 and code != OTHER
    ]
    locales.sort(key=lambda item: (-item.faxes, item.name))
    if counts.get(OTHER, 0) > 0:
        locales.append(Locale(OTHER, OTHER, "", counts[OTHER]))
    return locales
