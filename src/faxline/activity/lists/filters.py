"""The filter engine of the Activity lists: what a list lets people search by, how a query
string becomes a search, and how one page of the result is cut.

A list is a :class:`ListDefinition` (``outbound.OUTBOUND``, ``inbound.INBOUND``): its filter
fields, columns, statuses, the date it is searched by and its order. :func:`parse` reads the
query string of the portal page and of the API the same way (the parameters below) and
refuses what is wrong with :class:`ValidationFailed` naming the parameter (422 in the API, a
message beside the filter bar on the page). :func:`search` turns a parsed
:class:`ActivityQuery` into a filter of the list's model; :func:`page_of` cuts one page.

Parameters (the same names in the portal and the API):

- ``from``, ``to``: the date range, ``YYYY-MM-DD``, both days included, in the person's time
  zone; default the last :data:`DEFAULT_DAYS` days up to today; at most :data:`MAX_DAYS`
  days.
- ``filter``, ``search``, ``match``: filter rows, repeated in order (the page's "+" adds a
  row); every row must hold (AND). ``filter`` names a field of the list (empty: "No
  Filter"), ``search`` what to look for (a row with an empty search is left out),
  ``match`` ``exact`` (default) or ``contains``. At most :data:`MAX_FILTER_ROWS` rows.
- ``status``: ``all`` (default), ``success``, ``failed`` or ``in_progress``.
- ``partial`` (lists with the Partial filter): empty (No Filter), ``yes`` or ``no``.

Paging is LIMIT/OFFSET, newest first, over at most the first :data:`COUNT_CAP` matches: the
count is ``SELECT COUNT(*)`` of ``LIMIT COUNT_CAP + 1`` rows (bounded whatever the size of the
company's history), shown as "more than 10,000" when it is reached; a page past the cap is
refused, and people narrow the dates or the filters instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import and_
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q, QuerySet
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.core.access import Decision
from faxline.core.errors import ValidationFailed

DEFAULT_DAYS = 30
MAX_DAYS = 366
# Dates people may search (outside: refused, and no date arithmetic overflows).
EARLIEST = date(1970, 1, 1)
LATEST = date(2999, 12, 31)
MAX_FILTER_ROWS = 8
MAX_SEARCH_CHARS = 100
ROW_COUNTS: tuple[int, ...] = (10, 15, 20, 50, 100, 250, 500, 1000)
DEFAULT_ROWS = 100
COUNT_CAP = 10_000

EXACT = "exact"
CONTAINS = "contains"
MATCHES = {EXACT: "Exact Match", CONTAINS: "Contains"}

ALL = "all"
SUCCESS = "success"
FAILED = "failed"
IN_PROGRESS = "in_progress"
STATUSES = {ALL: "All", SUCCESS: "Success", FAILED: "Failed", IN_PROGRESS: "In Progress"}
PARTIAL = {"": "No Filter", "yes": "Yes", "no": "No"}

# (actor, cleaned search, match) -> a filter of the list's model
Builder = Callable[[Actor, str, str], Q]
# (raw search, match) -> the search as the builder takes it; refuses a bad one
Cleaner = Callable[[str, str], str]


def _as_is(raw: str, match: str) -> str:
    return raw


@dataclass(frozen=True)
class FilterField:
    """A field a list can be filtered by: its parameter value (``recipient``), its label
    in the filter bar, and how a search of it becomes a filter (``build``), after
    ``clean`` checked and normalized what was typed."""

    name: str
    label: str
    build: Builder
    clean: Cleaner = _as_is
    hint: str = ""


@dataclass(frozen=True)
class Column:
    """A column of a list's table; ``shown`` by default or only when chosen."""

    key: str
    label: str
    shown: bool = True


