"""Password services hash before their transaction: checking the current password and the
history and hashing the new one cost the hasher's full work each (on purpose), and on
SQLite a transaction holds the database's only write lock. The short transaction that
stores the hash refuses it when the password changed meanwhile.

These tests commit for real (``transaction=True``) so that "inside a transaction" means what
it means in production; the hasher notes where it ran (``tests/watched_hasher.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail

from faxline.accounts import passwords
from faxline.accounts.models import PasswordHistory, User
from faxline.accounts.services.passwords import password_change, password_set_by_admin
from faxline.accounts.services.security import security_policy_save
from faxline.core.errors import Conflict
from watched_hasher import WatchedHasher

from cast import PASSWORD, Cast
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

NEW = "Brand-New-Secret-77"


@pytest.fixture(autouse=True)
def watched(settings: Any) -> Iterator[list[bool]]:
    settings.PASSWORD_HASHERS = ["watched_hasher.WatchedHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    WatchedHasher.in_transaction = []
    WatchedHasher.meanwhile = None
    yield WatchedHasher.in_transaction
    WatchedHasher.meanwhile = None


@pytest.fixture
def history(cast: Cast) -> None:
    """A policy that keeps three old passwords, so every change compares with them."""
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        values={"history_count": 3},
    )
    PasswordHistory.objects.create(user=cast.billing_user, password=cast.billing_user.password)


def someone_else_sets_the_password(user: User) -> None:
    def change() -> None:
        User.objects.filter(pk=user.pk).update(password="md5$other$0123456789abcdef")

    WatchedHasher.meanwhile = change


def test_changing_ones_password_hashes_outside_the_transaction(
    cast: Cast, history: None, watched: list[bool]
) -> None:
    watched.clear()
    user = password_change(user=cast.billing_user, current_password=PASSWORD, new_password=NEW)
    assert len(watched) >= 3  # the current password, the history, the new hash
    assert not any(watched)
    assert user.check_password(NEW)
    assert User.objects.get(pk=user.pk).check_password(NEW)
    assert PasswordHistory.objects.filter(user=user).count() == 2


def test_an_administrator_sets_a_password_outside_the_transaction(
    cast: Cast, history: None, watched: list[bool]
) -> None:
    watched.clear()
    admin = cast.actor(cast.company_admin)
    password_set_by_admin(actor=admin, user=cast.billing_user, password=NEW)
    assert len(watched) >= 2 and not any(watched)
    assert User.objects.get(pk=cast.billing_user.pk).check_password(NEW)


def test_a_reset_link_sets_a_password_outside_the_transaction(
    cast: Cast, history: None, watched: list[bool]
) -> None:
    passwords.password_reset_send(username=cast.billing_user.username)
    run_tasks()
    token = mail.outbox[-1].body.split("/auth/password/reset/", 1)[1].split("/", 1)[0]
    watched.clear()
    passwords.password_reset_complete(token=token, new_password=NEW)
    assert len(watched) >= 3 and not any(watched)
    assert User.objects.get(pk=cast.billing_user.pk).check_password(NEW)
    assert passwords.valid_reset_token(token) is None  # used up


def test_a_password_changed_meanwhile_is_not_overwritten(cast: Cast) -> None:
    someone_else_sets_the_password(cast.billing_user)
    with pytest.raises(Conflict) as refused:
        password_change(user=cast.billing_user, current_password=PASSWORD, new_password=NEW)
    assert refused.value.code == "password_changed"
    stored = User.objects.get(pk=cast.billing_user.pk)
    assert stored.password == "md5$other$0123456789abcdef"
    assert not PasswordHistory.objects.filter(user=stored).exists()


def test_a_reset_refused_for_a_change_meanwhile_keeps_the_link(cast: Cast) -> None:
    passwords.password_reset_send(username=cast.billing_user.username)
    run_tasks()
    token = mail.outbox[-1].body.split("/auth/password/reset/", 1)[1].split("/", 1)[0]
    someone_else_sets_the_password(cast.billing_user)
    with pytest.raises(Conflict):
        passwords.password_reset_complete(token=token, new_password=NEW)
    assert passwords.valid_reset_token(token) is not None  # nothing was used up
