"""Portal forms of Account Administration: Add Company, the Add Department, Add User
Account and Add Administrator wizards, Bulk Create, and the Show filter of the tree.

Forms only check the shape of the input (required, lengths, known choices) so that a wizard
can stop at the step with a mistake; every rule of the domain is the services' business.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.forms.boundfield import BoundField
from django.forms.widgets import Widget
from django.http import QueryDict
from django.utils.html import format_html

from faxline.accounts.bulk import MAX_BYTES, MAX_ROWS
from faxline.accounts.form_fields import LANGUAGES, check, country_choices, time_zone_choices
from faxline.accounts.models import ChannelPartner
from faxline.accounts.preferences import (
    DATE_FORMATS,
    TIME_FORMATS,
    CoverpageMode,
    InboundFileType,
    WelcomeMessage,
)
from faxline.accounts.rights import RIGHT_GROUPS, ticked_rights
from faxline.accounts.validation import MAX_RECEIVING_EMAILS
from faxline.portal.toolkit import StepsForm

SHOW_CHOICES = [
    ("all", "Show All"),
    ("departments", "Departments"),
    ("users", "Users"),
    ("administrators", "Administrators"),
    ("locked", "Locked Users"),
]

INBOUND_FILE_TYPE_CHOICES = [
    (InboundFileType.PDF.value, "PDF (default)"),
    (InboundFileType.TIF.value, "TIF (.tif)"),
    (InboundFileType.TIF_HIRES.value, "TIF-HiRes (high-resolution TIF)"),
    (InboundFileType.TIF_FAX.value, "TIF-Fax (TIF with a .fax extension)"),
    (InboundFileType.XPS.value, "XPS (.xps)"),
]
COVERPAGE_MODE_CHOICES = [
    (CoverpageMode.AUTOMATIC.value, "Automatic Coverpages"),
    (CoverpageMode.ON_DEMAND.value, "On Demand Coverpages"),
    (CoverpageMode.NONE.value, "No Coverpages"),
    (CoverpageMode.WITH_BODY_TEXT.value, "With Body Text"),
]
COVERPAGE_MODE_HELP = {
    CoverpageMode.AUTOMATIC.value: "Automatically include a coverpage when sending a fax.",
    CoverpageMode.ON_DEMAND.value: "User can decide to omit or include a coverpage.",
    CoverpageMode.NONE.value: "Disable adding coverpages when sending a fax.",
    CoverpageMode.WITH_BODY_TEXT.value: "Attach a coverpage only if there is an email body.",
}
WELCOME_CHOICES = [
    (WelcomeMessage.NONE.value, "No Welcome Message"),
    (WelcomeMessage.WELCOME.value, "Welcome Message"),
    (WelcomeMessage.WITH_CREDENTIALS.value, "Welcome Message with Credentials"),
]
WELCOME_HELP = {
    WelcomeMessage.NONE.value: "No welcome message is offered by default.",
    WelcomeMessage.WELCOME.value: "A message with general account information.",
    WelcomeMessage.WITH_CREDENTIALS.value: (
        "General account information and instructions for setting a password."
    ),
}


def _described(choices: list[tuple[str, str]], help_texts: dict[str, str]) -> list[Any]:
    """Radio choices whose label carries a one-line description under the title."""
    return [
        (
            value,
            format_html(
                '<span class="fx-option-title">{}</span><span class="fx-option-help">{}</span>',
                label,
                help_texts[value],
            ),
        )
        for value, label in choices
    ]


DATE_FORMAT_CHOICES = [(k, f"{k} ({v})") for k, v in DATE_FORMATS.items()]
TIME_FORMAT_CHOICES = [(k, f"{k} ({v})") for k, v in TIME_FORMATS.items()]

# (tab, setting) -> (form field name). The settings steps of both wizards.
SETTINGS_FIELDS: dict[str, tuple[str, ...]] = {
    "fax": ("inbound_file_type", "page_separation", "require_spf", "add_metadata"),
    "coverpage": ("default_coverpage", "only_my_covers", "mode"),
    "notifications": (
        "initial_success",
        "initial_failure",
        "delivery_success",
        "delivery_failure",
        "welcome_message",
    ),
    "custom": ("time_zone", "date_format", "time_format", "include_time_zone_abbreviation"),
}


def settings_field_name(tab: str, name: str) -> str:
    return f"{tab}_{name}"


def settings_fields() -> dict[str, forms.Field]:
    """The form fields of the Fax, Coverpage, Notifications and Date (Custom) steps."""
    return {
        "fax_inbound_file_type": forms.ChoiceField(
            label="Inbound Fax Message File Type", choices=INBOUND_FILE_TYPE_CHOICES
        ),
        "fax_page_separation": check(
            "Fax Page Separation", "Inbound: multiple-page faxes arrive as single-page files."
        ),
        "fax_require_spf": check(
            "Require SPF Record", "Outbound: email-to-fax senders must pass the SPF check."
        ),
        "fax_add_metadata": check(
            "Add Metadata", "Inbound: an XML file with the fax's event data is attached."
        ),
        "coverpage_default_coverpage": forms.ChoiceField(
            label="Default coverpage", choices=[("Standard", "faxline Default")]
        ),
        "coverpage_only_my_covers": check(
            "Only my cover(s)", "Offer only the coverpages owned by this level."
        ),
        "coverpage_mode": forms.ChoiceField(
            label="Coverpage behaviour",
            choices=_described(COVERPAGE_MODE_CHOICES, COVERPAGE_MODE_HELP),
            widget=forms.RadioSelect,
        ),
        "notifications_initial_success": check(
            "Email to Fax Initial Notification (Success)",
            "The email-to-fax request was submitted; delivery will be attempted shortly.",
        ),
        "notifications_initial_failure": check(
            "Email to Fax Initial Notification (Failure)",
            "The email-to-fax request could not be submitted, with the reason.",
        ),
        "notifications_delivery_success": check(
            "Email to Fax Delivery Notification (Success)",
            "The fax was delivered to the recipient.",
        ),
        "notifications_delivery_failure": check(
            "Email to Fax Delivery Notification (Failure)",
            'The fax could not be delivered, with the reason ("No Answer", ...).',
        ),
        "notifications_welcome_message": forms.ChoiceField(
            label="Welcome Message",
            choices=_described(WELCOME_CHOICES, WELCOME_HELP),
            widget=forms.RadioSelect,
        ),
        "custom_time_zone": forms.ChoiceField(label="Time zone", choices=time_zone_choices),
        "custom_date_format": forms.ChoiceField(label="Date format", choices=DATE_FORMAT_CHOICES),
        "custom_time_format": forms.ChoiceField(label="Time format", choices=TIME_FORMAT_CHOICES),
        "custom_include_time_zone_abbreviation": check("Include Time Zone Abbreviation"),
    }


def settings_initial(settings: dict[str, Any]) -> dict[str, Any]:
    """Initial values of the settings steps from a level's settings (``settings_of``)."""
    initial: dict[str, Any] = {}
    for tab, names in SETTINGS_FIELDS.items():
        for name in names:
            initial[settings_field_name(tab, name)] = settings.get(tab, {}).get(name)
    return initial


