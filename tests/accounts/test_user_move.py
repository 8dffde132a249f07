"""Moving a fax user to another department: the service, the API and the User Details page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from faxline.accounts.access import Actor
from faxline.accounts.models import Department, User
from faxline.accounts.services.api_keys import api_key_create
from faxline.accounts.services.departments import department_create, department_delete
from faxline.accounts.services.users import user_move
from faxline.core.errors import Forbidden, NotFound
from faxline.core.models import AuditEvent

from cast import Cast

pytestmark = pytest.mark.django_db
Call = Callable[..., Any]


@pytest.fixture
def call(client: Client) -> Call:
    """A JSON request to /api/v1 as ``user``, with an API key made by the real service."""

    def send(user: User, method: str, path: str, body: Any = None) -> Any:
        secret = api_key_create(actor=Actor(user=user), name="tests").secret
        fn = getattr(client, method)
        return fn(
            "/api/v1" + path,
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )

    return send


def _dept_of(user: User) -> int | None:
    return User.objects.get(pk=user.pk).department_id


def test_company_admin_moves_sarah_and_sales_can_then_be_deleted(cast: Cast) -> None:
    carol = cast.actor(cast.company_admin)
    sarah = cast.sales_user
    settings_before = User.objects.get(pk=sarah.pk).settings
    user_move(actor=carol, user=sarah, department=cast.billing_l1)
    moved = User.objects.get(pk=sarah.pk)
    assert moved.department_id == cast.billing_l1.pk
    assert moved.settings == settings_before  # settings are copied at creation only
    event = AuditEvent.objects.get(kind="user.moved", target_id=str(sarah.pk))
    assert event.detail == {
        "from_department_id": cast.sales.pk,
        "to_department_id": cast.billing_l1.pk,
    }
    department_delete(actor=carol, department=cast.sales)
    assert not Department.objects.filter(pk=cast.sales.pk).exists()


def test_company_admin_moves_to_company_level_and_unchanged_is_a_no_op(cast: Cast) -> None:
    carol = cast.actor(cast.company_admin)
    user_move(actor=carol, user=cast.billing_user, department=None)
    assert _dept_of(cast.billing_user) is None
    user_move(actor=carol, user=cast.billing_user, department=None)
    assert AuditEvent.objects.filter(kind="user.moved").count() == 1


def test_department_admin_stays_inside_the_subtree(cast: Cast) -> None:
    dana = cast.actor(cast.dept_admin)
    bill = cast.billing_user
    with pytest.raises(Forbidden):
        user_move(actor=dana, user=bill, department=None)
    with pytest.raises(NotFound):
        user_move(actor=dana, user=bill, department=cast.sales)
    with pytest.raises(NotFound):  # Sarah is outside Dana's subtree
        user_move(actor=dana, user=cast.sales_user, department=cast.billing)
    assert _dept_of(bill) == cast.billing_l1.pk
    user_move(actor=dana, user=bill, department=cast.billing)  # inside: allowed
    assert _dept_of(bill) == cast.billing.pk


def test_outsider_and_read_only_are_refused(cast: Cast) -> None:
    with pytest.raises(NotFound):
        user_move(actor=cast.actor(cast.outsider_admin), user=cast.sales_user, department=None)
    with pytest.raises(NotFound):  # a department of another company
        user_move(actor=cast.actor(cast.company_admin), user=cast.outsider_user, department=None)
    with pytest.raises(Forbidden):
        user_move(
            actor=cast.actor(cast.read_only_admin), user=cast.sales_user, department=cast.billing
        )
    assert _dept_of(cast.sales_user) == cast.sales.pk
    assert not AuditEvent.objects.filter(kind="user.moved").exists()


def test_api_patch_moves_the_user(cast: Cast, call: Call) -> None:
    sarah = cast.sales_user
    path = f"/users/{sarah.pk}"
    response = call(cast.company_admin, "patch", path, {"department_id": cast.billing_l1.pk})
    assert response.status_code == 200, response.content
    assert _dept_of(sarah) == cast.billing_l1.pk
    response = call(cast.company_admin, "patch", path, {"department_id": None})
    assert response.status_code == 200
    assert _dept_of(sarah) is None
    assert AuditEvent.objects.filter(kind="user.moved").count() == 2


def test_api_bad_department_is_404_on_its_field_and_changes_nothing(cast: Cast, call: Call) -> None:
    sarah = cast.sales_user
    path = f"/users/{sarah.pk}"
    events = AuditEvent.objects.filter(target_id=str(sarah.pk)).count()
    for bad in (999999, _globex_department(cast).pk):
        response = call(
            cast.company_admin, "patch", path, {"first_name": "Changed", "department_id": bad}
        )
        assert response.status_code == 404
        assert "department_id" in response.content.decode()
    fresh = User.objects.get(pk=sarah.pk)
    assert (fresh.first_name, fresh.department_id) == ("Sarah", cast.sales.pk)
    assert AuditEvent.objects.filter(target_id=str(sarah.pk)).count() == events


def test_api_department_admin_and_read_only(cast: Cast, call: Call) -> None:
    bill = f"/users/{cast.billing_user.pk}"
    dana = cast.dept_admin
    assert call(dana, "patch", bill, {"department_id": None}).status_code == 403
    assert call(dana, "patch", bill, {"department_id": cast.sales.pk}).status_code == 404
    rita = cast.read_only_admin
    assert call(rita, "patch", bill, {"department_id": cast.billing.pk}).status_code == 403
    otto = cast.outsider_admin
    assert call(otto, "patch", bill, {"department_id": None}).status_code == 404
    assert _dept_of(cast.billing_user) == cast.billing_l1.pk


def _globex_department(cast: Cast) -> Department:
    return department_create(
        actor=cast.actor(cast.outsider_admin),
        company=cast.outsider_company,
        parent=None,
        name="Globex Sales",
    )


def _details_post(user: User, **extra: str) -> dict[str, str]:
    return {
        "tab": "details",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        **extra,
    }


def test_portal_details_tab_moves_the_user(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.company_admin)
    sarah = cast.sales_user
    url = reverse("accounts:user_details", args=[sarah.pk]) + "?tab=details"
    html = client.get(url).content.decode()
    assert 'name="department"' in html and "Company level" in html
    assert "Billing Dept -&gt; Billing Level 1" in html
    response = client.post(url, _details_post(sarah, department=str(cast.billing_l1.pk)))
    assert response.status_code == 302
    assert _dept_of(sarah) == cast.billing_l1.pk
    response = client.post(url, _details_post(sarah, department="company"))
    assert response.status_code == 302
    assert _dept_of(sarah) is None
    response = client.post(url, _details_post(sarah))  # select not posted: stays
    assert response.status_code == 302
    assert _dept_of(sarah) is None


def test_portal_department_admin_sees_only_the_subtree(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.dept_admin)
    bill = cast.billing_user
    url = reverse("accounts:user_details", args=[bill.pk]) + "?tab=details"
    html = client.get(url).content.decode()
    assert "Company level" not in html and ">Sales<" not in html
    response = client.post(url, _details_post(bill, department=str(cast.sales.pk)))
    assert response.status_code == 422  # not a choice
    response = client.post(url, _details_post(bill, department="company"))
    assert response.status_code == 422
    assert _dept_of(bill) == cast.billing_l1.pk
    response = client.post(url, _details_post(bill, department=str(cast.billing.pk)))
    assert response.status_code == 302
    assert _dept_of(bill) == cast.billing.pk
