"""Normalizers: compare values as a careful clerk at the losing carrier would, and no looser.

Everywhere: case, accents, punctuation and spacing never matter; "&" is "and".

Addresses (:func:`parse_address`, :func:`compare_addresses`) are split by a small tokenizer
into street number, pre-directional, street name, suffix, post-directional and secondary units,
then city, state, postal code and country. Each word is first rewritten to its USPS Publication
28 form (``Street`` = ``ST``, ``Suite`` = ``STE``, ``North`` = ``N``, ``Building`` = ``BLDG``,
``Saint`` = ``ST``; tables in :mod:`.tables`). Two addresses are equal when every part is
equal. Decisions:

* A unit may be written in the street line or in the unit field ("123 Main St Ste 4" equals
  street "123 Main St" with unit "Suite 4"); "#4", a bare "4" and "Ste 4" are the same unit
  (``#`` is Pub 28's designator for "unknown"), but "Ste 4" is not "Apt 4", and a unit on one
  side only is a mismatch. "4th Floor" equals "Fl 4".
* A missing suffix or directional on one side is a mismatch ("Main" is not "Main St"), and so
  is a directional in another position ("N Main St" is not "Main St N").
* Spelled-out and numeric street names differ ("First Ave" is not "1st Ave"): not a Pub 28
  abbreviation, and the clerk would not assume it.
* Spacing inside the street name does not matter ("MacArthur" = "Mac Arthur"), nor does a
  hyphen in a house number or unit.
* In Canada, "400-123 Main St" is unit 400 at civic number 123 (Canada Post's form).
* ZIP+4 equals its ZIP; Canadian postal codes are equal with or without the space. State names
  equal their codes ("Washington" = "WA").

Business names (:func:`same_business`): a leading "The" (and a trailing ", The") is ignored;
entity suffixes are equal to their abbreviations (Inc = Incorporated, LLC = L.L.C. = Limited
Liability Company, Corp = Corporation, Co = Company, Ltd = Limited, ...). A suffix present on
one side only is a mismatch ("Acme" is not "Acme Inc"), and "Inc" is not "Corp".

People (:func:`same_person`): "Smith, John" is "John Smith" (a comma means surname first);
honorifics (Mr, Dr...) and professional letters (MD, Esq...) are ignored; a middle name or
initial may be missing on either side, or be an initial on one side ("John Q. Smith" = "John
Smith" = "John Quincy Smith"), but two different middle names differ. The first and last
names must be equal: a nickname ("Bob" for "Robert") or a first initial ("J. Smith") is a
different person, and so is a different generation ("Jr" vs "Sr", or one side only).
Surname particles stay with the surname ("Ana de la Cruz": surname "DELACRUZ").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from faxline.porting.validation.tables import (
    BUSINESS_PHRASES,
    BUSINESS_WORDS,
    CA_POSTAL_FIRST_LETTER,
    CA_PROVINCE_ALIASES,
    CA_PROVINCES,
    DIRECTIONALS,
    NAME_WORDS,
    PERSON_GENERATIONS,
    PERSON_LETTERS,
    PERSON_TITLES,
    ROUTE_SUFFIXES,
    STREET_SUFFIXES,
    SURNAME_PARTICLES,
    UNIT_DESIGNATORS,
    UNITS_WITHOUT_NUMBER,
    US_STATES,
)

if TYPE_CHECKING:
    from faxline.porting.validation.request import PortAddressIn

# --------------------------------------------------------------------------------------------
# Text


def fold(text: str) -> str:
    """Upper case without accents ("Québec" -> "QUEBEC")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


_DROPPED = re.compile(r"['\u2019`]")
_TOKEN = re.compile(r"#|[A-Z0-9]+(?:[-/][A-Z0-9]+)*")


def words(text: str) -> list[str]:
    """The words of ``text``: folded, "&" as AND, apostrophes dropped ("O'Brien" ->
    "OBRIEN"), periods and other punctuation separators ("N.Main" -> "N", "MAIN"); "#" is a
    word. Where spacing does not matter the words are compared joined ("L.L.C." = "LLC")."""
    folded = _DROPPED.sub("", fold(text).replace("&", " AND "))
    return _TOKEN.findall(folded)


