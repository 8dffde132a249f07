"""Outbound Number Blocking (the company's Fax tab): Add, Add several, Remove.

Rights: ``accounts.access.may_change_blocked_numbers`` (company-level administrators with the
Outbound number blocking right; read-only administrators and department administrators are
refused). Numbers are stored as E.164 (``accounts.validation.fax_number_e164``), so
``(732) 920-0193``, ``17329200193`` and ``+1 732 920 0193`` are one number. Every number
added or removed leaves an audit event (``blocked_number.added``, ``blocked_number.removed``).
A change takes effect at once: the fax engine asks the table itself when a fax is accepted
(``accounts.selectors.number_is_blocked``); nothing is cached or replicated.

Adding several (a pasted list, a CSV file) is all or nothing: when any line is not a fax
number, nothing is added and the refusal (:class:`BlockListRefused`) carries the report of
every line. A number already on the list, or repeated in the list, is not an error there:
the wish (that it be blocked) is already met, and the report says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from faxline.accounts.access import Actor, may_change_blocked_numbers
from faxline.accounts.models import BlockedNumber, Company
from faxline.core.audit import audit_record
from faxline.core.csvfile import decode_csv, read_records
from faxline.core.errors import ValidationFailed
from faxline.core.phone import fax_number_e164

# Lines one Add may carry (a pasted list or a CSV file); the list itself has no limit.
MAX_LINES = 1000
MAX_CSV_BYTES = 256 * 1024
# The export's header names the column; ``number`` is accepted too.
CSV_COLUMNS = ("blocked_fax_number", "number", "added_by", "added_at")
CSV_NUMBER_COLUMNS = ("blocked_fax_number", "number")


class LineStatus:
    ADDED = "added"
    ALREADY_BLOCKED = "already_blocked"
    REPEATED = "repeated"
    INVALID = "invalid"


@dataclass(frozen=True)
class BlockLine:
    """One line of a list to add: where it was, what it said, what became of it."""

    line: int
    raw: str
    status: str
    number: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status != LineStatus.INVALID


class BlockListRefused(ValidationFailed):
    """Some lines of a list to add are not fax numbers: nothing was added. ``lines`` is the
    report of every line."""

    def __init__(self, message: str, *, lines: Sequence[BlockLine], field: str = "numbers"):
        super().__init__(message, code="invalid_fax_numbers", field=field)
        self.lines = list(lines)


def _already_blocked(number: str) -> ValidationFailed:
    return ValidationFailed(
        f"{number} is already blocked.", code="number_already_blocked", field="number"
    )


def blocked_number_add(*, actor: Actor, company: Company, number: str) -> BlockedNumber:
    """Block one number for the company's outbound users. Refuses (422 on ``number``) what
    is not a fax number (``invalid_fax_number``) and a number already blocked
    (``number_already_blocked``)."""
    may_change_blocked_numbers(actor, company).check()
    e164 = fax_number_e164(number, field="number")
    try:
        with transaction.atomic():
            entry = BlockedNumber.objects.create(company=company, number=e164, added_by=actor.user)
            _audit_added(actor, company, entry, via="single")
    except IntegrityError as exc:
        raise _already_blocked(e164) from exc
    return entry


def split_lines(text: str) -> list[tuple[int, str]]:
    """A pasted list as (line, text): one number per line; commas and semicolons separate
    numbers on one line too (spaces do not: ``732 920 0193`` is one number). Blank entries
    are skipped."""
    out: list[tuple[int, str]] = []
    for index, line in enumerate(text.splitlines(), start=1):
        for part in re.split(r"[,;]", line):
            if part.strip():
                out.append((index, part.strip()))
    return out


def csv_lines_of(data: bytes) -> list[tuple[int, str]]:
    """The numbers of an uploaded CSV file as (line, text), read by the shared CSV reader
    (its size, encoding, shape and row limits); the column is ``Blocked Fax Number`` (the
    export's) or ``number``. Refusals name ``file``."""
    text = decode_csv(data, max_bytes=MAX_CSV_BYTES)
    columns, records = read_records(
        text,
        known=CSV_COLUMNS,
        required=(),
        listed=("Blocked Fax Number",),
        max_rows=MAX_LINES,
        unknown_columns="ignore",
    )
    column = next((c for c in CSV_NUMBER_COLUMNS if c in columns), None)
    if column is None:
        raise ValidationFailed(
            "The file needs a column named 'Blocked Fax Number' (or 'number'), as the "
            "Export writes it.",
            field="file",
            code="bad_header",
        )
    return [(r.line, r.values.get(column, "")) for r in records if r.values.get(column, "")]


def blocked_numbers_review(company: Company, entries: Iterable[tuple[int, str]]) -> list[BlockLine]:
    """What adding ``entries`` (line, text) would do, line by line, without adding
    anything: one query for the numbers already blocked."""
    parsed: list[tuple[int, str, str, str]] = []
    for line, raw in entries:
        try:
            parsed.append((line, raw, fax_number_e164(raw, field="numbers"), ""))
        except ValidationFailed as exc:
            parsed.append((line, raw, "", exc.message))
    wanted = {number for _, _, number, _ in parsed if number}
    existing = set(
        BlockedNumber.objects.filter(company=company, number__in=wanted).values_list(
            "number", flat=True
        )
    )
    seen: set[str] = set()
    report: list[BlockLine] = []
    for line, raw, number, message in parsed:
        if not number:
            report.append(BlockLine(line, raw, LineStatus.INVALID, message=message))
        elif number in existing:
            report.append(BlockLine(line, raw, LineStatus.ALREADY_BLOCKED, number))
        elif number in seen:
            report.append(BlockLine(line, raw, LineStatus.REPEATED, number))
        else:
            seen.add(number)
            report.append(BlockLine(line, raw, LineStatus.ADDED, number))
    return report


def blocked_numbers_add(
    *, actor: Actor, company: Company, entries: Sequence[tuple[int, str]], via: str = "list"
) -> list[BlockLine]:
    """Block several numbers at once (a pasted list, ``via="list"``; a CSV file,
    ``via="csv"``), all or nothing: when any line is not a fax number nothing is added and
    :class:`BlockListRefused` carries the report. Returns the report of every line (added,
    already blocked, repeated in the list)."""
    may_change_blocked_numbers(actor, company).check()
    if not entries:
        raise ValidationFailed("Enter at least one fax number.", field="numbers", code="empty")
    if len(entries) > MAX_LINES:
        raise ValidationFailed(
            f"At most {MAX_LINES} numbers at a time; split the list.",
            field="numbers",
            code="too_many_numbers",
        )
    for attempt in (1, 2):
        report = blocked_numbers_review(company, entries)
        bad = [line for line in report if not line.ok]
        if bad:
            named = "; ".join(f"line {b.line}: {b.message}" for b in bad[:5])
            more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
            raise BlockListRefused(
                f"Nothing was added: {len(bad)} line{'s' if len(bad) > 1 else ''} "
                f"{'are' if len(bad) > 1 else 'is'} not a fax number — {named}{more}.",
                lines=report,
            )
        new = [line for line in report if line.status == LineStatus.ADDED]
        try:
            with transaction.atomic():
                created = BlockedNumber.objects.bulk_create(
                    [
                        BlockedNumber(company=company, number=n.number, added_by=actor.user)
                        for n in new
                    ]
                )
                for entry in created:
                    _audit_added(actor, company, entry, via=via)
        except IntegrityError:
            # Someone added one of them meanwhile: review again (it is "already blocked").
            if attempt == 2:
                raise
            continue
        return report
    raise AssertionError("unreachable")


def blocked_number_remove(*, actor: Actor, entry: BlockedNumber) -> None:
    """Unblock a number: the company's users may send to it again at once."""
    company = entry.company
    may_change_blocked_numbers(actor, company).check()
    with transaction.atomic():
        deleted, _ = BlockedNumber.objects.filter(pk=entry.pk).delete()
        if deleted:
            audit_record(
                kind="blocked_number.removed",
                actor=actor.user,
                company=company,
                target=entry,
                ip_address=actor.ip_address,
                detail={"number": entry.number},
            )


def _audit_added(actor: Actor, company: Company, entry: BlockedNumber, *, via: str) -> None:
    audit_record(
        kind="blocked_number.added",
        actor=actor.user,
        company=company,
        target=entry,
        ip_address=actor.ip_address,
        detail={"number": entry.number, "via": via},
    )
