"""The password hasher of faxline: Argon2id at a cost that is safe and affordable.

Django's default (PBKDF2-SHA256, 1,000,000 iterations) costs about 230 ms of one core per
hash on the reference machine: 4.5 minutes of Bulk Create for 1,000 users, and a sign-in
storm that queues on CPU. Argon2id is memory-hard, so an attacker's GPUs gain far less over
our CPU than with PBKDF2, and OWASP's Password Storage Cheat Sheet lists
``m=19 MiB, t=2, p=1`` as an equivalent-strength Argon2id configuration: about 20 ms per
hash here. See docs/decisions (the password hasher) for the figures.

Hashes made with other parameters, or by PBKDF2 or scrypt, keep verifying (they stay in
``PASSWORD_HASHERS``) and are re-hashed with these parameters at the next successful
sign-in (Django's ``check_password`` upgrades a hash whose hasher or cost differs).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id (as Django's Argon2 hasher) with 19 MiB of memory, two passes, one lane."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