def _invert(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {
        spelling: abbreviation
        for abbreviation, spellings in table.items()
        for spelling in spellings
    }


_SUFFIX = _invert(STREET_SUFFIXES) | {a: a for a in STREET_SUFFIXES}
_DIRECTIONAL = _invert(DIRECTIONALS)
_UNIT = _invert(UNIT_DESIGNATORS)
_NAME_WORD = _invert(NAME_WORDS)
SUFFIXES = frozenset(_SUFFIX.values())
DIRECTIONS = frozenset(_DIRECTIONAL.values())
# After canonicalization KEY (a Pub 28 suffix, KY) stands for the unit designator KEY too.
DESIGNATORS = frozenset(_UNIT.values()) - {"KEY"} | {"KY"}
NO_NUMBER_DESIGNATORS = UNITS_WITHOUT_NUMBER


def _canonical_word(word: str) -> str:
    for table in (_DIRECTIONAL, _SUFFIX, _UNIT, _NAME_WORD):
        if word in table:
            return table[word]
    return word


_GLUED_UNIT = re.compile(r"(" + "|".join(sorted(_UNIT, key=len, reverse=True)) + r")(\d[A-Z0-9-]*)")


def street_words(text: str) -> list[str]:
    """Words of a street, unit or city with every Pub 28 spelling replaced by its
    abbreviation, units glued to their number split ("STE400"), two-word directionals joined
    ("North West" -> "NW")."""
    out: list[str] = []
    for word in words(text):
        glued = _GLUED_UNIT.fullmatch(word)
        if glued:
            out.extend([_UNIT[glued.group(1)], glued.group(2)])
        else:
            out.append(_canonical_word(word))
    joined: list[str] = []
    for word in out:
        if joined and joined[-1] in ("N", "S") and word in ("E", "W"):
            joined[-1] += word
        else:
            joined.append(word)
    return joined


def _plain(word: str) -> str:
    return word.replace("-", "")


# --------------------------------------------------------------------------------------------
# Addresses


@dataclass(frozen=True)
class Unit:
    """A secondary unit: Pub 28 designator ("" when unknown: "#", or a bare number) and id."""

    designator: str
    id: str

    def matches(self, other: Unit) -> bool:
        if self.id != other.id:
            return False
        return not self.designator or not other.designator or self.designator == other.designator


@dataclass(frozen=True)
class StreetParts:
    """A street line (with its units) split into the parts a clerk compares."""

    number: str
    predirectional: str
    name: str
    suffix: str
    postdirectional: str
    units: tuple[Unit, ...]
    flat: tuple[str, ...]


_ORDINAL = re.compile(r"(\d+)(ST|ND|RD|TH)")
_FRACTION = re.compile(r"\d+/\d+")
_CA_UNIT_CIVIC = re.compile(r"([A-Z0-9]+)-(\d+[A-Z]?)")


def _has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)


def _is_unit_id(word: str) -> bool:
    return word != "#" and word not in DESIGNATORS and (_has_digit(word) or len(word) == 1)


def _unit_id(designator: str, word: str) -> str:
    word = _plain(word)
    if designator == "FL":
        ordinal = _ORDINAL.fullmatch(word)
        if ordinal:
            return ordinal.group(1)
    return word


def _parse_units(tokens: list[str]) -> list[Unit]:
    units: list[Unit] = []
    i = 0
    while i < len(tokens):
        word = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if word == "#":
            units.append(Unit("", _plain(nxt) if nxt else ""))
            i += 2
        elif word in DESIGNATORS:
            j = i + 1
            if nxt == "#":
                j += 1
            candidate = tokens[j] if j < len(tokens) else None
            if candidate is not None and _is_unit_id(candidate):
                units.append(Unit(word, _unit_id(word, candidate)))
                i = j + 1
            else:
                units.append(Unit(word, ""))
                i += 1
        elif nxt == "FL" and _ORDINAL.fullmatch(word):
            units.append(Unit("FL", _unit_id("FL", word)))
            i += 2
        else:
            units.append(Unit("", _plain(word)))
            i += 1
    return units


def _unit_start(rest: list[str]) -> int:
    """Where the units begin in the words after the house number (len(rest) if none)."""
    n = len(rest)
    for i in range(1, n):
        word, prev = rest[i], rest[i - 1]
        nxt = rest[i + 1] if i + 1 < n else None
        after_suffix = prev in SUFFIXES or prev in DIRECTIONS
        if word == "#":
            return i
        if word in DESIGNATORS:
            if nxt is not None and (nxt == "#" or _is_unit_id(nxt)):
                return i
            if after_suffix and (nxt is None or word in NO_NUMBER_DESIGNATORS):
                return i
        if nxt == "FL" and _ORDINAL.fullmatch(word):
            return i
        if (
            _has_digit(word)
            and i >= 2
            and ((prev in SUFFIXES and prev not in ROUTE_SUFFIXES) or prev in DIRECTIONS)
            and all(_is_unit_id(w) or w in DESIGNATORS or w == "#" for w in rest[i:])
        ):
            return i
    return n


