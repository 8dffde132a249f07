"""Administrators: Add Administrator, their Rights, and a password reset link for one.

Every service that acts on an existing administrator goes through
``accounts.access.may_manage_administrator`` (here through ``require_manage_person``): only
administrators whose rights and scope are inside the actor's.
"""

from __future__ import annotations

from django.db import transaction

from faxline.accounts.access import Actor, may_add_at
from faxline.accounts.choices import Role
from faxline.accounts.models import (
    Company,
    Department,
    User,
)
from faxline.accounts.passwords import password_reset_link_request
from faxline.accounts.rights import ALL_RIGHTS, held_rights, normalize_rights
from faxline.accounts.services.people import (
    CreatedAccount,
    new_person,
    require_manage_person,
    save_new_account,
)
from faxline.accounts.validation import (
    clean_text,
)
from faxline.core.audit import audit_record
from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


def _grantable(
    actor: Actor, rights: list[str], *, read_only: bool, held: list[str] | None = None
) -> list[str]:
    """The rights asked for, refusing any the actor does not hold. ``held`` are the rights
    the administrator holds now (``held_rights``: a read-only one's inert change rights are
    not among them); the administrator rule lets the actor act only when they hold those
    too, so this is a second line. A read-only administrator gets the view rights among
    the rights asked for only: the others are cleared."""
    try:
        cleaned = held_rights(normalize_rights(rights), read_only=read_only)
    except ValueError as exc:
        raise ValidationFailed(str(exc).capitalize() + ".", field="rights") from exc
    beyond = sorted(set(cleaned) - actor.rights - set(held or ()))
    if beyond:
        raise Forbidden(
            "You cannot grant rights you do not hold: " + ", ".join(beyond) + ".",
            field="rights",
            code="rights_escalation",
        )
    return cleaned


def administrator_create(
    *,
    actor: Actor,
    company: Company,
    department: Department | None,
    first_name: str,
    last_name: str,
    email: str,
    username: str | None = None,
    use_email_as_username: bool = False,
    password: str | None = None,
    generate_password: bool = False,
    time_zone: str = "America/New_York",
    language: str = "en",
    rights: list[str] | None = None,
    read_only: bool = False,
    phone: str = "",
) -> CreatedAccount:
    """Add an administrator at company level (``department`` None) or department level.

    ``rights`` default to all the actor holds; a read-only administrator keeps only the view
    rights among them (see ``faxline.accounts.rights``)."""
    may_add_at(actor, company, department, right="administrators.manage").check()
    from faxline.accounts.preferences import time_zones

    if time_zone not in time_zones():
        raise ValidationFailed("time_zone is not a known time zone.", field="time_zone")
    granted = _grantable(
        actor, list(ALL_RIGHTS) if rights is None else rights, read_only=bool(read_only)
    )
    person = new_person(
        first_name=first_name,
        last_name=last_name,
        email=email,
        username=username,
        use_email_as_username=use_email_as_username,
        password=password,
        generate_password=generate_password,
        company=company,
        department=department,
    )
    with transaction.atomic():
        admin = User(
            **person.identity(),
            role=Role.ADMINISTRATOR,
            company=company,
            department=department,
            rights=granted,
            read_only=bool(read_only),
            time_zone=time_zone,
            language=clean_text(language, field="language", max_length=10, required=True),
            phone=clean_text(phone, field="phone", max_length=30),
        )
        created = save_new_account(admin, person)
        audit_record(
            kind="administrator.created",
            actor=actor.user,
            company=company,
            target=admin,
            ip_address=actor.ip_address,
            detail={
                "rights": granted,
                "read_only": admin.read_only,
                "department_id": department.pk if department else None,
            },
        )
    return created


@transaction.atomic
def administrator_set_rights(
    *, actor: Actor, admin: User, rights: list[str], read_only: bool
) -> User:
    """Save the Rights tab: the rights ticked and the Read-Only Administrator box.

    With Read-Only ticked, the rights that change something are cleared whatever was asked
    for; the view rights asked for are kept."""
    if admin.role != Role.ADMINISTRATOR:
        raise NotFound("Administrator not found.", field="user_id")
    require_manage_person(actor, admin)
    held = held_rights(admin.rights, read_only=admin.read_only)
    granted = _grantable(actor, rights, read_only=bool(read_only), held=held)
    before = {"rights": list(admin.rights), "read_only": admin.read_only}
    admin.rights = granted
    admin.read_only = bool(read_only)
    admin.save(update_fields=["rights", "read_only"])
    audit_record(
        kind="administrator.rights_changed",
        actor=actor.user,
        company=admin.company,
        target=admin,
        ip_address=actor.ip_address,
        detail={"before": before, "after": {"rights": granted, "read_only": admin.read_only}},
    )
    return admin


def administrator_password_reset(*, actor: Actor, admin: User) -> None:
    """Send an administrator a one-time link to choose a new password.

    No administrator types another administrator's password: one who could would know it
    and could sign in as them. The link goes to the administrator's own email address
    through the Forgot Password flow (issued by the task worker after commit, valid one
    hour, throttled as Forgot Password is); their password stays until they use it.
    """
    if admin.role != Role.ADMINISTRATOR:
        raise NotFound("Administrator not found.", field="user_id")
    require_manage_person(actor, admin)
    if admin.is_locked:
        raise Conflict(
            f"{admin} is locked: unlock the account before sending a password reset link.",
            code="account_locked",
        )
    if not admin.email:
        raise Conflict(f"{admin} has no email address to send the link to.", code="no_email")
    with transaction.atomic():
        audit_record(
            kind="password.reset_link_sent_by_admin",
            actor=actor.user,
            company=admin.company,
            target=admin,
            ip_address=actor.ip_address,
        )
        password_reset_link_request(user=admin, ip_address=actor.ip_address)
