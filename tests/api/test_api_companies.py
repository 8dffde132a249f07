"""GET /me and the company endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from faxline.accounts.models import ChannelPartner, Company
from faxline.accounts.rights import READ_RIGHTS
from faxline.core.models import AuditEvent

from cast import Cast

pytestmark = pytest.mark.django_db
Call = Callable[..., Any]


def test_me_describes_the_caller(cast: Cast, call: Call) -> None:
    me = call(cast.dept_admin, "get", "/me").json()
    assert me["id"] == cast.dept_admin.pk and me["username"] == "dana"
    assert me["role"] == "administrator" and me["read_only"] is False
    assert me["company_id"] == cast.company.pk and me["company_name"] == "Acme Corp"
    assert me["department_id"] == cast.billing.pk and me["department_name"] == "Billing Dept"
    assert "users.manage" in me["rights"] and me["password_change_required"] is False

    rita = call(cast.read_only_admin, "get", "/me").json()
    # Read-only: the view rights only.
    assert rita["read_only"] is True and set(rita["rights"]) == READ_RIGHTS
    bill = call(cast.billing_user, "get", "/me").json()
    assert bill["role"] == "fax_user"
    assert bill["department_name"] == "Billing Dept -> Billing Level 1"


def test_company_list_is_scoped(cast: Cast, call: Call) -> None:
    everything = call(cast.operator, "get", "/companies").json()
    assert everything["count"] == 2
    assert [c["name"] for c in everything["items"]] == ["Acme Corp", "Globex"]
    assert [c["name"] for c in call(cast.company_admin, "get", "/companies").json()["items"]] == [
        "Acme Corp"
    ]
    assert call(cast.billing_user, "get", "/companies").json()["count"] == 1
    page = call(cast.operator, "get", "/companies", limit=1, offset=1).json()
    assert page == {"items": [page["items"][0]], "count": 2}
    assert page["items"][0]["name"] == "Globex"


def test_channel_partner_sees_only_their_clients(cast: Cast, call: Call) -> None:
    from faxline.accounts.models import User

    partner = ChannelPartner.objects.create(name="Reseller")
    Company.objects.filter(pk=cast.outsider_company.pk).update(channel_partner=partner)
    staff = User.objects.create_user(
        username="paula",
        password="x",
        role="channel_partner",
        channel_partner=partner,
        first_name="Paula",
        last_name="Partner",
        email="paula@reseller.example",
    )
    names = [c["name"] for c in call(staff, "get", "/companies").json()["items"]]
    assert names == ["Globex"]
    assert call(staff, "get", f"/companies/{cast.company.pk}").status_code == 404


def test_operator_creates_company(cast: Cast, call: Call) -> None:
    partner = ChannelPartner.objects.create(name="Reseller")
    response = call(
        cast.operator,
        "post",
        "/companies",
        {"name": "Initech", "domain": "initech.example", "channel_partner_id": partner.pk},
    )
    assert response.status_code == 201
    body = response.json()
    company = Company.objects.get(pk=body["id"])
    assert (company.name, company.domain, company.channel_partner) == (
        "Initech",
        "initech.example",
        partner,
    )
    assert body["channel_partner_id"] == partner.pk
    assert AuditEvent.objects.filter(kind="company.created", target_id=str(company.pk)).exists()
    clash = call(cast.operator, "post", "/companies", {"name": "initech"})
    assert clash.status_code == 422 and clash.json()["field"] == "name"
    missing = call(cast.operator, "post", "/companies", {"name": "X", "channel_partner_id": 999})
    assert missing.status_code == 404 and missing.json()["field"] == "channel_partner_id"


def test_company_details_and_change(cast: Cast, call: Call) -> None:
    path = f"/companies/{cast.company.pk}"
    details = call(cast.dept_admin, "get", path).json()
    assert details["name"] == "Acme Corp" and details["id"] == cast.company.pk

    changed = call(cast.company_admin, "patch", path, {"domain": "acme.example"})
    assert changed.status_code == 200
    assert changed.json()["domain"] == "acme.example" and changed.json()["name"] == "Acme Corp"
    cast.company.refresh_from_db()
    assert cast.company.domain == "acme.example"
    # A department administrator sees the company but cannot change its details.
    refused = call(cast.dept_admin, "patch", path, {"name": "Dana Corp"})
    assert refused.status_code == 403
    cast.company.refresh_from_db()
    assert cast.company.name == "Acme Corp"
