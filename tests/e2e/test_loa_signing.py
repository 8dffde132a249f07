"""The Letter of Authorization in a browser: the authorized person signs it in the portal
with a signature drawn on the pad, and signs it from the emailed link in a fresh browser
without signing in (once: the link then says it was used)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from faxline.accounts.access import Actor
from faxline.core.vault import vault_read
from faxline.documents.keys import generate_key_files
from faxline.documents.sealing import verify_pdf
from faxline.porting.models import LoaSignature, PortRequest
from faxline.porting.requests import services
from faxline.porting.validation.checks import loa_signed_for

from cast import cast_from_snapshot
from helpers import login_as
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp")


@pytest.fixture(autouse=True)
def _documents(settings: Any, tmp_path: Path) -> Iterator[None]:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    folder = tmp_path / "signing"
    generate_key_files(folder, folder / "seal.key", folder / "seal.crt")
    settings.FAXLINE_SIGNING_KEY_FILE = str(folder / "seal.key")
    settings.FAXLINE_SIGNING_CERT_FILE = str(folder / "seal.crt")
    yield


def _port(admin: Any, company: Any, **changes: Any) -> PortRequest:
    data = {
        "contact_first_name": "Carol",
        "contact_last_name": "Chief",
        "contact_email": "carol@acme.example",
        "numbers": [
            {"number": "+12062345678", "line_type": "landline"},
            {"number": "+12062345679", "line_type": "landline"},
        ],
        "port_type": "full",
        "btn": "+12062345678",
        "losing_carrier": "Old Telco",
        "account_number": "ACCT-998877",
        "business_name": "Acme Corp",
        "authorized_name": "Carol Chief",
        "authorized_title": "CEO",
        "authorized_email": "carol@acme.example",
        "street": "1313 Mockingbird Lane",
        "unit": "Suite 15",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
        "country": "US",
    }
    data.update(changes)
    return services.port_request_create(actor=Actor(user=admin), company=company, data=data)


def _draw(page: Page) -> None:
    pad = page.locator("canvas[data-fx-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 40):
        page.mouse.move(
            x + 30 + step * 7,
            y + box["height"] * (0.7 - 0.35 * ((step % 10) / 10)),
            steps=2,
        )
    page.mouse.up()


def test_the_authorized_person_signs_with_a_drawn_signature(live_server: Any, page: Page) -> None:
    cast = cast_from_snapshot()
    port = _port(cast.company_admin, cast.company)
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + reverse("porting:loa", args=[port.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Letter of Authorization")
    expect(page.get_by_role("heading", name="Sign as the authorized person")).to_be_visible()
    expect(page.get_by_text("••••8877")).to_be_visible()
    page.screenshot(path=str(SHOTS / "loa_sign_1280.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(SHOTS / "loa_sign_375.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_label("Your full name").fill("Carol Chief")
    # Submitting without drawing is stopped in the page.
    page.get_by_label(re.compile(r"^I, Carol Chief, am the person authorized")).check()
    page.get_by_role("button", name="Sign the Letter of Authorization").click()
    expect(page.get_by_text("Draw your signature in the box, or choose Type.")).to_be_visible()
    _draw(page)
    page.screenshot(path=str(SHOTS / "loa_sign_drawn.png"))
    page.get_by_role("button", name="Sign the Letter of Authorization").click()

    expect(page.get_by_role("heading", name="Signed", exact=True)).to_be_visible()
    expect(page.get_by_text("Signed on")).to_contain_text("by Carol Chief")
    expect(page.get_by_text("Intact", exact=True)).to_be_visible()
    page.screenshot(path=str(SHOTS / "loa_signed_1280.png"), full_page=True)
    port.refresh_from_db()
    assert loa_signed_for(port)
    signature = LoaSignature.objects.get(signed_at__isnull=False)
    assert signature.signature_kind == "drawn" and signature.ip_address == "127.0.0.1"
    assert "Chrome" in signature.user_agent or "HeadlessChrome" in signature.user_agent
    assert signature.signed_document is not None
    assert verify_pdf(vault_read(signature.signed_document.vault_name)).intact

    # The Files page lists the signed LOA with its status.
    page.goto(live_server.url + reverse("porting:files", args=[port.pk]))
    status = page.get_by_test_id("loa-status")
    expect(status).to_contain_text("Signed")
    expect(status).to_contain_text("by Carol Chief")
    expect(
        page.get_by_role("cell", name="Letter of Authorization (signed)", exact=True)
    ).to_be_visible()
    page.screenshot(path=str(SHOTS / "files_tab_1280.png"), full_page=True)


def test_signing_from_the_emailed_link_without_an_account(
    live_server: Any, page: Page, browser: Browser
) -> None:
    cast = cast_from_snapshot()
    port = _port(cast.dept_admin, cast.company, authorized_email="carol@acme.example")
    # Dana (not the authorized person) sends Carol the link from the Files page.
    login_as(page, live_server, cast.dept_admin)
    page.goto(live_server.url + reverse("porting:files", args=[port.pk]))
    page.get_by_label(re.compile("Send Carol Chief a signing link")).fill("carol@acme.example")
    page.get_by_role("button", name="Send signing link").click()
    expect(
        page.get_by_role("status").filter(has_text="Signing link sent to carol@acme.example")
    ).to_be_visible()
    page.screenshot(path=str(SHOTS / "files_tab_link_sent.png"), full_page=True)
    run_tasks()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/settings/porting/sign/[A-Za-z0-9_-]+/", mail.outbox[0].body)
    assert link is not None
    path = "/" + link.group(0).split("/", 3)[3]

    # Carol opens it in a fresh browser: no account, no sign-in.
    fresh = browser.new_context(viewport={"width": 375, "height": 800})
    fresh.set_default_timeout(10_000)
    try:
        carol = fresh.new_page()
        carol.goto(live_server.url + path)
        expect(
            carol.get_by_role("heading", name="Sign the Letter of Authorization")
        ).to_be_visible()
        carol.screenshot(path=str(SHOTS / "loa_public_375.png"), full_page=True)
        carol.get_by_label("Your full name").fill("Carol Chief")
        carol.get_by_text("Type", exact=True).click()
        expect(carol.locator("[data-fx-typed-preview]")).to_have_text("Carol Chief")
        carol.get_by_label(re.compile(r"^I, Carol Chief, am the person authorized")).check()
        carol.get_by_role("button", name="Sign the Letter of Authorization").click()
        expect(carol.get_by_role("heading", name="Signed")).to_be_visible()
        carol.screenshot(path=str(SHOTS / "loa_public_done_375.png"), full_page=True)
        # A second use is refused with a clear page.
        carol.goto(live_server.url + path)
        expect(carol.get_by_role("heading", name="Already signed")).to_be_visible()
        expect(carol.get_by_text("This signing link was already used")).to_be_visible()
    finally:
        fresh.close()
    port.refresh_from_db()
    assert loa_signed_for(port)
    signature = LoaSignature.objects.get(signed_at__isnull=False)
    assert signature.signature_kind == "typed" and signature.signer_email == "carol@acme.example"
    assert signature.ip_address == "127.0.0.1"
