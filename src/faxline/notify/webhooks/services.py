"""Every write of the webhooks: endpoints, publishing events, delivering them.

- A person's changes (:func:`endpoint_create`, ``_update``, ``_rotate_secret``, ``_pause``,
  ``_resume``, ``_delete``, ``_send_test``, :func:`delivery_redeliver`) check
  ``webhooks.access`` and leave an audit event (never the secret).
- :func:`event_publish` is ``faxline.core.events.publish_event`` (registered in
  ``NotifyConfig.ready``): in the caller's transaction it records the event and one delivery
  per subscribed endpoint, and nudges the delivery task after commit.
- :func:`delivery_attempt` (the task) claims a due delivery with a compare-and-set, POSTs
  it (``delivery.post``) and records the outcome: 2xx delivered; 410 Gone, or no attempt
  left on :data:`RETRY`'s schedule (5 s, 25 s, 2 min, 10 min, 52 min, 4 h, 22 h), failed, the
  endpoint paused and the company's administrators told by email; otherwise retrying.
- :func:`deliveries_sweep` (periodic) releases stale claims and nudges what a lost nudge
  left behind; :func:`events_prune` deletes events past their retention.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.fax_numbers import user_numbers
from faxline.accounts.models import Company, User
from faxline.core.aftercommit import enqueue_after_commit, enqueue_now, renudge_lost
from faxline.core.audit import audit_record
from faxline.core.backoff import Backoff
from faxline.core.errors import Conflict, ValidationFailed
from faxline.core.net import check_public_url
from faxline.core.phone import fax_number_e164
from faxline.notify.webhooks import delivery as http
from faxline.notify.webhooks import signing
from faxline.notify.webhooks.access import may_manage_webhooks
from faxline.notify.webhooks.choices import (
    COMPANY_ONLY_EVENTS,
    PENDING,
    REDELIVERABLE,
    TEST_EVENT,
    DeliveryStatus,
    EndpointStatus,
    EventType,
)
from faxline.notify.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

log = logging.getLogger(__name__)

# Documo's schedule (reference/fax.md): waits of 5 s, 25 s, 2 min, 10 min, 52 min, 4 h and
# 22 h between eight attempts (5 s times 5 to the n: 125 s, 625 s, 3125 s, 15625 s, 78125 s).
RETRY = Backoff(first=timedelta(seconds=5), factor=5, cap=timedelta(hours=22), max_attempts=8)
MAX_ENDPOINTS = 20
MAX_URL = 2000
STALE_CLAIM = timedelta(minutes=5)
LOST_NUDGE = timedelta(minutes=2)
SWEEP_LIMIT = 200
RETENTION = timedelta(days=30)
PRUNE_BATCH = 500


# --- endpoints ------------------------------------------------------------------------


def _clean_url(url: Any) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ValidationFailed("url: enter the URL to send events to.", field="url")
    if len(url.strip()) > MAX_URL:
        raise ValidationFailed(f"url: at most {MAX_URL} characters.", field="url")
    return check_public_url(url, field="url", schemes=("https", "http"))


def _clean_events(events: Any, *, number: str) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ValidationFailed("events: choose at least one event.", field="events")
    chosen: list[str] = []
    for kind in events:
        if not isinstance(kind, str) or kind not in EventType.values:
            raise ValidationFailed(
                f"events: unknown event {kind!r}; one of " + ", ".join(EventType.values) + ".",
                code="unknown_event",
                field="events",
            )
        if kind not in chosen:
            chosen.append(kind)
    if number and COMPANY_ONLY_EVENTS & set(chosen):
        raise ValidationFailed(
            "events: port request events concern the whole company; subscribe to them with "
            "an endpoint for every number.",
            code="company_only_event",
            field="events",
        )
    return [k for k in EventType.values if k in chosen]


def _clean_number(company: Company, number: Any) -> str:
    if number is None or (isinstance(number, str) and not number.strip()):
        return ""
    e164 = fax_number_e164(number, field="number")
    if e164 not in user_numbers().of_company(company):
        raise ValidationFailed(
            f"number: {e164} is not one of the company's fax numbers.",
            code="unknown_number",
            field="number",
        )
    return e164


def _clean_description(text: Any) -> str:
    if text is None:
        return ""
    if not isinstance(text, str) or len(text.strip()) > 200:
        raise ValidationFailed("description: at most 200 characters.", field="description")
    return " ".join(text.split())


def _audit(kind: str, actor: Actor, endpoint: WebhookEndpoint, **detail: Any) -> None:
    audit_record(
        kind=f"webhook.{kind}",
        actor=actor.user,
        company=endpoint.company,
        target=endpoint,
        ip_address=actor.ip_address,
        detail={"url": endpoint.url, **detail},
    )


@transaction.atomic
def endpoint_create(
    *,
    actor: Actor,
    company: Company,
    url: str,
    events: list[str],
    number: str | None = None,
    description: str | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint; returns it with its secret (shown this once: only its encrypted
    form is kept)."""
    may_manage_webhooks(actor, company).check()
    clean_url = _clean_url(url)
    clean_number = _clean_number(company, number)
    clean_events = _clean_events(events, number=clean_number)
    if WebhookEndpoint.objects.filter(company=company).count() >= MAX_ENDPOINTS:
        raise ValidationFailed(
            f"A company has at most {MAX_ENDPOINTS} webhook endpoints.",
            code="too_many_endpoints",
            field="url",
        )
    secret = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        company=company,
        url=clean_url,
        number=clean_number,
        events=clean_events,
        description=_clean_description(description),
        secret=secret,
        created_by=actor.user,
    )
    _audit("created", actor, endpoint, events=clean_events, number=clean_number)
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *,
    actor: Actor,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: list[str] | None = None,
    number: str | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    """Change what was given (None: unchanged; ``number`` "" makes it company-wide)."""
    may_manage_webhooks(actor, endpoint.company).check()
    fields: dict[str, Any] = {}
    if url is not None:
        fields["url"] = _clean_url(url)
    new_number = endpoint.number if number is None else _clean_number(endpoint.company, number)
    if number is not None:
        fields["number"] = new_number
    if events is not None or number is not None:
        fields["events"] = _clean_events(
            endpoint.events if events is None else events, number=new_number
        )
    if description is not None:
        fields["description"] = _clean_description(description)
    for name, value in fields.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=[*fields, "updated_at"])
    _audit("changed", actor, endpoint, fields=sorted(fields))
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(
    *, actor: Actor, endpoint: WebhookEndpoint
) -> tuple[WebhookEndpoint, str]:
    """A new secret, at once (the old one no longer signs); returned this once."""
    may_manage_webhooks(actor, endpoint.company).check()
    secret = signing.new_secret()
    endpoint.secret = secret
    endpoint.secret_rotated_at = timezone.now()
    endpoint.save(update_fields=["secret", "secret_rotated_at", "updated_at"])
    _audit("secret_rotated", actor, endpoint)
    return endpoint, secret


