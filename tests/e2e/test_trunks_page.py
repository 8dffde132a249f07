"""Settings ▸ SIP Trunks in a browser: an operator adds a trunk, sees it listed, edits it
leaving the password blank (kept), disables it, and deletes it after confirming; an
administrator is not offered the page and cannot open it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from faxline.faxing.trunks.models import SipTrunk
from faxline.faxing.trunks.selectors import routing_cache_clear

from cast import build_cast
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_operator_adds_edits_disables_and_deletes_a_trunk(live_server, page: Page) -> None:
    routing_cache_clear()
    cast = build_cast()
    login_as(page, live_server, cast.operator)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="SIP Trunks").click()
    expect(page.get_by_role("heading", name="SIP Trunks", level=1)).to_be_visible()
    expect(page.get_by_test_id("sandbox-carries-calls")).to_contain_text("sandbox PSTN")

    page.get_by_role("link", name="Add trunk").click()
    expect(page.get_by_role("heading", name="Add SIP trunk", level=1)).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Carrier A")
    page.get_by_label("Host", exact=True).fill("sip.carrier-a.example")
    page.get_by_label("Port", exact=True).fill("0")
    page.get_by_label("Registration: we REGISTER").check()
    page.get_by_label("Username", exact=True).fill("faxline")
    page.get_by_label("Password", exact=True).fill("Tr0mb0ne-Secret")
    page.get_by_label("T.38", exact=True).select_option(label="G.711 only")
    page.get_by_label("Channels").fill("23")
    page.get_by_label("Destinations").fill("+1, +44")
    page.get_by_role("button", name="Add trunk").click()
    # The refusal is next to its field; what was typed stays (but the password).
    expect(page.get_by_text("A port is a number from 1 to 65535.")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Carrier A")
    page.get_by_label("Port", exact=True).fill("5060")
    page.get_by_label("Password", exact=True).fill("Tr0mb0ne-Secret")
    page.get_by_role("button", name="Add trunk").click()

    expect(page.get_by_text("Trunk Carrier A was added.")).to_be_visible()
    row = page.get_by_test_id("sip-trunks").locator("tbody tr").filter(has_text="Carrier A")
    expect(row).to_contain_text("sip.carrier-a.example:5060/udp")
    expect(row).to_contain_text("Registration (faxline)")
    expect(row).to_contain_text("G.711 only")
    expect(row).to_contain_text("+1, +44")
    expect(row.get_by_role("cell", name="set", exact=True)).to_be_visible()
    expect(row).to_contain_text("Enabled")
    expect(page.get_by_test_id("sandbox-carries-calls")).to_have_count(0)
    page.screenshot(path="/tmp/sip_trunks_list_1280.png", full_page=True)

    row.get_by_role("link", name="Carrier A", exact=True).click()
    expect(page.get_by_role("heading", name="Edit SIP trunk Carrier A")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_text("Stored (leave blank to keep it).")).to_be_visible()
    page.get_by_label("Channels").fill("12")
    page.get_by_role("button", name="Save trunk").click()
    expect(page.get_by_text("Trunk Carrier A was saved.")).to_be_visible()
    expect(row.locator("td").nth(4)).to_have_text("12")
    trunk = SipTrunk.objects.get()
    assert (trunk.channels, trunk.password) == (12, "Tr0mb0ne-Secret")

    row.get_by_role("button", name="Disable Carrier A").click()
    expect(page.get_by_text("Trunk Carrier A is disabled")).to_be_visible()
    expect(row).to_contain_text("Disabled")
    expect(page.get_by_test_id("sandbox-carries-calls")).to_be_visible()
    assert not SipTrunk.objects.get().enabled

    row.get_by_role("link", name="Delete Carrier A").click()
    expect(page.get_by_role("heading", name="Delete SIP trunk Carrier A")).to_be_visible()
    page.get_by_role("button", name="Delete trunk").click()
    expect(page.get_by_text("Trunk Carrier A was deleted.")).to_be_visible()
    expect(page.get_by_text("No SIP trunks yet.")).to_be_visible()
    assert not SipTrunk.objects.exists()


def test_an_administrator_is_not_offered_the_trunks(live_server, page: Page) -> None:
    cast = build_cast()
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Settings").click()
    expect(page.get_by_role("link", name="SIP Trunks")).to_have_count(0)
    response = page.goto(live_server.url + "/settings/sip-trunks/")
    assert response is not None and response.status == 404
