"""REST API of the accounts domain: companies, departments, users, administrators and
rights, settings, security policy, the audit trail and API keys.

Handlers only translate HTTP to the services and selectors and back; every rule lives
there. Scope: another company's (or another subtree's) object is 404; a missing right or a
read-only administrator is 403; bad input 422 naming the field; a state conflict 409.

Authentication (and the refusal of accounts that must change their password first) is
``faxline.accounts.api_auth``, shared by every router.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Body, File, Form, Query, Router, Status, UploadedFile
from pydantic import BaseModel

from faxline.accounts import bulk, schemas, selectors
from faxline.accounts.access import Actor
from faxline.accounts.api_auth import ANY_PASSWORD_STATE, actor_of, authenticated_by_session
from faxline.accounts.choices import Role
from faxline.accounts.fax_numbers import user_numbers
from faxline.accounts.models import BulkCreateJob, Company, Department, SecurityPolicy, User
from faxline.accounts.passwords import RESET_LINK_LIFETIME
from faxline.accounts.policy import POLICY_FIELDS
from faxline.accounts.rights import READ_RIGHTS, RIGHT_GROUPS, held_rights
from faxline.accounts.services import administrators as administrator_services
from faxline.accounts.services import api_keys as api_key_services
from faxline.accounts.services import companies as company_services
from faxline.accounts.services import departments as department_services
from faxline.accounts.services import passwords as password_services
from faxline.accounts.services import security as security_services
from faxline.accounts.services import settings as settings_services
from faxline.accounts.services import users as user_services
from faxline.accounts.services import welcome as welcome_services
from faxline.core.errors import NotFound, ValidationFailed
from faxline.core.pagination import paginate

DEFAULT_LIMIT = 50


router = Router()


# --- helpers: HTTP to domain ----------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    return actor_of(request)


def _errors(*codes: int) -> dict[int, type[schemas.Error]]:
    """Documented error responses (the bodies come from ``faxline.api``'s handlers)."""
    return dict.fromkeys((401, *codes), schemas.Error)


def _page(queryset: Any, limit: int, offset: int) -> tuple[list[Any], int]:
    return paginate(queryset, limit=limit, offset=offset)


def _company_filter(actor: Actor, company_id: int | None) -> Company | None:
    """The company a list is about: the one asked for, else the caller's own (none for
    operators and partners without one: everything they may see)."""
    if company_id is not None:
        return selectors.company_get(actor=actor, company_id=company_id)
    if actor.user.company_id is not None:
        return selectors.actor_company(actor=actor)
    return None


def _company_for_create(
    actor: Actor, company_id: int | None, department: Department | None = None
) -> Company:
    """The company a new object goes into: the one asked for, else the department's, else
    the caller's own."""
    if company_id is not None:
        return selectors.company_get(actor=actor, company_id=company_id)
    if department is not None:
        return department.company
    if actor.user.company_id is None:
        raise ValidationFailed("company_id is required.", field="company_id")
    return selectors.actor_company(actor=actor)


def _department(actor: Actor, department_id: int | None, *, field: str) -> Department | None:
    if department_id is None:
        return None
    try:
        return selectors.department_get(actor=actor, department_id=department_id)
    except NotFound as exc:
        raise NotFound(exc.message, field=field) from exc


def _department_out(department: Department, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": department.pk,
        "name": department.name,
        "full_name": names.get(department.pk, department.name),
        "company_id": department.company_id,
        "parent_id": department.parent_id,
        "depth": department.depth,
        "created_at": department.created_at,
    }


def _departments_out(departments: list[Department]) -> list[dict[str, Any]]:
    names = selectors.department_full_names(departments)
    return [_department_out(d, names) for d in departments]


def _person_out(
    user: User,
    names: dict[int, str],
    schema: type[BaseModel],
    numbers: dict[int, list[str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A user or administrator as ``schema`` shows them."""
    computed = {
        "department_name": names.get(user.department_id) if user.department_id else None,
        "fax_numbers": (numbers or {}).get(user.pk, []),
        "locked_out": bool(user.locked_out_until and user.locked_out_until > timezone.now()),
        "rights": held_rights(user.rights, read_only=user.read_only),
        **extra,
    }
    return {
        name: computed[name] if name in computed else getattr(user, name)
        for name in schema.model_fields
    }


def _people_out(users: list[User], schema: type[BaseModel]) -> list[dict[str, Any]]:
    names = selectors.department_full_names([u.department for u in users if u.department])
    numbers = user_numbers().of_users([u.pk for u in users])
    return [_person_out(u, names, schema, numbers) for u in users]


def _one_person(user: User, schema: type[BaseModel], **extra: Any) -> dict[str, Any]:
    names = selectors.department_full_names([user.department] if user.department else [])
    return _person_out(user, names, schema, user_numbers().of_users([user.pk]), **extra)


def _contact(payload: schemas.ContactInput) -> dict[str, Any]:
    fields = schemas.ContactInput.model_fields
    return {k: v for k, v in payload.model_dump(include=set(fields)).items() if v is not None}


def _policy_out(policy: SecurityPolicy, customized: bool) -> dict[str, Any]:
    if policy.department_id is not None:
        source = "department"
    elif policy.company_id is not None:
        source = "company"
    else:
        source = "global"
    return {
        **{name: getattr(policy, name) for name in POLICY_FIELDS},
        "customized": customized,
        "source": source,
        "company_id": policy.company_id,
        "department_id": policy.department_id,
        "updated_at": policy.updated_at,
    }


LIMIT = Query(DEFAULT_LIMIT, description="Page size (1 to 500).")
OFFSET = Query(0, description="Items to skip.")


# --- me -------------------------------------------------------------------------------


@router.get(
    "/me",
    response={200: schemas.Me, **_errors()},
    auth=ANY_PASSWORD_STATE,
    tags=["Me"],
    summary="Who am I",
)
def me(request: HttpRequest) -> dict[str, Any]:
    """The person the API key (or session) acts for: role, company, department, rights.

    The one call that still works when the password must be changed first."""
    actor = _actor(request)
    user = actor.user
    names = selectors.department_full_names([user.department] if user.department else [])
    return {
        "id": user.pk,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "company_id": user.company_id,
        "company_name": user.company.name if user.company else None,
        "department_id": user.department_id,
        "department_name": names.get(user.department_id) if user.department_id else None,
        "rights": sorted(actor.rights),
        "read_only": user.read_only,
        "password_change_required": selectors.password_change_due(user),
    }


# --- companies ------------------------------------------------------------------------


@router.get(
    "/companies",
    response={200: schemas.CompanyPage, **_errors(422)},
    tags=["Companies"],
    summary="List companies",
)
def company_list(request: HttpRequest, limit: int = LIMIT, offset: int = OFFSET) -> Any:
    """Operators see every company, channel partners their clients, everyone else their
    own company."""
    items, count = _page(selectors.company_list(actor=_actor(request)), limit, offset)
    return {"items": items, "count": count}


@router.post(
    "/companies",
    response={201: schemas.CompanyOut, **_errors(403, 404, 422)},
    tags=["Companies"],
    summary="Add company",
)
def company_create(request: HttpRequest, payload: schemas.CompanyCreate) -> Any:
    """Create a client company (operators; a channel partner's go to that partner)."""
    actor = _actor(request)
    partner = None
    if payload.channel_partner_id is not None:
        partner = selectors.channel_partner_get(
            actor=actor, channel_partner_id=payload.channel_partner_id
        )
    company = company_services.company_create(
        actor=actor, name=payload.name, channel_partner=partner, domain=payload.domain
    )
    return Status(201, company)


@router.get(
    "/companies/{company_id}",
    response={200: schemas.CompanyOut, **_errors(404)},
    tags=["Companies"],
    summary="Company Details",
)
def company_get(request: HttpRequest, company_id: int) -> Company:
    """One company you may see."""
    return selectors.company_get(actor=_actor(request), company_id=company_id)


@router.patch(
    "/companies/{company_id}",
    response={200: schemas.CompanyOut, **_errors(403, 404, 422)},
    tags=["Companies"],
    summary="Change Company Details",
)
def company_update(request: HttpRequest, company_id: int, payload: schemas.CompanyUpdate) -> Any:
    """Rename the company or change its domain (company-level administrators), and with
    ``settings`` change settings tabs in the same transaction."""
    actor = _actor(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    changes = payload.model_dump(exclude_unset=True)
    return company_services.company_update(
        actor=actor,
        company=company,
        name=changes.get("name"),
        domain=changes.get("domain"),
        settings=changes.get("settings"),
    )


# --- departments ----------------------------------------------------------------------


@router.get(
    "/departments",
    response={200: schemas.DepartmentPage, **_errors(404, 422)},
    tags=["Departments"],
    summary="List departments",
)
def department_list(
    request: HttpRequest,
    company_id: int | None = Query(None, description="Default: your company."),
    parent_id: int | None = Query(None, description="Only the direct children of this one."),
    search: str = Query("", description="Part of the department's name."),
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """The departments you may see (a department administrator: their subtree)."""
    actor = _actor(request)
    qs = selectors.department_search(
        actor=actor,
        company=_company_filter(actor, company_id),
        parent=_department(actor, parent_id, field="parent_id"),
        search=search,
    )
    items, count = _page(qs, limit, offset)
    return {"items": _departments_out(items), "count": count}


@router.post(
    "/departments",
    response={201: schemas.DepartmentOut, **_errors(403, 404, 422)},
    tags=["Departments"],
    summary="Add Department",
)
def department_create(request: HttpRequest, payload: schemas.DepartmentCreate) -> Any:
    """Add a department at company level (``parent_id`` null) or under ``parent_id``.

    It starts with a copy of its parent's settings; ``settings`` changes tabs of it at once
    (as the portal's Add Department does)."""
    actor = _actor(request)
    parent = _department(actor, payload.parent_id, field="parent_id")
    company = _company_for_create(actor, payload.company_id, parent)
    department = department_services.department_create(
        actor=actor,
        company=company,
        parent=parent,
        name=payload.name,
        settings=payload.settings,
    )
    return Status(201, _departments_out([department])[0])


@router.get(
    "/departments/{department_id}",
    response={200: schemas.DepartmentOut, **_errors(404)},
    tags=["Departments"],
    summary="Department Details",
)
def department_get(request: HttpRequest, department_id: int) -> Any:
    """One department you may see."""
    department = selectors.department_get(actor=_actor(request), department_id=department_id)
    return _departments_out([department])[0]


@router.patch(
    "/departments/{department_id}",
    response={200: schemas.DepartmentOut, **_errors(403, 404, 422)},
    tags=["Departments"],
    summary="Rename department",
)
def department_update(
    request: HttpRequest, department_id: int, payload: schemas.DepartmentUpdate
) -> Any:
    """Change the department's name (unique among its siblings)."""
    actor = _actor(request)
    department = selectors.department_get(actor=actor, department_id=department_id)
    department = department_services.department_update(
        actor=actor, department=department, name=payload.name
    )
    return _departments_out([department])[0]


@router.delete(
    "/departments/{department_id}",
    response={204: None, **_errors(403, 404, 409)},
    tags=["Departments"],
    summary="Delete department",
)
def department_delete(request: HttpRequest, department_id: int) -> Any:
    """Delete an empty department; refused (409) while it has users, administrators or
    sub-departments."""
    actor = _actor(request)
    department = selectors.department_get(actor=actor, department_id=department_id)
    department_services.department_delete(actor=actor, department=department)
    return Status(204, None)


# --- users ----------------------------------------------------------------------------


@router.get(
    "/users",
    response={200: schemas.UserPage, **_errors(404, 422)},
    tags=["Users"],
    summary="List user accounts",
)
def user_list(
    request: HttpRequest,
    company_id: int | None = Query(None, description="Default: your company."),
    department_id: int | None = Query(None, description="This department and below."),
    search: str = Query("", description="Part of the username, name or email."),
    locked: bool | None = Query(None, description="Only locked (or unlocked) users."),
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """The fax user accounts you may see."""
    actor = _actor(request)
    qs = selectors.user_list(
        actor=actor,
        company=_company_filter(actor, company_id),
        department=_department(actor, department_id, field="department_id"),
        role=Role.FAX_USER,
        search=search,
        locked=locked,
    )
    items, count = _page(qs, limit, offset)
    return {"items": _people_out(items, schemas.UserOut), "count": count}


@router.post(
    "/users",
    response={201: schemas.UserCreated, **_errors(403, 404, 422)},
    tags=["Users"],
    summary="Add User Account",
)
def user_create(request: HttpRequest, payload: schemas.UserCreate) -> Any:
    """Add a fax user account. Send ``password`` or ``generate_password: true``; a
    generated password is returned once, as ``generated_password``."""
    actor = _actor(request)
    department = _department(actor, payload.department_id, field="department_id")
    company = _company_for_create(actor, payload.company_id, department)
    created = user_services.user_create(
        actor=actor,
        company=company,
        department=department,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        username=payload.username,
        use_email_as_username=payload.use_email_as_username,
        password=payload.password,
        generate_password=payload.generate_password,
        contact=_contact(payload),
        sending_email=payload.sending_email,
        receiving_emails=payload.receiving_emails,
        settings=payload.settings,
        fax_number=payload.fax_number,
    )
    return Status(
        201,
        _one_person(
            created.user, schemas.UserCreated, generated_password=created.generated_password
        ),
    )


def _bulk_job(actor: Actor, job: BulkCreateJob) -> dict[str, Any]:
    report = bulk.bulk_create_report(actor=actor, job=job)
    return {
        "id": job.pk,
        "status": job.status,
        "company_id": job.company_id,
        "default_department_id": job.default_department_id,
        "file_name": job.file_name,
        "welcome_message": job.welcome_message,
        "total": job.total,
        "processed": job.processed,
        "created": job.created_count,
        "refused": job.refused_count,
        "created_by": job.created_by.username,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "rows": report.rows,
    }


@router.post(
    "/users/bulk",
    response={202: schemas.BulkJobOut, **_errors(403, 404, 422)},
    tags=["Users"],
    summary="Bulk Create user accounts",
)
def user_bulk_create(
    request: HttpRequest,
    file: File[UploadedFile | None] = None,
    department_id: Form[int | None] = None,
    company_id: Form[int | None] = None,
    password_links: Form[bool] = False,
    welcome_message: Form[str | None] = None,
) -> Any:
    """Create user accounts from a CSV file (UTF-8, at most 1 MiB and 1000 rows), in the
    background.

    Columns: first_name, last_name, email (required); username, use_email_as_username,
    department (name or full path, e.g. ``Billing Dept -> Billing Level 1``), password
    (blank: generated), sending_email, receiving_emails (separated by ``;``, at most 3),
    phone, custom1..custom4. Rows without a department go to ``department_id`` (else the
    company level). Rows without a password get a generated one, or with
    ``password_links=true`` an email with a link to choose one. ``welcome_message``
    (``none``, ``welcome``, ``with_credentials``; omitted: the company's Notifications tab's
    choice) is emailed to every account created; with credentials it carries the link to
    choose a password (never the password).

    A file that is wrong as a whole is refused at once (422 naming ``file``). Otherwise
    answers 202 with the queued job; the task worker then creates or refuses each row on its
    own (a refused row creates nothing). Follow the job with ``GET /users/bulk/{id}`` until
    its status is ``done``; that report carries the generated passwords, once."""
    actor = _actor(request)
    if file is None:  # checked here so that the error names "file" (not "file.file")
        raise ValidationFailed("Upload the CSV file as the form field 'file'.", field="file")
    department = _department(actor, department_id, field="department_id")
    company = _company_for_create(actor, company_id, department)
    data = file.read(bulk.MAX_BYTES + 1)
    job = bulk.bulk_create_submit(
        actor=actor,
        company=company,
        data=data,
        default_department=department,
        file_name=file.name or "",
        password_links=password_links,
        welcome_message=welcome_message,
    )
    return Status(202, _bulk_job(actor, job))


@router.get(
    "/users/bulk/{job_id}",
    response={200: schemas.BulkJobOut, **_errors(404)},
    tags=["Users"],
    summary="Bulk Create progress and report",
)
def user_bulk_get(request: HttpRequest, job_id: int) -> Any:
    """A Bulk Create job: its status, how many rows are processed, created and refused,
    and every processed row. Visible to whoever uploaded it and to administrators of the
    whole company. Generated passwords appear once, to the uploader, in the first report
    after the job is ``done``."""
    actor = _actor(request)
    return _bulk_job(actor, bulk.bulk_create_get(actor=actor, job_id=job_id))


@router.get(
    "/users/{user_id}",
    response={200: schemas.UserOut, **_errors(404)},
    tags=["Users"],
    summary="User Details",
)
def user_get(request: HttpRequest, user_id: int) -> Any:
    """One fax user account you may see (a fax user: only their own)."""
    user = selectors.user_get(actor=_actor(request), user_id=user_id, role=Role.FAX_USER)
    return _one_person(user, schemas.UserOut)


@router.patch(
    "/users/{user_id}",
    response={200: schemas.UserOut, **_errors(403, 404, 422)},
    tags=["Users"],
    summary="Change User Details",
)
def user_update(request: HttpRequest, user_id: int, payload: schemas.UserUpdate) -> Any:
    """Change names, email, fax addresses, contact details or custom fields; with
    ``department_id``, move the user to that department (null: company level); with
    ``settings``, change settings tabs in the same transaction."""
    actor = _actor(request)
    user = selectors.user_get(actor=actor, user_id=user_id, role=Role.FAX_USER)
    changes = payload.model_dump(exclude_unset=True)
    settings = changes.pop("settings", None)
    user = user_services.user_update(actor=actor, user=user, changes=changes, settings=settings)
    return _one_person(user, schemas.UserOut)


@router.delete(
    "/users/{user_id}",
    response={204: None, **_errors(403, 404)},
    tags=["Users"],
    summary="Delete User Account",
)
def user_delete(request: HttpRequest, user_id: int) -> Any:
    """Delete the account; its history keeps its author, its username becomes free."""
    actor = _actor(request)
    user = selectors.user_get(actor=actor, user_id=user_id, role=Role.FAX_USER)
    user_services.user_delete(actor=actor, user=user)
    return Status(204, None)


@router.post(
    "/users/{user_id}/lock",
    response={200: schemas.UserOut, **_errors(403, 404, 409)},
    tags=["Users"],
    summary="Lock User",
)
def user_lock(request: HttpRequest, user_id: int) -> Any:
    """Suspend the account (sign-in, sending and receiving) until it is unlocked."""
    actor = _actor(request)
    user = selectors.user_get(actor=actor, user_id=user_id, role=Role.FAX_USER)
    return _one_person(user_services.user_lock(actor=actor, user=user), schemas.UserOut)


@router.post(
    "/users/{user_id}/unlock",
    response={200: schemas.UserOut, **_errors(403, 404, 409)},
    tags=["Users"],
    summary="Unlock User Account",
)
def user_unlock(request: HttpRequest, user_id: int) -> Any:
    """Lift a lock, and a temporary lock-out after failed sign-ins."""
    actor = _actor(request)
    user = selectors.user_get(actor=actor, user_id=user_id, role=Role.FAX_USER)
    return _one_person(user_services.user_unlock(actor=actor, user=user), schemas.UserOut)


@router.post(
    "/users/{user_id}/password",
    response={200: schemas.PasswordSetResult, **_errors(403, 404, 422)},
    tags=["Users"],
    summary="Set a user's password",
)
def user_password_set(request: HttpRequest, user_id: int, payload: schemas.PasswordSet) -> Any:
    """Set the password (checked against the policy) or generate one, returned once.

    When the policy forces it, the user must change it at the next sign-in."""
    actor = _actor(request)
    user = selectors.user_get(actor=actor, user_id=user_id, role=Role.FAX_USER)
    new = password_services.password_set_by_admin(
        actor=actor, user=user, password=payload.password, generate=payload.generate
    )
    return {
        "password_set": True,
        "generated_password": new if payload.generate else None,
        "must_change_password": user.must_change_password,
    }


@router.post(
    "/users/{user_id}/welcome",
    response={202: schemas.WelcomeSentOut, **_errors(403, 404, 409, 422)},
    tags=["Users"],
    summary="Send Welcome Message",
)
def user_welcome_send(request: HttpRequest, user_id: int, payload: schemas.WelcomeSend) -> Any:
    """Email the user a welcome message (``welcome``) or one with a one-time link to choose
    a password (``with_credentials``; never the password itself). It is written to the
    notification log and sent by the task worker (202). Refused for a locked account or
    one without an email address (409)."""
    actor = _actor(request)
    user = selectors.user_get(actor=actor, user_id=user_id, role=Role.FAX_USER)
    sent = welcome_services.user_send_welcome(actor=actor, user=user, kind=payload.kind)
    return Status(
        202,
        {"email": sent.email, "kind": sent.kind, "link_expires_in_days": sent.link_expires_in_days},
    )


# --- administrators -------------------------------------------------------------------


@router.get(
    "/administrators",
    response={200: schemas.AdministratorPage, **_errors(404, 422)},
    tags=["Administrators"],
    summary="List administrators",
)
def administrator_list(
    request: HttpRequest,
    company_id: int | None = Query(None, description="Default: your company."),
    department_id: int | None = Query(None, description="This department and below."),
    search: str = Query("", description="Part of the username, name or email."),
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """The administrators you may see (yourself included)."""
    actor = _actor(request)
    qs = selectors.user_list(
        actor=actor,
        company=_company_filter(actor, company_id),
        department=_department(actor, department_id, field="department_id"),
        role=Role.ADMINISTRATOR,
        search=search,
    )
    items, count = _page(qs, limit, offset)
    return {"items": _people_out(items, schemas.AdministratorOut), "count": count}


@router.post(
    "/administrators",
    response={201: schemas.AdministratorCreated, **_errors(403, 404, 422)},
    tags=["Administrators"],
    summary="Add Administrator",
)
def administrator_create(request: HttpRequest, payload: schemas.AdministratorCreate) -> Any:
    """Add an administrator of the company (``department_id`` null) or of a department.

    You cannot grant rights you do not hold (403 ``rights_escalation``)."""
    actor = _actor(request)
    department = _department(actor, payload.department_id, field="department_id")
    company = _company_for_create(actor, payload.company_id, department)
    created = administrator_services.administrator_create(
        actor=actor,
        company=company,
        department=department,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        username=payload.username,
        use_email_as_username=payload.use_email_as_username,
        password=payload.password,
        generate_password=payload.generate_password,
        time_zone=payload.time_zone,
        language=payload.language,
        rights=payload.rights,
        read_only=payload.read_only,
        phone=payload.phone,
    )
    return Status(
        201,
        _one_person(
            created.user,
            schemas.AdministratorCreated,
            generated_password=created.generated_password,
        ),
    )


def _administrator(actor: Actor, admin_id: int) -> User:
    return selectors.user_get(actor=actor, user_id=admin_id, role=Role.ADMINISTRATOR)


@router.get(
    "/administrators/{admin_id}",
    response={200: schemas.AdministratorOut, **_errors(404)},
    tags=["Administrators"],
    summary="Administrator Details",
)
def administrator_get(request: HttpRequest, admin_id: int) -> Any:
    """One administrator you may see."""
    return _one_person(_administrator(_actor(request), admin_id), schemas.AdministratorOut)


@router.patch(
    "/administrators/{admin_id}",
    response={200: schemas.AdministratorOut, **_errors(403, 404, 422)},
    tags=["Administrators"],
    summary="Change Administrator Details",
)
def administrator_update(
    request: HttpRequest, admin_id: int, payload: schemas.AdministratorUpdate
) -> Any:
    """Change names, email, phone, time zone or language (not your own account)."""
    actor = _actor(request)
    admin = user_services.user_update(
        actor=actor,
        user=_administrator(actor, admin_id),
        changes=payload.model_dump(exclude_unset=True),
    )
    return _one_person(admin, schemas.AdministratorOut)


@router.delete(
    "/administrators/{admin_id}",
    response={204: None, **_errors(403, 404)},
    tags=["Administrators"],
    summary="Delete administrator",
)
def administrator_delete(request: HttpRequest, admin_id: int) -> Any:
    """Delete an administrator account (not your own)."""
    actor = _actor(request)
    user_services.user_delete(actor=actor, user=_administrator(actor, admin_id))
    return Status(204, None)


@router.post(
    "/administrators/{admin_id}/password-reset",
    response={202: schemas.PasswordResetSent, **_errors(403, 404, 409)},
    tags=["Administrators"],
    summary="Send a password reset link",
)
def administrator_password_reset(request: HttpRequest, admin_id: int) -> Any:
    """Email the administrator a one-time link to choose a new password (valid one hour).
    Nobody sets another administrator's password; this is how it is reset. Only for
    administrators whose rights and scope are within yours (403 ``administrator_outranks``);
    a locked account is 409 ``account_locked``."""
    actor = _actor(request)
    admin = _administrator(actor, admin_id)
    administrator_services.administrator_password_reset(actor=actor, admin=admin)
    minutes = int(RESET_LINK_LIFETIME.total_seconds() // 60)
    return Status(202, {"email": admin.email, "expires_in_minutes": minutes})


@router.get(
    "/administrators/{admin_id}/rights",
    response={200: schemas.Rights, **_errors(404)},
    tags=["Administrators"],
    summary="Administrator Rights",
)
def administrator_rights_get(request: HttpRequest, admin_id: int) -> Any:
    """The rights ticked and the Read-Only Administrator box."""
    admin = _administrator(_actor(request), admin_id)
    return {
        "rights": held_rights(admin.rights, read_only=admin.read_only),
        "read_only": admin.read_only,
    }


@router.put(
    "/administrators/{admin_id}/rights",
    response={200: schemas.Rights, **_errors(403, 404, 422)},
    tags=["Administrators"],
    summary="Save Administrator Rights",
)
def administrator_rights_set(
    request: HttpRequest, admin_id: int, payload: schemas.RightsUpdate
) -> Any:
    """Replace the administrator's rights. You cannot grant rights you do not hold
    (403 ``rights_escalation``) nor change your own. With ``read_only`` true, the rights
    that change something are cleared: the answer lists the view rights kept."""
    actor = _actor(request)
    admin = administrator_services.administrator_set_rights(
        actor=actor,
        admin=_administrator(actor, admin_id),
        rights=payload.rights,
        read_only=payload.read_only,
    )
    return {"rights": sorted(admin.rights), "read_only": admin.read_only}


@router.get(
    "/rights",
    response={200: schemas.RightsCatalogue, **_errors()},
    tags=["Administrators"],
    summary="Rights catalogue",
)
def rights_catalogue(request: HttpRequest) -> Any:
    """Every right an administrator can hold, grouped as the Rights tab shows them."""
    _actor(request)
    return {
        "groups": [
            {
                "code": group.code,
                "label": group.label,
                "rights": [
                    {"code": r.code, "label": r.label, "view": r.code in READ_RIGHTS}
                    for r in group.rights
                ],
            }
            for group in RIGHT_GROUPS
        ]
    }


# --- settings -------------------------------------------------------------------------


SETTINGS_BODY = Body(
    ...,
    description="The tab's fields to change; absent ones stay. On the archive tab send "
    "`ftp_password` to set it (it is stored encrypted and never returned) or null to clear.",
    examples=[{"inbound_file_type": "TIF"}],
)


@router.get(
    "/companies/{company_id}/settings",
    response={200: schemas.LevelSettingsOut, **_errors(404)},
    tags=["Settings"],
    summary="Company settings",
)
def company_settings(request: HttpRequest, company_id: int) -> Any:
    """Every settings tab of the company (no secrets: only whether they are set)."""
    company = selectors.company_get(actor=_actor(request), company_id=company_id)
    return selectors.settings_of(company)


# The push routes come before the ``{tab}`` ones: Django tries URL patterns in order, and
# ``settings/push`` also matches ``settings/{tab}`` (which only allows PATCH).
@router.post(
    "/companies/{company_id}/settings/push",
    response={200: schemas.SettingsPushResult, **_errors(403, 404, 422)},
    tags=["Settings"],
    summary="Push company settings down",
)
def company_settings_push(
    request: HttpRequest, company_id: int, payload: schemas.SettingsPush
) -> Any:
    """Copy these tabs onto every department and user of the company (operators)."""
    actor = _actor(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    return settings_services.settings_push_to_descendants(
        actor=actor, owner=company, tabs=[t.value for t in payload.tabs]
    )


@router.patch(
    "/companies/{company_id}/settings/{tab}",
    response={200: schemas.LevelSettingsOut, **_errors(403, 404, 422)},
    tags=["Settings"],
    summary="Change a company settings tab",
)
def company_settings_update(
    request: HttpRequest,
    company_id: int,
    tab: schemas.SettingsTab,
    values: dict[str, Any] = SETTINGS_BODY,
) -> Any:
    """Save one tab of the company's settings; answers with all of them."""
    actor = _actor(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    settings_services.settings_update(actor=actor, owner=company, tab=tab.value, values=values)
    return selectors.settings_of(company)


@router.get(
    "/departments/{department_id}/settings",
    response={200: schemas.LevelSettingsOut, **_errors(404)},
    tags=["Settings"],
    summary="Department settings",
)
def department_settings(request: HttpRequest, department_id: int) -> Any:
    """Every settings tab of the department (no secrets: only whether they are set)."""
    department = selectors.department_get(actor=_actor(request), department_id=department_id)
    return selectors.settings_of(department)


@router.post(
    "/departments/{department_id}/settings/push",
    response={200: schemas.SettingsPushResult, **_errors(403, 404, 422)},
    tags=["Settings"],
    summary="Push department settings down",
)
def department_settings_push(
    request: HttpRequest, department_id: int, payload: schemas.SettingsPush
) -> Any:
    """Copy these tabs onto every department and user below this one (operators)."""
    actor = _actor(request)
    department = selectors.department_get(actor=actor, department_id=department_id)
    return settings_services.settings_push_to_descendants(
        actor=actor, owner=department, tabs=[t.value for t in payload.tabs]
    )


@router.patch(
    "/departments/{department_id}/settings/{tab}",
    response={200: schemas.LevelSettingsOut, **_errors(403, 404, 422)},
    tags=["Settings"],
    summary="Change a department settings tab",
)
def department_settings_update(
    request: HttpRequest,
    department_id: int,
    tab: schemas.SettingsTab,
    values: dict[str, Any] = SETTINGS_BODY,
) -> Any:
    """Save one tab of the department's settings; answers with all of them. Departments
    and users below keep their own copies."""
    actor = _actor(request)
    department = selectors.department_get(actor=actor, department_id=department_id)
    settings_services.settings_update(actor=actor, owner=department, tab=tab.value, values=values)
    return selectors.settings_of(department)


@router.get(
    "/users/{user_id}/settings",
    response={200: schemas.UserSettingsOut, **_errors(404)},
    tags=["Settings"],
    summary="User settings",
)
def user_settings(request: HttpRequest, user_id: int) -> Any:
    """The fax user's settings tabs (fax, coverpage, notifications, custom)."""
    user = selectors.user_get(actor=_actor(request), user_id=user_id, role=Role.FAX_USER)
    return selectors.settings_of(user)


@router.patch(
    "/users/{user_id}/settings/{tab}",
    response={200: schemas.UserSettingsOut, **_errors(403, 404, 422)},
    tags=["Settings"],
    summary="Change a user settings tab",
)
def user_settings_update(
    request: HttpRequest,
    user_id: int,
    tab: schemas.UserSettingsTab,
    values: dict[str, Any] = SETTINGS_BODY,
) -> Any:
    """Save one tab of the fax user's settings; answers with all of them."""
    actor = _actor(request)
    user = selectors.user_get(actor=actor, user_id=user_id, role=Role.FAX_USER)
    settings_services.settings_update(actor=actor, owner=user, tab=tab.value, values=values)
    return selectors.settings_of(user)


# --- security policy ------------------------------------------------------------------


@router.get(
    "/security-policy/global",
    response={200: schemas.SecurityPolicyOut, **_errors(403)},
    tags=["Security policy"],
    summary="Global security policy",
)
def global_policy_get(request: HttpRequest) -> Any:
    """The platform-wide policy, in force wherever no level customized its own
    (operators)."""
    return _policy_out(selectors.policy_global(actor=_actor(request)), True)


@router.put(
    "/security-policy/global",
    response={200: schemas.SecurityPolicyOut, **_errors(403, 422)},
    tags=["Security policy"],
    summary="Change the global security policy",
)
def global_policy_save(request: HttpRequest, payload: schemas.SecurityPolicyUpdate) -> Any:
    """Change the platform-wide policy (operators); fields not sent stay."""
    policy = security_services.security_policy_save(
        actor=_actor(request),
        company=None,
        department=None,
        values=payload.model_dump(exclude_unset=True),
    )
    return _policy_out(policy, True)


@router.get(
    "/companies/{company_id}/security-policy",
    response={200: schemas.SecurityPolicyOut, **_errors(404)},
    tags=["Security policy"],
    summary="Company security policy",
)
def company_policy_get(request: HttpRequest, company_id: int) -> Any:
    """The policy in force at company level: its own if customized, else the global."""
    company = selectors.company_get(actor=_actor(request), company_id=company_id)
    return _policy_out(*selectors.policy_of(company=company, department=None))


@router.put(
    "/companies/{company_id}/security-policy",
    response={200: schemas.SecurityPolicyOut, **_errors(403, 404, 422)},
    tags=["Security policy"],
    summary="Customize the company security policy",
)
def company_policy_save(
    request: HttpRequest, company_id: int, payload: schemas.SecurityPolicyUpdate
) -> Any:
    """Customize the company's policy: it starts from the one in force and changes the
    fields sent. It applies to every department that does not customize its own."""
    actor = _actor(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    policy = security_services.security_policy_save(
        actor=actor, company=company, department=None, values=payload.model_dump(exclude_unset=True)
    )
    return _policy_out(policy, True)


@router.delete(
    "/companies/{company_id}/security-policy",
    response={204: None, **_errors(403, 404, 409)},
    tags=["Security policy"],
    summary="Use the inherited company policy",
)
def company_policy_reset(request: HttpRequest, company_id: int) -> Any:
    """Drop the company's customized policy; the global one applies again."""
    actor = _actor(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    security_services.security_policy_reset(actor=actor, company=company, department=None)
    return Status(204, None)


@router.get(
    "/departments/{department_id}/security-policy",
    response={200: schemas.SecurityPolicyOut, **_errors(404)},
    tags=["Security policy"],
    summary="Department security policy",
)
def department_policy_get(request: HttpRequest, department_id: int) -> Any:
    """The policy in force for the department: the nearest customized one up the tree."""
    department = selectors.department_get(actor=_actor(request), department_id=department_id)
    return _policy_out(*selectors.policy_of(company=department.company, department=department))


@router.put(
    "/departments/{department_id}/security-policy",
    response={200: schemas.SecurityPolicyOut, **_errors(403, 404, 422)},
    tags=["Security policy"],
    summary="Customize the department security policy",
)
def department_policy_save(
    request: HttpRequest, department_id: int, payload: schemas.SecurityPolicyUpdate
) -> Any:
    """Customize the department's policy (applies to its subtree unless a deeper
    department customizes again)."""
    actor = _actor(request)
    department = selectors.department_get(actor=actor, department_id=department_id)
    policy = security_services.security_policy_save(
        actor=actor,
        company=department.company,
        department=department,
        values=payload.model_dump(exclude_unset=True),
    )
    return _policy_out(policy, True)


@router.delete(
    "/departments/{department_id}/security-policy",
    response={204: None, **_errors(403, 404, 409)},
    tags=["Security policy"],
    summary="Use the inherited department policy",
)
def department_policy_reset(request: HttpRequest, department_id: int) -> Any:
    """Drop the department's customized policy; the one above applies again."""
    actor = _actor(request)
    department = selectors.department_get(actor=actor, department_id=department_id)
    security_services.security_policy_reset(
        actor=actor, company=department.company, department=department
    )
    return Status(204, None)


# --- audit trail ----------------------------------------------------------------------


@router.get(
    "/audit-events",
    response={200: schemas.AuditEventPage, **_errors(403, 422)},
    tags=["Audit"],
    summary="List audit events",
)
def audit_event_list(
    request: HttpRequest,
    kind: str = Query("", description="Only events of this kind, e.g. `user.created`."),
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """Newest first. Operators see every event, company administrators their company's;
    anyone else is refused."""
    items, count = _page(
        selectors.audit_event_list(actor=_actor(request), kind=kind), limit, offset
    )
    return {"items": items, "count": count}


# --- API keys -------------------------------------------------------------------------


@router.get(
    "/api-keys",
    response={200: schemas.ApiKeyPage, **_errors(422)},
    tags=["API keys"],
    summary="List your API keys",
)
def api_key_list(request: HttpRequest, limit: int = LIMIT, offset: int = OFFSET) -> Any:
    """Your API keys, active and revoked (never their secrets)."""
    actor = _actor(request)
    items, count = _page(selectors.api_keys_of(actor=actor, user=actor.user), limit, offset)
    return {"items": items, "count": count}


@router.post(
    "/api-keys",
    response={201: schemas.ApiKeyCreated, **_errors(403, 409, 422)},
    tags=["API keys"],
    summary="Create an API key",
)
def api_key_create(request: HttpRequest, payload: schemas.ApiKeyCreate) -> Any:
    """A new key acting as you, with exactly your rights. The secret is in this answer
    only: store it now. Called with the portal session, send your ``password`` too (a
    recent sign-in); with an API key it is not needed."""
    created = api_key_services.api_key_create(
        actor=_actor(request),
        name=payload.name,
        password=payload.password,
        password_required=authenticated_by_session(request),
    )
    key = created.key
    return Status(
        201,
        {
            **{name: getattr(key, name) for name in schemas.ApiKeyOut.model_fields},
            "secret": created.secret,
        },
    )


@router.delete(
    "/api-keys/{key_id}",
    response={204: None, **_errors(404, 409)},
    tags=["API keys"],
    summary="Revoke an API key",
)
def api_key_revoke(request: HttpRequest, key_id: int) -> Any:
    """Revoke one of your keys; requests with it are refused from now on."""
    api_key_services.api_key_revoke(actor=_actor(request), key_id=key_id)
    return Status(204, None)


def _add_partner_routes() -> None:
    from faxline.accounts.partners_api import router as partners_router

    router.add_router("", partners_router)


_add_partner_routes()