class BootstrapBoundField(BoundField):
    """Marks a field with errors ``is-invalid`` so Bootstrap shows it in red."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Widget | None = None) -> Any:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.errors and not widget.is_hidden:
            base = attrs.get("class") or widget.attrs.get("class", "")
            attrs["class"] = f"{base} is-invalid".strip()
        return attrs


class BootstrapForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes."""

    bound_field_class = BootstrapBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class WizardForm(StepsForm, BootstrapForm):
    """A form of Account Administration shown one step at a time by the portal's wizard
    engine, with the settings steps (Fax, Coverpage, Notifications, Date) of a level."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(settings_fields())
        self.style_widgets()

    def error_field(self, name: str | None) -> str | None:
        """The field a service's refusal names (``settings.fax.x`` is ``fax_x``)."""
        name = name or ""
        if name.startswith("settings."):
            parts = name.split(".")
            if len(parts) >= 3 and settings_field_name(parts[1], parts[2]) in self.fields:
                return settings_field_name(parts[1], parts[2])
        if name == "receiving_emails":
            return "receiving_email_1"
        return super().error_field(name)

    def settings_values(self) -> dict[str, dict[str, Any]]:
        """The cleaned settings steps as tabs for ``settings_update`` / ``user_create``."""
        return {
            tab: {name: self.cleaned_data[settings_field_name(tab, name)] for name in names}
            for tab, names in SETTINGS_FIELDS.items()
        }

    def set_coverpages(self, owner: Any) -> None:
        """The Default coverpage choices: the built-in and the covers of ``owner`` (the
        level the new department or user is created in) and the levels above it."""
        from faxline.accounts.selectors import cover_choices

        field = self.fields["coverpage_default_coverpage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c.key, c.label) for c in cover_choices(owner, only_mine=False)]


_SETTINGS_STEPS: list[tuple[str, list[str]]] = [
    ("Fax", [settings_field_name("fax", n) for n in SETTINGS_FIELDS["fax"]]),
    ("Coverpage", [settings_field_name("coverpage", n) for n in SETTINGS_FIELDS["coverpage"]]),
    (
        "Notifications",
        [settings_field_name("notifications", n) for n in SETTINGS_FIELDS["notifications"]],
    ),
]


class CompanyForm(BootstrapForm):
    """Add Company (operators and channel partners)."""

    name = forms.CharField(label="Company name", max_length=200)
    domain = forms.CharField(
        label="Domain",
        max_length=253,
        required=False,
        help_text="The company's email domain, e.g. acme.example (optional).",
    )
    channel_partner = forms.ModelChoiceField(
        label="Channel partner",
        queryset=ChannelPartner.objects.none(),
        required=False,
        empty_label="No partner",
        help_text="The reseller who looks after this company (optional).",
    )

    def __init__(
        self, *args: Any, partners: QuerySet[ChannelPartner] | None = None, **kwargs: Any
    ) -> None:
        """``partners``: the channel partners to offer (operators); None hides the field."""
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["channel_partner"]
        else:
            field = self.fields["channel_partner"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = partners


class DepartmentWizardForm(WizardForm):
    """Add Department: the name, then the default Fax, Coverpage, Notifications and Date
    settings, prefilled from the parent level."""

    STEPS = [
        ("Department Details", ["name"]),
        *_SETTINGS_STEPS,
        ("Date", [settings_field_name("custom", n) for n in SETTINGS_FIELDS["custom"]]),
    ]

    name = forms.CharField(label="Department Name", max_length=100)


class PersonFields(forms.Form):
    """The first step of Add User Account and Add Administrator: the person's name, email,
    username and password (typed, or generated and shown once after Finish)."""

    PERSON_FIELDS: ClassVar[list[str]] = [
        "first_name",
        "last_name",
        "email",
        "username",
        "use_email_as_username",
        "password",
        "generate_password",
    ]

    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    email = forms.EmailField(label="Email", max_length=254)
    username = forms.CharField(label="Username", max_length=150, required=False)
    use_email_as_username = check("Use email address as username")
    # The value is rendered again: the whole wizard travels with every step.
    password = forms.CharField(
        label="New password",
        max_length=100,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
    )
    generate_password = check(
        "Generate a password", "A password is generated and shown once, after Finish."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["username"].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("use_email_as_username") and not data.get("username"):
            self.add_error("username", "Enter a username, or use the email address.")
        if not data.get("generate_password") and not data.get("password"):
            self.add_error("password", "Enter a password, or choose Generate.")
        return data

    def person(self) -> dict[str, Any]:
        """The person's fields as ``user_create`` and ``administrator_create`` take them."""
        data = self.cleaned_data
        generate = bool(data["generate_password"])
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "username": data["username"] or None,
            "use_email_as_username": bool(data["use_email_as_username"]),
            "password": None if generate else data["password"],
            "generate_password": generate,
        }


class UserWizardForm(WizardForm, PersonFields):
    """Add User Account: seven steps as the guide shows them."""

    STEPS = [
        ("User Details", PersonFields.PERSON_FIELDS),
        (
            "Contact Details",
            ["address1", "address2", "city", "country", "region", "postal_code", "phone"],
        ),
        ("Custom Fields", ["custom1", "custom2", "custom3", "custom4"]),
        (
            "Fax Settings",
            [
                "no_fax_number",
                "fax_number",
                "sending_email",
                *[f"receiving_email_{i}" for i in range(1, MAX_RECEIVING_EMAILS + 1)],
                *[settings_field_name("fax", n) for n in SETTINGS_FIELDS["fax"]],
            ],
        ),
        *_SETTINGS_STEPS[1:],
        ("Date Format", [settings_field_name("custom", n) for n in SETTINGS_FIELDS["custom"]]),
    ]

    address1 = forms.CharField(label="Address 1", max_length=200, required=False)
    address2 = forms.CharField(label="Address 2", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    country = forms.ChoiceField(label="Country", choices=country_choices, required=False)
    region = forms.CharField(label="State / Province", max_length=100, required=False)
    postal_code = forms.CharField(label="Zip / Postal", max_length=20, required=False)
    phone = forms.CharField(label="Phone", max_length=30, required=False)

    custom1 = forms.CharField(label="Custom 1", max_length=200, required=False)
    custom2 = forms.CharField(label="Custom 2", max_length=200, required=False)
    custom3 = forms.CharField(label="Custom 3", max_length=200, required=False)
    custom4 = forms.CharField(label="Custom 4", max_length=200, required=False)

    no_fax_number = check("No Fax Number Required", "An outbound-only user account is created.")
    fax_number = forms.ChoiceField(
        label="Choose Fax Number",
        required=False,
        help_text="An unassigned number of the company's fax number inventory.",
    )
    sending_email = forms.EmailField(
        label="Sending email",
        max_length=254,
        required=False,
        help_text="The address allowed to send faxes by email. Empty: the user's email.",
    )
    receiving_email_1 = forms.EmailField(label="Receiving email 1", required=False)
    receiving_email_2 = forms.EmailField(label="Receiving email 2", required=False)
    receiving_email_3 = forms.EmailField(label="Receiving email 3", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("no_fax_number") and not data.get("fax_number"):
            self.add_error(
                "fax_number",
                "Choose a fax number, or tick No Fax Number Required."
                if len(self.fields["fax_number"].choices) > 1  # type: ignore[attr-defined]
                else "There is no unassigned number: request inventory first, or tick "
                "No Fax Number Required.",
            )
        if data.get("no_fax_number"):
            data["fax_number"] = ""
        return data

    def set_fax_numbers(self, numbers: list[str]) -> None:
        """The unassigned numbers of the company's inventory to choose from."""
        field = self.fields["fax_number"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a number…"), *[(n, n) for n in numbers]]

    def receiving_emails(self) -> list[str]:
        return [
            self.cleaned_data[f"receiving_email_{i}"]
            for i in range(1, MAX_RECEIVING_EMAILS + 1)
            if self.cleaned_data.get(f"receiving_email_{i}")
        ]

    def contact(self) -> dict[str, str]:
        names = self.STEPS[1][1] + self.STEPS[2][1]
        return {name: self.cleaned_data.get(name) or "" for name in names}


class AdministratorWizardForm(StepsForm, BootstrapForm, PersonFields):
    """Add Administrator: Administrator Details, Time Zone and Language, then Rights (the
    grouped checkboxes of ``administrator_rights_fields.html``, with Read-Only
    Administrator)."""

    STEPS = [
        ("Administrator Details", PersonFields.PERSON_FIELDS),
        ("Time Zone and Language", ["time_zone", "language"]),
        ("Rights", ["read_only", "group", "rights"]),
    ]

    time_zone = forms.ChoiceField(label="Time zone")
    language = forms.ChoiceField(label="Language", choices=LANGUAGES)
    read_only = check("Read-Only Administrator")
    group = forms.MultipleChoiceField(
        required=False, choices=[(g.code, g.label) for g in RIGHT_GROUPS]
    )
    rights = forms.MultipleChoiceField(
        required=False, choices=[(r.code, r.label) for g in RIGHT_GROUPS for r in g.rights]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]

    def ticked(self) -> tuple[set[str], bool]:
        """The rights and the Read-Only box as ticked (what was posted, valid or not)."""
        data = self.data
        assert isinstance(data, QueryDict)
        return (
            set(ticked_rights(data.getlist("rights"), data.getlist("group"))),
            bool(data.get("read_only")),
        )

    def administrator(self) -> dict[str, Any]:
        """Everything ``administrator_create`` takes from the wizard."""
        data = self.cleaned_data
        return {
            **self.person(),
            "time_zone": data["time_zone"],
            "language": data["language"],
            "rights": ticked_rights(data["rights"], data["group"]),
            "read_only": bool(data["read_only"]),
        }


class BulkCreateForm(BootstrapForm):
    """Bulk Create: a CSV file of user accounts and the department for rows that name none."""

    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8, comma separated, header row first; at most {MAX_ROWS} rows and "
        f"{MAX_BYTES // 1024} KiB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    default_department = forms.TypedChoiceField(
        label="Default department",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Rows without a department are created here.",
    )
    password_links = forms.BooleanField(
        label="Email a link to choose a password to each user whose row has none",
        required=False,
        help_text="Otherwise a password is generated for them and shown once in the report.",
    )
    welcome_message = forms.ChoiceField(
        label="Welcome message",
        choices=_described(WELCOME_CHOICES, WELCOME_HELP),
        widget=forms.RadioSelect,
        required=False,  # none chosen: the company's Notifications tab decides
        help_text="Sent to each account created. With credentials, it carries the link to "
        "choose a password (never the password).",
    )

    def __init__(
        self, *args: Any, departments: list[tuple[int, str]], company_level: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["default_department"]
        assert isinstance(field, forms.TypedChoiceField)
        first = [("", "Company level")] if company_level else []
        field.choices = [*first, *[(str(pk), name) for pk, name in departments]]
        field.required = not company_level

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_BYTES // 1024} KiB; split it into smaller files."
            )
        return upload
