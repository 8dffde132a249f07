"""Settings ▸ Webhooks in a browser: a company administrator adds an endpoint (its secret
shown once), sends a test event to a real receiver on loopback and sees its delivery in
the log; then redelivers it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from faxline.notify.webhooks.models import WebhookEndpoint
from notify.webhooks.receiver import Receiver, allow_loopback, receiver  # noqa: F401

from cast import build_cast
from helpers import login_as
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_webhook_page_sends_a_test_event_and_shows_its_delivery(
    page: Page,
    live_server: Any,
    receiver: Receiver,  # noqa: F811 - the fixture imported above
) -> None:
    cast = build_cast()
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks")).to_be_visible()

    form = page.get_by_test_id("webhook-add")
    form.get_by_label("URL").fill(receiver.url)
    form.get_by_label("Fax delivered").check()
    form.get_by_label("Fax failed").check()
    form.get_by_role("button", name="Add endpoint").click()
    secret = page.get_by_test_id("webhook-secret").locator("code").inner_text().strip()
    assert secret.startswith("whsec_")
    hook = WebhookEndpoint.objects.get()
    assert hook.secret == secret and hook.events == ["fax.delivered", "fax.failed"]

    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("A test event is on its way")).to_be_visible()
    log = page.get_by_test_id("webhook-deliveries")
    expect(log).to_contain_text("webhook.test")
    expect(log).to_contain_text("Pending")
    run_tasks()
    # The log refreshes itself (htmx) while a delivery is on its way.
    expect(log).to_contain_text("Delivered")
    expect(log).to_contain_text("200")
    (got,) = receiver.requests
    assert json.loads(got.body)["type"] == "webhook.test"
    # Reloading shows the secret no more.
    page.reload()
    expect(page.get_by_test_id("webhook-secret")).to_have_count(0)

    page.get_by_role("button", name="Redeliver").click()
    run_tasks()
    expect(page.get_by_test_id("webhook-deliveries")).to_contain_text("Delivered")
    assert len(receiver.requests) == 2

    # Rotate secret (confirmed): the new one is shown once, and signs from now on.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Rotate secret").click()
    rotated = page.get_by_test_id("webhook-secret").locator("code")
    expect(rotated).not_to_have_text(secret)
    hook.refresh_from_db()
    assert hook.secret == rotated.inner_text().strip() != secret
