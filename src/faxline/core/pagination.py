"""One pagination for every list of the API (DESIGN.md convention 13).

Every list endpoint of ``/api/v1`` takes ``limit`` (1 to ``FAXLINE_API_MAX_PAGE``, default
:data:`DEFAULT_LIMIT`) and ``offset`` (0 or more) and answers ``{"items": [...], "count":
N}``: one page of items and how many there are in all. A bad ``limit`` or ``offset`` is a
422 naming it. The portal's tables page the same way through the toolkit
(``faxline.portal.toolkit.paging``), with page links and Row Count choices.

``count`` stays: at provider scale every list is filtered on indexed columns and counting
it costs a fraction of a millisecond (``bench/lists.py``); a list where counting became the
cost would switch to a cursor (``{"items", "next"}``) and say so in its description.

A page is only stable when the order is: a queryset without one is ordered by primary key
here, so that two pages never repeat or skip a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import QuerySet

from faxline.core.errors import ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 50
# Past any list's end, and below what a database integer holds (a larger offset overflowed).
MAX_OFFSET = 1_000_000_000


def max_limit() -> int:
    """The largest page the API serves (``FAXLINE_API_MAX_PAGE``)."""
    return int(settings.FAXLINE_API_MAX_PAGE)


def limit_description() -> str:
    """The description of a ``limit`` parameter, for the OpenAPI document."""
    return f"Page size, 1 to {max_limit()} (default {DEFAULT_LIMIT})."


def check_window(*, limit: int, offset: int) -> None:
    """Refuse a page that is not one: ``limit`` 1..max, ``offset`` 0..``MAX_OFFSET`` (422
    naming it)."""
    if isinstance(limit, bool) or limit < 1 or limit > max_limit():
        raise ValidationFailed(f"limit must be between 1 and {max_limit()}.", field="limit")
    if isinstance(offset, bool) or offset < 0 or offset > MAX_OFFSET:
        raise ValidationFailed(f"offset must be between 0 and {MAX_OFFSET}.", field="offset")


def paginate(queryset: QuerySet[Any], *, limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of ``queryset`` and the number of rows in all (two queries)."""
    check_window(limit=limit, offset=offset)
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    return list(queryset[offset : offset + limit]), queryset.count()


def paginate_list(items: Sequence[T], *, limit: int, offset: int) -> tuple[list[T], int]:
    """One page of a list already in memory (a timeline merged from several tables)."""
    check_window(limit=limit, offset=offset)
    return list(items[offset : offset + limit]), len(items)


__all__ = [
    "DEFAULT_LIMIT",
    "check_window",
    "limit_description",
    "max_limit",
    "paginate",
    "paginate_list",
]
