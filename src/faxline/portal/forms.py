"""Helpers shared by every portal form."""

from __future__ import annotations

from django import forms

from faxline.core.errors import DomainError


def apply_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    field = exc.field
    if field and field.startswith("settings."):
        field = field.rsplit(".", 1)[-1]
    form.add_error(field if field in form.fields else None, exc.message)
