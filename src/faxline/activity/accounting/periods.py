"""The periods of Call Detail Records: UTC calendar months (``YYYY-MM``) and days
(``YYYY-MM-DD``), and the six months they are kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from faxline.core.errors import ValidationFailed

KEPT_MONTHS = 6
"""Files of the current month and of the six months before it are kept (and asked for)."""

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month (UTC)."""

    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"

    @classmethod
    def of(cls, moment: datetime | date) -> Month:
        if isinstance(moment, datetime):
            moment = moment.astimezone(UTC).date()
        return cls(moment.year, moment.month)

    def shifted(self, months: int) -> Month:
        index = self.year * 12 + (self.number - 1) + months
        return Month(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.number, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first moment of the next month (ranges are half-open)."""
        return self.shifted(1).start

    def days(self) -> list[date]:
        last = (self.end - timedelta(days=1)).date()
        return [self.first_day + timedelta(days=i) for i in range(last.day)]


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def oldest_kept(now: datetime) -> Month:
    """The oldest month whose records are kept at ``now``."""
    return Month.of(now).shifted(-KEPT_MONTHS)


def parse_month(raw: str | None, *, now: datetime, field: str = "month") -> Month:
    """The month asked for (``YYYY-MM``): refused with 422 on ``field`` when it is not a
    month, is in the future, or is older than the six months kept."""
    match = _MONTH_RE.match((raw or "").strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValidationFailed(
            f"{field}: give a month as YYYY-MM (for example {Month.of(now)}).",
            field=field,
            code="bad_month",
        )
    month = Month(int(match.group(1)), int(match.group(2)))
    current = Month.of(now)
    if month > current:
        raise ValidationFailed(
            f"{field}: {month} has not begun yet.", field=field, code="month_in_future"
        )
    if month < oldest_kept(now):
        raise ValidationFailed(
            f"{field}: Call Detail Records are kept for {KEPT_MONTHS} months; the oldest "
            f"month available is {oldest_kept(now)}.",
            field=field,
            code="month_not_kept",
        )
    return month
