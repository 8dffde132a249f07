"""Build src/faxline/numbers/data/nanp_area_codes.csv from phonenumbers' geocoding data.

Run by hand when phonenumbers is upgraded: ``.venv/bin/python scripts/build_numbering_plan.py``.
For every US and Canadian area code it records the state or province (name and code) and the
city that most exchanges of the area code are geocoded to (its main city).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import phonenumbers
from phonenumbers.geodata import GEOCODE_DATA

OUT = Path(__file__).resolve().parent.parent / "src/faxline/numbers/data/nanp_area_codes.csv"
CITY_RE = re.compile(r"^(?P<city>.+), (?P<code>[A-Z]{2})$")
STATES = {
    "Alabama": "AL",
    "Alaska": "AK",
    "Arizona": "AZ",
    "Arkansas": "AR",
    "California": "CA",
    "Colorado": "CO",
    "Connecticut": "CT",
    "Delaware": "DE",
    "Florida": "FL",
    "Georgia": "GA",
    "Hawaii": "HI",
    "Idaho": "ID",
    "Illinois": "IL",
    "Indiana": "IN",
    "Iowa": "IA",
    "Kansas": "KS",
    "Kentucky": "KY",
    "Louisiana": "LA",
    "Maine": "ME",
    "Maryland": "MD",
    "Massachusetts": "MA",
    "Michigan": "MI",
    "Minnesota": "MN",
    "Mississippi": "MS",
    "Missouri": "MO",
    "Montana": "MT",
    "Nebraska": "NE",
    "Nevada": "NV",
    "New Hampshire": "NH",
    "New Jersey": "NJ",
    "New Mexico": "NM",
    "New York": "NY",
    "North Carolina": "NC",
    "North Dakota": "ND",
    "Ohio": "OH",
    "Oklahoma": "OK",
    "Oregon": "OR",
    "Pennsylvania": "PA",
    "Rhode Island": "RI",
    "South Carolina": "SC",
    "South Dakota": "SD",
    "Tennessee": "TN",
    "Texas": "TX",
    "Utah": "UT",
    "Vermont": "VT",
    "Virginia": "VA",
    "Washington": "WA",
    "West Virginia": "WV",
    "Wisconsin": "WI",
    "Wyoming": "WY",
    "Washington D.C.": "DC",
    "District of Columbia": "DC",
    "Alberta": "AB",
    "British Columbia": "BC",
    "Manitoba": "MB",
    "New Brunswick": "NB",
    "Newfoundland and Labrador": "NL",
    "Nova Scotia": "NS",
    "Ontario": "ON",
    "Prince Edward Island": "PE",
    "Quebec": "QC",
    "Saskatchewan": "SK",
    "Northwest Territories": "NT",
    "Nunavut": "NU",
    "Yukon": "YT",
    "Nova Scotia/Prince Edward Island": "NS",
    "Yukon/Northwest Territories/Nunavut": "YT",
}
NAMES = {code: name for name, code in STATES.items() if "/" not in name}
NAMES["DC"] = "District of Columbia"


def main() -> None:
    by_npa: dict[str, list[str]] = {}
    for prefix, names in GEOCODE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4 and names.get("en"):
            by_npa.setdefault(prefix[1:4], []).append(names["en"])
    rows = []
    for npa, entries in sorted(by_npa.items()):
        example = phonenumbers.parse(f"+1{npa}2345678")
        region = phonenumbers.region_code_for_number(example)
        if region not in ("US", "CA"):
            continue
        cities: Counter[str] = Counter()
        codes: Counter[str] = Counter()
        for entry in entries:
            match = CITY_RE.match(entry)
            if match:
                cities[match["city"]] += 1
                codes[match["code"]] += 1
            else:
                code = STATES.get(entry.removesuffix(" State"))
                if code:
                    codes[code] += 1
        if not codes:
            continue
        code = codes.most_common(1)[0][0]
        rows.append(
            {
                "country": region,
                "area_code": npa,
                "state_code": code,
                "state_name": NAMES.get(code, code),
                "city": cities.most_common(1)[0][0] if cities else "",
            }
        )
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} area codes written to {OUT}")


if __name__ == "__main__":
    main()
