"""What the validator needs to know beyond the request: the numbers already taken."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ValidationContext:
    """Numbers (E.164) the platform already knows about.

    ``open_request_numbers``: the numbers of other open port requests (not this one: when an
    existing request is validated again, its own numbers must be left out).
    ``in_service_numbers``: numbers already in service on this platform.
    """

    open_request_numbers: Set[str] = field(default_factory=frozenset)
    in_service_numbers: Set[str] = field(default_factory=frozenset)


def default_context() -> ValidationContext:
    """The context of the CLI and the API: empty for now.

    The porting desk (port requests and the number inventory, issue 4) fills it from the
    database: the numbers of the other open port requests and the numbers in service here.
    """
    return ValidationContext()
