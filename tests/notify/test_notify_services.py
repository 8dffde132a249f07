"""The notification service, the worked example of work after commit: the row is written
inside the caller's transaction, the delivery task is enqueued once it commits, and the task
worker sends (here: the database backend's worker, run in-process by ``run_tasks``).

Without an SMTP server (locmem / console backends) messages end ``logged``; with a real SMTP
server (aiosmtpd on loopback) they end ``sent``; a server that refuses for good leaves them
``failed`` at once; one that is down or answers 4xx leaves them ``retrying`` with backoff,
then ``failed`` after the last attempt. Nothing ever raises into the caller.
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
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from faxline.accounts.access import Actor
from faxline.core.errors import Conflict, Forbidden
from faxline.core.models import AuditEvent
from faxline.notify.choices import NotificationStatus
from faxline.notify.models import NotificationLog
from faxline.notify.services import (
    LOST_NUDGE,
    RETRY,
    STALE_CLAIM,
    notification_deliver,
    notification_retry,
    notifications_deliver_pending,
    notify_email,
    render_email,
)
from faxline.notify.tasks import deliver

from cast import Cast

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping what it receives; refuses recipients at refused.test for
    good (550) and at busy.test for now (451)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.busy = True

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.endswith("@refused.test"):
            return "550 5.1.1 No such mailbox"
        if address.endswith("@busy.test") and self.busy:
            return "451 4.3.0 Try again later"
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


def nudges() -> list[DBTaskResult]:
    """The delivery tasks waiting in the database backend's queue."""
    return list(
        DBTaskResult.objects.filter(task_path=deliver.module_path, status="READY").order_by(
            "enqueued_at"
        )
    )


