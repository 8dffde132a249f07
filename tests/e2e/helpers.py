"""Helpers for browser tests: sign in through the real login page, or inject a session.

``sign_in(page, live_server_url, username, password)`` drives the two-step login page
(Username + NEXT, then Password + ENTER) and waits until the browser has left it.
``login_as(page, live_server, user)`` skips the form: it signs ``user`` in with Django's test
client and copies the session cookie into the page's browser context.
``wait_for_quiet_network(page)`` waits until no request of the page's context has been in
flight for a moment (a shorter ``networkidle``).
"""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

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


class NetworkWatch:
    """The requests of a browser context still in flight, and when one last started or
    ended (Playwright's ``request``, ``requestfinished`` and ``requestfailed`` events; a
    redirect finishes its request and starts a new one)."""

    def __init__(self, context: BrowserContext) -> None:
        self.pending = 0
        self.changed = time.monotonic()
        context.on("request", self._started)
        context.on("requestfinished", self._ended)
        context.on("requestfailed", self._ended)

    def _started(self, request: Any) -> None:
        self.pending += 1
        self.changed = time.monotonic()

    def _ended(self, request: Any) -> None:
        self.pending = max(0, self.pending - 1)
        self.changed = time.monotonic()


# The watch of each open context (tests/e2e/conftest.py's ``context`` fixture).
WATCHES: dict[int, NetworkWatch] = {}


def wait_for_quiet_network(page: Page, *, quiet_ms: int = 150, timeout_ms: int = 10_000) -> None:
    """Wait until the page's context has had no request in flight for ``quiet_ms``.

    Playwright's ``networkidle`` is the same wait with a fixed 500 ms of quiet; where nothing
    can start a request later than right after the previous one ended (a page just loaded
    and its htmx ``load`` requests, not a field's ``delay:`` trigger), a shorter quiet
    spares the difference on every page."""
    watch = WATCHES[id(page.context)]
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        page.wait_for_timeout(25)  # also lets Playwright deliver the request events
        now = time.monotonic()
        if watch.pending == 0 and now - watch.changed >= quiet_ms / 1000:
            return
        if now > deadline:
            raise PlaywrightTimeoutError(
                f"Timeout {timeout_ms}ms exceeded waiting for a quiet network "
                f"({watch.pending} requests in flight)"
            )