@dataclass(frozen=True)
class ListDefinition:
    """One Activity list: what it is searched by and shown with.

    ``statuses`` maps ``success``, ``failed`` and ``in_progress`` to a filter of the model;
    ``date_field`` is the moment the date range applies to; ``order`` the newest-first
    order (with a unique last key, so that pages never repeat or skip a row);
    ``may_see(actor)`` the access rule of the list; ``scope(actor)`` the rows the actor may
    see at all (faxing's selectors)."""

    name: str
    title: str
    fields: tuple[FilterField, ...]
    columns: tuple[Column, ...]
    statuses: Mapping[str, Q]
    date_field: str
    order: tuple[str, ...]
    may_see: Callable[[Actor], Decision]
    scope: Callable[[Actor], QuerySet[Any]]
    related: tuple[str, ...] = ()
    has_partial: bool = False

    def field(self, name: str) -> FilterField | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def column_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    @property
    def default_columns(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns if c.shown)


@dataclass(frozen=True)
class FilterRow:
    """One row of the filter bar: a field, what was typed (``search``), the match, and the
    search as the field's builder takes it (``value``: a fax number in E.164...)."""

    field: str
    search: str
    match: str = EXACT
    value: str = ""


@dataclass(frozen=True)
class ActivityQuery:
    """A parsed search of an Activity list."""

    date_from: date
    date_to: date
    rows: tuple[FilterRow, ...] = ()
    status: str = ALL
    partial: str = ""

    def params(self) -> list[tuple[str, str]]:
        """The search as query-string pairs (links of other pages keep it)."""
        pairs = [("from", self.date_from.isoformat()), ("to", self.date_to.isoformat())]
        for row in self.rows:
            pairs += [("filter", row.field), ("search", row.search), ("match", row.match)]
        if self.status != ALL:
            pairs.append(("status", self.status))
        if self.partial:
            pairs.append(("partial", self.partial))
        return pairs


Params = Mapping[str, Sequence[str]]


def zone_of(actor: Actor) -> ZoneInfo:
    """The person's time zone (their Custom settings), UTC when unknown."""
    name = getattr(actor.user, "time_zone", "") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def today_for(actor: Actor) -> date:
    return timezone.now().astimezone(zone_of(actor)).date()


def _one(params: Params, name: str) -> str:
    values = params.get(name) or []
    return values[-1].strip() if values else ""


def _date(raw: str, name: str) -> date | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            f"{name}: {raw[:20]!r} is not a date; give it as YYYY-MM-DD.", field=name
        ) from None
    if not EARLIEST <= day <= LATEST:
        raise ValidationFailed(
            f"{name}: {day.isoformat()} is out of range ({EARLIEST.year} to {LATEST.year}).",
            field=name,
        )
    return day


def parse_dates(params: Params, *, today: date) -> tuple[date, date]:
    """``from`` and ``to``: the last :data:`DEFAULT_DAYS` days by default; ``from`` alone
    runs to today, ``to`` alone covers the :data:`DEFAULT_DAYS` days up to it."""
    start = _date(_one(params, "from"), "from")
    end = _date(_one(params, "to"), "to")
    span = timedelta(days=DEFAULT_DAYS - 1)
    if end is None:
        end = today if start is None or start <= today else start
    if start is None:
        start = end - span
    if start > end:
        raise ValidationFailed("to: the end of the date range is before its start.", field="to")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(
            f"from: the date range is {(end - start).days + 1} days long; search at most "
            f"{MAX_DAYS} days at a time.",
            field="from",
        )
    return start, end


def parse_rows(definition: ListDefinition, params: Params) -> tuple[FilterRow, ...]:
    """The filter rows, in order (``filter``, ``search`` and ``match`` repeated)."""
    fields = [v.strip() for v in params.get("filter") or []]
    searches = [v.strip() for v in params.get("search") or []]
    matches = [v.strip() for v in params.get("match") or []]
    count = max(len(fields), len(searches))
    if count > MAX_FILTER_ROWS:
        raise ValidationFailed(
            f"filter: at most {MAX_FILTER_ROWS} filters at a time.", field="filter"
        )
    rows = []
    for i in range(count):
        name = fields[i] if i < len(fields) else ""
        search = searches[i] if i < len(searches) else ""
        match = (matches[i] if i < len(matches) else "") or EXACT
        if match not in MATCHES:
            raise ValidationFailed(
                f"match: {match[:20]!r} is not a match; use exact or contains.", field="match"
            )
        if not name:
            if search:
                raise ValidationFailed(
                    f"filter: choose what to search {search[:40]!r} in.", field="filter"
                )
            continue
        known = definition.field(name)
        if known is None:
            choices = ", ".join(f.name for f in definition.fields)
            raise ValidationFailed(
                f"filter: {name[:30]!r} is not a filter of {definition.title}; use one of "
                f"{choices}.",
                field="filter",
            )
        if not search:
            continue
        if len(search) > MAX_SEARCH_CHARS:
            raise ValidationFailed(
                f"search: at most {MAX_SEARCH_CHARS} characters.", field="search"
            )
        rows.append(FilterRow(name, search, match, known.clean(search, match)))
    return tuple(rows)


