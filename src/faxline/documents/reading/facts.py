"""The facts of a bill or a CSR, found by label and position in the words of its pages.

Carriers label the same fact differently ("Account Number", "Acct No.", "Account #") and lay
their pages out differently (labels left of values, labels above them, two columns, the
upper-case dump of a CSR), and text extractors emit blocks in different orders. So nothing
here depends on text order: the words are grouped into lines by position, a line into
segments where a gap wider than a few spaces separates them (columns), and each fact is read
where a label puts it: to the right of the label on the same line, or, when nothing follows
the label there or what is there does not parse (the next cell of a table's header row),
on the line below it in the label's column. A value may continue on the lines below it
when they start in its column (an address's city line).

A fact is reported only when its label was found and its value parses (a date, a telephone
number, an address with its ZIP); otherwise it is None. A wrong fact is worse than none:
the person confirming the facts would have to notice it, while a missing one they type.
So a value read by OCR is refused when it holds a word tesseract was unsure of, and a name
or a street when it holds what OCR's misreads look like ("Lega!", "3ist").
Each fact carries where it was read (:class:`Found`: page and box).
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import phonenumbers

from faxline.documents.reading.words import Page, Word

# Words further apart than this (in ems) are in different segments (columns, or a label
# and a value set apart): three spaces of Helvetica, more than one of Courier.
SEGMENT_GAP_EMS = 0.75
# A line's word space is its narrowest gap; a gap this many times wider is a column gap
# even when it is under SEGMENT_GAP_EMS (upper-case Courier read by OCR: its word space,
# ink to ink, is 0.6-0.8 em)...
WORD_SPACE_FACTOR = 1.6
# ...and a gap wider than this (in ems) always is (three spaces of Courier). A narrowest
# gap wider than MAX_WORD_SPACE_EMS is not a word space (a line of single-word columns).
MAX_SEGMENT_GAP_EMS = 1.5
MAX_WORD_SPACE_EMS = 0.9
# A word OCR was less sure of than this (0-100) is a hole: a value holding one is refused.
UNSURE_CONFIDENCE = 40.0
# Free text (a name, a street) is checked by no parser, so its words must be surer. Not
# much: on a fax tesseract is 64 sure of a right "Plumbing" and 72 of a wrong "Lega!" (the
# "!" refuses that one, see parse_name; "3ist" for "31st", at 82, is refused by
# parse_address), so this catches the words it could barely make out.
TEXT_CONFIDENCE = 60.0
# How far below a line (in ems, from its bottom) the next line of the same block may start.
NEXT_LINE_EMS = 2.2
# How far (in ems) a continuation line's start may be from the value's.
COLUMN_SLACK_EMS = 1.0
MAX_VALUE_LINES = {"service_address": 4, "numbers": 40, "authorized_names": 10, "line_features": 10}
MAX_NAME_CHARS = 80
# How far (in ems) to the right of its label a value set apart may start.
MAX_VALUE_GAP_EMS = 15.0

BILL = "bill"
CSR = "csr"
LOA = "loa"
OTHER = "other"

# Labels of each fact, as normalised words (lower case, no trailing ":" or "."). A label
# is recognised at the start of a segment, or anywhere when its last word ends with ":".
# GENERIC labels are words too common to be trusted unless they start a segment.
LABELS: dict[str, tuple[str, ...]] = {
    "account_name": (
        "account name",
        "customer name",
        "business name",
        "company name",
        "account holder",
        "bill to",
        "billed to",
        "name",
    ),
    "service_address": (
        "service address",
        "service location",
        "svc addr",
        "svc address",
        "service addr",
    ),
    "btn": (
        "btn",
        "billing telephone no",
        "billing telephone number",
        "billing tel no",
        "billing number",
        "main number",
        "main telephone number",
    ),
    "account_number": (
        "account number",
        "acct no",
        "acct number",
        "acct #",
        "account #",
        "account no",
        "acct",
    ),
    "statement_date": (
        "statement date",
        "bill date",
        "billing date",
        "invoice date",
        "date of bill",
        "date of statement",
    ),
    "numbers": (
        "telephone numbers",
        "telephone number(s)",
        "phone numbers",
        "numbers on account",
        "numbers on this account",
        "working telephone numbers",
        "service numbers",
        "line numbers",
        "lines",
        "tns",
        "tn",
        "wtn",
    ),
    "authorized_names": (
        "authorized names",
        "authorized name",
        "authorized name(s)",
        "authorized users",
        "authorized contacts",
        "auth names",
        "auth name",
    ),
    "line_features": (
        "line features",
        "service features",
        "features and services",
        "features",
    ),
}
GENERIC = frozenset({"name", "acct", "lines", "features", "tn", "tns"})
_LABELS_BY_LENGTH: list[tuple[tuple[str, ...], str, int]] = sorted(
    (
        (tuple(label.split()), fact, rank)
        for fact, labels in LABELS.items()
        for rank, label in enumerate(labels)
    ),
    key=lambda item: -len(item[0]),
)

FEATURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hunt_group", ("hunt group", "hunting", "series hunt", "circular hunt", "mlh", "hunt")),
    ("dsl", ("adsl", "vdsl", "dsl")),
    (
        "distinctive_ring",
        ("distinctive ring", "distinctive ringing", "ringmate", "smart ring", "ident-a-ring"),
    ),
    ("remote_call_forwarding", ("remote call forwarding", "remote call fwd", "rcf")),
)

US_STATES = frozenset(
    (
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "VI",
        "GU",
        "AS",
        "MP",
    )
)
CA_PROVINCES = frozenset(
    ("AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT")
)

_PHONE = re.compile(r"(?<![\d])(?:\+?1[\s.-]?)?\(?(\d{3})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})(?![\d])")
_ADDRESS = re.compile(
    r"^(?P<street>\d.*?),\s*(?P<city>[^,\d][^,]*?),?\s+(?P<state>[A-Za-z]{2})\.?,?\s+"
    r"(?P<postal>\d{5}(?:-\d{4})?|[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d)$"
)
_UNIT = re.compile(
    r"^(?P<street>.+?)[\s,]+(?P<unit>(?:ste|suite|apt|apartment|unit|fl|floor|rm|room|bldg|"
    r"building|dept|#)\.?\s*#?\s*[A-Za-z0-9-]+)$",
    re.IGNORECASE,
)
# Pairs of characters (lower case) tesseract mistakes for each other on a fax or a scan.
_OCR_CONFUSIONS = frozenset(
    frozenset(pair) for pair in ("il", "l1", "i1", "ce", "ti", "o0", "s5", "hb", "rn")
)
# What surrounds a word's letters in a line of text: punctuation, quotes, brackets.
_WORD_EDGES = " ,;:.!?\"'()[]{}"
_NOT_IN_NAMES = re.compile(r"[!|{}\[\]~^<>_\\$%*=?@]")
# A street's word holding digits and letters: an ordinal, a number with a letter ("12B"),
# a grid number ("W123", "N45W"); anything else ("3ist", "1O1") is a misread number.
_STREET_NUMBER_WORD = re.compile(
    r"\d+(?:st|nd|rd|th)|\d+-?[A-Za-z]|[A-Za-z]\d+[A-Za-z]?", re.IGNORECASE
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DATES = (
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<mm>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<mm>\d{1,2})[/-](?P<day>\d{1,2})[/-](?P<year>\d{4}|\d{2})(?!\d)"),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})(?!\d)"),
    re.compile(r"(?<!\d)(?P<day>\d{1,2})[\s-]+" + _MONTH + r"[\s,-]+(?P<year>\d{4}|\d{2})(?!\d)"),
)


@dataclass(frozen=True)
class Found:
    """A fact's value and where it was read: the page (from 1) and the box of the value's
    words in points from the page's top-left corner (x0, top, x1, bottom)."""

    value: Any
    page: int
    box: tuple[float, float, float, float]
    #: The box of each line of a value read on several lines (an address), top to bottom;
    #: empty for a value on one line. :mod:`.verify` reads each line again on its own.
    lines: tuple[tuple[float, float, float, float], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Doubt:
    """A value OCR read but a confidence guard refused (a word it was unsure of, or a
    dictionary misread): where it was read, and what the first read parsed it as (None
    when it did not parse). :mod:`.verify` may read its box again to recover it."""

    fact: str
    page: int
    box: tuple[float, float, float, float]
    lines: tuple[tuple[float, float, float, float], ...] = ()
    value: Any = None


@dataclass
class Facts:
    """The facts of one document (None or empty: not found)."""

    account_name: Found | None = None
    service_address: Found | None = None  # value: dict street, unit, city, state, postal_code
    btn: Found | None = None
    account_number: Found | None = None
    statement_date: Found | None = None
    numbers: list[Found] = field(default_factory=list)
    authorized_names: list[Found] = field(default_factory=list)
    line_features: list[Found] = field(default_factory=list)
    #: The list facts that may miss entries: an entry OCR could not make out or a second
    #: read did not confirm was left out, or the list ran past what is read of it (its line
    #: window, or the foot of a page with more pages after it). Checks that ask whether a
    #: number is *not* on the document do not trust such a list.
    cut_short: set[str] = field(default_factory=set, compare=False)
    #: Values refused only for doubt (not by a parser), with their boxes, for
    #: :mod:`.verify` to read again; never reported as facts.
    doubted: list[Doubt] = field(default_factory=list, compare=False)


@dataclass
class _Line:
    page: int
    words: list[Word]
    segments: list[list[Word]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)


@dataclass(frozen=True)
class _Label:
    fact: str
    rank: int
    line: int  # index in the document's lines
    segment: int
    start: int  # word index in the segment
    end: int  # one past the label's last word


# --- lines and labels -------------------------------------------------------------------


def lines_of(pages: Iterable[Page]) -> list[_Line]:
    """The lines of the pages, top to bottom, each with its words left to right and cut
    into segments at wide gaps."""
    lines: list[_Line] = []
    for page in pages:
        current: list[Word] = []
        centre = 0.0
        for word in sorted(page.words, key=lambda w: ((w.top + w.bottom) / 2, w.x0)):
            middle = (word.top + word.bottom) / 2
            if current and abs(middle - centre) <= 0.4 * max(word.size, current[0].size):
                current.append(word)
                continue
            if current:
                lines.append(_line(page.number, current))
            current, centre = [word], middle
        if current:
            lines.append(_line(page.number, current))
    return lines


def _line(page: int, words: list[Word]) -> _Line:
    ordered = sorted(words, key=lambda w: w.x0)
    return _Line(page=page, words=ordered, segments=_segments(ordered))


def _segments(ordered: Sequence[Word]) -> list[list[Word]]:
    """``ordered`` (left to right) cut at the gaps wider than a word space: wider than
    SEGMENT_GAP_EMS and than WORD_SPACE_FACTOR times the line's narrowest gap (when that
    is no wider than MAX_WORD_SPACE_EMS), or wider than MAX_SEGMENT_GAP_EMS. The narrowest
    gap stands for the font's word space, which a fixed-pitch font makes wide (measured
    from the ink, as OCR gives it)."""
    if not ordered:
        return []
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(ordered)]
    space = max(min(gaps, default=0.0), 0.0)
    if space > MAX_WORD_SPACE_EMS * max(w.size for w in ordered):
        space = 0.0
    segments: list[list[Word]] = [[ordered[0]]]
    for gap, (previous, word) in zip(gaps, itertools.pairwise(ordered), strict=True):
        em = max(word.size, previous.size)
        wide = gap > SEGMENT_GAP_EMS * em and gap > WORD_SPACE_FACTOR * space
        if wide or gap > MAX_SEGMENT_GAP_EMS * em:
            segments.append([word])
        else:
            segments[-1].append(word)
    return segments


