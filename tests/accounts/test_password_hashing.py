"""The password hasher: Argon2id at the decided cost, old hashes upgraded at sign-in, and
every password hashed outside the write transaction of the service that stores it."""

from __future__ import annotations

import importlib
from typing import Any

import hashing_support
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import connection

from faxline.accounts.access import Actor
from faxline.accounts.auth import sign_in
from faxline.accounts.models import ChannelPartner, PasswordResetToken, User
from faxline.accounts.passwords import password_reset_complete
from faxline.accounts.services import administrators, partners, users
from faxline.accounts.services import passwords as password_services
from faxline.accounts.services.api_keys import token_digest

from cast import PASSWORD, Cast

NEW_PASSWORD = "Brand-New-Secret-2027"
RECORDING = ["hashing_support.RecordingHasher"]


@pytest.fixture
def production_hashers(settings: Any) -> list[str]:
    """The hashers faxline ships with (the tests' conftest swaps in MD5 for speed)."""
    shipped = list(importlib.import_module("faxline.settings").PASSWORD_HASHERS)
    settings.PASSWORD_HASHERS = shipped
    return shipped


def test_new_passwords_use_argon2id_at_the_decided_cost(production_hashers: list[str]) -> None:
    assert production_hashers[0] == "faxline.accounts.hashers.Argon2idPasswordHasher"
    encoded = make_password("Some-Secret-2026")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_an_old_pbkdf2_hash_still_verifies_and_is_upgraded_at_sign_in(
    cast: Cast, production_hashers: list[str]
) -> None:
    user = cast.sales_user
    # A PBKDF2 hash as older installs stored them (fewer iterations only to keep this fast:
    # the iteration count is read from the hash itself).
    old = PBKDF2PasswordHasher().encode(PASSWORD, "oldsalt1234567890", iterations=1000)
    User.objects.filter(pk=user.pk).update(password=old)
    signed = sign_in(username=user.username, password=PASSWORD)
    signed.refresh_from_db()
    assert signed.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert signed.check_password(PASSWORD)


@pytest.fixture
def recording(settings: Any) -> list[int]:
    settings.PASSWORD_HASHERS = RECORDING
    hashing_support.DEPTHS.clear()
    return hashing_support.DEPTHS


def _outside(depths: list[int], baseline: int) -> None:
    """Every hash ran at the test's own transaction depth: in no transaction of ours."""
    assert depths, "nothing was hashed"
    assert all(depth == baseline for depth in depths), (depths, baseline)


def test_administrator_partner_and_admin_set_passwords_hash_outside_transactions(
    cast: Cast, recording: list[int]
) -> None:
    baseline = len(connection.atomic_blocks)
    operator = Actor(user=cast.operator)
    administrators.administrator_create(
        actor=operator,
        company=cast.company,
        department=None,
        first_name="Hana",
        last_name="Hash",
        email="hana@acme.example",
        username="hana",
        password=PASSWORD,
    )
    partner = ChannelPartner.objects.create(name="Partner Co")
    partners.channel_partner_staff_create(
        actor=operator,
        partner=partner,
        first_name="Pia",
        last_name="Partner",
        email="pia@partner.example",
        username="pia",
        generate_password=True,
    )
    password_services.password_set_by_admin(
        actor=Actor(user=cast.company_admin), user=cast.sales_user, password=NEW_PASSWORD
    )
    password_services.password_change(
        user=cast.billing_user, current_password=PASSWORD, new_password=NEW_PASSWORD
    )
    _outside(recording, baseline)


def test_a_reset_link_hashes_outside_its_transaction(cast: Cast, recording: list[int]) -> None:
    baseline = len(connection.atomic_blocks)
    from datetime import timedelta

    from django.utils import timezone

    PasswordResetToken.objects.create(
        user=cast.sales_user,
        digest=token_digest("reset-token-for-test"),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    password_reset_complete(token="reset-token-for-test", new_password=NEW_PASSWORD)
    _outside(recording, baseline)
    cast.sales_user.refresh_from_db()
    assert cast.sales_user.check_password(NEW_PASSWORD)


def test_a_user_who_gets_a_link_has_no_hash_computed(cast: Cast, recording: list[int]) -> None:
    draft = users.user_prepare(
        actor=Actor(user=cast.company_admin),
        company=cast.company,
        department=None,
        first_name="Lina",
        last_name="Link",
        email="lina@acme.example",
        username="lina",
        password_link=True,
    )
    assert recording == []
    created = users.user_save(actor=Actor(user=cast.company_admin), draft=draft)
    assert recording == []
    assert not created.user.has_usable_password()
