"""A computed report as people see it: the table's cells, the CSV file and the chart.

All three are made from the report's one definition (its columns and chart spec), so the
page, the export and the API cannot disagree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.safestring import SafeString

from faxline.activity.reports.catalog import Column, Report, ReportData, days_of
from faxline.activity.reports.scope import ReportScope
from faxline.core.csvfile import csv_lines
from faxline.portal.toolkit.charts import Bar, Series, bar_chart, line_chart

TOTAL = "Total"


def duration(seconds: float) -> str:
    """``42.5 s``, ``3 min 05 s``, ``2 h 10 min``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def shown(column: Column, value: Any) -> str:
    """A value as the table shows it ("—" for none)."""
    if value is None or value == "":
        return "—"
    if column.kind == "day":
        return value.isoformat() if isinstance(value, date) else str(value)
    if column.kind == "seconds":
        return duration(float(value))
    if column.kind == "percent":
        return f"{float(value):.1f} %"
    if column.kind == "decimal":
        return f"{float(value):.2f}"
    if column.kind == "int":
        return f"{int(value):,}"
    return str(value)


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool


def table_rows(report: Report, data: ReportData) -> list[list[Cell]]:
    return [
        [Cell(shown(c, row.get(c.key)), c.numeric) for c in report.columns] for row in data.rows
    ]


def table_totals(report: Report, data: ReportData) -> list[Cell]:
    rest = report.columns[1:]
    return [Cell(TOTAL, False)] + [
        Cell(shown(c, data.totals.get(c.key)) if c.key in data.totals else "", c.numeric)
        for c in rest
    ]


def _csv_header(column: Column) -> str:
    if column.kind == "seconds":
        return f"{column.label} (seconds)"
    if column.kind == "percent":
        return f"{column.label} (%)"
    return column.label


def _csv_value(column: Column, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_file(report: Report, data: ReportData) -> Iterator[str]:
    """The report as CSV lines: the header, a line per row, the totals last; every value
    neutralised against spreadsheet formulas (``core.csvfile``)."""
    rest = report.columns[1:]
    rows: list[list[Any]] = [
        [_csv_value(c, row.get(c.key)) for c in report.columns] for row in data.rows
    ]
    rows.append([TOTAL] + [data.totals.get(c.key) for c in rest])
    return csv_lines([_csv_header(c) for c in report.columns], rows)


def csv_name(report: Report, scope: ReportScope) -> str:
    return f"{report.direction}-{report.slug}-{scope.start.isoformat()}-{scope.end.isoformat()}.csv"


def chart(report: Report, data: ReportData, scope: ReportScope) -> SafeString | None:
    """The report's chart (None when there is nothing to draw)."""
    spec = report.chart
    description = (
        f"{spec.title}, {scope.start.isoformat()} to {scope.end.isoformat()}. "
        "The table below gives the figures."
    )
    if not data.rows:
        return None
    if spec.kind == "bar":
        bars = [Bar(str(row[spec.label]), float(row[spec.value] or 0)) for row in data.rows]
        return bar_chart(
            title=spec.title, bars=bars, colour=spec.colour, unit=spec.unit, description=description
        )
    days = days_of(scope.start, scope.end)
    by_day = {row["day"]: row for row in data.rows}
    missing = None if spec.gaps else 0.0
    series = [
        Series(
            line.label,
            [
                float(by_day[d][line.column])
                if d in by_day and by_day[d].get(line.column) is not None
                else missing
                for d in days
            ],
            line.colour,
        )
        for line in spec.lines
    ]
    return line_chart(
        title=spec.title,
        labels=[d.strftime("%b %d") for d in days],
        series=series,
        unit=spec.unit,
        description=description,
        area=not spec.gaps,
    )