def parse_street(street: str, unit: str | None = None, country: str = "US") -> StreetParts:
    """Split a street line and its unit field into the parts a clerk compares."""
    tokens = street_words(street)
    units: list[Unit] = []
    number = ""
    if tokens and _has_digit(tokens[0]):
        first = tokens.pop(0)
        civic = _CA_UNIT_CIVIC.fullmatch(first) if country == "CA" else None
        if civic:
            units.append(Unit("", civic.group(1)))
            number = civic.group(2)
        else:
            number = _plain(first)
        if tokens and _FRACTION.fullmatch(tokens[0]):
            number += " " + tokens.pop(0)
    start = _unit_start(tokens)
    units.extend(_parse_units(tokens[start:]))
    rest = tokens[:start]
    unit_words = street_words(unit or "")
    units.extend(_parse_units(unit_words))
    deduplicated: list[Unit] = []
    for u in units:
        if u not in deduplicated:
            deduplicated.append(u)

    suffix = predirectional = postdirectional = ""
    if len(rest) >= 3 and rest[-1] in DIRECTIONS and rest[-2] in SUFFIXES:
        postdirectional = rest.pop()
        suffix = rest.pop()
    elif len(rest) >= 2 and rest[-1] in SUFFIXES:
        suffix = rest.pop()
    elif len(rest) >= 2 and rest[-1] in DIRECTIONS and rest[-2] not in DIRECTIONS:
        postdirectional = rest.pop()
    if len(rest) >= 2 and rest[0] in DIRECTIONS:
        predirectional = rest.pop(0)
    flat = tuple(_plain(w) for w in [*street_words(street), *unit_words] if w != "#")
    return StreetParts(
        number=number,
        predirectional=predirectional,
        name="".join(_plain(w) for w in rest),
        suffix=suffix,
        postdirectional=postdirectional,
        units=tuple(deduplicated),
        flat=flat,
    )


def _units_match(a: tuple[Unit, ...], b: tuple[Unit, ...]) -> bool:
    return len(a) == len(b) and all(x.matches(y) for x, y in zip(a, b, strict=True))


def city_key(city: str) -> str:
    """A city as compared: Pub 28 words, Saint = St, Mount = Mt, Fort = Ft; no spaces."""
    return "".join(_plain(w) for w in street_words(city) if w != "#")


def state_code(state: str, country: str) -> str | None:
    """The two-letter code of a US state or territory or a Canadian province, from its code
    or its name; None when ``state`` is none of ``country``'s."""
    key = " ".join(words(state.replace("&", " and ")))
    table = US_STATES if country == "US" else CA_PROVINCES
    if key in table:
        return key
    for code, name in table.items():
        if key == name:
            return code
    if country == "CA":
        return CA_PROVINCE_ALIASES.get(key)
    return None


def postal_key(postal_code: str, country: str) -> str:
    """A postal code as compared: a US ZIP or ZIP+4 as its five digits, a Canadian code as
    its six characters."""
    if country == "US":
        digits = re.sub(r"\D", "", postal_code)
        if len(digits) in (5, 9):
            return digits[:5]
    return re.sub(r"[^A-Z0-9]", "", fold(postal_code))


