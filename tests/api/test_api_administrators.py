"""The administrator endpoints, rights and the rights catalogue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from faxline.accounts.models import User
from faxline.accounts.rights import ALL_RIGHTS

from cast import Cast

pytestmark = pytest.mark.django_db
Call = Callable[..., Any]


def new_admin(**extra: Any) -> dict[str, Any]:
    return {
        "first_name": "Ada",
        "last_name": "Admin",
        "email": "ada@acme.example",
        "username": "ada",
        "generate_password": True,
        **extra,
    }


def test_list_and_details(cast: Cast, call: Call) -> None:
    admins = call(cast.company_admin, "get", "/administrators").json()
    assert [a["username"] for a in admins["items"]] == ["carol", "dana", "rita"]
    dana = admins["items"][1]
    assert dana["department_name"] == "Billing Dept" and dana["read_only"] is False
    assert set(dana["rights"]) == ALL_RIGHTS
    mine = call(cast.dept_admin, "get", "/administrators").json()
    assert [a["username"] for a in mine["items"]] == ["dana"]  # her subtree: herself
    details = call(cast.company_admin, "get", f"/administrators/{cast.read_only_admin.pk}")
    assert details.json()["read_only"] is True
    # A fax user is not an administrator, and the other way round.
    assert (
        call(cast.company_admin, "get", f"/administrators/{cast.billing_user.pk}").status_code
        == 404
    )
    assert call(cast.company_admin, "get", f"/users/{cast.dept_admin.pk}").status_code == 404


def test_add_administrator(cast: Cast, call: Call) -> None:
    response = call(
        cast.dept_admin,
        "post",
        "/administrators",
        new_admin(department_id=cast.billing_l1.pk, rights=["users.manage", "users.lock"]),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ada = User.objects.get(pk=body["id"])
    assert ada.role == "administrator" and ada.department == cast.billing_l1
    assert body["rights"] == ["users.lock", "users.manage"] == ada.rights
    assert body["generated_password"] and ada.check_password(body["generated_password"])


def test_change_and_delete_administrator(cast: Cast, call: Call) -> None:
    path = f"/administrators/{cast.dept_admin.pk}"
    changed = call(cast.company_admin, "patch", path, {"phone": "+1 555 0100", "language": "fr"})
    assert changed.status_code == 200 and changed.json()["phone"] == "+1 555 0100"
    cast.dept_admin.refresh_from_db()
    assert cast.dept_admin.language == "fr"
    own = call(
        cast.company_admin, "patch", f"/administrators/{cast.company_admin.pk}", {"phone": "1"}
    )
    assert own.status_code == 403  # not your own administrator account

    assert call(cast.company_admin, "delete", path).status_code == 204
    assert call(cast.company_admin, "get", path).status_code == 404


def test_rights_read_and_replace(cast: Cast, call: Call) -> None:
    path = f"/administrators/{cast.dept_admin.pk}/rights"
    assert set(call(cast.company_admin, "get", path).json()["rights"]) == ALL_RIGHTS
    saved = call(
        cast.company_admin,
        "put",
        path,
        {"rights": ["users.manage", "users.lock", "porting.view"], "read_only": True},
    )
    assert saved.status_code == 200
    # Read-only: the rights that change something are cleared, the view rights kept.
    assert saved.json() == {"rights": ["porting.view"], "read_only": True}
    cast.dept_admin.refresh_from_db()
    assert cast.dept_admin.read_only is True
    assert call(cast.company_admin, "get", path).json()["read_only"] is True
    # Now read-only, Dana is refused every change.
    assert call(cast.dept_admin, "post", f"/users/{cast.billing_user.pk}/lock").status_code == 403


def test_rights_escalation_is_refused(cast: Cast, call: Call) -> None:
    User.objects.filter(pk=cast.dept_admin.pk).update(
        rights=["administrators.manage", "users.manage"]
    )
    beyond = call(
        cast.dept_admin,
        "post",
        "/administrators",
        new_admin(department_id=cast.billing_l1.pk, rights=["users.manage", "settings.security"]),
    )
    assert beyond.status_code == 403
    assert beyond.json()["code"] == "rights_escalation" and beyond.json()["field"] == "rights"
    assert "settings.security" in beyond.json()["message"]
    assert not User.objects.filter(username="ada").exists()

    created = call(
        cast.dept_admin,
        "post",
        "/administrators",
        new_admin(department_id=cast.billing_l1.pk, rights=["users.manage"]),
    )
    assert created.status_code == 201
    ada = created.json()["id"]
    raise_ = call(
        cast.dept_admin,
        "put",
        f"/administrators/{ada}/rights",
        {"rights": ["users.manage", "departments.manage"], "read_only": False},
    )
    assert raise_.status_code == 403 and raise_.json()["code"] == "rights_escalation"
    assert User.objects.get(pk=ada).rights == ["users.manage"]
    own = call(
        cast.dept_admin,
        "put",
        f"/administrators/{cast.dept_admin.pk}/rights",
        {"rights": ["users.manage"], "read_only": False},
    )
    assert own.status_code == 403


def test_rights_catalogue(cast: Cast, call: Call) -> None:
    catalogue = call(cast.billing_user, "get", "/rights").json()
    groups = {g["code"]: g for g in catalogue["groups"]}
    assert groups["account_administration"]["label"] == "Account Administration"
    codes = {r["code"] for g in catalogue["groups"] for r in g["rights"]}
    assert codes == ALL_RIGHTS
