"""Retry schedules: how long to wait before the next attempt, and when to give up.

Shared by everything that retries work in the background (email delivery now; webhooks and
the fax dispatcher's transport retries next). Deterministic on purpose, so that a test can
travel to the next attempt and the notification log can say when it will be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: ``first`` after the first failed attempt, multiplied by
    ``factor`` after each further one, never more than ``cap``; at most ``max_attempts``
    attempts in all."""

    first: timedelta
    factor: float = 2.0
    cap: timedelta = timedelta(hours=6)
    max_attempts: int = 5

    def __post_init__(self) -> None:
        if self.first <= timedelta(0) or self.factor < 1 or self.max_attempts < 1:
            raise ValueError("Backoff needs first > 0, factor >= 1 and max_attempts >= 1")

    def delay(self, attempts: int) -> timedelta:
        """The wait after ``attempts`` failed attempts (1 for the first failure)."""
        exponent = min(max(attempts - 1, 0), 64)  # no float overflow, whatever is asked
        seconds = self.first.total_seconds() * self.factor**exponent
        return timedelta(seconds=min(seconds, self.cap.total_seconds()))

    def exhausted(self, attempts: int) -> bool:
        """True when ``attempts`` attempts were made and no more are allowed."""
        return attempts >= self.max_attempts

    def next_attempt(self, attempts: int, *, now: datetime) -> datetime | None:
        """When to try again after ``attempts`` failed attempts; None once exhausted."""
        if self.exhausted(attempts):
            return None
        return now + self.delay(attempts)

    def schedule(self) -> list[timedelta]:
        """Every wait between attempts, in order (for documentation and the log page)."""
        return [self.delay(n) for n in range(1, self.max_attempts)]
