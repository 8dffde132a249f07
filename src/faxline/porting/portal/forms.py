"""Portal forms of Number Porting: the Port Requests filter, the + New Port Request wizard,
Edit (a Draft, or the fields a rejection reopened), Request a change, notes, cancel and the
bulk import.

Forms check the shape of the input (required, lengths, known choices, numbers that parse)
so a wizard can stop at the step with a mistake; the first-time-right rules are the
validation engine's and every write is the services'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone

from faxline.accounts.forms import BootstrapForm
from faxline.core.errors import ValidationFailed
from faxline.numbers.plan import normalize_number, regions
from faxline.portal.toolkit import StepsForm
from faxline.porting.choices import LineType, PortStatus, PortType
from faxline.porting.models import PortRequest, ServiceAddress
from faxline.porting.requests.bulk import MAX_BYTES, numbers_from_text
from faxline.porting.requests.changes import CHANGEABLE_FIELDS, field_label
from faxline.porting.requests.fields import (
    ADDRESS_FIELDS,
    BY_NAME,
    REQUEST_FIELDS,
    REQUIRED_FIELDS,
    SECRET_FIELDS,
    max_length,
)
from faxline.porting.requests.services import MAX_NUMBERS

ROW_COUNTS = (10, 15, 25, 50)
STATUS_FILTER_CHOICES = [("", "No Filter"), *PortStatus.choices]
LINE_TYPE_CHOICES = [
    (LineType.LANDLINE.value, "Landline"),
    (LineType.VOIP.value, "VoIP"),
    (LineType.WIRELESS.value, "Wireless (mobile)"),
    (LineType.TOLL_FREE.value, "Toll-free"),
    (LineType.UNKNOWN.value, "Not sure"),
]
COUNTRY_CODE_CHOICES = [("1", "+1 (US, Canada)")]
COUNTRY_CHOICES = [("US", "United States"), ("CA", "Canada")]
SHARED_USE_CHOICES = [
    ("credit_card_terminal", "A credit card terminal"),
    ("alarm", "An alarm system"),
    ("internet", "Internet service (DSL)"),
]
PORT_TYPE_CHOICES = [
    (PortType.FULL.value, "Full port: every number on the account moves"),
    (PortType.PARTIAL.value, "Partial port: some numbers stay with the current carrier"),
]
NEW_ADDRESS = "new"
MAX_NUMBER_ROWS = MAX_NUMBERS


def state_choices() -> list[Any]:
    return [
        ("", "Choose…"),
        ("United States", list(regions("US"))),
        ("Canada", list(regions("CA"))),
    ]


# --- the list -------------------------------------------------------------------------


class PortListFilter(forms.Form):
    """The Port Requests list's filter, search and row count (GET)."""

    status = forms.ChoiceField(choices=STATUS_FILTER_CHOICES, required=False)
    q = forms.CharField(required=False, max_length=100)
    rows = forms.TypedChoiceField(
        choices=[(n, n) for n in ROW_COUNTS], coerce=int, required=False, empty_value=None
    )
    page = forms.IntegerField(required=False, min_value=1)
    action_required = forms.BooleanField(required=False)

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"status": "", "q": "", "rows": 10, "page": 1, "action_required": False}
        data = self.cleaned_data
        return {
            "status": data["status"] or "",
            "q": (data["q"] or "").strip(),
            "rows": data["rows"] or 10,
            "page": data["page"] or 1,
            "action_required": bool(data["action_required"]),
        }


# --- numbers to port (rows) -------------------------------------------------------------


@dataclass
class NumberRow:
    """One "Country Code + Subscriber Number" row of the Numbers step."""

    index: int
    country_code: str = "1"
    subscriber: str = ""
    line_type: str = LineType.LANDLINE.value
    error: str = ""
    e164: str = ""
    findings: list[Any] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return not self.subscriber.strip()


