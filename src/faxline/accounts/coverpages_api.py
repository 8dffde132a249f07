"""REST API of cover page templates (the Coverpage tab's Upload, Manage and Browse) and of
the company's header line. Same rules as ``accounts.api``: another company's level or
cover is 404, a missing right or a read-only administrator 403, bad input 422 naming the
field; lists are paginated."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import Field

from faxline.accounts import selectors
from faxline.accounts.api_auth import actor_of
from faxline.accounts.choices import Role
from faxline.accounts.models import Company, CoverPageTemplate, Department, User
from faxline.accounts.schemas import Error, InputSchema
from faxline.accounts.services import coverpages as cover_services
from faxline.core.errors import ValidationFailed
from faxline.core.pagination import paginate, paginate_list
from faxline.core.vault import vault_read
from faxline.documents.coverpage import MAX_TEMPLATE_BYTES, render_cover_preview

router = Router()
TAGS = ["Settings"]
LIMIT = Query(50, description="Page size (1 to 500).")
OFFSET = Query(0, description="Items to skip.")


def _errors(*codes: int) -> dict[int, type[Error]]:
    return dict.fromkeys((401, *codes), Error)


class CoverScope(StrEnum):
    OWN = "own"
    AVAILABLE = "available"


class CoverPageOut(Schema):
    """A cover page: a template (``id``) or the built-in "faxline Default" (``id`` null,
    only in the ``available`` list). ``key`` is the Coverpage tab's ``default_coverpage``
    value that chooses it."""

    id: int | None
    key: str
    name: str
    built_in: bool
    company_id: int
    department_id: int | None = Field(description="Null: the company's own cover.")
    fields: list[str] = Field(description="The cover fields its form fills (empty: letterhead).")
    sha256: str | None
    size: int | None
    uploaded_by: str | None
    uploaded_at: datetime | None


class CoverPagePage(Schema):
    items: list[CoverPageOut]
    count: int


class CoverPageRename(InputSchema):
    name: str = Field(description="Unique (case-insensitive) among the level's covers.")


class HeaderLineOut(Schema):
    """The header line on every page the company's users send."""

    enabled: bool
    ident: str = Field(description="The ident it shows; blank: the company's name.")
    shown_ident: str = Field(description="What the header line shows.")


class HeaderLineUpdate(InputSchema):
    enabled: bool | None = None
    ident: str | None = Field(default=None, max_length=50)


def _cover_out(cover: CoverPageTemplate) -> dict[str, Any]:
    return {
        "id": cover.pk,
        "key": cover.key,
        "name": cover.name,
        "built_in": False,
        "company_id": cover.company_id,
        "department_id": cover.department_id,
        "fields": list(cover.field_names),
        "sha256": cover.sha256,
        "size": cover.size,
        "uploaded_by": cover.uploaded_by.username if cover.uploaded_by else None,
        "uploaded_at": cover.uploaded_at,
    }


