"""Request and response bodies of the accounts API (``accounts.api``).

Input schemas only check shapes and types; the rules (lengths, formats, scope, rights)
are the services' and their refusals name the offending field. Input schemas refuse
unknown fields, so that a misspelt field is an error rather than silently ignored.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from faxline.accounts.preferences import (
    ContactsPreferences,
    CoverpagePreferences,
    CustomPreferences,
    FaxPreferences,
    NotificationPreferences,
)


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# --- errors and pages -----------------------------------------------------------------


class FieldError(Schema):
    """One problem of a request that failed validation."""

    field: str | None = Field(description="The offending field, dotted for nested ones.")
    message: str


class Error(Schema):
    """Every refusal: a stable ``code``, a sentence saying what to do, and the field."""

    code: str = Field(description="Stable machine-readable code, e.g. `not_found`.")
    message: str = Field(description="What went wrong and what to do, for people.")
    field: str | None = Field(default=None, description="The field the refusal is about.")
    errors: list[FieldError] | None = Field(
        default=None, description="All problems, when the request failed validation."
    )


def error_responses(*codes: int) -> dict[int, type[Error]]:
    """An operation's refusals for its ``response``: 401 (no or bad credentials) and
    ``codes``, each an :class:`Error`."""
    return dict.fromkeys((401, *codes), Error)


# --- me -------------------------------------------------------------------------------


class Me(Schema):
    """The person the request acts for."""

    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str = Field(description="operator, channel_partner, administrator or fax_user.")
    company_id: int | None
    company_name: str | None
    department_id: int | None
    department_name: str | None = Field(description="Full path of the department.")
    rights: list[str] = Field(description="The rights in force (none when read-only).")
    read_only: bool
    password_change_required: bool = Field(
        description="True when every call but this one is refused until the password is "
        "changed in the portal."
    )


# --- companies ------------------------------------------------------------------------


class CompanyOut(Schema):
    """A customer company: the root of an account hierarchy."""

    id: int
    name: str
    domain: str
    channel_partner_id: int | None
    created_at: datetime


class CompanyPage(Schema):
    items: list[CompanyOut]
    count: int


class CompanyCreate(InputSchema):
    """Add a company (operators; channel partners add to themselves)."""

    name: str = Field(description="Unique (case-insensitive) company name.")
    domain: str = ""
    channel_partner_id: int | None = Field(
        default=None, description="The channel partner it belongs to (operators only)."
    )


class CompanyUpdate(InputSchema):
    """Change Company Details; absent fields stay as they are."""

    name: str | None = None
    domain: str | None = None
    settings: dict[str, dict[str, Any]] | None = Field(
        default=None,
        description="Settings tabs to change in the same transaction (fax, coverpage, "
        "notifications, custom, archive, contacts): the portal's Custom tab saves the name "
        "and domain with the date and time settings. Each tab needs its settings right; a "
        "refusal changes nothing.",
    )


# --- departments ----------------------------------------------------------------------


class DepartmentOut(Schema):
    """A department; departments nest to any depth."""

    id: int
    name: str
    full_name: str = Field(description="Path from the top, e.g. `Billing Dept -> Level 1`.")
    company_id: int
    parent_id: int | None = Field(description="None: directly under the company.")
    depth: int = Field(description="0 for a top-level department.")
    created_at: datetime


class DepartmentPage(Schema):
    items: list[DepartmentOut]
    count: int


class DepartmentCreate(InputSchema):
    """Add Department."""

    name: str
    parent_id: int | None = Field(default=None, description="None: at company level.")
    company_id: int | None = Field(default=None, description="Default: your company.")
    settings: dict[str, dict[str, Any]] | None = Field(
        default=None,
        description="Settings tabs to change from the copy of the parent's (fax, coverpage, "
        "notifications, custom, archive, contacts); each needs its settings right.",
    )


class DepartmentUpdate(InputSchema):
    """Rename a department."""

    name: str


# --- users ----------------------------------------------------------------------------


class ContactFields(Schema):
    address1: str = ""
    address2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""
    custom1: str = ""
    custom2: str = ""
    custom3: str = ""
    custom4: str = ""


class UserOut(ContactFields):
    """A fax user account."""

    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    company_id: int | None
    department_id: int | None
    department_name: str | None = Field(description="Full path of the department.")
    is_locked: bool = Field(description="Locked by an administrator (Lock User).")
    locked_out: bool = Field(description="Temporarily locked out after failed sign-ins.")
    sending_email: str
    receiving_emails: list[str]
    time_zone: str
    language: str
    must_change_password: bool
    created_at: datetime
    fax_numbers: list[str] = Field(default_factory=list, description="Assigned fax numbers.")


class UserCreated(UserOut):
    generated_password: str | None = Field(
        description="The generated password, shown this once; null when you chose it."
    )


class UserPage(Schema):
    items: list[UserOut]
    count: int


class ContactInput(InputSchema):
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = Field(default=None, description="Two-letter ISO code.")
    phone: str | None = None
    custom1: str | None = None
    custom2: str | None = None
    custom3: str | None = None
    custom4: str | None = None


class UserCreate(ContactInput):
    """Add User Account: the wizard's fields."""

    company_id: int | None = Field(default=None, description="Default: your company.")
    department_id: int | None = Field(default=None, description="None: at company level.")
    first_name: str
    last_name: str
    email: str
    username: str | None = Field(default=None, description="Required unless the email is used.")
    use_email_as_username: bool = False
    password: str | None = Field(default=None, description="Checked against the policy.")
    generate_password: bool = Field(
        default=False, description="Generate a password; it is returned once."
    )
    sending_email: str | None = Field(default=None, description="Default: the email.")
    receiving_emails: list[str] | None = Field(
        default=None, description="At most three; default: the email."
    )
    settings: dict[str, dict[str, Any]] | None = Field(
        default=None,
        description="Settings tabs to change from the department's (fax, coverpage, "
        "notifications, custom).",
    )
    fax_number: str | None = Field(
        default=None,
        description="Choose Fax Number: an unassigned number of the company's inventory "
        "(E.164). None: no fax number required (outbound only).",
    )


