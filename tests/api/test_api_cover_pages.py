"""The cover pages API and the header line API: upload, list (own, and the covers a level
may use with and without "Only my cover(s)"), rename, delete, preview; outsiders 404,
read-only administrators 403, bad input 422 naming the field, pagination."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cover_files import form_template, letterhead
from faxline.accounts.models import CoverPageTemplate

from cast import Cast

pytestmark = pytest.mark.django_db
Call = Callable[..., Any]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(data: bytes, name: str = "cover.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/pdf")


def post_cover(call: Call, user: Any, path: str, data: bytes, name: str = "") -> Any:
    files: dict[str, Any] = {"file": pdf(data)}
    if name:
        files["name"] = name
    return call(user, "post", path, files=files)


def test_upload_list_rename_delete(cast: Cast, call: Call) -> None:
    admin = cast.company_admin
    company_path = f"/companies/{cast.company.pk}/cover-pages"
    created = post_cover(call, admin, company_path, form_template(), "Acme form")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Acme form" and body["key"] == f"cover:{body['id']}"
    assert body["department_id"] is None and len(body["fields"]) == 11
    assert body["uploaded_by"] == "carol"
    letter = post_cover(
        call, admin, f"/departments/{cast.billing.pk}/cover-pages", letterhead()
    ).json()
    assert letter["name"] == "cover" and letter["fields"] == []  # named after the file

    own = call(admin, "get", company_path).json()
    assert [c["name"] for c in own["items"]] == ["Acme form"] and own["count"] == 1
    one = call(admin, "get", f"/cover-pages/{body['id']}")
    assert one.status_code == 200 and one.json()["sha256"] == body["sha256"]
    renamed = call(admin, "patch", f"/cover-pages/{body['id']}", {"name": "Acme v2"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Acme v2"
    preview = call(admin, "get", f"/cover-pages/{body['id']}/preview")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    assert preview.content.startswith(b"\x89PNG")
    assert call(admin, "delete", f"/cover-pages/{body['id']}").status_code == 204
    assert call(admin, "get", f"/cover-pages/{body['id']}").status_code == 404
    assert CoverPageTemplate.objects.count() == 1


def test_available_covers_with_and_without_only_my_covers(cast: Cast, call: Call) -> None:
    admin = cast.company_admin
    post_cover(call, admin, f"/companies/{cast.company.pk}/cover-pages", form_template(), "Co")
    post_cover(call, admin, f"/departments/{cast.billing.pk}/cover-pages", form_template(), "Bi")
    post_cover(call, admin, f"/departments/{cast.billing_l1.pk}/cover-pages", letterhead(), "L1")
    post_cover(call, admin, f"/departments/{cast.sales.pk}/cover-pages", letterhead(), "Sa")
    path = f"/departments/{cast.billing_l1.pk}/cover-pages"
    available = call(admin, "get", path, scope="available").json()
    assert [c["name"] for c in available["items"]] == ["faxline Default", "L1", "Bi", "Co"]
    assert available["items"][0]["built_in"] and available["items"][0]["key"] == "Standard"
    page = call(admin, "get", path, scope="available", limit=2, offset=1).json()
    assert [c["name"] for c in page["items"]] == ["L1", "Bi"] and page["count"] == 4
    changed = call(
        admin,
        "patch",
        f"/departments/{cast.billing_l1.pk}/settings/coverpage",
        {"only_my_covers": True},
    )
    assert changed.status_code == 200
    mine = call(admin, "get", path, scope="available").json()
    assert [c["name"] for c in mine["items"]] == ["faxline Default", "L1"]
    own = call(admin, "get", path).json()
    assert [c["name"] for c in own["items"]] == ["L1"]
    # Choosing the company's cover now: 422 naming the field.
    company_cover = CoverPageTemplate.objects.get(name="Co")
    refused = call(
        admin,
        "patch",
        f"/departments/{cast.billing_l1.pk}/settings/coverpage",
        {"default_coverpage": company_cover.key},
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "settings.coverpage.default_coverpage"


def test_outsiders_read_only_and_bad_input(cast: Cast, call: Call) -> None:
    admin, outsider, reader = cast.company_admin, cast.outsider_admin, cast.read_only_admin
    path = f"/companies/{cast.company.pk}/cover-pages"
    cover = post_cover(call, admin, path, form_template(), "Acme").json()
    # Outsiders: 404 for the level and for the cover.
    assert call(outsider, "get", path).status_code == 404
    assert post_cover(call, outsider, path, form_template()).status_code == 404
    for method, route, body in (
        ("get", f"/cover-pages/{cover['id']}", None),
        ("get", f"/cover-pages/{cover['id']}/preview", None),
        ("patch", f"/cover-pages/{cover['id']}", {"name": "Mine"}),
        ("delete", f"/cover-pages/{cover['id']}", None),
        ("get", f"/companies/{cast.company.pk}/header-line", None),
        ("patch", f"/companies/{cast.company.pk}/header-line", {"enabled": False}),
    ):
        assert call(outsider, method, route, body).status_code == 404, route
    # Read-only administrators see but change nothing: 403.
    assert call(reader, "get", path).status_code == 200
    assert post_cover(call, reader, path, form_template(), "RO").status_code == 403
    assert call(reader, "patch", f"/cover-pages/{cover['id']}", {"name": "RO"}).status_code == 403
    assert call(reader, "delete", f"/cover-pages/{cover['id']}").status_code == 403
    header = f"/companies/{cast.company.pk}/header-line"
    assert call(reader, "patch", header, {"enabled": False}).status_code == 403
    # A department administrator cannot upload for the company (403), can for their level.
    assert post_cover(call, cast.dept_admin, path, form_template(), "D").status_code == 403
    dept = post_cover(
        call, cast.dept_admin, f"/departments/{cast.billing.pk}/cover-pages", letterhead(), "D"
    )
    assert dept.status_code == 201
    # Bad input: 422 naming the field.
    no_file = call(admin, "post", path, files={"name": "x"})
    assert no_file.status_code == 422 and no_file.json()["field"] == "file"
    two_pages = post_cover(call, admin, path, form_template(pages=2), "Two")
    assert two_pages.status_code == 422 and two_pages.json()["field"] == "file"
    assert "one page" in two_pages.json()["message"]
    taken = post_cover(call, admin, path, letterhead(), "acme")
    assert taken.status_code == 422 and taken.json()["field"] == "name"
    blank = call(admin, "patch", f"/cover-pages/{cover['id']}", {"name": "  "})
    assert blank.status_code == 422 and blank.json()["field"] == "name"
    assert call(admin, "get", path, scope="everything").status_code == 422
    assert call(admin, "get", path, limit=0).json()["field"] == "limit"
    assert CoverPageTemplate.objects.count() == 2


def test_header_line_read_and_update(cast: Cast, call: Call) -> None:
    path = f"/companies/{cast.company.pk}/header-line"
    assert call(cast.company_admin, "get", path).json() == {
        "enabled": True,
        "ident": "",
        "shown_ident": "Acme Corp",
    }
    changed = call(cast.company_admin, "patch", path, {"enabled": False, "ident": "ACME FAX"})
    assert changed.json() == {"enabled": False, "ident": "ACME FAX", "shown_ident": "ACME FAX"}
    too_long = call(cast.company_admin, "patch", path, {"ident": "x" * 51})
    assert too_long.status_code == 422 and too_long.json()["field"] == "ident"
    unknown = call(cast.company_admin, "patch", path, {"colour": "red"})
    assert unknown.status_code == 422
    assert call(cast.dept_admin, "patch", path, {"enabled": True}).status_code == 403


def test_a_users_cover_choices(cast: Cast, call: Call) -> None:
    admin = cast.company_admin
    post_cover(call, admin, f"/companies/{cast.company.pk}/cover-pages", letterhead(), "Co")
    post_cover(call, admin, f"/departments/{cast.sales.pk}/cover-pages", letterhead(), "Sa")
    path = f"/users/{cast.billing_user.pk}/cover-pages"
    names = [c["name"] for c in call(admin, "get", path).json()["items"]]
    assert names == ["faxline Default", "Co"]  # not the Sales department's
    sales = [
        c["name"]
        for c in call(admin, "get", f"/users/{cast.sales_user.pk}/cover-pages").json()["items"]
    ]
    assert sales == ["faxline Default", "Sa", "Co"]
    assert call(cast.outsider_admin, "get", path).status_code == 404
    assert call(admin, "get", f"/users/{cast.dept_admin.pk}/cover-pages").status_code == 404
