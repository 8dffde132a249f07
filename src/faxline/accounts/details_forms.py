"""Forms of the details pages: one per settings tab, the security policy, emergency
contacts, people (user and administrator details) and passwords.

Forms only parse what the browser sent into the shapes the services take; every rule lives
in the services (``accounts.services``), whose refusals the views put back on the fields.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from faxline.accounts.form_fields import LANGUAGES, check, country_choices, time_zone_choices
from faxline.accounts.preferences import (
    DATE_FORMATS,
    TIME_FORMATS,
    CoverpageMode,
    InboundFileType,
    WelcomeMessage,
)
from faxline.core.errors import DomainError
from faxline.core.net import check_public_host

TAB_LABELS: dict[str, str] = {
    "department": "Department",
    "details": "Details",
    "fax": "Fax",
    "coverpage": "Coverpage",
    "notifications": "Notifications",
    "custom": "Custom",
    "archive": "Archive",
    "security": "Security",
    "contacts": "Contacts",
    "rights": "Rights",
}

PHI_WARNING = (
    "It is highly recommended that you do not enter Personal Health Information (PHI) or "
    "Personally Identifiable Information (PII) here: it creates a separate record of this data "
    "apart from the content of the faxed document."
)


class PortalForm(forms.Form):
    """Bootstrap classes on every widget; fields with errors are marked invalid."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(
                widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
                attrs["aria-invalid"] = "true"


# --- settings tabs --------------------------------------------------------------------


class SettingsTabForm(PortalForm):
    """A settings tab: ``setting_fields`` are saved through ``services.settings_update``."""

    tab: ClassVar[str]
    setting_fields: ClassVar[tuple[str, ...]]

    def settings_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.setting_fields}


INBOUND_FILE_TYPES = [
    (InboundFileType.PDF.value, "PDF (default)"),
    (InboundFileType.TIF.value, "TIF (.tif)"),
    (InboundFileType.TIF_HIRES.value, "TIF-HiRes (high-resolution TIF file)"),
    (InboundFileType.TIF_FAX.value, "TIF-Fax (standard TIF with “.fax” extension)"),
    (InboundFileType.XPS.value, "XPS (.xps)"),
]