class UserUpdate(ContactInput):
    """Change User Details; absent fields stay as they are."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    sending_email: str | None = None
    receiving_emails: list[str] | None = None
    time_zone: str | None = None
    language: str | None = None
    department_id: int | None = Field(
        default=None,
        description="Move the user to this department; null: company level. "
        "The user's settings stay as they are.",
    )
    settings: dict[str, dict[str, Any]] | None = Field(
        default=None,
        description="Settings tabs to change in the same transaction (fax, coverpage, "
        "notifications, custom): the portal's Fax tab saves the fax addresses with the fax "
        "settings. Each tab needs its settings right; a refusal changes nothing.",
    )


class PasswordSet(InputSchema):
    """An administrator sets a password, or has one generated."""

    password: str | None = None
    generate: bool = Field(default=False, description="Generate one; it is returned once.")


class PasswordResetSent(Schema):
    """An administrator's password reset link is on its way."""

    email: str = Field(description="Where the link goes: the administrator's email address.")
    expires_in_minutes: int = Field(description="How long the link works once it is sent.")


class WelcomeSend(InputSchema):
    """Send Welcome Message: which one (the guide's Notifications tab)."""

    kind: Literal["welcome", "with_credentials"] = Field(
        description="``welcome``: general account information; ``with_credentials``: also a "
        "one-time link to choose a password (never the password)."
    )


class WelcomeSentOut(Schema):
    """A welcome message written to the notification log, sent by the task worker."""

    email: str = Field(description="Where it goes: the user's email address.")
    kind: str
    link_expires_in_days: int | None = Field(
        description="How long the password link works (``with_credentials``); else null."
    )


class PasswordSetResult(Schema):
    password_set: bool
    generated_password: str | None = Field(
        description="The generated password, shown this once; null when you chose it."
    )
    must_change_password: bool = Field(
        description="The user must change it at the next sign-in (policy)."
    )


