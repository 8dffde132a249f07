"""A small time-series chart drawn as SVG on the server: the Dashboard's pages over time,
outbound in green and inbound in orange (the guide's colours). It computes the geometry; the
template draws it (``activity/dashboard/_chart.html``), so every label is escaped there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from faxline.activity.dashboard.selectors import Bucket

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 14, 32
MAX_X_LABELS = 7
OUTBOUND_COLOUR = "#2e8540"
INBOUND_COLOUR = "#ef7d00"


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    label: str


@dataclass(frozen=True)
class Line:
    """One series: its name, colour, points, the polyline and the filled area under it."""

    name: str
    key: str
    colour: str
    points: list[Point]
    polyline: str
    area: str
    total: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    lines: list[Line]
    empty: bool

    @property
    def middle_x(self) -> float:
        return (self.left + self.right) / 2

    @property
    def middle_y(self) -> float:
        return (self.top + self.bottom) / 2


def nice_ceiling(value: int) -> tuple[int, int]:
    """The top of the y axis and the step between its ticks (1, 2 or 5 times a power of
    ten, at most five steps)."""
    if value <= 0:
        return 4, 1
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step * 5 >= value:
                steps = -(-value // step)
                return step * max(steps, 1), step
        magnitude *= 10


def bucket_label(start: datetime, interval: str) -> str:
    if interval == "hour":
        return f"{start:%b} {start.day} {start:%H}:00"
    if interval == "month":
        return f"{start:%b %Y}"
    return f"{start:%b} {start.day}"


def draw(buckets: Sequence[Bucket], interval: str) -> Chart:
    """The geometry of the chart of ``buckets``."""
    right = WIDTH - RIGHT
    bottom = HEIGHT - BOTTOM
    plot_w = right - LEFT
    plot_h = bottom - TOP
    top_value, step = nice_ceiling(max([max(b.outbound, b.inbound) for b in buckets] or [0]))
    count = len(buckets)

    def x_of(index: int) -> float:
        return round(LEFT + (plot_w / 2 if count == 1 else index * plot_w / (count - 1)), 1)

    def y_of(value: int) -> float:
        return round(bottom - value * plot_h / top_value, 1)

    y_ticks = [Tick(y_of(v), f"{v:,}") for v in range(0, top_value + 1, step)]
    every = max(1, -(-count // MAX_X_LABELS))
    x_ticks = [
        Tick(x_of(i), bucket_label(b.start, interval))
        for i, b in enumerate(buckets)
        if i % every == 0
    ]
    lines = []
    for name, key, colour in (
        ("Outbound", "outbound", OUTBOUND_COLOUR),
        ("Inbound", "inbound", INBOUND_COLOUR),
    ):
        points = [
            Point(
                x_of(i),
                y_of(getattr(b, key)),
                getattr(b, key),
                bucket_label(b.start, interval),
            )
            for i, b in enumerate(buckets)
        ]
        polyline = " ".join(f"{p.x},{p.y}" for p in points)
        area = f"{points[0].x},{bottom} {polyline} {points[-1].x},{bottom}" if points else ""
        lines.append(Line(name, key, colour, points, polyline, area, sum(p.value for p in points)))
    return Chart(
        WIDTH,
        HEIGHT,
        LEFT,
        right,
        TOP,
        bottom,
        y_ticks,
        x_ticks,
        lines,
        empty=all(line.total == 0 for line in lines),
    )
