"""The audit trail and API keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from faxline.accounts.models import ApiKey, User

from cast import Cast

pytestmark = pytest.mark.django_db
Call = Callable[..., Any]


def test_audit_events_scope_and_filter(cast: Cast, call: Call) -> None:
    created = call(cast.company_admin, "get", "/audit-events", kind="department.created").json()
    assert created["count"] == 3
    assert {e["target_label"] for e in created["items"]} == {
        "Billing Dept",
        "Billing Level 1",
        "Sales",
    }
    assert all(e["actor_label"] == "carol" for e in created["items"])
    page = call(cast.company_admin, "get", "/audit-events", limit=2, offset=1).json()
    assert len(page["items"]) == 2 and page["count"] > 2
    mine = call(cast.company_admin, "get", "/audit-events", limit=500).json()["items"]
    assert {e["company_id"] for e in mine} == {cast.company.pk}
    everything = call(cast.operator, "get", "/audit-events", limit=500).json()["items"]
    assert {cast.company.pk, cast.outsider_company.pk} <= {e["company_id"] for e in everything}
    for refused in (cast.dept_admin, cast.billing_user):
        response = call(refused, "get", "/audit-events")
        assert response.status_code == 403


def test_api_key_secret_shown_once_and_revocable(cast: Cast, call: Call) -> None:
    created = call(cast.billing_user, "post", "/api-keys", {"name": "scanner"})
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("fxl_") and created.json()["prefix"] == secret[:10]
    listed = call(cast.billing_user, "get", "/api-keys")
    assert secret.encode() not in listed.content and b'"secret"' not in listed.content
    assert "scanner" in [k["name"] for k in listed.json()["items"]]
    stored = ApiKey.objects.get(pk=created.json()["id"])
    assert secret not in (stored.digest, stored.prefix)

    client = Client()
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200 and me.json()["username"] == "bill"

    other = call(cast.sales_user, "delete", f"/api-keys/{stored.pk}")
    assert other.status_code == 404  # someone else's key
    assert call(cast.billing_user, "delete", f"/api-keys/{stored.pk}").status_code == 204
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    again = call(cast.billing_user, "delete", f"/api-keys/{stored.pk}")
    assert again.status_code == 409
    listed = call(cast.billing_user, "get", "/api-keys").json()["items"]
    assert [k["is_active"] for k in listed if k["id"] == stored.pk] == [False]


def test_portal_session_works_with_csrf_and_the_password_rule(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.company_admin)
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["username"] == "carol"
    assert client.get("/api/v1/departments").json()["count"] == 3
    no_token = client.post(
        "/api/v1/departments", data={"name": "Csrf"}, content_type="application/json"
    )
    assert no_token.status_code == 403
    assert not cast.company.departments.filter(name="Csrf").exists()

    User.objects.filter(pk=cast.company_admin.pk).update(must_change_password=True)
    blocked = client.get("/api/v1/departments")
    assert blocked.status_code == 403 and blocked.json()["code"] == "password_change_required"
    assert client.get("/api/v1/me").status_code == 200