def _list(
    owner: Company | Department | User,
    company: Company,
    scope: CoverScope,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    if scope == CoverScope.OWN:
        assert not isinstance(owner, User)
        items, count = paginate(selectors.covers_owned(owner), limit=limit, offset=offset)
        return {"items": [_cover_out(c) for c in items], "count": count}
    choices = selectors.cover_choices(owner)
    rows: list[dict[str, Any]] = []
    for choice in choices:
        if choice.cover is not None:
            rows.append(_cover_out(choice.cover))
        else:
            rows.append(
                {
                    "id": None,
                    "key": choice.key,
                    "name": choice.label,
                    "built_in": True,
                    "company_id": company.pk,
                    "department_id": None,
                    "fields": [],
                    "sha256": None,
                    "size": None,
                    "uploaded_by": None,
                    "uploaded_at": None,
                }
            )
    items, count = paginate_list(rows, limit=limit, offset=offset)
    return {"items": items, "count": count}


def _upload(
    request: HttpRequest, owner: Company | Department, file: UploadedFile | None, name: str
) -> Any:
    if file is None:
        raise ValidationFailed("Upload the PDF as the form field 'file'.", field="file")
    data = file.read(MAX_TEMPLATE_BYTES + 1)
    cover = cover_services.cover_page_upload(
        actor=actor_of(request), owner=owner, data=data, filename=file.name or "", name=name
    )
    return Status(201, _cover_out(cover))


UPLOAD_DOC = (
    "Upload a cover page template: a one-page PDF of at most 2 MB. Its AcroForm text "
    "fields named `to`, `to_company`, `to_fax`, `from`, `from_company`, `from_fax`, "
    "`from_phone`, `subject`, `comments`, `pages` and `date` are filled when a fax is "
    "sent; a PDF without form fields is a letterhead (the fields are drawn below its top "
    "quarter). `name` defaults to the file's name."
)


@router.get(
    "/companies/{company_id}/cover-pages",
    response={200: CoverPagePage, **_errors(404, 422)},
    tags=TAGS,
    summary="Company cover pages",
)
def company_covers(
    request: HttpRequest,
    company_id: int,
    scope: CoverScope = CoverScope.OWN,
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """The company's own covers (``scope=own``), or every cover its Coverpage tab may
    choose, the built-in first (``scope=available``)."""
    company = selectors.company_get(actor=actor_of(request), company_id=company_id)
    return _list(company, company, scope, limit, offset)


@router.post(
    "/companies/{company_id}/cover-pages",
    response={201: CoverPageOut, **_errors(403, 404, 422)},
    tags=TAGS,
    summary="Upload a company cover page",
    description=UPLOAD_DOC,
)
def company_cover_upload(
    request: HttpRequest,
    company_id: int,
    file: File[UploadedFile | None] = None,
    name: Form[str] = "",
) -> Any:
    company = selectors.company_get(actor=actor_of(request), company_id=company_id)
    return _upload(request, company, file, name)


@router.get(
    "/departments/{department_id}/cover-pages",
    response={200: CoverPagePage, **_errors(404, 422)},
    tags=TAGS,
    summary="Department cover pages",
)
def department_covers(
    request: HttpRequest,
    department_id: int,
    scope: CoverScope = CoverScope.OWN,
    limit: int = LIMIT,
    offset: int = OFFSET,
) -> Any:
    """The department's own covers (``scope=own``), or every cover its Coverpage tab may
    choose (``scope=available``): the built-in, its own, and unless "Only my cover(s)" is
    set those of the departments above it and of the company."""
    department = selectors.department_get(actor=actor_of(request), department_id=department_id)
    return _list(department, department.company, scope, limit, offset)


@router.post(
    "/departments/{department_id}/cover-pages",
    response={201: CoverPageOut, **_errors(403, 404, 422)},
    tags=TAGS,
    summary="Upload a department cover page",
    description=UPLOAD_DOC,
)
def department_cover_upload(
    request: HttpRequest,
    department_id: int,
    file: File[UploadedFile | None] = None,
    name: Form[str] = "",
) -> Any:
    department = selectors.department_get(actor=actor_of(request), department_id=department_id)
    return _upload(request, department, file, name)


@router.get(
    "/users/{user_id}/cover-pages",
    response={200: CoverPagePage, **_errors(404, 422)},
    tags=TAGS,
    summary="Cover pages a user may choose",
)
def user_covers(
    request: HttpRequest, user_id: int, limit: int = LIMIT, offset: int = OFFSET
) -> Any:
    """The covers a fax user's Coverpage tab may choose: the built-in, their level's and,
    unless their "Only my cover(s)" is set, those of the levels above (a user owns none)."""
    user = selectors.user_get(actor=actor_of(request), user_id=user_id, role=Role.FAX_USER)
    assert user.company is not None
    return _list(user, user.company, CoverScope.AVAILABLE, limit, offset)


@router.get(
    "/cover-pages/{cover_id}",
    response={200: CoverPageOut, **_errors(404)},
    tags=TAGS,
    summary="Cover page",
)
def cover_get(request: HttpRequest, cover_id: int) -> Any:
    """One cover page you may see."""
    return _cover_out(selectors.cover_get(actor=actor_of(request), cover_id=cover_id))


@router.get(
    "/cover-pages/{cover_id}/preview",
    response={200: None, **_errors(404)},
    tags=TAGS,
    summary="Cover page preview",
    openapi_extra={"responses": {200: {"description": "PNG", "content": {"image/png": {}}}}},
)
def cover_preview(request: HttpRequest, cover_id: int) -> HttpResponse:
    """The cover filled with sample fields, as a PNG image (Browse)."""
    cover = selectors.cover_get(actor=actor_of(request), cover_id=cover_id)
    png = render_cover_preview(template=vault_read(cover.vault_name))
    return HttpResponse(png, content_type="image/png")


@router.patch(
    "/cover-pages/{cover_id}",
    response={200: CoverPageOut, **_errors(403, 404, 422)},
    tags=TAGS,
    summary="Rename a cover page",
)
def cover_rename(request: HttpRequest, cover_id: int, payload: CoverPageRename) -> Any:
    actor = actor_of(request)
    cover = selectors.cover_get(actor=actor, cover_id=cover_id)
    return _cover_out(cover_services.cover_page_rename(actor=actor, cover=cover, name=payload.name))


@router.delete(
    "/cover-pages/{cover_id}",
    response={204: None, **_errors(403, 404)},
    tags=TAGS,
    summary="Delete a cover page",
)
def cover_delete(request: HttpRequest, cover_id: int) -> Any:
    """Delete a cover; levels that chose it use the built-in "faxline Default" instead."""
    actor = actor_of(request)
    cover = selectors.cover_get(actor=actor, cover_id=cover_id)
    cover_services.cover_page_delete(actor=actor, cover=cover)
    return Status(204, None)


def _header_out(company: Company) -> dict[str, Any]:
    return {
        "enabled": company.header_line,
        "ident": company.header_ident,
        "shown_ident": company.header_ident or company.name,
    }


@router.get(
    "/companies/{company_id}/header-line",
    response={200: HeaderLineOut, **_errors(404)},
    tags=TAGS,
    summary="Header line",
)
def header_line_get(request: HttpRequest, company_id: int) -> Any:
    """The header line stamped on every page the company's users send."""
    return _header_out(selectors.company_get(actor=actor_of(request), company_id=company_id))


@router.patch(
    "/companies/{company_id}/header-line",
    response={200: HeaderLineOut, **_errors(403, 404, 422)},
    tags=TAGS,
    summary="Change the header line",
)
def header_line_update(request: HttpRequest, company_id: int, payload: HeaderLineUpdate) -> Any:
    """Turn it on or off, or set its ident (company-level administrators with the Fax
    settings right)."""
    actor = actor_of(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    cover_services.company_header_line_update(
        actor=actor, company=company, enabled=payload.enabled, ident=payload.ident
    )
    return _header_out(company)
