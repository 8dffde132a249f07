"""Bulk port requests: a CSV file of many numbers, split into one Draft request per losing
carrier + BTN + service address + authorized person (the grouping carriers require: the
numbers of one port request share them).

The file is checked as a whole first (size, encoding, header, number of rows): a file that
fails those checks creates nothing. Then each row is checked on its own, the rows are
grouped, and each group becomes one request through ``services.port_request_create`` inside
its own savepoint: all or nothing per group. A group with a refused row is not created (a
request missing one of the customer's numbers would be worse than none); the report says,
group by group and row by row, what happened.

Also here: :func:`numbers_from_text`, the "paste or upload a CSV of many numbers" of the
New Port Request wizard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.core.audit import audit_record
from faxline.core.csvfile import column_name, iter_rows, read_records
from faxline.core.csvfile import decode_csv as _decode_csv
from faxline.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from faxline.numbers.plan import display_number, normalize_number
from faxline.porting.access import may_write_company_requests
from faxline.porting.choices import LineType, PortType
from faxline.porting.requests.fields import FIELDS
from faxline.porting.requests.services import MAX_NUMBERS, port_request_create

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000

# The columns come from the request's field list (``porting.requests.fields``): first what
# identifies the number, then the account and the address, then who to talk to (blank: the
# uploader), as the template shows them.
_CSV_FIELDS = [f for f in FIELDS if f.csv and not f.contact] + [f for f in FIELDS if f.contact]
COLUMNS: tuple[str, ...] = (
    "number",
    "line_type",
    *(f.name for f in _CSV_FIELDS if f.csv in ("required", "optional")),
)
# Optional columns beyond the standard ones.
EXTRA_COLUMNS: tuple[str, ...] = tuple(f.name for f in _CSV_FIELDS if f.csv == "extra")
REQUIRED_COLUMNS: tuple[str, ...] = (
    "number",
    *(f.name for f in _CSV_FIELDS if f.csv == "required"),
)
REQUIRED_VALUES = REQUIRED_COLUMNS
# Within one group these must agree (they are one account at the losing carrier).
GROUP_SHARED = (
    "account_number",
    "pin",
    "business_name",
    "authorized_title",
    "authorized_email",
    "port_type",
    "new_btn",
)
CONTACT_COLUMNS: tuple[str, ...] = tuple(f.name for f in _CSV_FIELDS if f.contact)
COLUMN_HELP: dict[str, str] = {
    "number": "Required. The number to port, in any common spelling (+1 206 555 0123).",
    "line_type": "landline, wireless, voip, toll_free or unknown (blank: unknown).",
    **{f.name: f.csv_help for f in _CSV_FIELDS},
}
# Taken from a group's first row as they are (the number, BTN and contact are worked out).
_ACCOUNT_COLUMNS = tuple(f.name for f in _CSV_FIELDS if not f.contact and f.name != "btn")


@dataclass
class BulkRowProblem:
    """A refused data row: why, and the column it is about."""

    row: int  # 1-based data row (the header is not counted)
    line: int  # line of the file where the row starts
    number: str
    message: str
    field: str | None = None


@dataclass
class BulkGroup:
    """One group of rows (one future request) and what became of it."""

    index: int
    losing_carrier: str
    btn: str
    address: str
    authorized_name: str
    rows: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    status: Literal["created", "refused"] = "refused"
    request_id: int | None = None
    message: str = ""
    field: str | None = None

    @property
    def label(self) -> str:
        return f"{self.losing_carrier} · BTN {self.btn} · {self.address} · {self.authorized_name}"


@dataclass
class BulkPortReport:
    """The groups in the order of their first row, and every refused row."""

    groups: list[BulkGroup] = field(default_factory=list)
    refused_rows: list[BulkRowProblem] = field(default_factory=list)
    rows: int = 0

    @property
    def created(self) -> int:
        return sum(1 for g in self.groups if g.status == "created")

    @property
    def refused(self) -> int:
        return sum(1 for g in self.groups if g.status == "refused")

    @property
    def request_ids(self) -> list[int]:
        return [g.request_id for g in self.groups if g.request_id is not None]


@dataclass
class _Row:
    row: int
    line: int
    values: dict[str, str]
    number: str = ""
    btn: str = ""
    problem: BulkRowProblem | None = None


# --- the file ---------------------------------------------------------------------------


def decode_csv(data: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    """The text of an uploaded CSV file (see ``faxline.core.csvfile``)."""
    return _decode_csv(data, max_bytes=max_bytes)


def _column_name(raw: str) -> str:
    return column_name(raw)


def _parse(text: str) -> list[_Row]:
    columns, found = read_records(
        text,
        known=[*COLUMNS, *EXTRA_COLUMNS],
        required=REQUIRED_COLUMNS,
        listed=COLUMNS,
        max_rows=MAX_ROWS,
    )
    rows: list[_Row] = []
    for record in found:
        row = _Row(record.row, record.line, record.values)
        if record.cells > len(columns):
            row.problem = BulkRowProblem(
                row.row,
                record.line,
                record.values.get("number", ""),
                f"The row has {record.cells} values but the header has {len(columns)} columns.",
            )
        rows.append(row)
    return rows


# --- rows and groups --------------------------------------------------------------------


def _check_row(row: _Row, seen: dict[str, int]) -> None:
    """Shape checks of one row; the first problem found refuses it."""
    if row.problem is not None:
        return
    values = row.values

    def refuse(message: str, column: str) -> None:
        row.problem = BulkRowProblem(row.row, row.line, values.get("number", ""), message, column)

    for column in REQUIRED_VALUES:
        if not values.get(column):
            refuse(f"{column} is required.", column)
            return
    try:
        row.number = normalize_number(values["number"], field="number")
    except ValidationFailed as exc:
        refuse(exc.message, "number")
        return
    if row.number in seen:
        refuse(f"{row.number} is listed twice (also in row {seen[row.number]}).", "number")
        return
    seen[row.number] = row.row
    line_type = values.get("line_type", "").lower() or LineType.UNKNOWN
    if line_type not in LineType.values:
        refuse("line_type must be landline, wireless, voip, toll_free or unknown.", "line_type")
        return
    values["line_type"] = line_type
    if values.get("btn"):
        try:
            row.btn = normalize_number(values["btn"], field="btn")
        except ValidationFailed as exc:
            refuse(exc.message, "btn")
            return
    else:
        row.btn = row.number
    port_type = values.get("port_type", "").lower() or PortType.FULL
    if port_type not in PortType.values:
        refuse("port_type must be full or partial.", "port_type")
        return
    values["port_type"] = port_type
    country = values.get("country", "").upper() or "US"
    if country not in ("US", "CA"):
        refuse("country must be US or CA.", "country")
        return
    values["country"] = country


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _national(raw: str) -> str:
    """A number as grouping compares it: national digits, whether it parses or not."""
    try:
        return normalize_number(raw, field="btn").removeprefix("+1")
    except ValidationFailed:
        digits = re.sub(r"\D", "", raw)
        return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def _btn_key(row: _Row) -> str:
    return _national(row.values.get("btn") or row.values.get("number", ""))


def _group_key(row: _Row) -> tuple[str, ...]:
    v = row.values
    return (
        _fold(v.get("losing_carrier", "")),
        _btn_key(row),
        _fold(v.get("street", "")),
        _fold(v.get("unit", "")),
        _fold(v.get("city", "")),
        _fold(v.get("state", "")),
        re.sub(r"\s", "", v.get("postal_code", "")).casefold(),
        (v.get("country") or "US").upper(),
        _fold(v.get("authorized_name", "")),
    )


def _address_line(values: dict[str, str]) -> str:
    unit = f", {values['unit']}" if values.get("unit") else ""
    return (
        f"{values.get('street', '')}{unit}, {values.get('city', '')}, "
        f"{values.get('state', '').upper()} {values.get('postal_code', '')}"
    )


def _field_of(exc: DomainError, group_rows: list[_Row]) -> tuple[str | None, str]:
    """The CSV column (and the row, in the message) a service refusal names."""
    name = exc.field or None
    match = re.fullmatch(r"numbers\[(\d+)\]\.(\w+)", name or "")
    if match:
        row = group_rows[int(match.group(1))]
        return match.group(2), f"Row {row.row}: {exc.message}"
    return name, exc.message


def _group_data(actor: Actor, rows: list[_Row]) -> dict[str, Any]:
    first = rows[0].values
    user = actor.user
    data: dict[str, Any] = {
        "numbers": [{"number": r.number, "line_type": r.values["line_type"]} for r in rows],
        "btn": rows[0].btn,
        **{name: first.get(name, "") for name in _ACCOUNT_COLUMNS},
    }
    contact = {
        c: next((r.values.get(c, "") for r in rows if r.values.get(c)), "") for c in CONTACT_COLUMNS
    }
    data["contact_first_name"] = contact["contact_first_name"] or user.first_name or user.username
    data["contact_last_name"] = contact["contact_last_name"] or user.last_name or "-"
    data["contact_email"] = contact["contact_email"] or user.email
    data["contact_phone"] = contact["contact_phone"]
    return data


def _disagreement(rows: list[_Row]) -> tuple[str, str] | None:
    for column in GROUP_SHARED:
        values = {_fold(r.values.get(column, "")) for r in rows}
        if len(values) > 1:
            numbers = ", ".join(str(r.row) for r in rows)
            return column, (
                f"The rows of this group (rows {numbers}) give different {column} values; "
                "one request is one account at the losing carrier, so they must agree."
            )
    return None


def port_requests_bulk_create(*, actor: Actor, company: Company, data: bytes) -> BulkPortReport:
    """Split a CSV file of numbers into Draft port requests, one per losing carrier + BTN +
    service address + authorized person; all or nothing per group."""
    may_write_company_requests(actor, company).check()
    rows = _parse(decode_csv(data))
    seen: dict[str, int] = {}
    for row in rows:
        _check_row(row, seen)
    report = BulkPortReport(rows=len(rows))
    report.refused_rows = [r.problem for r in rows if r.problem is not None]
    groups: dict[tuple[str, ...], list[_Row]] = {}
    for row in rows:
        groups.setdefault(_group_key(row), []).append(row)
    for index, members in enumerate(groups.values(), start=1):
        head = members[0]
        group = BulkGroup(
            index=index,
            losing_carrier=head.values.get("losing_carrier", ""),
            btn=display_number(head.btn) if head.btn else head.values.get("btn", ""),
            address=_address_line(head.values),
            authorized_name=head.values.get("authorized_name", ""),
            rows=[r.row for r in members],
            numbers=[r.number or r.values.get("number", "") for r in members],
        )
        report.groups.append(group)
        refused = [r for r in members if r.problem is not None]
        if refused:
            which = ", ".join(str(r.row) for r in refused)
            group.message = (
                f"Not created: row{'s' if len(refused) > 1 else ''} {which} of this group "
                f"{'were' if len(refused) > 1 else 'was'} refused (a group is created whole "
                "or not at all). Fix the row and upload the group again."
            )
            continue
        if len(members) > MAX_NUMBERS:
            group.message = f"Not created: more than {MAX_NUMBERS} numbers in one request."
            group.field = "number"
            continue
        disagreement = _disagreement(members)
        if disagreement is not None:
            group.field, group.message = disagreement
            continue
        try:
            with transaction.atomic():
                request = port_request_create(
                    actor=actor, company=company, data=_group_data(actor, members)
                )
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            group.field, group.message = _field_of(exc, members)
            continue
        group.status = "created"
        group.request_id = request.pk
        group.message = f"Port request {request.pk} (Draft) with {len(members)} number(s)."
    audit_record(
        kind="port_request.bulk_import",
        actor=actor.user,
        company=company,
        ip_address=actor.ip_address,
        detail={
            "rows": report.rows,
            "created": report.created,
            "refused_groups": report.refused,
            "refused_rows": len(report.refused_rows),
        },
    )
    return report


# --- the wizard's list of numbers -------------------------------------------------------


@dataclass
class NumberList:
    """Numbers read from pasted text or a CSV file: (E.164, line type) and the problems."""

    numbers: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# The pasted or uploaded list is read a line at a time and no further than this: a file of
# blank lines, repeats or nonsense must not cost more than a list of numbers does.
MAX_TEXT_LINES = 10_000
MAX_TEXT_PROBLEMS = 20


def numbers_from_text(text: str, *, limit: int = MAX_NUMBERS) -> NumberList:
    """Numbers, one a line: ``number`` or ``number,line_type`` (a header line naming the
    columns is allowed, and a full bulk CSV is read by its number and line_type columns).

    Reading stops at ``limit`` numbers, at ``MAX_TEXT_LINES`` lines or at
    ``MAX_TEXT_PROBLEMS`` refused lines, each with a problem that says so; text that is not
    valid CSV (or has a value that is too long) gives no numbers and one problem."""
    out = NumberList()
    number_at, type_at = 0, 1
    seen: set[str] = set()
    first = True
    try:
        for count, (index, raw_cells) in enumerate(iter_rows(text), start=1):
            if count > MAX_TEXT_LINES:
                out.problems.append(
                    f"The list has more than {MAX_TEXT_LINES} lines; use Bulk import."
                )
                break
            if len(out.problems) >= MAX_TEXT_PROBLEMS:
                out.problems.append("Too many lines are wrong: check that this is the list.")
                break
            cells = [c.strip() for c in raw_cells]
            if not any(cells):
                continue
            names = [_column_name(c) for c in cells]
            if first and "number" in names:
                number_at = names.index("number")
                type_at = names.index("line_type") if "line_type" in names else -1
                first = False
                continue
            first = False
            raw = cells[number_at] if number_at < len(cells) else ""
            line_type = (cells[type_at].lower() if 0 <= type_at < len(cells) else "") or "landline"
            try:
                number = normalize_number(raw, field="number")
            except ValidationFailed:
                out.problems.append(f"Line {index}: {raw!r} is not a valid US or Canadian number.")
                continue
            if line_type not in LineType.values:
                out.problems.append(
                    f"Line {index}: line type {line_type!r} is not landline, wireless, voip, "
                    "toll_free or unknown."
                )
                continue
            if number in seen:
                continue
            if len(out.numbers) >= limit:
                out.problems.append(
                    f"At most {limit} numbers per request; use Bulk import to split."
                )
                break
            seen.add(number)
            out.numbers.append((number, line_type))
    except ValidationFailed as exc:
        return NumberList(problems=[exc.message])
    return out
