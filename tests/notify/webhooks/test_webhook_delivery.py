"""Webhook deliveries against a real HTTP receiver on loopback: the signature as the docs
verify it, the retry schedule (time-machine), pausing and the administrators' email,
redelivery, the test event, and the refusals that keep faxline off private networks."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from pydantic import TypeAdapter

from faxline.accounts.access import Actor
from faxline.core.errors import Conflict, Forbidden, ValidationFailed
from faxline.core.events import publish_event
from faxline.notify.webhooks import services, signing
from faxline.notify.webhooks.models import WebhookDelivery, WebhookEndpoint
from faxline.notify.webhooks.schemas import VERIFY_PYTHON, WebhookPayload
from notify.webhooks.receiver import Receiver

from cast import Cast

pytestmark = pytest.mark.django_db

# The schedule of reference/fax.md, in seconds.
SCHEDULE = [5, 25, 125, 625, 3125, 15625, 78125]


def documented_verify() -> Any:
    """The receiver's few lines exactly as docs/webhooks.md and the API show them."""
    namespace: dict[str, Any] = {}
    exec(VERIFY_PYTHON, namespace)
    return namespace["verify"]


def endpoint(cast: Cast, url: str, events: list[str], **kw: Any) -> tuple[WebhookEndpoint, str]:
    return services.endpoint_create(
        actor=Actor(user=cast.company_admin), company=cast.company, url=url, events=events, **kw
    )


FAX = {
    "id": "501-00000001",
    "status": "queued",
    "previous_status": None,
    "from": "+12125557001",
    "to": "+16175559876",
    "pages": 1,
    "source": "api",
    "error": None,
    "error_code": None,
    "will_retry": False,
    "created_at": "2026-12-06T05:00:00Z",
    "completed_at": None,
}


def publish(cast: Cast, kind: str = "fax.queued", **data: Any) -> None:
    publish_event(kind, company_id=cast.company.pk, data={**FAX, **data})


def test_the_receiver_verifies_the_signature_with_the_documented_lines(
    cast: Cast, receiver: Receiver, after_commit
) -> None:
    hook, secret = endpoint(cast, receiver.url, ["fax.queued"])
    with after_commit():
        publish(cast, status="queued")
    (got,) = receiver.requests
    assert got.path == "/hooks/faxline?src=test"
    verify = documented_verify()
    header = got.headers[signing.HEADER]
    assert verify(secret, header, got.body)
    assert not verify(secret, header, got.body + b" ")  # the body is signed
    assert not verify("whsec_other", header, got.body)  # so is the secret
    stale = signing.signature_header(secret, got.body, timestamp=int(header[2:12]) - 600)
    assert not verify(secret, stale, got.body)  # receivers refuse old timestamps
    payload = json.loads(got.body)
    TypeAdapter(WebhookPayload).validate_python(payload)
    assert payload["type"] == "fax.queued" and payload["id"].startswith("evt_")
    assert got.headers["Faxline-Event-Id"] == payload["id"]
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Host"].startswith("127.0.0.1:")
    (delivery,) = WebhookDelivery.objects.filter(endpoint=hook)
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("delivered", 200, 1)
    assert delivery.latency_ms is not None and delivery.response_excerpt == "ok"


def test_failures_are_retried_on_the_schedule_then_the_endpoint_pauses_and_admins_are_told(
    cast: Cast, receiver: Receiver, after_commit, run_tasks
) -> None:
    hook, _ = endpoint(cast, receiver.url, ["fax.queued", "fax.failed"])
    receiver.answer(503, b"down for maintenance")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with after_commit():
            publish(cast)
        delivery = WebhookDelivery.objects.get(endpoint=hook)
        assert len(receiver.requests) == 1
        for number, wait in enumerate(SCHEDULE, start=2):
            delivery.refresh_from_db()
            assert delivery.status == "retrying" and delivery.response_code == 503
            assert delivery.next_attempt_at == timezone.now() + timedelta(seconds=wait)
            clock.shift(wait - 1)
            run_tasks()
            assert len(receiver.requests) == number - 1  # not yet
            clock.shift(1)
            run_tasks()
            assert len(receiver.requests) == number
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("failed", 8)
        assert "down for maintenance" in delivery.response_excerpt
        hook.refresh_from_db()
        assert hook.status == "paused" and "Gave up after 8 attempts" in hook.paused_reason
        told = [m for m in mail.outbox if "paused" in m.subject]
        # The company-level administrators, each their own message; not the department's.
        assert sorted(m.to[0] for m in told) == sorted(
            [cast.company_admin.email, cast.read_only_admin.email]
        )
        assert cast.dept_admin.email not in {m.to[0] for m in told}
        assert receiver.url in told[0].body
        # Paused: a new event is held, not sent; resuming sends it.
        with after_commit():
            publish(cast, kind="fax.failed")
        held = WebhookDelivery.objects.get(endpoint=hook, status="held")
        assert len(receiver.requests) == 8
        receiver.answer(204)
        with after_commit():
            services.endpoint_resume(actor=Actor(user=cast.company_admin), endpoint=hook)
        held.refresh_from_db()
        assert held.status == "delivered" and len(receiver.requests) == 9


