"""The North American numbering plan as faxline uses it: US and Canadian area codes with
their state or province and main city (shipped table built from phonenumbers' geocoding
data by ``scripts/build_numbering_plan.py``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import phonenumbers

from faxline.core.errors import ValidationFailed

DATA = Path(__file__).resolve().parent / "data" / "nanp_area_codes.csv"
COUNTRY_NAMES = {"US": "United States", "CA": "Canada"}
COUNTRY_SHORT = {"US": "USA", "CA": "Canada"}


@dataclass(frozen=True)
class AreaCode:
    country: str
    area_code: str
    state_code: str
    state_name: str
    city: str

    @property
    def location(self) -> str:
        """``USA, 206 (WA)``, as the guide's inventory shows it."""
        return f"{COUNTRY_SHORT[self.country]}, {self.area_code} ({self.state_code})"

    @property
    def label(self) -> str:
        """``206 - Seattle``, as the Request Inventory drop-down shows it."""
        return f"{self.area_code} - {self.city}" if self.city else self.area_code


@cache
def area_codes() -> dict[str, AreaCode]:
    with DATA.open(encoding="utf-8") as handle:
        return {row["area_code"]: AreaCode(**row) for row in csv.DictReader(handle)}


def area_code(code: str) -> AreaCode:
    found = area_codes().get(code)
    if found is None:
        raise ValidationFailed(f"{code!r} is not a US or Canadian area code.", field="area_code")
    return found


def regions(country: str) -> list[tuple[str, str]]:
    """States or provinces of ``country`` that have area codes: (code, name), by name."""
    seen = {(a.state_code, a.state_name) for a in area_codes().values() if a.country == country}
    return sorted(seen, key=lambda item: item[1])


def area_codes_in(country: str, state_code: str | None = None) -> list[AreaCode]:
    return sorted(
        (
            a
            for a in area_codes().values()
            if a.country == country and (state_code is None or a.state_code == state_code)
        ),
        key=lambda a: a.area_code,
    )


def normalize_number(raw: str, *, field: str = "number") -> str:
    """Parse a US or Canadian number in any common spelling to E.164 (``+12065550123``)."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 40:
        raise ValidationFailed(f"{field} must be a phone number.", field=field)
    try:
        parsed = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(f"{raw!r} is not a phone number.", field=field) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationFailed(f"{raw!r} is not a valid phone number.", field=field)
    if phonenumbers.region_code_for_number(parsed) not in COUNTRY_NAMES:
        raise ValidationFailed(f"{raw!r} is not a US or Canadian number.", field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_number(e164: str) -> str:
    """``US +1 2065550123``, as the guide's Fax Pool Details show it."""
    national = e164.removeprefix("+1")
    code = area_codes().get(national[:3])
    return f"{code.country if code else 'US'} +1 {national}"
