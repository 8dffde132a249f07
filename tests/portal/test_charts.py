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
