"""The department endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from faxline.accounts.models import Department

from cast import Cast

pytestmark = pytest.mark.django_db
Call = Callable[..., Any]


def test_list_filters_and_page_shape(cast: Cast, call: Call) -> None:
    carol = cast.company_admin
    everything = call(carol, "get", "/departments").json()
    assert set(everything) == {"items", "count"} and everything["count"] == 3
    assert [d["full_name"] for d in everything["items"]] == [
        "Billing Dept",
        "Billing Dept -> Billing Level 1",
        "Sales",
    ]
    page = call(carol, "get", "/departments", limit=1, offset=1).json()
    assert page["count"] == 3 and [d["name"] for d in page["items"]] == ["Billing Level 1"]
    children = call(carol, "get", "/departments", parent_id=cast.billing.pk).json()
    assert [d["id"] for d in children["items"]] == [cast.billing_l1.pk]
    assert children["items"][0]["parent_id"] == cast.billing.pk
    assert children["items"][0]["depth"] == 1
    found = call(carol, "get", "/departments", search="sal").json()
    assert [d["name"] for d in found["items"]] == ["Sales"]
    # Operators see every company's unless they pick one.
    assert call(cast.operator, "get", "/departments").json()["count"] == 3
    globex = call(cast.operator, "get", "/departments", company_id=cast.outsider_company.pk)
    assert globex.json() == {"items": [], "count": 0}


def test_create_at_company_level_and_under_a_parent(cast: Cast, call: Call) -> None:
    top = call(cast.company_admin, "post", "/departments", {"name": "Support"})
    assert top.status_code == 201
    assert top.json()["parent_id"] is None and top.json()["company_id"] == cast.company.pk
    child = call(
        cast.dept_admin,
        "post",
        "/departments",
        {"name": "Billing Level 2", "parent_id": cast.billing_l1.pk},
    )
    assert child.status_code == 201
    body = child.json()
    assert body["full_name"] == "Billing Dept -> Billing Level 1 -> Billing Level 2"
    assert body["depth"] == 2
    assert Department.objects.get(pk=body["id"]).parent == cast.billing_l1
    # A department administrator cannot add at company level.
    refused = call(cast.dept_admin, "post", "/departments", {"name": "Rogue"})
    assert refused.status_code == 403 and refused.json()["field"] == "parent_id"
    assert not Department.objects.filter(name="Rogue").exists()


def test_details_and_rename(cast: Cast, call: Call) -> None:
    path = f"/departments/{cast.billing_l1.pk}"
    assert call(cast.dept_admin, "get", path).json()["name"] == "Billing Level 1"
    renamed = call(cast.dept_admin, "patch", path, {"name": "Accounts Receivable"})
    assert renamed.status_code == 200
    assert renamed.json()["full_name"] == "Billing Dept -> Accounts Receivable"
    cast.billing_l1.refresh_from_db()
    assert cast.billing_l1.name == "Accounts Receivable"


def test_delete_empty_department(cast: Cast, call: Call) -> None:
    empty = call(cast.company_admin, "post", "/departments", {"name": "Empty"}).json()["id"]
    response = call(cast.company_admin, "delete", f"/departments/{empty}")
    assert response.status_code == 204 and response.content == b""
    assert not Department.objects.filter(pk=empty).exists()
    assert call(cast.company_admin, "get", f"/departments/{empty}").status_code == 404


def test_delete_department_with_users_is_409(cast: Cast, call: Call) -> None:
    response = call(cast.company_admin, "delete", f"/departments/{cast.sales.pk}")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "department_has_users"
    assert "Sales has 1 active user" in body["message"]
    assert Department.objects.filter(pk=cast.sales.pk).exists()
    parent = call(cast.company_admin, "delete", f"/departments/{cast.billing.pk}")
    assert parent.status_code == 409  # an administrator (Dana) and a sub-department
    assert Department.objects.filter(pk=cast.billing.pk).exists()


def test_create_with_settings_as_the_portal_does(cast: Cast, call: Call) -> None:
    from faxline.accounts.models import User
    from faxline.core.models import AuditEvent

    made = call(
        cast.company_admin,
        "post",
        "/departments",
        {"name": "Support", "settings": {"fax": {"inbound_file_type": "TIF"}}},
    )
    assert made.status_code == 201, made.content
    support = Department.objects.get(pk=made.json()["id"])
    assert support.settings["fax"]["inbound_file_type"] == "TIF"
    assert cast.company.settings["fax"]["inbound_file_type"] != "TIF"  # a copy, changed
    changed = AuditEvent.objects.filter(kind="settings.changed", target_id=str(support.pk))
    assert changed.count() == 1
    # Unchanged tabs cost nothing; an unknown tab or value refuses the whole department.
    same = call(
        cast.company_admin,
        "post",
        "/departments",
        {"name": "Same", "settings": {"fax": dict(cast.company.settings["fax"])}},
    )
    assert same.status_code == 201
    assert not AuditEvent.objects.filter(kind="settings.changed", target_id=str(same.json()["id"]))
    for bad, field in (
        ({"bogus": {}}, "settings.bogus"),
        ({"fax": {"inbound_file_type": "DOC"}}, "settings.fax.inbound_file_type"),
    ):
        refused = call(
            cast.company_admin, "post", "/departments", {"name": "Nope", "settings": bad}
        )
        assert refused.status_code == 422, refused.content
        assert refused.json()["field"] == field
    # Each changed tab needs its settings right, as on the Settings tabs.
    User.objects.filter(pk=cast.dept_admin.pk).update(rights=["departments.manage"])
    forbidden = call(
        cast.dept_admin,
        "post",
        "/departments",
        {
            "name": "Nope",
            "parent_id": cast.billing.pk,
            "settings": {"fax": {"inbound_file_type": "TIF"}},
        },
    )
    assert forbidden.status_code == 403
    assert not Department.objects.filter(name="Nope").exists()