def _norm(text: str) -> str:
    return text.lower().rstrip(":.").rstrip(":") if text not in (":", ".") else text


def _labels_in(lines: Sequence[_Line]) -> list[_Label]:
    found: list[_Label] = []
    for number, line in enumerate(lines):
        for s, segment in enumerate(line.segments):
            words = [_norm(w.text) for w in segment]
            start = 0
            while start < len(words):
                match = _label_at(segment, words, start)
                if match is None:
                    start += 1
                    continue
                fact, rank, length = match
                found.append(_Label(fact, rank, number, s, start, start + length))
                start += length
    return found


def _label_at(segment: list[Word], words: list[str], start: int) -> tuple[str, int, int] | None:
    for label, fact, rank in _LABELS_BY_LENGTH:
        length = len(label)
        if not _is_label(segment[start : start + length], words[start : start + length], label):
            continue
        ends_with_colon = segment[start + length - 1].text.endswith(":")
        at_start = start == 0
        if " ".join(label) in GENERIC and not at_start:
            continue
        if at_start or ends_with_colon:
            return fact, rank, length
    return None


def _is_label(segment: Sequence[Word], words: Sequence[str], label: tuple[str, ...]) -> bool:
    """Whether ``words`` spell ``label``; words read by OCR may differ from it by one of
    the letters tesseract confuses ("Account Hoider:", "Sve Address:", "BIN:")."""
    if tuple(words) == label:
        return True
    if len(words) != len(label) or any(w.confidence is None for w in segment):
        return False
    confusions = 0
    for word, expected in zip(words, label, strict=True):
        if len(word) != len(expected):
            return False
        for got, want in zip(word, expected, strict=True):
            if got == want:
                continue
            if len(expected) < 3 or frozenset((got, want)) not in _OCR_CONFUSIONS:
                return False
            confusions += 1
    return confusions == 1


