"""The fax user endpoints: list, Add User Account, details, lock, password, Bulk Create."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faxline.accounts.models import User
from faxline.accounts.services.users import user_create
from faxline.core.models import AuditEvent
from faxline.numbers.selectors import available_numbers
from faxline.numbers.services import numbers_request

from cast import PASSWORD, Cast

pytestmark = pytest.mark.django_db
Call = Callable[..., Any]


def test_list_filters(cast: Cast, call: Call) -> None:
    carol = cast.company_admin
    everyone = call(carol, "get", "/users").json()
    assert everyone["count"] == 2
    assert [u["username"] for u in everyone["items"]] == ["bill", "sarah"]  # not administrators
    bill = everyone["items"][0]
    assert bill["department_name"] == "Billing Dept -> Billing Level 1"
    assert bill["is_locked"] is False and bill["locked_out"] is False
    assert "password" not in bill
    in_billing = call(carol, "get", "/users", department_id=cast.billing.pk).json()
    assert [u["username"] for u in in_billing["items"]] == ["bill"]  # the subtree
    assert call(carol, "get", "/users", search="SAL").json()["items"][0]["username"] == "sarah"
    User.objects.filter(pk=cast.sales_user.pk).update(is_locked=True)
    locked = call(carol, "get", "/users", locked="true").json()
    assert [u["username"] for u in locked["items"]] == ["sarah"]
    page = call(carol, "get", "/users", limit=1, offset=1).json()
    assert page["count"] == 2 and [u["username"] for u in page["items"]] == ["sarah"]


def test_fax_user_sees_only_themselves(cast: Cast, call: Call) -> None:
    mine = call(cast.billing_user, "get", "/users").json()
    assert [u["username"] for u in mine["items"]] == ["bill"]
    assert call(cast.billing_user, "get", f"/users/{cast.billing_user.pk}").status_code == 200
    assert call(cast.billing_user, "get", f"/users/{cast.sales_user.pk}").status_code == 404
    refused = call(cast.billing_user, "patch", f"/users/{cast.billing_user.pk}", {"city": "X"})
    assert refused.status_code == 403


def test_list_query_count_is_pinned_and_does_not_grow(cast: Cast, call: Call) -> None:
    carol = cast.company_admin
    call(carol, "get", "/me")  # the key is made and used once

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert call(carol, "get", path).status_code == 200
        return len(captured.captured_queries)

    first = {path: queries(path) for path in ("/users", "/administrators", "/departments")}
    assert max(first.values()) <= 8, first
    for n, dept in enumerate((cast.sales, cast.billing_l1)):
        user_create(
            actor=cast.actor(carol),
            company=cast.company,
            department=dept,
            first_name="Q",
            last_name=f"Count{n}",
            email=f"q{n}@acme.example",
            username=f"qcount{n}",
            generate_password=True,
        )
    assert queries("/users") == first["/users"]


def test_add_user_with_generated_password(cast: Cast, call: Call) -> None:
    response = call(
        cast.dept_admin,
        "post",
        "/users",
        {
            "first_name": "Nina",
            "last_name": "New",
            "email": "Nina@Acme.example",
            "use_email_as_username": True,
            "generate_password": True,
            "department_id": cast.billing_l1.pk,
            "receiving_emails": ["nina@acme.example", "fax@acme.example"],
            "city": "Springfield",
            "custom2": "cost centre 7",
            "settings": {"fax": {"inbound_file_type": "TIF"}},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(pk=body["id"])
    assert body["username"] == "nina@acme.example" == user.username
    assert body["department_id"] == cast.billing_l1.pk and body["company_id"] == cast.company.pk
    assert body["receiving_emails"] == ["nina@acme.example", "fax@acme.example"]
    assert (user.city, user.custom2) == ("Springfield", "cost centre 7")
    assert user.settings["fax"]["inbound_file_type"] == "TIF"
    assert body["generated_password"] and check_password(body["generated_password"], user.password)
    again = call(cast.dept_admin, "get", f"/users/{user.pk}").json()
    assert "generated_password" not in again  # shown once


def test_add_user_with_chosen_password(cast: Cast, call: Call) -> None:
    response = call(
        cast.company_admin,
        "post",
        "/users",
        {
            "first_name": "Omar",
            "last_name": "Own",
            "email": "omar@acme.example",
            "username": "omar",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 201
    assert response.json()["generated_password"] is None
    assert response.json()["department_id"] is None  # company level
    assert check_password(PASSWORD, User.objects.get(username="omar").password)
    taken = call(
        cast.company_admin,
        "post",
        "/users",
        {
            "first_name": "B",
            "last_name": "B",
            "email": "b@acme.example",
            "username": "BILL",
            "password": PASSWORD,
        },
    )
    assert taken.status_code == 422 and taken.json()["field"] == "username"


def test_details_change_and_delete(cast: Cast, call: Call) -> None:
    path = f"/users/{cast.sales_user.pk}"
    assert call(cast.company_admin, "get", path).json()["username"] == "sarah"
    changed = call(
        cast.company_admin,
        "patch",
        path,
        {"last_name": "Seller", "sending_email": "orders@acme.example", "custom4": "VIP"},
    )
    assert changed.status_code == 200
    assert changed.json()["last_name"] == "Seller" and changed.json()["custom4"] == "VIP"
    cast.sales_user.refresh_from_db()
    assert cast.sales_user.sending_email == "orders@acme.example"
    assert cast.sales_user.first_name == "Sarah"  # untouched
    moved = call(cast.company_admin, "patch", path, {"department_id": cast.billing.pk})
    assert moved.status_code == 200 and moved.json()["department_id"] == cast.billing.pk

    deleted = call(cast.company_admin, "delete", path)
    assert deleted.status_code == 204
    assert call(cast.company_admin, "get", path).status_code == 404
    cast.sales_user.refresh_from_db()
    assert cast.sales_user.deleted_at is not None and cast.sales_user.username != "sarah"


def test_lock_and_unlock(cast: Cast, call: Call, api_key: Callable[[User], str]) -> None:
    path = f"/users/{cast.billing_user.pk}"
    assert call(cast.billing_user, "get", "/me").status_code == 200
    locked = call(cast.dept_admin, "post", path + "/lock")
    assert locked.status_code == 200 and locked.json()["is_locked"] is True
    assert call(cast.billing_user, "get", "/me").status_code == 401  # a locked key is dead
    again = call(cast.dept_admin, "post", path + "/lock")
    assert again.status_code == 409 and again.json()["code"] == "already_locked"
    unlocked = call(cast.dept_admin, "post", path + "/unlock")
    assert unlocked.status_code == 200 and unlocked.json()["is_locked"] is False
    assert call(cast.dept_admin, "post", path + "/unlock").status_code == 409
    kinds = list(
        AuditEvent.objects.filter(target_id=str(cast.billing_user.pk)).values_list(
            "kind", flat=True
        )
    )
    assert "user.locked" in kinds and "user.unlocked" in kinds


def test_administrator_sets_or_generates_password(cast: Cast, call: Call) -> None:
    path = f"/users/{cast.billing_user.pk}/password"
    chosen = call(cast.company_admin, "post", path, {"password": "Brand-New-2027"})
    assert chosen.status_code == 200
    assert chosen.json() == {
        "password_set": True,
        "generated_password": None,
        "must_change_password": False,
    }
    cast.billing_user.refresh_from_db()
    assert check_password("Brand-New-2027", cast.billing_user.password)
    generated = call(cast.company_admin, "post", path, {"generate": True}).json()
    cast.billing_user.refresh_from_db()
    assert check_password(generated["generated_password"], cast.billing_user.password)
    missing = call(cast.company_admin, "post", path, {})
    assert missing.status_code == 422 and missing.json()["field"] == "password"


def test_bulk_upload_is_accepted_then_reports_every_row(
    cast: Cast, call: Call, after_commit: Any
) -> None:
    csv = (
        b"first_name,last_name,email,username,department\n"
        b"Al,Ok,al@acme.example,alok,Billing Dept -> Billing Level 1\n"
        b"Bo,Bad,not-an-email,bobad,\n"
        b"Cy,Ok,cy@acme.example,cyok,\n"
    )
    with after_commit():
        response = call(
            cast.company_admin,
            "post",
            "/users/bulk",
            files={
                "file": SimpleUploadedFile("users.csv", csv, "text/csv"),
                "department_id": str(cast.sales.pk),
            },
        )
        # Accepted: the job waits for the task worker, nothing is created yet.
        assert response.status_code == 202, response.content
        accepted = response.json()
        assert (accepted["status"], accepted["total"], accepted["processed"]) == ("queued", 3, 0)
        assert accepted["rows"] == [] and accepted["file_name"] == "users.csv"
        assert not User.objects.filter(username="alok").exists()
    # The worker ran the job: its report has the shape the synchronous answer had.
    report = call(cast.company_admin, "get", f"/users/bulk/{accepted['id']}").json()
    assert (report["status"], report["processed"]) == ("done", 3)
    assert (report["created"], report["refused"]) == (2, 1)
    rows = report["rows"]
    assert [r["status"] for r in rows] == ["created", "refused", "created"]
    assert rows[1]["field"] == "email" and rows[1]["line"] == 3 and rows[1]["user_id"] is None
    assert User.objects.get(username="alok").department == cast.billing_l1
    assert User.objects.get(username="cyok").department == cast.sales  # the default
    assert not User.objects.filter(username="bobad").exists()
    cy = User.objects.get(username="cyok")
    assert check_password(rows[2]["generated_password"], cy.password)
    # Shown once: the next report no longer carries it.
    again = call(cast.company_admin, "get", f"/users/bulk/{accepted['id']}").json()
    assert again["rows"][2]["generated_password"] is None
    assert again["created"] == 2
    assert call(cast.outsider_admin, "get", f"/users/bulk/{accepted['id']}").status_code == 404


def test_bulk_upload_refuses_a_bad_file(cast: Cast, call: Call) -> None:
    response = call(
        cast.company_admin,
        "post",
        "/users/bulk",
        files={"file": SimpleUploadedFile("users.csv", b"name,shoe\nA,1\n", "text/csv")},
    )
    assert response.status_code == 422
    assert (
        response.json()["field"] == "file"
        and "Unknown columns: name, shoe." in response.json()["message"]
    )


def test_add_user_with_a_fax_number(cast: Cast, call: Call) -> None:
    admin = cast.actor(cast.company_admin)
    offered = available_numbers(actor=admin, country="US", area="206", count=2)
    numbers_request(actor=admin, company=cast.company, numbers=offered[:1])
    body = {
        "first_name": "Faye",
        "last_name": "Number",
        "email": "faye@acme.example",
        "username": "faye",
        "generate_password": True,
        "department_id": cast.sales.pk,
    }
    # A number outside the inventory: refused naming fax_number, nobody created.
    response = call(cast.company_admin, "post", "/users", {**body, "fax_number": offered[1]})
    assert response.status_code == 404
    assert response.json()["field"] == "fax_number"
    assert not User.objects.filter(username="faye").exists()
    response = call(cast.company_admin, "post", "/users", {**body, "fax_number": offered[0]})
    assert response.status_code == 201, response.content
    assert response.json()["fax_numbers"] == [offered[0]]
    user_id = response.json()["id"]
    assert call(cast.company_admin, "get", f"/users/{user_id}").json()["fax_numbers"] == [
        offered[0]
    ]