def parse(definition: ListDefinition, params: Params, *, today: date) -> ActivityQuery:
    """The search the query string asks for (see the module's documentation); a bad
    parameter is refused naming it."""
    start, end = parse_dates(params, today=today)
    status = _one(params, "status") or ALL
    if status not in STATUSES:
        raise ValidationFailed(
            f"status: {status[:20]!r} is not a status; use all, success, failed or in_progress.",
            field="status",
        )
    partial = _one(params, "partial").lower() if definition.has_partial else ""
    if partial not in PARTIAL:
        raise ValidationFailed(
            f"partial: {partial[:20]!r} is not a choice; use yes, no or leave it empty.",
            field="partial",
        )
    return ActivityQuery(start, end, parse_rows(definition, params), status, partial)


def parse_row_count(raw: str | None, *, default: int) -> int:
    """Row Count: one of :data:`ROW_COUNTS` (none given: ``default``)."""
    raw = (raw or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw[:6]) not in ROW_COUNTS:
        raise ValidationFailed(
            f"rows: the Row Count is one of {', '.join(map(str, ROW_COUNTS))}.", field="rows"
        )
    return int(raw)


def parse_page(raw: str | None) -> int:
    """Go to page: a page number from 1."""
    raw = (raw or "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or int(raw[:9]) < 1:
        raise ValidationFailed("page: a page number is 1 or more.", field="page")
    return int(raw[:9])


def search(definition: ListDefinition, actor: Actor, query: ActivityQuery) -> QuerySet[Any]:
    """The rows of ``definition`` the actor may see that match ``query``, newest first,
    with the related rows a page shows (no query per row). A person the list is not for is
    refused (403)."""
    definition.may_see(actor).check()
    zone = zone_of(actor)
    start = datetime.combine(query.date_from, time.min, tzinfo=zone)
    end = datetime.combine(query.date_to + timedelta(days=1), time.min, tzinfo=zone)
    conditions = [
        Q(**{f"{definition.date_field}__gte": start, f"{definition.date_field}__lt": end})
    ]
    for row in query.rows:
        known = definition.field(row.field)
        assert known is not None  # parse() refused unknown fields
        conditions.append(known.build(actor, row.value, row.match))
    if query.status != ALL:
        conditions.append(definition.statuses[query.status])
    if query.partial:
        conditions.append(Q(partial=query.partial == "yes"))
    return (
        definition.scope(actor)
        .filter(reduce(and_, conditions))
        .select_related(*definition.related)
        .order_by(*definition.order)
    )


@dataclass
class ActivityPage:
    """One page of a search: its rows, the (capped) count and where it is."""

    items: list[Any]
    count: int
    capped: bool
    number: int
    rows: int
    extra: dict[Any, Any] = field(default_factory=dict)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.rows))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.rows + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.items) - 1 if self.items else 0


