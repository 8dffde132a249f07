"""Forms of the sign-in, password, API key and audit pages.

They only parse input; the checks that matter (credentials, policy, history) are in
``accounts.auth``, ``accounts.services`` and ``accounts.passwords``.
"""

from __future__ import annotations

from typing import Any

from django import forms


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; ``is-invalid`` on fields that have an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            base = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + base).strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        names = [field] if field else []
        if isinstance(error, dict):
            names = list(error)
        for name in names:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
            described = [f"id_{name}_error"]
            if self.fields[name].help_text:
                described.append(f"id_{name}_helptext")
            widget.attrs["aria-describedby"] = " ".join(described)


class UsernameForm(StyledForm):
    """Sign-in step 1: the username."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": "Enter your username."},
    )


class PasswordStepForm(StyledForm):
    """Sign-in step 2: the password (the username comes along from step 1)."""

    username = forms.CharField(
        max_length=150,
        strip=True,
        # Password managers pair the password with this (the username-first pattern).
        widget=forms.HiddenInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": "Enter your password."},
    )


class ForgotPasswordForm(StyledForm):
    """Forgot Password?: the username to send a reset link for."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
        error_messages={"required": "Enter your username."},
    )


class NewPasswordForm(StyledForm):
    """A new password typed twice (the policy check is the service's)."""

    new_password = forms.CharField(
        label="New password",
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a new password."},
    )
    confirm_password = forms.CharField(
        label="Confirm new password",
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the new password again."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, confirm = data.get("new_password"), data.get("confirm_password")
        if new and confirm and new != confirm:
            self.add_error("confirm_password", "The two passwords do not match.")
        return data


class PasswordChangeForm(NewPasswordForm):
    """Change password: the current one, then the new one twice."""

    current_password = forms.CharField(
        label="Current password",
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": "Enter your current password."},
    )

    field_order = ["current_password", "new_password", "confirm_password"]


class ApiKeyCreateForm(StyledForm):
    """Create an API key: a name that says where it is used, and the person's password
    typed again (a key lasts until revoked, so creating one needs a recent sign-in)."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        strip=True,
        help_text="Where the key is used, e.g. “Billing system”.",
        error_messages={"required": "Give the key a name."},
    )
    password = forms.CharField(
        label="Your password",
        max_length=200,
        strip=False,
        help_text="Type your password again to confirm it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to create an API key."},
    )


class AuditFilterForm(StyledForm):
    """Filter of the audit log: one event kind, or all."""

    kind = forms.ChoiceField(label="Event", required=False)

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All events"), *[(k, k) for k in kinds]]
