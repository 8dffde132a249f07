"""The porting desk in a browser: an operator rejects a submitted request for an address
mismatch (7402, street and unit to fix); the customer reads the remedy, fixes the address
through the reopened fields, re-signs and resubmits; the operator sets the FOC and completes
the port, linking the number to a user for inbound and outbound faxes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from faxline.accounts.access import Actor
from faxline.core.calendar import add_business_days, next_business_day
from faxline.numbers.choices import NumberSource
from faxline.numbers.models import FaxNumber
from faxline.porting.choices import PortStatus
from faxline.porting.models import PortRequest
from faxline.porting.requests import services
from porting.porting_support import ready_request, sign_loa

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


def shoot(page: Page, name: str) -> None:
    """Full-page screenshots at desktop and phone widths (PNG in /tmp)."""
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    page.screenshot(path=str(SHOTS / f"{name}_1280.png"), full_page=True)
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    page.screenshot(path=str(SHOTS / f"{name}_375.png"), full_page=True)
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]


def other_requests(cast) -> None:
    """A busier queue: one Pending request, one Scheduled for the next business day."""
    admin, team = Actor(user=cast.company_admin), Actor(user=cast.operator)
    second = ready_request(
        admin,
        cast.company,
        numbers=[{"number": "+12062345679", "line_type": "landline"}],
        btn="+12062345679",
        business_name="Acme Corp",
    )
    services.port_request_submit(actor=admin, request=second)
    services.port_request_accept(actor=team, request=second)
    third = ready_request(
        admin,
        cast.company,
        numbers=[{"number": "+12062345680", "line_type": "landline"}],
        btn="+12062345680",
    )
    services.port_request_submit(actor=admin, request=third)
    services.port_request_accept(actor=team, request=third)
    services.port_request_schedule(
        actor=team, request=third, foc_date=next_business_day(timezone.localdate(), country="US")
    )


def test_reject_fix_resubmit_schedule_complete(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    admin = Actor(user=cast.company_admin)
    request = ready_request(admin, cast.company)
    services.port_request_submit(actor=admin, request=request)
    other_requests(cast)
    base = live_server.url

    # --- the operator: the console, then the request page; accept and reject ----------
    login_as(page, live_server, cast.operator)
    page.goto(base + "/")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Porting Desk").click()
    expect(page.get_by_role("heading", name="Porting Desk")).to_be_visible()
    row = page.locator(f'tr[data-request="{request.pk}"]')
    expect(row).to_contain_text("New")
    expect(page.locator('[data-flag="foc_tomorrow"]')).to_be_visible()
    shoot(page, "porting_desk_console")

    row.get_by_role("link", name=f"#{request.pk}").click()
    expect(
        page.get_by_role("heading", name=re.compile(f"Port request {request.pk}"))
    ).to_be_visible()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("it is Pending with the losing carrier")).to_be_visible()

    page.get_by_text("Reject with a reason code").click()  # open the panel
    page.get_by_label("Reason code").select_option("7402")
    expect(page.locator(".fx-remedy")).to_contain_text("service address or ZIP code")
    # The code's usual fields come pre-checked; keep street and unit only.
    for name in ("city", "state", "postal_code"):
        page.locator(f"#fx-fix-{name}").uncheck()
    expect(page.locator("#fx-fix-street")).to_be_checked()
    expect(page.locator("#fx-fix-unit")).to_be_checked()
    page.get_by_label("Note to the customer").fill("The CSR shows Suite 51, not Suite 15.")
    shoot(page, "porting_desk_request")
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.get_by_text(f"Request {request.pk} rejected (7402)")).to_be_visible()
    request.refresh_from_db()
    assert (request.status, request.rejection_code, request.fields_to_fix) == (
        PortStatus.REJECTED,
        "7402",
        ["street", "unit"],
    )

    # --- the customer: the remedy, the reopened fields, re-sign, resubmit --------------
    page.context.clear_cookies()
    login_as(page, live_server, cast.company_admin)
    page.goto(f"{base}/settings/porting/{request.pk}/")
    expect(page.get_by_test_id("remedy")).to_contain_text(
        "does not match your current carrier's record"
    )
    page.get_by_role("link", name="Fix and resubmit").first.click()
    expect(page.get_by_label("City")).to_have_count(0)  # only what the rejection reopened
    page.get_by_label("Unit / Suite").fill("Suite 51")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes were saved.")).to_be_visible()
    request.refresh_from_db()
    assert request.unit == "Suite 51"
    sign_loa(request)  # the authorized person signs the updated LOA (porting.loa's record)
    page.reload()
    page.get_by_role("button", name="Resubmit").click()
    expect(page.get_by_text(f"Port request {request.pk} was submitted")).to_be_visible()
    request.refresh_from_db()
    assert request.status == PortStatus.NEW and request.resubmissions == 1

    # --- the operator: accept, set the FOC, complete and link ----------------------------
    page.context.clear_cookies()
    login_as(page, live_server, cast.operator)
    page.goto(f"{base}/settings/porting/desk/{request.pk}/")
    page.get_by_role("button", name="Accept").click()
    foc = add_business_days(timezone.localdate(), 3, country="US")
    page.get_by_label(re.compile("^FOC date")).fill(foc.isoformat())
    page.get_by_role("button", name="Set FOC").click()
    expect(page.get_by_text(f"FOC set to {foc:%A}")).to_be_visible()
    request.refresh_from_db()
    assert (request.status, request.foc_date, request.eta) == (PortStatus.SCHEDULED, foc, foc)

    page.get_by_label("User for +12062345678").fill("bill")
    page.get_by_label("Direction for +12062345678").select_option("inbound_outbound")
    page.get_by_role("button", name="Complete port").click()
    expect(page.get_by_role("status").filter(has_text="completed: the numbers")).to_be_visible()
    expect(page.get_by_role("table", name="Numbers")).to_contain_text("Bill Payer")
    expect(page.get_by_text("Test fax pending", exact=True)).to_be_visible()  # timeline
    number = FaxNumber.objects.get(number="+12062345678")
    assert (number.company, number.user, number.source, number.outbound) == (
        cast.company,
        cast.billing_user,
        NumberSource.PORTED,
        True,
    )
    assert PortRequest.objects.get(pk=request.pk).status == PortStatus.COMPLETED
    shoot(page, "porting_desk_completed")
