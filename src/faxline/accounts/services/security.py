"""The security policy of a company or department (the Security tab)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from faxline.accounts.access import Actor, may_change_security_policy
from faxline.accounts.models import (
    Company,
    Department,
    SecurityPolicy,
)
from faxline.accounts.policy import (
    POLICY_FIELDS,
    POLICY_NUMBER_FIELDS,
    effective_policy,
    own_policy,
)
from faxline.accounts.validation import (
    clean_text,
)
from faxline.core.audit import audit_record
from faxline.core.errors import Conflict, ValidationFailed


def _clean_policy_values(values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name not in POLICY_FIELDS:
            raise ValidationFailed(f"Unknown policy field {name!r}.", field=name)
        if name in POLICY_NUMBER_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationFailed(f"{name} must be a whole number.", field=name)
            limit = 100 if name != "session_timeout_minutes" else 1440
            if name in ("min_age_days", "max_age_days"):
                limit = 3650
            if value < 0 or value > limit:
                raise ValidationFailed(f"{name} must be between 0 and {limit}.", field=name)
            clean[name] = value
        elif name == "description":
            clean[name] = clean_text(value, field=name, max_length=200)
        else:
            if not isinstance(value, bool):
                raise ValidationFailed(f"{name} must be true or false.", field=name)
            clean[name] = value
    return clean


def _check_policy_coherent(policy: SecurityPolicy) -> None:
    if policy.min_length < 4:
        raise ValidationFailed("min_length must be at least 4.", field="min_length")
    if policy.max_length < policy.min_length:
        raise ValidationFailed("max_length must not be below min_length.", field="max_length")
    required = policy.min_alpha + policy.min_numeric + policy.min_special
    if required > policy.max_length:
        raise ValidationFailed("The minimum character counts exceed max_length.", field="min_alpha")
    if policy.min_upper > policy.min_alpha and policy.min_alpha:
        raise ValidationFailed("min_upper must not exceed min_alpha.", field="min_upper")
    if policy.max_age_days and policy.min_age_days >= policy.max_age_days:
        raise ValidationFailed("min_age_days must be below max_age_days.", field="min_age_days")
    if policy.session_timeout_minutes < 5:
        raise ValidationFailed(
            "session_timeout_minutes must be at least 5.", field="session_timeout_minutes"
        )
    if policy.lockout_attempts and policy.lockout_minutes < 1:
        raise ValidationFailed(
            "lockout_minutes must be at least 1 when lock-out is on.", field="lockout_minutes"
        )


@transaction.atomic
def security_policy_save(
    *, actor: Actor, company: Company | None, department: Department | None, values: dict[str, Any]
) -> SecurityPolicy:
    """Customize the policy at a level (company or department); the global one when both
    are None (operators only). Starts from the policy currently in force there."""
    may_change_security_policy(actor, company, department).check()
    if company is None:
        from faxline.accounts.policy import global_policy

        policy = global_policy()
    else:
        existing = own_policy(company=company, department=department)
        if existing is None:
            base = effective_policy(company=company, department=department)
            existing = SecurityPolicy(
                company=company,
                department=department,
                **{f: getattr(base, f) for f in POLICY_FIELDS},
            )
            where = department.name if department else company.name
            existing.description = f"{where} security policy"
        policy = existing
    clean = _clean_policy_values(values)
    before = {f: getattr(policy, f) for f in clean}
    for name, value in clean.items():
        setattr(policy, name, value)
    _check_policy_coherent(policy)
    policy.save()
    audit_record(
        kind="policy.changed",
        actor=actor.user,
        company=company,
        target=policy,
        ip_address=actor.ip_address,
        detail={
            "before": before,
            "after": clean,
            "department_id": department.pk if department else None,
        },
    )
    return policy


@transaction.atomic
def security_policy_reset(*, actor: Actor, company: Company, department: Department | None) -> None:
    """Drop a level's customized policy so the one above applies again."""
    may_change_security_policy(actor, company, department).check()
    policy = own_policy(company=company, department=department)
    if policy is None:
        raise Conflict("This level has no customized policy.", code="policy_not_customized")
    policy.delete()
    audit_record(
        kind="policy.reset",
        actor=actor.user,
        company=company,
        target=department or company,
        ip_address=actor.ip_address,
    )
