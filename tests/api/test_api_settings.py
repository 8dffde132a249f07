"""Settings per level (company, department, user), pushing them down, and secrets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from faxline.accounts.models import Company
from faxline.core.crypto import decrypt_text

from cast import Cast

pytestmark = pytest.mark.django_db
Call = Callable[..., Any]
FTP_SECRET = "ftp-Secret-93751"


def test_company_settings_read_and_change(cast: Cast, call: Call) -> None:
    path = f"/companies/{cast.company.pk}/settings"
    settings = call(cast.company_admin, "get", path).json()
    assert set(settings) == {"fax", "coverpage", "notifications", "custom", "archive", "contacts"}
    assert settings["fax"]["inbound_file_type"] == "PDF"
    changed = call(cast.company_admin, "patch", path + "/custom", {"date_format": "yyyy-MM-dd"})
    assert changed.status_code == 200
    assert changed.json()["custom"]["date_format"] == "yyyy-MM-dd"
    assert changed.json()["custom"]["time_format"] == "h:mm tt"  # untouched
    cast.company.refresh_from_db()
    assert cast.company.settings["custom"]["date_format"] == "yyyy-MM-dd"


def test_archive_ftp_password_is_never_returned(cast: Cast, call: Call) -> None:
    path = f"/companies/{cast.company.pk}/settings"
    response = call(
        cast.company_admin,
        "patch",
        path + "/archive",
        {
            "enabled": True,
            "destination": "ftp",
            "ftp_host": "ftp.acme.example",
            "ftp_username": "acme",
            "ftp_password": FTP_SECRET,
        },
    )
    assert response.status_code == 200, response.content
    for text in (response.content, call(cast.company_admin, "get", path).content):
        assert FTP_SECRET.encode() not in text
        assert b"ftp_password_encrypted" not in text
    archive = response.json()["archive"]
    assert archive["ftp_password_set"] is True and "ftp_password" not in archive
    stored = Company.objects.get(pk=cast.company.pk).settings["archive"]["ftp_password_encrypted"]
    assert stored != FTP_SECRET and decrypt_text(stored) == FTP_SECRET
    # Changing another archive field keeps the password; null clears it.
    kept = call(cast.company_admin, "patch", path + "/archive", {"ftp_port": 2121}).json()
    assert kept["archive"]["ftp_password_set"] is True
    cleared = call(cast.company_admin, "patch", path + "/archive", {"ftp_password": None}).json()
    assert cleared["archive"]["ftp_password_set"] is False
    # A department copies its parent's settings when created: still no secret in its view.
    call(cast.company_admin, "patch", path + "/archive", {"ftp_password": FTP_SECRET})
    dept = call(cast.company_admin, "post", "/departments", {"name": "Archive Dept"}).json()
    shown = call(cast.company_admin, "get", f"/departments/{dept['id']}/settings")
    assert FTP_SECRET.encode() not in shown.content
    assert shown.json()["archive"]["ftp_password_set"] is True


def test_archive_ftp_host_must_be_public(cast: Cast, call: Call, settings: Any) -> None:
    company = f"/companies/{cast.company.pk}/settings/archive"
    department = f"/departments/{cast.billing.pk}/settings/archive"
    for path in (company, department):
        for host in ("127.0.0.1", "0x7f000001", "[::1]", "169.254.169.254", "localhost"):
            response = call(cast.company_admin, "patch", path, {"ftp_host": host})
            assert response.status_code == 422, (path, host, response.content)
            body = response.json()
            assert body["field"] == "settings.archive.ftp_host"
            assert body["code"] == "private_destination"
    assert Company.objects.get(pk=cast.company.pk).settings["archive"]["ftp_host"] is None
    # The provider's operator may allow a private network for its customers.
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = ["192.168.7.0/24"]
    assert (
        call(cast.company_admin, "patch", company, {"ftp_host": "192.168.7.9"}).status_code == 200
    )
    assert (
        call(cast.company_admin, "patch", company, {"ftp_host": "192.168.8.9"}).status_code == 422
    )


def test_department_and_user_settings(cast: Cast, call: Call) -> None:
    dept = f"/departments/{cast.billing.pk}/settings"
    changed = call(cast.dept_admin, "patch", dept + "/fax", {"inbound_file_type": "TIF"})
    assert changed.status_code == 200 and changed.json()["fax"]["inbound_file_type"] == "TIF"
    cast.billing.refresh_from_db()
    assert cast.billing.settings["fax"]["inbound_file_type"] == "TIF"
    contacts = {"emergency_contacts": [{"name": "Ops", "email": "ops@acme.example"}]}
    assert call(cast.dept_admin, "patch", dept + "/contacts", contacts).status_code == 200

    user = f"/users/{cast.billing_user.pk}/settings"
    mine = call(cast.billing_user, "get", user).json()
    assert set(mine) == {"fax", "coverpage", "notifications", "custom"}
    changed = call(cast.dept_admin, "patch", user + "/notifications", {"delivery_success": False})
    assert changed.json()["notifications"]["delivery_success"] is False
    cast.billing_user.refresh_from_db()
    assert cast.billing_user.settings["notifications"]["delivery_success"] is False
    unknown = call(cast.dept_admin, "patch", user + "/fax", {"colour": "red"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "settings.fax.colour"


def test_push_settings_down_is_for_operators(cast: Cast, call: Call) -> None:
    call(
        cast.company_admin,
        "patch",
        f"/companies/{cast.company.pk}/settings/fax",
        {"inbound_file_type": "XPS"},
    )
    refused = call(
        cast.company_admin, "post", f"/companies/{cast.company.pk}/settings/push", {"tabs": ["fax"]}
    )
    assert refused.status_code == 403
    cast.sales_user.refresh_from_db()
    assert cast.sales_user.settings["fax"]["inbound_file_type"] == "PDF"

    pushed = call(
        cast.operator, "post", f"/companies/{cast.company.pk}/settings/push", {"tabs": ["fax"]}
    )
    assert pushed.status_code == 200 and pushed.json() == {"departments": 3, "users": 2}
    cast.sales_user.refresh_from_db()
    assert cast.sales_user.settings["fax"]["inbound_file_type"] == "XPS"

    call(
        cast.operator,
        "patch",
        f"/departments/{cast.billing.pk}/settings/fax",
        {"inbound_file_type": "TIF-Fax"},
    )
    below = call(
        cast.operator,
        "post",
        f"/departments/{cast.billing.pk}/settings/push",
        {"tabs": ["fax", "archive"]},
    )
    assert below.json() == {"departments": 1, "users": 1}
    cast.billing_user.refresh_from_db()
    cast.sales_user.refresh_from_db()
    assert cast.billing_user.settings["fax"]["inbound_file_type"] == "TIF-Fax"
    assert cast.sales_user.settings["fax"]["inbound_file_type"] == "XPS"  # not below Billing


# --- one transaction: a level's details with its settings ------------------------------


def test_company_details_and_settings_in_one_call(cast: Cast, call: Call) -> None:
    path = f"/companies/{cast.company.pk}"
    saved = call(
        cast.company_admin,
        "patch",
        path,
        {"name": "Acme Global", "settings": {"custom": {"time_zone": "Europe/Berlin"}}},
    )
    assert saved.status_code == 200 and saved.json()["name"] == "Acme Global"
    cast.company.refresh_from_db()
    assert cast.company.settings["custom"]["time_zone"] == "Europe/Berlin"
    # A bad settings value refuses the whole call, naming the field: the name stays.
    refused = call(
        cast.company_admin,
        "patch",
        path,
        {"name": "Acme Renamed", "settings": {"custom": {"time_zone": "Mars/Olympus"}}},
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "settings.custom.time_zone"
    cast.company.refresh_from_db()
    assert cast.company.name == "Acme Global"
    # Read-only: 403 whatever is asked; a department administrator may not touch the company.
    assert call(cast.read_only_admin, "patch", path, {"settings": {"fax": {}}}).status_code == 403
    denied = call(cast.dept_admin, "patch", path, {"settings": {"fax": {"require_spf": True}}})
    assert denied.status_code == 403
    unknown = call(cast.company_admin, "patch", path, {"settings": {"nope": {}}})
    assert unknown.status_code == 422 and unknown.json()["field"] == "settings.nope"
    assert call(cast.outsider_admin, "patch", path, {"settings": {"fax": {}}}).status_code == 404


def test_user_fax_addresses_and_settings_in_one_call(cast: Cast, call: Call) -> None:
    user = cast.billing_user
    path = f"/users/{user.pk}"
    saved = call(
        cast.company_admin,
        "patch",
        path,
        {
            "sending_email": "fax@acme.example",
            "receiving_emails": ["in@acme.example"],
            "settings": {"fax": {"inbound_file_type": "TIF"}},
        },
    )
    assert saved.status_code == 200
    user.refresh_from_db()
    assert user.sending_email == "fax@acme.example"
    assert user.settings["fax"]["inbound_file_type"] == "TIF"
    refused = call(
        cast.company_admin,
        "patch",
        path,
        {"sending_email": "other@acme.example", "settings": {"fax": {"inbound_file_type": "DOC"}}},
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "settings.fax.inbound_file_type"
    user.refresh_from_db()
    assert user.sending_email == "fax@acme.example"
    # Archive is not a user's tab.
    wrong = call(cast.company_admin, "patch", path, {"settings": {"archive": {}}})
    assert wrong.status_code == 422 and wrong.json()["field"] == "settings.archive"
