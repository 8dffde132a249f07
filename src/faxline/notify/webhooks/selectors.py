"""Reads of the webhooks, scoped to the acting person."""

from __future__ import annotations

from django.db.models import QuerySet

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.core.errors import NotFound, ValidationFailed
from faxline.notify.webhooks.access import may_open_webhooks, may_see_webhooks
from faxline.notify.webhooks.choices import DeliveryStatus
from faxline.notify.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_list(*, actor: Actor, company: Company | None = None) -> QuerySet[WebhookEndpoint]:
    """The endpoints the actor may see (of ``company`` when given), oldest first."""
    if company is not None:
        may_see_webhooks(actor, company).check()
    else:
        may_open_webhooks(actor).check()
    qs = WebhookEndpoint.objects.select_related("company").filter(actor.in_companies_q())
    if company is not None:
        qs = qs.filter(company=company)
    return qs.order_by("created_at", "pk")


def endpoint_get(*, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint; another company's does not exist (404)."""
    if not may_open_webhooks(actor):
        raise NotFound("Webhook endpoint not found.", field="webhook_id")
    found = endpoint_list(actor=actor).filter(pk=endpoint_id).first()
    if found is None:
        raise NotFound("Webhook endpoint not found.", field="webhook_id")
    return found


def delivery_list(
    *, actor: Actor, endpoint: WebhookEndpoint, status: str = ""
) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first."""
    may_see_webhooks(actor, endpoint.company).check()
    qs = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event")
    if status:
        if status not in DeliveryStatus.values:
            raise ValidationFailed(
                "status must be one of " + ", ".join(DeliveryStatus.values) + ".",
                field="status",
            )
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def delivery_get(*, actor: Actor, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    found = delivery_list(actor=actor, endpoint=endpoint).filter(pk=delivery_id).first()
    if found is None:
        raise NotFound("Delivery not found.", field="delivery_id")
    return found
