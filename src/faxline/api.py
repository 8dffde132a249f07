"""The REST API v1: one NinjaAPI, Bearer API keys, and errors as ``{code, message, field}``.

Routers live in each app's ``api.py`` and call the same services and selectors as the portal.
Each app declares its routers (``api_routers()`` on its AppConfig); the API mounts them in
``INSTALLED_APPS`` order (the order of the OpenAPI document) and names none of them.

What every operation shares is decided here, once:

- **Errors.** Every refusal under ``/api/v1/`` is JSON ``{code, message, field}`` with a
  stable ``code``: domain errors (``faxline.core.errors``), input validation (422), no
  credentials (401), malformed bodies (400), bodies too large (413), unknown paths (404) and
  wrong methods (405); a NUL character in any input is 422 naming it (no field accepts one,
  and PostgreSQL cannot store one). The project's error handlers (``handler400``... in
  ``faxline.urls``) answer in JSON under ``/api/v1/`` too, so not even a server error is an
  HTML page there.
- **The documented refusals.** The OpenAPI document lists, on every operation, the error
  answers it can give (:data:`REFUSALS`, chosen by :func:`refusals_of` from what the operation
  takes), each with the ``Error`` schema; an operation declares more in its ``response=``.
- **Idempotency-Key** on every POST (``faxline.core.idempotency``).
- **Webhooks**: the requests faxline sends, in the document's ``webhooks`` (OpenAPI 3.1),
  as the apps declare them (``openapi_webhooks()``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from faxline.accounts.api_auth import DEFAULT_AUTH
from faxline.accounts.schemas import Error
from faxline.core import idempotency
from faxline.core.contributions import collect
from faxline.core.errors import DomainError, ValidationFailed

__all__ = ["api", "api_urls"]

PREFIX = "/api/v1/"

# The stable code of a refusal that carries no code of its own (an HTTP status raised by
# ninja or Django rather than a domain error).
CODES = {
    400: "malformed_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    422: "validation_error",
    429: "too_many_requests",
    500: "server_error",
}

# Every error answer an operation may give, as the OpenAPI document describes it.
REFUSALS = {
    400: "Malformed request: the body cannot be parsed as JSON or as a form (`malformed_request`).",
    401: "No valid credentials: send `Authorization: Bearer <API key>` (`unauthenticated`).",
    403: "Authenticated but not allowed: a right is missing, a read-only administrator, or "
    "the password must be changed first (`forbidden`, `read_only`, "
    "`password_change_required`, ...).",
    404: "Not found, or not yours to see (`not_found`); `field` names the reference.",
    409: "The object's state forbids this change (`conflict` or a more specific code); on a "
    "POST also `idempotency_in_progress` while a request with the same Idempotency-Key runs.",
    413: "The request body is too large (`request_too_large`).",
    422: "Invalid input; `field` names it (`validation_error` or a more specific code; "
    "`idempotency_key_reused` when the Idempotency-Key was used for another request).",
}

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    "description": (
        "Your unique key for this request (1 to 255 printable ASCII characters). Send the "
        "same request again with the same key and you get the first answer back (with "
        "`Idempotent-Replayed: true`) and nothing is done twice. Kept for "
        f"{settings.FAXLINE_IDEMPOTENCY_TTL_HOURS} hours."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": idempotency.MAX_KEY_LENGTH,
        "pattern": "^[ -~]*[!-~][ -~]*$",
    },
}


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    """The one shape of every error of the API."""
    return {"code": code, "message": message, "field": field, **extra}


def _properties(schema: dict[str, Any], components: dict[str, Any]) -> list[str]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = components.get(ref.rsplit("/", 1)[1], {})
    return list(schema.get("properties", {}))


def refusals_of(
    method: str, operation: dict[str, Any], components: dict[str, Any] | None = None
) -> set[int]:
    """The error statuses an operation of the OpenAPI document can answer with: 401 and 403
    when it needs credentials; 422 when it takes any input and 404 when that input names an
    object (a path parameter, or a parameter or field called ``..._id``); 400 and 413 when it
    reads a body; 409 for every write. An operation declares others in its ``response=``."""
    codes: set[int] = set()
    if operation.get("security"):
        codes |= {401, 403}
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody")
    if parameters or body:
        codes.add(422)
    names = [p["name"] for p in parameters if p.get("in") != "header"]
    for content in (body or {}).get("content", {}).values():
        names += _properties(content.get("schema", {}), components or {})
    if any(p.get("in") == "path" for p in parameters) or any(n.endswith("_id") for n in names):
        codes.add(404)
    if body:
        codes |= {400, 413}
    if method.lower() != "get":
        codes.add(409)
    return codes


def _error_components() -> dict[str, Any]:
    schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    found: dict[str, Any] = schema.pop("$defs", {})
    found[Error.__name__] = schema
    return found


def document_refusals(document: dict[str, Any]) -> None:
    """Add to every operation the error answers it can give (:func:`refusals_of`), with the
    ``Error`` schema, and the ``Idempotency-Key`` header to every POST."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _error_components().items():
        components.setdefault(name, schema)
    error = {"$ref": f"#/components/schemas/{Error.__name__}"}
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method.upper() in idempotency.METHODS:
                parameters = operation.setdefault("parameters", [])
                if all(p.get("name") != idempotency.HEADER for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_PARAMETER))
            responses = operation.setdefault("responses", {})
            for status in refusals_of(method, operation, components):
                responses.setdefault(status, {"content": {"application/json": {"schema": error}}})
            for status, answer in responses.items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if int(status) in REFUSALS and schema == error:
                    answer["description"] = REFUSALS[int(status)]
            operation["responses"] = dict(sorted(responses.items(), key=lambda i: int(i[0])))


