"""The notification service: always recorded, sent after commit, never silently dropped.

Without an SMTP server (locmem / console backends) messages end ``logged``; with a real SMTP
server (aiosmtpd on loopback) they end ``sent``; a refusing or absent server leaves them
``failed`` with the error, without raising into the caller.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import transaction
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.core.errors import Conflict, Forbidden
from faxline.core.models import AuditEvent
from faxline.notify.choices import NotificationStatus
from faxline.notify.models import NotificationLog
from faxline.notify.services import (
    notification_retry,
    notifications_deliver_pending,
    notify_email,
    render_email,
)

from cast import Cast

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping what it receives; refuses recipients at refused.test."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.endswith("@refused.test"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


def test_recorded_then_logged_without_smtp(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify_email(
            kind="test.hello",
            to="someone@example.com",
            subject="Hello",
            body="Body text",
            company=cast.company,
            related="Acme",
        )
    (row,) = rows
    row.refresh_from_db()
    assert row.status == NotificationStatus.LOGGED
    assert row.attempts == 1
    assert row.sent_at is None
    assert row.company == cast.company and row.related_label == "Acme"
    # The test backend (locmem) got it too: logged, never dropped.
    assert [m.subject for m in mail.outbox] == ["Hello"]
    assert mail.outbox[0].to == ["someone@example.com"]


def test_queued_until_commit(cast: Cast) -> None:
    # Inside the test transaction nothing is sent: the row waits, queued.
    (row,) = notify_email(kind="test.wait", to="a@example.com", subject="S", body="B")
    assert row.status == NotificationStatus.QUEUED
    assert mail.outbox == []


def test_nothing_recorded_when_the_caller_rolls_back(cast: Cast) -> None:
    try:
        with transaction.atomic():
            notify_email(kind="test.rollback", to="a@example.com", subject="S", body="B")
            raise RuntimeError("caller fails")
    except RuntimeError:
        pass
    assert not NotificationLog.objects.filter(kind="test.rollback").exists()


def test_console_backend_logs(
    db: None, settings: Any, django_capture_on_commit_callbacks: Any, capsys: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify_email(kind="test.console", to="a@example.com", subject="Console", body="B")
    row.refresh_from_db()
    assert row.status == NotificationStatus.LOGGED
    assert "Subject: Console" in capsys.readouterr().out


def test_no_recipient_and_bad_address_recorded_as_failed(db: None) -> None:
    (nobody,) = notify_email(kind="test.nobody", to=[], subject="S", body="B")
    assert nobody.status == NotificationStatus.FAILED
    assert "No recipient" in nobody.error
    bad, good = notify_email(
        kind="test.bad",
        to=["not an address", "ok@example.com", "OK@example.com"],
        subject="S",
        body="B",
    )
    assert bad.status == NotificationStatus.FAILED and "not a valid email address" in bad.error
    assert good.status == NotificationStatus.QUEUED  # the duplicate was folded


def test_sent_through_a_real_smtp_server(
    db: None, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify_email(
            kind="test.smtp", to="carol@acme.example", subject="Your number", body="+12065550123\n"
        )
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT, row.error
    assert row.sent_at is not None and row.error == ""
    ((_sender, recipients, content),) = smtp_server.messages
    assert recipients == ["carol@acme.example"]
    assert b"Subject: Your number" in content
    assert b"+12065550123" in content


def test_smtp_refusal_recorded_as_failed_without_raising(
    db: None, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify_email(kind="test.refused", to="ghost@refused.test", subject="S", body="B")
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "550" in row.error or "Refused" in row.error
    assert smtp_server.messages == []


def test_unreachable_smtp_server_fails_visibly(
    db: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify_email(kind="test.down", to="a@example.com", subject="S", body="B")
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "Connection" in row.error or "refused" in row.error.lower()
    assert row.attempts == 1


def test_retry_after_failure(
    cast: Cast, settings: Any, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify_email(
            kind="test.retry", to="a@example.com", subject="S", body="B", company=cast.company
        )
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    settings.EMAIL_PORT = port
    admin = Actor(user=cast.company_admin)
    with django_capture_on_commit_callbacks(execute=True):
        notification_retry(actor=admin, notification=row)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.attempts == 2
    assert AuditEvent.objects.filter(kind="notification.retried").count() == 1
    with pytest.raises(Conflict):
        notification_retry(actor=admin, notification=row)
    with pytest.raises(Forbidden):
        notification_retry(actor=Actor(user=cast.billing_user), notification=row)


def test_left_behind_messages_are_delivered_later(db: None) -> None:
    with time_machine.travel(timezone.now() - timedelta(minutes=5)):
        (row,) = notify_email(kind="test.stuck", to="a@example.com", subject="S", body="B")
    assert row.status == NotificationStatus.QUEUED  # the process "crashed" before commit hooks
    assert notifications_deliver_pending() == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.LOGGED
    assert notifications_deliver_pending() == 0


def test_render_email_template(db: None) -> None:
    subject, body = render_email(
        "onboarding/email/request_to_activate.txt",
        {"company": {"name": "Acme & Sons"}, "link": "http://portal/x"},
    )
    assert subject == "Activate your faxline service"
    assert "Acme & Sons" in body  # text email: no HTML escaping
    assert "http://portal/x" in body