# --- values -----------------------------------------------------------------------------


def _value_lines(
    lines: Sequence[_Line],
    labels: Sequence[_Label],
    label: _Label,
    max_lines: int,
    *,
    whole_line: bool = False,
    beside: bool = True,
) -> list[list[Word]]:
    """The value's words on its first line (right of the label, else below it) and on the
    lines that continue it in its column. With ``beside`` False a segment standing apart
    to the right of a label that ends its segment is not taken: the caller tries the value
    below when that one did not parse (a table's header row, where the next segment is
    the next header cell, not a value)."""
    starts = {(lab.line, lab.segment, lab.start) for lab in labels}
    line = lines[label.line]
    segment = line.segments[label.segment]
    head = segment[label.start]
    em = line.size
    right: list[Word] = []
    for index in range(label.end, len(segment)):
        if (label.line, label.segment, index) in starts:
            break
        right.append(segment[index])
    else:
        # The label ends its segment: the value may stand apart to its right (a column of
        # values beside a column of labels), and a list may run across several segments.
        last = len(line.segments) if beside else label.segment + 1
        for s in range(label.segment + 1, last):
            apart = line.segments[s]
            near = apart[0].x0 - (right or segment)[-1].x1 <= MAX_VALUE_GAP_EMS * em
            if (label.line, s, 0) in starts or not near or (right and not whole_line):
                break
            for index, word in enumerate(apart):
                if (label.line, s, index) in starts:
                    break
                right.append(word)
    first: list[Word]
    where = label.line
    if right:
        first = right
    else:
        below = _next_line(lines, label.line)
        if below is None:
            return []
        candidates = [
            (s, seg)
            for s, seg in enumerate(lines[below].segments)
            if _overlap(seg, head.x0 - em, segment[label.end - 1].x1 + em) > 0
        ]
        if not candidates:
            return []
        s, seg = max(candidates, key=lambda c: _overlap(c[1], head.x0, segment[-1].x1))
        if (below, s, 0) in starts:
            return []
        first, where = seg, below
    found = [first]
    left_edge = head.x0 - em
    x0 = first[0].x0
    while len(found) < max_lines:
        following = _next_line(lines, where)
        if following is None:
            break
        more = _continuation(lines[following], following, starts, x0, left_edge, em)
        if more is None:
            break
        found.append(more)
        where = following
    return found


