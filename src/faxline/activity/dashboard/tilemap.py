"""The Top Destinations map: a tile grid of the US states, DC and the Canadian provinces
and territories, one square each in its approximate place (column, row), shipped with
faxline (no map tiles, nothing fetched). Squares are shaded by the faxes sent there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from faxline.activity.dashboard.selectors import Locale

# code: (column, row, name). Canada above, the lower 48 in the middle, Alaska top left
# and Hawaii bottom left.
TILES: dict[str, tuple[int, int, str]] = {
    "YT": (1, 0, "Yukon"),
    "NT": (2, 0, "Northwest Territories"),
    "NU": (4, 0, "Nunavut"),
    "NL": (10, 0, "Newfoundland and Labrador"),
    "BC": (1, 1, "British Columbia"),
    "AB": (2, 1, "Alberta"),
    "SK": (3, 1, "Saskatchewan"),
    "MB": (4, 1, "Manitoba"),
    "ON": (7, 1, "Ontario"),
    "QC": (9, 1, "Quebec"),
    "PE": (11, 1, "Prince Edward Island"),
    "NB": (10, 2, "New Brunswick"),
    "NS": (11, 2, "Nova Scotia"),
    "AK": (0, 2, "Alaska"),
    "ME": (11, 3, "Maine"),
    "VT": (10, 4, "Vermont"),
    "NH": (11, 4, "New Hampshire"),
    "WA": (1, 5, "Washington"),
    "ID": (2, 5, "Idaho"),
    "MT": (3, 5, "Montana"),
    "ND": (4, 5, "North Dakota"),
    "MN": (5, 5, "Minnesota"),
    "IL": (6, 5, "Illinois"),
    "WI": (7, 5, "Wisconsin"),
    "MI": (8, 5, "Michigan"),
    "NY": (9, 5, "New York"),
    "RI": (10, 5, "Rhode Island"),
    "MA": (11, 5, "Massachusetts"),
    "OR": (1, 6, "Oregon"),
    "NV": (2, 6, "Nevada"),
    "WY": (3, 6, "Wyoming"),
    "SD": (4, 6, "South Dakota"),
    "IA": (5, 6, "Iowa"),
    "IN": (6, 6, "Indiana"),
    "OH": (7, 6, "Ohio"),
    "PA": (8, 6, "Pennsylvania"),
    "NJ": (9, 6, "New Jersey"),
    "CT": (10, 6, "Connecticut"),
    "CA": (1, 7, "California"),
    "UT": (2, 7, "Utah"),
    "CO": (3, 7, "Colorado"),
    "NE": (4, 7, "Nebraska"),
    "MO": (5, 7, "Missouri"),
    "KY": (6, 7, "Kentucky"),
    "WV": (7, 7, "West Virginia"),
    "VA": (8, 7, "Virginia"),
    "MD": (9, 7, "Maryland"),
    "DE": (10, 7, "Delaware"),
    "AZ": (2, 8, "Arizona"),
    "NM": (3, 8, "New Mexico"),
    "KS": (4, 8, "Kansas"),
    "AR": (5, 8, "Arkansas"),
    "TN": (6, 8, "Tennessee"),
    "NC": (7, 8, "North Carolina"),
    "SC": (8, 8, "South Carolina"),
    "DC": (9, 8, "District of Columbia"),
    "OK": (4, 9, "Oklahoma"),
    "LA": (5, 9, "Louisiana"),
    "MS": (6, 9, "Mississippi"),
    "AL": (7, 9, "Alabama"),
    "GA": (8, 9, "Georgia"),
    "HI": (0, 10, "Hawaii"),
    "TX": (4, 10, "Texas"),
    "FL": (9, 10, "Florida"),
}
CANADA = {"YT", "NT", "NU", "NL", "BC", "AB", "SK", "MB", "ON", "QC", "PE", "NB", "NS"}
SIZE = 40
GAP = 4
COLUMNS = 1 + max(c for c, _, _ in TILES.values())
ROWS = 1 + max(r for _, r, _ in TILES.values())
WIDTH = COLUMNS * (SIZE + GAP) + GAP
HEIGHT = ROWS * (SIZE + GAP) + GAP
# Shades from no faxes to the most (five steps of the portal's blue).
SHADES = ["#eef1f5", "#cfe2f7", "#9cc4ee", "#5b9bdf", "#2a6fbf", "#0f3d68"]


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    x: int
    y: int
    faxes: int
    shade: int
    fill: str
    text: str  # label colour readable on the fill


@dataclass(frozen=True)
class TileMap:
    width: int
    height: int
    size: int
    tiles: list[Tile]
    legend: list[tuple[str, str]]


def shade_of(faxes: int, most: int) -> int:
    """0 for none, else 1..5 by the share of the busiest locale."""
    if faxes <= 0 or most <= 0:
        return 0
    return max(1, min(5, -(-faxes * 5 // most)))


def tile_map(locales: Sequence[Locale]) -> TileMap:
    counts = {item.code: item.faxes for item in locales}
    most = max([faxes for code, faxes in counts.items() if code in TILES] or [0])
    tiles = []
    for code, (column, row, name) in TILES.items():
        faxes = counts.get(code, 0)
        shade = shade_of(faxes, most)
        tiles.append(
            Tile(
                code,
                name,
                GAP + column * (SIZE + GAP),
                GAP + row * (SIZE + GAP),
                faxes,
                shade,
                SHADES[shade],
                "#ffffff" if shade >= 3 else "#1f2d3d",
            )
        )
    legend = [("None", SHADES[0])]
    for step in range(1, 6):
        # The faxes that get this shade: above (step - 1) fifths of the most, up to step.
        low, high = (step - 1) * most // 5 + 1, step * most // 5
        if low <= high:
            legend.append(
                (f"{low:,}" if low == high else f"{low:,}\N{EN DASH}{high:,}", SHADES[step])
            )
    return TileMap(WIDTH, HEIGHT, SIZE, tiles, legend)
