"""Send Fax's Preview: the converted pages (and the cover page the sender's mode adds) are
shown as PNGs to the person who prepared them only, and Send then sends exactly that image
(the same SHA-256), without converting anything again."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from faxing.jobs_support import REMOTE, give_number, on_demand_covers
from faxline.accounts.models import User
from faxline.faxing.jobs import send as send_module
from faxline.faxing.models import FaxImageFile, FaxJob

from cast import Cast


def three_page_pdf() -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=letter)
    for n in (1, 2, 3):
        pdf.setFont("Helvetica", 28)
        pdf.drawString(72, 700, f"Quarterly figures, page {n}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return three_page_pdf()


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("figures.pdf", data, "application/pdf")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def preview(client: Client, pdf: bytes, **extra: str):  # type: ignore[no-untyped-def]
    response = client.post(
        "/faxes/send/", {"to": REMOTE, "file": [upload(pdf)], "action": "preview", **extra}
    )
    assert response.status_code == 200, response.context["form"].errors
    return response


def page_urls(response) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(
        set(re.findall(r'src="(/faxes/send/preview/[^"]+\.png)"', response.content.decode()))
    )


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files fax_send converts (the real conversion, counted)."""
    seen: list[str] = []
    real = send_module.convert_to_fax

    def counted(data, *, filename="", **kw):  # type: ignore[no-untyped-def]
        seen.append(filename)
        return real(data, filename=filename, **kw)

    monkeypatch.setattr(send_module, "convert_to_fax", counted)
    return seen


def test_preview_shows_the_three_pages_and_send_sends_that_image(
    cast: Cast, pdf: bytes, conversions: list[str]
) -> None:
    sender = cast.billing_user
    give_number(sender)
    on_demand_covers(cast, sender)
    client = signed_in(sender)
    response = preview(client, pdf)
    prepared = response.context["preview"]
    assert prepared["pages"] == 3 and not prepared["cover"]
    urls = page_urls(response)
    assert len(urls) == 3
    for url in urls:
        png = client.get(url)
        assert png.status_code == 200 and png["Content-Type"] == "image/png"
        with Image.open(io.BytesIO(png.content)) as image:
            assert image.format == "PNG" and image.width > 1000
    assert client.get(urls[0].replace("/1.png", "/4.png")).status_code == 404
    assert not FaxJob.objects.exists()
    stored = FaxImageFile.objects.count()
    assert conversions == ["figures.pdf"]

    # Send without uploading again: the previewed image, not a new conversion.
    sent = client.post("/faxes/send/", {"to": REMOTE, "preview": prepared["id"], "action": "send"})
    assert sent.status_code == 302, sent.context and sent.context["form"].errors
    (job,) = FaxJob.objects.all()
    (sha,) = {s for _n, s in prepared["images"]}
    assert job.image.sha256 == sha and job.pages == 3
    assert FaxImageFile.objects.count() == stored
    assert conversions == ["figures.pdf"]
    # The preview is used up.
    assert client.get(urls[0]).status_code == 404


def test_automatic_mode_previews_the_cover_page_too(cast: Cast, pdf: bytes) -> None:
    sender = cast.sales_user  # the company's default Coverpage mode: Automatic
    give_number(sender, "+12125557002")
    response = preview(signed_in(sender), pdf, cover_subject="Figures")
    assert response.context["preview"]["pages"] == 4
    assert response.context["preview"]["cover"]
    assert len(page_urls(response)) == 4
    assert b"with a cover page" in response.content


def test_another_user_cannot_see_the_preview_pages(cast: Cast, pdf: bytes) -> None:
    sender = cast.billing_user
    give_number(sender)
    on_demand_covers(cast, sender)
    urls = page_urls(preview(signed_in(sender), pdf))
    other = cast.sales_user
    give_number(other, "+12125557002")
    assert signed_in(other).get(urls[0]).status_code == 404
    # Nor can another user send it.
    prepared_id = urls[0].split("/")[4]
    refused = signed_in(other).post(
        "/faxes/send/", {"to": REMOTE, "preview": prepared_id, "action": "send"}
    )
    assert refused.status_code == 422
    assert not FaxJob.objects.exists()


