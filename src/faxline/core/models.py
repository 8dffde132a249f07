"""Core models: the audit trail shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One recorded event: who did what to which object, when, from where, and why.

    Events are append-only. ``company`` scopes visibility: operators see every event,
    company administrators those of their company.
    """

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    # The one place core names a domain app, by app label and never by import: the trail is
    # scoped to the tenant and goes with it (docs/architecture.md, "core and the tenant").
    company = models.ForeignKey(
        "accounts.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["company", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.kind} {self.target_label}"


class IdempotencyKey(models.Model):
    """A POST sent with an ``Idempotency-Key`` header, and the answer it got.

    The key is the client's, scoped to the authenticated person (``principal``): two people
    may use the same key. While the first request runs, ``status`` is null (in progress);
    then it holds the answer, replayed to every retry with the same key and the same request
    (``fingerprint``: method, path, query and body). The answer's body is encrypted at rest
    (it may carry a new API key's secret or a generated password). Rows expire after
    ``FAXLINE_IDEMPOTENCY_TTL_HOURS`` (see ``faxline.core.idempotency``).
    """

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    body_encrypted = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["principal", "key"], name="core_idempotency_key_per_principal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