@transaction.atomic
def endpoint_pause(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop sending to the endpoint; its new deliveries are held until it is resumed."""
    may_manage_webhooks(actor, endpoint.company).check()
    _pause(endpoint, reason=f"Paused by {actor.user}.")
    _audit("paused", actor, endpoint)
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def endpoint_resume(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Send again: held deliveries are due now (the oldest nudged at once, the rest by the
    sweep)."""
    may_manage_webhooks(actor, endpoint.company).check()
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, status=EndpointStatus.PAUSED).update(
        status=EndpointStatus.ACTIVE, paused_reason="", paused_at=None, updated_at=timezone.now()
    ):
        raise Conflict("The endpoint is not paused.", code="not_paused")
    now = timezone.now()
    held = WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.HELD)
    held.update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        nudged_at=None,
        claimed_at=None,
    )
    first = WebhookDelivery.objects.filter(
        endpoint=endpoint, status=DeliveryStatus.PENDING, next_attempt_at=now
    ).order_by("pk")
    for pk in first.values_list("pk", flat=True)[:SWEEP_LIMIT]:
        _nudge_after_commit(pk)
    _audit("resumed", actor, endpoint)
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its delivery log."""
    may_manage_webhooks(actor, endpoint.company).check()
    _audit("deleted", actor, endpoint)
    endpoint.delete()


def _pause(endpoint: WebhookEndpoint, *, reason: str) -> bool:
    """Compare-and-set active → paused; True when this call paused it."""
    now = timezone.now()
    return bool(
        WebhookEndpoint.objects.filter(pk=endpoint.pk, status=EndpointStatus.ACTIVE).update(
            status=EndpointStatus.PAUSED, paused_reason=reason[:300], paused_at=now, updated_at=now
        )
    )


# --- events ---------------------------------------------------------------------------


def _public_id() -> str:
    return "evt_" + secrets.token_hex(12)


def _new_event(*, kind: str, company_id: int, data: Mapping[str, Any], number: str) -> WebhookEvent:
    return WebhookEvent.objects.create(
        public_id=_public_id(),
        kind=kind,
        company_id=company_id,
        number=number,
        data=dict(data),
        created_at=timezone.now(),
    )


def _deliver_to(event: WebhookEvent, endpoint: WebhookEndpoint, *, held: bool) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        event=event,
        endpoint=endpoint,
        status=DeliveryStatus.HELD if held else DeliveryStatus.PENDING,
        next_attempt_at=None if held else event.created_at,
    )
    if not held:
        _nudge_after_commit(delivery.pk)
    return delivery


def subscribers(company_id: int, kind: str, number: str | None) -> list[WebhookEndpoint]:
    """The endpoints that receive an event: the company's that subscribe to ``kind``, the
    company-wide ones and those of the event's ``number``."""
    found = WebhookEndpoint.objects.filter(company_id=company_id).order_by("pk")
    return [
        e
        for e in found
        if kind in (e.events or []) and (not e.number or (number and e.number == number))
    ]