_US_ZIP = re.compile(r"\d{5}(?:[- ]?\d{4})?")
_CA_POSTAL = re.compile(r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d")


def postal_code_problem(postal_code: str, country: str, state: str) -> str | None:
    """Why ``postal_code`` is not a postal code of ``country`` (and, in Canada, of the
    province): "format" or "province"; None when it is fine."""
    text = postal_code.strip()
    if country == "US":
        return None if _US_ZIP.fullmatch(text) else "format"
    text = fold(text)
    if not _CA_POSTAL.fullmatch(text):
        return "format"
    province = state_code(state, "CA")
    if province and province not in CA_POSTAL_FIRST_LETTER.get(text[0], ()):
        return "province"
    return None


@dataclass(frozen=True)
class AddressDifference:
    """The parts in which two addresses differ, in the words of the message."""

    parts: tuple[str, ...]

    @property
    def street(self) -> bool:
        return any(p in STREET_PART_NAMES for p in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)


STREET_PART_NAMES = (
    "street number",
    "directional",
    "street name",
    "street suffix",
    "unit",
)


def compare_addresses(
    a: PortAddressIn, b: PortAddressIn, *, postal: bool = True
) -> AddressDifference:
    """How ``a`` and ``b`` differ (empty when a clerk would call them the same address).
    With ``postal=False`` the postal code is left out (it is reported on its own)."""
    parts: list[str] = []
    sa = parse_street(a.street, a.unit, a.country)
    sb = parse_street(b.street, b.unit, b.country)
    if sa.flat != sb.flat:
        if sa.number != sb.number:
            parts.append("street number")
        if (sa.predirectional, sa.postdirectional) != (sb.predirectional, sb.postdirectional):
            parts.append("directional")
        if sa.name != sb.name:
            parts.append("street name")
        if sa.suffix != sb.suffix:
            parts.append("street suffix")
        if not _units_match(sa.units, sb.units):
            parts.append("unit")
    if city_key(a.city) != city_key(b.city):
        parts.append("city")
    if a.country != b.country:
        parts.append("country")
    elif state_code(a.state, a.country) != state_code(b.state, b.country):
        parts.append("state")
    if postal and postal_key(a.postal_code, a.country) != postal_key(b.postal_code, b.country):
        parts.append("postal code")
    return AddressDifference(tuple(parts))


# --------------------------------------------------------------------------------------------
# PO boxes

_END = r"(?![A-Z])"  # a word ends here (digits may follow: "POBOX12", "PMB12")
_PO_BOX_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\b(?:P\s?O|POST\s?OFFICE|POSTAL|POST)\s?(?:BOX|BX|DRAWER|DRWR)" + _END),
        "PO box",
    ),
    (re.compile(r"\bP\s?O\s?B\s?\d"), "PO box"),
    (re.compile(r"\bP\s?O\s?\d"), "PO box"),
    (re.compile(r"\b(?:PMB|PRIVATE\s?MAIL\s?BOX)" + _END), "private mailbox (PMB)"),
    (re.compile(r"\bCASE\s?POSTALE\b|\bC\s?P\s?\d"), "post office box (case postale)"),
    (re.compile(r"\bLOCK\s?BOX" + _END), "lock box"),
    (re.compile(r"\bGENERAL\s?DELIVERY\b"), "general delivery address"),
    (
        re.compile(r"\b(?:RR|RFD|HC|RURAL\s?ROUTE|HIGHWAY\s?CONTRACT)\s?\d+\s?BOX" + _END),
        "rural route box",
    ),
    (re.compile(r"\bBOX\s?\d"), "PO box"),
)


def po_box(text: str | None) -> str | None:
    """What kind of mailbox ``text`` names ("PO box", "private mailbox (PMB)"...), or None
    for a street. "PO Box 12", "P.O. Box", "P O Box", "Post Office Box", "POB 12", a bare
    "Box 12", "PMB 12", "C.P. 12" are mailboxes; "Box Elder Street", "Boxwood Rd" are streets."""
    if not text:
        return None
    line = " ".join(re.findall(r"[A-Z0-9]+", _DROPPED.sub("", fold(text))))
    for pattern, kind in _PO_BOX_PATTERNS:
        if pattern.search(line):
            return kind
    return None


# --------------------------------------------------------------------------------------------
# Business names


def business_key(name: str) -> str:
    """A business name as compared (see the module docstring)."""
    raw = fold(name).strip()
    trailing_the = bool(re.search(r",\s*THE\s*$", raw))
    tokens = [w for w in words(name) if w != "#"]
    if tokens and tokens[0] == "THE" and len(tokens) > 1:
        tokens.pop(0)
    if trailing_the and len(tokens) > 1 and tokens[-1] == "THE":
        tokens.pop()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase, short in BUSINESS_PHRASES.items():
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out.append(short)
                i += len(phrase)
                break
        else:
            out.append(BUSINESS_WORDS.get(tokens[i], tokens[i]))
            i += 1
    return "".join(_plain(w) for w in out)


def same_business(a: str, b: str) -> bool:
    """Whether two business names are the same name to a careful clerk."""
    return business_key(a) == business_key(b)


# --------------------------------------------------------------------------------------------
# People


@dataclass(frozen=True)
class PersonName:
    """A person's name split for comparison; ``last`` holds surname particles too."""

    first: str
    middles: tuple[str, ...]
    last: str
    generation: str

    @property
    def key(self) -> str:
        return self.first + "".join(self.middles) + self.last + self.generation


