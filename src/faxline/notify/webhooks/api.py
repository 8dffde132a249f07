"""REST API of the webhooks: ``/api/v1/webhooks``. Another company's endpoint is 404, a
read-only administrator or a missing right 403, bad input 422 naming the field (a private
URL: ``private_destination`` on ``url``; an unknown event: ``unknown_event`` on
``events``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from faxline.accounts.api_auth import actor_of
from faxline.accounts.schemas import Error
from faxline.accounts.selectors import actor_company, company_get
from faxline.core.errors import ValidationFailed
from faxline.core.pagination import paginate
from faxline.notify.webhooks import selectors, services
from faxline.notify.webhooks.models import WebhookDelivery, WebhookEndpoint
from faxline.notify.webhooks.schemas import (
    SIGNATURE_DOC,
    DeliveryDetail,
    DeliveryOut,
    DeliveryPage,
    WebhookIn,
    WebhookOut,
    WebhookPage,
    WebhookPatch,
    WebhookWithSecret,
)

router = Router(tags=["Webhooks"])
LIMIT = Query(50, description="Page size (1 to 500).")
OFFSET = Query(0, description="Items to skip.")


def _errors(*codes: int) -> dict[int, type[Error]]:
    return dict.fromkeys((401, *codes), Error)


def endpoint_out(e: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": e.pk,
        "company_id": e.company_id,
        "url": e.url,
        "description": e.description,
        "number": e.number or None,
        "events": list(e.events or []),
        "status": e.status,
        "paused_reason": e.paused_reason,
        "paused_at": e.paused_at,
        "secret_rotated_at": e.secret_rotated_at,
        "created_at": e.created_at,
    }


def delivery_out(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": d.pk,
        "event_id": d.event.public_id,
        "event_type": d.event.kind,
        "status": d.status,
        "attempts": d.attempts,
        "response_code": d.response_code,
        "latency_ms": d.latency_ms,
        "error": d.error,
        "response_excerpt": d.response_excerpt,
        "next_attempt_at": d.next_attempt_at if d.status == "retrying" else None,
        "last_attempt_at": d.last_attempt_at,
        "delivered_at": d.delivered_at,
        "created_at": d.created_at,
    }


def _endpoint(request: HttpRequest, webhook_id: int) -> WebhookEndpoint:
    return selectors.endpoint_get(actor=actor_of(request), endpoint_id=webhook_id)


@router.get(
    "/webhooks",
    response={200: WebhookPage, **_errors(403, 404, 422)},
    summary="Webhook endpoints",
)
def webhook_list(
    request: HttpRequest,
    company_id: int | None = Query(None, description="Only this company's."),
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """The endpoints you may see (company-level administrators: their company's)."""
    actor = actor_of(request)
    company = company_get(actor=actor, company_id=company_id) if company_id else None
    items, count = paginate(
        selectors.endpoint_list(actor=actor, company=company), limit=limit, offset=offset
    )
    return {"items": [endpoint_out(e) for e in items], "count": count}


@router.post(
    "/webhooks",
    response={201: WebhookWithSecret, **_errors(403, 404, 422)},
    summary="Add a webhook endpoint",
    openapi_extra={
        "description": "Add an endpoint; the answer carries its `secret`, shown "
        "this once.\n\n" + SIGNATURE_DOC
    },
)
def webhook_create(request: HttpRequest, payload: WebhookIn) -> Any:
    actor = actor_of(request)
    if payload.company_id is not None:
        company = company_get(actor=actor, company_id=payload.company_id)
    elif actor.spans_companies:
        raise ValidationFailed(
            "company_id: choose the company whose endpoint this is.", field="company_id"
        )
    else:
        company = actor_company(actor=actor)
    endpoint, secret = services.endpoint_create(
        actor=actor,
        company=company,
        url=payload.url,
        events=payload.events,
        number=payload.number,
        description=payload.description,
    )
    return Status(201, {**endpoint_out(endpoint), "secret": secret})


@router.get(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, **_errors(403, 404)},
    summary="One webhook endpoint",
)
def webhook_get(request: HttpRequest, webhook_id: int) -> Any:
    """The endpoint (never its secret)."""
    return endpoint_out(_endpoint(request, webhook_id))


