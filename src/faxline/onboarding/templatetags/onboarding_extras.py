"""Template filters of the onboarding pages."""

from __future__ import annotations

from django import template

from faxline.numbers.plan import display_number

register = template.Library()


@register.filter
def fax_number(value: str | None) -> str:
    """``+12065550123`` → ``US +1 2065550123`` (as the Fax Pool Details show numbers)."""
    return display_number(value) if value else ""