def person_name(name: str) -> PersonName:
    """Split a person's name ("John Q. Smith", "Smith, John Q", "Dr. Ana de la Cruz, MD")."""
    text = _DROPPED.sub("", fold(name)).replace("-", "")
    generation = ""
    kept: list[list[str]] = []
    for part in text.split(","):
        tokens = re.findall(r"[A-Z0-9]+", part)
        if not tokens:
            continue
        if all(t in PERSON_LETTERS or t in PERSON_GENERATIONS for t in tokens):
            generation = next(
                (PERSON_GENERATIONS[t] for t in tokens if t in PERSON_GENERATIONS), generation
            )
            continue
        kept.append(tokens)
    # "Smith, John Q": surname first. Otherwise the words in their order.
    tokens = kept[1] + kept[0] if len(kept) == 2 else [t for part in kept for t in part]
    while tokens and tokens[0] in PERSON_TITLES and len(tokens) > 1:
        tokens.pop(0)
    while len(tokens) > 1 and (tokens[-1] in PERSON_LETTERS or tokens[-1] in PERSON_GENERATIONS):
        word = tokens.pop()
        generation = PERSON_GENERATIONS.get(word, generation)
    if not tokens:
        return PersonName("", (), "", generation)
    if len(tokens) == 1:
        return PersonName(tokens[0], (), "", generation)
    start = len(tokens) - 1
    while start - 1 >= 1 and tokens[start - 1] in SURNAME_PARTICLES:
        start -= 1
    return PersonName(tokens[0], tuple(tokens[1:start]), "".join(tokens[start:]), generation)


def _middle_matches(a: str, b: str) -> bool:
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def _middles_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    position = 0
    for name in short:
        while position < len(long) and not _middle_matches(name, long[position]):
            position += 1
        if position == len(long):
            return False
        position += 1
    return True


def same_person(a: str, b: str) -> bool:
    """Whether two names name the same person to a careful clerk (module docstring)."""
    pa, pb = person_name(a), person_name(b)
    if not pa.key or not pb.key:
        return False
    if pa.key == pb.key:
        return True
    return (
        pa.first == pb.first
        and pa.last == pb.last
        and pa.generation == pb.generation
        and _middles_compatible(pa.middles, pb.middles)
    )


def has_first_and_last_name(name: str) -> bool:
    """Whether ``name`` gives at least a first and a last name."""
    return bool(person_name(name).last)


# --------------------------------------------------------------------------------------------
# Phone numbers and carriers

TOLL_FREE_AREA_CODES = frozenset({"800", "833", "844", "855", "866", "877", "888"})
_GEOGRAPHIC_TYPES = frozenset(
    {PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
_PHONE_CHARACTERS = re.compile(r"[+\d\s().\-]+")


@dataclass(frozen=True)
class Phone:
    """A parsed phone number. ``kind``: "geographic", "toll_free", or "other" (premium rate,
    personal, ... or outside the US and Canada); ``country``: the ISO region."""

    e164: str
    country: str
    kind: str
    display: str

    @property
    def portable(self) -> bool:
        return self.kind in ("geographic", "toll_free")


@functools.lru_cache(maxsize=4096)
def parse_phone(raw: str | None) -> Phone | None:
    """The number ``raw`` names (E.164 with "+", or a 10-digit North American number with
    any punctuation), or None when it names no valid number at all. Cached: parsing costs
    about a millisecond, and a request's numbers are parsed by several rules and pages."""
    if not raw or not _PHONE_CHARACTERS.fullmatch(raw.strip()):
        return None
    try:
        parsed = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None
    if parsed.extension or not phonenumbers.is_valid_number(parsed):
        return None
    e164 = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(parsed) or ""
    if parsed.country_code == 1 and e164[2:5] in TOLL_FREE_AREA_CODES:
        kind = "toll_free"
    elif region in ("US", "CA") and phonenumbers.number_type(parsed) in _GEOGRAPHIC_TYPES:
        kind = "geographic"
    else:
        kind = "other"
    display = phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)
    return Phone(e164=e164, country=region, kind=kind, display=display)


def phone_key(raw: str) -> str:
    """A number as compared: its E.164 form, or its digits when it does not parse."""
    phone = parse_phone(raw)
    return phone.e164 if phone else re.sub(r"\D", "", raw)


def account_key(value: str) -> str:
    """An account number as compared: letters and digits only, case-insensitive (leading
    zeros count)."""
    return re.sub(r"[^A-Z0-9]", "", fold(value))


def is_google_voice(carrier: str) -> bool:
    """Whether the losing carrier is Google Voice ("Google Voice", "Google", "Google LLC",
    "GV"); not Google Fi or Google Fiber."""
    key = "".join(words(carrier))
    return "GOOGLEVOICE" in key or key in {"GOOGLE", "GOOGLEINC", "GOOGLELLC", "GV"}
