"""The menus show each person only what they can use (issue 7: a fax user was offered
Account Administration, which then answered "for administrators").

For every role of the standard cast (and a channel partner, and an administrator with few
rights), the entries offered are the expected ones, every entry offered opens its page, and
every entry withheld is refused: the menu and the pages' access rules agree."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import resolve, reverse

from faxline.accounts.access import Actor
from faxline.accounts.menu import portal_menus
from faxline.accounts.models import User
from faxline.accounts.services.partners import (
    channel_partner_create,
    channel_partner_staff_create,
    company_assign_channel_partner,
)
from faxline.portal.menu import NO_MENUS, registered

from cast import PASSWORD, Cast

pytestmark = pytest.mark.django_db

AA = "Account Administration"
PARTNERS = "Channel Partners"
INVENTORY = "Fax Number Inventory"
ONBOARDING = "Onboarding"
PORTING = "Number Porting"
DESK = "Porting Desk"
SANDBOX = "Sandbox PSTN"
TRUNKS = "SIP Trunks"
WEBHOOKS = "Webhooks"
KEYS = "API keys"
PASSWORD_CHANGE = "Change password"
AUDIT = "Audit log"
LOG = "Notification log"
EMAIL_LOG = "Email to fax log"
RECEIVED = "Received faxes"
SENT = "Sent faxes"
SETTINGS_ALL = [AA, PARTNERS, INVENTORY, ONBOARDING, PORTING, DESK, WEBHOOKS]


@dataclass
class Expected:
    settings: list[str]
    account: list[str]


def _partner(cast: Cast) -> User:
    operator = Actor(user=cast.operator)
    partner = channel_partner_create(actor=operator, name="Reseller Inc")
    company_assign_channel_partner(actor=operator, company=cast.company, partner=partner)
    return channel_partner_staff_create(
        actor=operator,
        partner=partner,
        first_name="Pia",
        last_name="Partner",
        email="pia@reseller.example",
        username="pia",
        password=PASSWORD,
    ).user


def _person(cast: Cast, role: str) -> User:
    if role == "channel partner":
        return _partner(cast)
    if role == "administrator without view rights":
        User.objects.filter(pk=cast.dept_admin.pk).update(rights=["users.manage"])
        return User.objects.get(pk=cast.dept_admin.pk)
    return {
        "operator": cast.operator,
        "company administrator": cast.company_admin,
        "department administrator": cast.dept_admin,
        "read-only administrator": cast.read_only_admin,
        "fax user": cast.billing_user,
    }[role]


EXPECTED = {
    "operator": Expected(
        [*SETTINGS_ALL, SANDBOX, TRUNKS],
        [RECEIVED, SENT, KEYS, PASSWORD_CHANGE, AUDIT, LOG, EMAIL_LOG],
    ),
    "channel partner": Expected(
        [AA, INVENTORY, ONBOARDING, PORTING, WEBHOOKS],
        [RECEIVED, SENT, KEYS, PASSWORD_CHANGE, AUDIT, LOG, EMAIL_LOG],
    ),
    "company administrator": Expected(
        [AA, INVENTORY, ONBOARDING, PORTING, WEBHOOKS],
        [RECEIVED, SENT, KEYS, PASSWORD_CHANGE, AUDIT, LOG, EMAIL_LOG],
    ),
    "department administrator": Expected(
        [AA, INVENTORY, PORTING], [RECEIVED, SENT, KEYS, PASSWORD_CHANGE]
    ),
    "read-only administrator": Expected(
        [AA, INVENTORY, ONBOARDING, PORTING, WEBHOOKS],
        [RECEIVED, SENT, KEYS, PASSWORD_CHANGE, AUDIT, LOG, EMAIL_LOG],
    ),
    "administrator without view rights": Expected([AA], [SENT, KEYS, PASSWORD_CHANGE]),
    "fax user": Expected([], [RECEIVED, SENT, KEYS, PASSWORD_CHANGE]),
}


def _menus(user: User, path: str = "/"):
    from django.test import RequestFactory

    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return portal_menus(request)["portal_menus"]


def _opens(client: Client, url_name: str) -> bool:
    """Whether the page opens for the client: it answers 200 within its own app (after any
    redirect), not a refusal, a 404 or a redirect elsewhere with an error."""
    url = reverse(url_name)
    response = client.get(url, follow=True)
    if response.status_code != 200:
        return False
    landed = resolve(response.request["PATH_INFO"])
    return landed.app_name == resolve(url).app_name


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_is_offered_what_it_can_use(cast: Cast, role: str) -> None:
    user = _person(cast, role)
    menus = _menus(user)
    expected = EXPECTED[role]
    assert [item.label for item in menus.settings] == expected.settings
    assert [item.label for item in menus.account] == expected.account

    client = Client()
    client.force_login(user)
    for entry in registered():
        offered = entry.label in menus.labels
        assert _opens(client, entry.url_name) is offered, (role, entry.label)


def test_the_shell_hides_the_settings_menu_from_a_fax_user(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.billing_user)
    html = client.get(reverse("portal:help")).content.decode()
    assert 'id="fx-settings-menu"' not in html
    assert AA not in html.replace("Your administrators manage all of this", "")
    assert f'href="{reverse("api_keys")}"' in html

    client.force_login(cast.dept_admin)
    html = client.get(reverse("portal:help")).content.decode()
    assert 'id="fx-settings-menu"' in html
    assert f'href="{reverse("accounts:tree")}"' in html
    assert f'href="{reverse("onboarding:index")}"' not in html
    assert f'href="{reverse("audit_log")}"' not in html


def test_the_current_page_is_marked(cast: Cast) -> None:
    menus = _menus(cast.operator, reverse("porting:console"))
    active = [item.label for item in menus.settings if item.active]
    assert active == [DESK] and menus.settings_active
    menus = _menus(cast.operator, reverse("porting:list"))
    assert [item.label for item in menus.settings if item.active] == [PORTING]
    menus = _menus(cast.operator, reverse("accounts:partners"))
    assert [item.label for item in menus.settings if item.active] == [PARTNERS]
    menus = _menus(cast.operator, reverse("accounts:tree"))
    assert [item.label for item in menus.settings if item.active] == [AA]
    menus = _menus(cast.operator, reverse("portal:help"))
    assert not menus.settings_active
    menus = _menus(cast.operator, reverse("audit_log"))
    assert [item.label for item in menus.account if item.active] == [AUDIT]


def test_signed_out_visitors_get_no_menus() -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/auth/login/")
    request.user = AnonymousUser()
    assert portal_menus(request) == {"portal_menus": NO_MENUS}
