"""The notification log's filters (template, status, recipient) through the API, and Resend:
a failed message is queued again, a delivered one sent again as a new message; a message
carrying a one-time link is not sent again once delivered, nor once it may have expired."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.models import AuditEvent
from faxline.notify.models import SECRET_RESEND_WINDOW, NotificationLog
from faxline.notify.services import notify_email

from cast import Cast
from worker import after_commit

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def write(cast: Cast, kind: str, to: str, *, secret: bool = False) -> NotificationLog:
    (row,) = notify_email(
        kind=kind,
        to=to,
        subject=f"{kind} for {to}",
        body="Body",
        company=cast.company,
        secret=secret,
    )
    return row


@pytest.fixture
def log(cast: Cast) -> dict[str, NotificationLog]:
    with after_commit():
        rows = {
            "delivered": write(cast, "fax.delivery_success", "Bill@Acme.example"),
            "failure": write(cast, "fax.delivery_failure", "bill@acme.example"),
            "welcome": write(cast, "accounts.welcome", "sarah@acme.example"),
            "link": write(cast, "accounts.password_link", "ann@acme.example", secret=True),
        }
    for row in rows.values():
        row.refresh_from_db()
        assert row.status == "logged"
    return rows


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_the_log_filters_by_template_status_and_recipient(cast: Cast, log: Any) -> None:
    client = api(cast.company_admin)
    assert ids(client.get("/api/v1/notifications", {"kind": "fax.delivery_failure"})) == [
        log["failure"].pk
    ]
    by_recipient = ids(client.get("/api/v1/notifications", {"recipient": "BILL@acme.example"}))
    assert by_recipient == [log["failure"].pk, log["delivered"].pk]
    both = client.get(
        "/api/v1/notifications",
        {"recipient": "bill@acme.example", "kind": "fax.delivery_success", "status": "logged"},
    )
    assert ids(both) == [log["delivered"].pk]
    assert ids(client.get("/api/v1/notifications", {"status": "failed"})) == []
    item = client.get(f"/api/v1/notifications/{log['delivered'].pk}").json()
    assert {"recipient", "kind", "created_at", "status", "error", "resendable"} <= set(item)
    assert item["resendable"] is True
    assert client.get(f"/api/v1/notifications/{log['link'].pk}").json()["resendable"] is False


def test_a_delivered_message_is_resent_as_a_new_one(cast: Cast, log: Any) -> None:
    client = api(cast.company_admin)
    with after_commit():
        response = client.post(f"/api/v1/notifications/{log['welcome'].pk}/resend")
    assert response.status_code == 200, response.content
    copy = NotificationLog.objects.get(pk=response.json()["id"])
    assert copy.pk != log["welcome"].pk
    assert (copy.kind, copy.recipient, copy.subject, copy.body, copy.status) == (
        "accounts.welcome",
        "sarah@acme.example",
        "accounts.welcome for sarah@acme.example",
        "Body",
        "logged",
    )
    assert [m.to for m in mail.outbox].count(["sarah@acme.example"]) == 2
    event = AuditEvent.objects.get(kind="notification.resent")
    assert event.detail["resent_from"] == log["welcome"].pk


def test_a_delivered_one_time_link_is_never_sent_again(cast: Cast, log: Any) -> None:
    response = api(cast.company_admin).post(f"/api/v1/notifications/{log['link'].pk}/resend")
    assert (response.status_code, response.json()["code"]) == (409, "not_resendable")
    assert "one-time link" in response.json()["message"]
    assert NotificationLog.objects.filter(kind="accounts.password_link").count() == 1


def test_a_failed_one_time_link_is_resent_only_while_it_may_still_work(
    cast: Cast, log: Any
) -> None:
    NotificationLog.objects.filter(pk=log["link"].pk).update(status="failed", error="550")
    client = api(cast.company_admin)
    later = timezone.now() + SECRET_RESEND_WINDOW + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        old = client.post(f"/api/v1/notifications/{log['link'].pk}/retry")
        assert (old.status_code, old.json()["code"]) == (409, "not_resendable")
        assert client.post(f"/api/v1/notifications/{log['link'].pk}/resend").status_code == 409
    fresh = client.post(f"/api/v1/notifications/{log['link'].pk}/resend")
    assert fresh.status_code == 200 and fresh.json()["status"] == "queued"
    assert fresh.json()["id"] == log["link"].pk  # a failed message is queued again in place


def test_resend_refusals(cast: Cast, log: Any) -> None:
    read_only = api(cast.read_only_admin).post(f"/api/v1/notifications/{log['welcome'].pk}/resend")
    assert read_only.status_code == 403
    outsider = api(cast.outsider_admin).post(f"/api/v1/notifications/{log['welcome'].pk}/resend")
    assert outsider.status_code == 404
    pending = write(cast, "accounts.welcome", "zed@acme.example")
    busy = api(cast.company_admin).post(f"/api/v1/notifications/{pending.pk}/resend")
    assert (busy.status_code, busy.json()["code"]) == (409, "not_resendable")


def test_the_log_page_shows_the_template_and_offers_resend_where_it_may(
    cast: Cast, log: Any, client: Client
) -> None:
    client.force_login(cast.company_admin)
    page = client.get("/notifications/", {"q": "ann@acme.example"}).content.decode()
    assert "accounts.password_link" in page and "Resend" not in page.split("<tbody>")[1]
    page = client.get("/notifications/", {"kind": "accounts.welcome"}).content.decode()
    assert "Template" in page and "Resend</button>" in page
    with after_commit():
        response = client.post(f"/notifications/{log['welcome'].pk}/retry/", follow=True)
    assert "was queued again" in response.content.decode()
    assert NotificationLog.objects.filter(recipient="sarah@acme.example").count() == 2