def _candidates(
    lines: Sequence[_Line],
    labels: Sequence[_Label],
    label: _Label,
    max_lines: int,
    *,
    whole_line: bool = False,
) -> Iterator[list[list[Word]]]:
    """The places a label's value may be, in order: where :func:`_value_lines` finds it,
    then, when that was a segment standing apart on the label's line, below the label
    (the caller takes the first that parses)."""
    groups = _value_lines(lines, labels, label, max_lines, whole_line=whole_line)
    if groups:
        yield groups
    below = _value_lines(lines, labels, label, max_lines, whole_line=whole_line, beside=False)
    if below and below != groups:
        yield below


def _next_line(lines: Sequence[_Line], index: int) -> int | None:
    if index + 1 >= len(lines):
        return None
    line, following = lines[index], lines[index + 1]
    if following.page != line.page or following.top - line.bottom > NEXT_LINE_EMS * line.size:
        return None
    return index + 1


def _continuation(
    line: _Line, index: int, starts: set[tuple[int, int, int]], x0: float, left: float, em: float
) -> list[Word] | None:
    """The segment of ``line`` that continues a value starting at ``x0``: it starts within
    the column, is not a label, and nothing stands between the label's column and it."""
    for s, segment in enumerate(line.segments):
        if abs(segment[0].x0 - x0) > COLUMN_SLACK_EMS * em:
            continue
        if (index, s, 0) in starts:
            return None
        if any(w.x1 > left and w.x0 < x0 - COLUMN_SLACK_EMS * em for w in line.words):
            return None
        return segment
    return None


