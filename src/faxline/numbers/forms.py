"""Portal forms of the Fax Number Inventory: Request Inventory, Assign, Inventory limit and
Import number stock.

Request Inventory is a cascade (Country -> State/Province -> Area code - City -> numbers)
that must work step by step without JavaScript, so its state is parsed by
:class:`RequestSelection` from whatever the page sent: values that no longer fit the level
above (another state after the country changed) are dropped rather than reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict

from faxline.accounts.models import User
from faxline.numbers import plan

MAX_SELECTED = 100
COUNTRY_CHOICES = [(code, name) for code, name in plan.COUNTRY_NAMES.items()]


def number_label(number: str) -> str:
    """``+1 3132029700``, as the guide's Choose Fax Numbers list shows a number."""
    if number.startswith("+1") and len(number) == 12:
        return f"+1 {number[2:]}"
    return number


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class RequestSelection:
    """Where the Request Inventory form stands: the cascade and the selected numbers."""

    country: str = ""
    state: str = ""
    area: str = ""
    selected: list[str] = field(default_factory=list)

    @classmethod
    def from_data(cls, data: QueryDict | Mapping[str, Any]) -> RequestSelection:
        def one(name: str) -> str:
            value = data.get(name, "")
            return value.strip() if isinstance(value, str) else ""

        def many(name: str) -> list[str]:
            if isinstance(data, QueryDict):
                values = data.getlist(name)
            else:
                raw: Any = data.get(name, [])
                values = raw if isinstance(raw, list) else [raw]
            return [v.strip() for v in values if isinstance(v, str) and v.strip()]

        country = one("country")
        if country not in plan.COUNTRY_NAMES:
            country = ""
        state = one("state")
        if not country or state not in {code for code, _ in plan.regions(country)}:
            state = ""
        area = one("area")
        if not state or area not in {a.area_code for a in plan.area_codes_in(country, state)}:
            area = ""
        removed = set(many("remove"))
        selected: list[str] = []
        for number in many("numbers") + many("choose"):
            if number not in selected and number not in removed and len(number) <= 20:
                selected.append(number)
        return cls(country, state, area, selected[:MAX_SELECTED])

    @property
    def regions(self) -> list[Choice]:
        if not self.country:
            return []
        return [Choice(code, name) for code, name in plan.regions(self.country)]

    @property
    def area_codes(self) -> list[Choice]:
        if not self.state:
            return []
        return [Choice(a.area_code, a.label) for a in plan.area_codes_in(self.country, self.state)]

    @property
    def selected_choices(self) -> list[Choice]:
        return [Choice(n, number_label(n)) for n in self.selected]

    @property
    def region_label(self) -> str:
        return "Province" if self.country == "CA" else "State"


class AssignForm(forms.Form):
    """Assign: one fax user of the company for an unassigned number, named by username (the
    suggestions offer them as the administrator types) or by id."""

    number = forms.CharField(max_length=20)
    user = forms.CharField(max_length=150, label="Assign to")

    def __init__(self, *args: Any, users: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = users if users is not None else User.objects.none()

    def clean_user(self) -> User:
        """The fax user named, among those the actor may assign to (one query)."""
        raw = str(self.cleaned_data["user"]).strip()
        query = Q(username__iexact=raw)
        if raw.isdigit():
            query |= Q(pk=int(raw))
        found = list(self.users.filter(query)[:2])
        # An id names one user; a username that is also someone's id prefers the username.
        chosen = next((u for u in found if u.username.lower() == raw.lower()), None)
        chosen = chosen or (found[0] if found else None)
        if chosen is None:
            raise forms.ValidationError("Choose a fax user from the suggestions.")
        return chosen


class NumberActionForm(forms.Form):
    """Unassign or Release: just the number."""

    number = forms.CharField(max_length=20)


class InventoryLimitForm(forms.Form):
    """Operators: the company's maximum inventory."""

    max_inventory = forms.IntegerField(
        label="Maximum inventory",
        min_value=0,
        max_value=100_000,
        help_text="The most fax numbers the company may hold.",
    )


class StockImportForm(forms.Form):
    """Operators: a CSV file of numbers for the provider's pool."""

    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with a header line and the columns number,carrier (at most 2 MB).",
    )
