"""Webhook endpoints, events and deliveries (notify's models; see ``notify/models.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from faxline.core.crypto import EncryptedTextField
from faxline.notify.webhooks.choices import REDELIVERABLE, DeliveryStatus, EndpointStatus


class WebhookEndpoint(models.Model):
    """A URL of a company's that receives the events it subscribes to, signed with its own
    secret (encrypted at rest; shown once, at creation and on rotation).

    ``number`` (E.164, optional) scopes the endpoint to one of the company's numbers: it then
    receives only the events about that number (its inbound faxes, the faxes sent from it,
    its assignment). A paused endpoint receives nothing: its deliveries are held until it is
    resumed (by a person), ``paused_reason`` saying why it was paused.
    """

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    number = models.CharField(max_length=16, blank=True)
    events = models.JSONField(default=list)
    secret = EncryptedTextField()
    status = models.CharField(
        max_length=8, choices=EndpointStatus.choices, default=EndpointStatus.ACTIVE
    )
    paused_reason = models.CharField(max_length=300, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["company", "status"], name="webhook_endpoint_company")]

    def __str__(self) -> str:
        return f"Webhook {self.pk} → {self.url}"


class WebhookEvent(models.Model):
    """Something that happened, as its subscribers receive it: ``public_id`` ("evt_…") is
    the payload's ``id`` (receivers deduplicate on it), ``data`` the payload's ``data``."""

    public_id = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=64)
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="webhook_events"
    )
    number = models.CharField(max_length=16, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"], name="webhook_event_company")]

    def __str__(self) -> str:
        return f"{self.public_id} {self.kind}"


class WebhookDelivery(models.Model):
    """One event to one endpoint, recorded with the event (the truth the worker acts on).

    ``attempts`` counts the attempts of the current round (Redeliver starts a new one);
    ``response_code``, ``latency_ms``, ``error`` and ``response_excerpt`` (at most the first
    200 characters of the answer, control characters removed) describe the last attempt.
    """

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of {self.event_id} to endpoint {self.endpoint_id}"

    @property
    def redeliverable(self) -> bool:
        """A person may deliver it again (it is not on its way)."""
        return self.status in REDELIVERABLE
