"""The Add User Account wizard in a browser, end to end: seven steps, Back/Next/Finish,
the password policy next to the field, Show and Generate, and the password shown once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from faxline.accounts.models import User
from faxline.numbers.selectors import available_numbers, user_numbers
from faxline.numbers.services import numbers_request

from cast import Cast, cast_from_snapshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(live_server) -> Cast:
    return cast_from_snapshot()


def next_step(page: Page, heading: str) -> None:
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()


def start_from_sales(page: Page, live_server) -> None:
    page.goto(live_server.url + "/settings/accounts/")
    actions = page.get_by_role("button", name="Actions for Sales")
    actions.click()
    page.locator("[data-fx-node]", has=actions).get_by_role("link", name="Add User Account").click()
    expect(page.get_by_role("heading", name="Add User Account", level=1)).to_be_visible()
    expect(page.get_by_text("in Sales")).to_be_visible()


def test_add_user_account_end_to_end(live_server, page: Page, sign_in, acme: Cast) -> None:
    admin = acme.actor(acme.company_admin)
    offered = available_numbers(actor=admin, country="US", area="206", count=2)
    numbers_request(actor=admin, company=acme.company, numbers=offered)
    sign_in(acme.company_admin)
    start_from_sales(page, live_server)
    steps = page.get_by_role("list", name="Steps")
    expect(steps.get_by_role("listitem")).to_have_count(7)
    expect(page.get_by_role("link", name="Bulk Create")).to_be_visible()

    # Step 1: User Details. Next with nothing filled in: errors on the fields.
    expect(page.get_by_role("heading", name="User Details")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Enter a password, or choose Generate.")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Newman")
    page.get_by_label("Email", exact=True).fill("nina@acme.example")
    page.get_by_label("Use email address as username").check()
    expect(page.get_by_label("Username", exact=True)).to_have_value("nina@acme.example")
    # A password that breaks the policy: the policy's words, next to the field.
    password = page.get_by_label("New password")
    password.fill("fax")
    page.get_by_role("button", name="Show").click()
    expect(password).to_have_attribute("type", "text")
    page.get_by_role("button", name="Hide").click()
    expect(password).to_have_attribute("type", "password")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#id_password_error")).to_contain_text(
        "The password must be at least 8 characters long"
    )
    expect(password).to_have_attribute("aria-invalid", "true")
    password.fill("Fax-Machine-42")

    next_step(page, "Contact Details")
    page.get_by_label("Address 1").fill("1 Main Street")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Country").select_option("CA")
    page.get_by_label("State / Province").fill("Ontario")
    page.get_by_label("Zip / Postal").fill("K1A 0B1")
    page.get_by_label("Phone").fill("+1 613 555 0100")

    next_step(page, "Custom Fields")
    expect(page.get_by_role("note")).to_contain_text(
        "DO NOT include any Personal Health Information (PHI) or Personally Identifiable "
        "Information (PII)"
    )
    page.get_by_label("Custom 1").fill("Cost centre 7")
    # Back and forth keeps what was typed.
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_role("heading", name="Contact Details", level=2)).to_be_visible()
    expect(page.get_by_label("City")).to_have_value("Springfield")
    next_step(page, "Custom Fields")
    expect(page.get_by_label("Custom 1")).to_have_value("Cost centre 7")

    next_step(page, "Fax Settings")
    expect(page.get_by_label("No Fax Number Required")).not_to_be_checked()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Choose a fax number, or tick No Fax Number Required.")).to_be_visible()
    page.get_by_label("Choose Fax Number").select_option(offered[1])
    page.get_by_label("Sending email").fill("nina.fax@acme.example")
    page.get_by_label("Receiving email 1").fill("inbox@acme.example")
    page.get_by_label("Receiving email 2").fill("not-an-address")
    page.get_by_label("Inbound Fax Message File Type").select_option("TIF-HiRes")
    page.get_by_label("Add Metadata").check()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#id_receiving_email_2_error")).to_be_visible()
    page.get_by_label("Receiving email 2").fill("")

    next_step(page, "Coverpage")
    page.get_by_text("On Demand Coverpages").click()
    next_step(page, "Notifications")
    page.get_by_label("Email to Fax Delivery Notification (Success)").uncheck()
    page.get_by_text("Welcome Message with Credentials").click()
    next_step(page, "Date Format")
    page.get_by_label("Time zone", exact=True).select_option("America/Chicago")
    page.get_by_label("Date format", exact=True).select_option("yyyy-MM-dd")
    page.get_by_label("Include Time Zone Abbreviation").check()
    expect(page.get_by_role("button", name="Next")).to_have_count(0)
    page.get_by_role("button", name="Finish").click()

    expect(page.get_by_role("heading", name="User account created")).to_be_visible()
    expect(page.get_by_text("was added to Sales")).to_be_visible()
    expect(page.get_by_text("Generated password")).to_have_count(0)  # she chose one

    user = User.objects.get(username="nina@acme.example")
    assert user.department_id == acme.sales.pk
    assert user.check_password("Fax-Machine-42")
    assert (user.address1, user.city, user.country, user.region) == (
        "1 Main Street",
        "Springfield",
        "CA",
        "Ontario",
    )
    assert user.custom1 == "Cost centre 7"
    assert user_numbers(user_id=user.pk) == [offered[1]]
    assert user.sending_email == "nina.fax@acme.example"
    assert user.receiving_emails == ["inbox@acme.example"]
    assert user.settings["fax"]["inbound_file_type"] == "TIF-HiRes"
    assert user.settings["fax"]["add_metadata"] is True
    assert user.settings["coverpage"]["mode"] == "on_demand"
    assert user.settings["notifications"]["delivery_success"] is False
    assert user.settings["notifications"]["welcome_message"] == "with_credentials"
    assert user.settings["custom"]["time_zone"] == "America/Chicago"
    assert user.settings["custom"]["include_time_zone_abbreviation"] is True

    page.get_by_role("link", name="Back to Account Administration").click()
    expect(page.get_by_role("button", name="Actions for Nina Newman")).to_be_visible()


def test_generated_password_is_shown_once(live_server, page: Page, sign_in, acme: Cast) -> None:
    sign_in(acme.company_admin)
    page.goto(live_server.url + f"/settings/accounts/companies/{acme.company.pk}/users/add/")
    expect(page.get_by_text("in Acme Corp")).to_be_visible()
    page.get_by_label("First name").fill("Gene")
    page.get_by_label("Last name").fill("Rated")
    page.get_by_label("Email", exact=True).fill("gene@acme.example")
    page.get_by_label("Username", exact=True).fill("gene")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_label("Generate a password")).to_be_checked()
    expect(page.get_by_label("New password")).to_be_disabled()
    for heading in (
        "Contact Details",
        "Custom Fields",
        "Fax Settings",
        "Coverpage",
        "Notifications",
        "Date Format",
    ):
        next_step(page, heading)
    page.get_by_role("button", name="Finish").click()

    secret = page.get_by_test_id("generated-password")
    expect(secret).to_have_text(re.compile(r"\S{16,}"))
    expect(page.get_by_text("only once")).to_be_visible()
    user = User.objects.get(username="gene")
    assert user.department_id is None
    assert user.check_password(secret.inner_text().strip())

    # Reloading the wizard shows an empty form, never the password again.
    page.reload()
    expect(page.get_by_test_id("generated-password")).to_have_count(0)


def test_username_taken_at_finish_goes_back_to_the_field(
    live_server, page: Page, sign_in, acme: Cast
) -> None:
    sign_in(acme.company_admin)
    page.goto(live_server.url + f"/settings/accounts/companies/{acme.company.pk}/users/add/")
    page.get_by_label("First name").fill("Sarah")
    page.get_by_label("Last name").fill("Second")
    page.get_by_label("Email", exact=True).fill("sarah2@acme.example")
    page.get_by_label("Username", exact=True).fill("sarah")
    page.get_by_label("New password").fill("Fax-Machine-42")
    for heading in (
        "Contact Details",
        "Custom Fields",
        "Fax Settings",
        "Coverpage",
        "Notifications",
        "Date Format",
    ):
        next_step(page, heading)
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_role("heading", name="User Details")).to_be_visible()
    expect(page.locator("#id_username_error")).to_contain_text("already taken")
    expect(page.get_by_label("Username", exact=True)).to_be_focused()
    assert User.objects.filter(first_name="Sarah").count() == 1


def test_a_right_withdrawn_while_the_wizard_is_open_shows_the_refusal_in_place(
    live_server, page: Page, sign_in, acme: Cast
) -> None:
    sign_in(acme.company_admin)
    page.goto(live_server.url + f"/settings/accounts/companies/{acme.company.pk}/users/add/")
    page.get_by_label("First name").fill("Late")
    # Another administrator takes away the right to manage users meanwhile.
    User.objects.filter(pk=acme.company_admin.pk).update(
        rights=[r for r in acme.company_admin.rights if r != "users.manage"]
    )
    page.get_by_role("button", name="Next").click()
    # htmx gets a 403 and shows it in place of the page: the portal's one refusal page.
    expect(page.get_by_role("heading", name="Not allowed", level=1)).to_be_visible()
    expect(page.get_by_test_id("refused").get_by_role("alert")).to_contain_text("right")
    expect(page.get_by_role("link", name="Back to the Dashboard")).to_be_visible()
    assert not User.objects.filter(first_name="Late").exists()
