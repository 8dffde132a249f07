"""Portal forms of onboarding. They only parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from faxline.accounts.preferences import time_zones
from faxline.documents.limits import MAX_DOCUMENT_BYTES
from faxline.onboarding.choices import Activation, DocumentKind, NativeFaxType, NumberUse

ACCEPT = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,application/pdf,image/png,image/jpeg,image/tiff"
TAX_CHOICES = [("", "Not answered yet"), ("yes", "Yes, tax exempt"), ("no", "No")]


def _text(label: str, max_length: int, *, required: bool = False, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs={"class": "form-control", **attrs}),
    )


class WelcomeForm(forms.Form):
    """First sign-in: New number or Keep my number, and who gets the number."""

    choice = forms.ChoiceField(
        choices=[("new_number", "New number"), ("keep_number", "Keep my number")],
        widget=forms.RadioSelect,
    )
    country = forms.ChoiceField(choices=[("US", "United States"), ("CA", "Canada")], required=False)
    area_code = forms.CharField(max_length=3, required=False)
    numbers = forms.CharField(
        label="Number(s) to keep",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    carrier = _text("Current carrier (if known)", 100)
    temporary_area_code = forms.CharField(max_length=3, required=False)
    user = forms.IntegerField(required=False)
    first_name = _text("First name", 100)
    last_name = _text("Last name", 100)
    email = forms.CharField(
        label="Email",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"class": "form-control"}),
    )

    def numbers_list(self) -> list[str]:
        raw = self.cleaned_data.get("numbers") or ""
        return [
            p.strip() for p in raw.replace(";", "\n").replace(",", "\n").splitlines() if p.strip()
        ]

    def new_user(self) -> dict[str, str] | None:
        data = {
            k: (self.cleaned_data.get(k) or "").strip()
            for k in ("first_name", "last_name", "email")
        }
        return data if any(data.values()) else None


class NewOrderForm(forms.Form):
    company = forms.TypedChoiceField(label="Client company", coerce=int)

    def __init__(self, *args: Any, companies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a company")] + [(pk, name) for pk, name in companies]
        field.widget.attrs["class"] = "form-select"


class BillingForm(forms.Form):
    billing_contact_name = _text("Billing contact name", 200, autocomplete="name")
    billing_contact_email = forms.EmailField(
        label="Billing contact email",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"class": "form-control", "autocomplete": "email"}),
    )

    def changes(self) -> dict[str, Any]:
        return {
            "billing_contact_name": self.cleaned_data["billing_contact_name"],
            "billing_contact_email": self.cleaned_data["billing_contact_email"],
        }


class TaxForm(forms.Form):
    tax_exempt = forms.ChoiceField(
        label="Is the client tax exempt?", choices=TAX_CHOICES, required=False
    )

    def value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("tax_exempt") or "")


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=forms.HiddenInput)
    file = forms.FileField(
        label="File",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ACCEPT}),
    )
    statement_date = forms.DateField(
        label="Statement date",
        required=False,
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size and upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError("The file is larger than 10 MB.")
        return upload


class PortNumberForm(forms.Form):
    number = _text("Number", 40, required=True, placeholder="(206) 555-0100", inputmode="tel")
    use = forms.ChoiceField(
        label="Use", choices=NumberUse.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    port = forms.ChoiceField(
        label="Port it?",
        choices=[("yes", "Port"), ("no", "Do not port")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    user = forms.TypedChoiceField(
        label="Faxes go to",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, users: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose later")] + [(pk, name) for pk, name in users]


class CsvForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,text/csv"}),
    )


class FinalOrderForm(forms.Form):
    """The final order's fields (seed 001, those that make sense for fax)."""

    domain = _text("Domain", 253, placeholder="example.com")
    time_zone = forms.ChoiceField(
        label="Time zone", required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    activation = forms.ChoiceField(
        label="ASAP or porting",
        required=False,
        choices=[("", "Not chosen")] + [(v, lbl) for v, lbl in Activation.choices if v],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    temporary_numbers = forms.IntegerField(
        label="Quantity of temporary numbers",
        min_value=0,
        max_value=50,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    area_code = _text("Area code", 3, inputmode="numeric", placeholder="206")
    port_date = forms.DateField(
        label="Port date",
        required=False,
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )
    current_carrier = _text("Current carrier", 100)
    pin = forms.CharField(
        label="PIN / passcode at the current carrier",
        max_length=20,
        required=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    authorized_user_name = _text("Authorized user name", 200)
    authorized_user_title = _text("Authorized user title", 100)
    main_caller_id = _text("Main caller ID", 40, inputmode="tel")
    e911_number = _text("E911 number", 40, inputmode="tel")
    e911_address = _text("E911 address", 300)
    native_fax_type = forms.ChoiceField(
        label="Native fax type",
        required=False,
        choices=[("", "Not chosen")] + [(v, lbl) for v, lbl in NativeFaxType.choices if v],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    native_fax_number = _text("Native fax number", 40, inputmode="tel")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a time zone")] + [(z, z) for z in time_zones()]


class AssignForm(forms.Form):
    number = forms.CharField(max_length=16)
    user = forms.IntegerField()
