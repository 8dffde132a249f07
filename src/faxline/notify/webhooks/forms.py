"""The Webhooks page's form: shapes only; the rules are the services'."""

from __future__ import annotations

from django import forms

from faxline.notify.webhooks.choices import EventType


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="URL", max_length=2000, widget=forms.URLInput(attrs={"placeholder": "https://"})
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    number = forms.ChoiceField(label="Fax number", required=False)
    events = forms.MultipleChoiceField(
        label="Events",
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose at least one event."},
    )

    def __init__(self, *args: object, numbers: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["number"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Every number of the company"), *((n, n) for n in numbers)]
