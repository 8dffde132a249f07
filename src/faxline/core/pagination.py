"""Paginated lists in the API's one shape: ``{"items": [...], "count": N}``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from faxline.core.errors import ValidationFailed

# Past any list's end, and below what a database integer holds (a larger offset overflowed).
MAX_OFFSET = 1_000_000_000


def paginate(queryset: QuerySet[Any], *, limit: int, offset: int) -> tuple[list[Any], int]:
    """Slice ``queryset``; ``limit`` 1..FAXLINE_API_MAX_PAGE, ``offset`` ≥ 0."""
    if limit < 1 or limit > settings.FAXLINE_API_MAX_PAGE:
        raise ValidationFailed(
            f"limit must be between 1 and {settings.FAXLINE_API_MAX_PAGE}.", field="limit"
        )
    if offset < 0 or offset > MAX_OFFSET:
        raise ValidationFailed(f"offset must be between 0 and {MAX_OFFSET}.", field="offset")
    return list(queryset[offset : offset + limit]), queryset.count()
