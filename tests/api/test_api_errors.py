"""Every error under /api/v1 is JSON ``{code, message, field}`` with a stable code: unknown
paths (404), wrong methods (405), bodies that cannot be parsed (400) or are too large (413),
a refused Host (400) and server errors (500). Never an HTML page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings

from faxline import urls
from faxline.accounts.access import Actor
from faxline.accounts.models import Department
from faxline.accounts.services.api_keys import api_key_create
from faxline.api import api, server_error

from cast import Cast

pytestmark = pytest.mark.django_db

METHODS = ["get", "post", "put", "patch", "delete", "options", "head"]


def operations() -> dict[str, set[str]]:
    """The document's paths (as Django sees them) and the methods each allows."""
    doc = Client().get("/api/v1/openapi.json").json()
    return {
        path.replace("{", "").replace("}", ""): {m.upper() for m in item}
        for path, item in doc["paths"].items()
    }


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    if response.request["REQUEST_METHOD"] == "HEAD":
        return {}
    body = response.json()
    assert body["code"] == code, body
    assert body["message"] and "field" in body
    return dict(body)


@pytest.fixture
def bearer(cast: Cast) -> dict[str, str]:
    key = api_key_create(actor=Actor(user=cast.company_admin), name="tests").secret
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


UNKNOWN = [
    "/api/v1/nothing",
    "/api/v1/users/1/nothing",
    "/api/v1/users/",  # a trailing slash is another path, not a redirect
    "/api/v1/port-requests/abc",
    "/api/v1/",
    "/api/v1/%00",
    "/api/v1/" + "x" * 3000,
]


@pytest.mark.parametrize("path", UNKNOWN)
def test_unknown_paths_are_json_404_for_every_method(
    client: Client, bearer: dict[str, str], path: str
) -> None:
    for method in METHODS:
        for headers in ({}, bearer):
            response = getattr(client, method)(path, **headers)
            assert_error(response, 404, "not_found")


def test_every_path_answers_a_wrong_method_with_json_405(
    client: Client, bearer: dict[str, str]
) -> None:
    for path, allowed in operations().items():
        parts = ["1" if part.endswith("_id") else part for part in path.split("/")]
        concrete = "/".join(parts).replace("/tab", "/fax").replace("/number/", "/+12065550100/")
        for method in METHODS:
            if method.upper() in allowed:
                continue
            for headers in ({}, bearer):
                response = getattr(client, method)(concrete, **headers)
                assert_error(response, 405, "method_not_allowed")
                assert set(response["Allow"].split(", ")) == allowed, concrete


def test_a_body_that_is_not_json_is_400(client: Client, bearer: dict[str, str]) -> None:
    for body in (b"{not json", b"\xff\xfe", b'{"name": "Ops"'):
        response = client.post(
            "/api/v1/departments", data=body, content_type="application/json", **bearer
        )
        assert assert_error(response, 400, "malformed_request")["field"] == "body"
    assert not Department.objects.filter(name="Ops").exists()


def test_a_broken_multipart_form_is_400(client: Client, bearer: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/users/bulk",
        data=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n',
        content_type="multipart/form-data; boundary=xyz",
        **bearer,
    )
    assert response.status_code in (400, 422), response.content
    assert response.json()["code"] in ("malformed_request", "validation_error")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_json_body_over_the_limit_is_413(client: Client, bearer: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/departments",
        data={"name": "x" * 2000},
        content_type="application/json",
        **bearer,
    )
    assert assert_error(response, 413, "request_too_large")["field"] == "body"


@override_settings(FAXLINE_API_MAX_REQUEST_BYTES=10_000)
def test_any_body_over_the_request_limit_is_413_before_it_is_read(
    client: Client, bearer: dict[str, str]
) -> None:
    for path in ("/api/v1/users/bulk", "/api/v1/departments", "/api/v1/nothing"):
        response = client.post(
            path, data=b"x" * 20_000, content_type="application/octet-stream", **bearer
        )
        assert_error(response, 413, "request_too_large")


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_a_refused_host_is_json_400_under_the_api(client: Client) -> None:
    response = client.get("/api/v1/me", HTTP_HOST="evil.example")
    assert_error(response, 400, "malformed_request")
    page = client.get("/auth/login/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and not page["Content-Type"].startswith("application/json")


def test_server_errors_are_json_under_the_api() -> None:
    assert urls.handler500 == "faxline.api.server_error"
    response = server_error(RequestFactory().get("/api/v1/users"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert b'"code": "server_error"' in response.content
    page = server_error(RequestFactory().get("/settings/accounts/"))
    assert page.status_code == 500 and b"<h1>" in page.content


def test_no_credentials_is_401_with_the_shared_shape(client: Client) -> None:
    response = client.get("/api/v1/users")
    assert assert_error(response, 401, "unauthenticated")["field"] is None
    assert response["WWW-Authenticate"] == "Bearer"


def test_every_operation_documents_its_refusals_with_the_error_schema() -> None:
    doc = api.get_openapi_schema()
    assert "Error" in doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            codes = {int(c) for c in operation["responses"]}
            if operation.get("security"):
                assert {401, 403} <= codes, where
            if operation.get("requestBody"):
                assert {400, 413, 422} <= codes, where
            if "{" in path:
                assert {404, 422} <= codes, where
            if method != "get":
                assert 409 in codes, where
            for code in codes - {200, 201, 202, 204}:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, where


def test_a_nul_character_in_any_input_is_422_naming_it(
    client: Client, bearer: dict[str, str]
) -> None:
    """No field accepts NUL, and PostgreSQL cannot store it: refused before any query."""
    cases = [
        (client.get, "/api/v1/users", {"search": "a\x00"}, None, "search"),
        (client.get, "/api/v1/port-requests", {"search": "\x00"}, None, "search"),
        (client.post, "/api/v1/departments", {"name": "a\x00b"}, "application/json", "name"),
        (
            client.post,
            "/api/v1/port-requests",
            {"numbers": [{"number": "\x00"}]},
            "application/json",
            "numbers.0.number",
        ),
        (client.post, "/api/v1/numbers/%00/unassign", None, "application/json", "number"),
        (
            client.post,
            "/api/v1/port-requests/bulk",
            {"company_id": "1", "file": "x\x00"},
            None,
            None,
        ),
    ]
    for send, path, data, content_type, field in cases:
        if content_type:
            response = send(path, data=json.dumps(data or {}), content_type=content_type, **bearer)
        else:
            response = send(path, data, **bearer)
        body = assert_error(response, 422, "validation_error")
        if field:
            assert body["field"] == field, (path, body)
    assert not Department.objects.filter(name__startswith="a").exists()


def test_a_refusal_beyond_the_rule_is_declared_by_its_operation(
    client: Client, bearer: dict[str, str]
) -> None:
    """An area code of another country is 404 though nothing in the input ends in _id: the
    operation declares it in its response=."""
    response = client.get(
        "/api/v1/numbers/available", {"country": "CA", "area_code": "206"}, **bearer
    )
    assert assert_error(response, 404, "not_found")["field"] == "area_code"
    doc = api.get_openapi_schema()
    assert "404" in {str(c) for c in doc["paths"]["/api/v1/numbers/available"]["get"]["responses"]}
