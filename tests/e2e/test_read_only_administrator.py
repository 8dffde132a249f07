"""Administrator Details ▸ Rights and Add Administrator: ticking Read-Only Administrator
clears and disables every right that changes something, keeps the view rights, and says so;
saving stores exactly that."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from faxline.accounts.models import User
from faxline.accounts.rights import CHANGE_RIGHTS, READ_RIGHTS, RIGHT_LABELS

from cast import PASSWORD, cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "the rights to add, change and delete are cleared and cannot be ticked"


def box(page: Page, code: str):
    return page.get_by_label(RIGHT_LABELS[code], exact=True)


def test_read_only_clears_and_disables_change_rights(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.company_admin)
    url = reverse("accounts:administrator_details", args=[cast.dept_admin.pk])
    page.goto(f"{live_server.url}{url}?tab=rights")
    expect(page.get_by_role("heading", name="Administrator Rights")).to_be_visible()
    read_only = page.get_by_label("Read-Only Administrator")
    expect(read_only).not_to_be_checked()
    expect(page.get_by_text(NOTE)).to_be_hidden()
    expect(box(page, "users.manage")).to_be_checked()
    # Leave one view right unticked: Read-Only must not tick it either.
    box(page, "activity.inbound").uncheck()

    read_only.check()
    expect(page.get_by_text(NOTE)).to_be_visible()
    for code in CHANGE_RIGHTS:
        expect(box(page, code)).not_to_be_checked()
        expect(box(page, code)).to_be_disabled()
    for code in READ_RIGHTS - {"activity.inbound"}:
        expect(box(page, code)).to_be_checked()
        expect(box(page, code)).to_be_enabled()
    expect(box(page, "activity.inbound")).not_to_be_checked()
    # A group of change rights only cannot be ticked; a mixed group ticks its view rights.
    expect(page.get_by_label("Account Administration", exact=True)).to_be_disabled()
    numbers = page.get_by_label("Fax Numbers", exact=True)
    numbers.uncheck()
    expect(box(page, "numbers.view")).not_to_be_checked()
    numbers.check()
    expect(box(page, "numbers.view")).to_be_checked()
    expect(box(page, "numbers.assign")).not_to_be_checked()

    # Unticking Read-Only gives back what was ticked before.
    read_only.uncheck()
    expect(page.get_by_text(NOTE)).to_be_hidden()
    expect(box(page, "users.manage")).to_be_enabled()
    expect(box(page, "users.manage")).to_be_checked()

    read_only.check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Rights saved.")).to_be_visible()
    dana = User.objects.get(pk=cast.dept_admin.pk)
    assert dana.read_only is True
    assert set(dana.rights) == READ_RIGHTS - {"activity.inbound"}

    # After the reload the page shows what was stored, with the note.
    expect(page.get_by_label("Read-Only Administrator")).to_be_checked()
    expect(page.get_by_text(NOTE)).to_be_visible()
    expect(box(page, "users.manage")).to_be_disabled()
    expect(box(page, "users.manage")).not_to_be_checked()
    expect(box(page, "porting.view")).to_be_checked()


def test_add_read_only_administrator(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.company_admin)
    url = reverse("accounts:administrator_add", args=[cast.company.pk])
    page.goto(f"{live_server.url}{url}")
    page.get_by_label("First name").fill("Rex")
    page.get_by_label("Last name").fill("Reader")
    page.get_by_label("Email", exact=True).fill("rex@acme.example")
    page.get_by_label("Use email address as username").check()
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_role("button", name="Next").click()
    # Each step is the server's answer (the wizard engine): wait for it before going on.
    expect(page.get_by_role("heading", name="Time Zone and Language")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Rights", exact=True)).to_be_visible()
    page.get_by_label("Read-Only Administrator").check()
    expect(box(page, "departments.manage")).to_be_disabled()
    expect(box(page, "departments.manage")).not_to_be_checked()
    expect(box(page, "reports.run")).to_be_checked()
    page.get_by_role("button", name="Finish").click()

    expect(page.get_by_text("Administrator Rex Reader created.")).to_be_visible()
    rex = User.objects.get(username="rex@acme.example")
    assert rex.read_only is True and set(rex.rights) == READ_RIGHTS