def _list(data: Any, name: str) -> list[str]:
    if data is None:
        return []
    if isinstance(data, QueryDict):
        return [str(v) for v in data.getlist(name)]
    value = data.get(name, [])
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def rows_from_data(data: Any) -> list[NumberRow]:
    codes = _list(data, "number_cc")
    subscribers = _list(data, "number_sub")
    types = _list(data, "number_type")
    rows = []
    for i, subscriber in enumerate(subscribers[:MAX_NUMBER_ROWS]):
        rows.append(
            NumberRow(
                index=i,
                country_code=(codes[i] if i < len(codes) else "1") or "1",
                subscriber=subscriber.strip(),
                line_type=(types[i] if i < len(types) else "") or LineType.LANDLINE.value,
            )
        )
    return rows


def rows_from_numbers(numbers: list[tuple[str, str]]) -> list[NumberRow]:
    return [
        NumberRow(index=i, subscriber=n.removeprefix("+1"), line_type=t, e164=n)
        for i, (n, t) in enumerate(numbers)
    ]


class NumberRowsMixin(forms.Form):
    """The numbers to port as rows (``number_cc``, ``number_sub``, ``number_type`` lists);
    errors about them are kept on the hidden ``numbers`` field and on each row."""

    numbers = forms.CharField(required=False, widget=forms.HiddenInput)
    rows: list[NumberRow]

    def init_rows(self, initial_rows: list[NumberRow] | None) -> None:
        if self.is_bound:
            self.rows = rows_from_data(self.data)
        else:
            self.rows = list(initial_rows or [])
        if not self.rows:
            self.rows = [NumberRow(index=0)]

    def add_row(self) -> None:
        if len(self.rows) < MAX_NUMBER_ROWS:
            self.rows.append(NumberRow(index=len(self.rows)))

    def remove_row(self, index: int) -> None:
        self.rows = [r for r in self.rows if r.index != index]
        for i, row in enumerate(self.rows):
            row.index = i
        if not self.rows:
            self.rows = [NumberRow(index=0)]

    def clean_rows(self) -> list[tuple[str, str]]:
        cleaned: list[tuple[str, str]] = []
        seen: dict[str, int] = {}
        problems = 0
        for row in self.rows:
            if row.blank:
                continue
            if row.country_code != "1":
                row.error = "Only US and Canadian numbers (+1) can be ported."
            elif row.line_type not in LineType.values:
                row.error = "Choose the line type."
            else:
                raw = "+1" + _national(row.subscriber)
                try:
                    row.e164 = normalize_number(raw, field="number")
                except ValidationFailed:
                    row.error = (
                        f"'{row.subscriber}' is not a valid number: enter the 10-digit "
                        "number (area code + 7 digits)."
                    )
                else:
                    if row.e164 in seen:
                        row.error = f"{row.e164} is listed twice (row {seen[row.e164] + 1})."
                    else:
                        seen[row.e164] = row.index
                        cleaned.append((row.e164, row.line_type))
            if row.error:
                problems += 1
        if problems:
            self.add_error(
                "numbers",
                f"{problems} number{'s' if problems > 1 else ''} to correct.",
            )
        elif not cleaned:
            self.add_error("numbers", "Enter at least one number to port.")
        return cleaned


def _national(subscriber: str) -> str:
    digits = "".join(ch for ch in subscriber if ch.isdigit())
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def _text(label: str, max_length: int, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required, **kwargs)


