"""A hostile document in a browser: the probe's decompression-bomb TIFF chosen on a port
request's Files tab is refused at once with a message that says why, nothing is added, and
an ordinary bill uploaded next goes through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from faxline.porting.models import PortDocument
from faxline.porting.requests.services import port_request_create
from hostile_documents import bomb_tiff

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)
REQUEST = {
    "contact_first_name": "Carol",
    "contact_last_name": "Chief",
    "contact_email": "carol@acme.example",
    "contact_phone": "+1 206 555 0100",
    "numbers": [{"number": "+12062345678", "line_type": "landline"}],
    "port_type": "full",
    "btn": "+12062345678",
    "losing_carrier": "Old Telco",
    "account_number": "ACCT-998877",
    "business_name": "Acme Corp",
    "authorized_name": "Carol Chief",
    "authorized_title": "CEO",
    "street": "1313 Mockingbird Lane",
    "city": "Seattle",
    "state": "WA",
    "postal_code": "98101",
    "country": "US",
}


def _pdf() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    doc = canvas.Canvas(out)
    doc.drawString(72, 720, "Phone bill")
    doc.showPage()
    doc.save()
    return out.getvalue()


def test_the_files_tab_refuses_a_bomb_and_takes_a_bill(
    page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cast = cast_from_snapshot()
    port = port_request_create(
        actor=cast.actor(cast.company_admin), company=cast.company, data=dict(REQUEST)
    )
    login_as(page, live_server, cast.company_admin)
    page.goto(live_server.url + reverse("porting:detail", args=[port.pk]) + "?tab=files")

    page.locator("select[name='kind']").select_option("bill")
    page.locator("input[name='file']").set_input_files(
        files=[{"name": "scan.tif", "mimeType": "image/tiff", "buffer": bomb_tiff(200, 6700, 6700)}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("decompression bomb")).to_be_visible()
    expect(page.get_by_text("“scan.tif”", exact=False).first).to_be_visible()
    assert not PortDocument.objects.filter(request=port).exists()

    page.locator("select[name='kind']").select_option("bill")
    page.locator("input[name='file']").set_input_files(
        files=[{"name": "bill.pdf", "mimeType": "application/pdf", "buffer": _pdf()}]
    )
    page.get_by_role("button", name="Upload").click()
    # The bill is added; the next page reads its facts for the person to confirm.
    expect(page.get_by_role("link", name="bill.pdf")).to_be_visible()
    assert PortDocument.objects.filter(request=port, kind="bill").count() == 1
