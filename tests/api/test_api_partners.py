"""Channel partners: operators add them, give them sign-ins and assign clients; a
partner sees only its own clients."""

from __future__ import annotations

from conftest import Call
from faxline.accounts.models import User

from cast import Cast


def test_partner_sees_only_assigned_companies(cast: Cast, call: Call) -> None:
    response = call(cast.operator, "post", "/channel-partners", {"name": "Resell Co"})
    assert response.status_code == 201, response.content
    partner_id = response.json()["id"]
    response = call(
        cast.operator,
        "post",
        f"/channel-partners/{partner_id}/staff",
        {
            "first_name": "Pia",
            "last_name": "Partner",
            "email": "pia@resell.example",
            "use_email_as_username": True,
            "generate_password": True,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["generated_password"]
    pia = User.objects.get(username="pia@resell.example")
    # Nothing assigned yet: Acme is invisible.
    assert call(pia, "get", f"/companies/{cast.company.pk}").status_code == 404
    response = call(
        cast.operator,
        "put",
        f"/companies/{cast.company.pk}/channel-partner",
        {"channel_partner_id": partner_id},
    )
    assert response.status_code == 200
    assert call(pia, "get", f"/companies/{cast.company.pk}").status_code == 200
    names = [c["name"] for c in call(pia, "get", "/companies").json()["items"]]
    assert names == ["Acme Corp"]
    assert call(pia, "get", f"/companies/{cast.outsider_company.pk}").status_code == 404
    assert [p["id"] for p in call(pia, "get", "/channel-partners").json()["items"]] == [partner_id]


def test_only_operators_manage_partners(cast: Cast, call: Call) -> None:
    response = call(cast.company_admin, "post", "/channel-partners", {"name": "Nope"})
    assert response.status_code == 403
    response = call(cast.operator, "post", "/channel-partners", {"name": ""})
    assert response.status_code == 422
    assert response.json()["field"] == "name"
    response = call(
        cast.company_admin,
        "put",
        f"/companies/{cast.company.pk}/channel-partner",
        {"channel_partner_id": None},
    )
    assert response.status_code == 403
    assert call(None, "get", "/channel-partners").status_code == 401
