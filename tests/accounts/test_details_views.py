"""Company, Department, User Account and Administrator Details pages and Add Administrator,
through Django's test client with the standard cast."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from faxline.accounts.choices import Role
from faxline.accounts.models import Company, Department, SecurityPolicy, User
from faxline.accounts.rights import ALL_RIGHTS

from cast import PASSWORD, Cast

pytestmark = pytest.mark.django_db

COMPANY_TABS = ("fax", "coverpage", "notifications", "custom", "archive", "security", "contacts")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def company_url(cast: Cast, tab: str = "", **params: str) -> str:
    url = reverse("accounts:company_details", args=[cast.company.pk])
    query = "&".join(f"{k}={v}" for k, v in {"tab": tab, **params}.items() if v)
    return f"{url}?{query}" if query else url


def dept_url(dept: Department, tab: str = "") -> str:
    url = reverse("accounts:department_details", args=[dept.pk])
    return f"{url}?tab={tab}" if tab else url


def user_url(user: User, tab: str = "") -> str:
    url = reverse("accounts:user_details", args=[user.pk])
    return f"{url}?tab={tab}" if tab else url


def admin_url(user: User, tab: str = "") -> str:
    url = reverse("accounts:administrator_details", args=[user.pk])
    return f"{url}?tab={tab}" if tab else url


def add_admin_url(cast: Cast, department: Department | None = None) -> str:
    url = reverse("accounts:administrator_add", args=[cast.company.pk])
    return f"{url}?department={department.pk}" if department else url


FAX_POST = {"tab": "fax", "inbound_file_type": "TIF", "page_separation": "on", "add_metadata": "on"}
CUSTOM_POST = {
    "tab": "custom",
    "name": "Acme Corp",
    "domain": "acme.example",
    "time_zone": "Europe/Berlin",
    "date_format": "dd.MM.yyyy",
    "time_format": "HH:mm",
    "include_time_zone_abbreviation": "on",
}
ARCHIVE_POST = {
    "tab": "archive",
    "enabled": "on",
    "archive_inbound": "on",
    "archive_outbound": "on",
    "destination": "email",
    "email_address": "",
    "ftp_host": "",
    "ftp_port": "21",
    "ftp_username": "",
    "ftp_password": "",
    "ftp_directory": "/",
    "file_type": "PDF",
}


def field_errors(response: Any, form_key: str = "form") -> dict[str, list[str]]:
    form = response.context[form_key]
    return {k: list(v) for k, v in form.errors.items()}


def reload(obj: Any) -> Any:
    obj.refresh_from_db()
    return obj


# --- Company Details ------------------------------------------------------------------


@pytest.mark.parametrize("tab", COMPANY_TABS)
def test_every_company_tab_renders_for_the_company_admin(cast: Cast, tab: str) -> None:
    response = _client(cast.company_admin).get(company_url(cast, tab))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Company Details" in html
    assert response.context["editable"] is True
    assert 'aria-current="page"' in html
    if tab in ("fax", "coverpage", "notifications", "custom", "archive"):
        assert ">Save</button>" in html and " disabled" not in html.split(">Save<")[0][-80:]


def test_fax_tab_saves(cast: Cast) -> None:
    client = _client(cast.company_admin)
    response = client.post(company_url(cast, "fax"), FAX_POST)
    assert response.status_code == 302
    assert response["Location"].endswith("?tab=fax")
    fax = reload(cast.company).settings["fax"]
    assert fax == {
        "inbound_file_type": "TIF",
        "page_separation": True,
        "require_spf": False,
        "require_dkim": False,
        "add_metadata": True,
    }
    page = client.get(company_url(cast, "fax")).content.decode()
    assert '<option value="TIF" selected>' in page
    assert "Fax settings saved." in page
    assert "only applied to newly created users" in page


def test_coverpage_and_notifications_tabs_save(cast: Cast) -> None:
    client = _client(cast.company_admin)
    html = client.get(company_url(cast, "coverpage")).content.decode()
    for text in (
        "Automatic Coverpages",
        "On Demand Coverpages",
        "No Coverpages",
        "With Body Text",
        "Attach Coverpage only if there is an email body.",
        "Personal Health Information (PHI)",
    ):
        assert text in html
    response = client.post(
        company_url(cast, "coverpage"),
        {
            "tab": "coverpage",
            "default_coverpage": "Standard",
            "only_my_covers": "on",
            "mode": "on_demand",
        },
    )
    assert response.status_code == 302
    assert reload(cast.company).settings["coverpage"] == {
        "default_coverpage": "Standard",
        "only_my_covers": True,
        "mode": "on_demand",
    }

    html = client.get(company_url(cast, "notifications")).content.decode()
    assert "Email to Fax Delivery Notification (Failure)" in html
    assert "Welcome Message with Credentials" in html
    response = client.post(
        company_url(cast, "notifications"),
        {
            "tab": "notifications",
            "initial_success": "on",
            "initial_failure": "on",
            "delivery_success": "on",
            "welcome_message": "with_credentials",
        },
    )
    assert response.status_code == 302
    notifications = reload(cast.company).settings["notifications"]
    assert notifications["delivery_failure"] is False
    assert notifications["welcome_message"] == "with_credentials"


def test_custom_tab_saves_date_format_and_company_name(cast: Cast) -> None:
    client = _client(cast.company_admin)
    html = client.get(company_url(cast, "custom")).content.decode()
    assert "MM-dd-yyyy (02-15-2012)" in html
    assert "h:mm tt (1:15 PM)" in html
    response = client.post(company_url(cast, "custom"), {**CUSTOM_POST, "name": "Acme Inc"})
    assert response.status_code == 302
    company = reload(cast.company)
    assert company.name == "Acme Inc"
    assert company.domain == "acme.example"
    assert company.settings["custom"] == {
        "time_zone": "Europe/Berlin",
        "date_format": "dd.MM.yyyy",
        "time_format": "HH:mm",
        "include_time_zone_abbreviation": True,
    }


def test_unknown_time_zone_is_shown_on_its_field_and_nothing_is_saved(cast: Cast) -> None:
    before = dict(cast.company.settings["custom"])
    response = _client(cast.company_admin).post(
        company_url(cast, "custom"), {**CUSTOM_POST, "name": "Renamed", "time_zone": "Mars/Base"}
    )
    assert response.status_code == 422
    assert "time_zone" in field_errors(response)
    assert "is-invalid" in response.content.decode()
    company = reload(cast.company)
    assert company.settings["custom"] == before
    assert company.name == "Acme Corp"


def test_company_rename_clash_rolls_back_the_date_format(cast: Cast) -> None:
    before = dict(cast.company.settings["custom"])
    response = _client(cast.company_admin).post(
        company_url(cast, "custom"), {**CUSTOM_POST, "name": "globex"}
    )
    assert response.status_code == 422
    assert "already exists" in field_errors(response)["name"][0]
    assert reload(cast.company).settings["custom"] == before


def test_archive_enabled_without_email_is_refused_on_the_email_field(cast: Cast) -> None:
    response = _client(cast.company_admin).post(company_url(cast, "archive"), ARCHIVE_POST)
    assert response.status_code == 422
    errors = field_errors(response)
    assert errors["email_address"] == ["Email address is required when archiving to email."]
    assert reload(cast.company).settings["archive"]["enabled"] is False


def test_archive_ftp_password_is_write_only(cast: Cast) -> None:
    client = _client(cast.company_admin)
    post = {
        **ARCHIVE_POST,
        "destination": "ftp",
        "ftp_host": "ftp.acme.example",
        "ftp_username": "fax",
        "ftp_password": "s3cret-ftp",
        "ftp_directory": "/in",
    }
    assert client.post(company_url(cast, "archive"), post).status_code == 302
    stored = reload(cast.company).settings["archive"]
    assert stored["ftp_password_encrypted"] and "s3cret-ftp" not in str(stored)
    html = client.get(company_url(cast, "archive")).content.decode()
    assert "A password is stored" in html
    assert "s3cret-ftp" not in html
    # A blank password keeps the stored one.
    post["ftp_password"] = ""
    post["ftp_directory"] = "/archive"
    assert client.post(company_url(cast, "archive"), post).status_code == 302
    again = reload(cast.company).settings["archive"]
    assert again["ftp_password_encrypted"] == stored["ftp_password_encrypted"]
    assert again["ftp_directory"] == "/archive"
    # Removing it clears it.
    assert (
        client.post(company_url(cast, "archive"), {**post, "forget_ftp_password": "on"}).status_code
        == 302
    )
    assert reload(cast.company).settings["archive"]["ftp_password_encrypted"] is None


@pytest.mark.parametrize("host", ["127.0.0.1", "192.168.1.20", "localhost", "::ffff:10.0.0.1"])
def test_archive_ftp_host_must_be_public(cast: Cast, host: str) -> None:
    post = {**ARCHIVE_POST, "destination": "ftp", "ftp_host": host, "ftp_username": "fax"}
    response = _client(cast.company_admin).post(company_url(cast, "archive"), post)
    assert response.status_code == 422
    (error,) = field_errors(response)["ftp_host"]
    assert "cannot be used" in error and "FAXLINE_ALLOW_PRIVATE_NETWORKS" in error
    assert reload(cast.company).settings["archive"]["enabled"] is False


def test_security_tab_shows_the_global_policy_and_customizes_it(cast: Cast) -> None:
    client = _client(cast.company_admin)
    html = client.get(company_url(cast, "security")).content.decode()
    for text in (
        "Password Complexity",
        "Password Age &amp; History",
        "Account Security",
        "8 to 100",
        "Temporary Lock Out Attempts",
        "5m (5)",
        "1h (60)",
        "Forcefully Change Password by Admin",
        "Global Policy",
        "Customize Security Policy",
    ):
        assert text in html
    assert "Use inherited policy" not in html

    form = client.get(company_url(cast, "security", edit="1"))
    assert form.context["policy_form"]["lockout_attempts"].value() == 6
    values = {k: v for k, v in form.context["policy_form"].initial.items()}
    post = {
        **{k: str(v) for k, v in values.items()},
        "tab": "security",
        "action": "save_policy",
        "lockout_attempts": "3",
    }
    response = client.post(company_url(cast, "security"), post)
    assert response.status_code == 302
    policy = SecurityPolicy.objects.get(company=cast.company, department__isnull=True)
    assert policy.lockout_attempts == 3
    assert policy.description == "Acme Corp security policy"
    html = client.get(company_url(cast, "security")).content.decode()
    assert "Customized for this company." in html
    assert "Use inherited policy" in html

    response = client.post(
        company_url(cast, "security"), {"tab": "security", "action": "reset_policy"}
    )
    assert response.status_code == 302
    assert not SecurityPolicy.objects.filter(company=cast.company).exists()


def test_security_policy_error_is_shown_on_its_field(cast: Cast) -> None:
    client = _client(cast.company_admin)
    initial = client.get(company_url(cast, "security", edit="1")).context["policy_form"].initial
    post = {
        **{k: str(v) for k, v in initial.items()},
        "tab": "security",
        "action": "save_policy",
        "min_length": "2",
    }
    response = client.post(company_url(cast, "security"), post)
    assert response.status_code == 422
    assert field_errors(response, "policy_form")["min_length"] == [
        "Password length (minimum) must be at least 4."
    ]
    assert not SecurityPolicy.objects.filter(company=cast.company).exists()


def test_contacts_add_modify_delete_and_a_fourth_is_refused(cast: Cast) -> None:
    client = _client(cast.company_admin)
    html = client.get(company_url(cast, "contacts")).content.decode()
    assert "Total Emergency Contact(s): 0 of 3" in html
    assert "Add Contact" in html
    for i in range(3):
        response = client.post(
            company_url(cast, "contacts"),
            {
                "tab": "contacts",
                "action": "add_contact",
                "name": f"Contact {i}",
                "email": f"c{i}@acme.example",
                "phone": "8005550100",
                "extension": str(i),
            },
        )
        assert response.status_code == 302
    html = client.get(company_url(cast, "contacts")).content.decode()
    assert "Total Emergency Contact(s): 3 of 3" in html
    assert "Add Contact" not in html

    response = client.post(
        company_url(cast, "contacts"),
        {"tab": "contacts", "action": "add_contact", "name": "Fourth", "email": "c4@acme.example"},
    )
    assert response.status_code == 422
    assert "at most 3 emergency contacts" in response.content.decode()
    assert len(reload(cast.company).settings["contacts"]["emergency_contacts"]) == 3

    response = client.post(
        company_url(cast, "contacts"),
        {
            "tab": "contacts",
            "action": "update_contact",
            "index": "1",
            "name": "Gregory Means",
            "email": "gmeans@acme.example",
            "phone": "8007920329",
            "extension": "",
        },
    )
    assert response.status_code == 302
    response = client.post(
        company_url(cast, "contacts"), {"tab": "contacts", "action": "delete_contact", "index": "0"}
    )
    assert response.status_code == 302
    contacts = reload(cast.company).settings["contacts"]["emergency_contacts"]
    assert [c["name"] for c in contacts] == ["Gregory Means", "Contact 2"]


# --- refusals -------------------------------------------------------------------------


def test_read_only_admin_sees_disabled_forms_and_cannot_save(cast: Cast) -> None:
    client = _client(cast.read_only_admin)
    response = client.get(company_url(cast, "fax"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<fieldset class="fx-form-max" disabled>' in html
    assert "read-only administrator" in html
    before = dict(cast.company.settings["fax"])
    response = client.post(company_url(cast, "fax"), FAX_POST)
    assert response.status_code == 403
    assert "read-only administrator" in response.content.decode()
    assert reload(cast.company).settings["fax"] == before
    # Nor the security policy, rights or department names.
    assert (
        "Customize Security Policy"
        not in client.get(company_url(cast, "security")).content.decode()
    )
    response = client.post(
        company_url(cast, "security"),
        {
            "tab": "security",
            "action": "save_policy",
            "min_length": "8",
            "max_length": "100",
            "min_alpha": "1",
            "min_upper": "0",
            "min_numeric": "1",
            "min_special": "1",
            "history_count": "0",
            "min_age_days": "0",
            "max_age_days": "0",
            "exclude_personal_info": "False",
            "lockout_attempts": "3",
            "lockout_minutes": "5",
            "session_timeout_minutes": "60",
            "force_change_by_admin": "False",
        },
    )
    assert response.status_code == 403
    assert not SecurityPolicy.objects.filter(company=cast.company).exists()
    response = client.post(
        dept_url(cast.sales, "department"), {"tab": "department", "name": "Renamed"}
    )
    assert response.status_code == 403
    assert reload(cast.sales).name == "Sales"


def test_department_admin_scope(cast: Cast) -> None:
    client = _client(cast.dept_admin)
    assert client.get(dept_url(cast.sales)).status_code == 404
    assert client.get(user_url(cast.sales_user)).status_code == 404
    assert client.get(dept_url(cast.billing)).status_code == 200
    assert client.get(dept_url(cast.billing_l1, "fax")).status_code == 200
    # Company Details: readable, but not for writing.
    response = client.get(company_url(cast, "fax"))
    assert response.status_code == 200
    assert response.context["editable"] is False
    assert "Only company-level administrators" in response.content.decode()
    before = dict(cast.company.settings["fax"])
    response = client.post(company_url(cast, "fax"), FAX_POST)
    assert response.status_code == 403
    assert reload(cast.company).settings["fax"] == before
    # The company-level administrators are not in their scope.
    assert client.get(admin_url(cast.company_admin)).status_code == 404
    # Their own department's settings they may change.
    response = client.post(dept_url(cast.billing_l1, "fax"), FAX_POST)
    assert response.status_code == 302
    assert reload(cast.billing_l1).settings["fax"]["inbound_file_type"] == "TIF"


@pytest.mark.parametrize("name", ["company", "department", "user", "administrator", "add"])
def test_outsider_gets_404(cast: Cast, name: str) -> None:
    url = {
        "company": company_url(cast, "fax"),
        "department": dept_url(cast.billing),
        "user": user_url(cast.billing_user),
        "administrator": admin_url(cast.dept_admin),
        "add": add_admin_url(cast),
    }[name]
    client = _client(cast.outsider_admin)
    assert client.get(url).status_code == 404
    assert client.post(url, {"tab": "fax", **FAX_POST}).status_code == 404


def test_fax_user_has_no_account_administration(cast: Cast) -> None:
    client = _client(cast.billing_user)
    assert client.get(user_url(cast.billing_user)).status_code == 404
    assert client.get(company_url(cast)).status_code == 404


def test_anonymous_is_sent_to_sign_in(cast: Cast) -> None:
    response = Client().get(company_url(cast))
    assert response.status_code == 302
    assert "/auth/login/" in response["Location"]


# --- Department Details ---------------------------------------------------------------


def test_department_details_tabs(cast: Cast) -> None:
    client = _client(cast.company_admin)
    response = client.get(dept_url(cast.billing_l1))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Department Details" in html
    assert f"Department ID: {cast.billing_l1.pk}" in html
    assert "Billing Dept -&gt; Billing Level 1" in html
    for tab in (
        "department",
        "fax",
        "coverpage",
        "notifications",
        "custom",
        "archive",
        "security",
        "contacts",
    ):
        assert client.get(dept_url(cast.billing_l1, tab)).status_code == 200
    response = client.post(
        dept_url(cast.billing_l1, "department"), {"tab": "department", "name": "Billing Level One"}
    )
    assert response.status_code == 302
    assert reload(cast.billing_l1).name == "Billing Level One"
    response = client.post(
        dept_url(cast.billing_l1, "department"), {"tab": "department", "name": ""}
    )
    assert response.status_code == 422


def test_department_security_policy_is_inherited_then_customized(cast: Cast) -> None:
    client = _client(cast.company_admin)
    html = client.get(dept_url(cast.billing, "security")).content.decode()
    assert "Inherited from the Global Policy" in html
    initial = (
        client.get(f"{dept_url(cast.billing, 'security')}&edit=1").context["policy_form"].initial
    )
    post = {
        **{k: str(v) for k, v in initial.items()},
        "tab": "security",
        "action": "save_policy",
        "session_timeout_minutes": "120",
    }
    assert client.post(dept_url(cast.billing, "security"), post).status_code == 302
    assert SecurityPolicy.objects.get(department=cast.billing).session_timeout_minutes == 120
    html = client.get(dept_url(cast.billing_l1, "security")).content.decode()
    assert "Inherited from the department Billing Dept." in html
    assert "2h (120)" in html


# --- User Account Details -------------------------------------------------------------


def test_user_details_tabs_render_and_save(cast: Cast) -> None:
    client = _client(cast.company_admin)
    user = cast.billing_user
    for tab in ("details", "fax", "coverpage", "notifications", "custom"):
        assert client.get(user_url(user, tab)).status_code == 200
    html = client.get(user_url(user)).content.decode()
    assert "User Account Details" in html and "Date Format" in html
    assert "Personally Identifiable Information" in html
    response = client.post(
        user_url(user, "details"),
        {
            "tab": "details",
            "first_name": "William",
            "last_name": "Payer",
            "email": "bill@acme.example",
            "city": "Portland",
            "country": "US",
            "custom1": "CC-12",
        },
    )
    assert response.status_code == 302
    user = reload(user)
    assert (user.first_name, user.city, user.custom1) == ("William", "Portland", "CC-12")

    response = client.post(
        user_url(user, "fax"),
        {
            "tab": "fax",
            "sending_email": "bill@acme.example",
            "receiving_email_1": "bill@acme.example",
            "receiving_email_2": "ap@acme.example",
            "inbound_file_type": "TIF-HiRes",
        },
    )
    assert response.status_code == 302
    user = reload(user)
    assert user.receiving_emails == ["bill@acme.example", "ap@acme.example"]
    assert user.settings["fax"]["inbound_file_type"] == "TIF-HiRes"

    response = client.post(
        user_url(user, "custom"),
        {
            "tab": "custom",
            "time_zone": "America/Chicago",
            "date_format": "yyyy-MM-dd",
            "time_format": "HH:mm",
        },
    )
    assert response.status_code == 302
    assert reload(user).settings["custom"]["date_format"] == "yyyy-MM-dd"


def test_user_fax_tab_duplicate_receiving_email_saves_nothing(cast: Cast) -> None:
    user = cast.billing_user
    response = _client(cast.company_admin).post(
        user_url(user, "fax"),
        {
            "tab": "fax",
            "sending_email": "bill@acme.example",
            "receiving_email_1": "x@acme.example",
            "receiving_email_2": "x@acme.example",
            "inbound_file_type": "XPS",
        },
    )
    assert response.status_code == 422
    assert "receiving_email_1" in field_errors(response)
    user = reload(user)
    assert user.settings["fax"]["inbound_file_type"] == "PDF"
    assert user.receiving_emails == ["bill@acme.example"]


def test_set_password_generated_is_shown_once(cast: Cast) -> None:
    client = _client(cast.company_admin)
    user = cast.billing_user
    response = client.post(
        user_url(user, "details"),
        {"tab": "details", "action": "set_password", "generate_password": "on"},
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    password = response.context["new_password"]
    assert escape(password) in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert reload(user).check_password(password)
    # Shown once: not on the next visit, and not to anybody else.
    assert client.get(user_url(user)).context["new_password"] is None

    response = client.post(
        user_url(user, "details"), {"tab": "details", "action": "set_password", "password": "short"}
    )
    assert response.status_code == 422
    assert "password" in field_errors(response, "password_form")
    assert reload(user).check_password(password)


def test_user_status_is_shown(cast: Cast) -> None:
    user = cast.billing_user
    User.objects.filter(pk=user.pk).update(is_locked=True)
    html = _client(cast.company_admin).get(user_url(user)).content.decode()
    assert "Locked" in html


def test_user_details_of_an_administrator_redirects(cast: Cast) -> None:
    response = _client(cast.company_admin).get(user_url(cast.dept_admin))
    assert response.status_code == 302
    assert response["Location"] == admin_url(cast.dept_admin)


# --- Administrator Details ------------------------------------------------------------


def test_administrator_details_tabs(cast: Cast) -> None:
    client = _client(cast.company_admin)
    admin = cast.dept_admin
    html = client.get(admin_url(admin)).content.decode()
    assert "Administrator Details" in html
    assert "Billing Dept" in html
    for tab in ("details", "rights", "security"):
        assert client.get(admin_url(admin, tab)).status_code == 200
    response = client.post(
        admin_url(admin, "details"),
        {
            "tab": "details",
            "first_name": "Dana",
            "last_name": "Director",
            "email": "dana@acme.example",
            "phone": "5035550100",
            "time_zone": "America/Denver",
            "language": "es",
        },
    )
    assert response.status_code == 302
    admin = reload(admin)
    assert (admin.last_name, admin.phone, admin.time_zone, admin.language) == (
        "Director",
        "5035550100",
        "America/Denver",
        "es",
    )

    html = client.get(admin_url(admin, "security")).content.decode()
    assert "Password Complexity" in html
    assert f"{reverse('accounts:department_details', args=[cast.billing.pk])}?tab=security" in html
    assert "Send password reset link" in html and "Set password" not in html


def test_rights_tab_clears_a_group_whose_main_box_is_unticked(cast: Cast) -> None:
    client = _client(cast.company_admin)
    html = client.get(admin_url(cast.dept_admin, "rights")).content.decode()
    assert "Read-Only Administrator" in html
    assert "may not make changes to the Company, Departments or Users" in html
    assert "Account Administration" in html and "Add, change and delete user accounts" in html
    response = client.post(
        admin_url(cast.dept_admin, "rights"),
        {
            "tab": "rights",
            "group": ["settings", "activity"],
            "rights": ["users.manage", "departments.manage", "settings.fax", "activity.inbound"],
        },
    )
    assert response.status_code == 302
    admin = reload(cast.dept_admin)
    assert admin.rights == ["activity.inbound", "settings.fax"]
    assert admin.read_only is False

    response = client.post(
        admin_url(cast.dept_admin, "rights"),
        {
            "tab": "rights",
            "read_only": "on",
            "group": ["account_administration", "numbers"],
            "rights": ["users.manage", "numbers.view", "numbers.assign"],
        },
    )
    assert response.status_code == 302
    admin = reload(cast.dept_admin)
    # Read-only keeps the view rights ticked and clears the rights that change something.
    assert admin.rights == ["numbers.view"]
    assert admin.read_only is True


def test_rights_cannot_be_escalated(cast: Cast) -> None:
    # Dana may manage administrators but lacks the porting rights after this.
    rights = sorted(ALL_RIGHTS - {"porting.manage"})
    User.objects.filter(pk=cast.dept_admin.pk).update(rights=rights)
    sub = User.objects.create_user(
        username="sub",
        password=PASSWORD,
        role=Role.ADMINISTRATOR,
        company=cast.company,
        department=cast.billing_l1,
        first_name="Sub",
        last_name="Admin",
        email="sub@acme.example",
        rights=["users.manage"],
    )
    client = _client(reload(cast.dept_admin))
    html = client.get(admin_url(sub, "rights")).content.decode()
    assert 'value="porting.manage"' in html and "You cannot grant a right" in html
    response = client.post(
        admin_url(sub, "rights"),
        {"tab": "rights", "group": ["porting"], "rights": ["porting.manage"]},
    )
    assert response.status_code == 403
    assert "You cannot grant rights you do not hold" in response.content.decode()
    assert reload(sub).rights == ["users.manage"]


def test_an_administrator_cannot_change_themselves(cast: Cast) -> None:
    client = _client(cast.company_admin)
    response = client.get(admin_url(cast.company_admin, "rights"))
    assert response.status_code == 200
    assert response.context["editable"] is False
    response = client.post(
        admin_url(cast.company_admin, "rights"),
        {"tab": "rights", "group": ["reports"], "rights": ["reports.run"]},
    )
    assert response.status_code == 403
    assert sorted(reload(cast.company_admin).rights) == sorted(ALL_RIGHTS)


def test_read_only_admin_cannot_change_rights(cast: Cast) -> None:
    response = _client(cast.read_only_admin).post(
        admin_url(cast.dept_admin, "rights"),
        {"tab": "rights", "group": ["reports"], "rights": ["reports.run"]},
    )
    assert response.status_code == 403
    assert sorted(reload(cast.dept_admin).rights) == sorted(ALL_RIGHTS)


# --- Add Administrator ----------------------------------------------------------------


def test_add_administrator_prefills_every_grantable_right(cast: Cast) -> None:
    response = _client(cast.company_admin).get(add_admin_url(cast, cast.billing))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Level: Billing Dept" in html
    for step in ("Administrator Details", "Time Zone and Language", "Rights"):
        assert step in html
    groups = response.context["rights_groups"]
    assert all(r["checked"] for g in groups for r in g["rights"])


def test_add_department_administrator_with_restricted_rights(cast: Cast) -> None:
    client = _client(cast.company_admin)
    response = client.post(
        add_admin_url(cast, cast.billing),
        {
            "department": str(cast.billing.pk),
            "first_name": "Ann",
            "last_name": "Admin",
            "email": "ann@acme.example",
            "use_email_as_username": "on",
            "password": PASSWORD,
            "time_zone": "America/Chicago",
            "language": "en",
            "group": ["account_administration", "settings"],
            "rights": ["users.manage"],
            "action": "finish",
        },
    )
    assert response.status_code == 302
    admin = User.objects.get(username="ann@acme.example")
    assert response["Location"] == admin_url(admin)
    assert admin.role == Role.ADMINISTRATOR
    assert admin.department == cast.billing
    assert admin.rights == ["users.manage"]
    assert admin.time_zone == "America/Chicago"
    assert admin.check_password(PASSWORD)


def test_add_administrator_with_generated_password_shows_it_once(cast: Cast) -> None:
    response = _client(cast.company_admin).post(
        add_admin_url(cast),
        {
            "first_name": "Gene",
            "last_name": "Rated",
            "email": "gene@acme.example",
            "username": "gene",
            "generate_password": "on",
            "time_zone": "America/New_York",
            "language": "en",
            "group": ["reports"],
            "rights": ["reports.run"],
            "read_only": "on",
            "action": "finish",
        },
    )
    assert response.status_code == 302
    admin = User.objects.get(username="gene")
    assert admin.department is None and admin.read_only is True
    shown = _client(cast.company_admin).get(response["Location"]).context["new_password"]
    assert shown is None  # another session does not see it
    page = response.client.get(response["Location"])
    assert admin.check_password(page.context["new_password"])
    assert "Administrator Gene Rated created." in page.content.decode()


def test_add_administrator_errors_go_back_to_their_step(cast: Cast) -> None:
    # The wizard engine answers a refused Finish with the wizard, on the step of the field.
    client = _client(cast.company_admin)
    response = client.post(
        add_admin_url(cast),
        {
            "first_name": "Ann",
            "last_name": "Admin",
            "email": "ann@acme.example",
            "username": "carol",
            "password": PASSWORD,
            "time_zone": "America/New_York",
            "language": "en",
            "step": "3",
            "action": "finish",
        },
    )
    assert response.status_code == 200
    assert "already taken" in field_errors(response)["username"][0]
    assert response.context["step"] == 1
    response = client.post(
        add_admin_url(cast),
        {
            "first_name": "Ann",
            "last_name": "Admin",
            "email": "ann@acme.example",
            "username": "ann",
            "password": "weak",
            "time_zone": "America/New_York",
            "language": "en",
            "step": "3",
            "action": "finish",
        },
    )
    assert response.status_code == 200
    assert "password" in field_errors(response)
    assert response.context["step"] == 1
    assert not User.objects.filter(username="ann").exists()


def test_add_administrator_steps_judge_the_step_they_leave(cast: Cast) -> None:
    client = _client(cast.company_admin)
    data = {
        "first_name": "Ann",
        "last_name": "Admin",
        "email": "ann@acme.example",
        "use_email_as_username": "on",
        "password": "abcdefgh",
        "time_zone": "Nowhere/Else",
        "language": "en",
        "group": ["reports"],
        "rights": ["reports.run"],
    }
    # Next on step 1: the password policy is said at once; the bad time zone of step 2 not.
    response = client.post(add_admin_url(cast), {**data, "step": "1", "action": "next"})
    assert response.context["step"] == 1
    assert "must contain at least 1 digit" in field_errors(response)["password"][0]
    assert "time_zone" not in field_errors(response)
    data["password"] = PASSWORD
    response = client.post(add_admin_url(cast), {**data, "step": "1", "action": "next"})
    assert response.context["step"] == 2
    assert not response.context["form"].errors
    # The rights travel with every step, as ticked.
    groups = response.context["rights_groups"]
    assert [r["code"] for g in groups for r in g["rights"] if r["checked"]] == ["reports.run"]
    response = client.post(add_admin_url(cast), {**data, "step": "2", "action": "next"})
    assert response.context["step"] == 2 and "time_zone" in field_errors(response)
    # An htmx step swaps the wizard's card alone.
    data["time_zone"] = "America/Chicago"
    card = client.post(
        add_admin_url(cast),
        {**data, "step": "2", "action": "next"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="fx-wizard",
    )
    assert card.context["step"] == 3
    assert "<html" not in card.content.decode() and 'id="fx-wizard"' in card.content.decode()
    done = client.post(
        add_admin_url(cast), {**data, "step": "3", "action": "finish"}, HTTP_HX_REQUEST="true"
    )
    admin = User.objects.get(username="ann@acme.example")
    assert done["HX-Redirect"] == admin_url(admin)
    assert admin.rights == ["reports.run"] and admin.time_zone == "America/Chicago"


def test_add_administrator_cannot_grant_rights_beyond_their_own(cast: Cast) -> None:
    cast.dept_admin.rights = ["administrators.manage", "users.manage"]
    cast.dept_admin.save(update_fields=["rights"])
    response = _client(cast.dept_admin).post(
        add_admin_url(cast, cast.billing),
        {
            "first_name": "Eve",
            "last_name": "Escalate",
            "email": "eve@acme.example",
            "use_email_as_username": "on",
            "password": PASSWORD,
            "time_zone": "America/New_York",
            "language": "en",
            "group": ["account_administration", "settings"],
            "rights": ["users.manage", "settings.security"],
            "step": "3",
            "action": "finish",
        },
    )
    assert response.context["step"] == 3
    assert "cannot grant rights you do not hold" in field_errors(response)["rights"][0]
    assert not User.objects.filter(username="eve@acme.example").exists()


def test_department_admin_adds_administrators_only_in_their_subtree(cast: Cast) -> None:
    client = _client(cast.dept_admin)
    assert client.get(add_admin_url(cast)).status_code == 403
    assert client.get(add_admin_url(cast, cast.sales)).status_code == 404
    assert client.get(add_admin_url(cast, cast.billing_l1)).status_code == 200
    assert _client(cast.read_only_admin).get(add_admin_url(cast)).status_code == 403


# --- Push to descendants --------------------------------------------------------------


def test_push_to_descendants_is_for_operators_only(cast: Cast) -> None:
    for user in (cast.company_admin, cast.dept_admin, cast.read_only_admin):
        html = _client(user).get(company_url(cast, "fax")).content.decode()
        assert 'data-bs-target="#fx-push-modal"' not in html
    response = _client(cast.company_admin).post(
        company_url(cast, "fax"), {"tab": "fax", "action": "push", "tabs": ["fax"], "confirm": "on"}
    )
    assert response.status_code == 403

    operator = _client(cast.operator)
    for url in (company_url(cast, "fax"), dept_url(cast.billing)):
        assert 'data-bs-target="#fx-push-modal"' in operator.get(url).content.decode()
    Company.objects.filter(pk=cast.company.pk).update(
        settings={
            **cast.company.settings,
            "fax": {**cast.company.settings["fax"], "inbound_file_type": "XPS"},
        }
    )
    response = operator.post(
        company_url(cast, "fax"), {"tab": "fax", "action": "push", "tabs": ["fax"], "confirm": "on"}
    )
    assert response.status_code == 302
    assert reload(cast.sales).settings["fax"]["inbound_file_type"] == "XPS"
    assert reload(cast.billing_user).settings["fax"]["inbound_file_type"] == "XPS"
    response = operator.post(
        company_url(cast, "fax"), {"tab": "fax", "action": "push", "tabs": ["fax"]}
    )
    assert response.status_code == 422
    assert response.context["open_modal"] == "push"
