"""Settings ▸ SIP Trunks without a browser: operators only (404 for everyone else), read-only
operators look, the forms' refusals next to their field, a blank password kept, delete
confirmed, fallbacks cleared, rules added, the list's query count pinned."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.faxing.trunks import selectors, services
from faxline.faxing.trunks.models import DestinationMediaRule, SipTrunk, T38Fallback

from cast import Cast, make_operator

pytestmark = pytest.mark.django_db

LIST = "/settings/sip-trunks/"
FORM = {
    "name": "Carrier A",
    "host": "sip.carrier-a.example",
    "port": "5060",
    "transport": "udp",
    "authentication": "register",
    "username": "faxline",
    "password": "Tr0mb0ne-Secret",
    "auth_username": "",
    "register_expires": "3600",
    "outbound_proxy": "",
    "domain": "",
    "codecs": "PCMU,PCMA",
    "t38_mode": "preferred",
    "caller_id_format": "e164",
    "channels": "30",
    "priority": "10",
    "destinations": "+1, +44",
    "enabled": "on",
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    selectors.routing_cache_clear()
    yield
    selectors.routing_cache_clear()


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_trunk(cast: Cast, name: str = "Carrier A", **kw: Any) -> SipTrunk:
    kw.setdefault("host", "sip.carrier-a.example")
    return services.trunk_create(actor=Actor(user=cast.operator), name=name, **kw)


def test_everyone_but_an_operator_gets_404(cast: Cast) -> None:
    trunk = add_trunk(cast)
    paths = [LIST, f"{LIST}add/", f"{LIST}{trunk.pk}/", f"{LIST}{trunk.pk}/delete/"]
    for user in (cast.company_admin, cast.read_only_admin, cast.dept_admin, cast.billing_user):
        client = browser(user)
        for path in paths:
            assert client.get(path).status_code == 404, (user.username, path)
        assert client.post(f"{LIST}{trunk.pk}/disable/").status_code == 404
        assert client.post(f"{LIST}{trunk.pk}/delete/").status_code == 404
    assert SipTrunk.objects.get().enabled
    assert Client().get(LIST).status_code == 302  # to the sign-in page


def test_an_operator_adds_a_trunk_and_sees_it_listed(cast: Cast) -> None:
    client = browser(cast.operator)
    page = client.get(LIST)
    assert page.status_code == 200
    assert b'the <a href="/settings/sandbox-pstn/">sandbox PSTN</a> carries the calls' in (
        page.content
    )
    response = client.post(f"{LIST}add/", FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    trunk = SipTrunk.objects.get()
    assert (trunk.register, trunk.password, trunk.destinations) == (
        True,
        "Tr0mb0ne-Secret",
        ["+1", "+44"],
    )
    html = client.get(LIST).content.decode()
    assert "sip.carrier-a.example:5060/udp" in html and "Registration (faxline)" in html
    assert "+1, +44" in html and "Tr0mb0ne" not in html
    assert "sandbox-carries-calls" not in html


def test_an_edit_with_the_password_left_blank_keeps_it(cast: Cast) -> None:
    trunk = add_trunk(cast, register=True, username="faxline", password="Tr0mb0ne-Secret")
    client = browser(cast.operator)
    form = client.get(f"{LIST}{trunk.pk}/").content.decode()
    assert "Tr0mb0ne" not in form and "Stored (leave blank to keep it)." in form
    response = client.post(f"{LIST}{trunk.pk}/", {**FORM, "password": "", "channels": "12"})
    assert response.status_code == 302
    trunk.refresh_from_db()
    assert (trunk.channels, trunk.password) == (12, "Tr0mb0ne-Secret")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"port": "0"}, "port", "A port is a number from 1 to 65535."),
        ({"host": "bad host"}, "host", "is not a host name or an IP address"),
        ({"destinations": "+1, 44"}, "destinations", "is not an E.164 prefix"),
        ({"channels": "0"}, "channels", "Channels is a number from 1 to 1000."),
        ({"password": ""}, "password", "A registration-based trunk needs its password."),
    ],
)
def test_a_refusal_is_shown_next_to_its_field(
    cast: Cast, changes: dict[str, str], field: str, message: str
) -> None:
    response = browser(cast.operator).post(f"{LIST}add/", {**FORM, **changes})
    assert response.status_code == 422
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert not SipTrunk.objects.exists()


def test_disable_enable_and_delete_after_confirmation(cast: Cast) -> None:
    trunk = add_trunk(cast)
    client = browser(cast.operator)
    assert client.post(f"{LIST}{trunk.pk}/disable/").status_code == 302
    trunk.refresh_from_db()
    assert not trunk.enabled
    assert b"sandbox-carries-calls" in client.get(LIST).content
    client.post(f"{LIST}{trunk.pk}/enable/")
    trunk.refresh_from_db()
    assert trunk.enabled
    assert client.post(f"{LIST}{trunk.pk}/reboot/").status_code == 404
    confirm = client.get(f"{LIST}{trunk.pk}/delete/")
    assert confirm.status_code == 200 and b"Delete trunk" in confirm.content
    assert SipTrunk.objects.exists()
    assert client.post(f"{LIST}{trunk.pk}/delete/").status_code == 302
    assert not SipTrunk.objects.exists()


def test_a_read_only_operator_sees_but_cannot_change(cast: Cast) -> None:
    trunk = add_trunk(cast)
    looker = make_operator("readonly-op")
    User.objects.filter(pk=looker.pk).update(read_only=True)
    client = browser(User.objects.get(pk=looker.pk))
    page = client.get(LIST)
    assert page.status_code == 200 and b"Carrier A" in page.content
    assert b"Add trunk" not in page.content and b"read-only operator" in page.content
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}{trunk.pk}/disable/").status_code == 403
    assert SipTrunk.objects.get().enabled


def test_fallbacks_are_cleared_and_rules_added_on_the_page(cast: Cast) -> None:
    trunk = add_trunk(cast)
    services.t38_failure_learn("+442071234567", "488 Not Acceptable Here", trunk_key=str(trunk.pk))
    client = browser(cast.operator)
    html = client.get(LIST).content.decode()
    assert "+442071234567" in html and "488 Not Acceptable Here" in html
    fallback = T38Fallback.objects.get()
    assert client.post(f"{LIST}fallbacks/{fallback.pk}/clear/").status_code == 302
    assert not T38Fallback.objects.exists()

    added = client.post(f"{LIST}rules/add/", {"rule_prefix": "+44", "t38_mode": "g711_only"})
    assert added.status_code == 302
    refused = client.post(f"{LIST}rules/add/", {"rule_prefix": "44", "t38_mode": "g711_only"})
    assert refused.status_code == 422
    assert "is not an E.164 prefix" in refused.context["rule_form"].errors["rule_prefix"][0]
    rule = DestinationMediaRule.objects.get()
    assert "G.711 only" in client.get(LIST).content.decode()
    assert client.post(f"{LIST}rules/{rule.pk}/delete/").status_code == 302
    assert not DestinationMediaRule.objects.exists()


def test_the_list_page_query_count_is_pinned(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    add_trunk(cast)
    services.t38_failure_learn("+442071234567", "488")
    client = browser(cast.operator)
    client.get(LIST)
    # Session, user, security policy, the trunks, the fallbacks' count and page (with their
    # trunk), the rules: seven, none per row.
    with django_assert_max_num_queries(7) as few:
        assert client.get(LIST).status_code == 200
    pinned = len(few.captured_queries)
    for n in range(5):
        add_trunk(cast, f"More {n}", host=f"sip{n}.carrier.example")
        services.t38_failure_learn(f"+3314268530{n}", "488", trunk_key=str(n))
        services.media_rule_create(
            actor=Actor(user=cast.operator), prefix=f"+3{n}", t38_mode="g711_only"
        )
    with django_assert_max_num_queries(pinned):
        assert client.get(LIST).status_code == 200
