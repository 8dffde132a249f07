"""Departments: Add Department, rename, delete (the tree of a company)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from faxline.accounts.access import Actor, may_add_at
from faxline.accounts.choices import Role
from faxline.accounts.models import (
    Company,
    Department,
    User,
)
from faxline.accounts.preferences import complete
from faxline.accounts.services.settings import settings_update_tabs
from faxline.accounts.validation import (
    clean_text,
)
from faxline.core.audit import audit_record
from faxline.core.errors import Conflict, Forbidden, ValidationFailed
from faxline.core.vault import vault_delete


@transaction.atomic
def department_create(
    *,
    actor: Actor,
    company: Company,
    parent: Department | None,
    name: str,
    settings: dict[str, dict[str, Any]] | None = None,
) -> Department:
    """Add a department under the company or under ``parent``; it copies the parent's
    current settings (later changes of the parent do not flow down).

    ``settings`` changes tabs of the copy at once (Add Department's Fax, Coverpage,
    Notifications and Date steps, or the API): each tab that differs from the copy is saved
    as ``settings_update`` saves it (with its right and audit event), all in one
    transaction with the department.
    """
    may_add_at(actor, company, parent, right="departments.manage", field="parent_id").check()
    name = clean_text(name, field="name", max_length=100, required=True)
    siblings = Department.objects.filter(company=company, parent=parent, name__iexact=name)
    if siblings.exists():
        raise ValidationFailed(f"A department named {name!r} already exists here.", field="name")
    source = parent.settings if parent is not None else company.settings
    department = Department.objects.create(
        company=company,
        parent=parent,
        name=name,
        path="",
        depth=(parent.depth + 1) if parent is not None else 0,
        settings=complete(source),
    )
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    department.save(update_fields=["path"])
    audit_record(
        kind="department.created",
        actor=actor.user,
        company=company,
        target=department,
        ip_address=actor.ip_address,
        detail={"parent_id": parent.pk if parent else None},
    )
    settings_update_tabs(actor=actor, owner=department, tabs=settings, only_changed=True)
    return department


@transaction.atomic
def department_update(*, actor: Actor, department: Department, name: str) -> Department:
    """Rename a department."""
    actor.require("departments.manage")
    name = clean_text(name, field="name", max_length=100, required=True)
    clash = Department.objects.filter(
        company=department.company, parent=department.parent, name__iexact=name
    ).exclude(pk=department.pk)
    if clash.exists():
        raise ValidationFailed(f"A department named {name!r} already exists here.", field="name")
    old = department.name
    department.name = name
    department.save(update_fields=["name"])
    audit_record(
        kind="department.updated",
        actor=actor.user,
        company=department.company,
        target=department,
        ip_address=actor.ip_address,
        detail={"name": [old, name]},
    )
    return department


def _delete_files(names: list[str]) -> None:
    for name in names:
        vault_delete(name)


@transaction.atomic
def department_delete(*, actor: Actor, department: Department) -> None:
    """Delete an empty department. Refused while it has active users, administrators or
    sub-departments (the guide: delete or move them first)."""
    actor.require("departments.manage")
    if actor.scope_department is not None and actor.scope_department.pk == department.pk:
        raise Forbidden("You cannot delete the department you administer.")
    users = User.objects.filter(department=department, deleted_at__isnull=True)
    active = users.filter(role=Role.FAX_USER).count()
    if active:
        raise Conflict(
            f"{department.name} has {active} active user{'s' if active != 1 else ''}: delete "
            "or move them before deleting the department.",
            code="department_has_users",
        )
    if users.filter(role=Role.ADMINISTRATOR).exists():
        raise Conflict(
            f"{department.name} has administrators: delete them or move them first.",
            code="department_has_administrators",
        )
    if department.children.exists():
        raise Conflict(
            f"{department.name} has sub-departments: delete them first.",
            code="department_has_subdepartments",
        )
    # Users deleted earlier keep their history but let go of the department.
    User.objects.filter(department=department).update(department=None)
    # Its cover pages go with it (rows by cascade); their files once that is committed.
    stored = list(department.cover_pages.values_list("vault_name", flat=True))
    if stored:
        transaction.on_commit(lambda: _delete_files(stored))
    audit_record(
        kind="department.deleted",
        actor=actor.user,
        company=department.company,
        target=department,
        ip_address=actor.ip_address,
    )
    department.delete()
