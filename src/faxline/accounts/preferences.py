"""The settings tabs of a company, department or user, as validated schemas.

Every level stores a full copy of its settings (``settings`` JSON column). A new department
or user copies its parent's settings when it is created; later changes do not flow down
except through an operator's explicit push (``settings_push_to_descendants``).
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator


class InboundFileType(StrEnum):
    PDF = "PDF"
    TIF = "TIF"
    TIF_HIRES = "TIF-HiRes"
    TIF_FAX = "TIF-Fax"
    XPS = "XPS"


class CoverpageMode(StrEnum):
    AUTOMATIC = "automatic"
    ON_DEMAND = "on_demand"
    NONE = "none"
    WITH_BODY_TEXT = "with_body_text"


class WelcomeMessage(StrEnum):
    NONE = "none"
    WELCOME = "welcome"
    WITH_CREDENTIALS = "with_credentials"


DATE_FORMATS: dict[str, str] = {
    "MM-dd-yyyy": "02-15-2012",
    "dd-MM-yyyy": "15-02-2012",
    "yyyy-MM-dd": "2012-02-15",
    "MM/dd/yyyy": "02/15/2012",
    "dd/MM/yyyy": "15/02/2012",
    "dd.MM.yyyy": "15.02.2012",
}
TIME_FORMATS: dict[str, str] = {"h:mm tt": "1:15 PM", "HH:mm": "13:15"}


@cache
def time_zones() -> list[str]:
    return sorted(available_timezones())


class _Tab(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class FaxPreferences(_Tab):
    """Fax tab: inbound file type and handling, SPF on email-to-fax (and DKIM, which
    faxline adds to the guide's tab)."""

    inbound_file_type: InboundFileType = InboundFileType.PDF
    page_separation: bool = False
    require_spf: bool = False
    require_dkim: bool = False
    add_metadata: bool = False


class CoverpagePreferences(_Tab):
    """Coverpage tab."""

    default_coverpage: str = Field(default="Standard", min_length=1, max_length=100)
    only_my_covers: bool = False
    mode: CoverpageMode = CoverpageMode.AUTOMATIC


class NotificationPreferences(_Tab):
    """Notifications tab: the four email-to-fax notifications and the welcome message.

    ``attach_document`` is the company's opt-in to protected health information in the
    Email to Fax Delivery Notification: off (the default), it carries a link to the portal
    and never the document or its cover text; on, the fax is attached as a PDF. Only the
    company level's value counts (``docs/decisions/0031-fax-notifications.md``)."""

    initial_success: bool = True
    initial_failure: bool = True
    delivery_success: bool = True
    delivery_failure: bool = True
    welcome_message: WelcomeMessage = WelcomeMessage.NONE
    attach_document: bool = False


class CustomPreferences(_Tab):
    """Custom tab: how dates and times are shown."""

    time_zone: str = "America/New_York"
    date_format: str = "MM-dd-yyyy"
    time_format: str = "h:mm tt"
    include_time_zone_abbreviation: bool = False

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in time_zones():
            raise ValueError(f"unknown time zone {value!r}")
        return value

    @field_validator("date_format")
    @classmethod
    def _known_date_format(cls, value: str) -> str:
        if value not in DATE_FORMATS:
            raise ValueError(f"must be one of {', '.join(DATE_FORMATS)}")
        return value

    @field_validator("time_format")
    @classmethod
    def _known_time_format(cls, value: str) -> str:
        if value not in TIME_FORMATS:
            raise ValueError(f"must be one of {', '.join(TIME_FORMATS)}")
        return value


class ArchivePreferences(_Tab):
    """Archive tab: where copies of faxes go after transmission."""

    enabled: bool = False
    archive_inbound: bool = True
    archive_outbound: bool = True
    destination: Literal["email", "ftp"] = "email"
    email_address: EmailStr | None = None
    ftp_host: str | None = Field(default=None, max_length=253)
    ftp_port: int = Field(default=21, ge=1, le=65535)
    ftp_username: str | None = Field(default=None, max_length=100)
    # Stored encrypted (faxline.core.crypto); the API and portal never show it back.
    ftp_password_encrypted: str | None = None
    ftp_directory: str = Field(default="/", max_length=255)
    file_type: Literal["PDF", "TIF"] = "PDF"
    original_file_name: bool = False
    include_metadata: bool = False

    @field_validator("ftp_host")
    @classmethod
    def _host(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if any(ch.isspace() for ch in value) or "/" in value:
            raise ValueError("must be a host name or IP address")
        return value

    @model_validator(mode="after")
    def _destination_complete(self) -> ArchivePreferences:
        if not self.enabled:
            return self
        if self.destination == "email" and not self.email_address:
            raise ValueError("email_address is required when archiving to email")
        if self.destination == "ftp" and not self.ftp_host:
            raise ValueError("ftp_host is required when archiving to FTP")
        return self


class EmergencyContact(_Tab):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    phone: str = Field(default="", max_length=30)
    extension: str = Field(default="", max_length=10)


class ContactsPreferences(_Tab):
    """Contacts tab: emergency contacts, at most three."""

    emergency_contacts: list[EmergencyContact] = Field(default_factory=list, max_length=3)


TABS: dict[str, type[_Tab]] = {
    "fax": FaxPreferences,
    "coverpage": CoverpagePreferences,
    "notifications": NotificationPreferences,
    "custom": CustomPreferences,
    "archive": ArchivePreferences,
    "contacts": ContactsPreferences,
}
# Tabs a user account carries (archive and contacts are company/department matters).
USER_TABS = ("fax", "coverpage", "notifications", "custom")
TAB_RIGHT = {tab: f"settings.{tab}" for tab in TABS}


def default_settings() -> dict[str, dict[str, Any]]:
    """The platform defaults for a new company."""
    return {tab: schema().model_dump(mode="json") for tab, schema in TABS.items()}


def read_tab(stored: dict[str, Any], tab: str) -> _Tab:
    """Parse one tab from a level's stored settings, filling gaps with defaults."""
    schema = TABS[tab]
    return schema.model_validate(stored.get(tab) or {})


def complete(stored: dict[str, Any], tabs: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A full settings document: every tab present and valid."""
    wanted = tabs or tuple(TABS)
    return {tab: read_tab(stored, tab).model_dump(mode="json") for tab in wanted}


# strftime equivalents of the Custom tab's formats (the guide writes them .NET-style).
_DATE_STRFTIME = {
    "MM-dd-yyyy": "%m-%d-%Y",
    "dd-MM-yyyy": "%d-%m-%Y",
    "yyyy-MM-dd": "%Y-%m-%d",
    "MM/dd/yyyy": "%m/%d/%Y",
    "dd/MM/yyyy": "%d/%m/%Y",
    "dd.MM.yyyy": "%d.%m.%Y",
}


def format_moment(moment: Any, custom: dict[str, Any] | None = None) -> str:
    """``moment`` (an aware datetime) as a level's Custom tab shows dates and times: in its
    time zone, its date format and time format, with the zone's abbreviation when asked
    (``12-06-2026 9:30 AM EST``)."""
    from zoneinfo import ZoneInfo

    tab = CustomPreferences.model_validate(custom or {})
    local = moment.astimezone(ZoneInfo(tab.time_zone))
    date = local.strftime(_DATE_STRFTIME[tab.date_format])
    if tab.time_format == "HH:mm":
        time = local.strftime("%H:%M")
    else:
        time = f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    text = f"{date} {time}"
    if tab.include_time_zone_abbreviation:
        text += f" {local.tzname()}"
    return text
