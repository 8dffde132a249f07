"""The REST API v1: one NinjaAPI, Bearer API keys, and errors as ``{code, message, field}``.

Routers live in each app's ``api.py`` and call the same services and selectors as the portal.
Each app declares its routers (``api_routers()`` on its AppConfig); the API mounts them in
``INSTALLED_APPS`` order (the order of the OpenAPI document) and names none of them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from faxline.accounts.api_auth import DEFAULT_AUTH
from faxline.core.contributions import collect
from faxline.core.errors import DomainError

__all__ = ["api"]


api = NinjaAPI(
    title="faxline API",
    version="1",
    description=(
        "The faxline REST API. Authenticate with `Authorization: Bearer <API key>` (create "
        "keys in the portal under your name ▸ API keys). Lists return `{items, count}`; "
        "errors return `{code, message, field}`."
    ),
    auth=DEFAULT_AUTH,
    urls_namespace="api",
)


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    **extra: Any,
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "field": field, **extra}, status=status
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request,
        401,
        "unauthenticated",
        "Authentication required: send Authorization: Bearer <API key>.",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


_LOCATIONS = ("body", "query", "path", "payload", "form", "file", "cookie", "header")


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:]  # where the value came from, not its name
        if loc and loc[0] == "payload":
            loc = loc[1:]
        errors.append({"field": ".".join(loc) or None, "message": err.get("msg", "invalid")})
    field = errors[0]["field"] if errors else None
    detail = str(errors[0]["message"]) if errors else "invalid request"
    message = f"{field}: {detail}" if field else detail
    return _error(request, 422, "validation_error", message, field, errors=errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


def _mount_routers() -> None:
    for router in collect("api_routers", Router):
        api.add_router("/", router)


_mount_routers()
