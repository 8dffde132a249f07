"""Forms of the porting desk (operator console). They only parse input; the services in
``porting.services``, ``porting.desk`` and ``porting.completion`` decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from faxline.accounts.models import User
from faxline.porting.choices import LinkDirection, RejectionCode
from faxline.porting.requests.fields import REQUEST_FIELDS, field_label

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
    """Per number of the request shown (a page of them): the user it is linked to and the
    direction. ``user_<i>`` names a fax user of the company by username (suggested as the
    operator types) or by id, blank for none; ``number_<i>`` says which number row ``i``
    is, so a page of numbers posts only its own links (the others keep theirs)."""

    def __init__(
        self,
        *args: Any,
        numbers: list[Any],
        users: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.numbers = numbers
        self.users = users
        self.direction_choices = LinkDirection.choices
        self.chosen: dict[int, User | None] = {}
        for index, row in enumerate(numbers):
            self.fields[f"number_{index}"] = forms.CharField(
                initial=row.number, required=False, widget=forms.HiddenInput
            )
            self.fields[f"user_{index}"] = forms.CharField(
                label=f"User for {row.number}",
                required=False,
                max_length=150,
                initial=row.link_user.username if row.link_user is not None else "",
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm",
                        "list": "fx-link-users",
                        "placeholder": "Not linked (inventory, unassigned)",
                        "autocomplete": "off",
                    }
                ),
            )
            self.fields[f"direction_{index}"] = forms.ChoiceField(
                label=f"Direction for {row.number}",
                choices=LinkDirection.choices,
                initial=row.link_direction,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def clean(self) -> dict[str, Any]:
        """Find every named user in one query; a name that is no fax user of the company is
        an error on its row."""
        cleaned = super().clean() or {}
        typed = {i: str(cleaned.get(f"user_{i}") or "").strip() for i in range(len(self.numbers))}
        names = {t.lower() for t in typed.values() if t}
        ids = {int(t) for t in typed.values() if t.isdigit()}
        found = (
            list(
                self.users.annotate(username_key=Lower("username")).filter(
                    Q(username_key__in=names) | Q(pk__in=ids)
                )
            )
            if names
            else []
        )
        by_name = {u.username.lower(): u for u in found}
        by_id = {u.pk: u for u in found}
        for index, text in typed.items():
            if not text:
                self.chosen[index] = None
                continue
            user = by_name.get(text.lower()) or (by_id.get(int(text)) if text.isdigit() else None)
            if user is None:
                self.add_error(f"user_{index}", f"{text!r} is no active fax user of the company.")
            self.chosen[index] = user
        return cleaned

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (row, self[f"number_{i}"], self[f"user_{i}"], self[f"direction_{i}"])
            for i, row in enumerate(self.numbers)
        ]

    def links(self) -> dict[str, tuple[User | None, str]]:
        assert self.is_valid()
        out: dict[str, tuple[User | None, str]] = {}
        for index, row in enumerate(self.numbers):
            out[row.number] = (self.chosen.get(index), self.cleaned_data[f"direction_{index}"])
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
