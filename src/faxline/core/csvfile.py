"""CSV files in and out: one reader with one set of checks, one writer that neutralises
formulas.

Every CSV import reads through here (Bulk Create of users, bulk port requests, number
stock, an onboarding order's numbers, the New Port Request wizard's list of numbers), so a
file's size, encoding, shape, number of rows and length of a value are refused the same way:
a :class:`ValidationFailed` on ``file`` (422), never a crash.

Every CSV the platform writes (the sample files today; exports, reports and call records
later) goes through :func:`csv_text` / :func:`csv_lines`, which neutralise each value that a
spreadsheet would run as a formula (CSV injection): one beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading apostrophe, unless it is a plain number or
phone number, which no spreadsheet can run. The reader takes that apostrophe off again, so
a file written here reads back as it was. (docs/decisions/0019-csv-formulas.md)
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from faxline.core.errors import ValidationFailed

# No column of any import needs more; a longer value means a wrong (or hostile) file.
MAX_FIELD_CHARS = 1000
# What the csv module itself refuses (its process-wide limit, 128 KiB by default).
_CSV_FIELD_LIMIT_ERROR = "field larger than field limit"


def decode_csv(data: bytes, *, max_bytes: int) -> str:
    """The text of an uploaded CSV file; refuses empty, huge, binary and non-UTF-8 files
    (a UTF-8 byte order mark is accepted)."""
    if not data:
        raise ValidationFailed("The file is empty.", field="file", code="file_empty")
    if len(data) > max_bytes:
        raise ValidationFailed(
            f"The file is larger than {max_bytes // 1024} KiB; split it into smaller files.",
            field="file",
            code="file_too_large",
        )
    if b"\x00" in data:
        raise ValidationFailed(
            "The file is not a CSV text file (it contains binary data).",
            field="file",
            code="file_not_text",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "The file is not UTF-8 text; save it as 'CSV UTF-8' and upload it again.",
            field="file",
            code="file_not_utf8",
        ) from exc
    if not text.strip():
        raise ValidationFailed("The file is empty.", field="file", code="file_empty")
    return text


def column_name(raw: str) -> str:
    """A header cell as a column name: ``" First Name"`` → ``first_name``."""
    return re.sub(r"[\s-]+", "_", raw.strip().lower())


@dataclass(frozen=True)
class CsvRecord:
    """One data row: its number among the data rows, the line it starts on, its values by
    column, and how many cells it had (more than the header: the row is malformed)."""

    row: int
    line: int
    values: dict[str, str]
    cells: int


def _too_long(line: int, max_field: int) -> ValidationFailed:
    return ValidationFailed(
        f"Line {line}: a value is longer than {max_field} characters; check that this is the "
        "right file.",
        field="file",
        code="value_too_long",
    )


def iter_rows(text: str, *, max_field: int = MAX_FIELD_CHARS) -> Iterator[tuple[int, list[str]]]:
    """The rows of a CSV text as (line the row starts on, cells), blank rows included.

    Refuses the file (``ValidationFailed`` on ``file``) at the first row that is not valid
    CSV or holds a value longer than ``max_field`` characters.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if _CSV_FIELD_LIMIT_ERROR in str(exc):
                raise _too_long(line, max_field) from exc
            raise ValidationFailed(
                f"Line {line}: not valid CSV ({exc}).", field="file", code="bad_csv"
            ) from exc
        start, line = line, reader.line_num + 1
        if any(len(cell) > max_field for cell in cells):
            raise _too_long(start, max_field)
        yield start, cells


