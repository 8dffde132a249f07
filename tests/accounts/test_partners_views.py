"""Settings ▸ Channel Partners (operators only): add partners, give them sign-ins, assign
client companies; and the Channel partner choice of Add Company.

Uses the standard cast (tests/cast.py): Olga the operator, Carol (company administrator of
Acme), Globex the other company.
"""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import ChannelPartner, Company, User
from faxline.accounts.services.partners import channel_partner_create, channel_partner_staff_create

from cast import PASSWORD, Cast

pytestmark = pytest.mark.django_db

URL = "/settings/accounts/partners/"


def text(response: Any) -> str:
    return unescape(response.content.decode())


def post(client: Client, action: str, **values: Any) -> Any:
    data = {f"{action}-{name}": value for name, value in values.items()}
    return client.post(URL, {"action": action, **data}, follow=True)


def field_error(response: Any, field_id: str) -> str:
    """The error text shown under the field with ``field_id``."""
    html = response.content.decode()
    marker = f'id="{field_id}_error"'
    assert marker in html, f"no error on {field_id}"
    start = html.index(">", html.index(marker)) + 1
    return unescape(html[start : html.index("</div>", start)])


def test_url_and_menu(client: Client, cast: Cast) -> None:
    assert reverse("accounts:partners") == URL
    client.force_login(cast.operator)
    html = text(client.get(URL))
    assert "Channel Partners" in html
    assert "No channel partners yet." in html
    client.force_login(cast.company_admin)
    assert f'href="{URL}"' not in text(client.get(reverse("accounts:tree")))


def test_operator_adds_partner_sign_in_and_assigns_acme(client: Client, cast: Cast) -> None:
    client.force_login(cast.operator)
    response = post(client, "partner", name="Resell Co")
    assert response.status_code == 200
    assert "Channel partner Resell Co was added." in text(response)
    partner = ChannelPartner.objects.get(name="Resell Co")

    response = post(
        client,
        "staff",
        partner=partner.pk,
        first_name="Pia",
        last_name="Partner",
        email="pia@resell.example",
        use_email_as_username="on",
        generate_password="on",
    )
    assert response.status_code == 200
    pia = User.objects.get(username="pia@resell.example")
    assert pia.role == Role.CHANNEL_PARTNER
    assert pia.channel_partner_id == partner.pk
    html = response.content.decode()
    assert 'data-testid="generated-password"' in html
    start = html.index(">", html.index('data-testid="generated-password"')) + 1
    password = unescape(html[start : html.index("</output>", start)])
    assert password
    # Shown once only.
    assert 'data-testid="generated-password"' not in text(client.get(URL))

    response = post(client, "assign", company=cast.company.pk, partner=partner.pk)
    assert "Acme Corp is now a client of Resell Co." in text(response)
    cast.company.refresh_from_db()
    assert cast.company.channel_partner_id == partner.pk
    listing = text(client.get(URL))
    assert "Acme Corp" in listing[listing.index('id="fx-partners"') :]
    assert "pia@resell.example" in listing

    other = Client()
    assert other.login(username="pia@resell.example", password=password)
    names = [c["name"] for c in other.get("/api/v1/companies").json()["items"]]
    assert names == ["Acme Corp"]

    # "No partner" takes Acme away again.
    response = post(client, "assign", company=cast.company.pk, partner="")
    assert "Acme Corp no longer has a channel partner." in text(response)
    cast.company.refresh_from_db()
    assert cast.company.channel_partner_id is None


def test_sign_in_with_a_chosen_password(client: Client, cast: Cast) -> None:
    partner = channel_partner_create(actor=Actor(user=cast.operator), name="Resell Co")
    client.force_login(cast.operator)
    response = post(
        client,
        "staff",
        partner=partner.pk,
        first_name="Pete",
        last_name="Partner",
        email="pete@resell.example",
        username="pete",
        password=PASSWORD,
    )
    assert 'data-testid="generated-password"' not in text(response)
    assert Client().login(username="pete", password=PASSWORD)


def test_not_for_anyone_but_operators(client: Client, cast: Cast) -> None:
    partner = channel_partner_create(actor=Actor(user=cast.operator), name="Resell Co")
    pia = channel_partner_staff_create(
        actor=Actor(user=cast.operator),
        partner=partner,
        first_name="Pia",
        last_name="Partner",
        email="pia@resell.example",
        username="pia",
        password=PASSWORD,
    ).user
    for user in (cast.company_admin, pia, cast.billing_user):
        client.force_login(user)
        assert client.get(URL).status_code == 404
        assert client.post(URL, {"action": "partner", "partner-name": "Nope"}).status_code == 404
    assert not ChannelPartner.objects.filter(name="Nope").exists()
    client.logout()
    assert client.get(URL).status_code == 302


def test_bad_input_shows_error_on_the_field_and_writes_nothing(client: Client, cast: Cast) -> None:
    partner = channel_partner_create(actor=Actor(user=cast.operator), name="Resell Co")
    client.force_login(cast.operator)

    response = post(client, "partner", name="")
    assert field_error(response, "id_partner-name")
    response = post(client, "partner", name="resell co")
    assert "already exists" in field_error(response, "id_partner-name")
    assert ChannelPartner.objects.count() == 1

    users = User.objects.count()
    response = post(
        client,
        "staff",
        partner=partner.pk,
        first_name="Pia",
        last_name="Partner",
        email="not-an-email",
        use_email_as_username="on",
        generate_password="on",
    )
    assert field_error(response, "id_staff-email")
    response = post(
        client,
        "staff",
        partner=partner.pk,
        first_name="Pia",
        last_name="Partner",
        email="pia@resell.example",
        username="carol",
        generate_password="on",
    )
    assert "already taken" in field_error(response, "id_staff-username")
    assert User.objects.count() == users
    assert 'data-testid="generated-password"' not in text(response)

    response = post(client, "assign", company="999999", partner=partner.pk)
    assert field_error(response, "id_assign-company")
    assert not Company.objects.filter(channel_partner=partner).exists()


def test_add_company_with_a_partner(client: Client, cast: Cast) -> None:
    partner = channel_partner_create(actor=Actor(user=cast.operator), name="Resell Co")
    client.force_login(cast.operator)
    assert "Channel partner" in text(client.get(reverse("accounts:company_add")))
    response = client.post(
        reverse("accounts:company_add"), {"name": "Initech", "channel_partner": partner.pk}
    )
    assert response.status_code == 302
    assert Company.objects.get(name="Initech").channel_partner_id == partner.pk
    response = client.post(reverse("accounts:company_add"), {"name": "Umbrella"})
    assert response.status_code == 302
    assert Company.objects.get(name="Umbrella").channel_partner_id is None


def test_partner_adding_a_company_gets_no_partner_choice(client: Client, cast: Cast) -> None:
    partner = channel_partner_create(actor=Actor(user=cast.operator), name="Resell Co")
    pia = channel_partner_staff_create(
        actor=Actor(user=cast.operator),
        partner=partner,
        first_name="Pia",
        last_name="Partner",
        email="pia@resell.example",
        username="pia",
        password=PASSWORD,
    ).user
    client.force_login(pia)
    response = client.get(reverse("accounts:company_add"))
    assert 'name="channel_partner"' not in response.content.decode()
    response = client.post(reverse("accounts:company_add"), {"name": "Initech"})
    assert response.status_code == 302
    assert Company.objects.get(name="Initech").channel_partner_id == partner.pk