@router.patch(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, **_errors(403, 404, 422)},
    summary="Change a webhook endpoint",
)
def webhook_update(request: HttpRequest, webhook_id: int, payload: WebhookPatch) -> Any:
    """Change the fields given (omitted: unchanged)."""
    endpoint = services.endpoint_update(
        actor=actor_of(request),
        endpoint=_endpoint(request, webhook_id),
        url=payload.url,
        events=payload.events,
        number=payload.number,
        description=payload.description,
    )
    return endpoint_out(endpoint)


@router.delete(
    "/webhooks/{webhook_id}",
    response={204: None, **_errors(403, 404)},
    summary="Delete a webhook endpoint",
)
def webhook_delete(request: HttpRequest, webhook_id: int) -> Any:
    """Remove the endpoint and its delivery log."""
    services.endpoint_delete(actor=actor_of(request), endpoint=_endpoint(request, webhook_id))
    return Status(204, None)


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    response={200: WebhookWithSecret, **_errors(403, 404)},
    summary="Rotate the secret",
)
def webhook_rotate_secret(request: HttpRequest, webhook_id: int) -> Any:
    """A new secret, used from the next attempt on; the answer shows it this once."""
    endpoint, secret = services.endpoint_rotate_secret(
        actor=actor_of(request), endpoint=_endpoint(request, webhook_id)
    )
    return {**endpoint_out(endpoint), "secret": secret}


@router.post(
    "/webhooks/{webhook_id}/pause",
    response={200: WebhookOut, **_errors(403, 404)},
    summary="Pause an endpoint",
)
def webhook_pause(request: HttpRequest, webhook_id: int) -> Any:
    """Stop sending; new events for it are held."""
    endpoint = services.endpoint_pause(
        actor=actor_of(request), endpoint=_endpoint(request, webhook_id)
    )
    return endpoint_out(endpoint)


@router.post(
    "/webhooks/{webhook_id}/resume",
    response={200: WebhookOut, **_errors(403, 404, 409)},
    summary="Resume an endpoint",
)
def webhook_resume(request: HttpRequest, webhook_id: int) -> Any:
    """Send again, the held events first. 409 `not_paused`."""
    endpoint = services.endpoint_resume(
        actor=actor_of(request), endpoint=_endpoint(request, webhook_id)
    )
    return endpoint_out(endpoint)


@router.post(
    "/webhooks/{webhook_id}/test",
    response={202: DeliveryOut, **_errors(403, 404)},
    summary="Send a test event",
)
def webhook_test(request: HttpRequest, webhook_id: int) -> Any:
    """A `webhook.test` event to this endpoint only (one attempt, by the task worker);
    follow it in the delivery log."""
    delivery = services.endpoint_send_test(
        actor=actor_of(request), endpoint=_endpoint(request, webhook_id)
    )
    return Status(202, delivery_out(delivery))


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response={200: DeliveryPage, **_errors(403, 404, 422)},
    summary="Delivery log",
)
def webhook_deliveries(
    request: HttpRequest,
    webhook_id: int,
    status: str = Query("", description="Only deliveries in this status."),
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """The endpoint's deliveries, newest first: status, response code, latency, attempts."""
    actor = actor_of(request)
    endpoint = _endpoint(request, webhook_id)
    items, count = paginate(
        selectors.delivery_list(actor=actor, endpoint=endpoint, status=status),
        limit=limit,
        offset=offset,
    )
    return {"items": [delivery_out(d) for d in items], "count": count}


@router.get(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}",
    response={200: DeliveryDetail, **_errors(403, 404)},
    summary="One delivery, with the payload sent",
    by_alias=True,
)
def webhook_delivery(request: HttpRequest, webhook_id: int, delivery_id: int) -> Any:
    """The delivery and the payload it carries (`WebhookPayload`: the schema of every
    event)."""
    actor = actor_of(request)
    found = selectors.delivery_get(
        actor=actor, endpoint=_endpoint(request, webhook_id), delivery_id=delivery_id
    )
    return {**delivery_out(found), "payload": services.payload(found.event)}


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut, **_errors(403, 404, 409)},
    summary="Redeliver",
)
def webhook_redeliver(request: HttpRequest, webhook_id: int, delivery_id: int) -> Any:
    """Deliver the event again, with a fresh round of attempts. 409 `endpoint_paused`,
    `delivery_pending`."""
    actor = actor_of(request)
    found = selectors.delivery_get(
        actor=actor, endpoint=_endpoint(request, webhook_id), delivery_id=delivery_id
    )
    return Status(202, delivery_out(services.delivery_redeliver(actor=actor, delivery=found)))
