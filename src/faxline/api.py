"""The REST API v1: one NinjaAPI, Bearer API keys, and errors as ``{code, message, field}``.

Routers live in each app's ``api.py`` and call the same services and selectors as the portal.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from faxline.accounts.access import Actor
from faxline.accounts.auth import client_ip
from faxline.accounts.models import User
from faxline.core.errors import DomainError


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer <key>``: acts as the key's user, with exactly their rights."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        from faxline.accounts.services import api_key_authenticate

        return api_key_authenticate(token)


class PortalSessionAuth(APIKeyCookie):
    """The portal's own session (with CSRF), so HTMX pages can call the API too."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and isinstance(user, User):
            return user
        return None


api = NinjaAPI(
    title="faxline API",
    version="1",
    description=(
        "The faxline REST API. Authenticate with `Authorization: Bearer <API key>` (create "
        "keys in the portal under your name ▸ API keys). Lists return `{items, count}`; "
        "errors return `{code, message, field}`."
    ),
    auth=[ApiKeyAuth(), PortalSessionAuth(csrf=True)],
    urls_namespace="api",
)


def actor_of(request: HttpRequest) -> Actor:
    """The acting person of an authenticated API request."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return Actor(user=user, ip_address=client_ip(request))


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


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        errors.append({"field": ".".join(loc) or None, "message": err.get("msg", "invalid")})
    field = errors[0]["field"] if errors else None
    detail = str(errors[0]["message"]) if errors else "invalid request"
    message = f"{field}: {detail}" if field else detail
    return _error(request, 422, "validation_error", message, field, errors=errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


def _register_routers() -> None:
    from faxline.accounts.api import router as accounts_router
    from faxline.numbers.api import router as numbers_router

    api.add_router("/", accounts_router)
    api.add_router("/", numbers_router)


_register_routers()
