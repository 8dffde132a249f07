"""Signing in with a browser: both steps of the login page, and the policy's lock-out.

Set ``FAXLINE_SCREENSHOT_DIR`` to keep a PNG of each login step there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from faxline.accounts.auth import WRONG_CREDENTIALS
from faxline.accounts.services.passwords import password_set_by_admin
from faxline.accounts.services.security import security_policy_save

from cast import PASSWORD, cast_from_snapshot
from helpers import login_as, sign_in
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("FAXLINE_SCREENSHOT_DIR")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_sign_in_through_both_steps(live_server, page: Page) -> None:
    cast_from_snapshot()
    page.goto(live_server.url + "/activity/")
    expect(page).to_have_url(re.compile(r"/auth/login/\?next="))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "login-step1")

    page.get_by_label("Username").fill("bill")
    page.get_by_role("button", name="NEXT").click()
    expect(page.get_by_text("bill", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Not you?")).to_be_visible()
    expect(page.get_by_role("link", name="Forgot Password?")).to_be_visible()
    password = page.get_by_label("Password", exact=True)
    expect(password).to_be_focused()
    shot(page, "login-step2")

    password.fill("Not-The-Password-1")
    page.get_by_role("button", name="ENTER").click()
    expect(page.get_by_role("alert")).to_have_text(WRONG_CREDENTIALS)
    shot(page, "login-wrong-password")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ENTER").click()
    expect(page).to_have_url(live_server.url + "/activity/")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.get_by_text("Bill Payer")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="NEXT")).to_be_visible()


def test_not_you_goes_back_to_step_one(live_server, page: Page) -> None:
    page.goto(live_server.url + "/auth/login/")
    page.get_by_label("Username").fill("someone")
    page.get_by_role("button", name="NEXT").click()
    page.get_by_role("link", name="Not you?").click()
    expect(page.get_by_label("Username")).to_have_value("")
    page.get_by_role("link", name="Forgot Password?").click()
    expect(page.get_by_role("heading", name="Forgot Password?")).to_be_visible()
    expect(page.get_by_role("button", name="RESET PASSWORD")).to_be_visible()
    shot(page, "forgot-password")
    page.get_by_label("Username").fill("someone")
    page.get_by_role("button", name="RESET PASSWORD").click()
    expect(page.get_by_text("If an account exists for that username")).to_be_visible()
    page.get_by_role("link", name="RETURN TO LOGIN").click()
    expect(page.get_by_role("button", name="NEXT")).to_be_visible()


def test_lock_out_after_the_policys_failed_attempts(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        values={"lockout_attempts": 3, "lockout_minutes": 5},
    )
    for attempt in range(1, 4):
        page.goto(live_server.url + "/auth/login/")
        page.get_by_label("Username").fill("bill")
        page.get_by_role("button", name="NEXT").click()
        page.get_by_label("Password", exact=True).fill(f"Wrong-{attempt}")
        page.get_by_role("button", name="ENTER").click()
        # One answer every time, locked out or not: it tells an outsider nothing.
        expect(page.get_by_role("alert")).to_have_text(WRONG_CREDENTIALS)
    # Even the right password is refused now, in the same words.
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ENTER").click()
    expect(page.get_by_role("alert")).to_have_text(WRONG_CREDENTIALS)
    expect(page.get_by_role("link", name=re.compile("Forgot Password"))).to_be_visible()
    shot(page, "login-locked-out")
    expect(page).to_have_url(re.compile(r"/auth/login/$"))


def test_helpers_sign_in_and_login_as(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    sign_in(page, live_server.url, "carol", PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    page.context.clear_cookies()

    login_as(page, live_server, cast.sales_user)
    page.goto(live_server.url + "/auth/api-keys/")
    expect(page.get_by_role("heading", name="API keys", level=1)).to_be_visible()
    page.get_by_label("Name").fill("Scanner")
    # A key outlives the session: the password is asked for again.
    page.get_by_label("Your password").fill("Not-" + PASSWORD)
    page.get_by_role("button", name="Create API key").click()
    expect(page.get_by_text("The password is not correct")).to_be_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Create API key").click()
    expect(page.get_by_text("Copy it now: it will not be shown again.")).to_be_visible()
    expect(page.get_by_label("New API key")).to_have_value(re.compile(r"^fxl_"))
    shot(page, "api-keys")


def test_forced_password_change_then_the_page_asked_for(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        values={"force_change_by_admin": True},
    )
    password_set_by_admin(
        actor=cast.actor(cast.company_admin), user=cast.billing_user, password="Admin-Set-Pass-1"
    )
    page.goto(live_server.url + "/help/")
    page.get_by_label("Username").fill("bill")
    page.get_by_role("button", name="NEXT").click()
    page.get_by_label("Password", exact=True).fill("Admin-Set-Pass-1")
    page.get_by_role("button", name="ENTER").click()

    expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    expect(
        page.get_by_text("Your administrator requires you to choose a new password.")
    ).to_be_visible()
    page.get_by_label("Current password").fill("Admin-Set-Pass-1")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="CHANGE PASSWORD").click()
    expect(page.get_by_text("must be at least 8 characters long")).to_be_visible()
    shot(page, "password-change-forced")

    page.get_by_label("Current password").fill("Admin-Set-Pass-1")
    page.get_by_label("New password", exact=True).fill("Brand-New-Secret-7")
    page.get_by_label("Confirm new password").fill("Brand-New-Secret-7")
    page.get_by_role("button", name="CHANGE PASSWORD").click()
    expect(page).to_have_url(live_server.url + "/help/")
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()

    # And the audit log shows it, to the company administrator.
    page.context.clear_cookies()
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/auth/audit/")
    expect(page.get_by_role("cell", name="password.changed")).to_be_visible()
    page.get_by_label("Event").select_option("password.changed")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("cell", name="auth.sign_in", exact=True)).to_have_count(0)
    page.get_by_role("link", name="Clear").click()
    shot(page, "audit-log")


def test_forgot_password_link_from_the_email(live_server, page: Page, settings) -> None:
    from django.core import mail

    settings.FAXLINE_PORTAL_URL = live_server.url
    cast_from_snapshot()
    page.goto(live_server.url + "/auth/login/")
    page.get_by_label("Username").fill("bill")
    page.get_by_role("button", name="NEXT").click()
    page.get_by_role("link", name="Forgot Password?").click()
    expect(page.get_by_label("Username")).to_have_value("bill")
    page.get_by_role("button", name="RESET PASSWORD").click()
    expect(page.get_by_text("If an account exists for that username")).to_be_visible()
    assert len(mail.outbox) == 0  # the request only enqueued the work
    run_tasks()
    assert len(mail.outbox) == 1
    link = re.search(r"http\S+/auth/password/reset/\S+/", mail.outbox[0].body)
    assert link

    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("Brand-New-Secret-7")
    page.get_by_label("Confirm new password").fill("Brand-New-Secret-8")
    page.get_by_role("button", name="SET PASSWORD").click()
    expect(page.get_by_text("The two passwords do not match.")).to_be_visible()
    shot(page, "password-reset")
    page.get_by_label("New password", exact=True).fill("Brand-New-Secret-7")
    page.get_by_label("Confirm new password").fill("Brand-New-Secret-7")
    page.get_by_role("button", name="SET PASSWORD").click()
    expect(page.get_by_text("Your password has been reset.")).to_be_visible()

    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Link no longer valid")).to_be_visible()
    shot(page, "password-reset-invalid")
    page.get_by_role("link", name="RETURN TO LOGIN").click()
    sign_in(page, live_server.url, "bill", "Brand-New-Secret-7")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
