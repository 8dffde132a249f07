"""Fixtures of the onboarding tests: the standard cast, channel partners, documents (good and
hostile) and an API caller."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import ChannelPartner, Company, User
from faxline.accounts.services.api_keys import api_key_create

from cast import PASSWORD, Cast, cast  # noqa: F401

Call = Callable[..., HttpResponse]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    """Each test writes the vault under its own temporary MEDIA_ROOT."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def media(_media: Path) -> Path:
    return _media


@pytest.fixture
def partner(cast: Cast) -> User:  # noqa: F811
    """Pat, staff of the channel partner Acme Corp is assigned to."""
    firm = ChannelPartner.objects.create(name="Bright Partners")
    Company.objects.filter(pk=cast.company.pk).update(channel_partner=firm)
    cast.company.refresh_from_db()
    return User.objects.create_user(
        username="pat",
        password=PASSWORD,
        role=Role.CHANNEL_PARTNER,
        channel_partner=firm,
        first_name="Pat",
        last_name="Partner",
        email="pat@bright.example",
    )


@pytest.fixture
def other_partner(cast: Cast) -> User:  # noqa: F811
    """Paula, staff of another channel partner (Globex's)."""
    firm = ChannelPartner.objects.create(name="Other Partners")
    Company.objects.filter(pk=cast.outsider_company.pk).update(channel_partner=firm)
    return User.objects.create_user(
        username="paula",
        password=PASSWORD,
        role=Role.CHANNEL_PARTNER,
        channel_partner=firm,
        first_name="Paula",
        last_name="Other",
        email="paula@other.example",
    )


# --- API ------------------------------------------------------------------------------


@pytest.fixture
def call(client: Client) -> Call:
    """``call(user, "post", "/onboarding/orders", {...})`` as ``user`` with an API key;
    ``files=`` sends multipart."""
    keys: dict[int, str] = {}

    def send(
        user: User | None,
        method: str,
        path: str,
        body: Any = None,
        *,
        files: dict[str, Any] | None = None,
        **query: Any,
    ) -> HttpResponse:
        headers: dict[str, str] = {}
        if user is not None:
            if user.pk not in keys:
                keys[user.pk] = api_key_create(actor=Actor(user=user), name="tests").secret
            headers["HTTP_AUTHORIZATION"] = f"Bearer {keys[user.pk]}"
        url = "/api/v1" + path
        fn = getattr(client, method.lower())
        if files is not None:
            return fn(url, data=files, **headers)  # type: ignore[no-any-return]
        if method.lower() == "get":
            return fn(url, data=query, **headers)  # type: ignore[no-any-return]
        data = json.dumps(body) if body is not None else None
        return fn(url, data=data, content_type="application/json", **headers)  # type: ignore[no-any-return]

    return send