def event_publish(
    *, kind: str, company_id: int, data: Mapping[str, Any], number: str | None
) -> WebhookEvent | None:
    """Record an event and its deliveries in the caller's transaction (nothing when no
    endpoint subscribes); the deliveries are nudged after commit."""
    if kind not in EventType.values:
        raise ValueError(f"unknown webhook event {kind!r}")
    endpoints = subscribers(company_id, kind, number)
    if not endpoints:
        return None
    with transaction.atomic():
        event = _new_event(kind=kind, company_id=company_id, data=data, number=number or "")
        for endpoint in endpoints:
            _deliver_to(event, endpoint, held=endpoint.status == EndpointStatus.PAUSED)
    return event


@transaction.atomic
def endpoint_send_test(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``webhook.test`` event to this endpoint only, paused or not: one attempt, whose
    outcome the delivery log shows (it neither retries nor pauses the endpoint)."""
    may_manage_webhooks(actor, endpoint.company).check()
    event = _new_event(
        kind=TEST_EVENT,
        company_id=endpoint.company_id,
        data={"endpoint_id": endpoint.pk, "message": "A test event sent from faxline."},
        number=endpoint.number,
    )
    _audit("test_sent", actor, endpoint, event=event.public_id)
    return _deliver_to(event, endpoint, held=False)


@transaction.atomic
def delivery_redeliver(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Deliver again (a new round of attempts), whatever became of it."""
    endpoint = WebhookEndpoint.objects.select_related("company").get(pk=delivery.endpoint_id)
    may_manage_webhooks(actor, endpoint.company).check()
    if endpoint.status == EndpointStatus.PAUSED and delivery.event.kind != TEST_EVENT:
        raise Conflict(
            "The endpoint is paused: resume it to deliver its events again.",
            code="endpoint_paused",
        )
    if not WebhookDelivery.objects.filter(pk=delivery.pk, status__in=REDELIVERABLE).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_at=None,
        nudged_at=None,
    ):
        raise Conflict("This delivery is already on its way.", code="delivery_pending")
    _audit("redelivered", actor, endpoint, event=delivery.event.public_id)
    _nudge_after_commit(delivery.pk)
    delivery.refresh_from_db()
    return delivery


