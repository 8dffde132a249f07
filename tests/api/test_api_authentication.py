"""How /api/v1 authenticates: one way per request.

The probe that found the hole: a portal session idle past the policy's timeout, plus any
``Authorization: Bearer <garbage>``, read ``/me`` and ``/users`` and minted a permanent API
key. Now a request with an ``Authorization`` header is judged by that header alone, a
session only counts while the policy keeps it alive (and with CSRF), and a request with no
credentials is 401 on every operation of the OpenAPI document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse
from django.test import Client

from faxline.accounts.models import ApiKey, User
from faxline.accounts.services.security import security_policy_save
from faxline.core.models import AuditEvent

from cast import PASSWORD, Cast

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GARBAGE = {"Authorization": "Bearer garbage"}


def portal_session(username: str, *, csrf: bool = True) -> Client:
    """A browser signed in to the portal through the sign-in page, CSRF enforced as a real
    browser meets it."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/auth/login/")
    token = page.cookies["csrftoken"].value
    client.post(
        "/auth/login/",
        {"step": "password", "username": username, "password": PASSWORD},
        headers={"X-CSRFToken": token},
    )
    assert client.session.get(SESSION_KEY), "sign-in failed"
    return client


def csrf_headers(client: Client) -> dict[str, str]:
    return {"X-CSRFToken": client.cookies["csrftoken"].value}


def post_json(client: Client, path: str, body: Any, **headers: str) -> HttpResponse:
    return client.post(
        "/api/v1" + path,
        data=body,
        content_type="application/json",
        headers=headers,
    )


def set_timeout(cast: Cast, minutes: int) -> None:
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        values={"session_timeout_minutes": minutes},
    )


def assert_unauthenticated(response: HttpResponse, where: str = "") -> None:
    assert response.status_code == 401, f"{where}: {response.status_code} {response.content!r}"
    assert response["WWW-Authenticate"].startswith("Bearer"), where
    assert response.json()["code"] == "unauthenticated", where


# --- the probe --------------------------------------------------------------------------


def test_stale_session_with_a_garbage_bearer_is_401(cast: Cast) -> None:
    """The exact probe: a session idle past the timeout plus ``Bearer garbage``."""
    set_timeout(cast, 10)
    with time_machine.travel(NOW, tick=False):
        browser = portal_session("carol")
        token = csrf_headers(browser)
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        assert_unauthenticated(browser.get("/api/v1/me", headers=GARBAGE), "GET /me")
        assert_unauthenticated(browser.get("/api/v1/users", headers=GARBAGE), "GET /users")
        created = post_json(browser, "/api-keys", {"name": "minted"}, **GARBAGE, **token)
        assert_unauthenticated(created, "POST /api-keys")
        # Without the header, the stale session is ended, exactly as for a portal page.
        assert_unauthenticated(browser.get("/api/v1/me"), "GET /me, no header")
        assert browser.session.get(SESSION_KEY) is None
    assert not ApiKey.objects.exists()


def test_a_live_session_does_not_rescue_a_bad_key(cast: Cast) -> None:
    """A present but invalid credential is 401, full stop: no fallback to the session."""
    browser = portal_session("carol")
    assert browser.get("/api/v1/me").json()["username"] == "carol"
    for header in (
        "Bearer garbage",
        "Bearer fxl_" + "x" * 43,
        "Bearer ",
        "Basic Y2Fyb2w6RmF4LVNlY3JldC0yMDI2",  # carol's real password, another scheme
        "",
    ):
        assert_unauthenticated(
            browser.get("/api/v1/me", headers={"Authorization": header}), repr(header)
        )
    # The session itself is untouched by those requests and still works on its own.
    assert browser.get("/api/v1/me").status_code == 200


def test_a_revoked_key_with_a_live_session_is_401(
    cast: Cast, api_key: Callable[[User], str]
) -> None:
    secret = api_key(cast.company_admin)
    ApiKey.objects.update(revoked_at=NOW)
    browser = portal_session("carol")
    response = browser.get("/api/v1/users", headers={"Authorization": f"Bearer {secret}"})
    assert_unauthenticated(response)


def test_a_valid_key_acts_as_its_owner_whatever_the_session(
    cast: Cast, api_key: Callable[[User], str]
) -> None:
    browser = portal_session("carol")
    secret = api_key(cast.billing_user)
    me = browser.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["username"] == "bill"
    # A key needs no CSRF token: it is not ambient like a cookie.
    created = post_json(browser, "/api-keys", {"name": "by key"}, Authorization=f"Bearer {secret}")
    assert created.status_code == 201
    assert ApiKey.objects.get(pk=created.json()["id"]).user_id == cast.billing_user.pk


