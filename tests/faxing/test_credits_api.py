"""The fax credits API: balance, ledger, operators' adjustments and plans."""

from __future__ import annotations

from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.faxing import credits
from faxline.faxing.models import CreditPlan

from cast import Cast


def client_for(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_balance_and_ledger(cast: Cast) -> None:
    credits.credits_charge_outbound(company=cast.company, pages=3, international=True)
    admin = client_for(cast.company_admin)
    body = admin.get("/api/v1/credits").json()
    assert (body["allotment"], body["used"], body["balance"]) == (500, 15, 485)
    kinds = [e["kind"] for e in admin.get("/api/v1/credits/ledger").json()["items"]]
    assert kinds == ["outbound", "allotment"]
    assert client_for(cast.sales_user).get("/api/v1/credits").status_code == 403
    other = client_for(cast.outsider_admin)
    assert other.get(f"/api/v1/credits?company_id={cast.company.pk}").status_code == 404


def test_operator_adjusts_and_sets_plan(cast: Cast) -> None:
    url = f"/api/v1/companies/{cast.company.pk}/credits"
    admin, operator = client_for(cast.company_admin), client_for(cast.operator)
    body = {"credits": 50, "note": "goodwill"}
    assert (
        admin.post(f"{url}/adjustments", body, content_type="application/json").status_code == 403
    )
    response = operator.post(f"{url}/adjustments", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["balance"] == 550
    response = operator.post(f"{url}/adjustments", {"credits": 5}, content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "note"
    CreditPlan.objects.create(name="Pro", monthly_credits=2000)
    response = operator.put(f"{url}/plan", {"plan": "Nope"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "plan"
    response = operator.put(f"{url}/plan", {"plan": "Pro"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["plan"] == "Pro"
