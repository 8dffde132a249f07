"""Two concurrent revocations of one API key: one revokes it, with one audit event; the
other is told it is already revoked (PostgreSQL, real row locks, two threads each with
its own connection).

To make the race certain rather than lucky, the test holds the key's row lock while both
revocations start: each reads the key as active, then both wait on the lock. When it is
released, a revocation that wrote blindly would revoke the key twice and record it twice;
the compare-and-set update lets the second one see that the key is revoked already.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from faxline.accounts.models import ApiKey
from faxline.accounts.services.api_keys import api_key_create, api_key_revoke
from faxline.core.errors import Conflict
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
def test_two_concurrent_revocations_revoke_once(cast: Cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the concurrent revocation runs against PostgreSQL")
    actor = cast.actor(cast.billing_user)
    key = api_key_create(actor=actor, name="shared").key
    outcomes: list[str] = []
    start = threading.Barrier(3)

    def revoke() -> None:
        try:
            start.wait(timeout=10)
            api_key_revoke(actor=actor, key_id=key.pk)
            outcomes.append("revoked")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    holder = threading.Event()
    release = threading.Event()

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                ApiKey.objects.select_for_update().get(pk=key.pk)
                holder.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    lock_thread = threading.Thread(target=hold_the_row)
    lock_thread.start()
    assert holder.wait(timeout=10)
    threads = [threading.Thread(target=revoke) for _ in range(2)]
    for thread in threads:
        thread.start()
    start.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _waiting_on_locks() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _waiting_on_locks() >= 2, "both revocations should be waiting on the row lock"
    release.set()
    for thread in [lock_thread, *threads]:
        thread.join(timeout=20)
        assert not thread.is_alive()

    assert sorted(outcomes) == ["already_revoked", "revoked"]
    assert AuditEvent.objects.filter(kind="api_key.revoked").count() == 1
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
