"""Fixtures shared by every test (pytest-django provides the database ones)."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

import worker


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In the second (PostgreSQL) pass of ``make test`` (``scripts/test.sh`` sets
    ``FAXLINE_DATABASE_PASS=second``), skip what running twice proves nothing for:
    ``database_independent`` tests (what they check does not depend on the database engine:
    pure code, a SQLite install of their own, the pages' Content-Security-Policy) and the
    ``browser`` tests (they check what a person sees and does; what differs between the
    engines — locking, races, query plans — is tested on PostgreSQL by the API, service and
    process tests).

    Nor tests that cannot reach the test database at all: no ``django_db`` mark and no
    fixture that opens it (pytest-django refuses them any query), so that the engine can
    make no difference to them."""
    if os.environ.get("FAXLINE_DATABASE_PASS") != "second":
        return
    once = pytest.mark.skip(reason="run in the SQLite pass: does not depend on the engine")
    for item in items:
        if (
            item.get_closest_marker("database_independent")
            or item.get_closest_marker("browser")
            or not _reaches_the_database(item)
        ):
            item.add_marker(once)


# pytest-django's fixtures that give a test the database (``live_server`` takes it through
# ``transactional_db``).
_DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "_django_db_helper",
    }
)


def _reaches_the_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if item.get_closest_marker("django_db") or names & _DATABASE_FIXTURES:
        return True
    # A fixture of ours may unblock it (pytest-django's own autouse ones take the blocker
    # to keep it blocked).
    info = getattr(item, "_fixtureinfo", None)
    for definitions in info.name2fixturedefs.values() if info else ():
        for definition in definitions:
            module = getattr(definition.func, "__module__", "") or ""
            if "django_db_blocker" in definition.argnames and not module.startswith(
                "pytest_django"
            ):
                return True
    return False


def _delete_instead_of_truncate() -> None:
    """On PostgreSQL, empty the tables after a transactional test with ``DELETE`` instead of
    Django's one ``TRUNCATE`` of every table: TRUNCATE takes an exclusive lock on each of the
    ~130 tables and replaces their files, about a second or more per test here, while a test
    leaves a handful of rows that ``DELETE`` removes in milliseconds. The foreign keys are
    deferred (Django declares them so), so the order does not matter within the flush's
    transaction. Sequence resets (``reset_sequences``) keep Django's way."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(
        self: DatabaseOperations,
        style: Any,
        tables: list[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


def _no_post_migrate_after_flush() -> None:
    """After a transactional test's flush, Django emits ``post_migrate`` again, whose
    receivers (contenttypes', auth's) recreate every content type and permission: half a
    second per test on PostgreSQL, a fifth on SQLite. faxline uses neither (its rights are
    its own, and nothing refers to content types), so the flush of the tests skips it. The
    database's creation (``migrate``) still emits it."""
    from django.core.management.commands import flush

    flush.emit_post_migrate_signal = lambda *args, **kwargs: None  # type: ignore[assignment]


_no_post_migrate_after_flush()
if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    _delete_instead_of_truncate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Hash passwords with MD5 in tests: the real hashers are slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def run_tasks() -> Callable[[], int]:
    """Run every due task now, in this process (``tests/worker.py``)."""
    return worker.run_tasks


@pytest.fixture
def after_commit() -> Callable[[], AbstractContextManager[Any]]:
    """A block whose commit hooks and the tasks they enqueued run at its end
    (``tests/worker.py``)."""
    return worker.after_commit
