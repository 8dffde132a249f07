"""Template filters of the porting desk's pages."""

from __future__ import annotations

from django import template

from faxline.numbers.plan import display_number

register = template.Library()


@register.filter
def dollars(cents: int | None) -> str:
    """``1300`` → ``$13.00``."""
    return f"${(cents or 0) / 100:,.2f}"


@register.filter
def desk_number(value: str | None) -> str:
    """``+12065550123`` → ``US +1 2065550123`` (as the Fax Pool Details show numbers)."""
    return display_number(value) if value else ""


@register.filter
def get_item(mapping: dict[object, object] | None, key: object) -> object:
    """``mapping[key]`` in a template (None when absent)."""
    return (mapping or {}).get(key)
