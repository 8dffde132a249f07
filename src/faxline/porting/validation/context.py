"""What the validator needs to know beyond the request: which of its numbers are taken."""

from __future__ import annotations

from collections.abc import Collection, Set
from dataclasses import dataclass, field

from faxline.porting.validation.normalize import phone_key


@dataclass(frozen=True)
class ValidationContext:
    """Numbers the platform already knows about, asked about one request's numbers at a time.

    This base holds them in memory (the CLI, tests): ``open_request_numbers`` are the numbers
    of other open port requests (not this one: when an existing request is validated again,
    its own numbers must be left out), ``in_service_numbers`` the numbers already in service
    on this platform, each in any spelling. The database's context
    (``porting.validation.checks.PlatformContext``) answers the same two questions with
    indexed lookups of the request's own numbers, so validating costs the same however many
    numbers and requests the platform holds.
    """

    open_request_numbers: Set[str] = field(default_factory=frozenset)
    in_service_numbers: Set[str] = field(default_factory=frozenset)

    def numbers_in_service(self, numbers: Collection[str]) -> set[str]:
        """Which of ``numbers`` (E.164) are in service on this platform."""
        known = {phone_key(n) for n in self.in_service_numbers}
        return {n for n in numbers if n in known}

    def numbers_in_open_requests(self, numbers: Collection[str]) -> set[str]:
        """Which of ``numbers`` (E.164) another open port request already holds."""
        known = {phone_key(n) for n in self.open_request_numbers}
        return {n for n in numbers if n in known}


def default_context() -> ValidationContext:
    """An empty context: nothing is known to be taken (a checkout without a database)."""
    return ValidationContext()
