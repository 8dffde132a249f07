"""The Notifications tab's opt-in to attach the fax (the company level's only) and Send
Welcome Message on User Account Details without a browser: its refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from faxline.notify.models import NotificationLog

from cast import Cast

pytestmark = pytest.mark.django_db

NOTIFICATIONS = {
    "tab": "notifications",
    "initial_success": "on",
    "initial_failure": "on",
    "delivery_success": "on",
    "delivery_failure": "on",
    "welcome_message": "none",
}
LABEL = "Attach the fax to delivery notifications"


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_company_opts_in_on_its_own_notifications_tab(cast: Cast) -> None:
    client = signed_in(cast.company_admin)
    url = f"/settings/accounts/companies/{cast.company.pk}/?tab=notifications"
    assert LABEL in client.get(url).content.decode()
    response = client.post(url, {**NOTIFICATIONS, "attach_document": "on"})
    assert response.status_code == 302
    cast.company.refresh_from_db()
    assert cast.company.settings["notifications"]["attach_document"] is True
    # Saving again without it turns it off.
    client.post(url, NOTIFICATIONS)
    cast.company.refresh_from_db()
    assert cast.company.settings["notifications"]["attach_document"] is False


def test_departments_and_users_do_not_offer_it(cast: Cast) -> None:
    client = signed_in(cast.company_admin)
    user_url = f"/settings/accounts/users/{cast.billing_user.pk}/?tab=notifications"
    dept_url = f"/settings/accounts/departments/{cast.billing.pk}/?tab=notifications"
    assert LABEL not in client.get(user_url).content.decode()
    assert LABEL not in client.get(dept_url).content.decode()
    # A forged field is ignored, not stored.
    assert client.post(user_url, {**NOTIFICATIONS, "attach_document": "on"}).status_code == 302
    cast.billing_user.refresh_from_db()
    assert cast.billing_user.settings["notifications"].get("attach_document") is not True


def test_send_welcome_message_refusals_on_the_page(cast: Cast) -> None:
    url = f"/settings/accounts/users/{cast.billing_user.pk}/"
    reader = signed_in(cast.read_only_admin)
    assert "Send Welcome Message" not in reader.get(url).content.decode()
    forged = reader.post(url, {"action": "send_welcome", "kind": "welcome"})
    assert forged.status_code == 403
    outsider = signed_in(cast.outsider_admin)
    assert outsider.post(url, {"action": "send_welcome", "kind": "welcome"}).status_code == 404
    admin = signed_in(cast.company_admin)
    bad = admin.post(url, {"action": "send_welcome", "kind": "password"})
    assert bad.status_code == 422
    assert 'data-fx-open-modal="welcome"' in bad.content.decode()
    assert not NotificationLog.objects.exists()
    sent = admin.post(url, {"action": "send_welcome", "kind": "welcome"}, follow=True)
    assert "A welcome message is on its way to Bill Payer at bill@acme.example." in (
        sent.content.decode()
    )
    assert NotificationLog.objects.filter(kind="accounts.welcome").count() == 1
