"""The security policy: which one applies, and whether a password satisfies it."""

from __future__ import annotations

import re
import secrets
import string
from datetime import timedelta

from django.contrib.auth.hashers import check_password
from django.utils import timezone

from faxline.accounts.models import Company, Department, PasswordHistory, SecurityPolicy, User

# Special characters of generated passwords: none that HTML, email or a shell quote needs.
SPECIALS = "!@#$%^*()-_=+[]{};:,.?/~|"
POLICY_NUMBER_FIELDS = (
    "min_length",
    "max_length",
    "min_alpha",
    "min_upper",
    "min_numeric",
    "min_special",
    "history_count",
    "min_age_days",
    "max_age_days",
    "lockout_attempts",
    "lockout_minutes",
    "session_timeout_minutes",
)
POLICY_FIELDS = (
    "description",
    *POLICY_NUMBER_FIELDS,
    "exclude_personal_info",
    "force_change_by_admin",
)


def global_policy() -> SecurityPolicy:
    """The platform-wide policy (created on first use with the guide's defaults)."""
    policy = SecurityPolicy.objects.filter(company__isnull=True, department__isnull=True).first()
    if policy is None:
        policy = SecurityPolicy.objects.create(description="Global Policy")
    return policy


def own_policy(*, company: Company, department: Department | None) -> SecurityPolicy | None:
    """The policy customized exactly at this level, if any."""
    if department is not None:
        return SecurityPolicy.objects.filter(department=department).first()
    return SecurityPolicy.objects.filter(company=company, department__isnull=True).first()


def effective_policy(*, company: Company | None, department: Department | None) -> SecurityPolicy:
    """The nearest customized policy up the tree, else the company's, else the global one."""
    if department is not None:
        ids = [d.pk for d in [department, *reversed(department.ancestors())]]
        found = {p.department_id: p for p in SecurityPolicy.objects.filter(department_id__in=ids)}
        for dept_id in ids:
            if dept_id in found:
                return found[dept_id]
    if company is not None:
        policy = own_policy(company=company, department=None)
        if policy is not None:
            return policy
    return global_policy()


def policy_for_user(user: User) -> SecurityPolicy:
    return effective_policy(company=user.company, department=user.department)


def password_problems(
    password: str,
    *,
    policy: SecurityPolicy,
    user: User | None = None,
    personal: tuple[str, ...] = (),
) -> list[str]:
    """Everything wrong with ``password`` under ``policy``, as sentences; empty if it is fine.

    ``user`` enables the history check; ``personal`` lists the names, username and email
    the password must not contain when the policy excludes personal information.
    """
    problems: list[str] = []
    if len(password) < policy.min_length:
        problems.append(f"must be at least {policy.min_length} characters long")
    if len(password) > policy.max_length:
        problems.append(f"must be at most {policy.max_length} characters long")
    counts = {
        "alpha": sum(ch.isalpha() for ch in password),
        "upper": sum(ch.isupper() for ch in password),
        "numeric": sum(ch.isdigit() for ch in password),
        "special": sum((not ch.isalnum()) and not ch.isspace() for ch in password),
    }
    for key, minimum, label in (
        ("alpha", policy.min_alpha, "letter"),
        ("upper", policy.min_upper, "upper-case letter"),
        ("numeric", policy.min_numeric, "digit"),
        ("special", policy.min_special, "special character"),
    ):
        if counts[key] < minimum:
            plural = "s" if minimum > 1 else ""
            problems.append(f"must contain at least {minimum} {label}{plural}")
    if policy.exclude_personal_info:
        lowered = password.lower()
        for item in personal:
            for part in re.split(r"[@.\s_-]+", item.lower()):
                if len(part) >= 3 and part in lowered:
                    problems.append("must not contain your name, username or email address")
                    break
            else:
                continue
            break
    if user is not None and user.pk and policy.history_count:
        recent = PasswordHistory.objects.filter(user=user)[: policy.history_count]
        if any(check_password(password, h.password) for h in recent):
            problems.append(f"must differ from your last {policy.history_count} passwords")
    return problems


def personal_info(user: User) -> tuple[str, ...]:
    return (user.first_name, user.last_name, user.username, user.email)


def generate_password(policy: SecurityPolicy) -> str:
    """A random password that satisfies ``policy``."""
    length = max(policy.min_length, 16)
    length = min(length, policy.max_length)
    needed = (
        [secrets.choice(string.ascii_uppercase) for _ in range(max(policy.min_upper, 1))]
        + [secrets.choice(string.ascii_lowercase) for _ in range(max(policy.min_alpha, 1))]
        + [secrets.choice(string.digits) for _ in range(max(policy.min_numeric, 1))]
        + [secrets.choice(SPECIALS) for _ in range(max(policy.min_special, 1))]
    )
    pool = string.ascii_letters + string.digits
    rest = [secrets.choice(pool) for _ in range(max(length - len(needed), 0))]
    chars = needed + rest
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def password_expired(user: User, policy: SecurityPolicy) -> bool:
    """True when the policy's maximum password age has passed."""
    if not policy.max_age_days or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > timedelta(days=policy.max_age_days)


def password_too_young(user: User, policy: SecurityPolicy) -> bool:
    """True when the user changed their password less than the minimum age ago."""
    if not policy.min_age_days or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at < timedelta(days=policy.min_age_days)
