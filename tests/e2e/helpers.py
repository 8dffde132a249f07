"""Helpers for browser tests: sign in through the real login page, or inject a session.

``sign_in(page, live_server_url, username, password)`` drives the two-step login page
(Username + NEXT, then Password + ENTER) and waits until the browser has left it.
``login_as(page, live_server, user)`` skips the form: it signs ``user`` in with Django's test
client and copies the session cookie into the page's browser context.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

LOGIN_PATH = "/auth/login/"


def _base(url: str) -> str:
    return url.rstrip("/")


def sign_in(page: Page, live_server_url: str, username: str, password: str) -> None:
    """Sign in through both steps of the login page and wait to land past it."""
    page.goto(_base(live_server_url) + LOGIN_PATH)
    page.get_by_label("Username").fill(username)
    page.get_by_role("button", name=re.compile(r"^\s*next\s*$", re.I)).click()
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name=re.compile(r"^\s*enter\s*$", re.I)).click()
    expect(page).not_to_have_url(re.compile(re.escape(LOGIN_PATH)))


def login_as(page: Page, live_server: Any, user: Any) -> None:
    """Put a signed-in session for ``user`` into the page's browser context (no form)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    url = live_server if isinstance(live_server, str) else live_server.url
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": _base(url)}]
    )