def _phone(label: str, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=30,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


def _field(name: str, **kwargs: Any) -> forms.CharField:
    """A text input of a request field, with its label, length and need from the list."""
    spec = BY_NAME[name]
    kwargs.setdefault("required", spec.required)
    return _text(spec.short_label, spec.max_length, **kwargs)


def _label(name: str) -> str:
    return BY_NAME[name].short_label


def request_fields() -> dict[str, forms.Field]:
    """The fields of a port request as the wizard, Edit and Request a change show them
    (named as the services name them, so a refusal lands on its field; labels, lengths and
    what is required come from ``porting.requests.fields``)."""
    return {
        "contact_first_name": _field("contact_first_name"),
        "contact_last_name": _field("contact_last_name"),
        "contact_phone": _phone(_label("contact_phone"), required=False),
        "contact_email": forms.EmailField(
            label=_label("contact_email"), max_length=max_length("contact_email")
        ),
        "btn": _phone(
            _label("btn"),
            required=False,
            help_text="The BTN is on your Customer Service Record (CSR); confirm it with your "
            "current carrier.",
        ),
        "losing_carrier": _field("losing_carrier", help_text="Your current carrier."),
        "account_number": _field(
            "account_number",
            help_text="As on your latest bill from the current carrier.",
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        ),
        "pin": _field(
            "pin",
            help_text="Required for wireless numbers. Kept encrypted and never shown again.",
            widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        ),
        "shared_line_uses": forms.MultipleChoiceField(
            label=_label("shared_line_uses"),
            choices=SHARED_USE_CHOICES,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        ),
        "business_name": _field(
            "business_name", help_text="Exactly as it appears on your bill or CSR."
        ),
        "authorized_name": _field(
            "authorized_name",
            help_text="First and last name of the account's authorized user or owner: the "
            "person who signs the Letter of Authorization.",
        ),
        "authorized_title": _field("authorized_title"),
        "authorized_email": forms.EmailField(
            label=_label("authorized_email"),
            max_length=max_length("authorized_email"),
            required=False,
            help_text="Where the LOA signing link is sent if someone else fills in the request.",
        ),
        "street": _field("street"),
        "unit": _field("unit"),
        "city": _field("city"),
        "state": forms.ChoiceField(label=_label("state"), choices=state_choices),
        "postal_code": _field("postal_code"),
        "country": forms.ChoiceField(
            label=_label("country"), choices=COUNTRY_CHOICES, initial="US"
        ),
        "port_type": forms.ChoiceField(
            label=_label("port_type"),
            choices=PORT_TYPE_CHOICES,
            widget=forms.RadioSelect,
            initial="full",
        ),
        "new_btn": _phone(
            _label("new_btn"),
            required=False,
            help_text="Required for a partial port in which the BTN ports: the number that "
            "becomes the BTN of what stays with the current carrier.",
        ),
        "requested_date": forms.DateField(
            label=_label("requested_date"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            help_text="The earliest date is the carrier's; leave empty for as soon as possible.",
        ),
        "special_instructions": _field(
            "special_instructions", widget=forms.Textarea(attrs={"rows": 3})
        ),
    }


def _clean_phone(form: forms.Form, name: str) -> str:
    raw = (form.cleaned_data.get(name) or "").strip()
    if not raw:
        return ""
    try:
        return normalize_number(raw, field=name)
    except ValidationFailed:
        form.add_error(name, f"'{raw}' is not a valid US or Canadian number.")
        return ""


class NewPortRequestForm(StepsForm, BootstrapForm, NumberRowsMixin):
    """+ New Port Request: the guide's steps plus what the losing carrier checks (shown
    one step at a time by the portal's wizard engine)."""

    STEPS = [
        (
            "Contact Information",
            [
                "company",
                "contact_first_name",
                "contact_last_name",
                "contact_phone",
                "contact_email",
            ],
        ),
        ("Numbers", ["numbers", "numbers_paste", "numbers_file", "btn", "btn_same"]),
        ("Carrier", ["losing_carrier", "account_number", "pin", "shared_line_uses"]),
        (
            "Authorized Person",
            ["business_name", "authorized_name", "authorized_title", "authorized_email"],
        ),
        (
            "Service Address",
            [
                "address_choice",
                "street",
                "unit",
                "city",
                "state",
                "postal_code",
                "country",
                "save_address",
            ],
        ),
        ("Port Type", ["port_type", "new_btn", "requested_date"]),
        ("Confirmation", ["special_instructions"]),
    ]

    company = forms.TypedChoiceField(label="Company", coerce=int, required=False)
    numbers_paste = forms.CharField(
        label="Paste many numbers",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2065550123,landline\n2065550124"}),
        help_text="One number a line, optionally followed by a comma and the line type.",
    )
    numbers_file = forms.FileField(
        label="Or upload a CSV file",
        required=False,
        help_text="A column 'number' (and optionally 'line_type'), or one number a line.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    btn_same = forms.BooleanField(label="Same as number to port", required=False)
    address_choice = forms.ChoiceField(label="Choose Existing Address", required=False)
    save_address = forms.BooleanField(
        label="Save this address for future port requests", required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        companies: list[tuple[int, str]] | None = None,
        addresses: list[ServiceAddress] | None = None,
        initial_numbers: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields = request_fields()
        for name in ("numbers", "company", "numbers_paste", "numbers_file", "btn_same"):
            fields.pop(name, None)
        self.fields.update(fields)
        self.picks_company = bool(companies)
        if not companies:
            del self.fields["company"]
        else:
            company_field = self.fields["company"]
            assert isinstance(company_field, forms.TypedChoiceField)
            company_field.choices = [("", "Choose the company…"), *companies]
            company_field.required = True
        self.addresses = {a.pk: a for a in addresses or []}
        choice = self.fields["address_choice"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [
            ("", "Choose Existing Address"),
            *[(str(a.pk), str(a)) for a in addresses or []],
            (NEW_ADDRESS, "+ New Service Address"),
        ]
        self.init_rows(rows_from_numbers(initial_numbers) if initial_numbers else None)
        self.style_widgets()

    def error_field(self, name: str | None) -> str | None:
        """A refusal about ``numbers[2].number`` is shown on the numbers."""
        if name and name.startswith("numbers"):
            return "numbers"
        return super().error_field(name)

    # --- cleaning -------------------------------------------------------------------

    @property
    def address_mode(self) -> str:
        """``existing`` (an address of the book is chosen), ``new`` or ``choose``."""
        raw = (self.data.get("address_choice") if self.is_bound else "") or ""
        if raw == NEW_ADDRESS or not self.addresses:
            return "new"
        if raw.isdigit() and int(raw) in self.addresses:
            return "existing"
        return "choose"

    @property
    def chosen_address(self) -> ServiceAddress | None:
        raw = (self.data.get("address_choice") if self.is_bound else "") or ""
        return self.addresses.get(int(raw)) if raw.isdigit() else None

    def full_clean(self) -> None:
        # The address fields are required only for a new address.
        existing = self.is_bound and self.address_mode != "new"
        for name in ("street", "city", "state", "postal_code"):
            self.fields[name].required = not existing
        super().full_clean()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        numbers = self.clean_rows()
        data["numbers_list"] = numbers
        data["btn"] = _clean_phone(self, "btn")
        data["new_btn"] = _clean_phone(self, "new_btn")
        if data.get("btn_same"):
            if numbers:
                data["btn"] = numbers[0][0]
            elif "btn" in self.errors:
                del self.errors["btn"]
        elif not data["btn"] and "btn" not in self.errors:
            self.add_error(
                "btn",
                "Enter the Billing Telephone Number, or check 'Same as number to port'.",
            )
        mode = self.address_mode
        if mode == "choose":
            self.add_error(
                "address_choice",
                "Choose an existing service address, or click + New Service Address.",
            )
        elif mode == "existing":
            address = self.chosen_address
            assert address is not None
            for name in ADDRESS_FIELDS:
                data[name] = getattr(address, name)
        if (
            data.get("port_type") == PortType.PARTIAL
            and data.get("btn")
            and any(n == data["btn"] for n, _ in numbers)
            and not data.get("new_btn")
            and "new_btn" not in self.errors
        ):
            self.add_error(
                "new_btn",
                "The BTN ports while other numbers stay on the account: give the new BTN "
                "of what stays.",
            )
        requested = data.get("requested_date")
        if isinstance(requested, date) and requested < timezone.localdate():
            self.add_error("requested_date", "The requested date cannot be in the past.")
        return data

    def service_data(self) -> dict[str, Any]:
        """The cleaned wizard as ``port_request_create``'s ``data``."""
        data = self.cleaned_data
        out: dict[str, Any] = {
            name: data.get(name)
            for name in REQUEST_FIELDS
            if name not in ("numbers", "shared_line_uses")
        }
        out["shared_line_uses"] = list(data.get("shared_line_uses") or [])
        out["numbers"] = [{"number": n, "line_type": t} for n, t in data["numbers_list"]]
        return {k: ("" if v is None and k != "requested_date" else v) for k, v in out.items()}

    # --- the numbers step's helpers ------------------------------------------------

    def import_numbers(self, text: str) -> list[str]:
        """Append the numbers of pasted text or a CSV file to the rows; returns problems."""
        found = numbers_from_text(text, limit=MAX_NUMBER_ROWS)
        have = {_national(r.subscriber) for r in self.rows}
        self.rows = [r for r in self.rows if not r.blank]
        for number, line_type in found.numbers:
            national = number.removeprefix("+1")
            if national in have:
                continue
            have.add(national)
            if len(self.rows) >= MAX_NUMBER_ROWS:
                found.problems.append(f"At most {MAX_NUMBER_ROWS} numbers per request.")
                break
            self.rows.append(
                NumberRow(index=len(self.rows), subscriber=national, line_type=line_type)
            )
        if not self.rows:
            self.rows = [NumberRow(index=0)]
        return found.problems


def read_upload(upload: Any) -> str:
    """The text of an uploaded numbers file (refused when too big or not UTF-8 text)."""
    from faxline.porting.requests.bulk import decode_csv

    data = upload.read(MAX_BYTES + 1)
    return decode_csv(data)


# --- Edit ------------------------------------------------------------------------------


class PortEditForm(BootstrapForm, NumberRowsMixin):
    """Edit a Draft (every field) or the reopened fields of a Rejected request."""

    use_required_attribute = False

    SECTIONS = [
        (
            "Contact Information",
            ["contact_first_name", "contact_last_name", "contact_phone", "contact_email"],
        ),
        ("Numbers", ["numbers", "btn"]),
        ("Carrier", ["losing_carrier", "account_number", "pin", "shared_line_uses"]),
        (
            "Authorized Person",
            ["business_name", "authorized_name", "authorized_title", "authorized_email"],
        ),
        ("Service Address", ["street", "unit", "city", "state", "postal_code", "country"]),
        ("Port Type", ["port_type", "new_btn", "requested_date"]),
        ("Special Instructions", ["special_instructions"]),
    ]
    SECRET = tuple(sorted(SECRET_FIELDS))

    def __init__(
        self, *args: Any, port: PortRequest, allowed: list[str] | None = None, **kwargs: Any
    ) -> None:
        self.port = port
        initial = {
            name: getattr(port, name)
            for name in CHANGEABLE_FIELDS
            if name not in ("numbers", *self.SECRET)
        }
        initial["shared_line_uses"] = list(port.shared_line_uses or [])
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        fields = request_fields()
        everything = [n for _, names in self.SECTIONS for n in names]
        self.allowed = [n for n in everything if allowed is None or n in allowed]
        for name in everything:
            if name == "numbers":
                continue
            if name in self.allowed:
                self.fields[name] = fields[name]
        for name in self.SECRET:
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].widget = forms.PasswordInput(
                    render_value=True, attrs={"autocomplete": "new-password"}
                )
                self.fields[name].help_text = "Leave empty to keep the one on file (hidden)."
        if "numbers" not in self.allowed:
            del self.fields["numbers"]
        self.init_rows(rows_from_numbers(list(port.numbers.values_list("number", "line_type"))))
        self.style_widgets()

    def sections(self) -> list[tuple[str, list[str]]]:
        return [
            (title, [n for n in names if n in self.allowed])
            for title, names in self.SECTIONS
            if any(n in self.allowed for n in names)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "numbers" in self.allowed:
            data["numbers_list"] = self.clean_rows()
        for name in ("btn", "new_btn"):
            if name in self.fields:
                data[name] = _clean_phone(self, name)
        if "btn" in self.fields and not data.get("btn") and "btn" not in self.errors:
            self.add_error("btn", "Enter the Billing Telephone Number.")
        return data

    def changes(self) -> dict[str, Any]:
        """What differs from the stored request (empty secrets mean "keep")."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for name in self.allowed:
            if name == "numbers":
                wanted = data.get("numbers_list") or []
                current = list(
                    self.port.numbers.order_by("number").values_list("number", "line_type")
                )
                if sorted(wanted) != sorted(current):
                    out["numbers"] = [{"number": n, "line_type": t} for n, t in wanted]
                continue
            value = data.get(name)
            if name in self.SECRET:
                if value:
                    out[name] = value
                continue
            if name == "shared_line_uses":
                value = sorted(value or [])
                if value != sorted(self.port.shared_line_uses or []):
                    out[name] = value
                continue
            current_value = getattr(self.port, name)
            if (value or None) != (current_value or None):
                out[name] = value if value is not None else ""
        return out


# --- Request a change ------------------------------------------------------------------


class ChangeRequestForm(BootstrapForm):
    """Request a change after submission: edit what should change, say why."""

    use_required_attribute = False
    SECRET = tuple(sorted(SECRET_FIELDS))
    FIELDS = [n for n in CHANGEABLE_FIELDS if n not in ("numbers", "requested_date")]

    numbers_text = forms.CharField(
        label="Numbers to port",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One number a line. Remove a line to drop a number from the request.",
    )
    reason = forms.CharField(
        label="Why the change?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The porting team reads this before they pass the change to the carriers.",
    )

    def __init__(self, *args: Any, port: PortRequest, **kwargs: Any) -> None:
        self.port = port
        initial = {n: getattr(port, n) for n in self.FIELDS if n not in self.SECRET}
        initial["numbers_text"] = "\n".join(
            f"{n},{t}"
            for n, t in port.numbers.order_by("number").values_list("number", "line_type")
        )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        fields = request_fields()
        for name in self.FIELDS:
            f = fields[name]
            f.required = False
            self.fields[name] = f
        for name in self.SECRET:
            self.fields[name].widget = forms.PasswordInput(
                render_value=True, attrs={"autocomplete": "new-password"}
            )
            self.fields[name].help_text = "Leave empty to keep the one on file."
        self.order_fields(["numbers_text", *self.FIELDS, "reason"])
        self.style_widgets()

    def labels(self) -> dict[str, str]:
        return {name: field_label(name) for name in self.FIELDS}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("btn", "new_btn"):
            data[name] = _clean_phone(self, name)
        found = numbers_from_text(data.get("numbers_text") or "")
        if found.problems:
            self.add_error("numbers_text", " ".join(found.problems[:3]))
        data["numbers_list"] = found.numbers
        return data

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {}
        wanted = data.get("numbers_list") or []
        current = list(self.port.numbers.values_list("number", "line_type"))
        if wanted and sorted(n for n, _ in wanted) != sorted(n for n, _ in current):
            types = dict(current)
            out["numbers"] = [{"number": n, "line_type": types.get(n, t)} for n, t in wanted]
        for name in self.FIELDS:
            value = data.get(name)
            if name in self.SECRET:
                if value:
                    out[name] = value
                continue
            current_value = getattr(self.port, name)
            if (value or "") != (current_value or ""):
                if not value and name in REQUIRED_FIELDS:
                    continue  # a required field left empty: no change asked
                out[name] = value or ""
        return out


# --- small forms -----------------------------------------------------------------------


class NoteForm(BootstrapForm):
    body = forms.CharField(
        label="Note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Write a note to the porting team"}),
    )
    private = forms.BooleanField(label="Private (porting team only)", required=False)
    action_required = forms.BooleanField(label="Ask the customer for action", required=False)


class CancelForm(BootstrapForm):
    reason = forms.CharField(
        label="Reason (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecideChangeForm(BootstrapForm):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("refuse", "Refuse")])
    note = forms.CharField(label="Note to the customer", max_length=2000, required=False)


class BulkPortForm(BootstrapForm):
    company = forms.TypedChoiceField(label="Company", coerce=int, required=False)
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=f"UTF-8 CSV, at most {MAX_BYTES // 1024} KiB.",
    )

    def __init__(
        self, *args: Any, companies: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if companies:
            field_ = self.fields["company"]
            assert isinstance(field_, forms.TypedChoiceField)
            field_.choices = [("", "Choose the company…"), *companies]
            field_.required = True
        else:
            del self.fields["company"]
        self.style_widgets()