def read_records(
    text: str,
    *,
    known: Iterable[str],
    required: Iterable[str],
    listed: Iterable[str],
    max_rows: int,
    unknown_columns: Literal["refuse", "ignore"] = "refuse",
    missing_message: str = "",
    max_field: int = MAX_FIELD_CHARS,
) -> tuple[list[str], list[CsvRecord]]:
    """The header's columns and the data rows of a CSV text; refuses the whole file when
    its shape is wrong (bad CSV, unknown, repeated or missing columns, too many rows, no
    rows, a value longer than ``max_field``). ``listed`` are the columns the refusal of an
    unknown one names; with ``unknown_columns="ignore"`` other columns are skipped instead.
    ``missing_message`` replaces the refusal that names the missing required columns."""
    rows = iter_rows(text, max_field=max_field)
    header: list[str] = []
    for _, cells in rows:
        if any(cell.strip() for cell in cells):
            header = cells
            break
    if not header:
        raise ValidationFailed("The file is empty.", field="file", code="file_empty")
    columns = [column_name(c) for c in header]
    allowed = set(known)
    unknown = [c for c in columns if c not in allowed]
    if unknown and unknown_columns == "refuse":
        raise ValidationFailed(
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"The columns are: {', '.join(listed)}.",
            field="file",
            code="unknown_columns",
        )
    twice = sorted(c for c, n in Counter(columns).items() if n > 1 and c in allowed)
    if twice:
        raise ValidationFailed(
            "Column listed twice: " + ", ".join(twice) + ".", field="file", code="bad_header"
        )
    missing = [c for c in required if c not in columns]
    if missing:
        raise ValidationFailed(
            missing_message
            or f"Missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.",
            field="file",
            code="bad_header",
        )
    records: list[CsvRecord] = []
    for start, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(records) >= max_rows:
            raise ValidationFailed(
                f"The file has more than {max_rows} rows; split it into smaller files.",
                field="file",
                code="too_many_rows",
            )
        values = {
            c: (restore_value(cells[i].strip()).strip() if i < len(cells) else "")
            for i, c in enumerate(columns)
            if c in allowed
        }
        records.append(CsvRecord(len(records) + 1, start, values, len(cells)))
    if not records:
        raise ValidationFailed("The file has a header but no rows.", field="file", code="no_rows")
    return columns, records


# --- writing ---------------------------------------------------------------------------

# What makes a spreadsheet read a cell as a formula (or, for tab and carriage return, split
# it so that the next part is read as one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
# A plain number or phone number ("-12.5", "+1 206 555 0100", "(206) 555-0100"): digits,
# spaces, dots, hyphens and parentheses after an optional sign. Such a value cannot call a
# function or refer to another cell or program, so it is written as it is.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9 ().-]*[0-9][0-9 ().-]*")


def is_formula(value: str) -> bool:
    """Whether a spreadsheet could run ``value`` as a formula (leading spaces ignored)."""
    text = value.lstrip(" ")
    if not text.startswith(FORMULA_TRIGGERS):
        return False
    return _PLAIN_NUMBER.fullmatch(text) is None


def _needs_mark(text: str) -> bool:
    # Apostrophes already there count as part of the value: "'=1" is written "''=1", so
    # that the reader's taking one off gives back exactly what was written.
    return is_formula(text.lstrip(NEUTRALISER))


# The first characters of a value that may need the mark (a trigger, after spaces or
# apostrophes); any other value is written as it is, without a closer look.
_MAYBE = frozenset((*FORMULA_TRIGGERS, " ", NEUTRALISER))


def neutralise(value: object) -> str:
    """The text of one cell as written: ``None`` is empty, a value a spreadsheet could run
    as a formula gets a leading apostrophe (spreadsheets then show it as text)."""
    text = "" if value is None else str(value)
    if text[:1] not in _MAYBE:  # the quick answer for most values (a million-row export)
        return text
    return NEUTRALISER + text if _needs_mark(text) else text


def restore_value(value: str) -> str:
    """The value :func:`neutralise` was given (the reader's side): the apostrophe it added
    before a formula comes off; any other apostrophe stays."""
    if value.startswith(NEUTRALISER) and _needs_mark(value[1:]):
        return value[1:]
    return value


class _Line:
    """A file-like object that keeps what ``csv.writer`` writes, one row at a time."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)


def csv_lines(header: Sequence[str] | None, rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The lines of a CSV file (CRLF ends, the header first when given), each value
    neutralised; for streaming a large export row by row."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    for row in _with_header(header, rows):
        line.text = ""
        writer.writerow([neutralise(value) for value in row])
        yield line.text


def csv_chunks(
    header: Sequence[str] | None, rows: Iterable[Sequence[object]], *, size: int
) -> Iterator[bytes]:
    """The CSV file (:func:`csv_lines`) as UTF-8 pieces of about ``size`` bytes: a streamed
    answer's chunks, memory flat whatever the number of rows."""
    parts: list[str] = []
    length = 0
    for line in csv_lines(header, rows):
        parts.append(line)
        length += len(line)
        if length >= size:
            yield "".join(parts).encode("utf-8")
            parts, length = [], 0
    if parts:
        yield "".join(parts).encode("utf-8")


def _with_header(
    header: Sequence[str] | None, rows: Iterable[Sequence[object]]
) -> Iterator[Sequence[object]]:
    if header is not None:
        yield header
    yield from rows


def csv_text(header: Sequence[str] | None, rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV file as text (see :func:`csv_lines`)."""
    return "".join(csv_lines(header, rows))
