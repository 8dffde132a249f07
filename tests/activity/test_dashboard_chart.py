"""The Dashboard's own SVG chart and tile map: axis steps, bucket labels, geometry, shades
and the layout data (every state and province once, no two on one square)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from faxline.activity.dashboard.chart import INBOUND_COLOUR, OUTBOUND_COLOUR, draw, nice_ceiling
from faxline.activity.dashboard.scope import TrafficFilter
from faxline.activity.dashboard.selectors import Bucket, Locale, bucket_starts
from faxline.activity.dashboard.tilemap import CANADA, TILES, shade_of, tile_map
from faxline.numbers.plan import area_codes


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, (4, 1)), (3, (3, 1)), (5, (5, 1)), (7, (8, 2)), (11, (15, 5)), (230, (250, 50))],
)
def test_the_y_axis_rounds_up_in_1_2_5_steps(value: int, expected: tuple[int, int]) -> None:
    assert nice_ceiling(value) == expected


def test_geometry_of_two_series() -> None:
    buckets = [
        Bucket(datetime(2026, 11, day, tzinfo=UTC), outbound=day, inbound=10 - day)
        for day in range(1, 5)
    ]
    chart = draw(buckets, "day")
    out, inb = chart.lines
    assert (out.colour, inb.colour) == (OUTBOUND_COLOUR, INBOUND_COLOUR)
    assert (out.total, inb.total) == (10, 30)
    assert [p.label for p in out.points] == ["Nov 1", "Nov 2", "Nov 3", "Nov 4"]
    assert out.points[0].x == chart.left and out.points[-1].x == chart.right
    # 9 pages at most: the axis goes to 10 by 2; a value's height is proportional.
    assert [t.label for t in chart.y_ticks] == ["0", "2", "4", "6", "8", "10"]
    assert inb.points[0].y == pytest.approx(chart.bottom - 0.9 * (chart.bottom - chart.top), 0.1)
    assert out.polyline.count(",") == 4 and not chart.empty


def test_an_empty_range_is_drawn_flat() -> None:
    chart = draw([Bucket(datetime(2026, 11, 1, tzinfo=UTC), 0, 0)], "month")
    assert chart.empty and chart.lines[0].points[0].label == "Nov 2026"


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
