"""Browser tests: Playwright (sync API) driving Debian's headless Chromium.

Every test under tests/e2e/ is marked ``browser`` (``pytest -m "not browser"`` skips them).
A test takes ``live_server`` (pytest-django; a threaded server on a free port, with a
transactional test database) and ``page`` (a fresh browser context per test, 1280x800, 10 s
default timeout). ``sign_in(user)`` puts a signed-in session cookie into the context without
going through the sign-in form. When a test fails, a full-page screenshot is saved in
``test-artifacts/``. A Content-Security-Policy violation reported by the browser in the
test's context fails the test (``csp_violations``).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an asyncio event loop in the main thread; the Django ORM
# would refuse to run there without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.core.signals import request_finished, request_started
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from helpers import WATCHES, NetworkWatch, wait_for_quiet_network

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("FAXLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000
# Assertions wait as long as actions do: a loaded CI machine (two xdist workers, each with
# its own Chromium and live server) can take more than Playwright's 5 s default.
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
VIEWPORT = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            # A browser wait that times out on a loaded machine (two xdist workers, each with
            # a Chromium and a live server) gets one more try; any other failure does not.
            item.add_marker(
                pytest.mark.flaky(
                    reruns=1,
                    only_rerun=["Locator expected", "TimeoutError", "Timeout .* exceeded"],
                )
            )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    # Lets the ``page`` fixture know, at teardown, whether the test itself failed.
    setattr(item, f"rep_{report.when}", report)
    return report


class _ServerRequests:
    """The live server's threads serving a request now (Django's ``request_started`` and
    ``request_finished``, sent in the thread serving it, static files included). Requests
    of the test client (this thread) are not the live server's: a streamed answer the test
    never reads is never finished. A thread that died serving counts no more."""

    def __init__(self) -> None:
        self.serving: set[threading.Thread] = set()
        self.lock = threading.Lock()
        request_started.connect(self.started, dispatch_uid="e2e-server-requests-started")
        request_finished.connect(self.finished, dispatch_uid="e2e-server-requests-finished")

    def started(self, **kwargs: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            with self.lock:
                self.serving.add(threading.current_thread())

    def finished(self, **kwargs: Any) -> None:
        with self.lock:
            self.serving.discard(threading.current_thread())

    def busy(self) -> bool:
        with self.lock:
            return any(thread.is_alive() for thread in self.serving)

    def drain(self, timeout: float = 3.0) -> None:
        """Wait until no request is being served (at most ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while self.busy() and time.monotonic() < deadline:
            time.sleep(0.005)
        with self.lock:
            self.serving.clear()


SERVER_REQUESTS = _ServerRequests()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make deps-system`")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


# Reports every Content-Security-Policy violation of every page (and frame) of a context.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  try {
    window.__fxCspViolation([event.violatedDirective, event.blockedURI,
      event.sourceFile + ":" + event.lineNumber, event.sample].join(" | "));
  } catch (error) { /* the page is going away */ }
});
"""


@pytest.fixture
def csp_violations() -> list[str]:
    """The Content-Security-Policy violations the browser reported during the test."""
    return []


@pytest.fixture
def context(
    browser: Browser, csp_violations: list[str], request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """A fresh browser context. Any Content-Security-Policy violation in it (a
    ``securitypolicyviolation`` event or the console's "Refused to ...") fails the test."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)

    def reported(source: dict[str, Any], text: str) -> None:
        page = source.get("page")
        csp_violations.append(f"{page.url if page else '?'}: {text}")

    context.expose_binding("__fxCspViolation", reported)
    context.add_init_script(CSP_LISTENER)

    def console(message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            csp_violations.append(f"console: {message.text}")

    context.on("console", console)
    WATCHES[id(context)] = NetworkWatch(context)
    yield context
    context.close()
    del WATCHES[id(context)]
    # No request can start now; let the live server finish those it is serving before the
    # test database is flushed: one still running would hold a lock on the in-memory SQLite
    # database, and the flush (and the next test on this worker) fail.
    SERVER_REQUESTS.drain()
    report = getattr(request.node, "rep_call", None)
    if csp_violations and (report is None or report.passed):
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(csp_violations))


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    page = context.new_page()
    yield page
    # Let the page's last requests (a favicon, an htmx refresh) be answered and what they
    # bring be reported (CSP violations) before the context closes. (A page that never goes
    # quiet, polling, is closed with its context after 3 s; the context's teardown then
    # waits for the live server to finish serving.)
    with contextlib.suppress(Exception):
        wait_for_quiet_network(page, quiet_ms=150, timeout_ms=3_000)
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as exc:  # the page may be gone; the test's own error matters more
            print(f"could not save a screenshot: {exc}")


@pytest.fixture
def sign_in(context: BrowserContext, client: Any, live_server: Any) -> Callable[[Any], None]:
    """Return ``sign_in(user)``: the browser context is then signed in as ``user``."""
    from django.conf import settings

    def _sign_in(user: Any) -> None:
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session.value, "url": live_server.url}]
        )

    return _sign_in