def _overlap(words: Sequence[Word], x0: float, x1: float) -> float:
    return min(words[-1].x1, x1) - max(words[0].x0, x0)


def _text(words: Sequence[Word]) -> str:
    return " ".join(w.text for w in words).strip()


def _sure(groups: Iterable[Sequence[Word]], minimum: float = UNSURE_CONFIDENCE) -> bool:
    """Whether OCR was at least ``minimum`` sure of every word (text-layer words are)."""
    return all(w.confidence is None or w.confidence >= minimum for group in groups for w in group)


def _box(groups: Iterable[Sequence[Word]]) -> tuple[float, float, float, float]:
    words = [w for group in groups for w in group]
    return (
        min(w.x0 for w in words),
        min(w.top for w in words),
        max(w.x1 for w in words),
        max(w.bottom for w in words),
    )


# --- parsing ----------------------------------------------------------------------------


def parse_phone(text: str) -> str | None:
    """The first North American telephone number in ``text`` as E.164, or None."""
    for match in _PHONE.finditer(text):
        number = _e164("".join(match.groups()))
        if number:
            return number
    return None


def parse_phones(text: str) -> list[str]:
    """Every North American telephone number in ``text`` as E.164, in order."""
    return [n for n in (_e164("".join(m.groups())) for m in _PHONE.finditer(text)) if n]


def _e164(digits: str) -> str | None:
    try:
        parsed = phonenumbers.parse(digits, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def parse_date(text: str) -> str | None:
    """The first date in ``text`` (ISO, US numeric month/day/year, "March 1, 2026",
    "01-MAR-2026", "1 March 2026") as ISO ``YYYY-MM-DD``, or None."""
    for pattern in _DATES:
        for match in pattern.finditer(text):
            parts = match.groupdict()
            if parts.get("month"):
                month = _MONTHS.get(parts["month"].lower())
                if month is None:
                    continue
            else:
                month = int(parts["mm"])
            year = int(parts["year"])
            if year < 100:
                year += 2000
            try:
                return datetime.date(year, month, int(parts["day"])).isoformat()
            except ValueError:
                continue
    return None


def parse_account_number(text: str) -> str | None:
    """An account number as printed: the first run of words made of letters, digits and
    hyphens that holds at least three digits (several groups of digits stay together);
    None when digits and hyphens follow it that are not a group of it (a number OCR cut)."""
    words = text.split()
    for start, word in enumerate(words):
        token = word.strip(".,;:")
        if (
            not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9/-]*", token)
            or sum(c.isdigit() for c in token) < 3
        ):
            continue
        parts = [token]
        if token == word:  # a group that ends in punctuation ends the number
            for more in words[start + 1 :]:
                if not more.isdigit():
                    if re.fullmatch(r"-?\d[\d-]*", more):
                        return None  # "06-082071 8-4": OCR cut the number, where is unsure
                    break
                parts.append(more)
        return " ".join(parts)
    return None


