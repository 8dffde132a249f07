"""Add Administrator in a browser: a company administrator creates a Billing Dept
administrator who may only manage user accounts, who then signs in and sees only that."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from faxline.accounts.models import User
from faxline.accounts.services.administrators import administrator_create

from cast import PASSWORD, cast_from_snapshot
from helpers import login_as, sign_in
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def test_add_administrator_with_restricted_rights(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.company_admin)
    url = reverse("accounts:administrator_add", args=[cast.company.pk])
    page.goto(f"{live_server.url}{url}?department={cast.billing.pk}")
    expect(page.get_by_role("heading", name="Add Administrator", level=1)).to_be_visible()
    expect(page.get_by_test_id("level")).to_have_text("Level: Billing Dept")

    # Step 1: Administrator Details.
    expect(page.get_by_role("heading", name="Administrator Details")).to_be_visible()
    expect(page.get_by_role("heading", name="Time Zone and Language")).to_be_hidden()
    page.get_by_label("First name").fill("Bea")
    page.get_by_label("Last name").fill("Billing")
    page.get_by_label("Email", exact=True).fill("bea@acme.example")
    page.get_by_label("Use email address as username").check()
    expect(page.get_by_label("Username", exact=True)).to_have_value("bea@acme.example")
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("New password")).to_have_attribute("type", "text")
    page.get_by_role("button", name="Next").click()

    # Step 2: Time Zone and Language.
    expect(page.get_by_role("heading", name="Time Zone and Language")).to_be_visible()
    page.get_by_label("Time zone", exact=True).select_option("America/Chicago")
    page.get_by_label("Language", exact=True).select_option("en")
    page.get_by_role("button", name="Next").click()

    # Step 3: Rights, prefilled with everything the company administrator may grant.
    expect(page.get_by_role("heading", name="Rights", exact=True)).to_be_visible()
    main_boxes = page.locator("[data-fx-group]")
    for i in range(main_boxes.count()):
        expect(main_boxes.nth(i)).to_be_checked()
        main_boxes.nth(i).uncheck()
    expect(page.locator('input[name="rights"]:checked')).to_have_count(0)
    page.get_by_label("Add, change and delete user accounts").check()
    expect(page.get_by_label("Account Administration", exact=True)).to_be_checked()
    page.get_by_role("button", name="Finish").click()

    expect(page.get_by_role("heading", name="Administrator Details", level=1)).to_be_visible()
    expect(page.get_by_text("Administrator Bea Billing created.")).to_be_visible()
    admin = User.objects.get(username="bea@acme.example")
    assert admin.rights == ["users.manage"]
    assert admin.department_id == cast.billing.pk
    assert admin.time_zone == "America/Chicago"

    page.get_by_role("link", name="Rights", exact=True).click()
    expect(page.locator('input[name="rights"]:checked')).to_have_count(1)
    expect(page.get_by_label("Add, change and delete user accounts")).to_be_checked()

    # The new administrator signs in with the password chosen above.
    page.context.clear_cookies()
    sign_in(page, live_server.url, "bea@acme.example", PASSWORD)
    page.goto(live_server.url + reverse("accounts:tree"))
    main = page.locator("main")
    expect(main.get_by_text("Billing Dept", exact=True).first).to_be_visible()
    expect(main.get_by_text("Billing Level 1", exact=True).first).to_be_visible()
    expect(main.get_by_text("Sales", exact=True)).to_have_count(0)
    expect(main.get_by_text("Sarah Salesperson")).to_have_count(0)
    expect(main.get_by_text("Add Department")).to_have_count(0)

    # Department Details of Billing: readable, but the Department tab cannot be saved.
    page.goto(live_server.url + reverse("accounts:department_details", args=[cast.billing.pk]))
    expect(page.get_by_role("button", name="Save")).to_be_disabled()
    expect(page.get_by_text(re.compile("do not have the right to do this"))).to_be_visible()
    # Sales is outside the subtree: not found.
    response = page.goto(
        live_server.url + reverse("accounts:department_details", args=[cast.sales.pk])
    )
    assert response is not None and response.status == 404


def test_an_administrators_password_is_reset_by_a_link_not_typed(
    live_server, page: Page, settings
) -> None:
    from django.core import mail

    settings.FAXLINE_PORTAL_URL = live_server.url
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.company_admin)
    url = reverse("accounts:administrator_details", args=[cast.dept_admin.pk])
    page.goto(f"{live_server.url}{url}?tab=security")
    expect(page.get_by_test_id("policy")).to_be_visible()
    expect(page.get_by_role("link", name="the department's Security tab")).to_have_attribute(
        "href", re.compile(rf"/departments/{cast.billing.pk}/\?tab=security$")
    )
    # Nobody types another administrator's password.
    expect(page.get_by_role("button", name="Set password")).to_have_count(0)
    page.get_by_role("button", name="Send password reset link").click()
    dialog = page.get_by_role("dialog", name="Send password reset link")
    expect(dialog).to_contain_text("dana@acme.example")
    dialog.get_by_role("button", name="Send link").click()
    expect(page.get_by_text("A password reset link is on its way to Dana Dept")).to_be_visible()
    run_tasks()
    assert [m.to for m in mail.outbox] == [["dana@acme.example"]]
    link = re.search(r"http\S+/auth/password/reset/\S+/", mail.outbox[0].body)
    assert link
    assert User.objects.get(pk=cast.dept_admin.pk).check_password(PASSWORD)

    # Dana chooses her own password through the link.
    page.context.clear_cookies()
    page.goto(link.group(0))
    page.get_by_label("New password", exact=True).fill("Dana-Chose-This-7")
    page.get_by_label("Confirm new password").fill("Dana-Chose-This-7")
    page.get_by_role("button", name="SET PASSWORD").click()
    expect(page.get_by_text("Your password has been reset.")).to_be_visible()
    sign_in(page, live_server.url, "dana", "Dana-Chose-This-7")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def test_an_administrator_outranked_sees_no_actions(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    limited = administrator_create(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        first_name="Lim",
        last_name="Ited",
        email="lim@acme.example",
        username="limited",
        password=PASSWORD,
        rights=["administrators.manage"],
    ).user
    login_as(page, live_server, limited)
    url = reverse("accounts:administrator_details", args=[cast.company_admin.pk])
    page.goto(f"{live_server.url}{url}?tab=rights")
    expect(page.get_by_text(re.compile("they hold rights you do not"))).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_be_disabled()
    page.goto(f"{live_server.url}{url}?tab=security")
    expect(page.get_by_role("button", name="Send password reset link")).to_have_count(0)
