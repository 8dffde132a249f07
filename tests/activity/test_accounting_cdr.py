"""Call Detail Records: the columns and values of a CDR made from fax history, the month
file made once after the month ends (none for a month without activity), the current
month's day files on demand, the six months kept, and another company's records never in
a file."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage

from faxline.accounts.access import Actor
from faxline.activity.accounting import selectors, services
from faxline.activity.accounting.models import (
    CdrFile,
    CdrGeneration,
    CdrGenerationStatus,
    CdrMonthClosed,
)
from faxline.activity.accounting.periods import Month
from faxline.activity.accounting.records import COLUMNS, cdr_chunks, cdr_records
from faxline.core.csvfile import restore_value
from history import inbound, outbound

from cast import Cast

pytestmark = pytest.mark.django_db

OCTOBER = Month(2026, 10)
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def rows_of(data: bytes) -> list[list[str]]:
    return [[restore_value(v) for v in row] for row in csv.reader(io.StringIO(data.decode()))]


def file_rows(cdr: CdrFile) -> list[list[str]]:
    return rows_of(b"".join(selectors.cdr_file_content(cdr)))


@pytest.fixture
def october(cast: Cast) -> dict[str, object]:
    """Acme's October: a sent fax, a failed one, a cancelled one, a received partial fax;
    Globex's fax (never in Acme's file) and an Acme job still open."""
    at = datetime(2026, 10, 3, 9, 0, tzinfo=UTC)
    sent = outbound(cast.billing_user, to="+16175550100", at=at, pages=3)
    failed = outbound(
        cast.billing_user,
        to="+16175550101",
        at=at + timedelta(hours=1),
        status="failed",
        error="No Answer",
        busy=1,
    )
    cancelled = outbound(
        cast.sales_user, to="+16175550102", at=at + timedelta(hours=2), status="cancelled"
    )
    received = inbound(
        cast.billing_user, number="+12125557001", at=at + timedelta(hours=3), pages=4, partial=True
    )
    outbound(cast.outsider_user, to="+16175550199", at=at, pages=2)
    outbound(cast.billing_user, to="+16175550103", at=at, status="queued")
    return {"sent": sent, "failed": failed, "cancelled": cancelled, "received": received}


def test_columns_and_values(cast: Cast, october: dict[str, object]) -> None:
    data = b"".join(cdr_chunks(cdr_records(cast.company.pk, OCTOBER.start, OCTOBER.end)))
    header, *rows = rows_of(data)
    assert tuple(header) == COLUMNS
    sent, failed, cancelled, received = (
        october[k] for k in ("sent", "failed", "cancelled", "received")
    )
    assert rows == [
        [
            sent.identifier,  # type: ignore[attr-defined]
            "outbound",
            "2026-10-03T09:01:00Z",
            "+12125557001",
            "+16175550100",
            "Billing Dept -> Billing Level 1",
            cast.billing_user.username,
            "3",
            "40",
            "Success",
            "",
        ],
        [
            failed.identifier,  # type: ignore[attr-defined]
            "outbound",
            "2026-10-03T10:04:00Z",
            "+12125557001",
            "+16175550101",
            "Billing Dept -> Billing Level 1",
            cast.billing_user.username,
            "0",
            "45",
            "Failed",
            "No Answer",
        ],
        [
            cancelled.identifier,  # type: ignore[attr-defined]
            "outbound",
            "2026-10-03T11:00:20Z",
            "+12125557001",
            "+16175550102",
            "Sales",
            cast.sales_user.username,
            "0",
            "0",
            "Cancelled",
            "",
        ],
        [
            str(received.pk),  # type: ignore[attr-defined]
            "inbound",
            "2026-10-03T12:00:00Z",
            "+13125550000",
            "+12125557001",
            "Billing Dept -> Billing Level 1",
            cast.billing_user.username,
            "4",
            "120",
            "Partial",
            "Potential partial",
        ],
    ]


def test_a_value_a_spreadsheet_would_run_is_neutralised(cast: Cast) -> None:
    at = datetime(2026, 10, 3, 9, 0, tzinfo=UTC)
    outbound(cast.billing_user, to="+16175550100", at=at, status="failed", error="=HYPERLINK(1)")
    data = b"".join(cdr_chunks(cdr_records(cast.company.pk, OCTOBER.start, OCTOBER.end)))
    assert b",'=HYPERLINK(1)\r\n" in data


def test_chunks_do_not_repeat_or_skip_records(cast: Cast) -> None:
    """Keyset pages over equal times: every record once, whatever the chunk size."""
    at = datetime(2026, 10, 3, 9, 0, tzinfo=UTC)
    jobs = [outbound(cast.billing_user, to=f"+1617555010{i}", at=at) for i in range(5)]
    faxes = [inbound(cast.billing_user, number="+12125557001", at=at) for _ in range(3)]
    records = list(cdr_records(cast.company.pk, OCTOBER.start, OCTOBER.end, chunk=2))
    assert [r[0] for r in records] == [j.identifier for j in jobs] + [f.pk for f in faxes]


def test_a_job_counts_in_the_month_it_finishes(cast: Cast) -> None:
    """Accepted on 31 October, finished on 1 November: November's record."""
    outbound(
        cast.billing_user,
        to="+16175550100",
        at=datetime(2026, 10, 31, 23, 59, tzinfo=UTC),
        wait=timedelta(minutes=5),
    )
    assert list(cdr_records(cast.company.pk, OCTOBER.start, OCTOBER.end)) == []
    november = list(cdr_records(cast.company.pk, OCTOBER.end, NOW))
    assert [r[2] for r in november] == ["2026-11-01T00:04:40Z"]


