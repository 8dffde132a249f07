"""Send Fax's Preview in a browser: a fax user asks for a cover page, previews a 3-page PDF
(four page images: the cover and the three pages, each really loaded), then sends: the job
carries exactly the previewed image. Screenshots at desktop and phone width."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from faxing.jobs_support import give_number, on_demand_covers
from faxing.test_inbound import three_page_pdf
from faxline.faxing.models import FaxImageFile, FaxJob

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_fax_user_previews_the_pages_then_sends_them(
    live_server, page: Page, tmp_path: Path
) -> None:
    cast = cast_from_snapshot()
    give_number(cast.billing_user, "+12125557001")
    on_demand_covers(cast, cast.billing_user)
    pdf = three_page_pdf(tmp_path / "letter.pdf")

    login_as(page, live_server, cast.billing_user)
    page.goto(live_server.url + "/faxes/send/")
    page.get_by_label("Fax numbers").fill("+1 617 555 9876")
    page.get_by_label("Files").set_input_files(str(pdf))
    page.get_by_label("Add a cover page").check()
    page.get_by_label("Subject").fill("Signed letter")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("fax-preview")
    expect(page.get_by_test_id("preview-pages")).to_have_text("4")
    expect(preview).to_contain_text("with a cover page")
    images = preview.get_by_role("img")
    expect(images).to_have_count(4)
    for n in range(4):
        images.nth(n).scroll_into_view_if_needed()
        expect(images.nth(n)).to_have_js_property("complete", True)
        assert images.nth(n).evaluate("img => img.naturalWidth") > 1000
    assert not FaxJob.objects.exists()
    page.screenshot(path="/tmp/send_fax_preview_1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/send_fax_preview_390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    stored = FaxImageFile.objects.count()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Your new fax job identifier is")).to_be_visible()
    (job,) = FaxJob.objects.all()
    assert job.pages == 4 and job.cover
    assert FaxImageFile.objects.count() == stored  # nothing converted again
