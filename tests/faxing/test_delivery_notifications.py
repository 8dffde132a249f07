"""The Email to Fax Delivery Notification: an email-sourced job that ends is told to the
address it came from, per the sender's Notifications tab, through the notification log and
its worker; no document or cover text unless the company opts in, then the fax as a PDF.

Jobs run through the dispatcher with the sandbox PSTN (test numbers: 0102 rings and nobody
answers, "No Answer"; 0105 is intercepted, "Sit-Tone / Operator Msg"); messages go through
a real SMTP server (aiosmtpd on loopback) where the test reads what was sent.
"""

from __future__ import annotations

import email
import io
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from pypdf import PdfReader

from faxing.jobs_support import REMOTE, give_number, note, on_demand_covers, transport
from faxline.accounts.access import Actor
from faxline.accounts.services.settings import settings_update
from faxline.faxing.jobs.dispatcher import RetryPolicy, dispatch_due
from faxline.faxing.jobs.send import CoverRequest, fax_send
from faxline.faxing.jobs.services import fax_cancel
from faxline.faxing.models import FaxJob, FaxJobSource
from faxline.notify import services as notify_services
from faxline.notify.models import NotificationLog

from cast import Cast

SENDER_ADDRESS = "bill.sender@acme.example"
COVER_SECRET = "Biopsy results for patient Jane Roe"
ONE_DIAL = RetryPolicy(max_dials=1)


class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def sender(cast: Cast):
    give_number(cast.billing_user)
    on_demand_covers(cast, cast.billing_user)
    return cast.billing_user


def by_email(user, to=REMOTE, *, cover: bool = False, source=FaxJobSource.EMAIL) -> FaxJob:
    (job,) = fax_send(
        actor=Actor(user=user),
        to=[to],
        files=[note()],
        cover=CoverRequest(True, subject="Results", comments=COVER_SECRET) if cover else None,
        source=source,
        reply_to=SENDER_ADDRESS,
    )
    return job


def run(after_commit: Any, policy: RetryPolicy | None = None) -> None:
    """One dispatcher pass, then the tasks its commits enqueued (the emails)."""
    with after_commit():
        dispatch_due(transport(), policy=policy)


def notices() -> list[NotificationLog]:
    return list(NotificationLog.objects.filter(kind__startswith="fax.delivery").order_by("pk"))


def body_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("no text part")


def attachments_of(message: Message) -> list[tuple[str, str, bytes]]:
    found = []
    for part in message.walk():
        if part.get_filename():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found.append((part.get_filename() or "", part.get_content_type(), payload))
    return found


def test_a_delivered_fax_is_told_to_the_sender_with_a_link_and_no_phi(
    cast: Cast, sender, smtp: Inbox, after_commit: Any
) -> None:
    settings_update(
        actor=Actor(user=cast.company_admin),
        owner=sender,
        tab="custom",
        values={"time_zone": "UTC", "date_format": "yyyy-MM-dd", "time_format": "HH:mm"},
    )
    job = by_email(sender, cover=True)
    run(after_commit)
    job.refresh_from_db()
    assert job.status == "success" and job.pages == 2
    (row,) = notices()
    assert (row.kind, row.recipient, row.status) == ("fax.delivery_success", SENDER_ADDRESS, "sent")
    assert row.company_id == cast.company.pk and row.attachments == []
    (message,) = smtp.messages
    assert message["To"] == SENDER_ADDRESS
    assert message["Subject"] == f"Fax delivered: {job.identifier} to {REMOTE}"
    text = body_of(message)
    assert f"Your fax {job.identifier} to {REMOTE} (2 pages) was delivered" in text
    assert job.completed_at is not None
    assert f"on {job.completed_at:%Y-%m-%d %H:%M}." in text  # the sender's Custom tab format
    link = django_settings.FAXLINE_PORTAL_URL.rstrip("/") + f"/faxes/sent/{job.identifier}/"
    assert link in text
    # No PHI: neither the cover text nor the document, nothing attached.
    assert COVER_SECRET not in text and "figures" not in text.lower()
    assert attachments_of(message) == []