def test_month_file_made_once_after_the_month(cast: Cast, october: dict[str, object]) -> None:
    with time_machine.travel(NOW, tick=False):
        result = services.accounting_sweep()
    assert result["month_closed"] is True
    made = CdrFile.objects.get(company=cast.company)
    assert (made.company_id, made.period, made.kind, made.rows) == (
        cast.company.pk,
        "2026-10",
        "month",
        4,
    )
    assert CdrMonthClosed.objects.filter(month="2026-10").exists()
    rows = file_rows(made)
    assert len(rows) == 5 and made.size == sum(len(c) for c in selectors.cdr_file_content(made))
    assert all(default_storage.exists(name) for name in made.vault_names)
    # Encrypted at rest.
    with default_storage.open(made.vault_names[0], "rb") as handle:
        assert b"outbound" not in handle.read()
    # Idempotent: the next runs make nothing new.
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        services.accounting_sweep()
        again = services.cdr_month_make(company_id=cast.company.pk, month=OCTOBER)
    assert again is not None and again.pk == made.pk
    # Globex had activity too: its own file (one per company and month).
    assert CdrFile.objects.count() == 2
    assert CdrFile.objects.get(company=cast.outsider_company).rows == 1


def test_each_company_gets_its_own_file(cast: Cast, october: dict[str, object]) -> None:
    services.cdr_month_close(month=OCTOBER, now=NOW)
    theirs = services.cdr_month_make(company_id=cast.outsider_company.pk, month=OCTOBER, now=NOW)
    assert theirs is not None and theirs.rows == 1
    acme = CdrFile.objects.get(company=cast.company)
    acme_ids = {row[0] for row in file_rows(acme)[1:]}
    globex_ids = {row[0] for row in file_rows(theirs)[1:]}
    assert acme_ids and globex_ids and not acme_ids & globex_ids


