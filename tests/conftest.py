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
    process tests)."""
    if os.environ.get("FAXLINE_DATABASE_PASS") != "second":
        return
    once = pytest.mark.skip(reason="run in the SQLite pass: does not depend on the engine")
    for item in items:
        if item.get_closest_marker("database_independent") or item.get_closest_marker("browser"):
            item.add_marker(once)


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
