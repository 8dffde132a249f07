"""Every endpoint of the accounts API against the standard cast: no credentials (401), a
forced password change (403), another company's objects (404), read-only administrators
(403) and bad input (422 naming the field).

The tables are checked against the router itself, so an endpoint added without a row in
each table fails ``test_tables_cover_every_endpoint``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from faxline.accounts.api import router
from faxline.accounts.models import ApiKey, BulkCreateJob, Department, SecurityPolicy, User
from faxline.accounts.policy import global_policy

from cast import Cast

pytestmark = pytest.mark.django_db

Call = Callable[..., Any]
Body = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None
GOOD_CSV = b"first_name,last_name,email,username\nNew,Person,new@acme.example,newperson\n"


def operations() -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }


@dataclass(frozen=True)
class Case:
    """One request: ``route`` is the router's path; ``query`` and bodies may name cast
    objects in braces ({company}, {billing}, {sales}, {bill}, {dana}...)."""

    method: str
    route: str
    body: Body = None
    query: str = ""
    ids: dict[str, str] = field(default_factory=dict)  # path parameter -> cast object/value
    upload: bool = False  # multipart with a CSV file
    expect_field: str | None = None
    expect_status: int = 422

    def __str__(self) -> str:
        return f"{self.method} {self.route}{'?' + self.query if self.query else ''}"


def refs_of(cast: Cast, key_id: int) -> dict[str, Any]:
    refs: dict[str, Any] = {
        "company": cast.company.pk,
        "billing": cast.billing.pk,
        "l1": cast.billing_l1.pk,
        "sales": cast.sales.pk,
        "bill": cast.billing_user.pk,
        "sarah": cast.sales_user.pk,
        "carol": cast.company_admin.pk,
        "dana": cast.dept_admin.pk,
        "rita": cast.read_only_admin.pk,
        "key": key_id,
        # A Bulk Create job Carol uploaded (visible to her and to Acme's company level).
        "job": BulkCreateJob.objects.get_or_create(
            company=cast.company, created_by=cast.company_admin
        )[0].pk,
    }
    refs.update(
        company_id=refs["company"],
        department_id=refs["billing"],
        user_id=refs["bill"],
        admin_id=refs["dana"],
        key_id=key_id,
        job_id=refs["job"],
        tab="fax",
    )
    return refs


def send(call: Call, user: User | None, case: Case, refs: dict[str, Any]) -> Any:
    values = {**refs, **{param: refs.get(name, name) for param, name in case.ids.items()}}
    path = case.route.format(**values) + ("?" + case.query.format(**values) if case.query else "")
    body = case.body(refs) if callable(case.body) else case.body
    if case.upload:
        form = {"file": SimpleUploadedFile("users.csv", GOOD_CSV, "text/csv"), **(body or {})}
        return call(user, case.method, path, files=form)
    if case.method == "GET":
        return call(user, "get", path)
    return call(user, case.method, path, body if body is not None else {})


def each_case(cases: list[Case], check: Callable[[Case], str | None]) -> list[str]:
    """Run ``check`` on every case inside a savepoint that is rolled back, so that one
    case (even a wrongly successful one) cannot change what the next one sees. Returns
    the problems found, one line per case; the cast is built once for the whole table."""
    problems = []
    for case in cases:
        with transaction.atomic():
            problem = check(case)
            transaction.set_rollback(True)
        if problem:
            problems.append(f"{case}: {problem}")
    return problems


def new_user(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "first_name": "New",
        "last_name": "Person",
        "email": "new@acme.example",
        "username": "newperson",
        "generate_password": True,
        "department_id": r["sales"],
    }


def new_admin(r: dict[str, Any]) -> dict[str, Any]:
    return {**new_user(r), "rights": ["users.manage"]}


# --- no credentials, forced password change -------------------------------------------


def test_every_endpoint_requires_credentials(cast: Cast, call: Call) -> None:
    refs = refs_of(cast, key_id=1)
    for method, route in sorted(operations()):
        response = send(call, None, Case(method, route), refs)
        assert response.status_code == 401, f"{method} {route}"
        assert response.json()["code"] == "unauthenticated"


def test_revoked_key_is_refused(cast: Cast, call: Call, api_key: Callable[[User], str]) -> None:
    assert call(cast.company_admin, "get", "/me").status_code == 200
    ApiKey.objects.filter(user=cast.company_admin).update(revoked_at="2020-01-01T00:00:00Z")
    assert call(cast.company_admin, "get", "/me").status_code == 401


def test_password_change_required_blocks_everything_but_me(cast: Cast, call: Call) -> None:
    User.objects.filter(pk=cast.company_admin.pk).update(must_change_password=True)
    refs = refs_of(cast, key_id=1)
    me = call(cast.company_admin, "get", "/me")
    assert me.status_code == 200 and me.json()["password_change_required"] is True
    for method, route in sorted(operations() - {("GET", "/me")}):
        response = send(call, cast.company_admin, Case(method, route), refs)
        assert response.status_code == 403, f"{method} {route}: {response.status_code}"
        assert response.json()["code"] == "password_change_required"
    assert Department.objects.filter(company=cast.company).count() == 3


def test_expired_password_also_blocks(cast: Cast, call: Call) -> None:
    policy = global_policy()
    policy.max_age_days = 30
    policy.save()
    assert call(cast.billing_user, "get", "/users").status_code == 200
    User.objects.filter(pk=cast.billing_user.pk).update(password_changed_at="2000-01-01T00:00:00Z")
    response = call(cast.billing_user, "get", "/users")
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"
    assert call(cast.billing_user, "get", "/me").json()["password_change_required"] is True


# --- another company's objects: 404 ---------------------------------------------------

OUTSIDER = [
    Case("GET", "/companies/{company_id}"),
    Case("PATCH", "/companies/{company_id}", {"name": "Hijacked"}),
    Case("GET", "/departments", query="company_id={company}"),
    Case("GET", "/departments", query="parent_id={billing}"),
    Case("POST", "/departments", lambda r: {"name": "Mine", "parent_id": r["billing"]}),
    Case("POST", "/departments", lambda r: {"name": "Mine", "company_id": r["company"]}),
    Case("GET", "/departments/{department_id}"),
    Case("PATCH", "/departments/{department_id}", {"name": "Hijacked"}),
    Case("DELETE", "/departments/{department_id}", ids={"department_id": "l1"}),
    Case("GET", "/users", query="company_id={company}"),
    Case("GET", "/users", query="department_id={billing}"),
    Case("POST", "/users", new_user),
    Case("POST", "/users/bulk", lambda r: {"company_id": r["company"]}, upload=True),
    Case("POST", "/users/bulk", lambda r: {"department_id": r["sales"]}, upload=True),
    Case("GET", "/users/{user_id}"),
    Case("PATCH", "/users/{user_id}", {"first_name": "Hijacked"}),
    Case("DELETE", "/users/{user_id}"),
    Case("POST", "/users/{user_id}/lock"),
    Case("POST", "/users/{user_id}/unlock"),
    Case("POST", "/users/{user_id}/password", {"generate": True}),
    Case("POST", "/users/{user_id}/welcome", {"kind": "welcome"}),
    Case("GET", "/administrators", query="company_id={company}"),
    Case("POST", "/administrators", new_admin),
    Case("GET", "/administrators/{admin_id}"),
    Case("PATCH", "/administrators/{admin_id}", {"first_name": "Hijacked"}),
    Case("DELETE", "/administrators/{admin_id}"),
    Case("GET", "/administrators/{admin_id}/rights"),
    Case("PUT", "/administrators/{admin_id}/rights", {"rights": [], "read_only": True}),
    Case("POST", "/administrators/{admin_id}/password-reset"),
    Case("GET", "/companies/{company_id}/settings"),
    Case("PATCH", "/companies/{company_id}/settings/{tab}", {"inbound_file_type": "TIF"}),
    Case("POST", "/companies/{company_id}/settings/push", {"tabs": ["fax"]}),
    Case("GET", "/departments/{department_id}/settings"),
    Case("PATCH", "/departments/{department_id}/settings/{tab}", {"inbound_file_type": "TIF"}),
    Case("POST", "/departments/{department_id}/settings/push", {"tabs": ["fax"]}),
    Case("GET", "/users/{user_id}/settings"),
    Case("PATCH", "/users/{user_id}/settings/{tab}", {"inbound_file_type": "TIF"}),
    Case("GET", "/companies/{company_id}/security-policy"),
    Case("PUT", "/companies/{company_id}/security-policy", {"min_length": 12}),
    Case("DELETE", "/companies/{company_id}/security-policy"),
    Case("GET", "/departments/{department_id}/security-policy"),
    Case("PUT", "/departments/{department_id}/security-policy", {"min_length": 12}),
    Case("DELETE", "/departments/{department_id}/security-policy"),
    Case("DELETE", "/api-keys/{key_id}"),
    Case("GET", "/users/bulk/{job_id}"),
]
# Not about one object: checked by test_outsider_lists_show_nothing_of_another_company.
OUTSIDER_NOT_OBJECTS = {
    ("GET", "/me"),
    ("GET", "/companies"),
    ("POST", "/companies"),
    ("GET", "/rights"),
    ("GET", "/security-policy/global"),
    ("PUT", "/security-policy/global"),
    ("GET", "/audit-events"),
    ("GET", "/api-keys"),
    ("POST", "/api-keys"),
}


def test_outsider_gets_404_for_every_object(
    cast: Cast, call: Call, api_key: Callable[[User], str]
) -> None:
    api_key(cast.outsider_admin)
    api_key(cast.company_admin)
    refs = refs_of(cast, ApiKey.objects.get(user=cast.company_admin).pk)
    # Customized policies exist, so a 404 is not a "nothing to reset" answer in disguise.
    SecurityPolicy.objects.create(company=cast.company, description="Acme")
    SecurityPolicy.objects.create(company=cast.company, department=cast.billing)
    acme_users = User.objects.filter(company=cast.company, deleted_at__isnull=True)
    before = acme_users.count()

    def check(case: Case) -> str | None:
        response = send(call, cast.outsider_admin, case, refs)
        if response.status_code != 404 or response.json()["code"] != "not_found":
            return f"{response.status_code} {response.content[:200]!r}"
        if (
            acme_users.count() != before
            or Department.objects.filter(company=cast.company).count() != 3
            or SecurityPolicy.objects.filter(company=cast.company).count() != 2
        ):
            return "changed Acme's data"
        return None

    assert each_case(OUTSIDER, check) == []


def test_outsider_lists_show_nothing_of_another_company(cast: Cast, call: Call) -> None:
    otto = cast.outsider_admin
    names = [c["name"] for c in call(otto, "get", "/companies").json()["items"]]
    assert names == ["Globex"]
    assert call(otto, "get", "/departments").json() == {"items": [], "count": 0}
    users = call(otto, "get", "/users").json()["items"]
    assert [u["username"] for u in users] == ["gina"]
    admins = call(otto, "get", "/administrators").json()["items"]
    assert [a["username"] for a in admins] == ["otto"]
    events = call(otto, "get", "/audit-events", limit=500).json()["items"]
    assert events and {e["company_id"] for e in events} == {cast.outsider_company.pk}
    keys = call(otto, "get", "/api-keys").json()["items"]
    assert {k["id"] for k in keys} == set(
        ApiKey.objects.filter(user=otto).values_list("pk", flat=True)
    )
    # Operator-only: a company administrator is refused, not shown the global policy.
    assert call(otto, "get", "/security-policy/global").status_code == 403
    assert call(otto, "put", "/security-policy/global", {"min_length": 4}).status_code == 403
    assert call(otto, "post", "/companies", {"name": "Otto Co"}).status_code == 403


# --- department administrators: sibling subtrees are 404 ------------------------------

SIBLING = [
    Case("GET", "/departments/{department_id}", ids={"department_id": "sales"}),
    Case("PATCH", "/departments/{department_id}", {"name": "X"}, ids={"department_id": "sales"}),
    Case("GET", "/departments", query="parent_id={sales}"),
    Case("GET", "/users/{user_id}", ids={"user_id": "sarah"}),
    Case("POST", "/users/{user_id}/lock", ids={"user_id": "sarah"}),
    Case("GET", "/users", query="department_id={sales}"),
    Case("GET", "/users/{user_id}/settings", ids={"user_id": "sarah"}),
    Case("GET", "/departments/{department_id}/settings", ids={"department_id": "sales"}),
    Case("GET", "/departments/{department_id}/security-policy", ids={"department_id": "sales"}),
    Case("GET", "/administrators/{admin_id}", ids={"admin_id": "carol"}),
    Case("PUT", "/administrators/{admin_id}/rights", {"rights": []}, ids={"admin_id": "carol"}),
    Case("POST", "/administrators/{admin_id}/password-reset", ids={"admin_id": "carol"}),
    Case("POST", "/users", lambda r: new_user(r)),  # department_id is Sales
    Case("GET", "/users/bulk/{job_id}"),  # Carol's upload
]


def test_department_admin_cannot_see_sibling_department(cast: Cast, call: Call) -> None:
    refs = refs_of(cast, key_id=0)
    call(cast.dept_admin, "get", "/me")  # her key, outside the savepoints

    def check(case: Case) -> str | None:
        response = send(call, cast.dept_admin, case, refs)
        if response.status_code != 404:
            return f"{response.status_code} {response.content[:200]!r}"
        return None

    assert each_case(SIBLING, check) == []


def test_department_admin_lists_only_their_subtree(cast: Cast, call: Call) -> None:
    departments = call(cast.dept_admin, "get", "/departments").json()
    assert [d["name"] for d in departments["items"]] == ["Billing Dept", "Billing Level 1"]
    users = call(cast.dept_admin, "get", "/users").json()
    assert [u["username"] for u in users["items"]] == ["bill"]


# --- read-only administrators: 403 on every write -------------------------------------

READ_ONLY = [
    Case("POST", "/companies", {"name": "Rita Co"}),
    Case("PATCH", "/companies/{company_id}", {"name": "Renamed"}),
    Case("POST", "/departments", {"name": "New"}),
    Case("PATCH", "/departments/{department_id}", {"name": "Renamed"}),
    Case("DELETE", "/departments/{department_id}", ids={"department_id": "l1"}),
    Case("POST", "/users", new_user),
    Case("POST", "/users/bulk", upload=True),
    Case("PATCH", "/users/{user_id}", {"first_name": "Renamed"}),
    Case("DELETE", "/users/{user_id}"),
    Case("POST", "/users/{user_id}/lock"),
    Case("POST", "/users/{user_id}/unlock"),
    Case("POST", "/users/{user_id}/password", {"generate": True}),
    Case("POST", "/users/{user_id}/welcome", {"kind": "with_credentials"}),
    Case("POST", "/administrators", new_admin),
    Case("PATCH", "/administrators/{admin_id}", {"first_name": "Renamed"}),
    Case("DELETE", "/administrators/{admin_id}"),
    Case("PUT", "/administrators/{admin_id}/rights", {"rights": [], "read_only": False}),
    Case("POST", "/administrators/{admin_id}/password-reset"),
    Case("PATCH", "/companies/{company_id}/settings/{tab}", {"inbound_file_type": "TIF"}),
    Case("POST", "/companies/{company_id}/settings/push", {"tabs": ["fax"]}),
    Case("PATCH", "/departments/{department_id}/settings/{tab}", {"inbound_file_type": "TIF"}),
    Case("POST", "/departments/{department_id}/settings/push", {"tabs": ["fax"]}),
    Case("PATCH", "/users/{user_id}/settings/{tab}", {"inbound_file_type": "TIF"}),
    Case("PUT", "/companies/{company_id}/security-policy", {"min_length": 12}),
    Case("DELETE", "/companies/{company_id}/security-policy"),
    Case("PUT", "/departments/{department_id}/security-policy", {"min_length": 12}),
    Case("DELETE", "/departments/{department_id}/security-policy"),
    Case("PUT", "/security-policy/global", {"min_length": 12}),
]
# Personal credentials, not the account hierarchy: a read-only administrator manages their
# own API keys (test_read_only_admin_manages_own_api_keys).
READ_ONLY_EXEMPT = {("POST", "/api-keys"), ("DELETE", "/api-keys/{key_id}")}


def test_read_only_admin_cannot_write(cast: Cast, call: Call) -> None:
    SecurityPolicy.objects.create(company=cast.company, description="Acme")
    SecurityPolicy.objects.create(company=cast.company, department=cast.billing)
    User.objects.filter(pk=cast.billing_user.pk).update(is_locked=True)
    refs = refs_of(cast, key_id=0)
    call(cast.read_only_admin, "get", "/me")  # her key, outside the savepoints

    def state() -> tuple[Any, ...]:
        return (
            sorted(
                map(
                    repr,
                    User.objects.values_list("pk", "username", "first_name", "is_locked", "rights"),
                )
            ),
            set(Department.objects.values_list("pk", "name")),
            SecurityPolicy.objects.filter(company=cast.company).count(),
            global_policy().min_length,
        )

    before = state()

    def check(case: Case) -> str | None:
        response = send(call, cast.read_only_admin, case, refs)
        if response.status_code != 403 or response.json()["code"] not in {"read_only", "forbidden"}:
            return f"{response.status_code} {response.content[:200]!r}"
        if state() != before:
            return "changed something"
        return None

    assert each_case(READ_ONLY, check) == []


def test_read_only_admin_manages_own_api_keys(cast: Cast, call: Call) -> None:
    created = call(cast.read_only_admin, "post", "/api-keys", {"name": "reporting"})
    assert created.status_code == 201
    revoked = call(cast.read_only_admin, "delete", f"/api-keys/{created.json()['id']}")
    assert revoked.status_code == 204


# --- bad input: 422 naming the field --------------------------------------------------

BAD_INPUT = [
    Case("GET", "/companies", query="limit=0", expect_field="limit"),
    Case("POST", "/companies", {"name": "  "}, expect_field="name"),
    Case("PATCH", "/companies/{company_id}", {"name": ""}, expect_field="name"),
    Case("GET", "/departments", query="parent_id=abc", expect_field="parent_id"),
    Case("POST", "/departments", {"name": ""}, expect_field="name"),
    Case("POST", "/departments", {"parent_id": None}, expect_field="name"),
    Case("PATCH", "/departments/{department_id}", {"name": "Sales"}, expect_field="name"),
    Case("GET", "/users", query="locked=maybe", expect_field="locked"),
    Case("POST", "/users", lambda r: {**new_user(r), "email": "nope"}, expect_field="email"),
    Case("POST", "/users", lambda r: {**new_user(r), "colour": "red"}, expect_field="colour"),
    Case("POST", "/users/bulk", expect_field="file"),  # no file at all
    Case(
        "PATCH",
        "/users/{user_id}",
        {"receiving_emails": [f"{n}@acme.example" for n in "abcd"]},
        expect_field="receiving_emails",
    ),
    Case("POST", "/users/{user_id}/password", {"password": "abc"}, expect_field="password"),
    Case("POST", "/users/{user_id}/welcome", {"kind": "password"}, expect_field="kind"),
    Case("GET", "/administrators", query="offset=-1", expect_field="offset"),
    Case(
        "POST",
        "/administrators",
        lambda r: {**new_admin(r), "time_zone": "Mars/Olympus"},
        expect_field="time_zone",
    ),
    Case("PATCH", "/administrators/{admin_id}", {"email": "bad"}, expect_field="email"),
    Case(
        "PUT",
        "/administrators/{admin_id}/rights",
        {"rights": ["no.such.right"], "read_only": False},
        expect_field="rights",
    ),
    Case(
        "PATCH",
        "/companies/{company_id}/settings/{tab}",
        {"inbound_file_type": "TIF"},
        ids={"tab": "nope"},
        expect_field="tab",
    ),
    Case(
        "PATCH",
        "/companies/{company_id}/settings/{tab}",
        {"ftp_port": 0},
        ids={"tab": "archive"},
        expect_field="settings.archive.ftp_port",
    ),
    Case("POST", "/companies/{company_id}/settings/push", {"tabs": []}, expect_field="tabs"),
    Case(
        "PATCH",
        "/departments/{department_id}/settings/{tab}",
        {"inbound_file_type": "DOC"},
        expect_field="settings.fax.inbound_file_type",
    ),
    Case(
        "POST", "/departments/{department_id}/settings/push", {"tabs": ["x"]}, expect_field="tabs.0"
    ),
    Case(
        "PATCH",
        "/users/{user_id}/settings/{tab}",
        {"enabled": True},
        ids={"tab": "archive"},  # users carry no archive tab
        expect_field="tab",
    ),
    Case("PUT", "/security-policy/global", {"min_length": 2}, expect_field="min_length"),
    Case(
        "PUT",
        "/companies/{company_id}/security-policy",
        {"min_length": 8, "max_length": 6},
        expect_field="max_length",
    ),
    Case(
        "PUT",
        "/departments/{department_id}/security-policy",
        {"lockout_attempts": "many"},
        expect_field="lockout_attempts",
    ),
    Case("GET", "/audit-events", query="limit=100000", expect_field="limit"),
    Case("GET", "/api-keys", query="limit=0", expect_field="limit"),
    Case("POST", "/api-keys", {"name": ""}, expect_field="name"),
]
# Nothing to get wrong but the path, whose ids are matched as integers by the URL.
NO_INPUT = {
    ("GET", "/me"),
    ("GET", "/users/bulk/{job_id}"),
    ("GET", "/rights"),
    ("GET", "/companies/{company_id}"),
    ("GET", "/departments/{department_id}"),
    ("DELETE", "/departments/{department_id}"),
    ("GET", "/users/{user_id}"),
    ("DELETE", "/users/{user_id}"),
    ("POST", "/users/{user_id}/lock"),
    ("POST", "/users/{user_id}/unlock"),
    ("GET", "/administrators/{admin_id}"),
    ("DELETE", "/administrators/{admin_id}"),
    ("GET", "/administrators/{admin_id}/rights"),
    ("POST", "/administrators/{admin_id}/password-reset"),
    ("GET", "/companies/{company_id}/settings"),
    ("GET", "/departments/{department_id}/settings"),
    ("GET", "/users/{user_id}/settings"),
    ("GET", "/security-policy/global"),
    ("GET", "/companies/{company_id}/security-policy"),
    ("DELETE", "/companies/{company_id}/security-policy"),
    ("GET", "/departments/{department_id}/security-policy"),
    ("DELETE", "/departments/{department_id}/security-policy"),
    ("DELETE", "/api-keys/{key_id}"),
}
OPERATOR_ONLY = {
    ("POST", "/companies"),
    ("POST", "/companies/{company_id}/settings/push"),
    ("POST", "/departments/{department_id}/settings/push"),
    ("PUT", "/security-policy/global"),
}


def test_bad_input_is_422_naming_the_field(cast: Cast, call: Call) -> None:
    refs = refs_of(cast, key_id=0)
    call(cast.operator, "get", "/me")  # keys outside the savepoints
    call(cast.company_admin, "get", "/me")

    def check(case: Case) -> str | None:
        operator_only = (case.method, case.route) in OPERATOR_ONLY
        caller = cast.operator if operator_only else cast.company_admin
        users_before = User.objects.count()
        if case.route == "/users/bulk":
            response = call(caller, "post", "/users/bulk", files={})
        else:
            response = send(call, caller, case, refs)
        body = response.json()
        if response.status_code != case.expect_status or body.get("field") != case.expect_field:
            return f"{response.status_code} {body}"
        if not (body["code"] and body["message"]):
            return "no code or message"
        if User.objects.count() != users_before:
            return "created a user"
        return None

    assert each_case(BAD_INPUT, check) == []


def test_tables_cover_every_endpoint() -> None:
    everything = operations()
    assert len(everything) >= 40
    outsider = {(c.method, c.route) for c in OUTSIDER}
    assert outsider | OUTSIDER_NOT_OBJECTS == everything
    writes = {op for op in everything if op[0] != "GET"}
    assert {(c.method, c.route) for c in READ_ONLY} | READ_ONLY_EXEMPT == writes
    assert {(c.method, c.route) for c in BAD_INPUT} | NO_INPUT == everything
