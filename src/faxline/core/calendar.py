"""The business calendar: weekends and public holidays of the United States and Canada.

Port dates (FOC) fall on business days of the country of the numbers being ported. The US
calendar is the federal one, the Canadian calendar the national one (``holidays`` package,
observed days included). With ``country=None`` a day must be a business day in both.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

COUNTRIES = ("US", "CA")
# A port date more than this many days ahead is refused; enough for any carrier's interval.
MAX_LOOKAHEAD_DAYS = 366


@cache
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    if country not in COUNTRIES:
        raise ValueError(f"no business calendar for {country!r}")
    return holidays.country_holidays(country, years=year)


def holiday_name(day: date, *, country: str) -> str | None:
    """The name of the public holiday on ``day`` in ``country``, or None."""
    found = _holidays(country, day.year).get(day)
    return str(found) if found else None


def is_business_day(day: date, *, country: str | None = None) -> bool:
    """Monday to Friday and not a public holiday (in ``country``, or in either country)."""
    if day.weekday() >= 5:
        return False
    countries = (country,) if country else COUNTRIES
    return all(holiday_name(day, country=c) is None for c in countries)


def next_business_day(day: date, *, country: str | None = None) -> date:
    """The first business day strictly after ``day``."""
    candidate = day + timedelta(days=1)
    for _ in range(MAX_LOOKAHEAD_DAYS):
        if is_business_day(candidate, country=country):
            return candidate
        candidate += timedelta(days=1)
    raise ValueError("no business day within a year")  # pragma: no cover


def add_business_days(day: date, count: int, *, country: str | None = None) -> date:
    """``count`` business days after ``day`` (``count`` ≥ 0; 0 gives ``day`` itself)."""
    if count < 0:
        raise ValueError("count must be 0 or more")
    for _ in range(count):
        day = next_business_day(day, country=country)
    return day


def why_not_business_day(day: date, *, country: str | None = None) -> str | None:
    """A sentence saying why ``day`` is not a business day, or None when it is one."""
    if day.weekday() >= 5:
        return f"{day:%A %B} {day.day}, {day.year} is a weekend day."
    for c in (country,) if country else COUNTRIES:
        name = holiday_name(day, country=c)
        if name:
            where = "the United States" if c == "US" else "Canada"
            return f"{day:%B} {day.day}, {day.year} is a public holiday in {where} ({name})."
    return None
