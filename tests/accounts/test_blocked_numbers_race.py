"""Adding several numbers while another Add of one of them is in flight (PostgreSQL, two
connections): the list adds the others and reports that one as already blocked, instead of
failing or adding it twice.

To make the race certain, a first transaction inserts the number and holds its commit; the
list's review does not see it yet, its insert waits on the unique index, and when the first
commits the insert fails and the service reviews again.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from faxline.accounts.access import Actor
from faxline.accounts.models import BlockedNumber
from faxline.accounts.services.blocking import BlockLine, LineStatus, blocked_numbers_add
from faxline.core.models import AuditEvent

from cast import Cast


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@pytest.mark.django_db(transaction=True)
def test_a_list_racing_a_single_add_reports_it_as_already_blocked(cast: Cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the concurrent Add runs against PostgreSQL")
    holding = threading.Event()
    release = threading.Event()
    report: list[BlockLine] = []
    errors: list[BaseException] = []

    def first_add() -> None:
        try:
            with transaction.atomic():
                BlockedNumber.objects.create(company=cast.company, number="+17329200193")
                holding.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    def the_list() -> None:
        try:
            report.extend(
                blocked_numbers_add(
                    actor=Actor(user=cast.company_admin),
                    company=cast.company,
                    entries=[(1, "732-920-0193"), (2, "212-555-0100")],
                )
            )
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=first_add)
    first.start()
    assert holding.wait(timeout=10)
    second = threading.Thread(target=the_list)
    second.start()
    deadline = time.monotonic() + 10
    while _waiting_on_locks() < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _waiting_on_locks() >= 1, "the list's insert should wait on the first Add"
    release.set()
    first.join(timeout=20)
    second.join(timeout=20)
    assert not errors, errors
    assert [(r.line, r.status) for r in report] == [
        (1, LineStatus.ALREADY_BLOCKED),
        (2, LineStatus.ADDED),
    ]
    assert sorted(BlockedNumber.objects.values_list("number", flat=True)) == [
        "+12125550100",
        "+17329200193",
    ]
    added = AuditEvent.objects.filter(kind="blocked_number.added")
    assert [e.detail["number"] for e in added] == ["+12125550100"]