# --- payloads -------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def payload(event: WebhookEvent) -> dict[str, Any]:
    """What the endpoint receives: ``{id, type, created_at, data}``."""
    return {
        "id": event.public_id,
        "type": event.kind,
        "created_at": _iso(event.created_at),
        "data": event.data,
    }


def body_of(event: WebhookEvent) -> bytes:
    """The payload as sent (the same bytes on every attempt)."""
    return json.dumps(payload(event), separators=(",", ":"), ensure_ascii=False).encode()


# --- delivery (the task worker) -------------------------------------------------------


def _nudge_after_commit(delivery_id: int) -> None:
    from faxline.notify.webhooks.tasks import deliver_webhook

    enqueue_after_commit(deliver_webhook, delivery_id)


def _nudge_at(delivery_id: int, when: datetime) -> bool:
    from faxline.notify.webhooks.tasks import deliver_webhook

    return enqueue_now(deliver_webhook.using(run_after=when), delivery_id)


def _claim(delivery_id: int, now: datetime) -> bool:
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status__in=PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            last_attempt_at=now,
            attempts=F("attempts") + 1,
        )
    )


def delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Attempt one delivery; idempotent (what is not due or not pending is left alone and
    None returned). Runs in the task worker, outside any transaction: the POST is made
    between the claim and the recording of its outcome, each a compare-and-set."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = (
        WebhookDelivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
    )
    if delivery is None:  # its endpoint was deleted meanwhile
        return None
    mine = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.SENDING, claimed_at=now
    )
    endpoint, event = delivery.endpoint, delivery.event
    test = event.kind == TEST_EVENT
    if endpoint.status == EndpointStatus.PAUSED and not test:
        mine.update(
            status=DeliveryStatus.HELD,
            claimed_at=None,
            next_attempt_at=None,
            attempts=F("attempts") - 1,
        )
        delivery.refresh_from_db()
        return delivery
    body = body_of(event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": http.USER_AGENT,
        "Faxline-Event-Id": event.public_id,
        "Faxline-Event-Type": event.kind,
        "Faxline-Delivery-Id": str(delivery.pk),
        signing.HEADER: signing.signature_header(endpoint.secret, body),
    }
    answer = http.post(endpoint.url, body, headers)
    recorded = {
        "response_code": answer.status,
        "latency_ms": answer.latency_ms,
        "error": answer.error,
        "response_excerpt": answer.excerpt,
        "claimed_at": None,
    }
    if answer.delivered:
        mine.update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=timezone.now(),
            next_attempt_at=None,
            **recorded,
        )
    else:
        _record_failure(mine, delivery, answer, recorded, test=test)
    delivery.refresh_from_db()
    return delivery


def _record_failure(
    mine: Any,
    delivery: WebhookDelivery,
    answer: http.Answer,
    recorded: dict[str, Any],
    *,
    test: bool,
) -> None:
    gone = answer.status == 410
    retry_at = None
    if not (test or gone):
        retry_at = RETRY.next_attempt(delivery.attempts, now=timezone.now())
    if retry_at is not None:
        log.info(
            "webhook delivery %s: attempt %s failed (%s); next at %s",
            delivery.pk,
            delivery.attempts,
            answer.error,
            retry_at.isoformat(),
        )
        if mine.update(
            status=DeliveryStatus.RETRYING, next_attempt_at=retry_at, nudged_at=None, **recorded
        ):
            _nudge_at(delivery.pk, retry_at)
        return
    with transaction.atomic():
        if not mine.update(status=DeliveryStatus.FAILED, next_attempt_at=None, **recorded):
            return
        if test:
            return
        if gone:
            reason = "The endpoint answered 410 Gone."
        else:
            reason = f"Gave up after {delivery.attempts} attempts; last error: {answer.error}"
        log.warning("webhook endpoint %s paused: %s", delivery.endpoint_id, reason)
        if _pause(delivery.endpoint, reason=reason):
            _tell_administrators(delivery.endpoint, delivery.event, reason)


