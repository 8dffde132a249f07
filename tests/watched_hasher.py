"""A password hasher for tests that notes whether a database transaction was open each
time it hashed or verified a password (``settings.PASSWORD_HASHERS =
["watched_hasher.WatchedHasher"]``): hashing is slow on purpose, so the services must do it
before their transaction, not while holding the database's write lock.

It is MD5 (as every test's hasher, ``tests/conftest.py``) under the same algorithm name, so
it reads the cast's passwords; ``meanwhile`` runs after each hash, as another person's
change would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection


class WatchedHasher(MD5PasswordHasher):
    """MD5, watched: ``in_transaction`` has one entry per hash or verification."""

    in_transaction: ClassVar[list[bool]] = []
    meanwhile: ClassVar[Callable[[], None] | None] = None

    def encode(self, password: str, salt: str) -> str:
        WatchedHasher.in_transaction.append(connection.in_atomic_block)
        encoded = super().encode(password, salt)
        action, WatchedHasher.meanwhile = WatchedHasher.meanwhile, None
        if action is not None:
            action()
        return encoded

    def verify(self, password: str, encoded: str) -> bool:
        WatchedHasher.in_transaction.append(connection.in_atomic_block)
        return super().verify(password, encoded)
