"""A test hasher that notes whether it ran inside a database transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection

# The depth of atomic blocks at each hash (the test's own blocks subtracted by the test).
DEPTHS: list[int] = []


class RecordingHasher(MD5PasswordHasher):
    """MD5 (fast), recording ``len(connection.atomic_blocks)`` at every hash."""

    def encode(self, password: str, salt: str) -> Any:
        DEPTHS.append(len(connection.atomic_blocks))
        return super().encode(password, salt)