def _nul_in(value: Any, where: str) -> str | None:
    """The name of the first value holding a NUL character (no field may, and PostgreSQL
    cannot store one), or None."""
    if isinstance(value, str):
        return where if "\x00" in value else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for name, item in items:
        if isinstance(name, str) and "\x00" in name:
            return where or str(name)
        found = _nul_in(item, f"{where}.{name}" if where else str(name))
        if found is not None:
            return found
    return None


def refuse_nul(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Ninja ``operation`` decorator: refuse with 422, naming it, any input value (path,
    query, form or JSON) holding a NUL character, which no field accepts and PostgreSQL
    cannot store. It runs after authentication and validation, before the operation."""

    @wraps(view_func)
    def refusing(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        for name, value in kwargs.items():
            if isinstance(value, BaseModel):
                found = _nul_in(value.model_dump(), "")  # a body: its fields are the names
            elif isinstance(value, UploadedFile):
                found = name if "\x00" in (value.name or "") else None
            else:
                found = _nul_in(value, name)
            if found is not None:
                raise ValidationFailed(f"{found}: must not contain a NUL character.", field=found)
        return view_func(request, *args, **kwargs)

    return refusing


class FaxlineAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document lists every operation's error answers."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_refusals(document)
        document_webhooks(document)
        return document


def document_webhooks(document: dict[str, Any]) -> None:
    """The requests faxline sends (OpenAPI 3.1 ``webhooks``), as the apps declare them
    (``openapi_webhooks()``: dicts of ``name``, ``summary``, ``description`` and ``schema``,
    a pydantic model of the body)."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    webhooks: dict[str, Any] = {}
    for declared in collect("openapi_webhooks", dict):
        model: type[BaseModel] = declared["schema"]
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, found in schema.pop("$defs", {}).items():
            components.setdefault(name, found)
        components.setdefault(model.__name__, schema)
        webhooks[declared["name"]] = {
            "post": {
                "summary": declared["summary"],
                "description": declared["description"],
                "operationId": "webhook_" + declared["name"].replace(".", "_"),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{model.__name__}"}
                        }
                    },
                },
                "responses": {"200": {"description": "Any 2xx: received."}},
            }
        }
    if webhooks:
        document["webhooks"] = webhooks