def parse_name(text: str) -> str | None:
    """A name as printed, when it looks like one (letters, not too long)."""
    name = text.strip(" ,;:")
    if not name or len(name) > MAX_NAME_CHARS or not re.search(r"[A-Za-z]", name):
        return None
    if _NOT_IN_NAMES.search(name):
        return None  # OCR's misread of a letter ("Lega!"), not a name as printed
    return name


def parse_address(lines: Sequence[str]) -> dict[str, str | None] | None:
    """A postal address from its lines (street first, the city, state and ZIP last; or
    all on one line separated by commas), or None when a part is missing."""
    text = ", ".join(line.strip(" ,") for line in lines if line.strip(" ,"))
    match = _ADDRESS.match(text)
    if match is None:
        return None
    state = match["state"].upper()
    postal = match["postal"].upper()
    if postal[0].isdigit() and state not in US_STATES:
        return None
    if postal[0].isalpha():
        if state not in CA_PROVINCES:
            return None
        postal = postal.replace(" ", "")
        postal = f"{postal[:3]} {postal[3:]}"
    street = match["street"].strip(" ,")
    for word in street.split():
        token = word.strip(".,#")
        mixed = any(c.isdigit() for c in token) and any(c.isalpha() for c in token)
        if mixed and not _STREET_NUMBER_WORD.fullmatch(token):
            return None
    unit: str | None = None
    with_unit = _UNIT.match(street)
    if with_unit is not None and re.search(r"[A-Za-z]", with_unit["street"]):
        street, unit = with_unit["street"].strip(" ,"), with_unit["unit"]
    return {
        "street": street,
        "unit": unit,
        "city": match["city"].strip(),
        "state": state,
        "postal_code": postal,
    }


def features_in(text: str) -> list[str]:
    """The line features that matter for porting named in ``text``, in a fixed order."""
    lowered = f" {re.sub(r'[^a-z0-9-]+', ' ', text.lower())} "
    return [name for name, spellings in FEATURES if any(f" {s} " in lowered for s in spellings)]


# --- the document -----------------------------------------------------------------------


def document_type(pages: Sequence[Page]) -> str:
    """Bill, CSR, LOA or other, by the words the document uses."""
    text = " ".join(" ".join(w.text for w in page.words) for page in pages).lower()
    first = {_norm(w.text) for w in pages[0].words} if pages else set()
    if "customer service record" in text or "csr" in first:
        return CSR
    if "letter of authorization" in text or "letter of agency" in text:
        return LOA
    if any(
        phrase in text
        for phrase in (
            "amount due",
            "total due",
            "balance due",
            "new charges",
            "statement date",
            "bill date",
            "invoice",
            "statement",
        )
    ):
        return BILL
    return OTHER


