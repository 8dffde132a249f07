"""Paging of the portal's tables: one page of rows, page links and Row Count choices.

Every table of the portal that can grow with the data is paged here (DESIGN.md convention
13), the API's twin is :mod:`faxline.core.pagination`. A view calls :func:`paginate_table`
with the request and the rows (a queryset, or a list already bounded) and renders
``portal/_paging.html`` with the :class:`TablePage` it returns::

    table = paginate_table(request, qs, row_counts=(10, 25, 50, 100), default_rows=25)
    ... {"table": table} ...
    {% include "portal/_paging.html" with table=table label="Fax numbers pages" %}

``?page=`` picks the page (a number past the end shows the last page, anything else the
first), ``?rows=`` the Row Count (one of ``row_counts``, else the default). The links keep
every other parameter of the request (filters, sort, the company), so paging never loses
them. With ``htmx_target`` the links and the Row Count choice swap that element only
(``hx-select`` picks it out of the whole page, so the view needs no fragment template) and,
unless ``htmx_push_url`` is False (a table in a dialog), update the address bar.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.http import urlencode

ROW_COUNTS: tuple[int, ...] = (10, 25, 50, 100)
DEFAULT_ROWS = 25
# Page numbers shown around the current one (the first and last are always shown).
WINDOW = 2


@dataclass(frozen=True)
class PageLink:
    """One entry of the page links: a page number, or a gap (``number`` None)."""

    number: int | None
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class RowCount:
    """One Row Count choice."""

    rows: int
    url: str
    selected: bool


@dataclass
class TablePage:
    """One page of a table and how to reach the others."""

    items: list[Any]
    count: int
    number: int
    rows: int
    num_pages: int
    path: str
    params: dict[str, str]
    row_counts: tuple[int, ...]
    default_rows: int
    page_param: str = "page"
    rows_param: str = "rows"
    htmx_target: str = ""
    htmx_push_url: bool = True
    links: list[PageLink] = field(default_factory=list)

    # --- what the template shows -------------------------------------------------------

    @property
    def start_index(self) -> int:
        return 0 if not self.count else (self.number - 1) * self.rows + 1

    @property
    def end_index(self) -> int:
        return min(self.number * self.rows, self.count)

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def shows_controls(self) -> bool:
        """Paging controls are worth showing: several pages, or more rows than the smallest
        Row Count (so a smaller one would page)."""
        return self.has_other_pages or self.count > min(self.row_counts)

    def url(self, number: int) -> str:
        """The URL of page ``number`` with the same filters and Row Count."""
        query = dict(self.params)
        if self.rows != self.default_rows:
            query[self.rows_param] = str(self.rows)
        if number > 1:
            query[self.page_param] = str(number)
        return f"{self.path}?{urlencode(query)}" if query else self.path

    @property
    def first_url(self) -> str:
        return self.url(1)

    @property
    def previous_url(self) -> str:
        return self.url(max(self.number - 1, 1))

    @property
    def next_url(self) -> str:
        return self.url(min(self.number + 1, self.num_pages))

    @property
    def last_url(self) -> str:
        return self.url(self.num_pages)

    @property
    def row_count_choices(self) -> list[RowCount]:
        """The Row Count choices; choosing one goes back to the first page."""
        out = []
        for rows in self.row_counts:
            query = dict(self.params)
            if rows != self.default_rows:
                query[self.rows_param] = str(rows)
            url = f"{self.path}?{urlencode(query)}" if query else self.path
            out.append(RowCount(rows, url, rows == self.rows))
        return out

    @property
    def hidden_params(self) -> list[tuple[str, str]]:
        """The other parameters, as hidden fields of the Row Count form."""
        return sorted(self.params.items())


def _positive(raw: str | None) -> int | None:
    if raw is None or not raw.strip().isdigit():
        return None
    value = int(raw.strip()[:9])
    return value if value >= 1 else None


def _links(page: TablePage) -> list[PageLink]:
    shown = {1, page.num_pages}
    shown.update(range(page.number - WINDOW, page.number + WINDOW + 1))
    numbers = sorted(n for n in shown if 1 <= n <= page.num_pages)
    links: list[PageLink] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            links.append(PageLink(None))
        links.append(PageLink(number, page.url(number), number == page.number))
        previous = number
    return links


def paginate_table(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    *,
    row_counts: tuple[int, ...] = ROW_COUNTS,
    default_rows: int = DEFAULT_ROWS,
    page_param: str = "page",
    rows_param: str = "rows",
    htmx_target: str = "",
    htmx_push_url: bool = True,
    path: str | None = None,
    drop: tuple[str, ...] = (),
) -> TablePage:
    """One page of ``rows`` as ``request`` asks for it (two queries for a queryset: the
    count and the page). ``drop`` names parameters the links must not carry (one-off
    parameters such as ``next``); ``path`` is where the links point (default: this page)."""
    assert default_rows in row_counts
    size = _positive(request.GET.get(rows_param))
    size = size if size in row_counts else default_rows
    if isinstance(rows, QuerySet):
        if not rows.ordered:
            rows = rows.order_by("pk")
        count = rows.count()
    else:
        count = len(rows)
    num_pages = max(1, math.ceil(count / size))
    asked = _positive(request.GET.get(page_param)) or 1
    number = min(asked, num_pages)
    start = (number - 1) * size
    items = list(rows[start : start + size])
    params = {
        key: str(request.GET.get(key, ""))
        for key in request.GET
        if key not in (page_param, rows_param, *drop) and request.GET.get(key, "") != ""
    }
    page = TablePage(
        items=items,
        count=count,
        number=number,
        rows=size,
        num_pages=num_pages,
        path=path if path is not None else request.path,
        params=params,
        row_counts=row_counts,
        default_rows=default_rows,
        page_param=page_param,
        rows_param=rows_param,
        htmx_target=htmx_target,
        htmx_push_url=htmx_push_url,
    )
    page.links = _links(page)
    return page


__all__ = ["DEFAULT_ROWS", "ROW_COUNTS", "PageLink", "RowCount", "TablePage", "paginate_table"]