def company_admin_emails(company_id: int) -> list[str]:
    """The company-level administrators' addresses (active, not deleted or locked)."""
    return list(
        User.objects.filter(
            company_id=company_id,
            role=Role.ADMINISTRATOR,
            department__isnull=True,
            is_active=True,
            is_locked=False,
            deleted_at__isnull=True,
        )
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)[:50]
    )


def _tell_administrators(endpoint: WebhookEndpoint, event: WebhookEvent, reason: str) -> None:
    from faxline.notify.services import notify_email

    body = (
        "faxline could not deliver webhook events to one of your endpoints and has paused "
        "it:\n\n"
        f"  Endpoint: {endpoint.url}\n"
        f"  Event: {event.kind} ({event.public_id})\n"
        f"  Reason: {reason}\n\n"
        "Events for it are kept and held. Fix the receiving server, then resume the endpoint "
        "on the Webhooks page (Settings ▸ Webhooks): the held events are delivered then, and "
        "you can redeliver the failed one from its delivery log.\n"
    )
    notify_email(
        kind="webhook.paused",
        to=company_admin_emails(endpoint.company_id),
        subject="Webhook endpoint paused after failed deliveries",
        body=body,
        company_id=endpoint.company_id,
        related=f"Webhook {endpoint.pk}",
    )


# --- the sweeps -----------------------------------------------------------------------


def deliveries_sweep(*, limit: int = SWEEP_LIMIT) -> int:
    """See that every pending delivery gets its attempt: a claim older than
    :data:`STALE_CLAIM` (a worker died while sending) is due again (the attempt counts); a
    due delivery not claimed :data:`LOST_NUDGE` after it was due is nudged again. Returns
    how many it nudged; every change is a compare-and-set (safe in several processes)."""
    now = timezone.now()
    nudged = 0
    stale = WebhookDelivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).values_list("pk", "claimed_at")[:limit]
    for pk, claimed_at in list(stale):
        if WebhookDelivery.objects.filter(
            pk=pk, status=DeliveryStatus.SENDING, claimed_at=claimed_at
        ).update(
            status=DeliveryStatus.RETRYING,
            error="The worker stopped while sending (no outcome was recorded).",
            claimed_at=None,
            next_attempt_at=now,
            nudged_at=now,
        ):
            nudged += int(_nudge_at(pk, now))
    overdue = now - LOST_NUDGE
    return nudged + renudge_lost(
        WebhookDelivery.objects.filter(status__in=PENDING, next_attempt_at__lt=overdue),
        overdue=overdue,
        now=now,
        nudge=lambda pk: _nudge_at(pk, now),
        order_by="next_attempt_at",
        limit=limit,
    )


def events_prune(*, batch: int = PRUNE_BATCH) -> int:
    """Delete events (with their deliveries) older than :data:`RETENTION` whose deliveries
    are settled; at most ``batch`` per run. Returns how many went."""
    cutoff = timezone.now() - RETENTION
    unsettled = WebhookDelivery.objects.filter(
        status__in=(*PENDING, DeliveryStatus.SENDING, DeliveryStatus.HELD)
    ).values("event_id")
    old = list(
        WebhookEvent.objects.filter(created_at__lt=cutoff)
        .exclude(pk__in=unsettled)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    if old:
        WebhookEvent.objects.filter(pk__in=old).delete()
    return len(old)
