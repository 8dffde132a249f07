"""Forms of the porting desk (operator console). They only parse input; the services in
``porting.services``, ``porting.desk`` and ``porting.completion`` decide."""

from __future__ import annotations

from typing import Any

from django import forms

from faxline.accounts.models import User
from faxline.porting.choices import LinkDirection, RejectionCode
from faxline.porting.requests.changes import field_label as changes_field_label
from faxline.porting.requests.services import REQUEST_FIELDS

# Fields a rejection may reopen, in the order of the request form.
FIXABLE_FIELDS: tuple[str, ...] = (*REQUEST_FIELDS, "documents")

# The fields a code usually reopens (pre-checked; the operator adjusts).
SUGGESTED_FIELDS: dict[str, tuple[str, ...]] = {
    RejectionCode.ACCOUNT_NUMBER: ("account_number",),
    RejectionCode.ADDRESS_MISMATCH: ("street", "unit", "city", "state", "postal_code"),
    RejectionCode.BUSINESS_NAME: ("business_name",),
    RejectionCode.ALL_DATA_MISMATCH: (
        "business_name",
        "account_number",
        "btn",
        "authorized_name",
        "street",
        "unit",
        "city",
        "state",
        "postal_code",
    ),
    RejectionCode.NUMBER_INACTIVE: ("numbers",),
    RejectionCode.DUE_DATE_TOO_SOON: ("requested_date",),
    RejectionCode.LOA_REQUESTED: ("documents",),
    RejectionCode.END_USER_NAME: ("business_name",),
    RejectionCode.BTN_REMAINS: ("new_btn", "port_type"),
    RejectionCode.PIN: ("pin",),
    RejectionCode.INVALID_BTN: ("btn",),
    RejectionCode.AUTHORIZING_NAME: ("authorized_name", "authorized_title"),
    RejectionCode.NOT_PORTABLE: ("numbers",),
    RejectionCode.RESOLD_ACCOUNT: ("losing_carrier", "account_number", "documents"),
    RejectionCode.UNAUTHORIZED_SIGNATURE: ("authorized_name", "documents"),
}


def field_label(name: str) -> str:
    """The words for a port request's field (as the customer's pages name it)."""
    return changes_field_label(name)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class ScheduleForm(forms.Form):
    foc_date = forms.DateField(label="FOC date", widget=_date_input())


class RejectForm(forms.Form):
    code = forms.ChoiceField(
        label="Reason code",
        choices=[("", "Choose the carrier's reason…")]
        + [(c.value, f"{c.value} · {c.label}") for c in RejectionCode],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label="Note to the customer",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    fields_to_fix = forms.MultipleChoiceField(
        label="Fields to fix (the customer can change only these)",
        required=False,
        choices=[(name, field_label(name)) for name in FIXABLE_FIELDS],
        widget=forms.CheckboxSelectMultiple,
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    private = forms.BooleanField(label="Private (porting team only)", required=False)
    action_required = forms.BooleanField(
        label="Action required (the customer must act)", required=False
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Porting agent",
        queryset=User.objects.none(),
        required=False,
        empty_label="— Unassigned —",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, agents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        if agents is not None:
            field.queryset = agents


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label="Note",
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class LinksForm(forms.Form):
    """Per number of the request: the user it is linked to and the direction."""

    def __init__(
        self,
        *args: Any,
        numbers: list[Any],
        users: list[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.numbers = numbers
        choices = [("", "— Not linked (inventory, unassigned) —")] + [
            (str(u.pk), f"{u} ({u.username})") for u in users
        ]
        self.users = {str(u.pk): u for u in users}
        for index, row in enumerate(numbers):
            self.fields[f"user_{index}"] = forms.ChoiceField(
                label=f"User for {row.number}",
                choices=choices,
                required=False,
                initial=str(row.link_user_id or ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"direction_{index}"] = forms.ChoiceField(
                label=f"Direction for {row.number}",
                choices=LinkDirection.choices,
                initial=row.link_direction,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [
            (row, self[f"user_{i}"], self[f"direction_{i}"]) for i, row in enumerate(self.numbers)
        ]

    def links(self) -> dict[str, tuple[User | None, str]]:
        assert self.is_valid()
        out: dict[str, tuple[User | None, str]] = {}
        for index, row in enumerate(self.numbers):
            user = self.users.get(self.cleaned_data.get(f"user_{index}") or "")
            out[row.number] = (user, self.cleaned_data[f"direction_{index}"])
        return out


class FeeFilterForm(forms.Form):
    company = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "All fees"), ("resubmission", "Resubmission"), ("snap_back", "Snap-back")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    state = forms.ChoiceField(
        required=False,
        choices=[("", "Charged and waived"), ("charged", "Charged"), ("waived", "Waived")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
