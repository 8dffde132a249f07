"""The reports, each declared once: what the portal page, the CSV export and the API serve.

A :class:`Report` names its direction and slug (``outbound`` / ``usage-summary``), its
title and the guide's description, the filters it takes, its columns, the function that
computes its rows and totals from the traffic tallies of a :class:`~.scope.ReportScope`, and
its chart. The functions read only the tallies (``faxline.faxing.tally.models``), so a
report over 90 days reads at most a row per key and day, never the faxes themselves: one
aggregate query for a per-day report, two for a top list (the list and its totals).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from django.db.models import QuerySet, Sum

from faxline.activity.reports.scope import ReportScope
from faxline.faxing.tally.models import DailyDestination, DailyError, DailyTraffic, Direction
from faxline.faxing.tally.services import NO_FAX_DATA, POTENTIAL_PARTIAL
from faxline.faxing.tally.top import top_remotes

OUTBOUND = "outbound"
INBOUND = "inbound"
DIRECTIONS = {OUTBOUND: "Outbound", INBOUND: "Inbound"}
FILTERS = ("department", "user", "number")
TOP = 50

# Colours of the charts (the Dashboard's: outbound green, inbound orange).
GREEN = "#1a7f37"
ORANGE = "#d9480f"
RED = "#c92a2a"
BLUE = "#1c7ed6"
GREY = "#868e96"

Row = dict[str, Any]
Kind = Literal["day", "int", "seconds", "decimal", "percent", "text", "number"]


@dataclass(frozen=True)
class Column:
    """A column of a report's table, CSV and API rows: ``key`` in the API's rows,
    ``label`` the table's and CSV's header; ``kind`` says how the portal shows the value
    (``seconds`` as "1 min 05 s", ``percent`` with a % sign...)."""

    key: str
    label: str
    kind: Kind = "int"

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "seconds", "decimal", "percent")


@dataclass(frozen=True)
class Line:
    """A series of a line chart: the column it plots, its name and colour."""

    column: str
    label: str
    colour: str


@dataclass(frozen=True)
class Chart:
    """A report's chart: ``line`` over the 90 days (``lines``; a day without a row is 0,
    or a gap when ``gaps``, for averages) or ``bar`` (one bar per row: ``label`` column,
    ``value`` column, ``colour``)."""

    kind: Literal["line", "bar"]
    title: str
    unit: str
    lines: tuple[Line, ...] = ()
    gaps: bool = False
    label: str = ""
    value: str = ""
    colour: str = GREEN


@dataclass(frozen=True)
class ReportData:
    """What a report computed: its rows (as its columns' keys) and its totals (a row too;
    its first column is "Total" in the table and the CSV)."""

    rows: list[Row]
    totals: Row


@dataclass(frozen=True)
class Report:
    """One report, declared once (see the module's docstring)."""

    direction: str
    slug: str
    title: str
    description: str
    columns: tuple[Column, ...]
    compute: Callable[[ReportScope], ReportData]
    chart: Chart
    filters: tuple[str, ...] = FILTERS
    note: str = ""

    @property
    def direction_label(self) -> str:
        return DIRECTIONS[self.direction]

    @property
    def name(self) -> str:
        """``Outbound · Usage Summary``."""
        return f"{self.direction_label} · {self.title}"


# --- computing from the tallies -------------------------------------------------------------


def _traffic(scope: ReportScope, direction: str) -> QuerySet[DailyTraffic]:
    return scope.rows(DailyTraffic).filter(direction=direction)


def _errors(scope: ReportScope, direction: str) -> QuerySet[DailyError]:
    return scope.rows(DailyError).filter(direction=direction)


def _ratio(part: float, whole: float, digits: int) -> float | None:
    return round(part / whole, digits) if whole else None


def _percent(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _average_wait(direction: str, prefix: str) -> Callable[[ReportScope], ReportData]:
    """Per day: the faxes timed and their average time (``<prefix>_count`` /
    ``<prefix>_seconds`` of the tallies); the total is the average over every fax."""
    count, seconds = f"{prefix}_count", f"{prefix}_seconds"

    def compute(scope: ReportScope) -> ReportData:
        days = (
            _traffic(scope, direction)
            .filter(**{f"{count}__gt": 0})
            .values("day")
            .annotate(n=Sum(count), s=Sum(seconds))
            .order_by("day")
        )
        rows, n_all, s_all = [], 0, 0.0
        for day in days:
            n, s = int(day["n"] or 0), float(day["s"] or 0.0)
            if n <= 0:
                continue
            n_all, s_all = n_all + n, s_all + s
            rows.append({"day": day["day"], "faxes": n, "average_seconds": round(s / n, 1)})
        return ReportData(rows, {"faxes": n_all, "average_seconds": _ratio(s_all, n_all, 1)})

    return compute


COUNTS = ("faxes", "success", "failed", "pages")


def _usage(direction: str) -> Callable[[ReportScope], ReportData]:
    """Per day: faxes, successful, failed, pages, average pages per fax; and the total."""

    def compute(scope: ReportScope) -> ReportData:
        days = (
            _traffic(scope, direction)
            .values("day")
            .annotate(
                faxes=Sum("faxes"), success=Sum("success"), failed=Sum("failed"), pages=Sum("pages")
            )
            .filter(faxes__gt=0)
            .order_by("day")
        )
        rows: list[Row] = []
        totals: Row = dict.fromkeys(COUNTS, 0)
        for day in days:
            sums: Row = dict(day)
            row: Row = {name: int(sums[name] or 0) for name in COUNTS}
            for name in COUNTS:
                totals[name] += row[name]
            row["average_pages"] = _ratio(row["pages"], row["faxes"], 2)
            rows.append({"day": day["day"], **row})
        totals["average_pages"] = _ratio(totals["pages"], totals["faxes"], 2)
        return ReportData(rows, totals)

    return compute


def _top(
    queryset: Callable[[ReportScope], QuerySet[Any]],
    key: str,
    by: str,
    sums: tuple[str, ...],
    extra: Callable[[Row], Row] = lambda row: {},
) -> Callable[[ReportScope], ReportData]:
    """The top ``TOP`` values of ``key`` by ``by`` (ties by ``key``), with the ``sums``
    of each; the totals are over every value, not only the top ones."""

    def compute(scope: ReportScope) -> ReportData:
        qs = queryset(scope)
        annotations = {name: Sum(name) for name in sums}
        top = (
            qs.values(key)
            .annotate(**annotations)
            .filter(**{f"{by}__gt": 0})
            .order_by(f"-{by}", key)[:TOP]
        )
        rows = []
        for item in top:
            row: Row = {key: item[key], **{name: int(item[name] or 0) for name in sums}}
            rows.append({**row, **extra(row)})
        whole = qs.aggregate(**annotations)
        totals: Row = {name: int(whole[name] or 0) for name in sums}
        return ReportData(rows, {**totals, **extra(totals)})

    return compute


def _destinations(
    by: str, sums: tuple[str, ...], extra: Callable[[Row], Row] = lambda row: {}
) -> Callable[[ReportScope], ReportData]:
    """A top list of destinations. A whole company's (no filter, no subtree) is found
    among candidates of the company-wide tallies (``faxing.tally.top``: a few thousand rows
    read instead of every sender's destinations), its totals from the traffic tallies;
    a narrowed one reads the per-sender destinations it narrows to."""
    narrowed = _top(lambda s: s.rows(DailyDestination), "remote", by, sums, extra)

    def compute(scope: ReportScope) -> ReportData:
        if scope.department or scope.within or scope.user or scope.number:
            return narrowed(scope)
        found = top_remotes(
            company_id=scope.company.pk, start=scope.start, end=scope.end, by=by, limit=TOP
        )
        rows = []
        for item in found:
            row: Row = {"remote": item["remote"], **{name: item[name] for name in sums}}
            rows.append({**row, **extra(row)})
        whole = (
            scope.rows(DailyTraffic)
            .filter(direction=Direction.OUTBOUND)
            .aggregate(**{name: Sum(name) for name in sums})
        )
        totals: Row = {name: int(whole[name] or 0) for name in sums}
        return ReportData(rows, {**totals, **extra(totals)})

    return compute


_busy_destinations = _destinations("busy", ("busy", "faxes"))


def _outbound_failures(scope: ReportScope) -> ReportData:
    data = _top(lambda s: _errors(s, Direction.OUTBOUND), "error", "faxes", ("faxes",))(scope)
    total = data.totals["faxes"]
    rows = [{**row, "share": _percent(row["faxes"], total)} for row in data.rows]
    return ReportData(rows, {**data.totals, "share": 100.0 if total else None})


def _partials(scope: ReportScope) -> ReportData:
    days = (
        _traffic(scope, Direction.INBOUND)
        .values("day")
        .annotate(faxes=Sum("faxes"), partial=Sum("partial"))
        .filter(faxes__gt=0)
        .order_by("day")
    )
    rows, faxes, partial = [], 0, 0
    for day in days:
        f, p = int(day["faxes"] or 0), int(day["partial"] or 0)
        faxes, partial = faxes + f, partial + p
        rows.append({"day": day["day"], "faxes": f, "partial": p, "partial_rate": _percent(p, f)})
    return ReportData(
        rows, {"faxes": faxes, "partial": partial, "partial_rate": _percent(partial, faxes)}
    )


INBOUND_ERRORS = {NO_FAX_DATA: "no_fax_data", POTENTIAL_PARTIAL: "potential_partial"}


def _transmission_failures(scope: ReportScope) -> ReportData:
    counted = (
        _errors(scope, Direction.INBOUND)
        .filter(error__in=list(INBOUND_ERRORS))
        .values("day", "error")
        .annotate(n=Sum("faxes"))
        .order_by("day", "error")
    )
    by_day: dict[date, Row] = defaultdict(lambda: dict.fromkeys(INBOUND_ERRORS.values(), 0))
    for item in counted:
        if item["n"]:
            by_day[item["day"]][INBOUND_ERRORS[item["error"]]] += int(item["n"])
    rows: list[Row] = []
    totals: Row = dict.fromkeys(INBOUND_ERRORS.values(), 0)
    for day in sorted(by_day):
        counts = by_day[day]
        if not any(counts.values()):
            continue
        for name, n in counts.items():
            totals[name] += n
        rows.append({"day": day, **counts, "failures": sum(counts.values())})
    totals["failures"] = sum(totals.values())
    return ReportData(rows, totals)


def _success_rate(row: Row) -> Row:
    return {"success_rate": _percent(row["success"], row["faxes"])}


# --- the catalogue ----------------------------------------------------------------------------

DAY = Column("day", "Day", "day")
TIMED = Column("faxes", "Faxes timed")

_USAGE_COLUMNS = (
    DAY,
    Column("faxes", "Faxes"),
    Column("success", "Successful"),
    Column("failed", "Failed"),
    Column("pages", "Total pages"),
    Column("average_pages", "Average pages per fax", "decimal"),
)


# A highest-volume top list: after its key, the faxes, their outcome, pages and success rate.
_VOLUME_COLUMNS = (
    Column("faxes", "Faxes"),
    Column("success", "Successful"),
    Column("failed", "Failed"),
    Column("pages", "Pages"),
    Column("success_rate", "Success rate", "percent"),
)


def _highest_volume(
    queryset: Callable[[ReportScope], QuerySet[Any]], key: str
) -> Callable[[ReportScope], ReportData]:
    """The ``TOP`` values of ``key`` with the most faxes (:data:`_VOLUME_COLUMNS`)."""
    return _top(queryset, key, "faxes", COUNTS, _success_rate)


def _usage_chart() -> Chart:
    return Chart(
        "line",
        "Faxes per day",
        "faxes",
        lines=(Line("success", "Successful", GREEN), Line("failed", "Failed", RED)),
    )


def _average_wait_report(
    direction: str, slug: str, title: str, description: str, *, measure: str, prefix: str
) -> Report:
    """A report of the average time per day of ``prefix`` (see :func:`_average_wait`):
    its table (the day, the faxes timed, ``measure``) and its line (a gap on a day with
    nothing timed), green outbound, orange inbound."""
    return Report(
        direction,
        slug,
        title,
        description,
        (DAY, TIMED, Column("average_seconds", measure, "seconds")),
        _average_wait(Direction.OUTBOUND if direction == OUTBOUND else Direction.INBOUND, prefix),
        Chart(
            "line",
            f"{measure} per day",
            "seconds",
            lines=(Line("average_seconds", measure, GREEN if direction == OUTBOUND else ORANGE),),
            gaps=True,
        ),
    )


REPORTS: tuple[Report, ...] = (
    _average_wait_report(
        OUTBOUND,
        "average-time-to-first-dial",
        "Average Time-to-First-Dial",
        "The time messages spent processing within faxline, between the time of receipt and "
        "the time faxline made the first fax delivery attempt.",
        measure="Average time to first dial",
        prefix="first_wait",
    ),
    _average_wait_report(
        OUTBOUND,
        "average-total-completion-time",
        "Average Total Completion Time",
        "The total time of processing, retry queuing and fax connection of outbound "
        "messages, from receipt to their end (successful or failed).",
        measure="Average total completion time",
        prefix="completion",
    ),
    Report(
        OUTBOUND,
        "frequent-busy-destinations",
        "Frequent Busy Destinations",
        'A "Top 50" list of recipient fax numbers that produced a busy tone when messages '
        "were sent to them, with the total number of busy attempts for each.",
        (
            Column("remote", "Destination", "number"),
            Column("busy", "Busy attempts"),
            Column("faxes", "Faxes"),
        ),
        _busy_destinations,
        Chart("bar", "Busy attempts by destination", "busy attempts", label="remote", value="busy"),
    ),
    Report(
        OUTBOUND,
        "highest-volume-destinations",
        "Highest Volume Destinations",
        'A "Top 50" list of fax numbers that users and applications in your organization '
        "send faxes to, with the total fax count for each number.",
        (Column("remote", "Destination", "number"), *_VOLUME_COLUMNS),
        _destinations("faxes", COUNTS, _success_rate),
        Chart("bar", "Faxes by destination", "faxes", label="remote", value="faxes"),
    ),
    Report(
        OUTBOUND,
        "outbound-failures",
        "Outbound Failures",
        "Fax delivery errors by error (Busy, No Answer, Voice Answer...), with the total of "
        "each error encountered during the period.",
        (
            Column("error", "Error", "text"),
            Column("faxes", "Failed faxes"),
            Column("share", "Share", "percent"),
        ),
        _outbound_failures,
        Chart(
            "bar", "Failed faxes by error", "failed faxes", label="error", value="faxes", colour=RED
        ),
        note="A failed fax counts once, under the error it finally failed with.",
    ),
    Report(
        OUTBOUND,
        "usage-summary",
        "Usage Summary",
        "An overview of outbound fax traffic: successful and failed faxes, total pages and "
        "the average page count per transmission.",
        _USAGE_COLUMNS,
        _usage(Direction.OUTBOUND),
        _usage_chart(),
        note="Faxes still in progress or cancelled count in Faxes and Total pages.",
    ),
    _average_wait_report(
        INBOUND,
        "average-time-to-first-forward",
        "Average Time-to-First-Forward",
        "The time faxline spent processing a message after receiving it, to prepare it for "
        "delivery to the fax number's destination (email, webhook, archive...).",
        measure="Average time to first forward",
        prefix="first_wait",
    ),
    Report(
        INBOUND,
        "highest-volume-numbers",
        "Highest Volume Numbers",
        'A "Top 50" list of your most active inbound fax numbers, with their successful and '
        "failed transmissions.",
        (Column("number", "Fax number", "number"), *_VOLUME_COLUMNS),
        _highest_volume(lambda s: _traffic(s, Direction.INBOUND), "number"),
        Chart("bar", "Faxes by number", "faxes", label="number", value="faxes", colour=ORANGE),
    ),
    Report(
        INBOUND,
        "potential-partial-faxes",
        "Potential Partial Faxes",
        "Messages that may have been partially received, and the partial rate of all "
        'traffic. They are "potential" partials: a fax may be fully received in pages but '
        "miss the proper termination that confirms its complete receipt.",
        (
            DAY,
            Column("faxes", "Faxes"),
            Column("partial", "Potential partials"),
            Column("partial_rate", "Partial rate", "percent"),
        ),
        _partials,
        Chart(
            "line",
            "Potential partial faxes per day",
            "faxes",
            lines=(Line("faxes", "Faxes", GREY), Line("partial", "Potential partials", ORANGE)),
        ),
    ),
    Report(
        INBOUND,
        "transmission-failures",
        "Transmission Failures",
        "Failed inbound receptions: calls that did not transmit fax data, and messages "
        "deemed potential partials.",
        (
            DAY,
            Column("no_fax_data", NO_FAX_DATA),
            Column("potential_partial", POTENTIAL_PARTIAL),
            Column("failures", "Failures"),
        ),
        _transmission_failures,
        Chart(
            "line",
            "Failed receptions per day",
            "faxes",
            lines=(
                Line("no_fax_data", NO_FAX_DATA, RED),
                Line("potential_partial", POTENTIAL_PARTIAL, ORANGE),
            ),
        ),
    ),
    Report(
        INBOUND,
        "usage-summary",
        "Usage Summary",
        "An overview of inbound traffic: successfully received and failed fax transmissions, "
        "total pages and the average page count per fax message.",
        _USAGE_COLUMNS,
        _usage(Direction.INBOUND),
        _usage_chart(),
        note="Failed: no fax data, or a potential partial.",
    ),
)

_BY_KEY = {(r.direction, r.slug): r for r in REPORTS}


def reports_of(direction: str) -> Iterator[Report]:
    return (r for r in REPORTS if r.direction == direction)


def report_find(direction: str, slug: str) -> Report | None:
    return _BY_KEY.get((direction, slug))


def days_of(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


__all__ = [
    "DIRECTIONS",
    "INBOUND",
    "OUTBOUND",
    "REPORTS",
    "Chart",
    "Column",
    "Line",
    "Report",
    "ReportData",
    "days_of",
    "report_find",
    "reports_of",
]
