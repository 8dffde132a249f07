"""The Coverpage tab in a browser: upload a cover, see it in the Default coverpage list,
choose it and Save, Browse its preview (an image drawn from the cover), see a department
below offer it until Only my cover(s) is ticked, delete it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from cover_files import form_template
from faxline.accounts.models import CoverPageTemplate

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)


def test_upload_choose_browse_and_delete_a_cover(
    page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cast = cast_from_snapshot()
    login_as(page, live_server, cast.company_admin)
    url = reverse("accounts:company_details", args=[cast.company.pk]) + "?tab=coverpage"
    page.goto(live_server.url + url)
    choice = page.get_by_label("Default coverpage")
    expect(choice).to_have_value("Standard")
    expect(page.get_by_test_id("cover-none")).to_be_visible()

    # Upload (htmx): the tab comes back with the cover listed and offered.
    page.get_by_label("Cover page (PDF)").set_input_files(
        files=[{"name": "acme.pdf", "mimeType": "application/pdf", "buffer": form_template()}]
    )
    page.get_by_label("Name", exact=True).fill("Acme form")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("cover-notice")).to_contain_text("“Acme form” uploaded")
    expect(page.get_by_test_id("cover-row")).to_have_count(1)
    cover = CoverPageTemplate.objects.get()
    expect(choice.locator("option")).to_have_text(["faxline Default", "Acme form"])

    # Choose it and Save.
    choice.select_option(label="Acme form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Coverpage settings saved.")).to_be_visible()
    expect(page.get_by_label("Default coverpage")).to_have_value(cover.key)
    cast.company.refresh_from_db()
    assert cast.company.settings["coverpage"]["default_coverpage"] == cover.key

    # Browse: the preview of the chosen cover, an image the browser could draw.
    page.get_by_test_id("cover-browse").click()
    preview = page.get_by_test_id("cover-preview")
    expect(preview).to_have_attribute("src", reverse("accounts:cover_preview", args=[cover.pk]))
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=cover-preview]');"
        " return i && i.complete && i.naturalWidth === 850; }"
    )
    expect(page.get_by_text("Preview of Acme form")).to_be_visible()

    # A department below offers it, until Only my cover(s) is ticked (the list is redrawn).
    department = reverse("accounts:department_details", args=[cast.billing.pk])
    page.goto(live_server.url + department + "?tab=coverpage")
    below = page.get_by_label("Default coverpage")
    expect(below.locator("option")).to_have_text(["faxline Default", "Acme form (Company)"])
    page.get_by_label("Only my cover(s)").check()
    expect(page.get_by_label("Default coverpage").locator("option")).to_have_text(
        ["faxline Default"]
    )
    page.goto(live_server.url + url)

    # Delete it (confirmed): gone from the list and from the drop-down.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete Acme form").click()
    expect(page.get_by_test_id("cover-notice")).to_contain_text("deleted")
    expect(page.get_by_test_id("cover-row")).to_have_count(0)
    expect(page.get_by_label("Default coverpage").locator("option")).to_have_text(
        ["faxline Default"]
    )
    assert not CoverPageTemplate.objects.exists()
