"""What the forms of Account Administration share, whichever page shows them (the details
tabs in ``details_forms``, the wizards in ``forms``): the lists a person picks from and the
shape of a checkbox field. One list each, so a setting offers the same choices wherever it
is changed."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

import phonenumbers
from django import forms

from faxline.accounts.preferences import time_zones

LANGUAGES: list[tuple[str, str]] = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
]


def check(label: str, help_text: str = "") -> forms.BooleanField:
    """A checkbox that may stay unticked."""
    return forms.BooleanField(label=label, required=False, help_text=help_text)


def _utc_offset(zone: str, now: datetime) -> str:
    offset = now.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"(UTC{sign}{hours:02d}:{mins:02d})"


@cache
def _time_zone_choices(day: str) -> list[tuple[str, str]]:
    now = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return [(zone, f"{_utc_offset(zone, now)} {zone.replace('_', ' ')}") for zone in time_zones()]


def time_zone_choices() -> list[tuple[str, str]]:
    """Every time zone the services accept, with its offset from UTC today:
    ``(UTC-08:00) America/Los Angeles`` (worked out once a day)."""
    return _time_zone_choices(datetime.now(UTC).date().isoformat())


@cache
def country_choices() -> list[tuple[str, str]]:
    """Countries by name (two-letter ISO codes), United States first, after "—" (none)."""
    from phonenumbers import geocoder

    names = []
    for code in phonenumbers.SUPPORTED_REGIONS:
        try:
            name = geocoder._region_display_name(code, "en")  # type: ignore[attr-defined]
        except Exception:  # a private helper of phonenumbers; fall back to the code
            name = ""
        names.append((code, name or code))
    names.sort(key=lambda pair: pair[1])
    first = [pair for pair in names if pair[0] == "US"]
    return [("", "—"), *first, *[pair for pair in names if pair[0] != "US"]]
