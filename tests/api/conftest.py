"""Fixtures of the API tests: the standard cast and a caller that signs requests with an
API key of any cast member."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create

from cast import cast  # noqa: F401

Call = Callable[..., HttpResponse]

# Where the fuzz is skipped (the PostgreSQL pass of make test), it is not collected either:
# building its 185 tests from the OpenAPI document takes ~4.5 s of CPU in every worker.
collect_ignore = ["test_schemathesis.py"] if os.environ.get("FAXLINE_SKIP_SCHEMATHESIS") else []


@pytest.fixture
def api_key() -> Callable[[User], str]:
    """An API key of ``user`` (one per user per test), made by the real service."""
    keys: dict[int, str] = {}

    def key_of(user: User) -> str:
        if user.pk not in keys:
            keys[user.pk] = api_key_create(actor=Actor(user=user), name="tests").secret
        return keys[user.pk]

    return key_of


@pytest.fixture
def call(client: Client, api_key: Callable[[User], str]) -> Call:
    """``call(user, "post", "/departments", {"name": ...})``: a JSON request to /api/v1 as
    ``user`` (None: without credentials). ``files=`` sends a multipart form instead."""

    def send(
        user: User | None,
        method: str,
        path: str,
        body: Any = None,
        *,
        files: dict[str, Any] | None = None,
        **query: Any,
    ) -> HttpResponse:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {api_key(user)}"} if user else {}
        url = "/api/v1" + path
        fn = getattr(client, method.lower())
        if files is not None:
            return fn(url, data=files, **headers)  # type: ignore[no-any-return]
        if method.lower() == "get":
            return fn(url, data=query, **headers)  # type: ignore[no-any-return]
        data = json.dumps(body) if body is not None else None
        return fn(url, data=data, content_type="application/json", **headers)  # type: ignore[no-any-return]

    return send