def test_gone_pauses_at_once(cast: Cast, receiver: Receiver, after_commit) -> None:
    hook, _ = endpoint(cast, receiver.url, ["fax.queued"])
    receiver.answer(410)
    with after_commit():
        publish(cast)
    hook.refresh_from_db()
    assert hook.status == "paused" and "410" in hook.paused_reason
    assert WebhookDelivery.objects.get(endpoint=hook).status == "failed"
    assert len(receiver.requests) == 1


def test_redeliver_sends_the_same_event_again(cast: Cast, receiver: Receiver, after_commit) -> None:
    hook, secret = endpoint(cast, receiver.url, ["fax.queued"])
    with after_commit():
        publish(cast)
    delivery = WebhookDelivery.objects.get(endpoint=hook)
    with after_commit():
        services.delivery_redeliver(actor=Actor(user=cast.company_admin), delivery=delivery)
    first, second = receiver.requests
    assert first.body == second.body
    assert json.loads(second.body)["id"] == delivery.event.public_id
    assert documented_verify()(secret, second.headers[signing.HEADER], second.body)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    with pytest.raises(Forbidden):  # a read-only administrator may not
        services.delivery_redeliver(actor=Actor(user=cast.read_only_admin), delivery=delivery)
    services.endpoint_pause(actor=Actor(user=cast.company_admin), endpoint=hook)
    with pytest.raises(Conflict) as paused:
        services.delivery_redeliver(actor=Actor(user=cast.company_admin), delivery=delivery)
    assert paused.value.code == "endpoint_paused"


def test_the_test_event_goes_to_that_endpoint_only_even_paused(
    cast: Cast, receiver: Receiver, after_commit
) -> None:
    hook, _ = endpoint(cast, receiver.url, ["fax.queued"])
    other, _ = endpoint(cast, receiver.url + "&other=1", ["fax.queued"])
    services.endpoint_pause(actor=Actor(user=cast.company_admin), endpoint=hook)
    with after_commit():
        services.endpoint_send_test(actor=Actor(user=cast.company_admin), endpoint=hook)
    (got,) = receiver.requests
    assert json.loads(got.body)["type"] == "webhook.test"
    assert not WebhookDelivery.objects.filter(endpoint=other).exists()
    receiver.answer(500)
    with after_commit():
        services.endpoint_send_test(actor=Actor(user=cast.company_admin), endpoint=hook)
    failed = WebhookDelivery.objects.filter(endpoint=hook).first()
    assert failed is not None and (failed.status, failed.attempts) == ("failed", 1)
    hook.refresh_from_db()
    assert "Paused by" in hook.paused_reason  # a failed test neither retries nor re-pauses