def find_facts(pages: Sequence[Page], lexicon: Collection[str] = frozenset()) -> Facts:
    """The facts of the pages (see the module's docstring for how they are found).
    ``lexicon``: the words OCR's language knows, in lower case (:func:`~.ocr.lexicon`); a
    word read by OCR that is a misread of one of them is a hole (:func:`doubt_misreads`)."""
    pages = doubt_misreads(pages, lexicon)
    lines = lines_of(pages)
    labels = _labels_in(lines)
    facts = Facts()
    by_fact: dict[str, list[_Label]] = {}
    for label in sorted(labels, key=lambda lab: (lab.rank, lab.line, lab.segment)):
        by_fact.setdefault(label.fact, []).append(label)

    def first(fact: str, parse: Any, minimum: float = UNSURE_CONFIDENCE) -> Found | None:
        doubt: Doubt | None = None
        for label in by_fact.get(fact, []):
            for groups in _candidates(lines, labels, label, MAX_VALUE_LINES.get(fact, 1)):
                value = parse([_text(g) for g in groups])
                if not _sure(groups, minimum):
                    if doubt is None:
                        doubt = Doubt(fact, lines[label.line].page, _box(groups), (), value)
                    continue
                if value is not None:
                    return Found(value, lines[label.line].page, _box(groups))
        if doubt is not None:
            facts.doubted.append(doubt)
        return None

    facts.account_name = first("account_name", lambda texts: parse_name(texts[0]), TEXT_CONFIDENCE)
    facts.btn = first("btn", lambda texts: parse_phone(texts[0]))
    facts.account_number = first("account_number", lambda t: parse_account_number(t[0]))
    facts.statement_date = first("statement_date", lambda texts: parse_date(texts[0]))
    facts.service_address = _address(
        lines, labels, by_fact.get("service_address", []), facts.doubted
    )
    facts.numbers = _numbers(lines, labels, by_fact.get("numbers", []), facts.btn, facts.cut_short)
    facts.authorized_names = list(
        _names(lines, labels, by_fact.get("authorized_names", []), facts.cut_short)
    )
    facts.line_features = list(_features(lines, labels, by_fact.get("line_features", [])))
    return facts


def misread_word(text: str, lexicon: Collection[str]) -> bool:
    """Whether ``text`` (a word read by OCR) is not a word of ``lexicon`` but becomes one
    when one of its letters is swapped for one tesseract confuses it with ("Legai" for
    "Legal"). tesseract can be as sure of such a word as of its neighbours (92.5 for
    "Legai" beside 93.3 for "Summit" on a fax), so its confidence does not tell it apart;
    what does is that the page printed a word and a letter of it is the one ambiguous
    stroke. A name that is in no dictionary and one letter from a word is refused too:
    null, typed by the person, rather than a guess either way. Only words of letters: a
    code of letters and digits ("M5H", "31st") is judged by the parser of its fact."""
    core = text.strip(_WORD_EDGES).lower()
    if len(core) < 3 or not core.isalpha() or core in lexicon:
        return False
    for index, got in enumerate(core):
        for pair in _OCR_CONFUSIONS:
            if got in pair and len(pair) == 2:
                (other,) = pair - {got}
                if f"{core[:index]}{other}{core[index + 1 :]}" in lexicon:
                    return True
    return False


def doubt_misreads(pages: Sequence[Page], lexicon: Collection[str]) -> list[Page]:
    """``pages`` with each word OCR read that is a :func:`misread_word` of ``lexicon`` made
    a hole (confidence 0): a value holding it is refused as one holding a word tesseract
    could not make out. The text layer's words (exact) are left alone."""
    if not lexicon:
        return list(pages)
    out: list[Page] = []
    for page in pages:
        words = tuple(
            replace(word, confidence=0.0)
            if word.confidence is not None and misread_word(word.text, lexicon)
            else word
            for word in page.words
        )
        out.append(replace(page, words=words) if words != page.words else page)
    return out


def _address(
    lines: Sequence[_Line],
    labels: Sequence[_Label],
    found: list[_Label],
    doubted: list[Doubt],
) -> Found | None:
    for label in found:
        for groups in _candidates(lines, labels, label, MAX_VALUE_LINES["service_address"]):
            # The fewest lines that make an address: the lines after it are something else.
            for count in range(1, len(groups) + 1):
                address = parse_address([_text(g) for g in groups[:count]])
                if address is None:
                    continue
                parts = tuple(_box([g]) for g in groups[:count]) if count > 1 else ()
                page, box = lines[label.line].page, _box(groups[:count])
                if not _sure(groups[:count], TEXT_CONFIDENCE):
                    doubted.append(Doubt("service_address", page, box, parts or (box,), address))
                    return None  # the address is there, misread: not another one
                return Found(address, page, box, parts)
    return None


