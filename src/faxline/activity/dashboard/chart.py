"""The Dashboard's traffic chart: its pages over time drawn by the portal's chart toolkit
(``faxline.portal.toolkit.charts``), outbound in green and inbound in orange (the guide's
colours), each interval labelled as the interval reads (hour, day or month). The legend with
each direction's total is the panel's (``activity/dashboard/_panel.html``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.safestring import SafeString

from faxline.activity.dashboard.scope import TrafficFilter
from faxline.activity.dashboard.selectors import Bucket
from faxline.portal.toolkit.charts import Series, line_chart

OUTBOUND_COLOUR = "#2e8540"
INBOUND_COLOUR = "#ef7d00"
DIRECTIONS = (("Outbound", "outbound", OUTBOUND_COLOUR), ("Inbound", "inbound", INBOUND_COLOUR))


@dataclass(frozen=True)
class Direction:
    """One line of the chart as the legend shows it: its name, colour and pages in all."""

    name: str
    key: str
    colour: str
    total: int


def bucket_label(start: datetime, interval: str) -> str:
    """An interval's label on the chart: "Nov 3 14:00", "Nov 3" or "Nov 2026"."""
    if interval == "hour":
        return f"{start:%b} {start.day} {start:%H}:00"
    if interval == "month":
        return f"{start:%b %Y}"
    return f"{start:%b} {start.day}"


def directions(buckets: Sequence[Bucket]) -> list[Direction]:
    """The chart's two lines with their totals, outbound first."""
    return [
        Direction(name, key, colour, sum(getattr(b, key) for b in buckets))
        for name, key, colour in DIRECTIONS
    ]


def traffic_chart(buckets: Sequence[Bucket], filter: TrafficFilter) -> SafeString:
    """The SVG chart of ``buckets`` (the panel's Figures table is its text alternative)."""
    return line_chart(
        title=(
            f"Pages sent (green) and received (orange) by {filter.interval}, "
            f"{filter.start:%b} {filter.start.day}, {filter.start.year} to "
            f"{filter.end:%b} {filter.end.day}, {filter.end.year}"
        ),
        description=f"The Figures table below gives the pages by {filter.interval}.",
        labels=[bucket_label(b.start, filter.interval) for b in buckets],
        series=[
            Series(name, [getattr(b, key) for b in buckets], colour)
            for name, key, colour in DIRECTIONS
        ],
        area=True,
        legend=False,
        empty="No faxes in this range",
        width=720,
        height=260,
    )