def test_session_needs_csrf_for_writes(cast: Cast) -> None:
    browser = portal_session("carol")
    refused = post_json(browser, "/departments", {"name": "Csrf"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert not cast.company.departments.filter(name="Csrf").exists()
    created = post_json(browser, "/departments", {"name": "Csrf"}, **csrf_headers(browser))
    assert created.status_code == 201


def test_session_activity_keeps_it_alive_as_the_portal_does(cast: Cast) -> None:
    set_timeout(cast, 10)
    with time_machine.travel(NOW, tick=False):
        browser = portal_session("carol")
    with time_machine.travel(NOW + timedelta(minutes=9), tick=False):
        assert browser.get("/api/v1/me").status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=18), tick=False):
        assert browser.get("/api/v1/me").status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=28, seconds=1), tick=False):
        assert_unauthenticated(browser.get("/api/v1/me"))
        # ...and the portal is signed out too: one session, one rule.
        assert browser.get("/").status_code == 302


# --- creating an API key from a session: a recent sign-in ------------------------------


def test_session_must_type_the_password_to_create_a_key(cast: Cast) -> None:
    browser = portal_session("bill")
    token = csrf_headers(browser)
    missing = post_json(browser, "/api-keys", {"name": "scanner"}, **token)
    assert missing.status_code == 422
    assert missing.json()["code"] == "password_required"
    assert missing.json()["field"] == "password"
    wrong = post_json(browser, "/api-keys", {"name": "scanner", "password": "Nope-1234"}, **token)
    assert wrong.status_code == 403
    assert (wrong.json()["code"], wrong.json()["field"]) == ("wrong_password", "password")
    assert not ApiKey.objects.exists()
    attempts = AuditEvent.objects.filter(kind="auth.sign_in_failed")
    assert attempts.filter(target_id=str(cast.billing_user.pk)).count() == 1
    created = post_json(browser, "/api-keys", {"name": "scanner", "password": PASSWORD}, **token)
    assert created.status_code == 201 and created.json()["secret"].startswith("fxl_")


def test_a_key_creates_keys_without_the_password(cast: Cast, call: Callable[..., Any]) -> None:
    created = call(cast.billing_user, "post", "/api-keys", {"name": "ci"})
    assert created.status_code == 201


# --- no credentials: 401 on every operation of the OpenAPI document --------------------


def _operations() -> Iterator[tuple[str, str]]:
    """Every (method, concrete path) of the served OpenAPI document."""
    doc = Client().get("/api/v1/openapi.json").json()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            params = {
                p["name"]: p.get("schema", {}).get("type")
                for p in operation.get("parameters", [])
                if p.get("in") == "path"
            }

            def value(match: re.Match[str], params: dict[str, Any] = params) -> str:
                return "1" if params.get(match.group(1)) == "integer" else "fax"

            yield method.upper(), re.sub(r"\{(\w+)\}", value, path)


@pytest.fixture(scope="module")
def operations(django_db_blocker: Any) -> list[tuple[str, str]]:
    with django_db_blocker.unblock():
        found = sorted(_operations())
    assert len(found) >= 100, "the document lists fewer operations than expected"
    return found


def _send(client: Client, method: str, path: str, **headers: str) -> HttpResponse:
    fn = getattr(client, method.lower())
    if method in ("GET", "DELETE", "HEAD", "OPTIONS"):
        return fn(path, headers=headers)  # type: ignore[no-any-return]
    return fn(path, data="{}", content_type="application/json", headers=headers)  # type: ignore[no-any-return]


def test_every_operation_answers_401_without_credentials(
    cast: Cast, operations: list[tuple[str, str]]
) -> None:
    browser = Client(enforce_csrf_checks=True)  # as a real client: CSRF is enforced
    problems = []
    for method, path in operations:
        response = _send(browser, method, path)
        if (
            response.status_code != 401
            or not response.get("WWW-Authenticate", "").startswith("Bearer")
            or response.json().get("code") != "unauthenticated"
        ):
            problems.append(f"{method} {path}: {response.status_code} {response.content[:120]!r}")
    assert problems == []


def test_every_operation_answers_401_to_a_bad_key_despite_a_session(
    cast: Cast, operations: list[tuple[str, str]]
) -> None:
    browser = portal_session("carol")
    headers = {**GARBAGE, **csrf_headers(browser)}
    problems = []
    for method, path in operations:
        response = _send(browser, method, path, **headers)
        if response.status_code != 401:
            problems.append(f"{method} {path}: {response.status_code}")
    assert problems == []
    assert User.objects.filter(username="carol", is_locked=False).exists()
