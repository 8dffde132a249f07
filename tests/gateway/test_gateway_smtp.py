"""The email-to-fax gateway over real SMTP: smtplib talks to the gateway's aiosmtpd server on
loopback, the message is kept before the 250, the task worker (run in this process) makes the
jobs or refuses, and the notifications reach a real SMTP listener (or the test backend)."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
from django.core import mail

from faxing.jobs_support import give_number, transport
from faxline.accounts.access import Actor
from faxline.accounts.services.settings import settings_update
from faxline.core.vault import vault_read
from faxline.faxing.jobs.dispatcher import dispatch_due
from faxline.faxing.models import FaxJob, FaxJobSource, FaxJobStatus
from faxline.gateway.choices import MessageStatus
from faxline.gateway.models import GatewayMessage
from faxline.gateway.server import GatewayController
from faxline.notify.models import NotificationLog
from gateway.gateway_support import Inbox, a_pdf, email_to_fax, free_port, send, wire
from selfsigned import self_signed

from cast import Cast

pytestmark = pytest.mark.django_db(transaction=True)

TO = ["+16175559876", "+16175559877"]


@pytest.fixture
def sender(cast: Cast):
    user = cast.billing_user
    give_number(user)
    assert user.sending_email == user.email == "bill@acme.example"
    return user


def set_tab(cast: Cast, user: Any, tab: str, **values: Any) -> None:
    settings_update(actor=Actor(user=cast.company_admin), owner=user, tab=tab, values=values)


def initial_notifications() -> list[NotificationLog]:
    return list(NotificationLog.objects.filter(kind__startswith="gateway.").order_by("pk"))


def test_an_authorized_senders_pdf_to_two_numbers_makes_two_jobs_that_are_sent(
    sender: Any, gateway: GatewayController, inbox: Inbox, run_tasks: Any
) -> None:
    pdf = a_pdf("Confidential lab results")
    message = email_to_fax(
        "Bill <bill@acme.example>", ["1-617-555-9876", "6175559877"], body="Two pages", pdf=pdf
    )
    refused = send(
        gateway,
        message,
        mail_from="bill@acme.example",
        to=["1-617-555-9876@fax.localhost", "+1617.555.9877@FAX.localhost"],
    )
    assert refused == {}
    # Kept before the 250: the row and the encrypted raw message, not yet processed.
    (kept,) = GatewayMessage.objects.all()
    assert kept.status == MessageStatus.RECEIVED
    assert kept.recipients == TO
    assert kept.mail_from == "bill@acme.example" and kept.peer_ip == "127.0.0.1"
    assert kept.message_id == message["Message-ID"] and kept.size > len(pdf)
    assert vault_read(kept.raw_vault_name) == wire(message)

    run_tasks()
    kept.refresh_from_db()
    assert kept.status == MessageStatus.DONE
    jobs = list(FaxJob.objects.order_by("to_number"))
    assert [j.to_number for j in jobs] == TO
    assert {(j.source, j.reply_to, j.sender_id) for j in jobs} == {
        (FaxJobSource.EMAIL, "bill@acme.example", sender.pk)
    }
    assert all(j.cover for j in jobs)  # Automatic Coverpages: the body is the comments
    assert sorted(kept.job_identifiers) == sorted(j.identifier for j in jobs)
    assert kept.user_id == sender.pk and kept.company_id == sender.company_id

    # The Initial Notification (Success) reached the SMTP listener: the job identifiers,
    # nothing of the fax (no subject, no document, no body).
    (note,) = initial_notifications()
    assert note.kind == "gateway.initial_success" and note.recipient == "bill@acme.example"
    assert note.status == "sent"
    ((_from, rcpts, content),) = inbox.messages
    text = " ".join(content.decode().split())
    assert rcpts == ["bill@acme.example"]
    assert "Email to Fax Initial Notification (Success)" in text
    assert "attempt to deliver the fax shortly" in text
    for job in jobs:
        assert job.identifier in text
    assert "Lab results" not in text and "Two pages" not in text and "%PDF" not in text

    assert dispatch_due(transport()) == 2
    assert set(FaxJob.objects.values_list("status", flat=True)) == {FaxJobStatus.SUCCESS}


def test_an_unauthorized_sender_is_told_at_most_three_times_an_hour_and_no_job_is_made(
    cast: Cast, gateway: GatewayController, run_tasks: Any
) -> None:
    for n in range(5):
        message = email_to_fax(
            "mallory@evil.example", ["6175559876"], pdf=a_pdf(), message_id=f"<spam{n}@evil>"
        )
        send(gateway, message, mail_from="mallory@evil.example", to=["6175559876@fax.localhost"])
        run_tasks()
    assert FaxJob.objects.count() == 0
    assert set(GatewayMessage.objects.values_list("status", "outcome_name")) == {
        (MessageStatus.REFUSED, "Unauthorized Sending Address")
    }
    told = [m for m in mail.outbox if m.to == ["mallory@evil.example"]]
    assert len(told) == 3
    assert "Unauthorized Sending Address" in told[0].subject
    assert "not registered" in told[0].body
    assert GatewayMessage.objects.filter(notified=True).count() == 3


def test_a_locked_user_is_an_unauthorized_sender(
    cast: Cast, sender: Any, gateway: GatewayController, run_tasks: Any
) -> None:
    sender.is_locked = True
    sender.save(update_fields=["is_locked"])
    send(
        gateway,
        email_to_fax("bill@acme.example", ["6175559876"], pdf=a_pdf()),
        mail_from="bill@acme.example",
        to=["6175559876@fax.localhost"],
    )
    run_tasks()
    (message,) = GatewayMessage.objects.all()
    assert message.outcome_code == "unauthorized_sender"
    assert FaxJob.objects.count() == 0


def test_no_attachment_and_no_body_is_no_attachment(
    cast: Cast, sender: Any, gateway: GatewayController, run_tasks: Any
) -> None:
    send(
        gateway,
        email_to_fax("bill@acme.example", ["6175559876"], subject="", body=""),
        mail_from="bill@acme.example",
        to=["6175559876@fax.localhost"],
    )
    run_tasks()
    (message,) = GatewayMessage.objects.all()
    assert (message.status, message.outcome_name) == (MessageStatus.REFUSED, "No Attachment")
    assert FaxJob.objects.count() == 0
    (told,) = mail.outbox
    assert told.subject == "Email to Fax Initial Notification (Failure): No Attachment"
    assert "Fax numbers addressed: +16175559876" in told.body
    assert "Lab results" not in told.body


def test_the_initial_failure_follows_the_notifications_tab(
    cast: Cast, sender: Any, gateway: GatewayController, run_tasks: Any
) -> None:
    set_tab(cast, sender, "notifications", initial_failure=False)
    send(
        gateway,
        email_to_fax("bill@acme.example", ["6175559876"], body=""),
        mail_from="bill@acme.example",
        to=["6175559876@fax.localhost"],
    )
    run_tasks()
    assert GatewayMessage.objects.get().outcome_name == "No Attachment"
    assert mail.outbox == []


def test_a_retried_delivery_of_the_same_message_makes_no_second_job(
    sender: Any, gateway: GatewayController, run_tasks: Any
) -> None:
    message = email_to_fax("bill@acme.example", ["6175559876"], pdf=a_pdf(), message_id="<once@x>")
    for _ in range(2):
        refused = send(
            gateway, message, mail_from="Bill@ACME.example", to=["6175559876@fax.localhost"]
        )
        assert refused == {}
        run_tasks()
    assert GatewayMessage.objects.count() == 1
    assert FaxJob.objects.count() == 1


def test_with_body_text_adds_a_cover_only_for_a_body(
    cast: Cast, sender: Any, gateway: GatewayController, run_tasks: Any
) -> None:
    set_tab(cast, sender, "coverpage", mode="with_body_text")
    for n, body in enumerate(["", "Please call me back."]):
        send(
            gateway,
            email_to_fax(
                "bill@acme.example", ["6175559876"], body=body, pdf=a_pdf(), message_id=f"<c{n}@x>"
            ),
            mail_from="bill@acme.example",
            to=["6175559876@fax.localhost"],
        )
    run_tasks()
    assert list(FaxJob.objects.order_by("pk").values_list("cover", "pages")) == [
        (False, 1),
        (True, 2),
    ]


def test_on_demand_asks_for_a_cover_with_the_subject(
    cast: Cast, sender: Any, gateway: GatewayController, run_tasks: Any
) -> None:
    set_tab(cast, sender, "coverpage", mode="on_demand")
    for n, subject in enumerate(["Results", "Cover: Results"]):
        send(
            gateway,
            email_to_fax(
                "bill@acme.example",
                ["6175559876"],
                subject=subject,
                body="Hi",
                pdf=a_pdf(),
                message_id=f"<d{n}@x>",
            ),
            mail_from="bill@acme.example",
            to=["6175559876@fax.localhost"],
        )
    run_tasks()
    assert list(FaxJob.objects.order_by("pk").values_list("cover", flat=True)) == [False, True]


def test_rcpt_refuses_another_domain_and_a_malformed_number(gateway: GatewayController) -> None:
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.ehlo("client.test")
        client.mail("bill@acme.example")
        code, text = client.rcpt("6175559876@example.com")
        assert code == 550 and b"5.7.1" in text and b"Relaying denied" in text
        code, text = client.rcpt("call-me@fax.localhost")
        assert code == 553 and b"5.1.3" in text
        code, text = client.rcpt("12345@fax.localhost")
        assert code == 553 and b"Invalid Fax Number" in text
        code, _ = client.rcpt("+1 617 555 9876@fax.localhost")
        assert code != 250
        code, _ = client.rcpt("617.555.9876@fax.localhost")
        assert code == 250


def test_size_is_advertised_and_enforced(settings: Any, transactional_db: None) -> None:
    settings.FAXLINE_SMTPD_MAX_BYTES = 64 * 1024
    controller = GatewayController(host="127.0.0.1", port=free_port())
    controller.start()
    try:
        big = email_to_fax("bill@acme.example", ["6175559876"], pdf=b"%PDF-1.4\n" + b"x" * 100_000)
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=30) as client:
            client.ehlo("client.test")
            assert client.has_extn("size") and client.esmtp_features["size"] == str(64 * 1024)
            # Announced too big: refused at MAIL FROM.
            with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                client.sendmail("bill@acme.example", ["6175559876@fax.localhost"], wire(big))
            assert refused.value.smtp_code == 552
            # Not announced: refused at the end of DATA.
            client.rset()
            client.mail("bill@acme.example")
            client.rcpt("6175559876@fax.localhost")
            code, _ = client.data(wire(big))
            assert code == 552
    finally:
        controller.stop()
    assert GatewayMessage.objects.count() == 0


def a_certificate(settings: Any, tmp_path: Any) -> None:
    """A self-signed certificate for fax.localhost, configured as the gateway's."""
    cert, key = self_signed(tmp_path, host="fax.localhost")
    settings.FAXLINE_SMTPD_TLS_CERT = str(cert)
    settings.FAXLINE_SMTPD_TLS_KEY = str(key)