def test_commit_enqueues_the_task_and_the_worker_sends(
    cast: Cast, django_capture_on_commit_callbacks: Any, run_tasks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify_email(
            kind="test.hello",
            to="someone@example.com",
            subject="Hello",
            body="Body text",
            company=cast.company,
            related="Acme",
        )
        assert nudges() == []  # nothing before commit
    # Committed: the row is queued and its nudge waits for the worker; nothing was sent.
    row.refresh_from_db()
    assert row.status == NotificationStatus.QUEUED
    (task,) = nudges()
    assert task.args_kwargs == {"args": [row.pk], "kwargs": {}}
    assert mail.outbox == []

    assert run_tasks() == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.LOGGED
    assert row.attempts == 1 and row.sent_at is None and row.claimed_at is None
    assert row.company == cast.company and row.related_label == "Acme"
    # The test backend (locmem) got it too: logged, never dropped.
    assert [m.subject for m in mail.outbox] == ["Hello"]
    assert mail.outbox[0].to == ["someone@example.com"]
    task = DBTaskResult.objects.get(pk=task.pk)
    assert task.status == "SUCCESSFUL" and task.return_value == "logged"


def test_the_task_is_idempotent(db: None, after_commit: Any) -> None:
    with after_commit():
        (row,) = notify_email(kind="test.once", to="a@example.com", subject="S", body="B")
    # A duplicate nudge (a sweep, a retried enqueue) finds the message settled.
    assert deliver.call(row.pk) == "skipped"
    assert notification_deliver(notification_id=row.pk) is None
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_queued_until_commit(cast: Cast) -> None:
    # Inside the test transaction nothing is sent: the row waits, queued.
    (row,) = notify_email(kind="test.wait", to="a@example.com", subject="S", body="B")
    assert row.status == NotificationStatus.QUEUED
    assert mail.outbox == []
    assert nudges() == []


def test_nothing_recorded_or_enqueued_when_the_caller_rolls_back(
    cast: Cast, after_commit: Any
) -> None:
    with after_commit():
        try:
            with transaction.atomic():
                notify_email(kind="test.rollback", to="a@example.com", subject="S", body="B")
                raise RuntimeError("caller fails")
        except RuntimeError:
            pass
    assert not NotificationLog.objects.filter(kind="test.rollback").exists()
    assert nudges() == [] and mail.outbox == []


def test_console_backend_logs(db: None, settings: Any, after_commit: Any, capsys: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    with after_commit():
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


def test_sent_through_a_real_smtp_server(db: None, smtp_server: Inbox, after_commit: Any) -> None:
    with after_commit():
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
    # Written by a machine (RFC 3834): auto-responders and email-to-fax gateways do not answer.
    assert b"Auto-Submitted: auto-generated" in content


def test_a_permanent_refusal_fails_at_once(db: None, smtp_server: Inbox, after_commit: Any) -> None:
    with after_commit():
        (row,) = notify_email(kind="test.refused", to="ghost@refused.test", subject="S", body="B")
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert "550" in row.error
    assert row.attempts == 1 and row.next_attempt_at is None
    assert smtp_server.messages == []
    assert nudges() == []  # no retry for a 5xx


def test_an_unreachable_server_is_retried_with_backoff_then_fails(
    cast: Cast, settings: Any, after_commit: Any, run_tasks: Any, client: Client
) -> None:
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with after_commit():
            (row,) = notify_email(
                kind="test.down", to="a@example.com", subject="S", body="B", company=cast.company
            )
        row.refresh_from_db()
        assert row.status == NotificationStatus.RETRYING
        assert row.attempts == 1
        assert "Connection" in row.error or "refused" in row.error.lower()
        assert row.next_attempt_at == start + timedelta(minutes=1)
        (retry,) = nudges()
        assert retry.run_after == row.next_attempt_at  # the nudge waits for the backoff
        assert run_tasks() == 0  # not due yet
    waits = []
    moment = start
    for attempt in range(2, RETRY.max_attempts + 1):
        assert row.next_attempt_at is not None
        waits.append(row.next_attempt_at - moment)
        moment = row.next_attempt_at
        with time_machine.travel(moment, tick=False):
            assert run_tasks() == 1
        row.refresh_from_db()
        assert row.attempts == attempt
    assert waits == RETRY.schedule()[: len(waits)]
    assert [w.total_seconds() / 60 for w in RETRY.schedule()] == [1, 3, 9, 27, 81]
    assert row.status == NotificationStatus.FAILED
    assert row.error.startswith(f"Gave up after {RETRY.max_attempts} attempts.")
    assert row.next_attempt_at is None and nudges() == []
    # The reason is visible in the log page and the API.
    client.force_login(cast.company_admin)
    page = client.get("/notifications/", {"status": "failed"}).content.decode()
    assert "Gave up after 6 attempts" in page and "Resend" in page


def test_a_temporary_refusal_is_retried_and_then_sent(
    db: None, smtp_server: Inbox, after_commit: Any, run_tasks: Any
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False), after_commit():
        (row,) = notify_email(kind="test.busy", to="a@busy.test", subject="S", body="B")
    row.refresh_from_db()
    assert row.status == NotificationStatus.RETRYING and "451" in row.error
    smtp_server.busy = False
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert run_tasks() == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.attempts == 2 and row.error == ""


def test_resend_after_failure(
    cast: Cast, settings: Any, smtp_server: Inbox, after_commit: Any
) -> None:
    with after_commit():
        (row,) = notify_email(
            kind="test.retry", to="ghost@refused.test", subject="S", body="B", company=cast.company
        )
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    NotificationLog.objects.filter(pk=row.pk).update(recipient="a@example.com")
    row.refresh_from_db()
    admin = Actor(user=cast.company_admin)
    with after_commit():
        queued = notification_retry(actor=admin, notification=row)
        assert queued.status == NotificationStatus.QUEUED and queued.attempts == 0
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.attempts == 1
    assert AuditEvent.objects.filter(kind="notification.retried").count() == 1
    with pytest.raises(Conflict):
        notification_retry(actor=admin, notification=row)
    with pytest.raises(Forbidden):
        notification_retry(actor=Actor(user=cast.billing_user), notification=row)


def test_a_lost_nudge_is_sent_again_by_the_sweep(db: None, run_tasks: Any) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        # The process "stopped" before its commit hooks ran: queued, and no task enqueued.
        (row,) = notify_email(kind="test.stuck", to="a@example.com", subject="S", body="B")
        assert notifications_deliver_pending() == 0  # not overdue yet
    with time_machine.travel(start + LOST_NUDGE + timedelta(seconds=1), tick=False):
        assert notifications_deliver_pending() == 1
        assert notifications_deliver_pending() == 0  # nudged once, not on every sweep
        assert len(nudges()) == 1
        assert run_tasks() == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.LOGGED
    assert len(mail.outbox) == 1


def test_a_stale_claim_is_released_and_delivered(db: None, run_tasks: Any) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        (row,) = notify_email(kind="test.crash", to="a@example.com", subject="S", body="B")
        # A worker claimed it, then died before recording any outcome.
        NotificationLog.objects.filter(pk=row.pk).update(
            status=NotificationStatus.SENDING, claimed_at=start, attempts=1
        )
        assert notifications_deliver_pending() == 0
    with time_machine.travel(start + STALE_CLAIM + timedelta(seconds=1), tick=False):
        assert notifications_deliver_pending() == 1  # released, due again, nudged
        row.refresh_from_db()
        assert row.status == NotificationStatus.RETRYING and "stopped" in row.error
        assert run_tasks() == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.LOGGED and row.attempts == 2


def test_render_email_template(db: None) -> None:
    subject, body = render_email(
        "onboarding/email/request_to_activate.txt",
        {"company": {"name": "Acme & Sons"}, "link": "http://portal/x"},
    )
    assert subject == "Activate your faxline service"
    assert "Acme & Sons" in body  # text email: no HTML escaping
    assert "http://portal/x" in body