def test_changing_the_recipients_after_a_preview_is_refused(cast: Cast, pdf: bytes) -> None:
    sender = cast.billing_user
    give_number(sender)
    on_demand_covers(cast, sender)
    client = signed_in(sender)
    prepared = preview(client, pdf, cover="on").context["preview"]
    assert prepared["pages"] == 4  # On Demand, asked for
    response = client.post(
        "/faxes/send/",
        {"to": f"{REMOTE}\n+16175550199", "preview": prepared["id"], "action": "send"},
    )
    assert response.status_code == 422
    assert "preview the fax again" in " ".join(response.context["form"].errors["to"])
    assert not FaxJob.objects.exists()


def test_a_bad_file_in_a_preview_is_an_invalid_attachment(cast: Cast) -> None:
    sender = cast.billing_user
    give_number(sender)
    on_demand_covers(cast, sender)
    response = signed_in(sender).post(
        "/faxes/send/",
        {"to": REMOTE, "file": [upload(b"%PDF-1.4 no PDF at all")], "action": "preview"},
    )
    assert response.status_code == 422
    assert "Invalid Attachment" in " ".join(response.context["form"].errors["file"])


# The API: POST /faxes/preview, its pages, and POST /faxes with preview_id.


def api_for(user: User) -> Client:
    from faxline.accounts.access import Actor
    from faxline.accounts.services.api_keys import api_key_create

    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_api_preview_then_send_sends_that_image(
    cast: Cast, pdf: bytes, conversions: list[str]
) -> None:
    sender = cast.billing_user
    give_number(sender)
    on_demand_covers(cast, sender)
    api = api_for(sender)
    response = api.post("/api/v1/faxes/preview", {"to": [REMOTE], "file": [upload(pdf)]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["pages"] == 3 and not body["cover"] and len(body["page_urls"]) == 3
    png = api.get(body["page_urls"][2])
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert api.get(body["page_urls"][2].replace("/3.png", "/4.png")).status_code == 404
    assert not FaxJob.objects.exists()

    assert conversions == ["figures.pdf"]
    sent = api.post("/api/v1/faxes", {"to": [REMOTE], "preview_id": body["preview_id"]})
    assert sent.status_code == 202, sent.content
    (job,) = FaxJob.objects.all()
    assert job.image.sha256 == body["image"] and job.pages == 3
    assert conversions == ["figures.pdf"]  # not converted again


def test_api_preview_with_an_automatic_cover_has_four_pages(cast: Cast, pdf: bytes) -> None:
    sender = cast.sales_user  # Automatic
    give_number(sender, "+12125557002")
    response = api_for(sender).post(
        "/api/v1/faxes/preview", {"to": [REMOTE], "file": [upload(pdf)], "cover_subject": "Q3"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["pages"] == 4 and response.json()["cover"]


def test_api_preview_outsiders_and_bad_input(cast: Cast, pdf: bytes) -> None:
    sender = cast.billing_user
    give_number(sender)
    on_demand_covers(cast, sender)
    body = (
        api_for(sender)
        .post("/api/v1/faxes/preview", {"to": [REMOTE], "file": [upload(pdf)]})
        .json()
    )
    other = cast.sales_user
    give_number(other, "+12125557002")
    # Another user: the pages are 404, and the id cannot be sent.
    assert api_for(other).get(body["page_urls"][0]).status_code == 404
    refused = api_for(other).post(
        "/api/v1/faxes", {"to": [REMOTE], "preview_id": body["preview_id"]}
    )
    assert refused.status_code == 422 and refused.json()["field"] == "preview_id"
    forged = api_for(sender).post("/api/v1/faxes", {"to": [REMOTE], "preview_id": "x"})
    assert forged.status_code == 422 and forged.json()["field"] == "preview_id"
    # No credentials: 401.
    assert Client().get(body["page_urls"][0]).status_code == 401
    assert Client().post("/api/v1/faxes/preview", {"to": [REMOTE]}).status_code == 401
    # A bad file: Invalid Attachment naming the field, not a 500.
    bad = api_for(sender).post(
        "/api/v1/faxes/preview", {"to": [REMOTE], "file": [upload(b"%PDF-1.4 nonsense")]}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "file"
    assert bad.json()["code"] == "invalid_attachment"
    bad_to = api_for(sender).post("/api/v1/faxes/preview", {"to": ["12"], "file": [upload(pdf)]})
    assert bad_to.status_code == 422 and bad_to.json()["field"] == "to"
    # Other recipients than previewed: 422 naming to.
    moved = api_for(sender).post(
        "/api/v1/faxes", {"to": ["+16175550199"], "preview_id": body["preview_id"]}
    )
    assert moved.status_code == 422 and moved.json()["field"] == "to"
    assert not FaxJob.objects.exists()
