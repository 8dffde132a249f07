"""The Coverpage tab's Upload, Manage and Browse through the test client, and the header
line on the company's Fax tab."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cover_files import form_template, letterhead
from faxline.accounts.models import CoverPageTemplate, User

from cast import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tab(obj: Any, kind: str = "company", name: str = "coverpage") -> str:
    view = {
        "company": "company_details",
        "department": "department_details",
        "user": "user_details",
    }
    return reverse(f"accounts:{view[kind]}", args=[obj.pk]) + f"?tab={name}"


def upload(client: Client, url: str, data: bytes, name: str = "", **headers: Any) -> Any:
    return client.post(
        url,
        {
            "tab": "coverpage",
            "action": "upload_cover",
            "name": name,
            "file": SimpleUploadedFile("letter.pdf", data, "application/pdf"),
        },
        **headers,
    )


def test_upload_choose_browse_rename_delete(cast: Cast) -> None:
    client = signed_in(cast.company_admin)
    url = tab(cast.company)
    page = client.get(url).content.decode()
    assert "faxline Default" in page and "Upload a cover page" in page
    response = upload(client, url, form_template(), "Acme form")
    assert response.status_code == 302
    cover = CoverPageTemplate.objects.get()
    page = client.get(url).content.decode()
    assert f'<option value="{cover.key}">Acme form</option>' in page
    assert "Form (11 fields)" in page
    saved = client.post(
        url, {"tab": "coverpage", "default_coverpage": cover.key, "mode": "automatic"}
    )
    assert saved.status_code == 302
    cast.company.refresh_from_db()
    assert cast.company.settings["coverpage"]["default_coverpage"] == cover.key
    browse = client.get(url + "&browse=1").content.decode()
    preview_url = reverse("accounts:cover_preview", args=[cover.pk])
    assert f'src="{preview_url}"' in browse
    fragment = client.get(
        url.split("?")[0],
        {"tab": "coverpage", "browse": "1", "default_coverpage": "Standard"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="fx-cover-preview",
    ).content.decode()
    assert reverse("accounts:cover_preview_default") in fragment and "<html" not in fragment
    png = client.get(preview_url)
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert client.get(reverse("accounts:cover_preview_default")).content.startswith(b"\x89PNG")
    renamed = client.post(
        url, {"tab": "coverpage", "action": "rename_cover", "cover_id": cover.pk, "name": "V2"}
    )
    assert renamed.status_code == 302
    cover.refresh_from_db()
    assert cover.name == "V2"
    deleted = client.post(
        url,
        {"tab": "coverpage", "action": "delete_cover", "cover_id": cover.pk},
        HTTP_HX_REQUEST="true",
    )
    assert deleted.status_code == 200
    assert "deleted" in deleted.content.decode()
    assert not CoverPageTemplate.objects.exists()


def test_refusals_show_in_the_tab(cast: Cast) -> None:
    client = signed_in(cast.company_admin)
    url = tab(cast.company)
    refused = upload(client, url, form_template(pages=2))
    assert refused.status_code == 422
    assert "more than one page" in refused.content.decode()
    swapped = upload(client, url, b"not a pdf at all", HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200  # htmx swaps only successes: the error is in the tab
    assert "not a PDF" in swapped.content.decode()
    assert not CoverPageTemplate.objects.exists()
    upload(client, url, letterhead(), "Letter")
    upload(client, url, letterhead(), "Other")
    other = CoverPageTemplate.objects.get(name="Other")
    clash = client.post(
        url, {"tab": "coverpage", "action": "rename_cover", "cover_id": other.pk, "name": "letter"}
    )
    assert clash.status_code == 422 and "already exists" in clash.content.decode()


def test_who_may_manage(cast: Cast) -> None:
    reader = signed_in(cast.read_only_admin)
    page = reader.get(tab(cast.company)).content.decode()
    assert "Upload a cover page" not in page and "Manage cover pages" in page
    assert upload(reader, tab(cast.company), letterhead()).status_code == 403
    dana = signed_in(cast.dept_admin)
    assert upload(dana, tab(cast.billing, "department"), letterhead(), "Billing").status_code == 302
    cover = CoverPageTemplate.objects.get()
    # Its level's covers and the ones above on the user's own tab, no Manage there.
    user_page = dana.get(tab(cast.billing_user, "user")).content.decode()
    assert f'value="{cover.key}"' in user_page and "Manage cover pages" not in user_page
    # A cover of another level cannot be renamed through this level's page.
    other_level = dana.post(
        tab(cast.billing_l1, "department"),
        {"tab": "coverpage", "action": "delete_cover", "cover_id": cover.pk},
    )
    assert other_level.status_code == 404
    outsider = signed_in(cast.outsider_admin)
    assert outsider.get(reverse("accounts:cover_preview", args=[cover.pk])).status_code == 404
    assert CoverPageTemplate.objects.count() == 1


def test_header_line_on_the_company_fax_tab(cast: Cast) -> None:
    client = signed_in(cast.company_admin)
    url = tab(cast.company, name="fax")
    page = client.get(url).content.decode()
    assert "Header line" in page and "Header ident" in page
    saved = client.post(url, {"tab": "fax", "inbound_file_type": "PDF", "header_ident": "ACME FAX"})
    assert saved.status_code == 302
    cast.company.refresh_from_db()
    assert (cast.company.header_line, cast.company.header_ident) == (False, "ACME FAX")
    assert "Header ident" not in client.get(tab(cast.billing, "department", "fax")).content.decode()


def test_only_my_covers_redraws_the_list(cast: Cast) -> None:
    client = signed_in(cast.company_admin)
    upload(client, tab(cast.company), letterhead(), "Company cover")
    upload(client, tab(cast.billing, "department"), letterhead(), "Billing cover")
    company_cover = CoverPageTemplate.objects.get(name="Company cover")
    base = reverse("accounts:department_details", args=[cast.billing.pk])
    query = {"tab": "coverpage", "choices": "1", "default_coverpage": company_cover.key}
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "fx-cover-choice"}
    both = client.get(base, query, **headers).content.decode()
    assert "Billing cover" in both and "Company cover (Company)" in both
    assert f'value="{company_cover.key}" selected' in both
    mine = client.get(base, {**query, "only_my_covers": "on"}, **headers).content.decode()
    assert "Billing cover" in mine and "Company cover" not in mine
    assert 'id="fx-cover-choice"' in mine and "<html" not in mine
