"""Outbound Number Blocking: the services (rights, audit, normalisation, duplicates, adding
several all or nothing with a report per line, CSV import through the shared reader) and
the fax engine's selector (any spelling, one indexed query, effective at once)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faxline.accounts import selectors
from faxline.accounts.access import (
    Actor,
    may_change_blocked_numbers,
    may_see_blocked_numbers,
)
from faxline.accounts.models import BlockedNumber
from faxline.accounts.services.administrators import administrator_set_rights
from faxline.accounts.services.blocking import (
    BlockListRefused,
    LineStatus,
    blocked_number_add,
    blocked_number_remove,
    blocked_numbers_add,
    csv_lines_of,
    split_lines,
)
from faxline.core.csvfile import csv_text
from faxline.core.errors import Forbidden, NotFound, ValidationFailed
from faxline.core.models import AuditEvent
from faxline.core.phone import fax_number_e164

from cast import Cast

pytestmark = pytest.mark.django_db


def add(cast: Cast, number: str, user: Any = None) -> BlockedNumber:
    return blocked_number_add(
        actor=Actor(user=user or cast.company_admin), company=cast.company, number=number
    )


# --- normalisation ------------------------------------------------------------------------


@pytest.mark.database_independent
@pytest.mark.parametrize(
    "typed",
    [
        "7329200193",
        "17329200193",
        "(732) 920-0193",
        "1 (732) 920-0193",
        "732.920.0193",
        "+1 732-920-0193",
        "1-732-920-0193",
        " 732 920 0193 ",
    ],
)
def test_nanp_spellings_are_one_number(typed: str) -> None:
    assert fax_number_e164(typed) == "+17329200193"


@pytest.mark.database_independent
def test_international_numbers_need_their_country_code() -> None:
    assert fax_number_e164("+44 20 7946 0958") == "+442079460958"
    assert fax_number_e164("011 44 20 7946 0958") == "+442079460958"


@pytest.mark.database_independent
@given(area=st.sampled_from(["212", "415", "732", "905"]), line=st.integers(0, 9999))
def test_every_spelling_of_a_number_normalises_alike(area: str, line: int) -> None:
    digits = f"{area}555{line:04d}"
    e164 = fax_number_e164(digits)
    spelled = f"1 ({area}) 555-{line:04d}"
    assert fax_number_e164(spelled) == e164 == f"+1{digits}"


@pytest.mark.database_independent
@pytest.mark.parametrize("bad", ["", "   ", "12345", "hello", "+1 111 222 3333", "9" * 41])
def test_what_is_not_a_fax_number_is_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        fax_number_e164(bad, field="number")
    assert refused.value.field == "number" and refused.value.code == "invalid_fax_number"


# --- rights -------------------------------------------------------------------------------


def test_who_sees_and_who_changes(cast: Cast) -> None:
    company = cast.company
    expected = {
        # person: (sees, changes, refusal when not seeing)
        "operator": (True, True, None),
        "company_admin": (True, True, None),
        "read_only_admin": (True, False, None),
        "dept_admin": (False, False, Forbidden),
        "billing_user": (False, False, NotFound),
        "outsider_admin": (False, False, NotFound),
    }
    for name, (sees, changes, refusal) in expected.items():
        actor = Actor(user=getattr(cast, name))
        assert bool(may_see_blocked_numbers(actor, company)) is sees, name
        assert bool(may_change_blocked_numbers(actor, company)) is changes, name
        if refusal is not None:
            with pytest.raises(refusal):
                selectors.blocked_number_list(actor=actor, company=company)
            with pytest.raises(refusal):
                add(cast, "7329200193", getattr(cast, name))
    with pytest.raises(Forbidden) as read_only:
        add(cast, "7329200193", cast.read_only_admin)
    assert read_only.value.code == "read_only"
    assert not BlockedNumber.objects.exists()


def test_the_outbound_number_blocking_right_is_needed(cast: Cast) -> None:
    admin = cast.company_admin
    without = sorted(set(admin.rights) - {"blocking.manage"})
    # A second full administrator takes the right away from the first.
    other = Actor(user=cast.operator)
    administrator_set_rights(actor=other, admin=admin, rights=without, read_only=False)
    admin.refresh_from_db()
    with pytest.raises(Forbidden) as refused:
        add(cast, "7329200193", admin)
    assert refused.value.code == "missing_right"
    # Seeing needs no right: every company-level administrator sees the list.
    assert may_see_blocked_numbers(Actor(user=admin), cast.company)


# --- add, remove, audit ---------------------------------------------------------------------


def test_add_stores_e164_with_who_and_when_and_audits(cast: Cast) -> None:
    entry = add(cast, "(732) 920-0193")
    assert entry.number == "+17329200193"
    assert entry.added_by == cast.company_admin and entry.added_at is not None
    event = AuditEvent.objects.get(kind="blocked_number.added")
    assert event.actor_id == cast.company_admin.pk
    assert event.company_id == cast.company.pk
    assert event.detail == {"number": "+17329200193", "via": "single"}


def test_a_duplicate_in_any_spelling_is_refused(cast: Cast) -> None:
    add(cast, "7329200193")
    with pytest.raises(ValidationFailed) as refused:
        add(cast, "1-732-920-0193")
    assert refused.value.code == "number_already_blocked" and refused.value.field == "number"
    assert BlockedNumber.objects.count() == 1
    assert AuditEvent.objects.filter(kind="blocked_number.added").count() == 1


def test_the_same_number_in_two_companies(cast: Cast) -> None:
    add(cast, "7329200193")
    blocked_number_add(
        actor=Actor(user=cast.outsider_admin), company=cast.outsider_company, number="7329200193"
    )
    assert BlockedNumber.objects.count() == 2
    assert selectors.number_is_blocked(cast.outsider_company, "7329200193")


def test_remove_is_audited_and_takes_effect_at_once(cast: Cast) -> None:
    entry = add(cast, "7329200193")
    assert selectors.number_is_blocked(cast.company, "+17329200193")
    with pytest.raises(Forbidden):
        blocked_number_remove(actor=Actor(user=cast.read_only_admin), entry=entry)
    blocked_number_remove(actor=Actor(user=cast.company_admin), entry=entry)
    assert not selectors.number_is_blocked(cast.company, "+17329200193")
    event = AuditEvent.objects.get(kind="blocked_number.removed")
    assert event.detail == {"number": "+17329200193"}


# --- adding several -------------------------------------------------------------------------


def test_split_lines_keeps_spaced_numbers_whole() -> None:
    assert split_lines("732 920 0193\n\n212-555-0100, +44 20 7946 0958;x\n") == [
        (1, "732 920 0193"),
        (3, "212-555-0100"),
        (3, "+44 20 7946 0958"),
        (3, "x"),
    ]


def test_several_added_with_a_report_per_line(cast: Cast) -> None:
    add(cast, "2125550100")
    report = blocked_numbers_add(
        actor=Actor(user=cast.company_admin),
        company=cast.company,
        entries=split_lines("7329200193\n(212) 555-0100\n1 732 920 0193\n+44 20 7946 0958"),
    )
    assert [(r.line, r.status, r.number) for r in report] == [
        (1, LineStatus.ADDED, "+17329200193"),
        (2, LineStatus.ALREADY_BLOCKED, "+12125550100"),
        (3, LineStatus.REPEATED, "+17329200193"),
        (4, LineStatus.ADDED, "+442079460958"),
    ]
    assert BlockedNumber.objects.count() == 3
    events = AuditEvent.objects.filter(kind="blocked_number.added", detail__via="list")
    assert sorted(e.detail["number"] for e in events) == ["+17329200193", "+442079460958"]


def test_several_is_all_or_nothing(cast: Cast) -> None:
    with pytest.raises(BlockListRefused) as refused:
        blocked_numbers_add(
            actor=Actor(user=cast.company_admin),
            company=cast.company,
            entries=split_lines("7329200193\n12345\n2125550100\nnope"),
        )
    error = refused.value
    assert error.status == 422 and error.field == "numbers"
    assert "line 2" in error.message and "line 4" in error.message
    assert [(r.line, r.ok) for r in error.lines] == [(1, True), (2, False), (3, True), (4, False)]
    assert "'12345'" in error.lines[1].message
    assert not BlockedNumber.objects.exists()
    assert not AuditEvent.objects.filter(kind="blocked_number.added").exists()


def test_several_needs_the_right_and_a_bounded_list(cast: Cast) -> None:
    with pytest.raises(Forbidden):
        blocked_numbers_add(
            actor=Actor(user=cast.read_only_admin),
            company=cast.company,
            entries=[(1, "7329200193")],
        )
    with pytest.raises(ValidationFailed) as empty:
        blocked_numbers_add(actor=Actor(user=cast.company_admin), company=cast.company, entries=[])
    assert empty.value.field == "numbers"
    with pytest.raises(ValidationFailed) as many:
        blocked_numbers_add(
            actor=Actor(user=cast.company_admin),
            company=cast.company,
            entries=[(i, "7329200193") for i in range(1001)],
        )
    assert many.value.code == "too_many_numbers"


def test_a_csv_import_reads_the_export_format(cast: Cast) -> None:
    text = csv_text(
        ["Blocked Fax Number", "Added By", "Added At"],
        [["+17329200193", "carol", "2026-12-06"], ["(212) 555-0100", "", ""]],
    )
    entries = csv_lines_of(text.encode())
    assert entries == [(2, "+17329200193"), (3, "(212) 555-0100")]
    report = blocked_numbers_add(
        actor=Actor(user=cast.company_admin), company=cast.company, entries=entries, via="csv"
    )
    assert [r.number for r in report] == ["+17329200193", "+12125550100"]
    assert csv_lines_of(b"number\n7329200193\n") == [(2, "7329200193")]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        (b"fax\n7329200193\n", "bad_header"),
        (b"\x00\x01", "file_not_text"),
        (b"number\n" + b"7329200193\n" * 1001, "too_many_rows"),
    ],
)
def test_a_bad_csv_is_refused_on_file(data: bytes, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        csv_lines_of(data)
    assert refused.value.field == "file" and refused.value.code == code


# --- the fax engine's selector --------------------------------------------------------------


def test_number_is_blocked_in_any_spelling(cast: Cast) -> None:
    add(cast, "+1 732 920 0193")
    for spelled in ("+17329200193", "7329200193", "1 (732) 920-0193"):
        assert selectors.number_is_blocked(cast.company, spelled)
        assert selectors.number_is_blocked(cast.company.pk, spelled)
    assert not selectors.number_is_blocked(cast.company, "2125550100")
    assert not selectors.number_is_blocked(cast.outsider_company, "7329200193")
    assert not selectors.number_is_blocked(cast.company, "not a number")
    match = selectors.blocked_number_match(cast.company, "7329200193")
    assert match is not None and match.added_by == cast.company_admin


def test_the_lookup_is_one_query_whatever_the_list_size(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    BlockedNumber.objects.bulk_create(
        BlockedNumber(company=cast.company, number=f"+1212555{i:04d}") for i in range(2000)
    )
    with django_assert_num_queries(1):
        assert selectors.number_is_blocked(cast.company, "212-555-1999")
    with django_assert_num_queries(1):
        assert not selectors.number_is_blocked(cast.company, "732-920-0193")
    with django_assert_num_queries(0):
        assert not selectors.number_is_blocked(cast.company, "12345")


def test_the_lookup_uses_the_unique_index(cast: Cast) -> None:
    from django.db import connection

    qs = BlockedNumber.objects.filter(company_id=cast.company.pk, number="+17329200193")
    if connection.vendor == "sqlite":
        plan = qs.explain()
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    else:
        # A tiny table may be read whole; what matters is that an index can answer.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
        assert "blocked_number_unique" in plan, plan


def test_lookup_number_and_display_all(cast: Cast) -> None:
    for number in ("7329200193", "2125550100", "+44 20 7946 0958"):
        add(cast, number)
    actor = Actor(user=cast.read_only_admin)

    def found(q: str) -> list[str]:
        rows = selectors.blocked_number_list(actor=actor, company=cast.company, q=q)
        return [e.number for e in rows]

    assert found("") == ["+12125550100", "+17329200193", "+442079460958"]
    assert found("(732) 920-0193") == ["+17329200193"]
    assert found("555") == ["+12125550100"]
    assert found("zzz") == []
