"""The normalizers: what a careful clerk calls equal, and nothing looser.

Property tests: abbreviation, case, punctuation and spacing changes never create a mismatch;
a changed street number, unit, directional, city, state, ZIP or person always does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faxline.porting.validation.normalize import (
    business_key,
    compare_addresses,
    is_google_voice,
    parse_phone,
    parse_street,
    person_name,
    postal_code_problem,
    postal_key,
    same_business,
    same_person,
)
from faxline.porting.validation.request import PortAddressIn
from faxline.porting.validation.tables import (
    DIRECTIONALS,
    STREET_SUFFIXES,
    UNIT_DESIGNATORS,
    UNITS_WITHOUT_NUMBER,
    US_STATES,
)

# Pure normalisers: what they check does not depend on the database engine.
pytestmark = pytest.mark.database_independent

# ---------------------------------------------------------------------------- strategies

STREET_NAMES = ["Main", "Oak", "Maple", "Cedar", "Lincoln", "Sunset", "Highland", "Madison"]
STREET_NAMES += ["Mac Arthur", "Jefferson Davis", "Saint Charles", "Mount Vernon", "Elm"]
CITIES = {
    "Seattle": ["Seattle"],
    "Saint Paul": ["Saint Paul", "St. Paul", "St Paul", "ST PAUL"],
    "Fort Worth": ["Fort Worth", "Ft. Worth", "Ft Worth"],
    "Mount Vernon": ["Mount Vernon", "Mt. Vernon"],
    "North Las Vegas": ["North Las Vegas", "N. Las Vegas", "N Las Vegas"],
    "Winston-Salem": ["Winston-Salem", "Winston Salem", "Winston - Salem"],
    "Coeur d'Alene": ["Coeur d'Alene", "Coeur D Alene", "COEUR DALENE"],
}
STATES = ["WA", "MN", "TX", "NC", "ID", "NY"]
NUMBERED_UNITS = sorted(set(UNIT_DESIGNATORS) - UNITS_WITHOUT_NUMBER - {"KEY"})
SPELLED = {"SAINT": ["Saint", "St", "St."], "MOUNT": ["Mount", "Mt", "Mt."]}


@st.composite
def address_parts(draw: Any) -> dict[str, Any]:
    suffix = draw(st.sampled_from([None, *STREET_SUFFIXES]))
    unit: tuple[str, str] | None = draw(
        st.one_of(
            st.none(),
            st.tuples(
                st.sampled_from(NUMBERED_UNITS),
                st.sampled_from(["4", "210", "B", "4B", "12-A", "1200"]),
            ),
            # designators without a number are recognized after a suffix only
            st.tuples(st.sampled_from(sorted(UNITS_WITHOUT_NUMBER)), st.just(""))
            if suffix
            else st.none(),
        )
    )
    return {
        "number": draw(st.integers(1, 99999)),
        "pre": draw(st.sampled_from([None, *DIRECTIONALS])),
        "name": draw(st.sampled_from(STREET_NAMES)),
        "suffix": suffix,
        "post": draw(st.sampled_from([None, *DIRECTIONALS])) if suffix else None,
        "unit": unit,
        "city": draw(st.sampled_from(sorted(CITIES))),
        "state": draw(st.sampled_from(STATES)),
        "zip": draw(st.from_regex(r"[0-9]{5}", fullmatch=True)),
    }


def _case(draw: Any, text: str) -> str:
    style = draw(st.sampled_from(["upper", "lower", "title", "same"]))
    return {"upper": text.upper(), "lower": text.lower(), "title": text.title()}.get(style, text)


def _spaces(draw: Any) -> str:
    return draw(st.sampled_from([" ", "  ", " \t", "   "]))


def _dotted(draw: Any, word: str) -> str:
    """An abbreviation with or without a period."""
    return word + draw(st.sampled_from(["", "."])) if len(word) <= 4 else word


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def render(draw: Any, parts: dict[str, Any]) -> PortAddressIn:
    """One of the many ways a person may write the address of ``parts``."""
    sp = _spaces
    words = [str(parts["number"])]
    if parts["pre"]:
        words.append(_dotted(draw, draw(st.sampled_from(DIRECTIONALS[parts["pre"]]))))
    for word in parts["name"].split():
        if word.upper() in SPELLED:
            word = draw(st.sampled_from(SPELLED[word.upper()]))
        words.append(word)
    if parts["suffix"]:
        words.append(_dotted(draw, draw(st.sampled_from(STREET_SUFFIXES[parts["suffix"]]))))
    if parts["post"]:
        words.append(_dotted(draw, draw(st.sampled_from(DIRECTIONALS[parts["post"]]))))
    street = sp(draw).join(_case(draw, w) for w in words)
    unit_text = None
    if parts["unit"]:
        designator, unit_id = parts["unit"]
        spellings = list(UNIT_DESIGNATORS[designator])
        options = [f"{s} {unit_id}".strip() for s in spellings]
        if unit_id:
            options += [f"# {unit_id}", f"#{unit_id}", f"{spellings[-1]} #{unit_id}"]
        if designator == "FL" and unit_id.isdigit():
            options += [f"{_ordinal(int(unit_id))} Floor", f"{_ordinal(int(unit_id))} Fl"]
        unit_text = _case(draw, draw(st.sampled_from(options)))
        if draw(st.booleans()):
            street = street + draw(st.sampled_from([" ", ", ", " , ", "  "])) + unit_text
            unit_text = None
    city = _case(draw, draw(st.sampled_from(CITIES[parts["city"]])))
    state = parts["state"]
    state = _case(draw, draw(st.sampled_from([state, US_STATES[state].title()])))
    postal = parts["zip"]
    postal = draw(st.sampled_from([postal, f"{postal}-{draw(st.integers(0, 9999)):04d}"]))
    pad = draw(st.sampled_from(["", " ", "  "]))
    return PortAddressIn(
        street=pad + street + pad,
        unit=unit_text if unit_text is not None else draw(st.sampled_from([None, "", " "])),
        city=city + pad,
        state=state,
        postal_code=pad + postal,
        country="US",
    )


# ---------------------------------------------------------------------------- addresses


@given(st.data(), address_parts())
@settings(max_examples=400, deadline=None)
def test_writing_an_address_differently_never_creates_a_mismatch(
    data: st.DataObject, parts: dict[str, Any]
) -> None:
    a = render(data.draw, parts)
    b = render(data.draw, parts)
    assert not compare_addresses(a, b), (
        a,
        b,
        parse_street(a.street, a.unit),
        parse_street(b.street, b.unit),
    )


def _changed(
    data: st.DataObject, parts: dict[str, Any], change: dict[str, Any]
) -> tuple[PortAddressIn, PortAddressIn]:
    return render(data.draw, parts), render(data.draw, parts | change)


@given(st.data(), address_parts(), st.integers(1, 500))
@settings(deadline=None)
def test_a_different_street_number_is_a_mismatch(
    data: st.DataObject, parts: dict[str, Any], delta: int
) -> None:
    a, b = _changed(data, parts, {"number": parts["number"] + delta})
    assert "street number" in compare_addresses(a, b).parts


@given(st.data(), address_parts(), st.sampled_from(["5", "211", "C", "4C"]))
@settings(deadline=None)
def test_a_different_unit_is_a_mismatch(
    data: st.DataObject, parts: dict[str, Any], other_id: str
) -> None:
    designator, unit_id = parts["unit"] or ("STE", "100")
    parts = parts | {"unit": (designator, unit_id)}
    if other_id == unit_id.replace("-", ""):
        other_id = "999"
    a, b = _changed(data, parts, {"unit": (designator, other_id)})
    assert compare_addresses(a, b).parts == ("unit",)


@given(st.data(), address_parts())
@settings(deadline=None)
def test_a_unit_on_one_side_only_is_a_mismatch(data: st.DataObject, parts: dict[str, Any]) -> None:
    a, b = _changed(data, parts | {"unit": ("STE", "300")}, {"unit": None})
    assert compare_addresses(a, b).parts == ("unit",)


@given(st.data(), address_parts(), st.sampled_from(sorted(DIRECTIONALS)))
@settings(deadline=None)
def test_a_different_directional_is_a_mismatch(
    data: st.DataObject, parts: dict[str, Any], other: str
) -> None:
    if parts["pre"] == other:
        other = "SW" if other != "SW" else "NE"
    a, b = _changed(data, parts, {"pre": other})
    assert "directional" in compare_addresses(a, b).parts


@given(st.data(), address_parts())
@settings(deadline=None)
def test_a_missing_directional_is_a_mismatch(data: st.DataObject, parts: dict[str, Any]) -> None:
    a, b = _changed(data, parts | {"pre": "N"}, {"pre": None})
    assert "directional" in compare_addresses(a, b).parts


@given(st.data(), address_parts(), st.from_regex(r"[0-9]{5}", fullmatch=True))
@settings(deadline=None)
def test_a_different_zip_is_a_mismatch(
    data: st.DataObject, parts: dict[str, Any], other_zip: str
) -> None:
    if other_zip == parts["zip"]:
        other_zip = f"{(int(other_zip) + 1) % 100000:05d}"
    a, b = _changed(data, parts, {"zip": other_zip})
    assert compare_addresses(a, b).parts == ("postal code",)
    assert not compare_addresses(a, b, postal=False)


@given(st.data(), address_parts(), st.sampled_from(sorted(CITIES)), st.sampled_from(STATES))
@settings(deadline=None)
def test_a_different_city_or_state_is_a_mismatch(
    data: st.DataObject, parts: dict[str, Any], city: str, state: str
) -> None:
    expected = {"city"} if city != parts["city"] else set()
    expected |= {"state"} if state != parts["state"] else set()
    a, b = _changed(data, parts, {"city": city, "state": state})
    assert set(compare_addresses(a, b).parts) == expected


@given(st.data(), address_parts(), st.sampled_from(sorted(STREET_SUFFIXES)))
@settings(deadline=None)
def test_a_different_suffix_is_a_mismatch(
    data: st.DataObject, parts: dict[str, Any], suffix: str
) -> None:
    parts = parts | {"suffix": parts["suffix"] or "ST", "post": None}
    if suffix == parts["suffix"]:
        suffix = "AVE" if suffix != "AVE" else "ST"
    a, b = _changed(data, parts, {"suffix": suffix})
    assert "street suffix" in compare_addresses(a, b).parts


def us(street: str, unit: str | None = None, **kw: str) -> PortAddressIn:
    fields = {"city": "Seattle", "state": "WA", "postal_code": "98101", "country": "US"} | kw
    return PortAddressIn(street=street, unit=unit, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (us("123 Main Street, Suite 400"), us("123 MAIN ST", "STE 400")),
        (us("123 Main St #400"), us("123 Main St", "Suite 400")),
        (us("123 Main St 400"), us("123 Main St", "400")),
        (us("123 Main St", "4th Floor"), us("123 Main St Fl 4")),
        (us("123 N. Main St."), us("123 North Main Street")),
        (us("100 North West Hwy"), us("100 NW Highway")),
        (us("1 MacArthur Blvd"), us("1 Mac Arthur Boulevard")),
        (us("77 Saint Charles Ave"), us("77 St. Charles Avenue")),
        (us("123 Main St STE400"), us("123 Main St", "Ste. 400")),
        (us("5 Elm St", postal_code="98101-1234"), us("5 Elm St", postal_code="98101")),
        (us("5 Elm St", state="Washington"), us("5 Elm St", state="wa")),
        (us("12 Broadway Ste 3"), us("12 Broadway", "Suite 3")),
        (us("123 1/2 Elm Ave"), us("123 1/2 Elm Avenue")),
        (us("8 Queens Blvd", "Apt 4-B"), us("8 Queens Blvd Apt 4B")),
        (
            PortAddressIn(
                street="400-123 Main St",
                city="Ottawa",
                state="ON",
                postal_code="K1A 0B1",
                country="CA",
            ),
            PortAddressIn(
                street="123 Main Street",
                unit="Suite 400",
                city="Ottawa",
                state="Ontario",
                postal_code="k1a0b1",
                country="CA",
            ),
        ),
    ],
)
def test_equal_addresses(a: PortAddressIn, b: PortAddressIn) -> None:
    assert not compare_addresses(a, b)


@pytest.mark.parametrize(
    ("a", "b", "parts"),
    [
        (us("123 Main St"), us("125 Main St"), ("street number",)),
        (us("123 Main St"), us("123 Main Ave"), ("street suffix",)),
        (us("123 Main St"), us("123 Main"), ("street suffix",)),
        (us("123 N Main St"), us("123 S Main St"), ("directional",)),
        (us("123 N Main St"), us("123 Main St N"), ("directional",)),
        (us("123 Main St"), us("123 Maine St"), ("street name",)),
        (us("123 First Ave"), us("123 1st Ave"), ("street name",)),
        (us("123 Main St", "Ste 4"), us("123 Main St", "Apt 4"), ("unit",)),
        (us("123 Main St", "Ste 4"), us("123 Main St"), ("unit",)),
        (us("123 Main St"), us("123 Main St", city="Tacoma"), ("city",)),
        (us("123 Main St"), us("123 Main St", state="OR"), ("state",)),
        (us("123 Main St"), us("123 Main St", postal_code="98102"), ("postal code",)),
        (us("100 N Ash St"), us("100 Nash St"), ("directional", "street name")),
    ],
)
def test_different_addresses(a: PortAddressIn, b: PortAddressIn, parts: tuple[str, ...]) -> None:
    assert compare_addresses(a, b).parts == parts


@pytest.mark.parametrize(
    ("abbreviation", "spelling"),
    [(abbr, s) for abbr, spellings in STREET_SUFFIXES.items() for s in spellings],
)
def test_every_pub28_suffix_spelling_equals_its_abbreviation(
    abbreviation: str, spelling: str
) -> None:
    street = parse_street(f"100 Oak {spelling.title()}")
    assert (street.name, street.suffix) == ("OAK", abbreviation)
    assert not compare_addresses(us(f"100 Oak {spelling}"), us(f"100 Oak {abbreviation}"))


def test_suffix_table_is_unambiguous() -> None:
    seen: dict[str, str] = {}
    for abbr, spellings in STREET_SUFFIXES.items():
        assert abbr in spellings
        for spelling in spellings:
            assert seen.setdefault(spelling, abbr) == abbr, spelling


@pytest.mark.parametrize(
    ("abbreviation", "spelling"),
    [(abbr, s) for abbr, spellings in UNIT_DESIGNATORS.items() for s in spellings],
)
def test_every_pub28_unit_designator_equals_its_abbreviation(
    abbreviation: str, spelling: str
) -> None:
    assert not compare_addresses(us("9 Oak St", f"{spelling} 3"), us(f"9 Oak St {abbreviation} 3"))


@pytest.mark.parametrize(
    ("abbreviation", "spelling"),
    [(abbr, s) for abbr, spellings in DIRECTIONALS.items() for s in spellings],
)
def test_every_directional_equals_its_abbreviation(abbreviation: str, spelling: str) -> None:
    assert not compare_addresses(us(f"9 {spelling} Oak St"), us(f"9 {abbreviation}. Oak St"))
    assert not compare_addresses(us(f"9 Oak St {spelling}"), us(f"9 Oak St {abbreviation}"))


# ---------------------------------------------------------------------------- postal codes


@given(
    st.from_regex(r"[0-9]{5}", fullmatch=True),
    st.integers(0, 9999),
    st.sampled_from(["-", "", " "]),
)
@settings(deadline=None)
def test_zip_plus_four_equals_its_zip(zip5: str, plus4: int, sep: str) -> None:
    assert postal_key(f"{zip5}{sep}{plus4:04d}", "US") == postal_key(zip5, "US") == zip5
    assert postal_code_problem(f"{zip5}{sep}{plus4:04d}", "US", "WA") is None


LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
FIRST_LETTERS = "ABCEGHJKLMNPRSTVXY"


@given(
    st.sampled_from(FIRST_LETTERS),
    st.lists(st.sampled_from(LETTERS), min_size=2, max_size=2),
    st.lists(st.sampled_from("0123456789"), min_size=3, max_size=3),
    st.sampled_from(["", " ", "  "]),
    st.booleans(),
)
@settings(deadline=None)
def test_canadian_postal_codes_ignore_spacing_and_case(
    first: str, letters: list[str], digits: list[str], space: str, lower: bool
) -> None:
    code = f"{first}{digits[0]}{letters[0]}{digits[1]}{letters[1]}{digits[2]}"
    written = f"{code[:3]}{space}{code[3:]}"
    written = written.lower() if lower else written
    assert postal_key(written, "CA") == postal_key(code, "CA") == code
    if len(space) <= 1:
        assert postal_code_problem(written, "CA", "") is None


@pytest.mark.parametrize(
    ("code", "country", "state", "problem"),
    [
        ("98101", "US", "WA", None),
        ("98101-1234", "US", "WA", None),
        ("9810", "US", "WA", "format"),
        ("981011", "US", "WA", "format"),
        ("M5X 1A9", "US", "WA", "format"),
        ("", "US", "WA", "format"),
        ("M5X 1A9", "CA", "ON", None),
        ("m5x1a9", "CA", "Ontario", None),
        ("98101", "CA", "ON", "format"),
        ("D5X 1A9", "CA", "ON", "format"),
        ("V6B 1A1", "CA", "ON", "province"),
        ("X0A 0H0", "CA", "NU", None),
    ],
)
def test_postal_code_problems(code: str, country: str, state: str, problem: str | None) -> None:
    assert postal_code_problem(code, country, state) == problem


# ---------------------------------------------------------------------------- people

FIRST_NAMES = ["John", "Maria", "Robert", "Ana", "Wei", "Fatima", "Olga", "Pierre", "Mary-Jane"]
MIDDLE_NAMES = ["Quincy", "Lee", "Ann", "Marie", "Jose"]
LAST_NAMES = [
    "Smith",
    "Chen",
    "Garcia",
    "O'Brien",
    "Nguyen",
    "Van Dyke",
    "de la Cruz",
    "Smith-Jones",
]
NICKNAMES = [
    ("Bob", "Robert"),
    ("Bill", "William"),
    ("Liz", "Elizabeth"),
    ("Peggy", "Margaret"),
    ("Jim", "James"),
    ("Tony", "Anthony"),
    ("Kate", "Katherine"),
    ("Chuck", "Charles"),
]


@st.composite
def person(draw: Any) -> tuple[str, str | None, str]:
    return (
        draw(st.sampled_from(FIRST_NAMES)),
        draw(st.one_of(st.none(), st.sampled_from(MIDDLE_NAMES))),
        draw(st.sampled_from(LAST_NAMES)),
    )


def write_person(draw: Any, first: str, middle: str | None, last: str) -> str:
    middle_text = ""
    if middle:
        middle_text = draw(st.sampled_from(["", middle, middle[0], middle[0] + "."]))
    title = draw(st.sampled_from(["", "", "Dr. ", "Mr ", "Ms. "]))
    sp = draw(st.sampled_from([" ", "  "]))
    if draw(st.booleans()):
        text = f"{last},{sp}{first}{sp}{middle_text}"
    else:
        text = f"{title}{first}{sp}{middle_text}{sp}{last}"
    return _case(draw, text)


@given(st.data(), person())
@settings(max_examples=300, deadline=None)
def test_writing_a_name_differently_is_the_same_person(
    data: st.DataObject, who: tuple[str, str | None, str]
) -> None:
    a = write_person(data.draw, *who)
    b = write_person(data.draw, *who)
    assert same_person(a, b), (a, b, person_name(a), person_name(b))


@given(st.data(), person(), st.sampled_from(FIRST_NAMES))
@settings(deadline=None)
def test_another_first_name_is_another_person(
    data: st.DataObject, who: tuple[str, str | None, str], first: str
) -> None:
    if first == who[0]:
        return
    assert not same_person(
        write_person(data.draw, *who), write_person(data.draw, first, who[1], who[2])
    )


@given(st.data(), person(), st.sampled_from(LAST_NAMES))
@settings(deadline=None)
def test_another_last_name_is_another_person(
    data: st.DataObject, who: tuple[str, str | None, str], last: str
) -> None:
    if last == who[2]:
        return
    assert not same_person(
        write_person(data.draw, *who), write_person(data.draw, who[0], who[1], last)
    )


@given(st.data(), st.sampled_from(NICKNAMES), st.sampled_from(LAST_NAMES))
@settings(deadline=None)
def test_a_nickname_is_another_person(
    data: st.DataObject, names: tuple[str, str], last: str
) -> None:
    nickname, given_name = names
    a = write_person(data.draw, nickname, None, last)
    b = write_person(data.draw, given_name, None, last)
    assert not same_person(a, b)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("John Q. Smith", "John Smith", True),
        ("John Q. Smith", "Smith, John", True),
        ("John Quincy Smith", "John Q Smith", True),
        ("John Quincy Adams Smith", "John Q. Smith", True),
        ("JOHN SMITH", "john  smith", True),
        ("Dr. John Smith, MD", "John Smith", True),
        ("Ana Maria de la Cruz", "Ana De La Cruz", True),
        ("Sean O'Brien", "Sean OBrien", True),
        ("Mary-Jane Watson", "Mary Jane Watson", True),
        ("John Smith Jr.", "Smith, John, Jr", True),
        ("John Quincy Smith", "John Quentin Smith", False),
        ("John Q. Smith", "John R. Smith", False),
        ("Bob Smith", "Robert Smith", False),
        ("J. Smith", "John Smith", False),
        ("John Smith", "Smith John", False),
        ("John Smith Jr", "John Smith Sr", False),
        ("John Smith Jr", "John Smith", False),
        ("Mary-Jane Watson", "Mary Watson", False),
        ("John Smith", "Jane Smith", False),
        ("Jane", "Jane Doe", False),
        ("", "", False),
    ],
)
def test_people(a: str, b: str, same: bool) -> None:
    assert same_person(a, b) is same
    assert same_person(b, a) is same


# ---------------------------------------------------------------------------- businesses

ENTITY_SPELLINGS = {
    "INC": ["Inc", "Inc.", "Incorporated", "INC"],
    "LLC": ["LLC", "L.L.C.", "L. L. C.", "Limited Liability Company", "llc"],
    "CORP": ["Corp", "Corp.", "Corporation"],
    "CO": ["Co", "Co.", "Company"],
    "LTD": ["Ltd", "Ltd.", "Limited"],
    "": [""],
}
BUSINESS_WORDS = ["Acme", "Pine Street", "Blue Ridge", "Dental", "Clinic", "Fax", "Summit", "Law"]


@st.composite
def business(draw: Any) -> tuple[list[str], bool, str]:
    name = draw(st.lists(st.sampled_from(BUSINESS_WORDS), min_size=1, max_size=3, unique=True))
    return name, draw(st.booleans()), draw(st.sampled_from(sorted(ENTITY_SPELLINGS)))


def write_business(draw: Any, name: list[str], conjunction: bool, entity: str) -> str:
    joiner = draw(st.sampled_from([" & ", " and ", "&", " AND "])) if conjunction else " "
    words = list(name)
    text = joiner.join(words) if conjunction and len(words) > 1 else " ".join(words)
    spelled = draw(st.sampled_from(ENTITY_SPELLINGS[entity]))
    if spelled:
        text += draw(st.sampled_from([" ", ", ", " ,  "])) + spelled
    if draw(st.booleans()):
        text = draw(st.sampled_from(["The ", "the ", "THE "])) + text
    return _case(draw, text)


@given(st.data(), business())
@settings(max_examples=300, deadline=None)
def test_writing_a_business_name_differently_is_the_same_name(
    data: st.DataObject, parts: tuple[list[str], bool, str]
) -> None:
    a = write_business(data.draw, *parts)
    b = write_business(data.draw, *parts)
    assert same_business(a, b), (a, b, business_key(a), business_key(b))


@given(st.data(), business(), st.sampled_from(sorted(ENTITY_SPELLINGS)))
@settings(deadline=None)
def test_another_entity_suffix_is_another_name(
    data: st.DataObject, parts: tuple[list[str], bool, str], entity: str
) -> None:
    if entity == parts[2]:
        return
    a = write_business(data.draw, *parts)
    b = write_business(data.draw, parts[0], parts[1], entity)
    assert not same_business(a, b)


@given(st.data(), business(), st.sampled_from(BUSINESS_WORDS))
@settings(deadline=None)
def test_another_word_is_another_name(
    data: st.DataObject, parts: tuple[list[str], bool, str], word: str
) -> None:
    name = parts[0]
    if word in name:
        return
    a = write_business(data.draw, *parts)
    b = write_business(data.draw, [*name[:-1], word], parts[1], parts[2])
    assert not same_business(a, b)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Acme Corp", "ACME CORPORATION", True),
        ("The Acme Company", "Acme Co.", True),
        ("Acme Company, The", "Acme Co", True),
        ("Smith & Jones LLC", "Smith and Jones, L.L.C.", True),
        ("Acme Dental Group Limited Liability Company", "Acme Dental Group LLC", True),
        ("Café Olé Inc", "Cafe Ole Incorporated", True),
        ("Acme Inc", "Acme Corp", False),
        ("Acme Inc", "Acme", False),
        ("Acme Holdings Inc", "Acme Inc", False),
        ("Theater Supply Co", "ater Supply Co", False),
    ],
)
def test_businesses(a: str, b: str, same: bool) -> None:
    assert same_business(a, b) is same


# ---------------------------------------------------------------------------- numbers, carriers


@pytest.mark.parametrize(
    ("raw", "e164", "country", "kind"),
    [
        ("+12065550123", "+12065550123", "US", "geographic"),
        ("(206) 555-0123", "+12065550123", "US", "geographic"),
        ("1-206-555-0123", "+12065550123", "US", "geographic"),
        ("+1 416 555 0123", "+14165550123", "CA", "geographic"),
        ("+18335550123", "+18335550123", "US", "toll_free"),
        ("+19005551234", "+19005551234", "US", "other"),
        ("+442071234567", "+442071234567", "GB", "other"),
    ],
)
def test_phone_numbers(raw: str, e164: str, country: str, kind: str) -> None:
    phone = parse_phone(raw)
    assert phone is not None
    assert (phone.e164, phone.country, phone.kind) == (e164, country, kind)


@pytest.mark.parametrize(
    "raw", ["", "+1206555012", "206-555-0123 x12", "CALL-ACME", "+1 000 555 0123"]
)
def test_not_numbers(raw: str) -> None:
    assert parse_phone(raw) is None


@pytest.mark.parametrize(
    ("carrier", "google"),
    [
        ("Google Voice", True),
        ("GOOGLE VOICE", True),
        ("google", True),
        ("Google LLC", True),
        ("GoogleVoice", True),
        ("Google Fi", False),
        ("Google Fiber", False),
        ("Lumen", False),
    ],
)
def test_google_voice(carrier: str, google: bool) -> None:
    assert is_google_voice(carrier) is google