class BulkRowOut(Schema):
    """What became of one data row of a Bulk Create file."""

    row: int = Field(description="1-based number of the data row (header not counted).")
    line: int = Field(description="Line of the file where the row starts (header: 1).")
    status: Literal["created", "refused"]
    username: str
    user_id: int | None
    message: str
    field: str | None = Field(description="The column the refusal is about.")
    generated_password: str | None = Field(
        description="When the password was generated: shown once, to the person who uploaded "
        "the file, in the first report after the job is done."
    )


class BulkJobOut(Schema):
    """A Bulk Create job: how far the task worker got, and every row processed so far
    (``created``, ``refused`` and ``rows`` are the report)."""

    id: int
    status: Literal["queued", "running", "done"] = Field(
        description="queued: waiting for the worker; running; done: every row has an outcome."
    )
    company_id: int
    default_department_id: int | None
    file_name: str
    welcome_message: str = Field(
        description="The welcome message sent to each account created: none, welcome or "
        "with_credentials."
    )
    total: int = Field(description="Data rows in the file.")
    processed: int = Field(description="Rows with an outcome so far.")
    created: int
    refused: int
    created_by: str = Field(description="Username of the person who uploaded the file.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    rows: list[BulkRowOut]


# --- administrators -------------------------------------------------------------------


class AdministratorOut(Schema):
    """An administrator: of the whole company (department null) or of a subtree."""

    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    company_id: int | None
    department_id: int | None
    department_name: str | None = Field(description="Full path of the department.")
    rights: list[str]
    read_only: bool
    is_locked: bool
    locked_out: bool
    phone: str
    time_zone: str
    language: str
    must_change_password: bool
    created_at: datetime


class AdministratorCreated(AdministratorOut):
    generated_password: str | None = Field(
        description="The generated password, shown this once; null when you chose it."
    )


class AdministratorPage(Schema):
    items: list[AdministratorOut]
    count: int


class AdministratorCreate(InputSchema):
    """Add Administrator."""

    company_id: int | None = Field(default=None, description="Default: your company.")
    department_id: int | None = Field(default=None, description="None: company level.")
    first_name: str
    last_name: str
    email: str
    username: str | None = None
    use_email_as_username: bool = False
    password: str | None = None
    generate_password: bool = False
    time_zone: str = "America/New_York"
    language: str = "en"
    rights: list[str] | None = Field(
        default=None, description="Right codes (GET /rights); default: all you hold."
    )
    read_only: bool = Field(
        default=False,
        description="Read-Only Administrator: only the view rights among `rights` are kept.",
    )
    phone: str = ""


class AdministratorUpdate(InputSchema):
    """Change Administrator Details; absent fields stay as they are."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    time_zone: str | None = None
    language: str | None = None


class Rights(Schema):
    """The Rights tab of an administrator."""

    rights: list[str] = Field(
        description="Right codes from GET /rights; a read-only administrator holds view "
        "rights only."
    )
    read_only: bool = Field(description="Read-Only Administrator: sees, changes nothing.")


class RightsUpdate(InputSchema):
    rights: list[str] = Field(description="Right codes from GET /rights.")
    read_only: bool = Field(
        default=False,
        description="Read-Only Administrator: the rights that change something are cleared; "
        "the view rights (view: true in GET /rights) asked for are kept.",
    )


class RightOut(Schema):
    code: str
    label: str
    view: bool = Field(description="The right only views; a read-only administrator may hold it.")


class RightGroupOut(Schema):
    """A group of rights as the Rights tab shows it (a main box and its members)."""

    code: str
    label: str
    rights: list[RightOut]


class RightsCatalogue(Schema):
    groups: list[RightGroupOut]


# --- settings -------------------------------------------------------------------------


class SettingsTab(StrEnum):
    """Settings tabs of a company or department."""

    FAX = "fax"
    COVERPAGE = "coverpage"
    NOTIFICATIONS = "notifications"
    CUSTOM = "custom"
    ARCHIVE = "archive"
    CONTACTS = "contacts"


class UserSettingsTab(StrEnum):
    """Settings tabs of a fax user."""

    FAX = "fax"
    COVERPAGE = "coverpage"
    NOTIFICATIONS = "notifications"
    CUSTOM = "custom"


class ArchiveSettingsOut(Schema):
    """Archive tab as shown: the FTP password is never returned, only whether it is set."""

    enabled: bool
    archive_inbound: bool
    archive_outbound: bool
    destination: Literal["email", "ftp"]
    email_address: str | None
    ftp_host: str | None
    ftp_port: int
    ftp_username: str | None
    ftp_password_set: bool
    ftp_directory: str
    file_type: Literal["PDF", "TIF"]
    original_file_name: bool
    include_metadata: bool


class UserSettingsOut(Schema):
    """A fax user's settings, every tab complete."""

    fax: FaxPreferences
    coverpage: CoverpagePreferences
    notifications: NotificationPreferences
    custom: CustomPreferences


class LevelSettingsOut(UserSettingsOut):
    """A company's or department's settings, every tab complete; no secrets."""

    archive: ArchiveSettingsOut
    contacts: ContactsPreferences


class SettingsPush(InputSchema):
    """Copy these tabs onto every department and user below (operators)."""

    tabs: list[SettingsTab] = Field(min_length=1)


class SettingsPushResult(Schema):
    departments: int = Field(description="Departments overwritten.")
    users: int = Field(description="Users overwritten (only tabs users carry).")


# --- security policy ------------------------------------------------------------------


class SecurityPolicyFields(Schema):
    description: str
    min_length: int
    max_length: int
    min_alpha: int
    min_upper: int
    min_numeric: int
    min_special: int
    history_count: int = Field(description="Earlier passwords that cannot be reused.")
    min_age_days: int
    max_age_days: int = Field(description="0: passwords never expire.")
    exclude_personal_info: bool
    lockout_attempts: int = Field(description="Failed sign-ins before lock-out; 0: never.")
    lockout_minutes: int
    session_timeout_minutes: int
    force_change_by_admin: bool = Field(
        description="Forcefully Change Password by Admin: a password set by an "
        "administrator must be changed at the next sign-in."
    )


class SecurityPolicyOut(SecurityPolicyFields):
    """The security policy in force at a level."""

    customized: bool = Field(description="True when customized exactly at this level.")
    source: Literal["global", "company", "department"] = Field(
        description="The level whose policy is in force."
    )
    company_id: int | None = Field(description="Owner of the policy in force.")
    department_id: int | None = Field(description="Owner of the policy in force.")
    updated_at: datetime


class SecurityPolicyUpdate(InputSchema):
    """Customize the policy: fields given change, the rest are copied from the policy in
    force there."""

    description: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_alpha: int | None = None
    min_upper: int | None = None
    min_numeric: int | None = None
    min_special: int | None = None
    history_count: int | None = None
    min_age_days: int | None = None
    max_age_days: int | None = None
    exclude_personal_info: bool | None = None
    lockout_attempts: int | None = None
    lockout_minutes: int | None = None
    session_timeout_minutes: int | None = None
    force_change_by_admin: bool | None = None


# --- audit and API keys ---------------------------------------------------------------


class AuditEventOut(Schema):
    """One audit event: who did what to which object, when and from where."""

    id: int
    occurred_at: datetime
    kind: str
    actor_id: int | None
    actor_label: str
    company_id: int | None
    target_type: str
    target_id: str
    target_label: str
    ip_address: str | None
    detail: dict[str, Any]


class AuditEventPage(Schema):
    items: list[AuditEventOut]
    count: int


class ApiKeyOut(Schema):
    """One of your API keys (the secret itself is never shown again)."""

    id: int
    name: str
    prefix: str = Field(description="The first characters, to recognize the key.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool


class ApiKeyCreated(ApiKeyOut):
    secret: str = Field(description="The key, shown this once: store it now.")


class ApiKeyPage(Schema):
    items: list[ApiKeyOut]
    count: int


class ApiKeyCreate(InputSchema):
    name: str = Field(description="What the key is for, e.g. `billing export`.")
    password: str | None = Field(
        default=None,
        description="Your password, typed again: required when you call with the portal "
        "session (a key lasts until revoked, so a session must prove a recent sign-in); not "
        "needed with an API key. Missing: 422 `password_required`; wrong: 403 "
        "`wrong_password` (it counts toward the lock-out).",
        max_length=200,
    )
