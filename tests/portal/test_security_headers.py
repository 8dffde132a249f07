"""The portal's protective headers (``faxline.portal.security`` and Django's security
settings): a Content-Security-Policy with a fresh nonce, Referrer-Policy, framing refused,
nosniff; over HTTPS (directly or behind a TLS proxy that says so) Secure session and CSRF
cookies and HSTS."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cast import PASSWORD, Cast

LOGIN = "/auth/login/"


def directives(policy: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


def test_the_policy_and_the_other_headers(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.company_admin)
    first, second = client.get("/"), client.get("/")
    policy = directives(first["Content-Security-Policy"])
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)  # type: ignore[union-attr]
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["style-src"] == f"'self' 'nonce-{nonce}'"
    assert "unsafe-inline" not in first["Content-Security-Policy"]
    assert "unsafe-eval" not in first["Content-Security-Policy"]
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    # A fresh nonce per response, and the page's own tags carry it.
    assert nonce not in second["Content-Security-Policy"]
    assert f'nonce="{nonce}"' in first.content.decode()
    assert first["Referrer-Policy"] == "same-origin"
    assert first["X-Frame-Options"] == "DENY"
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in first  # plain HTTP


def test_the_api_answers_carry_the_headers_too(cast: Cast) -> None:
    response = Client().get("/api/v1/me")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_documentation_is_served_from_here(cast: Cast) -> None:
    page = Client().get("/api/v1/docs").content.decode()
    assert "cdn." not in page and "https://" not in page
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def _cookie_flags(response: Any, name: str) -> dict[str, Any]:
    morsel = response.cookies[name]
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"])}


def _sign_in(client: Client, **extra: Any) -> Any:
    client.get(LOGIN, **extra)
    client.post(LOGIN, {"username": "carol", "step": "username"}, **extra)
    return client.post(
        LOGIN, {"username": "carol", "password": PASSWORD, "step": "password"}, **extra
    )


def test_cookies_over_plain_http_are_not_secure(cast: Cast) -> None:
    client = Client()
    page = client.get(LOGIN)
    assert _cookie_flags(page, "csrftoken")["secure"] is False
    response = _sign_in(client)
    assert response.status_code == 302, response.content[:300]
    assert _cookie_flags(response, "sessionid") == {"secure": False, "httponly": True}


def test_cookies_over_https_are_secure_with_hsts(cast: Cast) -> None:
    client = Client()
    page = client.get(LOGIN, secure=True)
    assert _cookie_flags(page, "csrftoken")["secure"] is True
    assert page["Strict-Transport-Security"] == "max-age=31536000"
    response = _sign_in(client, secure=True)
    assert response.status_code == 302, response.content[:300]
    assert _cookie_flags(response, "sessionid") == {"secure": True, "httponly": True}
    assert all(morsel["secure"] for morsel in response.cookies.values())


def test_behind_a_tls_proxy_that_says_so(cast: Cast, settings: Any) -> None:
    proxied = {"HTTP_X_FORWARDED_PROTO": "https"}
    # Without the setting the header is not trusted: anyone could send it.
    assert _cookie_flags(Client().get(LOGIN, **proxied), "csrftoken")["secure"] is False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    page = client.get(LOGIN, **proxied)
    assert _cookie_flags(page, "csrftoken")["secure"] is True
    assert "Strict-Transport-Security" in page
    response = _sign_in(client, **proxied)
    assert _cookie_flags(response, "sessionid")["secure"] is True


def test_secure_cookies_can_be_forced_or_refused(cast: Cast, settings: Any) -> None:
    settings.FAXLINE_SECURE_COOKIES = "false"
    assert _cookie_flags(Client().get(LOGIN, secure=True), "csrftoken")["secure"] is False
    settings.FAXLINE_SECURE_COOKIES = "true"
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = True
    assert _cookie_flags(Client().get(LOGIN), "csrftoken")["secure"] is True


def _settings_of(tmp_path: Path, expression: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print({expression})"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "faxline.settings",
            "FAXLINE_HOME": str(tmp_path),
            **env,
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("env", "expression", "expected"),
    [
        ({}, "settings.SECURE_PROXY_SSL_HEADER", "None"),
        (
            {"FAXLINE_PROXY_SSL_HEADER": "X-Forwarded-Proto"},
            "settings.SECURE_PROXY_SSL_HEADER",
            "('HTTP_X_FORWARDED_PROTO', 'https')",
        ),
        ({}, "settings.FAXLINE_SECURE_COOKIES, settings.SESSION_COOKIE_SECURE", "auto False"),
        (
            {"FAXLINE_SECURE_COOKIES": "yes"},
            "settings.FAXLINE_SECURE_COOKIES, settings.CSRF_COOKIE_SECURE",
            "true True",
        ),
        ({"FAXLINE_HSTS_SECONDS": "0"}, "settings.SECURE_HSTS_SECONDS", "0"),
    ],
)
def test_the_settings(tmp_path: Path, env: dict[str, str], expression: str, expected: str) -> None:
    done = _settings_of(tmp_path, f"*[{expression}]" if "," in expression else expression, **env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FAXLINE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https"),
        ("FAXLINE_SECURE_COOKIES", "sometimes"),
        ("FAXLINE_HSTS_SECONDS", "-1"),
    ],
)
def test_bad_settings_stop_the_start(tmp_path: Path, name: str, value: str) -> None:
    done = _settings_of(tmp_path, "settings.DEBUG", **{name: value})
    assert done.returncode != 0 and name in done.stderr


def test_a_form_without_its_csrf_token_gets_a_page_within_the_policy(cast: Cast) -> None:
    response = Client(enforce_csrf_checks=True).post(LOGIN, {"username": "carol"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "This form has expired" in text
    assert "<style>" not in text and 'style="' not in text
