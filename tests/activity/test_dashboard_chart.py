"""The Dashboard's traffic chart (drawn by the portal toolkit: its intervals' labels, the two
directions in the guide's colours and their totals) and tile map: the layout data (every
state and province once, no two on one square) and shades. The chart's geometry is the
toolkit's (tests/portal/test_charts.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest

from faxline.activity.dashboard.chart import (
    INBOUND_COLOUR,
    OUTBOUND_COLOUR,
    bucket_label,
    directions,
    traffic_chart,
)
from faxline.activity.dashboard.scope import TrafficFilter
from faxline.activity.dashboard.selectors import Bucket, Locale, bucket_starts
from faxline.activity.dashboard.tilemap import CANADA, TILES, shade_of, tile_map
from faxline.numbers.plan import area_codes

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("interval", "label"),
    [("hour", "Nov 3 07:00"), ("day", "Nov 3"), ("month", "Nov 2026")],
)
def test_each_interval_has_its_label(interval: str, label: str) -> None:
    assert bucket_label(datetime(2026, 11, 3, 7, tzinfo=UTC), interval) == label


def test_outbound_green_and_inbound_orange_with_their_totals() -> None:
    buckets = [
        Bucket(datetime(2026, 11, day, tzinfo=UTC), outbound=day, inbound=10 - day)
        for day in range(1, 5)
    ]
    chart = traffic_chart(
        buckets, TrafficFilter(date(2026, 11, 1), date(2026, 11, 4), "day", "auto")
    )
    assert [(d.key, d.colour, d.total) for d in directions(buckets)] == [
        ("outbound", OUTBOUND_COLOUR, 10),
        ("inbound", INBOUND_COLOUR, 30),
    ]
    root = ET.fromstring(str(chart))
    assert root.find(f"{SVG}title").text == (
        "Pages sent (green) and received (orange) by day, Nov 1, 2026 to Nov 4, 2026"
    )
    series = root.findall(f"{SVG}g[@class='fx-chart-series']")
    assert [(g.get("data-series"), g.get("stroke")) for g in series] == [
        ("Outbound", OUTBOUND_COLOUR),
        ("Inbound", INBOUND_COLOUR),
    ]
    assert [len(g.findall(f"{SVG}polygon")) for g in series] == [1, 1]  # the area below
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"Nov 1", "Nov 4"} <= set(texts) and "Outbound" not in texts  # the panel's legend
    assert "No faxes in this range" not in texts


def test_an_empty_range_says_so() -> None:
    buckets = [Bucket(datetime(2026, 11, 1, tzinfo=UTC), 0, 0)]
    chart = traffic_chart(
        buckets, TrafficFilter(date(2026, 11, 1), date(2026, 11, 30), "month", "auto")
    )
    assert "No faxes in this range" in chart and "Nov 2026" in chart
    assert [d.total for d in directions(buckets)] == [0, 0]


def test_bucket_starts_per_interval() -> None:
    hours = bucket_starts(TrafficFilter(date(2026, 11, 1), date(2026, 11, 2), "hour", "auto"))
    assert len(hours) == 48 and hours[-1] == datetime(2026, 11, 2, 23, tzinfo=UTC)
    months = bucket_starts(TrafficFilter(date(2026, 1, 31), date(2026, 3, 1), "month", "month"))
    assert [m.month for m in months] == [1, 2, 3]


def test_the_tile_layout_covers_the_numbering_plan() -> None:
    places = [(c, r) for c, r, _ in TILES.values()]
    assert len(places) == len(set(places)) == 51 + 13
    states = {a.state_code for a in area_codes().values()}
    assert states <= set(TILES)
    assert set(TILES) >= CANADA


def test_shades_follow_the_share_of_the_busiest() -> None:
    assert [shade_of(n, 10) for n in (0, 1, 2, 3, 5, 10)] == [0, 1, 1, 2, 3, 5]
    drawn = tile_map([Locale("TX", "Texas", "US", 10), Locale("Other", "Other", "", 99)])
    tiles = {t.code: t for t in drawn.tiles}
    assert tiles["TX"].shade == 5 and tiles["TX"].text == "#ffffff"
    assert tiles["CA"].shade == 0
    assert drawn.legend == [
        ("None", "#eef1f5"),
        ("1\N{EN DASH}2", "#cfe2f7"),
        ("3\N{EN DASH}4", "#9cc4ee"),
        ("5\N{EN DASH}6", "#5b9bdf"),
        ("7\N{EN DASH}8", "#2a6fbf"),
        ("9\N{EN DASH}10", "#0f3d68"),
    ]
    # One fax at most: one shade, no empty steps.
    assert tile_map([Locale("TX", "Texas", "US", 1)]).legend == [
        ("None", "#eef1f5"),
        ("1", "#0f3d68"),
    ]
