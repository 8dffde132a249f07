"""The notification log in a browser: Send Welcome Message on User Account Details (the
dialog preselected from the user's Notifications tab) then the message in the log after the
task worker ran, its one-time link withheld; a plain one resent; an email-to-fax job's
Delivery Notification (No Answer) found by its template."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from faxing.jobs_support import give_number, note, on_demand_covers, transport
from faxline.accounts.access import Actor
from faxline.accounts.services.settings import settings_update
from faxline.faxing.jobs.dispatcher import RetryPolicy, dispatch_due
from faxline.faxing.jobs.send import fax_send
from faxline.notify.models import NotificationLog

from cast import Cast, cast_from_snapshot
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(live_server) -> Cast:
    return cast_from_snapshot()


def test_send_welcome_message_then_see_it_in_the_notification_log(
    live_server, page: Page, sign_in, acme: Cast
) -> None:
    settings_update(
        actor=Actor(user=acme.company_admin),
        owner=acme.billing_user,
        tab="notifications",
        values={"welcome_message": "with_credentials"},
    )
    sign_in(acme.company_admin)
    page.goto(live_server.url + f"/settings/accounts/users/{acme.billing_user.pk}/")
    expect(page.get_by_role("heading", name="User Account Details")).to_be_visible()
    page.get_by_role("button", name="Send Welcome Message").click()
    dialog = page.get_by_role("dialog", name="Send Welcome Message")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Welcome Message with Credentials")).to_be_checked()
    dialog.get_by_role("button", name="Send").click()
    expect(
        page.get_by_text("A welcome message with a link to choose a password is on its way")
    ).to_be_visible()
    assert NotificationLog.objects.filter(kind="accounts.welcome_credentials").count() == 1
    run_tasks()

    page.goto(live_server.url + "/notifications/")
    row = page.locator("tbody tr").filter(has_text="bill@acme.example")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("accounts.welcome_credentials")
    expect(row).to_contain_text("Logged")
    expect(row).to_contain_text("Welcome to faxline, Bill")
    row.get_by_text("Welcome to faxline, Bill").click()
    expect(row).to_contain_text("carries a one-time link for its recipient; not shown")
    # Delivered and carrying a one-time link: not sent again from the log.
    expect(row.get_by_role("button", name="Resend")).to_have_count(0)


def test_a_plain_welcome_can_be_resent_from_the_log(
    live_server, page: Page, sign_in, acme: Cast
) -> None:
    sign_in(acme.company_admin)
    page.goto(live_server.url + f"/settings/accounts/users/{acme.sales_user.pk}/")
    page.get_by_role("button", name="Send Welcome Message").click()
    dialog = page.get_by_role("dialog", name="Send Welcome Message")
    # The Notifications tab says "No Welcome Message": the plain welcome is preselected.
    expect(dialog.get_by_label("Welcome Message", exact=True)).to_be_checked()
    dialog.get_by_role("button", name="Send").click()
    expect(page.get_by_text("A welcome message is on its way to Sarah Salesperson")).to_be_visible()
    run_tasks()
    page.goto(live_server.url + "/notifications/?kind=accounts.welcome")
    row = page.locator("tbody tr").filter(has_text="sarah@acme.example")
    expect(row).to_contain_text("You can also send faxes by email")
    row.get_by_role("button", name="Resend").click()
    expect(page.get_by_text("The message to sarah@acme.example was queued again")).to_be_visible()
    expect(page.locator("tbody tr").filter(has_text="sarah@acme.example")).to_have_count(2)


def test_a_delivery_notification_shows_in_the_log_with_its_error(
    live_server, page: Page, sign_in, acme: Cast
) -> None:
    give_number(acme.billing_user)
    on_demand_covers(acme, acme.billing_user)
    (job,) = fax_send(
        actor=Actor(user=acme.billing_user),
        to=["+12125550102"],  # rings, nobody answers
        files=[note()],
        source="email",
        reply_to="bill.sender@acme.example",
    )
    dispatch_due(transport(), policy=RetryPolicy(max_dials=1))
    run_tasks()
    sign_in(acme.company_admin)
    page.goto(live_server.url + "/notifications/")
    page.get_by_label("Kind").select_option("fax.delivery_failure")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("bill.sender@acme.example")
    expect(rows.first).to_contain_text("fax.delivery_failure")
    expect(rows.first).to_contain_text("Logged")
    rows.first.get_by_text(f"Fax not delivered: {job.identifier}").click()
    expect(rows.first.get_by_text("Error: No Answer")).to_be_visible()
    expect(rows.first.get_by_role("button", name="Resend")).to_be_visible()
