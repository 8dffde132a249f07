"""The gateway is no spam cannon, over real SMTP: forged sender addresses get at most a few
"Unauthorized Sending Address" notices each and all together at most the platform-wide cap
per hour; a null sender, an automatic reply and an address of faxline's own get none; the
SMTP server refuses a connection beyond its limit with 421."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import smtplib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django.test import Client

from faxing.jobs_support import give_number
from faxline.accounts.access import Actor
from faxline.accounts.services.api_keys import api_key_create
from faxline.faxing.models import FaxJob
from faxline.gateway.choices import MessageStatus, NoticeWithheld
from faxline.gateway.models import GatewayMessage, RefusalNoticeWindow
from faxline.gateway.server import GatewayController
from faxline.gateway.services import message_process
from gateway.gateway_support import a_pdf, email_to_fax, free_port, send, wire

from cast import Cast

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "6175559876@fax.localhost"


def forged(gateway: GatewayController, address: str, tag: str, **headers: str) -> None:
    """An email to fax from ``address`` (From and envelope), which is no registered sender."""
    message = email_to_fax(address, ["6175559876"], pdf=a_pdf(), message_id=f"<{tag}@forged>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    send(gateway, message, mail_from=address, to=[NUMBER])


def told() -> list[str]:
    """The addresses the Initial Notification (Failure) went to, in order."""
    return [m.to[0] for m in mail.outbox if "Initial Notification (Failure)" in m.subject]


def withheld() -> dict[str, str]:
    return dict(GatewayMessage.objects.values_list("mail_from", "notice_withheld"))


def test_the_platform_wide_cap_holds_across_many_forged_addresses(
    cast: Cast, settings: Any, gateway: GatewayController, run_tasks: Any
) -> None:
    settings.FAXLINE_GATEWAY_REFUSAL_NOTICES_PER_HOUR_TOTAL = 4
    victims = [f"victim{n}@elsewhere.example" for n in range(10)]
    for n, address in enumerate(victims):
        forged(gateway, address, f"v{n}")
    run_tasks()
    assert FaxJob.objects.count() == 0
    assert set(GatewayMessage.objects.values_list("status", "outcome_name")) == {
        (MessageStatus.REFUSED, "Unauthorized Sending Address")
    }
    assert len(told()) == 4 and len(set(told())) == 4
    notified = set(GatewayMessage.objects.filter(notified=True).values_list("mail_from", flat=True))
    assert notified == set(told())
    reasons = withheld()
    assert (
        sorted(reasons[a] for a in victims if a not in notified)
        == [NoticeWithheld.PLATFORM_LIMIT] * 6
    )
    assert all(reasons[a] == "" for a in notified)
    total = RefusalNoticeWindow.objects.get(address=RefusalNoticeWindow.ALL_UNREGISTERED)
    assert total.sent == 4
    # An address the cap turned away spent nothing of its own limit.
    turned_away = [a for a in victims if a not in notified]
    assert not RefusalNoticeWindow.objects.filter(address__in=turned_away, sent__gt=0).exists()

    # The administrators see why: the API and the Email to fax log page.
    secret = api_key_create(actor=Actor(user=cast.operator), name="t").secret
    body = json.loads(
        Client()
        .get("/api/v1/gateway/messages?limit=50", HTTP_AUTHORIZATION=f"Bearer {secret}")
        .content
    )
    item = next(i for i in body["items"] if i["mail_from"] == turned_away[0])
    assert (item["notified"], item["notice_withheld"]) == (False, "platform_limit")
    assert "platform-wide hourly limit" in item["notice_withheld_reason"]
    client = Client()
    client.force_login(cast.operator)
    page = client.get("/email-to-fax/").content.decode()
    assert "Notice not sent: the platform-wide hourly limit of notices to unregistered" in page


def test_one_noisy_address_does_not_use_up_the_platform_cap(
    settings: Any, gateway: GatewayController, run_tasks: Any
) -> None:
    settings.FAXLINE_GATEWAY_REFUSAL_NOTICES_PER_HOUR_TOTAL = 4
    for n in range(8):
        forged(gateway, "mallory@evil.example", f"m{n}")
    forged(gateway, "other@elsewhere.example", "o1")
    run_tasks()
    assert told().count("mallory@evil.example") == 3
    assert "other@elsewhere.example" in told()
    assert set(
        GatewayMessage.objects.filter(mail_from="mallory@evil.example", notified=False)
        .values_list("notice_withheld", flat=True)
        .distinct()
    ) == {NoticeWithheld.ADDRESS_LIMIT}
    total = RefusalNoticeWindow.objects.get(address=RefusalNoticeWindow.ALL_UNREGISTERED)
    assert total.sent == 4


def test_the_cap_holds_when_workers_refuse_at_the_same_time(
    settings: Any, gateway: GatewayController, run_tasks: Any
) -> None:
    """Four workers (threads, each with its own database connection) refuse sixteen forged
    messages at once: the compare-and-set on the shared row lets exactly the cap through."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers run against PostgreSQL (SQLite's writers take turns)")
    settings.FAXLINE_GATEWAY_REFUSAL_NOTICES_PER_HOUR_TOTAL = 5
    for n in range(16):
        forged(gateway, f"victim{n}@elsewhere.example", f"c{n}")
    pks = list(GatewayMessage.objects.order_by("pk").values_list("pk", flat=True))
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(share: list[int]) -> None:
        try:
            start.wait(timeout=30)
            for pk in share:
                message_process(message_id=pk)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(pks[n::4],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert set(GatewayMessage.objects.values_list("status", flat=True)) == {MessageStatus.REFUSED}
    run_tasks()
    assert len(told()) == 5
    assert GatewayMessage.objects.filter(notified=True).count() == 5
    assert (
        GatewayMessage.objects.filter(notice_withheld=NoticeWithheld.PLATFORM_LIMIT).count() == 11
    )
    total = RefusalNoticeWindow.objects.get(address=RefusalNoticeWindow.ALL_UNREGISTERED)
    assert total.sent == 5


@pytest.fixture
def hour() -> Iterator[dt.datetime]:
    """A clock hour ahead of now (the messages must be due when the worker runs)."""
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    yield start + dt.timedelta(days=30)


def test_the_top_of_the_hour_does_not_double_the_limits(
    settings: Any, gateway: GatewayController, run_tasks: Any, hour: dt.datetime
) -> None:
    settings.FAXLINE_GATEWAY_REFUSAL_NOTICES_PER_HOUR_TOTAL = 5
    tags = itertools.count()

    def at(when: dt.datetime, *addresses: str) -> list[str]:
        for address in addresses:
            forged(gateway, address, f"t{next(tags)}")
        before = len(told())
        with time_machine.travel(when, tick=False):
            run_tasks()
        return told()[before:]

    # Three to mallory at :59 (her limit) and two others (the cap).
    assert len(at(hour - dt.timedelta(minutes=1), *["mallory@evil.example"] * 3)) == 3
    assert at(hour - dt.timedelta(minutes=1), "a@one.example", "b@two.example") == [
        "a@one.example",
        "b@two.example",
    ]
    # Just after the top of the hour: nothing more, to her or to anyone.
    assert at(hour + dt.timedelta(minutes=1), "mallory@evil.example", "c@three.example") == []
    last = GatewayMessage.objects.filter(mail_from="mallory@evil.example").latest("pk")
    assert (last.notified, last.notice_withheld) == (False, NoticeWithheld.ADDRESS_LIMIT)
    assert withheld()["c@three.example"] == NoticeWithheld.PLATFORM_LIMIT
    # A full clock hour later, the counts start over.
    later = at(hour + dt.timedelta(hours=1, minutes=1), "mallory@evil.example", "d@four.example")
    assert later == ["mallory@evil.example", "d@four.example"]


def test_a_null_sender_gets_no_notice(
    cast: Cast, gateway: GatewayController, run_tasks: Any
) -> None:
    give_number(cast.billing_user)
    # A bounce that names a stranger in From, and one that names a registered sender.
    for address, tag in (("victim@elsewhere.example", "n1"), ("bill@acme.example", "n2")):
        message = email_to_fax(address, ["6175559876"], pdf=a_pdf(), message_id=f"<{tag}@x>")
        send(gateway, message, mail_from="", to=[NUMBER])
    run_tasks()
    assert told() == [] and FaxJob.objects.count() == 0
    messages = list(GatewayMessage.objects.all())
    assert len(messages) == 2
    for message in messages:
        assert (message.status, message.mail_from) == (MessageStatus.REFUSED, "")
        assert (message.notified, message.notice_withheld) == (False, NoticeWithheld.NULL_SENDER)
    assert not RefusalNoticeWindow.objects.exists()


def test_automatic_replies_bounces_and_list_mail_get_no_notice(
    gateway: GatewayController, run_tasks: Any
) -> None:
    forged(gateway, "away@one.example", "a1", Auto_Submitted="auto-replied")
    forged(gateway, "bulk@two.example", "a2", Precedence="bulk")
    forged(gateway, "list@three.example", "a3", List_Id="<news.three.example>")
    forged(gateway, "vacation@four.example", "a4", X_Autoreply="yes")
    forged(gateway, "stranger@five.example", "a5")
    run_tasks()
    assert told() == ["stranger@five.example"]
    assert withheld() == {
        "away@one.example": NoticeWithheld.AUTOMATIC,
        "bulk@two.example": NoticeWithheld.AUTOMATIC,
        "list@three.example": NoticeWithheld.AUTOMATIC,
        "vacation@four.example": NoticeWithheld.AUTOMATIC,
        "stranger@five.example": "",
    }


def test_a_sender_in_our_own_fax_domain_gets_no_notice(
    settings: Any, gateway: GatewayController, run_tasks: Any
) -> None:
    settings.DEFAULT_FROM_EMAIL = "Fax service <notices@faxline.example>"
    forged(gateway, "12125550100@fax.localhost", "d1")
    forged(gateway, "robot@mx.FAX.localhost", "d2")
    forged(gateway, "notices@faxline.example", "d3")
    forged(gateway, "someone@notfax.localhost", "d4")
    run_tasks()
    assert told() == ["someone@notfax.localhost"]
    reasons = withheld()
    assert reasons["12125550100@fax.localhost"] == NoticeWithheld.OWN_DOMAIN
    assert reasons["robot@mx.FAX.localhost"] == NoticeWithheld.OWN_DOMAIN
    assert reasons["notices@faxline.example"] == NoticeWithheld.OWN_DOMAIN
    # Nothing counted for them: the never-rules come before the limits.
    assert set(RefusalNoticeWindow.objects.values_list("address", flat=True)) == {
        "someone@notfax.localhost",
        RefusalNoticeWindow.ALL_UNREGISTERED,
    }


# --- the SMTP server's own limits -----------------------------------------------------------


@pytest.fixture
def small_gateway(settings: Any) -> Iterator[GatewayController]:
    settings.FAXLINE_FAX_DOMAIN = "fax.localhost"
    settings.FAXLINE_SMTPD_MAX_CONNECTIONS = 2
    controller = GatewayController(host="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def wait_until(condition: Any) -> None:
    """Until the server's loop thread caught up (bounded: fails rather than hangs)."""
    done = threading.Event()
    for _ in range(500):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("the server did not catch up")


def test_a_connection_beyond_the_limit_is_answered_421(
    cast: Cast, small_gateway: GatewayController
) -> None:
    give_number(cast.billing_user)
    wait_until(lambda: small_gateway.sessions.open == 0)  # the controller's start-up probe
    first = smtplib.SMTP("127.0.0.1", small_gateway.port, timeout=30)
    second = smtplib.SMTP("127.0.0.1", small_gateway.port, timeout=30)
    assert first.ehlo("one.test")[0] == 250 and second.ehlo("two.test")[0] == 250
    with pytest.raises(smtplib.SMTPConnectError) as refused:
        smtplib.SMTP("127.0.0.1", small_gateway.port, timeout=30)
    assert refused.value.smtp_code == 421
    assert b"Too many connections" in refused.value.smtp_error
    assert small_gateway.sessions.open == 2
    # The open sessions still work; once one ends, its slot is free again.
    assert first.noop()[0] == 250
    first.quit()
    wait_until(lambda: small_gateway.sessions.open == 1)
    message = email_to_fax("bill@acme.example", ["6175559876"], pdf=a_pdf())
    with smtplib.SMTP("127.0.0.1", small_gateway.port, timeout=30) as third:
        third.ehlo("three.test")
        assert third.sendmail("bill@acme.example", [NUMBER], wire(message)) == {}
    second.quit()
    wait_until(lambda: small_gateway.sessions.open == 0)
    assert GatewayMessage.objects.count() == 1


def test_a_session_cannot_be_held_open_with_noops(small_gateway: GatewayController) -> None:
    with smtplib.SMTP("127.0.0.1", small_gateway.port, timeout=30) as client:
        client.ehlo("idle.test")
        for _ in range(20):
            assert client.noop()[0] == 250
        code, reply = client.noop()
        assert code == 421 and b"too many times" in reply
    wait_until(lambda: small_gateway.sessions.open == 0)
