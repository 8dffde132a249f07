"""Recording audit events. Called from services inside their transaction.

core knows no domain app: the actor is any user model, the company any model instance
(in practice ``accounts.Company``, see ``AuditEvent.company``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model

from faxline.core.models import AuditEvent

# Keys never written into an event's detail, whatever a caller passes.
_SECRET_KEYS = {"password", "new_password", "pin", "account_number", "api_key", "secret", "token"}


def _type_name(target: Any) -> str:
    if target is None:
        return ""
    meta = getattr(target, "_meta", None)
    return str(meta.model_name) if meta is not None else type(target).__name__.lower()


def audit_record(
    *,
    kind: str,
    actor: AbstractBaseUser | None,
    company: Model | None,
    target: Any = None,
    ip_address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event; secret values in ``detail`` are dropped, never stored."""
    clean = {k: v for k, v in (detail or {}).items() if k.lower() not in _SECRET_KEYS}
    return AuditEvent.objects.create(
        kind=kind,
        actor_id=actor.pk if actor is not None and actor.pk else None,
        actor_label=actor.get_username() if actor is not None else "system",
        company_id=company.pk if company is not None else None,
        target_type=_type_name(target),
        target_id=str(getattr(target, "pk", "") or ""),
        target_label=str(target)[:200] if target is not None else "",
        ip_address=ip_address,
        detail=clean,
    )