def test_no_file_for_a_month_without_activity(cast: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        services.accounting_sweep()
    assert CdrFile.objects.count() == 0
    assert services.cdr_month_make(company_id=cast.company.pk, month=OCTOBER, now=NOW) is None


def test_a_month_not_ended_is_refused(cast: Cast) -> None:
    from faxline.core.errors import Conflict

    with pytest.raises(Conflict):
        services.cdr_month_make(company_id=cast.company.pk, month=Month(2026, 11), now=NOW)


def test_current_month_day_files(cast: Cast, after_commit) -> None:  # type: ignore[no-untyped-def]
    outbound(cast.billing_user, to="+16175550100", at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    outbound(cast.billing_user, to="+16175550101", at=datetime(2026, 11, 2, 10, tzinfo=UTC))
    inbound(cast.billing_user, number="+12125557001", at=datetime(2026, 11, 9, 9, tzinfo=UTC))
    inbound(cast.billing_user, number="+12125557001", at=datetime(2026, 11, 15, 9, tzinfo=UTC))
    admin = Actor(user=cast.company_admin)
    with time_machine.travel(NOW, tick=False), after_commit():
        generation = services.cdr_generation_request(actor=admin, company=cast.company)
    generation.refresh_from_db()
    assert generation.status == CdrGenerationStatus.DONE
    assert (generation.days_done, generation.files_made) == (15, 3)
    files = {f.period: f.rows for f in CdrFile.objects.filter(company=cast.company)}
    assert files == {"2026-11-02": 2, "2026-11-09": 1, "2026-11-15": 1}
    # Again later the same day: the finished days are final; today's file is made again.
    inbound(cast.billing_user, number="+12125557001", at=NOW + timedelta(minutes=30))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False), after_commit():
        services.cdr_generation_request(actor=admin, company=cast.company)
    generation.refresh_from_db()
    assert generation.files_made == 1
    assert CdrFile.objects.get(period="2026-11-15").rows == 2
    # Once the month has ended, its file replaces the day files.
    with time_machine.travel(datetime(2026, 12, 1, 1, tzinfo=UTC), tick=False):
        services.accounting_sweep()
    assert {f.period: f.rows for f in CdrFile.objects.all()} == {"2026-11": 5}


def test_asking_twice_while_it_waits_queues_one(cast: Cast) -> None:
    admin = Actor(user=cast.company_admin)
    first = services.cdr_generation_request(actor=admin, company=cast.company, now=NOW)
    second = services.cdr_generation_request(actor=admin, company=cast.company, now=NOW)
    assert first.pk == second.pk and second.status == CdrGenerationStatus.QUEUED
    assert CdrGeneration.objects.count() == 1


def test_a_lost_generation_is_nudged_again(cast: Cast, run_tasks) -> None:  # type: ignore[no-untyped-def]
    inbound(cast.billing_user, number="+12125557001", at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    admin = Actor(user=cast.company_admin)
    # The nudge is lost: the transaction's commit hook never runs here.
    generation = services.cdr_generation_request(actor=admin, company=cast.company, now=NOW)
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        result = services.accounting_sweep()
        assert result["generations_nudged"] == 1
        run_tasks()
    generation.refresh_from_db()
    assert generation.status == CdrGenerationStatus.DONE
    assert CdrFile.objects.filter(period="2026-11-02").exists()


def test_six_months_kept(cast: Cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    outbound(cast.billing_user, to="+16175550100", at=datetime(2026, 5, 20, 9, tzinfo=UTC))
    outbound(cast.billing_user, to="+16175550100", at=datetime(2026, 6, 20, 9, tzinfo=UTC))
    may, june = Month(2026, 5), Month(2026, 6)
    old = services.cdr_month_make(company_id=cast.company.pk, month=may, now=NOW)
    kept = services.cdr_month_make(company_id=cast.company.pk, month=june, now=NOW)
    assert old is not None and kept is not None
    with (
        time_machine.travel(datetime(2026, 12, 1, 0, 30, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.accounting_sweep()
    assert result["files_deleted"] == 1
    assert list(CdrFile.objects.values_list("period", flat=True)) == ["2026-06"]
    assert not any(default_storage.exists(n) for n in old.vault_names)
    assert all(default_storage.exists(n) for n in kept.vault_names)


def test_a_large_file_is_stored_in_parts(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "PART_BYTES", 200)
    at = datetime(2026, 10, 3, 9, 0, tzinfo=UTC)
    for i in range(6):
        outbound(cast.billing_user, to=f"+1617555010{i}", at=at)
    made = services.cdr_month_make(company_id=cast.company.pk, month=OCTOBER, now=NOW)
    assert made is not None and len(made.vault_names) > 1
    assert len(file_rows(made)) == 7
