"""Paginated lists in the API's one shape: ``{"items": [...], "count": N}``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from faxline.core.errors import ValidationFailed


def paginate(queryset: QuerySet[Any], *, limit: int, offset: int) -> tuple[list[Any], int]:
    """Slice ``queryset``; ``limit`` 1..FAXLINE_API_MAX_PAGE, ``offset`` ≥ 0."""
    if limit < 1 or limit > settings.FAXLINE_API_MAX_PAGE:
        raise ValidationFailed(
            f"limit must be between 1 and {settings.FAXLINE_API_MAX_PAGE}.", field="limit"
        )
    if offset < 0:
        raise ValidationFailed("offset must be 0 or more.", field="offset")
    return list(queryset[offset : offset + limit]), queryset.count()
