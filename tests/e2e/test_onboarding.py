"""Onboarding in a browser: a new company's first sign-in with a new number, a channel
partner's checklist that blocks porting until payment authorization is on file, and the
account configuration checklist turning green as the account is set up."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import ChannelPartner, Company, User
from faxline.accounts.rights import ALL_RIGHTS
from faxline.accounts.services.administrators import administrator_create
from faxline.accounts.services.companies import company_create
from faxline.accounts.services.users import user_update
from faxline.core.calendar import add_business_days
from faxline.numbers.models import FaxNumber
from faxline.numbers.selectors import available_numbers
from faxline.numbers.services import number_assign, numbers_request
from faxline.onboarding import services as onboarding
from faxline.onboarding.models import OnboardingOrder

from cast import PASSWORD, cast_from_snapshot, make_operator
from helpers import login_as, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp")


def pdf_file(tmp_path: Path, name: str) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    return path


def open_onboarding(page: Page) -> None:
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Onboarding").click()


def test_first_sign_in_new_number(live_server, page: Page) -> None:
    operator = make_operator()
    op = Actor(user=operator)
    company = company_create(actor=op, name="Initech")
    administrator_create(
        actor=op,
        company=company,
        department=None,
        first_name="Ian",
        last_name="Initial",
        email="ian@initech.example",
        username="ian",
        password=PASSWORD,
        rights=sorted(ALL_RIGHTS),
    )
    sign_in(page, live_server.url, "ian", PASSWORD)
    page.get_by_role("link", name="Choose my fax number").click()
    expect(
        page.get_by_role("heading", name="Welcome — new number or keep your existing number?")
    ).to_be_visible()
    page.get_by_text("New number", exact=True).click()
    page.get_by_label("Area code", exact=True).select_option(label="206 - Seattle")
    page.get_by_label("First name").fill("Ivy")
    page.get_by_label("Last name").fill("Inbox")
    page.get_by_label("Email").fill("ivy@initech.example")
    page.screenshot(path=str(SHOTS / "onboarding_first_sign_in.png"), full_page=True)
    page.get_by_role("button", name="Get my fax number").click()

    expect(page.get_by_role("heading", name="Your fax service is active")).to_be_visible()
    number = FaxNumber.objects.get(company=company)
    shown = page.get_by_test_id("fax-number")
    expect(shown).to_have_text(re.compile(number.number.removeprefix("+1")))
    expect(page.get_by_text("Assigned to Ivy Inbox · In service")).to_be_visible()
    page.screenshot(path=str(SHOTS / "onboarding_first_sign_in_done.png"), full_page=True)
    assert number.area_code == "206" and number.user is not None
    assert number.user.email == "ivy@initech.example"

    # The number is in the inventory, assigned.
    inventory = page.request.get(live_server.url + "/api/v1/numbers/inventory").json()
    assert [(r["location"], r["assigned"], r["unassigned"]) for r in inventory["items"]] == [
        ("USA, 206 (WA)", 1, 0)
    ]
    page.get_by_role("link", name="Fax Number Inventory").click()
    expect(page.get_by_text("USA, 206 (WA)")).to_be_visible()
    # Asked once: Settings ▸ Onboarding now leads to the company's order, not the question.
    open_onboarding(page)
    expect(page.get_by_role("heading", name="Onboarding: Initech")).to_be_visible()


def test_partner_checklist_blocks_porting_until_payment(
    live_server, page: Page, tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # the vault of this test only
    cast = cast_from_snapshot()
    firm = ChannelPartner.objects.create(name="Bright Partners")
    Company.objects.filter(pk=cast.company.pk).update(channel_partner=firm)
    partner = User.objects.create_user(
        username="pat",
        password=PASSWORD,
        role=Role.CHANNEL_PARTNER,
        channel_partner=firm,
        first_name="Pat",
        last_name="Partner",
        email="pat@bright.example",
    )
    login_as(page, live_server, partner)
    page.goto(live_server.url + "/onboarding/")
    expect(page.get_by_role("heading", name="Onboarding", exact=True)).to_be_visible()
    page.get_by_label("Client company").select_option(label="Acme Corp")
    page.get_by_role("button", name="+ New Onboarding Order").click()
    expect(page.get_by_role("heading", name="Onboarding: Acme Corp")).to_be_visible()

    # Payment authorization first: the porting steps are locked.
    expect(page.get_by_text("Payment authorization first.")).to_be_visible()
    bill = page.locator("#phone_bill")
    expect(bill.get_by_label("Phone bill")).to_be_disabled()
    expect(bill.get_by_text("Locked until the payment authorization is on file.")).to_be_visible()
    expect(page.locator("#port_numbers").get_by_role("button", name="Add number")).to_be_disabled()
    expect(page.locator("#csr").get_by_label("Customer Service Record")).to_be_disabled()
    page.screenshot(path=str(SHOTS / "onboarding_checklist_locked.png"), full_page=True)
    # Even a forged request is refused, saying why.
    order = OnboardingOrder.objects.get(company=cast.company)
    forged = page.request.post(
        live_server.url + f"/api/v1/onboarding/orders/{order.pk}/documents",
        multipart={
            "kind": "phone_bill",
            "statement_date": timezone.localdate().isoformat(),
            "file": {
                "name": "bill.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_file(tmp_path, "bill.pdf").read_bytes(),
            },
        },
        headers={"X-CSRFToken": page.context.cookies()[0]["value"]},
    )
    assert forged.status in (403, 409)

    payment = page.locator("#payment_authorization")
    payment.get_by_label("Payment authorization file").set_input_files(
        str(pdf_file(tmp_path, "ach-authorization.pdf"))
    )
    payment.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Payment authorization (credit card / ACH) received.")).to_be_visible()
    expect(page.get_by_text("Payment authorization first.")).to_have_count(0)
    expect(page.locator("#payment_authorization .fx-badge-received")).to_have_text("Received")

    # Now porting steps open; a bill older than 30 days is refused.
    bill = page.locator("#phone_bill")
    expect(bill.get_by_label("Phone bill")).to_be_enabled()
    old = (timezone.localdate() - timedelta(days=45)).isoformat()
    bill.get_by_label("Statement date").fill(old)
    bill.get_by_label("Phone bill").set_input_files(str(pdf_file(tmp_path, "march-bill.pdf")))
    bill.get_by_role("button", name="Upload").click()
    expect(
        page.get_by_text(re.compile(r"porting needs a bill dated within the last 30 days"))
    ).to_be_visible()
    bill = page.locator("#phone_bill")
    bill.get_by_label("Statement date").fill((timezone.localdate() - timedelta(days=3)).isoformat())
    bill.get_by_label("Phone bill").set_input_files(str(pdf_file(tmp_path, "march-bill.pdf")))
    bill.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Phone bill (last 30 days) received.")).to_be_visible()

    billing = page.locator("#billing_contact")
    billing.get_by_label("Billing contact name").fill("Bea Biller")
    billing.get_by_label("Billing contact email").fill("bea@acme.example")
    billing.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Billing contact saved.")).to_be_visible()
    page.get_by_label("Is the client tax exempt?").select_option(label="No")
    page.locator("#tax_exemption").get_by_role("button", name="Save").click()
    numbers = page.locator("#port_numbers")
    numbers.get_by_label("Number to port").fill("(206) 555-0147")
    numbers.get_by_label("Faxes go to").select_option(label="Bill Payer")
    numbers.get_by_role("button", name="Add number").click()
    expect(page.get_by_text("Number added to the list.")).to_be_visible()
    expect(page.get_by_role("cell", name="US +1 2065550147", exact=True)).to_be_visible()
    page.screenshot(path=str(SHOTS / "onboarding_checklist.png"), full_page=True)

    page.get_by_role("link", name="Final order").click()
    page.get_by_label("ASAP or porting").select_option(label="Porting")
    port_day = add_business_days(timezone.localdate(), 8, country="US")
    page.get_by_label("Port date").fill(port_day.isoformat())
    page.get_by_label("Current carrier", exact=True).fill("Old Telco")
    page.get_by_label("PIN / passcode at the current carrier").fill("4321")
    page.get_by_label("Authorized user name").fill("Carol Chief")
    page.get_by_label("Authorized user title").fill("COO")
    page.get_by_label("Main caller ID").fill("(206) 555-0147")
    page.get_by_label("Native fax type").select_option(label="Email to fax and fax to email")
    page.get_by_role("button", name="Save final order").click()
    expect(page.get_by_text("Final order saved.")).to_be_visible()
    expect(page.get_by_test_id("pin-masked")).to_have_text("••••")

    page.get_by_role("link", name="Summary").click()
    expect(page.get_by_role("heading", name="Ready: all required items are in")).to_be_visible()
    page.get_by_role("button", name="Complete onboarding").click()
    expect(page.get_by_text(re.compile(r"^Onboarding Complete on"))).to_be_visible()
    expect(page.get_by_test_id("order-status")).to_have_text("Onboarding complete")
    summary = page.get_by_label("Final order")
    expect(summary.get_by_text("Carol Chief")).to_be_visible()
    expect(summary.get_by_text("••••")).to_be_visible()
    expect(summary.get_by_text("4321")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "onboarding_summary.png"), full_page=True)
    page.get_by_role("link", name="Notification log").click()
    expect(page.get_by_text("Onboarding complete: Acme Corp").first).to_be_visible()


def test_configuration_checklist_turns_green(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    admin = Actor(user=cast.company_admin)
    first, second = numbers_request(
        actor=admin,
        company=cast.company,
        numbers=available_numbers(actor=admin, country="US", area="206", count=2),
    )
    number_assign(actor=admin, number=first.number, user=cast.billing_user)
    user_update(actor=admin, user=cast.billing_user, changes={"receiving_emails": []})
    order = onboarding.order_create(actor=Actor(user=cast.operator), company=cast.company)

    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + f"/onboarding/orders/{order.pk}/?tab=configuration")
    expect(page.get_by_test_id("config-count")).to_have_text("1 of 5")

    def item(key: str):
        return page.locator(f'[data-config="{key}"]')

    expect(item("users")).to_have_attribute("data-ok", "true")
    for key in ("numbers_routed", "receiving_addresses", "coverpage", "notifications"):
        expect(item(key)).to_have_attribute("data-ok", "false")
    expect(item("receiving_addresses")).to_contain_text("has no receiving email address")
    page.screenshot(path=str(SHOTS / "onboarding_configuration_red.png"), full_page=True)

    # Route the unassigned number to Sarah.
    second_display = second.number.removeprefix("+1")
    row = page.get_by_role("row").filter(has_text=second_display)
    row.get_by_label(re.compile("Assign .* to")).select_option(label="Sarah Salesperson")
    row.get_by_role("button", name="Assign").click()
    expect(page.get_by_text(re.compile(r"is now routed to Sarah Salesperson"))).to_be_visible()
    expect(item("numbers_routed")).to_have_attribute("data-ok", "true")

    # Give Bill a receiving address on his Fax tab, through the link the checklist gives.
    item("receiving_addresses").get_by_role("link", name=re.compile("Fix it")).click()
    page.get_by_label("Receiving email", exact=True).fill("bill.faxes@acme.example")
    page.get_by_role("button", name="Save").click()
    page.goto(live_server.url + f"/onboarding/orders/{order.pk}/?tab=configuration")
    expect(item("receiving_addresses")).to_have_attribute("data-ok", "true")

    # Coverpage and Notifications: saved once on Company Details.
    for key in ("coverpage", "notifications"):
        item(key).get_by_role("link", name=re.compile("Fix it")).click()
        page.get_by_role("button", name="Save").click()
        page.goto(live_server.url + f"/onboarding/orders/{order.pk}/?tab=configuration")
        expect(item(key)).to_have_attribute("data-ok", "true")
    expect(page.get_by_test_id("config-count")).to_have_text("5 of 5")
    page.screenshot(path=str(SHOTS / "onboarding_configuration.png"), full_page=True)
