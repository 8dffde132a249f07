"""A full email-to-fax send as an administrator sees it: a fax user emails a PDF to two
numbers through the SMTP gateway (real SMTP on loopback), the task worker makes the jobs, the
dispatcher sends them through the sandbox PSTN, and the notification log shows the Initial
and the two Delivery notifications, delivered to a real SMTP listener; the Email to fax log
shows the email with its jobs."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from faxing.jobs_support import give_number, transport
from faxline.faxing.jobs.dispatcher import dispatch_due
from faxline.faxing.models import FaxJob, FaxJobStatus
from faxline.gateway.server import GatewayController
from gateway.gateway_support import Inbox, a_pdf, email_to_fax, gateway, inbox, send  # noqa: F401

from cast import Cast, cast_from_snapshot
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(live_server: Any) -> Cast:
    return cast_from_snapshot()


def test_the_notification_log_shows_a_full_email_to_fax_send(
    live_server: Any,
    page: Page,
    sign_in: Any,
    acme: Cast,
    gateway: GatewayController,  # noqa: F811
    inbox: Inbox,  # noqa: F811
) -> None:
    give_number(acme.billing_user)
    message = email_to_fax(
        "Bill <bill@acme.example>",
        ["6175559876", "6175559877"],
        subject="Lab results",
        body="Please see the attached results.",
        pdf=a_pdf(),
    )
    refused = send(
        gateway,
        message,
        mail_from="bill@acme.example",
        to=["6175559876@fax.localhost", "1-617-555-9877@fax.localhost"],
    )
    assert refused == {}
    run_tasks()  # the gateway makes the jobs and queues the Initial notification
    dispatch_due(transport())  # both faxes are sent
    run_tasks()  # the Delivery notifications
    jobs = list(FaxJob.objects.order_by("to_number"))
    assert [j.status for j in jobs] == [FaxJobStatus.SUCCESS] * 2
    # What reached the sender's mailbox: one Initial and two Delivery notifications.
    assert [to for _f, to, _c in inbox.messages] == [["bill@acme.example"]] * 3

    sign_in(acme.company_admin)
    page.goto(live_server.url + "/notifications/")
    rows = page.locator("tbody tr").filter(has_text="bill@acme.example")
    expect(rows).to_have_count(3)
    initial = rows.filter(has_text="gateway.initial_success")
    expect(initial).to_have_count(1)
    expect(initial).to_contain_text("Sent")
    delivered = rows.filter(has_text="fax.delivery_success")
    expect(delivered).to_have_count(2)
    for job in jobs:
        expect(delivered.filter(has_text=job.identifier)).to_have_count(1)
    expect(delivered.first).to_contain_text("Sent")

    page.goto(live_server.url + "/email-to-fax/")
    row = page.locator("tbody tr").filter(has_text="bill@acme.example")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Done")
    for job in jobs:
        expect(row).to_contain_text(job.identifier)
