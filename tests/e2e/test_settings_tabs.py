"""Company Details settings tabs in a browser: the Fax tab and the Security tab."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from faxline.accounts.models import SecurityPolicy

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)


def test_fax_tab_inbound_file_type(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + reverse("accounts:company_details", args=[cast.company.pk]))
    expect(page.get_by_role("heading", name="Company Details", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Fax", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    file_type = page.get_by_label("Inbound fax message file type")
    expect(file_type).to_have_value("PDF")
    file_type.select_option("TIF")
    page.get_by_label("Fax Page Separation").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Fax settings saved.")).to_be_visible()

    page.reload()
    expect(page.get_by_label("Inbound fax message file type")).to_have_value("TIF")
    expect(page.get_by_label("Fax Page Separation")).to_be_checked()
    cast.company.refresh_from_db()
    assert cast.company.settings["fax"]["inbound_file_type"] == "TIF"


def test_customize_company_security_policy(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + reverse("accounts:company_details", args=[cast.company.pk]))
    page.get_by_role("link", name="Security", exact=True).click()
    policy = page.get_by_test_id("policy")
    expect(policy.locator('[data-policy="lockout_attempts"] dd')).to_have_text("6")
    expect(page.get_by_text("Inherited from the Global Policy")).to_be_visible()

    page.get_by_role("link", name="Customize Security Policy").click()
    page.get_by_label("Temporary Lock Out Attempts").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Security policy saved.")).to_be_visible()
    expect(policy.locator('[data-policy="lockout_attempts"] dd')).to_have_text("3")
    expect(page.get_by_text("Customized for this company.")).to_be_visible()
    saved = SecurityPolicy.objects.get(company=cast.company, department__isnull=True)
    assert saved.lockout_attempts == 3

    # And back to the inherited policy.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Use inherited policy").click()
    expect(page.get_by_text("The inherited security policy applies again.")).to_be_visible()
    expect(policy.locator('[data-policy="lockout_attempts"] dd')).to_have_text("6")
    assert not SecurityPolicy.objects.filter(company=cast.company).exists()