def test_starttls_is_offered_with_a_certificate(settings: Any, tmp_path: Any) -> None:
    a_certificate(settings, tmp_path)
    controller = GatewayController(host="127.0.0.1", port=free_port())
    controller.start()
    try:
        import ssl

        context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        context.check_hostname = False
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=30) as client:
            client.ehlo("client.test")
            assert client.has_extn("starttls")
            code, _ = client.starttls(context=context)
            assert code == 220
            client.ehlo("client.test")
            client.mail("bill@acme.example")
            code, _ = client.rcpt("6175559876@fax.localhost")
            assert code == 250
    finally:
        controller.stop()


def test_with_tls_required_mail_waits_for_starttls(settings: Any, tmp_path: Any) -> None:
    import ssl

    a_certificate(settings, tmp_path)
    settings.FAXLINE_SMTPD_REQUIRE_TLS = True
    controller = GatewayController(host="127.0.0.1", port=free_port())
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=30) as client:
            client.ehlo("client.test")
            code, _ = client.mail("bill@acme.example")
            assert code == 530  # must issue STARTTLS first
        context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        context.check_hostname = False
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=30) as client:
            client.ehlo("client.test")
            assert client.starttls(context=context)[0] == 220
            client.ehlo("client.test")
            assert client.mail("bill@acme.example")[0] == 250
    finally:
        controller.stop()
