"""The portal under its Content-Security-Policy in a real browser: nothing it needs is
blocked. The browser reports every violation (``securitypolicyviolation`` events and the
console's "Refused to ..."; ``csp_violations`` in conftest.py) while the standard cast signs
in, walks the pages it can reach and goes through the wizards and the htmx parts (tree,
inventory dialog, Request Inventory's cascade, the live checks of + New Port Request, the
LOA's signature pad, the API documentation). First, a canary shows the reports arrive.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.porting.models import PortRequest
from faxline.porting.requests.services import port_request_create

from cast import Cast, cast_from_snapshot
from helpers import wait_for_quiet_network

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database_independent]
PAGES_PER_ROLE = 20
SKIP = ("/static/", "/auth/logout", "/api/v1/port-requests")


@pytest.fixture
def acme(live_server: Any, settings: Any, tmp_path: Any) -> Cast:
    settings.MEDIA_ROOT = str(tmp_path)
    cast = cast_from_snapshot()
    port_request_create(
        actor=Actor(user=cast.company_admin),
        company=cast.company,
        data={
            "contact_first_name": "Carol",
            "contact_last_name": "Chief",
            "contact_email": "carol@acme.example",
            "contact_phone": "+1 206 555 0100",
            "numbers": [{"number": "+12062345678", "line_type": "landline"}],
            "port_type": "full",
            "btn": "+12062345678",
            "losing_carrier": "Old Telco",
            "account_number": "ACCT-998877",
            "business_name": "Acme Corp",
            "authorized_name": "Carol Chief",
            "authorized_title": "CEO",
            "street": "1313 Mockingbird Lane",
            "city": "Seattle",
            "state": "WA",
            "postal_code": "98101",
            "country": "US",
        },
    )
    return cast


def settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping')")


def settle_loaded(page: Page) -> None:
    """``settle`` for a page just loaded, nothing typed: its htmx ``load`` requests start
    at once, each swap's own at once after it, so a short quiet (not ``networkidle``'s
    500 ms, on each of the ~90 pages of the walks) sees them all."""
    wait_for_quiet_network(page, quiet_ms=150)
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping')")


def reported(page: Page, violations: list[str]) -> None:
    """Give the browser a moment to deliver its reports."""
    for _ in range(20):
        if violations:
            return
        page.wait_for_timeout(100)


def walk(page: Page, base: str, start: str, limit: int) -> list[str]:
    """Visit the portal's pages reachable by links from ``start`` (at most ``limit``)."""
    queue, seen, visited = [start], set(), []
    while queue and len(visited) < limit:
        path = queue.pop(0)
        if path in seen or path.startswith(SKIP):
            continue
        seen.add(path)
        response = page.goto(base + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        settle_loaded(page)
        visited.append(path)
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            parts = urlsplit(href)
            if parts.netloc == urlsplit(base).netloc:
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target not in seen:
                    queue.append(target)
    return visited


def test_the_browser_reports_what_the_policy_blocks(
    live_server: Any,
    page: Page,
    sign_in: Callable[[User], None],
    acme: Cast,
    csp_violations: list[str],
) -> None:
    sign_in(acme.company_admin)
    page.goto(live_server.url + "/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.fxInjected = true'; document.body.append(s); }"
    )
    reported(page, csp_violations)
    assert page.evaluate("() => window.fxInjected === undefined")
    assert any("script-src" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # the canary's own report: what the walk finds comes next


@pytest.mark.parametrize(
    "role", ["company_admin", "operator", "read_only_admin", "dept_admin", "billing_user"]
)
def test_walking_the_portal_breaks_no_rule(
    live_server: Any,
    page: Page,
    sign_in: Callable[[User], None],
    acme: Cast,
    csp_violations: list[str],
    role: str,
) -> None:
    sign_in(getattr(acme, role))
    visited = walk(page, live_server.url, "/", PAGES_PER_ROLE)
    assert len(visited) > 3, visited
    reported(page, csp_violations)
    assert not csp_violations, "\n".join(csp_violations)


def test_wizards_and_htmx_parts_break_no_rule(
    live_server: Any,
    page: Page,
    sign_in: Callable[[User], None],
    acme: Cast,
    csp_violations: list[str],
) -> None:
    base = live_server.url
    company = acme.company.pk
    sign_in(acme.company_admin)

    # The sign-in page itself (signed out in a second page of the same context).
    other = page.context.new_page()
    other.context.clear_cookies()
    other.goto(base + "/auth/login/")
    other.get_by_label("Username").fill("carol")
    other.get_by_role("button", name=re.compile(r"next", re.I)).click()
    expect(other.get_by_label("Password", exact=True)).to_be_visible()
    other.close()
    sign_in(acme.company_admin)

    # Account Administration: the tree's context menu.
    page.goto(base + reverse("accounts:tree"))
    page.get_by_role("button", name="Actions for Sales").click()
    settle(page)

    # Add Department: Next by htmx, with an error, then Back.
    page.goto(base + reverse("accounts:department_add", args=[company]))
    page.get_by_role("button", name="Next").click()
    settle(page)

    # Add User Account: Generate, Show, Next.
    page.goto(base + reverse("accounts:user_add", args=[company]))
    page.get_by_label("First name").fill("Nina")
    page.get_by_role("button", name="Next").click()
    settle(page)

    # Add Administrator: the steps are switched in the page.
    page.goto(base + reverse("accounts:administrator_add", args=[company]))
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Use email address as username").check()
    settle(page)

    # Company Details: Archive switches its fields; a modal.
    page.goto(base + reverse("accounts:company_details", args=[company]) + "?tab=archive")
    page.get_by_label("Destination").select_option("ftp")
    settle(page)

    # Request Inventory: the cascade (htmx on a custom event), then the inventory.
    page.goto(base + reverse("numbers:request"))
    page.get_by_label("Country").select_option(label="United States")
    expect(page.get_by_label("State / Province")).to_be_enabled()
    page.get_by_label("State / Province").select_option(label="Washington")
    settle(page)
    page.goto(base + reverse("numbers:inventory"))
    settle(page)

    # + New Port Request: a change asks for the live check (htmx on a custom event).
    page.goto(base + reverse("porting:new"))
    page.get_by_label("First name").fill("Carol")
    page.get_by_label("First name").blur()
    settle(page)

    # The LOA page with its signature pad.
    port = PortRequest.objects.get(company=acme.company)
    page.goto(base + reverse("porting:loa", args=[port.pk]))
    pad = page.locator("[data-fx-pad]")
    if pad.count():
        box = pad.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 20, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + 120, box["y"] + 60)
        page.mouse.up()
    page.goto(base + reverse("porting:detail", args=[port.pk]) + "?tab=files")
    settle(page)

    # API keys, and the API documentation (Swagger UI from django-ninja's static files).
    page.goto(base + reverse("api_keys"))
    settle(page)
    page.goto(base + "/api/v1/docs")
    expect(page.locator("#swagger-ui .information-container")).to_be_visible()

    reported(page, csp_violations)
    assert not csp_violations, "\n".join(csp_violations)