def _numbers(
    lines: Sequence[_Line],
    labels: Sequence[_Label],
    found: list[_Label],
    btn: Found | None,
    cut_short: set[str],
) -> list[Found]:
    """The account's numbers: the BTN, then every number listed under a numbers label
    (continuation lines count while they hold numbers). Adds "numbers" to ``cut_short``
    when the list may hold more than was read."""
    numbers: list[Found] = [btn] if btn is not None else []
    seen = {btn.value} if btn is not None else set()
    doubts: list[str] = []
    for label in sorted(found, key=lambda lab: (lab.line, lab.segment)):
        groups = next(
            (
                groups
                for groups in _candidates(
                    lines, labels, label, MAX_VALUE_LINES["numbers"], whole_line=True
                )
                if any(True for _ in _phones_with_boxes(groups[0]))
            ),
            [],
        )
        held = 0
        for group in groups:
            listed = list(_phones_with_boxes(group, doubts))
            if not listed:
                break
            held += 1
            for number, box in listed:
                if number not in seen:
                    seen.add(number)
                    numbers.append(Found(number, lines[label.line].page, box))
        if held and (
            held >= MAX_VALUE_LINES["numbers"]
            or _runs_off_its_page(lines, lines[label.line].page, groups[held - 1])
        ):
            cut_short.add("numbers")
    if doubts:
        cut_short.add("numbers")
    return numbers


def _runs_off_its_page(lines: Sequence[_Line], page: int, last: Sequence[Word]) -> bool:
    """Whether a list's last line read is the last line of its page and more pages follow
    (the list may go on there)."""
    if not last or not any(line.page > page for line in lines):
        return False
    foot = max(line.bottom for line in lines if line.page == page)
    return max(w.bottom for w in last) >= foot


def _phones_with_boxes(
    words: Sequence[Word], doubts: list[str] | None = None
) -> Iterator[tuple[str, tuple[float, float, float, float]]]:
    text = ""
    spans: list[tuple[int, int, Word]] = []
    for word in words:
        if text:
            text += " "
        spans.append((len(text), len(text) + len(word.text), word))
        text += word.text
    for match in _PHONE.finditer(text):
        number = _e164("".join(match.groups()))
        if number is None:
            continue
        inside = [w for a, b, w in spans if a < match.end() and b > match.start()]
        if _sure([inside]):
            yield number, _box([inside])
        elif doubts is not None:
            doubts.append(number)


def _names(
    lines: Sequence[_Line], labels: Sequence[_Label], found: list[_Label], cut_short: set[str]
) -> Iterator[Found]:
    seen: set[str] = set()
    for label in sorted(found, key=lambda lab: (lab.line, lab.segment)):
        for group in _value_lines(
            lines, labels, label, MAX_VALUE_LINES["authorized_names"], whole_line=True
        ):
            for words in _list_items(group):
                if not _sure([words], TEXT_CONFIDENCE):
                    cut_short.add("authorized_names")
                    continue  # a name OCR could not make out: not the words around it
                for part in re.split(r"[;,]", _text(words)):
                    name = parse_name(part)
                    if name and name.lower() not in seen:
                        seen.add(name.lower())
                        yield Found(name, lines[label.line].page, _box([words]))


def _list_items(group: Sequence[Word]) -> Iterator[list[Word]]:
    """The items of a list's line: words up to one that ends with ";" or ",", or up to a
    gap between segments (a column of its own)."""
    for segment in _segments(sorted(group, key=lambda w: w.x0)):
        item: list[Word] = []
        for word in segment:
            item.append(word)
            if word.text.endswith((";", ",")):
                yield item
                item = []
        if item:
            yield item


def _features(
    lines: Sequence[_Line], labels: Sequence[_Label], found: list[_Label]
) -> Iterator[Found]:
    seen: set[str] = set()
    for label in sorted(found, key=lambda lab: (lab.line, lab.segment)):
        for group in _value_lines(
            lines, labels, label, MAX_VALUE_LINES["line_features"], whole_line=True
        ):
            for feature in features_in(_text(group)):
                if feature not in seen:
                    seen.add(feature)
                    yield Found(feature, lines[label.line].page, _box([group]))
