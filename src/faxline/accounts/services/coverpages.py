"""Cover page templates of a company or department (Coverpage tab: Upload, Manage) and the
company's header line settings.

Rights: whoever may change the level's Coverpage settings (``may_change_settings`` with the
``coverpage`` tab) uploads, renames and deletes its covers; the header line is the
company's Fax settings. Every change leaves an audit event.

An upload is checked (``documents.coverpage.check_template``: intake's checks, one page,
2 MB, its form fields read in the sandbox) and stored encrypted in the vault *before* the
short transaction that records it; a refusal stores nothing, and a row that cannot be
written takes its vault file away again.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from faxline.accounts.access import Actor, may_change_settings
from faxline.accounts.models import Company, CoverPageTemplate, Department
from faxline.accounts.services.companies import company_save_fields
from faxline.accounts.services.settings import settings_update_tabs
from faxline.accounts.validation import clean_text
from faxline.core.audit import audit_record
from faxline.core.errors import ValidationFailed
from faxline.core.vault import vault_delete, vault_store
from faxline.documents.coverpage import check_template

VAULT_PURPOSE = "coverpages"
# Covers one level may own (the drop-down stays usable; the provider designs more on request).
MAX_COVERS_PER_LEVEL = 50


def _level(owner: Company | Department) -> tuple[Company, Department | None]:
    if isinstance(owner, Company):
        return owner, None
    return owner.company, owner


def _owned(company: Company, department: Department | None) -> QuerySet[CoverPageTemplate]:
    if department is None:
        return CoverPageTemplate.objects.filter(company=company, department__isnull=True)
    return CoverPageTemplate.objects.filter(department=department)


def _name_taken(
    company: Company, department: Department | None, name: str, exclude: int = 0
) -> bool:
    qs = _owned(company, department)
    return qs.filter(name__iexact=name).exclude(pk=exclude).exists()


def _taken_error(name: str) -> ValidationFailed:
    return ValidationFailed(
        f"A cover page named {name!r} already exists here: choose another name.",
        field="name",
        code="cover_name_taken",
    )


def cover_page_upload(
    *,
    actor: Actor,
    owner: Company | Department,
    data: bytes,
    filename: str = "",
    name: str = "",
) -> CoverPageTemplate:
    """Upload a cover page template for a company or department. ``name`` defaults to the
    file's name without its extension. Refusals name ``file`` or ``name``."""
    may_change_settings(actor, owner, "coverpage").check()
    company, department = _level(owner)
    fallback = PurePath(filename or "").stem.strip() or "Cover page"
    name = clean_text(name or fallback[:100], field="name", max_length=100, required=True)
    if _name_taken(company, department, name):
        raise _taken_error(name)
    if _owned(company, department).count() >= MAX_COVERS_PER_LEVEL:
        raise ValidationFailed(
            f"This level has {MAX_COVERS_PER_LEVEL} cover pages already: delete one first.",
            field="file",
            code="cover_limit",
        )
    info = check_template(data, filename=filename, field="file")
    stored = vault_store(data, purpose=VAULT_PURPOSE)
    try:
        return _record_upload(
            actor=actor,
            company=company,
            department=department,
            name=name,
            stored_name=stored.name,
            sha256=stored.sha256,
            size=stored.size,
            fields=list(info.fields),
        )
    except BaseException:
        vault_delete(stored.name)
        raise


@transaction.atomic
def _record_upload(
    *,
    actor: Actor,
    company: Company,
    department: Department | None,
    name: str,
    stored_name: str,
    sha256: str,
    size: int,
    fields: list[str],
) -> CoverPageTemplate:
    if _name_taken(company, department, name):
        raise _taken_error(name)
    try:
        with transaction.atomic():
            cover = CoverPageTemplate.objects.create(
                company=company,
                department=department,
                name=name,
                vault_name=stored_name,
                sha256=sha256,
                size=size,
                field_names=fields,
                uploaded_by=actor.user,
            )
    except IntegrityError as exc:
        raise _taken_error(name) from exc
    audit_record(
        kind="coverpage.uploaded",
        actor=actor.user,
        company=company,
        target=department or company,
        ip_address=actor.ip_address,
        detail={"cover": cover.pk, "name": name, "sha256": sha256, "fields": fields},
    )
    return cover


def _check_rights(actor: Actor, cover: CoverPageTemplate) -> None:
    owner: Company | Department = cover.department or cover.company
    may_change_settings(actor, owner, "coverpage").check()


@transaction.atomic
def cover_page_rename(*, actor: Actor, cover: CoverPageTemplate, name: str) -> CoverPageTemplate:
    """Rename a cover (unique, ignoring case, among its level's covers)."""
    _check_rights(actor, cover)
    name = clean_text(name, field="name", max_length=100, required=True)
    locked = CoverPageTemplate.objects.select_for_update().get(pk=cover.pk)
    if _name_taken(locked.company, locked.department, name, exclude=locked.pk):
        raise _taken_error(name)
    old = locked.name
    locked.name = name
    try:
        with transaction.atomic():
            locked.save(update_fields=["name"])
    except IntegrityError as exc:
        raise _taken_error(name) from exc
    audit_record(
        kind="coverpage.renamed",
        actor=actor.user,
        company=locked.company,
        target=locked.department or locked.company,
        ip_address=actor.ip_address,
        detail={"cover": locked.pk, "from": old, "to": name},
    )
    cover.name = name
    return locked


@transaction.atomic
def cover_page_delete(*, actor: Actor, cover: CoverPageTemplate) -> None:
    """Delete a cover and, once that is committed, its file. Levels that chose it as their
    default fall back to the built-in "faxline Default" when a fax is sent."""
    _check_rights(actor, cover)
    stored_name = cover.vault_name
    audit_record(
        kind="coverpage.deleted",
        actor=actor.user,
        company=cover.company,
        target=cover.department or cover.company,
        ip_address=actor.ip_address,
        detail={"cover": cover.pk, "name": cover.name, "sha256": cover.sha256},
    )
    CoverPageTemplate.objects.filter(pk=cover.pk).delete()
    transaction.on_commit(lambda: vault_delete(stored_name))


@transaction.atomic
def company_header_line_update(
    *,
    actor: Actor,
    company: Company,
    enabled: bool | None = None,
    ident: str | None = None,
    settings: dict[str, dict[str, Any]] | None = None,
) -> Company:
    """Turn the header line on or off and set the ident it shows (blank: the company's
    name); the company's Fax settings right, company-level administrators. ``settings``
    saves tabs in the same transaction (the company's Fax tab carries both)."""
    may_change_settings(actor, company, "fax").check()
    changed: list[str] = []
    if enabled is not None:
        if not isinstance(enabled, bool):
            raise ValidationFailed("header_line must be true or false.", field="header_line")
        company.header_line = enabled
        changed.append("header_line")
    if ident is not None:
        company.header_ident = clean_text(ident, field="header_ident", max_length=50)
        changed.append("header_ident")
    company_save_fields(
        actor=actor, company=company, changed=changed, kind="company.header_line_changed"
    )
    settings_update_tabs(actor=actor, owner=company, tabs=settings)
    return company
