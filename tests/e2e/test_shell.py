"""The portal shell in a browser: the top menu on a laptop and on a phone."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from faxline.accounts.choices import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_menu_on_laptop_and_phone(live_server, page: Page, sign_in) -> None:
    user = get_user_model().objects.create_user(
        username="shell",
        password="x-Secret-123",
        first_name="Sam",
        last_name="Shell",
        email="s@example.com",
        # An operator: Settings is offered only to those who may use something in it.
        role=Role.OPERATOR,
    )
    sign_in(user)

    page.goto(live_server.url + "/")
    expect(page).to_have_title("Dashboard · faxline")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    # The portal's own stylesheet is served (the menu bar has its gradient).
    expect(page.locator(".fx-navbar")).to_have_css("background-image", re.compile("gradient"))
    menu = page.get_by_role("navigation", name="Main menu")
    for item in ("Dashboard", "Help"):
        expect(menu.get_by_role("link", name=item, exact=True)).to_be_visible()
    # Activity is a menu once an app offers the person a page in it (Reports).
    expect(menu.get_by_role("button", name="Activity", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Dashboard", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(menu.get_by_text("Sam Shell")).to_be_visible()
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()

    # Settings opens a menu with Account Administration.
    account_administration = page.get_by_role("link", name="Account Administration")
    expect(account_administration).to_be_hidden()
    page.get_by_role("button", name="Settings").click()
    expect(account_administration).to_be_visible()
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Activity", exact=True).click()
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    page.get_by_role("link", name="Help", exact=True).click()
    expect(page.get_by_role("heading", name="Help", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="REST API v1 documentation")).to_have_attribute(
        "href", "/api/v1/docs"
    )

    # On a phone the menu collapses behind a toggle button.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/")
    toggle = page.get_by_role("button", name="Toggle navigation")
    expect(toggle).to_be_visible()
    expect(menu.get_by_role("button", name="Activity", exact=True)).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "page scrolls sideways"
    toggle.click()
    expect(menu.get_by_role("button", name="Activity", exact=True)).to_be_visible()
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Settings").click()
    expect(page.get_by_role("link", name="Account Administration")).to_be_visible()

    # Sign out is a POST (with the CSRF token) that ends on the sign-in page.
    menu.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("login"))))