api = FaxlineAPI(
    title="faxline API",
    version="1",
    description=(
        "The faxline REST API. Authenticate with `Authorization: Bearer <API key>` (create "
        "keys in the portal under your name ▸ API keys). Lists return `{items, count}`; "
        "errors return `{code, message, field}` with a stable `code`. Every POST accepts an "
        "`Idempotency-Key` header: a retry with the same key gets the first answer and does "
        "nothing twice."
    ),
    auth=DEFAULT_AUTH,
    urls_namespace="api",
)
api.add_decorator(idempotency.claim_or_replay, mode="operation")
api.add_decorator(idempotency.remember_answer, mode="view")
api.add_decorator(refuse_nul, mode="operation")  # outermost: refused before a key is claimed


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    **extra: Any,
) -> HttpResponse:
    return api.create_response(request, error_body(code, message, field, **extra), status=status)


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
    if exc.status_code == 400:
        # ninja's only 400: a body that is not JSON.
        return _error(
            request,
            400,
            CODES[400],
            "The request body cannot be parsed: send JSON with Content-Type: application/json.",
            "body",
        )
    return _error(request, exc.status_code, CODES.get(exc.status_code, "http_error"), str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, CODES[404], _nothing_here(request))


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, CODES[403], str(exc) or "You may not do this.")


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _too_large(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return _error(request, 413, CODES[413], _too_large_message(), "body")


@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
def _unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(
        request, 400, CODES[400], "The request body cannot be read as a multipart form.", "body"
    )


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return _error(request, 400, CODES[400], "The request was refused as malformed.")


def _too_large_message() -> str:
    limit = settings.FAXLINE_API_MAX_REQUEST_BYTES // (1024 * 1024)
    json_limit = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) // 1024
    return (
        f"The request is too large: at most {limit} MB with files, {json_limit} kB of JSON "
        "or form fields."
    )


def _nothing_here(request: HttpRequest) -> str:
    return f"Not found: {request.path}. The API's operations are listed at {PREFIX}docs."


def _mount_routers() -> None:
    for router in collect("api_routers", Router):
        api.add_router("/", router)


_mount_routers()


# --- outside the operations: the URL layer and Django's error handlers ------------------


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(PREFIX)


def _json_error(status: int, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(CODES[status], message, field), status=status)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _guarded(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap one URL of the API: refuse a body over the limit before it is read (413), and
    answer a wrong method (ninja's plain-text 405) in JSON with the ``Allow`` header."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if _declared_length(request) > settings.FAXLINE_API_MAX_REQUEST_BYTES:
            return _json_error(413, _too_large_message(), "body")
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            refused = _json_error(
                405, f"{request.method} is not allowed on {request.path}; allowed: {allowed}."
            )
            refused["Allow"] = allowed
            return refused
        return response

    return guarded


@csrf_exempt
def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Anything under /api/v1/ that is no operation: 404 in JSON, whatever the method."""
    return _json_error(404, _nothing_here(request))


def api_urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """The API's URLs for ``include()``: ninja's, each guarded, then a JSON 404 for the rest."""
    patterns, app_name, namespace = api.urls
    guarded: list[URLPattern | URLResolver] = [
        URLPattern(p.pattern, _guarded(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
    guarded.append(re_path(r"", _guarded(unknown_path), name="unknown-path"))
    return guarded, app_name, namespace


# Django's error handlers (``handler400``... in ``faxline.urls``): JSON under /api/v1/, the
# usual pages elsewhere.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json_error(400, "The request was refused as malformed.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json_error(403, str(exception) or "You may not do this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json_error(404, _nothing_here(request))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _json_error(
            500, "Something went wrong on our side; it has been logged. Try again later."
        )
    return defaults.server_error(request)
