"""Field checks shared by the account services (names, usernames, emails, contact data)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from faxline.core.errors import ValidationFailed

USERNAME_RE = re.compile(r"^[A-Za-z0-9@.+_-]{3,150}$")
MAX_RECEIVING_EMAILS = 3

CONTACT_FIELDS = {
    "address1": 200,
    "address2": 200,
    "city": 100,
    "region": 100,
    "postal_code": 20,
    "phone": 30,
}
CUSTOM_FIELDS = {"custom1": 200, "custom2": 200, "custom3": 200, "custom4": 200}


def clean_text(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    """Strip a text field, refuse control characters and over-long values."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be text.", field=field)
    value = value.strip()
    if required and not value:
        raise ValidationFailed(f"{field} is required.", field=field)
    if len(value) > max_length:
        raise ValidationFailed(f"{field} must be at most {max_length} characters.", field=field)
    if any(ord(ch) < 32 for ch in value):
        raise ValidationFailed(f"{field} must not contain control characters.", field=field)
    return value


def clean_email(value: Any, *, field: str, required: bool = True) -> str:
    text = clean_text(value, field=field, max_length=254, required=required)
    if not text:
        return ""
    try:
        validate_email(text)
    except DjangoValidationError as exc:
        raise ValidationFailed(f"{field} is not a valid email address.", field=field) from exc
    return text.lower()


def clean_username(value: Any, *, field: str = "username") -> str:
    text = clean_text(value, field=field, max_length=150, required=True)
    if not USERNAME_RE.match(text):
        raise ValidationFailed(
            f"{field} must be 3 to 150 characters: letters, digits and @ . + - _ only.",
            field=field,
        )
    return text


def clean_receiving_emails(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[;,\s]+", value) if part]
    if not isinstance(value, list):
        raise ValidationFailed("receiving_emails must be a list.", field="receiving_emails")
    if len(value) > MAX_RECEIVING_EMAILS:
        raise ValidationFailed(
            f"At most {MAX_RECEIVING_EMAILS} receiving email addresses.", field="receiving_emails"
        )
    cleaned = [clean_email(v, field="receiving_emails") for v in value]
    if len(set(cleaned)) != len(cleaned):
        raise ValidationFailed("receiving_emails lists an address twice.", field="receiving_emails")
    return cleaned


def clean_contact(values: dict[str, Any]) -> dict[str, str]:
    """Contact details and custom fields present in ``values``, cleaned."""
    out: dict[str, str] = {}
    for name, limit in {**CONTACT_FIELDS, **CUSTOM_FIELDS}.items():
        if name in values:
            out[name] = clean_text(values[name], field=name, max_length=limit)
    if "country" in values:
        country = clean_text(values["country"], field="country", max_length=2).upper()
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            raise ValidationFailed("country must be a two-letter ISO code.", field="country")
        out["country"] = country
    return out


# Longer than any telephone number in any spelling; a longer value is not one.
