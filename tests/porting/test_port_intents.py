"""Keep my number (onboarding) → the port request: the list offers it, the wizard starts
prefilled, and creating the request takes the intent over."""

from __future__ import annotations

from django.test import Client
from porting_support import request_data

from faxline.onboarding.models import OnboardingOrder
from faxline.onboarding.selectors import pending_port_intents
from faxline.onboarding.services import first_sign_in_keep_number
from faxline.porting.requests.services import port_request_create

from cast import Cast


def test_keep_my_number_leads_to_the_port_request(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    first_sign_in_keep_number(
        actor=admin,
        company=cast.company,
        numbers=["+12062345678"],
        carrier="Old Telco",
        user_id=cast.sales_user.pk,
    )
    (intent,) = pending_port_intents(actor=admin)
    client = Client()
    client.force_login(cast.company_admin)
    listing = client.get("/settings/porting/").content.decode()
    assert "You asked to keep +12062345678" in listing
    assert f"?intent={intent.order_id}" in listing
    wizard = client.get(f"/settings/porting/new/?intent={intent.order_id}").content.decode()
    assert "2062345678" in wizard and "Old Telco" in wizard
    request = port_request_create(actor=admin, company=cast.company, data=request_data())
    assert pending_port_intents(actor=admin) == []
    order = OnboardingOrder.objects.get(company=cast.company)
    assert order.port_request_ref == str(request.pk)
