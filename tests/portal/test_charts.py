"""The portal toolkit's SVG charts: nice ticks, escaping, gaps, accessibility, no style
attribute or script (the Content-Security-Policy)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from faxline.portal.toolkit.charts import Bar, Series, bar_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (37, [0, 10, 20, 30, 40]),
        (5, [0, 1, 2, 3, 4, 5]),
        (1, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (1234, [0, 500, 1000, 1500]),
        (33.3, [0, 10, 20, 30, 40]),
        (0, [0, 1]),
    ],
)
def test_nice_ticks(top: float, ticks: list[float]) -> None:
    assert nice_ticks(top) == ticks


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (11, [0, 5, 10, 15]),
        (230, [0, 50, 100, 150, 200, 250]),
    ],
)
def test_counts_step_by_whole_numbers(top: float, ticks: list[float]) -> None:
    assert nice_ticks(top, whole=True) == ticks


def _points(polyline: ET.Element) -> list[tuple[float, float]]:
    return [
        (float(x), float(y))
        for x, y in (pair.split(",") for pair in (polyline.get("points") or "").split())
    ]


def test_the_geometry_of_two_series() -> None:
    """The first and last values stand at the plot's edges, a value's height is
    proportional to it on an axis of nice whole steps, each dot says its value."""
    svg = line_chart(
        title="Pages",
        labels=["Nov 1", "Nov 2", "Nov 3", "Nov 4"],
        series=[
            Series("Outbound", [1, 2, 3, 4], "#2e8540"),
            Series("Inbound", [9, 8, 7, 6], "#ef7d00"),
        ],
        unit="pages",
        area=True,
        legend=False,
        width=720,
        height=260,
    )
    root = ET.fromstring(str(svg))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert [t for t in texts if t and t.isdigit()] == ["0", "2", "4", "6", "8", "10"]
    assert "Outbound" not in texts  # no legend: the page shows its own
    out, inb = root.findall(f"{SVG}g[@class='fx-chart-series']")
    left, right, top, bottom = 56, 720 - 16, 14, 260 - 40
    sent = _points(out.find(f"{SVG}polyline"))
    assert sent[0][0] == left and sent[-1][0] == right
    assert sent[-1][1] == pytest.approx(bottom - 0.4 * (bottom - top), abs=0.1)
    assert _points(inb.find(f"{SVG}polyline"))[0][1] == pytest.approx(
        bottom - 0.9 * (bottom - top), abs=0.1
    )
    area = _points(inb.find(f"{SVG}polygon"))
    assert area[0] == (left, bottom) and area[-1] == (right, bottom)
    tips = [c.find(f"{SVG}title").text for c in out.findall(f"{SVG}circle")]
    assert tips[0] == "Outbound, Nov 1: 1 pages"
    assert "fx-chart-empty" not in svg


def test_a_chart_of_zeros_says_it_is_empty() -> None:
    svg = line_chart(
        title="Pages",
        labels=["Nov 2026"],
        series=[Series("Outbound", [0], "#2e8540")],
        empty="No faxes in this range",
    )
    root = ET.fromstring(str(svg))
    (note,) = root.findall(f"{SVG}text[@class='fx-chart-empty']")
    assert note.text == "No faxes in this range"
    # A lone value stands in the middle of the axis.
    (dot,) = root.iter(f"{SVG}circle")
    assert float(dot.get("cx")) == pytest.approx(56 + (800 - 56 - 16) / 2)


def test_a_line_chart_is_accessible_and_escaped() -> None:
    svg = line_chart(
        title="Pages <per> day",
        labels=["Dec 01", "Dec 02", "Dec 03"],
        series=[
            Series("Out & about", [3, None, 5], "#1a7f37"),
            Series("In", [1, 0, 2], "#d9480f"),
        ],
        unit="pages",
        description="The table below gives the figures.",
        area=True,
    )
    root = ET.fromstring(str(svg))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Pages <per> day"
    assert root.find(f"{SVG}desc").text == "The table below gives the figures."
    labelled = root.get("aria-labelledby").split()
    assert [root.find(f".//*[@id='{i}']") is not None for i in labelled] == [True, True]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Out & about" in texts and "pages" in texts
    assert [t for t in texts if t and t.isdigit()] == ["0", "1", "2", "3", "4", "5"]
    assert {"Dec 01", "Dec 03"} <= set(texts)
    # The gap on Dec 02 splits the first series: two single points, no line.
    first = root.findall(f"{SVG}g[@class='fx-chart-series']")[0]
    assert first.findall(f"{SVG}polyline") == [] and len(first.findall(f"{SVG}circle")) == 2
    assert "style=" not in svg and "<script" not in svg


def test_a_bar_chart_labels_every_bar() -> None:
    svg = bar_chart(
        title="Failed faxes by error",
        bars=[Bar("No Answer", 7), Bar("<b>Busy</b> with a very long name indeed here", 2)],
        colour="#c92a2a",
        unit="failed faxes",
    )
    root = ET.fromstring(str(svg))
    rects = root.findall(f".//{SVG}rect")
    assert [r.find(f"{SVG}title").text for r in rects] == [
        "No Answer: 7",
        "<b>Busy</b> with a very long name indeed here: 2",
    ]
    assert float(rects[0].get("width")) > float(rects[1].get("width")) > 0
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<b>Busy</b> with a very lon…" in texts
    assert "<b>" not in re.sub(r"&lt;b&gt;", "", str(svg))


def test_colours_must_be_colours() -> None:
    with pytest.raises(ValueError, match="not a colour"):
        bar_chart(title="x", bars=[Bar("a", 1)], colour='red" onload="alert(1)')


def test_series_must_match_the_labels() -> None:
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        line_chart(title="x", labels=["a", "b", "c"], series=[Series("s", [1, 2], "#000")])