class FaxTabForm(SettingsTabForm):
    """Fax tab: how inbound faxes are delivered and outbound email-to-fax is checked."""

    tab = "fax"
    setting_fields = (
        "inbound_file_type",
        "page_separation",
        "require_spf",
        "require_dkim",
        "add_metadata",
    )

    inbound_file_type = forms.ChoiceField(
        label="Inbound fax message file type", choices=INBOUND_FILE_TYPES
    )
    page_separation = check(
        "Fax Page Separation",
        "(Inbound) Multiple-page faxes are separated into single-page files.",
    )
    require_spf = check(
        "Require SPF Record", "(Outbound) Email-to-fax senders must pass the SPF record check."
    )
    require_dkim = check(
        "Require DKIM Signature",
        "(Outbound) Email to fax must carry a valid DKIM signature of the sender's domain.",
    )
    add_metadata = check(
        "Add Metadata",
        "(Inbound) Adds an XML file with the received fax's event data to the email.",
    )

    def __init__(self, *args: Any, company_fields: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company_fields = company_fields
        if company_fields:
            # The header line is the company's (saved by company_header_line_update).
            self.fields["header_line"] = forms.BooleanField(
                label="Header line",
                required=False,
                help_text="Print the sender ident, the date and time and “Page n of m” at "
                "the top of every page sent. Applies at once to every fax the company's users "
                "send (it is not copied to departments).",
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields["header_ident"] = forms.CharField(
                label="Header ident",
                max_length=50,
                required=False,
                help_text="Shown in the header line; leave blank to show the company's name.",
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )


COVERPAGE_MODES = [
    (
        CoverpageMode.AUTOMATIC.value,
        "Automatic Coverpages",
        "Automatically include a coverpage when sending a fax.",
    ),
    (
        CoverpageMode.ON_DEMAND.value,
        "On Demand Coverpages",
        "User can decide to omit or include a coverpage.",
    ),
    (CoverpageMode.NONE.value, "No Coverpages", "Disable adding coverpages when sending a fax."),
    (
        CoverpageMode.WITH_BODY_TEXT.value,
        "With Body Text",
        "Attach Coverpage only if there is an email body.",
    ),
]


class CoverpageTabForm(SettingsTabForm):
    """Coverpage tab: the default coverpage and when coverpages are added."""

    tab = "coverpage"
    setting_fields = ("default_coverpage", "only_my_covers", "mode")

    default_coverpage = forms.ChoiceField(label="Default coverpage")
    only_my_covers = check(
        "Only my cover(s)", "Offer only the coverpages owned by this level of the hierarchy."
    )
    mode = forms.ChoiceField(
        label="Coverpage behavior",
        choices=[(value, label) for value, label, _ in COVERPAGE_MODES],
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        cover_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_coverpage"].choices = cover_choices or [  # type: ignore[attr-defined]
            ("Standard", "faxline Default")
        ]

    def mode_cards(self) -> list[dict[str, Any]]:
        """The four behaviors as radio cards: the radio, its title and the guide's text."""
        radios = {str(w.data["value"]): w for w in self["mode"]}
        return [
            {"radio": radios[value], "label": label, "description": text}
            for value, label, text in COVERPAGE_MODES
        ]


class CoverUploadForm(PortalForm):
    """Upload: a cover page template (a one-page PDF) and its name."""

    file = forms.FileField(
        label="Cover page (PDF)",
        help_text="A one-page PDF of at most 2 MB. Text fields named to, to_company, to_fax, "
        "from, from_company, from_fax, from_phone, subject, comments, pages and date are "
        "filled in; a PDF without form fields is used as letterhead.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    name = forms.CharField(
        label="Name",
        max_length=100,
        required=False,
        help_text="Shown in the Default coverpage list (default: the file's name).",
    )


class BlockAddForm(PortalForm):
    """Outbound Number Blocking's Add: numbers typed or pasted, one a line, or a CSV file
    (the Export's format). The services check each number."""

    numbers = forms.CharField(
        label="Fax numbers to block",
        required=False,
        max_length=40_000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text="One a line (or separated by commas). North American numbers with 10 or 11 "
        "digits, in any punctuation; others with + and the country code.",
    )
    file = forms.FileField(
        label="Or import a CSV file",
        required=False,
        help_text="A column named Blocked Fax Number (as Export writes it) or number; at "
        "most 1000 rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("numbers") or "").strip() and not data.get("file"):
            self.add_error("numbers", "Enter at least one fax number, or choose a CSV file.")
        return data


class CoverRenameForm(PortalForm):
    """Manage: a new name for one of the level's covers."""

    name = forms.CharField(label="Name", max_length=100)


NOTIFICATIONS = [
    (
        "initial_success",
        "Email to Fax Initial Notification (Success)",
        "Confirms that the email-to-fax request has been submitted and that delivery will be "
        "attempted shortly.",
    ),
    (
        "initial_failure",
        "Email to Fax Initial Notification (Failure)",
        "Tells the sender the email-to-fax request could not be submitted, with the reason, so "
        "they can correct it and resubmit.",
    ),
    (
        "delivery_success",
        "Email to Fax Delivery Notification (Success)",
        "Confirms that the fax has been delivered to the recipient.",
    ),
    (
        "delivery_failure",
        "Email to Fax Delivery Notification (Failure)",
        "Tells the sender the fax could not be delivered, with the reason (for example "
        "“No Answer”, “Not a Fax Machine”).",
    ),
]

WELCOME_MESSAGES = [
    (
        WelcomeMessage.NONE.value,
        "No Welcome Message",
        "No message is the default Welcome notification behavior.",
    ),
    (
        WelcomeMessage.WELCOME.value,
        "Welcome Message",
        "A Welcome Message containing general account information.",
    ),
    (
        WelcomeMessage.WITH_CREDENTIALS.value,
        "Welcome Message with Credentials",
        "General account information and instructions for setting the user's password.",
    ),
]


class NotificationsTabForm(SettingsTabForm):
    """Notifications tab: the four email-to-fax notifications and the welcome message."""

    tab = "notifications"
    setting_fields = (*(n for n, _, _ in NOTIFICATIONS), "welcome_message")

    initial_success = check(NOTIFICATIONS[0][1], NOTIFICATIONS[0][2])
    initial_failure = check(NOTIFICATIONS[1][1], NOTIFICATIONS[1][2])
    delivery_success = check(NOTIFICATIONS[2][1], NOTIFICATIONS[2][2])
    delivery_failure = check(NOTIFICATIONS[3][1], NOTIFICATIONS[3][2])
    welcome_message = forms.ChoiceField(
        label="Welcome message",
        choices=[(value, label) for value, label, _ in WELCOME_MESSAGES],
        widget=forms.RadioSelect,
    )
    attach_document = check(
        "Attach the fax to delivery notifications",
        "The Email to Fax Delivery Notification carries the fax as a PDF. Off (the default), "
        "it carries a link to the portal and never the document or its cover text: turn it "
        "on only if email to your senders may carry protected health information.",
    )

    def __init__(self, *args: Any, company_level: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The company opts in for all its senders: the field is the company level's only.
        self.company_level = company_level
        if not company_level:
            del self.fields["attach_document"]

    def settings_values(self) -> dict[str, Any]:
        values = super().settings_values()
        if self.company_level:
            values["attach_document"] = self.cleaned_data["attach_document"]
        return values

    def notification_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _, _ in NOTIFICATIONS]

    def welcome_cards(self) -> list[dict[str, Any]]:
        radios = {str(w.data["value"]): w for w in self["welcome_message"]}
        return [
            {"radio": radios[value], "label": label, "description": text}
            for value, label, text in WELCOME_MESSAGES
        ]


class CustomTabForm(SettingsTabForm):
    """Custom tab: time zone and date and time formats; on the company also its name and
    domain (saved through ``services.company_update``)."""

    tab = "custom"
    setting_fields = ("time_zone", "date_format", "time_format", "include_time_zone_abbreviation")

    time_zone = forms.ChoiceField(label="Time zone")
    date_format = forms.ChoiceField(
        label="Date format",
        choices=[(fmt, f"{fmt} ({example})") for fmt, example in DATE_FORMATS.items()],
    )
    time_format = forms.ChoiceField(
        label="Time format",
        choices=[(fmt, f"{fmt} ({example})") for fmt, example in TIME_FORMATS.items()],
    )
    include_time_zone_abbreviation = check(
        "Include Time Zone Abbreviation", "Show the time zone abbreviation in dates and times."
    )

    def __init__(self, *args: Any, company_fields: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]
        self.company_fields = company_fields
        if company_fields:
            self.fields["name"] = forms.CharField(
                label="Company name",
                max_length=200,
                widget=forms.TextInput(
                    attrs={"class": "form-control", "autocomplete": "organization"}
                ),
            )
            self.fields["domain"] = forms.CharField(
                label="Domain",
                max_length=253,
                required=False,
                help_text="The company's email domain, e.g. example.com.",
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )


class ArchiveTabForm(SettingsTabForm):
    """Archive tab: copies of faxes to an email address or an FTP server."""

    tab = "archive"
    setting_fields = (
        "enabled",
        "archive_inbound",
        "archive_outbound",
        "destination",
        "email_address",
        "ftp_host",
        "ftp_port",
        "ftp_username",
        "ftp_directory",
        "file_type",
        "original_file_name",
        "include_metadata",
    )

    enabled = check("Enable Archiving")
    archive_inbound = check("Archive Inbound")
    archive_outbound = check("Archive Outbound")
    destination = forms.ChoiceField(
        label="Destination", choices=[("email", "Email"), ("ftp", "FTP")]
    )
    email_address = forms.EmailField(label="Email address", required=False)
    ftp_host = forms.CharField(label="FTP host", max_length=253, required=False)
    ftp_port = forms.IntegerField(label="Port", min_value=1, max_value=65535, initial=21)
    ftp_username = forms.CharField(label="Username", max_length=100, required=False)
    ftp_password = forms.CharField(
        label="Password",
        max_length=200,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    forget_ftp_password = check("Remove the stored password")
    ftp_directory = forms.CharField(label="Directory", max_length=255, initial="/")
    file_type = forms.ChoiceField(label="File type", choices=[("PDF", "PDF"), ("TIF", "TIF")])
    original_file_name = check("Original File Name", "Keep the file name of the original fax.")
    include_metadata = check(
        "Include Metadata", "Add an XML file with the fax's event data next to each copy."
    )

    def clean_ftp_host(self) -> str:
        """A public host only (``core.net``). Checked here as well as by the service so that
        the name is resolved before the page's transaction; the service's check reuses the
        answer."""
        host = str(self.cleaned_data.get("ftp_host") or "").strip()
        if host:
            try:
                check_public_host(host, field="settings.archive.ftp_host")
            except DomainError as exc:
                message = exc.message.split(": ", 1)[-1]
                raise forms.ValidationError(message[:1].upper() + message[1:]) from exc
        return host

    def settings_values(self) -> dict[str, Any]:
        values = super().settings_values()
        for name in ("email_address", "ftp_host", "ftp_username"):
            values[name] = values[name] or None
        if self.cleaned_data["forget_ftp_password"]:
            values["ftp_password"] = ""
        elif self.cleaned_data["ftp_password"]:
            values["ftp_password"] = self.cleaned_data["ftp_password"]
        # A blank password field keeps the stored password.
        return values


SETTINGS_FORMS: dict[str, type[SettingsTabForm]] = {
    form.tab: form
    for form in (FaxTabForm, CoverpageTabForm, NotificationsTabForm, CustomTabForm, ArchiveTabForm)
}


class ContactForm(PortalForm):
    """One emergency contact of the Contacts tab."""

    name = forms.CharField(label="Name", max_length=100)
    email = forms.EmailField(label="Email address")
    phone = forms.CharField(label="Voice phone", max_length=30, required=False)
    extension = forms.CharField(label="Extn.", max_length=10, required=False)


# --- security policy ------------------------------------------------------------------

_YES_NO = [("False", "No"), ("True", "Yes")]


def _yes_no(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=_YES_NO,
        coerce=lambda value: value == "True",
        help_text=help_text,
    )


def _count(label: str, help_text: str, maximum: int = 100) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=maximum, help_text=help_text)


POLICY_SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    (
        "Password Complexity",
        ("min_length", "max_length", "min_alpha", "min_upper", "min_numeric", "min_special"),
    ),
    (
        "Password Age & History",
        ("history_count", "min_age_days", "max_age_days", "exclude_personal_info"),
    ),
    (
        "Account Security",
        ("lockout_attempts", "lockout_minutes", "session_timeout_minutes", "force_change_by_admin"),
    ),
]


class SecurityPolicyForm(PortalForm):
    """Customize Security Policy: the fields of ``SecurityPolicy`` as the guide groups them."""

    description = forms.CharField(label="Description", max_length=200, required=False)
    min_length = _count("Password length (minimum)", "Fewest characters a password may have.")
    max_length = _count("Password length (maximum)", "Most characters a password may have.")
    min_alpha = _count(
        "Minimum number of Alpha characters", "Letters (a to z, A to Z) a password must contain."
    )
    min_upper = _count(
        "Minimum number of Uppercase Alpha characters",
        "Upper-case letters a password must contain.",
    )
    min_numeric = _count(
        "Minimum number of Numeric characters", "Digits (0 to 9) a password must contain."
    )
    min_special = _count(
        "Minimum number of Special characters", "Characters such as ! @ # $ a password needs."
    )
    history_count = _count(
        "Password History Count", "How many earlier passwords may not be reused (0: none)."
    )
    min_age_days = _count(
        "Minimum Password Age (days)",
        "Days before a user may change their password again (0: none).",
        3650,
    )
    max_age_days = _count(
        "Maximum Password Age (days)",
        "Days after which a password must be changed (0: never).",
        3650,
    )
    exclude_personal_info = _yes_no(
        "Exclude Personal Information",
        "Passwords may not contain the user's name, username or email address.",
    )
    lockout_attempts = _count(
        "Temporary Lock Out Attempts",
        "Failed sign-ins before the account is locked out for a while (0: never).",
    )
    lockout_minutes = _count("Temporary Lock Out Interval (minutes)", "How long a lock-out lasts.")
    session_timeout_minutes = _count(
        "Session Timeout (minutes)", "Idle time after which a user is signed out.", 1440
    )
    force_change_by_admin = _yes_no(
        "Forcefully Change Password by Admin",
        "A password set by an administrator must be changed at the next sign-in.",
    )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in POLICY_SECTIONS]


def _minutes(value: int) -> str:
    if not value:
        return "None"
    if value % 60 == 0:
        return f"{value // 60}h ({value})"
    return f"{value}m ({value})"


def policy_rows(policy: Any) -> list[tuple[str, list[dict[str, str]]]]:
    """The policy as the guide shows it: sections of label, explanation and value."""
    form = SecurityPolicyForm()

    def row(name: str, value: str) -> dict[str, str]:
        field = form.fields[name]
        return {
            "name": name,
            "label": str(field.label),
            "help": str(field.help_text),
            "value": value,
        }

    def number(name: str) -> str:
        value = getattr(policy, name)
        return str(value) if value else "None"

    def yes_no(name: str) -> str:
        return "Yes" if getattr(policy, name) else "No"

    length = row("min_length", f"{policy.min_length} to {policy.max_length}")
    length["label"] = "Password length"
    length["help"] = "Fewest and most characters a password may have."
    return [
        (
            "Password Complexity",
            [length]
            + [row(n, number(n)) for n in ("min_alpha", "min_upper", "min_numeric", "min_special")],
        ),
        (
            "Password Age & History",
            [row(n, number(n)) for n in ("history_count", "min_age_days", "max_age_days")]
            + [row("exclude_personal_info", yes_no("exclude_personal_info"))],
        ),
        (
            "Account Security",
            [
                row("lockout_attempts", number("lockout_attempts")),
                row("lockout_minutes", _minutes(policy.lockout_minutes)),
                row("session_timeout_minutes", _minutes(policy.session_timeout_minutes)),
                row("force_change_by_admin", yes_no("force_change_by_admin")),
            ],
        ),
    ]


# --- people ---------------------------------------------------------------------------


class UserDetailsForm(PortalForm):
    """User Account Details ▸ Details: name, email, contact details and custom fields."""

    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    email = forms.EmailField(label="Email")
    address1 = forms.CharField(label="Address 1", max_length=200, required=False)
    address2 = forms.CharField(label="Address 2", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    country = forms.ChoiceField(label="Country", required=False)
    region = forms.CharField(label="State / Province", max_length=100, required=False)
    postal_code = forms.CharField(label="Zip / Postal", max_length=20, required=False)
    phone = forms.CharField(label="Phone", max_length=30, required=False)
    custom1 = forms.CharField(label="Custom 1", max_length=200, required=False)
    custom2 = forms.CharField(label="Custom 2", max_length=200, required=False)
    custom3 = forms.CharField(label="Custom 3", max_length=200, required=False)
    custom4 = forms.CharField(label="Custom 4", max_length=200, required=False)
    # Not posted (an older page): the user stays where they are.
    department = forms.ChoiceField(
        label="Department",
        required=False,
        help_text="Moving a user keeps their settings as they are.",
    )

    CONTACT = ("address1", "address2", "city", "country", "region", "postal_code", "phone")
    CUSTOM = ("custom1", "custom2", "custom3", "custom4")
    COMPANY_LEVEL = "company"

    def __init__(
        self, *args: Any, departments: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()  # type: ignore[attr-defined]
        self.fields["department"].choices = departments or []  # type: ignore[attr-defined]

    @classmethod
    def changes_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The cleaned data as ``user_update`` changes: the department as ``department_id``
        (None: company level), left out when the select was not posted."""
        changes = dict(data)
        choice = changes.pop("department", "")
        if choice:
            changes["department_id"] = None if choice == cls.COMPANY_LEVEL else int(choice)
        return changes

    def changes(self) -> dict[str, Any]:
        return self.changes_from(self.cleaned_data)

    def contact_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.CONTACT]

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.CUSTOM]


class UserFaxForm(FaxTabForm):
    """User Account Details ▸ Fax: the sending and receiving addresses and the fax settings."""

    sending_email = forms.EmailField(
        label="Sending email",
        required=False,
        help_text="The address allowed to send outbound faxes by email.",
    )
    receiving_email_1 = forms.EmailField(label="Receiving email", required=False)
    receiving_email_2 = forms.EmailField(label="Receiving email 2", required=False)
    receiving_email_3 = forms.EmailField(label="Receiving email 3", required=False)

    def user_changes(self) -> dict[str, Any]:
        receiving = [
            self.cleaned_data[f"receiving_email_{i}"]
            for i in (1, 2, 3)
            if self.cleaned_data[f"receiving_email_{i}"]
        ]
        return {"sending_email": self.cleaned_data["sending_email"], "receiving_emails": receiving}


class AdministratorDetailsForm(PortalForm):
    """Administrator Details ▸ Details."""

    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    email = forms.EmailField(label="Email")
    phone = forms.CharField(label="Phone", max_length=30, required=False)
    time_zone = forms.ChoiceField(label="Time zone")
    language = forms.ChoiceField(label="Language", choices=LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]


class SetPasswordForm(PortalForm):
    """Set password: type one under the policy in force, or let the platform generate it."""

    password = forms.CharField(
        label="New password",
        max_length=100,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    generate_password = check("Generate a password for me")


class WelcomeSendForm(PortalForm):
    """Send Welcome Message: which one (preselected from the user's Notifications tab)."""

    kind = forms.ChoiceField(
        label="Welcome message",
        choices=[
            (value, label)
            for value, label, _ in WELCOME_MESSAGES
            if value != WelcomeMessage.NONE.value
        ],
        widget=forms.RadioSelect,
    )


class PushForm(PortalForm):
    """Push to descendants (operators): which tabs to copy onto every level below."""

    tabs = forms.MultipleChoiceField(
        label="Tabs to push",
        choices=[
            (tab, TAB_LABELS[tab])
            for tab in ("fax", "coverpage", "notifications", "custom", "archive", "contacts")
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    confirm = forms.BooleanField(
        label="I understand this overwrites these settings on every department and user below.",
    )


class DepartmentForm(PortalForm):
    """Department Details ▸ Department: the department's name."""

    name = forms.CharField(label="Department name", max_length=100)
