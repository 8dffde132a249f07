"""Server-side SVG charts for portal pages: no JavaScript, nothing fetched, CSP-safe.

Two charts, each a function that returns an ``<svg>`` element as safe HTML to put straight
into a template (``{{ chart }}``):

- :func:`line_chart`: values over an ordered axis (days, hours...), several series, each
  with its colour; optionally filled below (``area=True``). A ``None`` value leaves a gap.
  Each dot's tooltip names its series, label and value; ``empty`` is written across a
  chart with nothing above 0; ``legend=False`` leaves the legend to the page.
- :func:`bar_chart`: horizontal bars with their labels (top lists, errors by name).

Both draw a value axis with readable ("nice") ticks: 0, 5, 10... or 0, 200, 400..., a
legend when there are several series, and are accessible: ``role="img"`` with a
``<title>`` and a ``<desc>``. The chart is a picture of a table that the page shows next to
it; the table is the text alternative (say so in ``description``).

Everything given is text and is escaped here; colours must be CSS colour literals
(``#1a7f37``, ``rgb(...)``, a name), anything else is refused. The SVG carries presentation
attributes only (no ``style`` attribute, no script), so the portal's Content-Security-Policy
lets it through. Its width follows its container (``viewBox``); ``width``/``height`` are the
drawing's proportions.

    chart = line_chart(
        title="Pages per day",
        labels=["2026-12-01", "2026-12-02"],
        series=[Series("Outbound", [3, 5], "#1a7f37"), Series("Inbound", [1, 0], "#d9480f")],
        unit="pages",
    )
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["Bar", "Series", "bar_chart", "line_chart", "nice_ticks"]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
AXIS = "#6c757d"
GRID = "#dee2e6"
TEXT = "#212529"
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgb|hsl)a?\([0-9.,% ]{5,40}\)")
_ids = count(1)


@dataclass(frozen=True)
class Series:
    """One line of a :func:`line_chart`: its name (the legend), a value per label (None:
    no value there) and its colour."""

    label: str
    values: Sequence[float | None]
    colour: str


@dataclass(frozen=True)
class Bar:
    """One bar of a :func:`bar_chart`."""

    label: str
    value: float


def _colour(value: str) -> str:
    if not _COLOUR.fullmatch(value):
        raise ValueError(f"not a colour: {value!r}")
    return value


def nice_ticks(top: float, *, most: int = 5, whole: bool = False) -> list[float]:
    """The value axis' ticks from 0 to at least ``top``: at most ``most`` + 1 round steps
    (1, 2 or 5 times a power of ten): ``nice_ticks(37)`` is ``[0, 10, 20, 30, 40]``.
    ``whole``: the values are counts, so no step is less than 1."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if whole:
        step = max(step, 1)
    steps = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def _number(value: float) -> str:
    """A tick's label: 1200 → "1,200", 2.5 → "2.5", 0.25 → "0.25"."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open(title: str, description: str, width: int, height: int) -> tuple[list[str], str]:
    ident = f"fx-chart-{next(_ids)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fx-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="{escape(FONT)}" '
        f'font-size="12" fill="{TEXT}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    return parts, ident


def _text(x: float, y: float, text: str, *, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = ['<g class="fx-chart-legend">']
    for s in series:
        parts.append(
            f'<rect x="{_f(x)}" y="{_f(y - 9)}" width="12" height="12" rx="2" '
            f'fill="{_colour(s.colour)}"/>'
        )
        parts.append(_text(x + 17, y + 1, s.label))
        x += 30 + 7 * len(s.label)
    parts.append("</g>")
    return parts


def _label_every(labels: int, room: float, widest: int) -> int:
    """Show every n-th label of the category axis so that they do not overlap."""
    fits = max(1, int(room / (widest * 7 + 28)))
    return max(1, math.ceil(labels / fits))


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    description: str = "",
    area: bool = False,
    legend: bool = True,
    empty: str = "",
    width: int = 800,
    height: int = 280,
) -> SafeString:
    """A line chart of ``series`` over ``labels`` (one value of each series per label),
    the value axis from 0 with nice ticks and ``unit`` beside it; ``area`` fills below
    each line (lightly, so that lines behind stay visible). ``legend``: the series' names
    above the chart (when there are several); ``empty``: the text shown in the middle when
    no value is above 0 ("No faxes in this range")."""
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(f"{s.label!r} has {len(s.values)} values for {len(labels)} labels")
    parts, _ = _open(title, description or title, width, height)
    with_legend = legend and len(series) > 1
    left, right, top, bottom = 56, 16, 34 if with_legend else 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(max(values, default=0.0), whole=all(v == int(v) for v in values))
    peak = ticks[-1]

    def y_of(value: float) -> float:
        return top + plot_h - value / peak * plot_h

    def x_of(i: int) -> float:
        return left + (plot_w / 2 if len(labels) == 1 else i * plot_w / (len(labels) - 1))

    if with_legend:
        parts += _legend(series, left, 16)
    parts.append('<g class="fx-chart-axis">')
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_f(y)}" y2="{_f(y)}" '
            f'stroke="{GRID if tick else AXIS}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, _number(tick), anchor="end"))
    if unit:
        parts.append(
            _text(
                14,
                top + plot_h / 2,
                unit,
                anchor="middle",
                extra=f' transform="rotate(-90 14 {_f(top + plot_h / 2)})" fill="{AXIS}"',
            )
        )
    if labels:
        every = _label_every(len(labels), plot_w, max(len(label) for label in labels))
        for i, label in enumerate(labels):
            if i % every and i != len(labels) - 1:
                continue
            if i != len(labels) - 1 and len(labels) - 1 - i < every and i:
                continue  # too close to the last label, which is always shown
            x = x_of(i)
            anchor = "middle"
            if len(labels) > 1 and i == 0:
                anchor = "start"
            elif len(labels) > 1 and i == len(labels) - 1:
                anchor = "end"
            parts.append(
                f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{top + plot_h}" y2="{top + plot_h + 4}" '
                f'stroke="{AXIS}"/>'
            )
            parts.append(_text(x, top + plot_h + 18, label, anchor=anchor))
    parts.append("</g>")
    for index, s in enumerate(series):
        colour = _colour(s.colour)
        # Earlier series are drawn wider, so that a later one over the same values leaves
        # them visible on both sides.
        stroke = _f(2 + 1.5 * (len(series) - 1 - index))
        runs: list[list[tuple[float, float, str]]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append((x_of(i), y_of(value), f"{s.label}, {labels[i]}: {_number(value)}"))
        parts.append(
            f'<g class="fx-chart-series" data-series="{escape(s.label)}" fill="none" '
            f'stroke="{colour}">'
        )
        for run in (r for r in runs if r):
            points = " ".join(f"{_f(x)},{_f(y)}" for x, y, _ in run)
            if area and len(run) > 1:
                base = _f(top + plot_h)
                shape = f"{_f(run[0][0])},{base} {points} {_f(run[-1][0])},{base}"
                parts.append(
                    f'<polygon points="{shape}" fill="{colour}" fill-opacity="0.12" stroke="none"/>'
                )
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{points}" stroke-width="{stroke}" stroke-linejoin="round"/>'
                )
            # Dots where they do not crowd the line; else on the values above 0 only (a
            # lone day among many stays visible).
            baseline = top + plot_h
            for x, y, tip in run:
                if len(run) <= 31 or y < baseline:
                    parts.append(
                        f'<circle cx="{_f(x)}" cy="{_f(y)}" r="2.5" fill="{colour}">'
                        f"<title>{escape(tip)}{escape(' ' + unit if unit else '')}</title></circle>"
                    )
        parts.append("</g>")
    if empty and not any(values):
        parts.append(
            _text(
                left + plot_w / 2,
                top + plot_h / 2,
                empty,
                anchor="middle",
                extra=f' class="fx-chart-empty" fill="{AXIS}" font-size="14"',
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped)


def bar_chart(
    *,
    title: str,
    bars: Sequence[Bar],
    colour: str,
    unit: str = "",
    description: str = "",
    width: int = 800,
    bar_height: int = 18,
) -> SafeString:
    """Horizontal bars, one per ``bars`` item in the order given, each labelled with its
    name (left, shortened past 28 characters; the full name is the bar's tooltip) and
    value (right of the bar); the value axis from 0 with nice ticks and ``unit`` below."""
    colour = _colour(colour)
    label_w = 6 + 7 * min(28, max((len(b.label) for b in bars), default=4))
    left, right, top = label_w + 12, 56, 8
    gap = 6
    plot_w = width - left - right
    plot_h = max(1, len(bars)) * (bar_height + gap)
    height = top + plot_h + (44 if unit else 28)
    parts, _ = _open(title, description or title, width, height)
    ticks = nice_ticks(
        max((b.value for b in bars), default=0.0), whole=all(b.value == int(b.value) for b in bars)
    )
    peak = ticks[-1]
    parts.append('<g class="fx-chart-axis">')
    for tick in ticks:
        x = left + tick / peak * plot_w
        parts.append(
            f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{top}" y2="{top + plot_h}" '
            f'stroke="{GRID if tick else AXIS}" stroke-width="1"/>'
        )
        parts.append(_text(x, top + plot_h + 16, _number(tick), anchor="middle"))
    if unit:
        parts.append(
            _text(
                left + plot_w / 2, top + plot_h + 34, unit, anchor="middle", extra=f' fill="{AXIS}"'
            )
        )
    parts.append("</g>")
    parts.append(f'<g class="fx-chart-bars" fill="{colour}">')
    for i, bar in enumerate(bars):
        y = top + i * (bar_height + gap) + gap / 2
        length = bar.value / peak * plot_w
        name = bar.label if len(bar.label) <= 28 else bar.label[:27] + "…"
        parts.append(
            _text(left - 8, y + bar_height * 0.72, name, anchor="end", extra=f' fill="{TEXT}"')
        )
        parts.append(
            f'<rect x="{left}" y="{_f(y)}" width="{_f(max(length, 1 if bar.value else 0))}" '
            f'height="{bar_height}" rx="2"><title>{escape(bar.label)}: '
            f"{escape(_number(bar.value))}</title></rect>"
        )
        parts.append(
            _text(
                left + length + 6,
                y + bar_height * 0.72,
                _number(bar.value),
                extra=f' fill="{TEXT}"',
            )
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every value above is escaped)