def count_capped(queryset: QuerySet[Any]) -> tuple[int, bool]:
    """How many rows match, counting at most :data:`COUNT_CAP` (+1 to know it is more)."""
    count = queryset.order_by()[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP


def page_of(queryset: QuerySet[Any], *, number: int, rows: int) -> ActivityPage:
    """Page ``number`` of ``rows`` rows (two queries: the capped count and the page). A
    number past the last page shows the last one."""
    count, capped = count_capped(queryset)
    pages = max(1, math.ceil(count / rows))
    number = min(number, pages)
    start = (number - 1) * rows
    return ActivityPage(list(queryset[start : start + rows]), count, capped, number, rows)


def check_offset(offset: int) -> None:
    """The API pages within the first :data:`COUNT_CAP` matches too."""
    if offset > COUNT_CAP:
        raise ValidationFailed(
            f"offset: at most the first {COUNT_CAP} matches are paged; narrow the date range "
            "or the filters.",
            field="offset",
        )


# --- builders the lists share ------------------------------------------------------------

DIGITS = re.compile(r"\D+")


def number_cleaner(*, lenient: bool = False) -> Cleaner:
    """A fax number: exact takes any spelling (normalized to E.164; ``lenient`` keeps what
    was typed when it is not a valid number, for callers' numbers), contains its digits."""
    from faxline.telephony.transport import normalized_number

    def clean(raw: str, match: str) -> str:
        if match == CONTAINS:
            digits = DIGITS.sub("", raw)
            if not digits:
                raise ValidationFailed(
                    f"search: {raw[:30]!r} has no digits to look for in a fax number.",
                    field="search",
                )
            return digits
        try:
            return normalized_number(raw, field_name="search")
        except ValidationFailed:
            if lenient:
                return raw
            raise

    return clean


def number_field(name: str, label: str, column: str, *, lenient: bool = False) -> FilterField:
    def build(actor: Actor, value: str, match: str) -> Q:
        if match == CONTAINS:
            return Q(**{f"{column}__contains": value})
        return Q(**{column: value})

    return FilterField(name, label, build, number_cleaner(lenient=lenient), "any spelling")


# How many departments or people a name filter may stand for: their ids are looked up first
# and given to the list's query as values (a subquery there hides them from the planner,
# which then reads the whole date range: 120-290 ms at a million jobs, against under 1 ms).
MAX_MATCHED = 2000


def _matched_ids(rows: QuerySet[Any], column: str) -> Q:
    ids = list(rows.values_list("pk", flat=True)[: MAX_MATCHED + 1])
    if len(ids) > MAX_MATCHED:
        return Q(**{f"{column}_id__in": rows.values("pk")})
    return Q(**{f"{column}_id__in": ids})


def department_field(column: str = "department") -> FilterField:
    """A department by name, with its whole subtree (a department administrator's jobs are
    those of their subtree too): one query finds the departments named so in the actor's
    companies, another their subtrees' ids, which the list then keeps the rows of."""
    from faxline.accounts.models import Department

    def build(actor: Actor, value: str, match: str) -> Q:
        lookup = "name__icontains" if match == CONTAINS else "name__iexact"
        paths = list(
            Department.objects.filter(actor.in_companies_q(), **{lookup: value}).values_list(
                "path", flat=True
            )[:200]
        )
        if not paths:
            return Q(pk__in=[])
        subtree = reduce(
            lambda q, p: q | Q(path__startswith=p), paths[1:], Q(path__startswith=paths[0])
        )
        return _matched_ids(Department.objects.filter(subtree), column)

    return FilterField("department", "Department", build, hint="its sub-departments too")


def person_field(name: str, label: str, column: str) -> FilterField:
    """A person by username or name ("bill", "Bill Payer", "Payer")."""
    from django.db.models import Value
    from django.db.models.functions import Concat

    from faxline.accounts.models import User

    def build(actor: Actor, value: str, match: str) -> Q:
        op = "icontains" if match == CONTAINS else "iexact"
        people = (
            User.objects.filter(actor.in_companies_q())
            .annotate(spelled_name=Concat("first_name", Value(" "), "last_name"))
            .filter(
                Q(**{f"username__{op}": value})
                | Q(**{f"spelled_name__{op}": value})
                | Q(**{f"first_name__{op}": value})
                | Q(**{f"last_name__{op}": value})
            )
        )
        return _matched_ids(people, column)

    return FilterField(name, label, build, hint="username or name")


def identifier_field(name: str, label: str, column: str) -> FilterField:
    """A job identifier ("501-26438917"): digits and a dash, matched as typed without the
    spaces (exact uses the unique index; a case-insensitive match would read every row)."""

    def clean(raw: str, match: str) -> str:
        return "".join(raw.split())

    def build(actor: Actor, value: str, match: str) -> Q:
        return Q(**{f"{column}__contains" if match == CONTAINS else column: value})

    return FilterField(name, label, build, clean)
