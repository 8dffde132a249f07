"""Settings ▸ Webhooks in a browser: a company administrator adds an endpoint (its secret
shown once), sends a test event to a real receiver on loopback and sees its delivery in
the log; then redelivers it. Edit on the endpoint's page changes its events."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from faxline.accounts.access import Actor
from faxline.core.models import AuditEvent
from faxline.notify.webhooks import services
from faxline.notify.webhooks.models import WebhookEndpoint
from notify.webhooks.receiver import Receiver, allow_loopback, receiver  # noqa: F401

from cast import cast_from_snapshot
from helpers import login_as
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_webhook_page_sends_a_test_event_and_shows_its_delivery(
    page: Page,
    live_server: Any,
    receiver: Receiver,  # noqa: F811 - the fixture imported above
) -> None:
    cast = cast_from_snapshot()
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


def test_edit_changes_the_events_of_an_endpoint(
    page: Page,
    live_server: Any,
    allow_loopback: None,  # noqa: F811 - the fixture imported above
) -> None:
    cast = cast_from_snapshot()
    hook, _ = services.endpoint_create(
        actor=Actor(user=cast.company_admin),
        company=cast.company,
        url="http://127.0.0.1:9/hooks",
        events=["fax.delivered"],
        description="ERP",
    )
    login_as(page, live_server, cast.company_admin)
    page.goto(f"{live_server.url}/settings/webhooks/{hook.pk}/")
    form = page.get_by_test_id("webhook-edit")
    expect(form).to_be_hidden()
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(form).to_be_visible()
    expect(form.get_by_label("URL")).to_have_value("http://127.0.0.1:9/hooks")
    expect(form.get_by_label("Description")).to_have_value("ERP")
    expect(form.get_by_label("Fax delivered")).to_be_checked()

    # No event at all: refused on the events, the form stays open, nothing saved.
    form.get_by_label("Fax delivered").uncheck()
    form.get_by_role("button", name="Save changes").click()
    form = page.get_by_test_id("webhook-edit")
    expect(form).to_be_visible()
    expect(form).to_contain_text("Choose at least one event.")
    hook.refresh_from_db()
    assert hook.events == ["fax.delivered"]

    form.get_by_label("Fax failed").check()
    form.get_by_label("Fax queued").check()
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("The endpoint was saved.")).to_be_visible()
    expect(page.get_by_test_id("webhook-edit")).to_be_hidden()
    expect(page.locator("dd").filter(has_text="fax.queued")).to_have_text("fax.queued, fax.failed")
    hook.refresh_from_db()
    assert hook.events == ["fax.queued", "fax.failed"]
    assert AuditEvent.objects.filter(kind="webhook.changed", target_id=str(hook.pk)).count() == 1
