"""The OpenAPI document of the accounts API: served, complete and well-formed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def resolve_refs(node: Any, components: dict[str, Any], seen: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.removeprefix("#/components/schemas/")
            assert name in components, f"dangling reference {ref}"
            if name not in seen:
                seen.add(name)
                resolve_refs(components[name], components, seen)
        for value in node.values():
            resolve_refs(value, components, seen)
    elif isinstance(node, list):
        for value in node:
            resolve_refs(value, components, seen)


def test_openapi_document_describes_every_accounts_operation() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    components = doc["components"]["schemas"]
    ours = {
        (method, path): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if op["operationId"].startswith("faxline_accounts_api_")
    }
    assert len(ours) >= 40
    operation_ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
    for (method, path), op in ours.items():
        where = f"{method.upper()} {path}"
        assert op.get("summary") and op.get("description"), where
        assert op.get("tags") and op["tags"][0][0].isupper(), where
        assert "401" in op["responses"], where
        if path != "/api/v1/me":
            assert {"ApiKeyAuth": []} in op["security"], where
        resolve_refs(op, components, set())
    for name in ("UserOut", "DepartmentOut", "Error", "BulkJobOut", "SecurityPolicyOut"):
        assert name in components
    archive = components["ArchiveSettingsOut"]["properties"]
    assert "ftp_password_set" in archive and "ftp_password_encrypted" not in archive
    created = ours[("post", "/api/v1/users")]
    assert "201" in created["responses"] and "422" in created["responses"]


def test_the_apps_routers_keep_their_order() -> None:
    """Each app declares its routers (AppConfig.api_routers); they are mounted in
    INSTALLED_APPS order, which is the order of the document's tags."""
    doc = Client().get("/api/v1/openapi.json").json()
    tags: list[str] = []
    for item in doc["paths"].values():
        for op in item.values():
            tags += [t for t in op.get("tags", []) if t not in tags]
    assert tags == [
        "Me",
        "Companies",
        "Departments",
        "Users",
        "Administrators",
        "Settings",
        "Security policy",
        "Audit",
        "API keys",
        "Channel partners",
        "Fax numbers",
        "Faxes",
        "Fax credits",
        "Sandbox PSTN",
        "SIP trunks",
        "Inbound faxes",
        "Archive",
        "Onboarding",
        "Notifications",
        "Webhooks",
        "Number Porting",
        "Porting Desk",
        "Email to fax",
        "Activity",
        "Accounting",
        "Reports",
        "Dashboard",
    ]


def test_no_object_in_the_openapi_document_has_a_key_twice() -> None:
    """Swagger UI refuses a document with a duplicated key ("duplicated mapping key"), which
    happens when an operation's ``openapi_extra`` names a status as the string "200" beside
    the integer 200 of its ``response``."""
    import json

    duplicated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        duplicated.extend(sorted({key for key in keys if keys.count(key) > 1}))
        return dict(items)

    json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=pairs)
    assert duplicated == []


def test_no_two_schemas_of_the_api_share_a_name() -> None:
    """The OpenAPI document keeps one component per name: two schemas named alike (the
    faxes' and the received faxes' ``EventOut`` were) leave one operation documented with
    the other's fields, which no client and no fuzzing notices."""
    from ninja import Schema

    from faxline.api import api_urls

    api_urls()
    modules: dict[str, set[str]] = {}

    def walk(base: type) -> None:
        for schema in base.__subclasses__():
            if schema.__module__.startswith("faxline."):
                modules.setdefault(schema.__name__, set()).add(schema.__module__)
            walk(schema)

    walk(Schema)
    assert {name: sorted(found) for name, found in modules.items() if len(found) > 1} == {}