def test_no_answer_is_told_with_the_guides_name_and_what_to_do(
    sender, smtp: Inbox, after_commit: Any
) -> None:
    job = by_email(sender, to="+12125550102")
    run(after_commit, ONE_DIAL)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "No Answer")
    (row,) = notices()
    assert row.kind == "fax.delivery_failure" and row.status == "sent"
    (message,) = smtp.messages
    assert message["Subject"] == f"Fax not delivered: {job.identifier} to +12125550102 (No Answer)"
    text = body_of(message)
    assert "could not be delivered" in text
    assert "Error: No Answer" in text
    assert (
        "What to do: Check with the recipient that their fax machine is switched on and "
        "answers automatically." in text
    )


def test_a_retry_is_not_the_end_only_the_final_failure_is_told(sender, after_commit: Any) -> None:
    job = by_email(sender, to="+12125550102")
    run(after_commit)  # No Answer, tried again in five minutes
    job.refresh_from_db()
    assert job.status == "retrying"
    assert notices() == []


def test_a_busy_line_given_up_on_says_what_to_do_now_that_no_retry_is_left(
    sender, after_commit: Any
) -> None:
    job = by_email(sender, to="+12125550100")
    run(after_commit, ONE_DIAL)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "Busy")
    (row,) = notices()
    assert "Error: Busy" in row.body and "Send the fax again later" in row.body
    assert "tried again shortly" not in row.body


def test_a_cancelled_job_is_a_failure_named_job_cancelled(
    cast: Cast, sender, after_commit: Any
) -> None:
    job = by_email(sender)
    with after_commit():
        fax_cancel(actor=Actor(user=sender), job=job)
    (row,) = notices()
    assert row.kind == "fax.delivery_failure" and row.status == "logged"
    assert "Error: Job Cancelled" in row.body
    assert "Send it again if it is still needed" in row.body


@pytest.mark.parametrize(
    ("setting", "number"),
    [("delivery_success", REMOTE), ("delivery_failure", "+12125550105")],
)
def test_the_senders_setting_off_means_no_email(
    cast: Cast, sender, after_commit: Any, setting: str, number: str
) -> None:
    settings_update(
        actor=Actor(user=cast.company_admin),
        owner=sender,
        tab="notifications",
        values={setting: False},
    )
    job = by_email(sender, to=number)
    run(after_commit)
    job.refresh_from_db()
    assert job.status in ("success", "failed")
    assert notices() == []
    # The other outcome is still told.
    other = "+12125550105" if number == REMOTE else REMOTE
    by_email(sender, to=other)
    run(after_commit)
    assert len(notices()) == 1


def test_portal_and_api_jobs_are_not_told_by_email(sender, after_commit: Any) -> None:
    by_email(sender, source=FaxJobSource.API)
    by_email(sender, to="+16175550123", source=FaxJobSource.PORTAL)
    run(after_commit)
    assert FaxJob.objects.filter(status="success").count() == 2
    assert notices() == []


def test_a_company_that_opts_in_gets_the_fax_attached_as_a_pdf(
    cast: Cast, sender, smtp: Inbox, after_commit: Any
) -> None:
    settings_update(
        actor=Actor(user=cast.company_admin),
        owner=cast.company,
        tab="notifications",
        values={"attach_document": True},
    )
    job = by_email(sender, cover=True)
    run(after_commit)
    (row,) = notices()
    assert row.status == "sent", row.error
    ((name, content_type, data),) = attachments_of(smtp.messages[0])
    assert (name, content_type) == (f"fax-{job.identifier}.pdf", "application/pdf")
    assert len(PdfReader(io.BytesIO(data)).pages) == job.pages == 2  # cover and note
    assert "The fax is attached as a PDF." in body_of(smtp.messages[0])


def test_the_opt_in_is_the_companys_a_users_own_value_does_not_attach(
    cast: Cast, sender, after_commit: Any
) -> None:
    settings_update(
        actor=Actor(user=cast.company_admin),
        owner=sender,
        tab="notifications",
        values={"attach_document": True},
    )
    by_email(sender)
    run(after_commit)
    (row,) = notices()
    assert row.attachments == [] and "attached" not in row.body


def test_a_fax_too_large_to_attach_goes_as_the_link_alone(
    cast: Cast, sender, after_commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notify_services, "ATTACHMENTS_MAX_BYTES", 1000)
    settings_update(
        actor=Actor(user=cast.company_admin),
        owner=cast.company,
        tab="notifications",
        values={"attach_document": True},
    )
    job = by_email(sender)
    run(after_commit)
    (row,) = notices()
    assert row.status == "logged" and row.attachments == []
    assert "The fax is too large to attach: open it in the portal." in row.body
    assert f"/faxes/sent/{job.identifier}/" in row.body