def test_redirects_are_not_followed_and_answers_are_cut_and_cleaned(
    cast: Cast, receiver: Receiver, after_commit
) -> None:
    hook, _ = endpoint(cast, receiver.url, ["fax.queued"])
    receiver.answer(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
    with after_commit():
        publish(cast)
    delivery = WebhookDelivery.objects.get(endpoint=hook)
    assert delivery.status == "retrying" and "redirects are not followed" in delivery.error
    assert len(receiver.requests) == 1
    receiver.answer(500, b"\x1b[31mboom\x00" + b"x" * 5000)
    with after_commit():
        services.endpoint_send_test(actor=Actor(user=cast.company_admin), endpoint=hook)
    test = WebhookDelivery.objects.filter(endpoint=hook).first()
    assert test is not None and len(test.response_excerpt) <= 200
    assert "\x1b" not in test.response_excerpt and "\x00" not in test.response_excerpt
    assert test.response_excerpt.startswith("[31mboom")


def test_loopback_and_private_urls_are_refused_unless_allowed(cast: Cast, settings) -> None:
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = []
    for url in (
        "http://127.0.0.1:8080/hook",
        "https://localhost/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest",
        "http://[::1]/hook",
    ):
        with pytest.raises(ValidationFailed) as refused:
            endpoint(cast, url, ["fax.queued"])
        assert (refused.value.code, refused.value.field) == ("private_destination", "url"), url
    for url in ("ftp://example.com/x", "file:///etc/passwd", "http://user:pw@example.com/"):
        with pytest.raises(ValidationFailed) as refused:
            endpoint(cast, url, ["fax.queued"])
        assert refused.value.field == "url", url
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    hook, _ = endpoint(cast, "http://127.0.0.1:8080/hook", ["fax.queued"])
    assert hook.url == "http://127.0.0.1:8080/hook"


def test_an_address_no_longer_allowed_is_refused_when_connecting(
    cast: Cast, receiver: Receiver, settings, after_commit
) -> None:
    hook, _ = endpoint(cast, receiver.url, ["fax.queued"])
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = []
    with after_commit():
        publish(cast)
    delivery = WebhookDelivery.objects.get(endpoint=hook)
    assert delivery.status == "retrying" and "loopback" in delivery.error
    assert receiver.requests == []


def test_the_secret_is_encrypted_at_rest_and_rotation_changes_the_signature(
    cast: Cast, receiver: Receiver, after_commit
) -> None:
    from django.db import connection

    hook, secret = endpoint(cast, receiver.url, ["fax.queued"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notify_webhookendpoint WHERE id = %s", [hook.pk])
        (stored,) = cursor.fetchone()
    assert secret not in stored and secret.startswith("whsec_")
    _, rotated = services.endpoint_rotate_secret(
        actor=Actor(user=cast.company_admin), endpoint=hook
    )
    assert rotated != secret
    with after_commit():
        publish(cast)
    (got,) = receiver.requests
    verify = documented_verify()
    assert verify(rotated, got.headers[signing.HEADER], got.body)
    assert not verify(secret, got.headers[signing.HEADER], got.body)


def test_events_and_number_scopes_choose_the_endpoints(cast: Cast, allow_loopback) -> None:
    from faxing.jobs_support import give_number

    number = give_number(cast.billing_user)
    everything, _ = endpoint(cast, "http://127.0.0.1:9/a", ["fax.inbound.received"])
    mine, _ = endpoint(cast, "http://127.0.0.1:9/b", ["fax.inbound.received"], number=number)
    faxes, _ = endpoint(cast, "http://127.0.0.1:9/c", ["fax.queued"])
    publish_event("fax.inbound.received", company_id=cast.company.pk, data={}, number=number)
    publish_event(
        "fax.inbound.received", company_id=cast.company.pk, data={}, number="+12125550000"
    )
    publish_event("fax.inbound.received", company_id=cast.outsider_company.pk, data={})
    assert WebhookDelivery.objects.filter(endpoint=everything).count() == 2
    assert WebhookDelivery.objects.filter(endpoint=mine).count() == 1
    assert WebhookDelivery.objects.filter(endpoint=faxes).count() == 0


def test_bad_subscriptions_name_their_field(cast: Cast, allow_loopback) -> None:
    from faxing.jobs_support import give_number

    number = give_number(cast.billing_user)
    cases = [
        ({"events": ["fax.sent"]}, "unknown_event", "events"),
        ({"events": []}, "validation_error", "events"),
        (
            {"events": ["port_request.status_changed"], "number": number},
            "company_only_event",
            "events",
        ),
        ({"events": ["fax.queued"], "number": "+12125550000"}, "unknown_number", "number"),
        ({"events": ["fax.queued"], "number": "12"}, "invalid_fax_number", "number"),
    ]
    for kwargs, code, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            endpoint(cast, "http://127.0.0.1:9/x", **kwargs)
        assert (refused.value.code, refused.value.field) == (code, field), kwargs


def test_the_docs_show_the_lines_the_tests_run() -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"
    assert "```python\n" + VERIFY_PYTHON + "```" in docs.read_text()


def test_the_sweep_delivers_what_a_lost_nudge_or_a_dead_worker_left(
    cast: Cast, receiver: Receiver, run_tasks
) -> None:
    hook, _ = endpoint(cast, receiver.url, ["fax.queued"])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        publish(cast)  # its commit never comes in this test: the nudge is lost
        lost = WebhookDelivery.objects.get(endpoint=hook)
        publish(cast)
        dead = WebhookDelivery.objects.exclude(pk=lost.pk).get(endpoint=hook)
        WebhookDelivery.objects.filter(pk=dead.pk).update(
            status="sending", claimed_at=timezone.now(), attempts=1
        )
        assert services.deliveries_sweep() == 0  # not overdue yet
        clock.shift(services.STALE_CLAIM + timedelta(seconds=1))
        assert services.deliveries_sweep() == 2
        assert services.deliveries_sweep() == 0  # nudged once, not twice
        run_tasks()
    lost.refresh_from_db()
    dead.refresh_from_db()
    assert (lost.status, lost.attempts) == ("delivered", 1)
    assert (dead.status, dead.attempts) == ("delivered", 2)  # the dead worker's attempt counts
    assert len(receiver.requests) == 2


def test_settled_events_go_after_thirty_days(cast: Cast, allow_loopback) -> None:
    from faxline.notify.webhooks.models import WebhookEvent

    hook, _ = endpoint(cast, "http://127.0.0.1:9/x", ["fax.queued"])
    publish(cast)
    publish(cast)
    settled, pending = WebhookDelivery.objects.filter(endpoint=hook).order_by("pk")
    WebhookDelivery.objects.filter(pk=settled.pk).update(status="delivered")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert services.events_prune() == 1
    assert list(WebhookEvent.objects.values_list("pk", flat=True)) == [pending.event_id]
    assert WebhookDelivery.objects.filter(pk=settled.pk).count() == 0
