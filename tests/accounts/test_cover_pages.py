"""Cover page templates: upload (checked, encrypted in the vault, audited), refusals that
store nothing, rename and delete with their rights, the covers a level may use with and
without "Only my cover(s)", the Coverpage tab's choice checked by the service, the header
line, and a fax user's effective settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage

from cover_files import form_template, javascript_template, letterhead, oversized_template
from faxline.accounts.access import Actor
from faxline.accounts.models import CoverPageTemplate
from faxline.accounts.preferences import format_moment
from faxline.accounts.selectors import (
    cover_choices,
    cover_for,
    cover_get,
    covers_available,
    effective_settings,
)
from faxline.accounts.services.coverpages import (
    company_header_line_update,
    cover_page_delete,
    cover_page_rename,
    cover_page_upload,
)
from faxline.accounts.services.settings import settings_update
from faxline.core.errors import Forbidden, NotFound, ValidationFailed
from faxline.core.models import AuditEvent
from faxline.core.vault import vault_read

from cast import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(cast: Cast, owner: Any, name: str, data: bytes | None = None, who: Any = None) -> Any:
    return cover_page_upload(
        actor=Actor(user=who or cast.company_admin),
        owner=owner,
        data=data or form_template(),
        filename=f"{name}.pdf",
        name=name,
    )


def test_upload_stores_the_template_encrypted_with_its_fields(cast: Cast, _media: Path) -> None:
    data = form_template(["to", "subject", "comments"])
    cover = upload(cast, cast.company, "Acme form", data)
    assert cover.field_names == ["to", "subject", "comments"]
    assert cover.department is None and cover.uploaded_by == cast.company_admin
    assert vault_read(cover.vault_name) == data
    (path,) = stored_files(_media)
    assert data not in path.read_bytes() and b"%PDF" not in path.read_bytes()
    import hashlib

    assert cover.sha256 == hashlib.sha256(data).hexdigest() and cover.size == len(data)
    event = AuditEvent.objects.get(kind="coverpage.uploaded")
    assert event.detail["name"] == "Acme form"
    letter = upload(cast, cast.billing, "Billing letterhead", letterhead())
    assert letter.is_static and letter.department == cast.billing


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (form_template(pages=2), "cover_pages"),
        (oversized_template(), "document_too_large"),
        (javascript_template(), "document_active_content"),
        (form_template(["recipient"]), "cover_fields"),
        (b"MZ\x90\x00 not a pdf", "document_type"),
    ],
    ids=["two-pages", "oversized", "javascript", "unnamed-fields", "executable"],
)
def test_refused_uploads_store_nothing(cast: Cast, _media: Path, data: bytes, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        upload(cast, cast.company, "Bad", data)
    assert caught.value.code == code
    assert caught.value.field == "file"
    assert not CoverPageTemplate.objects.exists()
    assert stored_files(_media) == []
    assert not AuditEvent.objects.filter(kind="coverpage.uploaded").exists()


def test_names_are_unique_per_level(cast: Cast, _media: Path) -> None:
    upload(cast, cast.company, "Standard form")
    with pytest.raises(ValidationFailed) as caught:
        upload(cast, cast.company, "standard FORM")
    assert caught.value.field == "name"
    assert len(stored_files(_media)) == 1  # the refused one took its file away (or never wrote)
    upload(cast, cast.billing, "Standard form")  # another level may use the name
    other = upload(cast, cast.company, "Other")
    with pytest.raises(ValidationFailed):
        cover_page_rename(actor=Actor(user=cast.company_admin), cover=other, name="Standard Form")
    renamed = cover_page_rename(actor=Actor(user=cast.company_admin), cover=other, name="Fresh")
    assert renamed.name == "Fresh"


def test_rights_follow_the_levels_settings_rights(cast: Cast) -> None:
    dept_admin, read_only = cast.dept_admin, cast.read_only_admin
    with pytest.raises(Forbidden):
        upload(cast, cast.company, "Company cover", who=dept_admin)
    mine = upload(cast, cast.billing_l1, "Level 1 cover", who=dept_admin)
    with pytest.raises(NotFound):
        upload(cast, cast.sales, "Sales cover", who=dept_admin)
    with pytest.raises(Forbidden):
        upload(cast, cast.company, "Read only", who=read_only)
    with pytest.raises(Forbidden):
        cover_page_delete(actor=Actor(user=read_only), cover=mine)
    with pytest.raises(NotFound):
        cover_page_upload(
            actor=Actor(user=cast.outsider_admin),
            owner=cast.company,
            data=form_template(),
            filename="x.pdf",
        )
    with pytest.raises(NotFound):
        cover_get(actor=Actor(user=cast.outsider_admin), cover_id=mine.pk)


def test_delete_removes_the_row_and_its_file(
    cast: Cast, _media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    cover = upload(cast, cast.company, "Gone soon")
    with django_capture_on_commit_callbacks(execute=True):
        cover_page_delete(actor=Actor(user=cast.company_admin), cover=cover)
    assert not CoverPageTemplate.objects.exists()
    assert not default_storage.exists(cover.vault_name)
    assert AuditEvent.objects.filter(kind="coverpage.deleted").count() == 1


def test_covers_a_level_may_use(cast: Cast) -> None:
    company = upload(cast, cast.company, "Company cover")
    billing = upload(cast, cast.billing, "Billing cover")
    level1 = upload(cast, cast.billing_l1, "Level 1 cover")
    upload(cast, cast.sales, "Sales cover")
    assert covers_available(cast.billing_l1) == [level1, billing, company]
    assert covers_available(cast.billing_l1, only_mine=True) == [level1]
    assert covers_available(cast.company) == [company]
    assert covers_available(cast.billing_user) == [level1, billing, company]
    labels = [c.label for c in cover_choices(cast.billing_l1)]
    assert labels == [
        "faxline Default",
        "Level 1 cover",
        "Billing cover (Billing Dept)",
        "Company cover (Company)",
    ]
    # "Only my cover(s)" as the level stores it.
    settings_update(
        actor=Actor(user=cast.company_admin),
        owner=cast.billing_l1,
        tab="coverpage",
        values={"only_my_covers": True},
    )
    cast.billing_l1.refresh_from_db()
    assert covers_available(cast.billing_l1) == [level1]
    assert cover_for(cast.billing_l1, company.key) is None
    assert cover_for(cast.billing_l1, level1.key) == level1


def test_default_coverpage_must_be_offered(cast: Cast) -> None:
    admin = Actor(user=cast.company_admin)
    company = upload(cast, cast.company, "Company cover")
    sales = upload(cast, cast.sales, "Sales cover")
    stored = settings_update(
        actor=admin, owner=cast.billing, tab="coverpage", values={"default_coverpage": company.key}
    )
    assert stored["default_coverpage"] == company.key
    for values in (
        {"default_coverpage": sales.key},  # a sibling's cover
        {"default_coverpage": "cover:99999"},
        {"default_coverpage": "Fancy"},
        {"only_my_covers": True},  # the chosen company cover is no longer offered
    ):
        with pytest.raises(ValidationFailed) as caught:
            settings_update(actor=admin, owner=cast.billing, tab="coverpage", values=values)
        assert caught.value.field == "settings.coverpage.default_coverpage"
    settings_update(
        actor=admin,
        owner=cast.billing,
        tab="coverpage",
        values={"default_coverpage": "Standard", "only_my_covers": True},
    )


def test_header_line_settings(cast: Cast) -> None:
    admin = Actor(user=cast.company_admin)
    assert cast.company.header_line and cast.company.header_ident == ""
    company_header_line_update(actor=admin, company=cast.company, enabled=False, ident=" ACME ")
    cast.company.refresh_from_db()
    assert (cast.company.header_line, cast.company.header_ident) == (False, "ACME")
    with pytest.raises(ValidationFailed) as caught:
        company_header_line_update(actor=admin, company=cast.company, ident="x" * 51)
    assert caught.value.field == "header_ident"
    with pytest.raises(Forbidden):
        company_header_line_update(
            actor=Actor(user=cast.dept_admin), company=cast.company, enabled=True
        )
    with pytest.raises(Forbidden):
        company_header_line_update(
            actor=Actor(user=cast.read_only_admin), company=cast.company, enabled=True
        )


def test_effective_settings_fall_back_to_the_levels_above(cast: Cast) -> None:
    user = cast.billing_user
    assert effective_settings(user)["coverpage"] == user.settings["coverpage"]
    user.settings = {}
    user.save(update_fields=["settings"])
    cast.billing_l1.settings["custom"]["date_format"] = "dd.MM.yyyy"
    cast.billing_l1.save(update_fields=["settings"])
    cast.company.settings["coverpage"]["mode"] = "none"
    cast.company.save(update_fields=["settings"])
    del cast.billing.settings["coverpage"]
    cast.billing.save(update_fields=["settings"])
    user.refresh_from_db()
    settings = effective_settings(user)
    assert settings["custom"]["date_format"] == "dd.MM.yyyy"
    # Billing Level 1 stores its own coverpage tab (copied at creation): it wins.
    assert settings["coverpage"]["mode"] == cast.billing_l1.settings["coverpage"]["mode"]


def test_format_moment_follows_the_custom_tab() -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 6, 14, 5, tzinfo=UTC)
    assert format_moment(moment, {}) == "12-06-2026 9:05 AM"
    assert (
        format_moment(
            moment,
            {
                "time_zone": "Europe/Berlin",
                "date_format": "dd.MM.yyyy",
                "time_format": "HH:mm",
                "include_time_zone_abbreviation": True,
            },
        )
        == "06.12.2026 15:05 CET"
    )


def test_a_deleted_department_takes_its_covers_files(
    cast: Cast, _media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from faxline.accounts.services.departments import department_delete

    cover = upload(cast, cast.sales, "Sales cover", letterhead())
    cast.sales_user.department = None
    cast.sales_user.save(update_fields=["department"])
    with django_capture_on_commit_callbacks(execute=True):
        department_delete(actor=Actor(user=cast.company_admin), department=cast.sales)
    assert not CoverPageTemplate.objects.exists()
    assert not default_storage.exists(cover.vault_name)
