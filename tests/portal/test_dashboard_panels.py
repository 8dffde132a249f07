"""The Dashboard lays out the panels that apps declare, each shown to whom its app says."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from faxline.accounts.choices import Role
from faxline.accounts.models import User
from faxline.core.contributions import collect
from faxline.faxing.credits import credits_balance
from faxline.portal.dashboard import Panel, registered_panels

from cast import Cast

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("portal:dashboard")


def page(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_apps_declare_the_panels_in_installed_apps_order() -> None:
    assert [(p.name, p.place) for p in registered_panels()] == [
        ("Fax Number Inventory", "side"),
        ("Fax credits", "side"),
        ("Get started", "banner"),
        ("Traffic", "main"),
    ]
    assert collect("dashboard_panels", Panel) == registered_panels()


def test_a_company_administrator_sees_inventory_then_credits(cast: Cast) -> None:
    html = page(cast.company_admin)
    inventory, credits = html.index('id="fx-inventory"'), html.index('id="fx-credits"')
    assert html.index('id="fx-dash-traffic"') < inventory < credits
    assert html.count(".fx-credits {") == 1 and html.count(".fx-inv-table {") == 1
    assert html.count('id="fx-pool"') == 1  # the dialog of Fax Pool Details, once
    balance = credits_balance(cast.company)
    assert f"{balance.plan} plan · {balance.period}" in html


def test_credits_follow_faxings_rule_not_the_inventory_right(cast: Cast) -> None:
    """An administrator without the right to view the inventory still sees the company's
    credits, as the API shows them (GET /api/v1/credits)."""
    clerk = User.objects.create_user(
        username="clerk",
        password="x",
        role=Role.ADMINISTRATOR,
        company=cast.company,
        first_name="Cleo",
        last_name="Clerk",
        email="cleo@acme.example",
        rights=[],
    )
    html = page(clerk)
    assert 'id="fx-inventory"' not in html and 'id="fx-pool"' not in html
    assert 'id="fx-credits"' in html and ".fx-credits {" in html


def test_a_fax_user_sees_only_the_traffic_chart(cast: Cast) -> None:
    html = page(cast.billing_user)
    assert 'id="fx-dash-traffic"' in html
    for panel in ('id="fx-inventory"', 'id="fx-credits"', 'id="fx-dash-welcome"'):
        assert panel not in html


def test_without_a_main_panel_the_others_take_the_page(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The portal knows no chart: with no app declaring a main panel there is no
    placeholder, only the panels that are declared."""
    import faxline.portal.dashboard as dashboard
    import faxline.portal.views as views

    others = [p for p in registered_panels() if p.place != "main"]
    monkeypatch.setattr(dashboard, "registered_panels", lambda: others)
    monkeypatch.setattr(views, "registered_panels", lambda: others)
    html = page(cast.company_admin)
    assert 'id="fx-inventory"' in html and 'id="fx-credits"' in html
    assert 'id="fx-dash-traffic"' not in html and "Coming soon" not in html
    assert "fx-dash-main" not in html


def test_the_welcome_question_comes_above_the_panels(cast: Cast) -> None:
    html = page(cast.company_admin)
    assert html.index('id="fx-dash-welcome"') < html.index('id="fx-dash-traffic"')
