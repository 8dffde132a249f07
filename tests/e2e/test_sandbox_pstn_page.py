"""The Sandbox PSTN page in a browser: an operator finds it in Settings, sees what a
simulated remote fax machine received and its pages as images; an administrator is not
offered it and cannot open it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from faxline.faxing.models import SandboxRemoteFax
from telephony.fax_calls import make_tiff

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)

REMOTE = "+16175559876"


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot to look at (PNG in /tmp)."""
    page.screenshot(path=f"/tmp/{name}_1280.png", full_page=True)


def test_an_operator_looks_at_what_a_remote_machine_received(
    live_server, page: Page, tmp_path
) -> None:
    cast = cast_from_snapshot()
    document = make_tiff(tmp_path / "three.tif")
    call_command(
        "fax",
        "call",
        "--from",
        "+13125550000",
        "--to",
        REMOTE,
        str(document),
        stdout=io.StringIO(),
        verbosity=0,
    )
    fax = SandboxRemoteFax.objects.get()

    login_as(page, live_server, cast.operator)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Sandbox PSTN").click()
    expect(page.get_by_role("heading", name="Sandbox PSTN", level=1)).to_be_visible()
    expect(page.get_by_text("This platform's telephone network is simulated")).to_be_visible()
    row = page.locator("tbody tr").filter(has_text=REMOTE)
    expect(row).to_contain_text("3")
    expect(page.get_by_role("cell", name="NXX-555-0105")).to_be_visible()
    shoot(page, "sandbox_pstn_list")
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=f"Sandbox PSTN: received fax {fax.pk}")).to_be_visible()
    images = page.get_by_role("img", name="Page")
    expect(images).to_have_count(3)
    first = page.get_by_role("img", name="Page 1 of 3")
    first.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 1728", arg=first.element_handle()
    )
    shoot(page, "sandbox_pstn_received_fax")


def test_an_administrator_is_not_offered_the_sandbox(live_server, page: Page) -> None:
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Settings").click()
    expect(page.get_by_role("link", name="Sandbox PSTN")).to_have_count(0)
    response = page.goto(live_server.url + "/settings/sandbox-pstn/")
    assert response is not None and response.status == 404
