"""``/api/v1/trunks`` (operators only): CRUD of trunks with a write-only password stored
encrypted, bad input 422 naming the field, 404 for everyone else and 403 for read-only
operators, learned fallbacks and destination rules; audit events without the password; the
attempt's trunk, media and fallback in ``/api/v1/faxes/{id}``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.models import AuditEvent
from faxline.faxing.trunks import selectors, services
from faxline.faxing.trunks.models import DestinationMediaRule, SipTrunk, T38Fallback

from cast import Cast, make_operator

pytestmark = pytest.mark.django_db

BASE = "/api/v1/trunks"
GOOD = {
    "name": "Carrier A",
    "host": "sip.carrier-a.example",
    "port": 5060,
    "transport": "udp",
    "username": "faxline",
    "password": "Tr0mb0ne-Secret",
    "registration": True,
    "codecs": ["PCMA", "PCMU"],
    "t38_mode": "preferred",
    "channels": 23,
    "priority": 5,
    "destinations": ["+1", "+44"],
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    selectors.routing_cache_clear()
    yield
    selectors.routing_cache_clear()


class Api:
    def __init__(self, user: User) -> None:
        secret = api_key_create(actor=Actor(user=user), name="t").secret
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(path, query)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, json.dumps(body), content_type="application/json")

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(path, json.dumps(body), content_type="application/json")

    def delete(self, path: str) -> Any:
        return self.client.delete(path)


@pytest.fixture
def op(cast: Cast) -> Api:
    return Api(cast.operator)


def read_only_operator() -> User:
    user = make_operator("readonly-op")
    User.objects.filter(pk=user.pk).update(read_only=True)
    return User.objects.get(pk=user.pk)


def created(op: Api, **changes: Any) -> dict[str, Any]:
    response = op.post(BASE, {**GOOD, **changes})
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def test_an_operator_adds_lists_changes_and_deletes_a_trunk(op: Api) -> None:
    body = created(op)
    assert body["password_set"] is True and "password" not in body
    assert (body["codecs"], body["destinations"]) == (["PCMA", "PCMU"], ["+1", "+44"])
    assert body["registration"] is True and body["t38_mode"] == "preferred"
    listed = op.get(BASE).json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "Carrier A"
    one = op.get(f"{BASE}/{body['id']}")
    assert one.status_code == 200 and b"Tr0mb0ne" not in one.content
    changed = op.patch(f"{BASE}/{body['id']}", {"channels": 10, "enabled": False, "password": ""})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["channels"], changed.json()["enabled"]) == (10, False)
    assert SipTrunk.objects.get().password == "Tr0mb0ne-Secret"  # "" kept it
    assert op.delete(f"{BASE}/{body['id']}").status_code == 204
    assert op.get(f"{BASE}/{body['id']}").status_code == 404


def test_the_password_is_write_only_and_encrypted_at_rest(op: Api) -> None:
    body = created(op)
    for response in (op.get(BASE), op.get(f"{BASE}/{body['id']}")):
        assert b"Tr0mb0ne" not in response.content
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM faxing_siptrunk WHERE id = %s", [body["id"]])
        (raw,) = cursor.fetchone()
    assert raw and "Tr0mb0ne" not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert SipTrunk.objects.get().to_config().password == "Tr0mb0ne-Secret"
    new = op.patch(f"{BASE}/{body['id']}", {"password": "N3w-Secret"})
    assert new.status_code == 200 and b"N3w" not in new.content
    assert SipTrunk.objects.get().password == "N3w-Secret"
    cleared = op.patch(f"{BASE}/{body['id']}", {"clear_password": True, "registration": False})
    assert cleared.json()["password_set"] is False
    events = AuditEvent.objects.filter(kind__startswith="sip_trunk.")
    assert events.count() == 3  # created, two changes
    for event in events:
        text = json.dumps(event.detail)
        assert "Tr0mb0ne" not in text and "N3w-Secret" not in text
        assert "password" not in event.detail


def test_a_registration_trunk_needs_its_password(op: Api) -> None:
    response = op.post(BASE, {**GOOD, "password": ""})
    assert response.status_code == 422 and response.json()["field"] == "password"
    body = created(op)
    refused = op.patch(f"{BASE}/{body['id']}", {"clear_password": True})
    assert refused.status_code == 422 and refused.json()["field"] == "password"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"host": "sip..carrier"}, "host", "invalid_host"),
        ({"host": "bad host.example"}, "host", "invalid_host"),
        ({"host": "10.0.0.300"}, "host", "invalid_host"),
        ({"host": ""}, "host", "validation_error"),
        ({"port": 0}, "port", "invalid_port"),
        ({"port": 65536}, "port", "invalid_port"),
        ({"port": "five"}, "port", "validation_error"),
        ({"destinations": ["44"]}, "destinations", "invalid_prefix"),
        ({"destinations": ["+1-212"]}, "destinations", "invalid_prefix"),
        ({"codecs": ["G729"]}, "codecs", "unknown_codec"),
        ({"codecs": []}, "codecs", "validation_error"),
        ({"codecs": ["PCMU", "PCMU"]}, "codecs", "validation_error"),
        ({"channels": 0}, "channels", "validation_error"),
        ({"channels": 1001}, "channels", "validation_error"),
        ({"transport": "sctp"}, "transport", "invalid_choice"),
        ({"t38_mode": "sometimes"}, "t38_mode", "invalid_choice"),
        ({"caller_id_format": "x"}, "caller_id_format", "invalid_choice"),
        ({"outbound_proxy": "proxy.example:99999"}, "outbound_proxy", "invalid_port"),
        ({"register_expires": 5}, "register_expires", "validation_error"),
        ({"username": "fax line"}, "username", "validation_error"),
        ({"name": "  "}, "name", "validation_error"),
        ({"colour": "red"}, "colour", "validation_error"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    op: Api, changes: dict[str, Any], field: str, code: str
) -> None:
    response = op.post(BASE, {**GOOD, **changes})
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["field"], body["code"]) == (field, code), body
    assert not SipTrunk.objects.exists()


def test_a_patch_is_checked_too_and_names_are_unique(op: Api) -> None:
    first = created(op)
    created(op, name="Carrier B")
    response = op.patch(f"{BASE}/{first['id']}", {"port": 0})
    assert response.status_code == 422 and response.json()["field"] == "port"
    taken = op.patch(f"{BASE}/{first['id']}", {"name": "carrier b"})
    assert taken.status_code == 422 and taken.json()["code"] == "name_taken"
    assert op.post(BASE, GOOD).json()["code"] == "name_taken"


def test_hosts_and_proxies_are_normalized(op: Api) -> None:
    body = created(
        op,
        host="SIP.Carrier-A.example.",
        outbound_proxy="[2001:DB8::1]:5070",
        domain="[2001:db8::2]",
        destinations=["+44", " +1 ", "+44"],
    )
    assert body["host"] == "sip.carrier-a.example"
    assert body["outbound_proxy"] == "[2001:db8::1]:5070"
    assert body["domain"] == "2001:db8::2"
    assert body["destinations"] == ["+44", "+1"]


def test_everyone_but_an_operator_gets_404(cast: Cast, op: Api) -> None:
    body = created(op)
    rule = op.post(f"{BASE}/rules", {"prefix": "+44", "t38_mode": "g711_only"}).json()
    for user in (cast.company_admin, cast.read_only_admin, cast.billing_user, cast.outsider_admin):
        other = Api(user)
        for path in (BASE, f"{BASE}/{body['id']}", f"{BASE}/fallbacks", f"{BASE}/rules"):
            assert other.get(path).status_code == 404, (user.username, path)
        assert other.post(BASE, {**GOOD, "name": "Mine"}).status_code == 404
        assert other.patch(f"{BASE}/{body['id']}", {"channels": 1}).status_code == 404
        assert other.delete(f"{BASE}/{body['id']}").status_code == 404
        assert other.delete(f"{BASE}/rules/{rule['id']}").status_code == 404
    assert SipTrunk.objects.get().channels == 23
    assert Client().get(BASE).status_code == 401


def test_a_read_only_operator_looks_and_changes_nothing(cast: Cast, op: Api) -> None:
    body = created(op)
    services.t38_failure_learn("+442071234567", "488")
    looker = Api(read_only_operator())
    assert looker.get(BASE).json()["count"] == 1
    assert looker.get(f"{BASE}/fallbacks").json()["count"] == 1
    refusals = [
        looker.post(BASE, {**GOOD, "name": "Other"}),
        looker.patch(f"{BASE}/{body['id']}", {"enabled": False}),
        looker.delete(f"{BASE}/{body['id']}"),
        looker.post(f"{BASE}/rules", {"prefix": "+44", "t38_mode": "g711_only"}),
        looker.delete(f"{BASE}/fallbacks/{T38Fallback.objects.get().pk}"),
    ]
    for response in refusals:
        assert response.status_code == 403 and response.json()["code"] == "read_only"
    assert SipTrunk.objects.get().enabled and T38Fallback.objects.exists()


def test_fallbacks_are_listed_and_cleared(cast: Cast, op: Api) -> None:
    body = created(op)
    services.t38_failure_learn(
        "+442071234567", "488 Not Acceptable Here", trunk_key=str(body["id"])
    )
    services.t38_failure_learn("+33142685300", "T.38 exchange failed")
    listed = op.get(f"{BASE}/fallbacks").json()
    assert listed["count"] == 2
    first = listed["items"][-1]
    assert (first["destination"], first["trunk_name"]) == ("+442071234567", "Carrier A")
    assert op.delete(f"{BASE}/fallbacks/{first['id']}").status_code == 204
    assert op.delete(f"{BASE}/fallbacks/{first['id']}").status_code == 404
    assert list(T38Fallback.objects.values_list("destination", flat=True)) == ["+33142685300"]
    assert AuditEvent.objects.filter(kind="t38_fallback.cleared").count() == 1


def test_rules_crud(op: Api) -> None:
    response = op.post(f"{BASE}/rules", {"prefix": "+44", "t38_mode": "g711_only", "note": "UK"})
    assert response.status_code == 201, response.content
    rule = response.json()
    assert (rule["prefix"], rule["t38_mode"]) == ("+44", "g711_only")
    again = op.post(f"{BASE}/rules", {"prefix": "+44", "t38_mode": "t38_only"})
    assert again.status_code == 422 and again.json()["code"] == "prefix_taken"
    bad = op.post(f"{BASE}/rules", {"prefix": "44", "t38_mode": "t38_only"})
    assert bad.status_code == 422 and bad.json()["field"] == "prefix"
    bad_mode = op.post(f"{BASE}/rules", {"prefix": "+33", "t38_mode": "fast"})
    assert bad_mode.status_code == 422 and bad_mode.json()["field"] == "t38_mode"
    changed = op.patch(f"{BASE}/rules/{rule['id']}", {"t38_mode": "t38_only", "prefix": "+4420"})
    assert changed.json()["t38_mode"] == "t38_only" and changed.json()["prefix"] == "+4420"
    assert op.get(f"{BASE}/rules").json()["count"] == 1
    assert op.get(f"{BASE}/rules/{rule['id']}").json()["prefix"] == "+4420"
    assert op.delete(f"{BASE}/rules/{rule['id']}").status_code == 204
    assert not DestinationMediaRule.objects.exists()
    kinds = list(
        AuditEvent.objects.filter(kind__startswith="media_rule.").values_list("kind", flat=True)
    )
    assert sorted(kinds) == ["media_rule.changed", "media_rule.created", "media_rule.deleted"]


def test_the_list_query_count_is_pinned(op: Api, django_assert_max_num_queries: Any) -> None:
    created(op)
    op.get(BASE)
    # The API key with its user, the security policy, the page and the count.
    with django_assert_max_num_queries(4) as few:
        assert op.get(BASE).status_code == 200
    pinned = len(few.captured_queries)  # before another request resets the connection's log
    for n in range(6):
        created(op, name=f"More {n}")
    with django_assert_max_num_queries(pinned):
        assert op.get(BASE).json()["count"] == 7


def test_the_attempt_shows_trunk_media_and_fallback(cast: Cast) -> None:
    from faxing.jobs_support import REMOTE, give_number, note, on_demand_covers
    from faxline.faxing.jobs import dispatcher
    from faxline.faxing.jobs.dispatcher import claim_next
    from faxline.faxing.jobs.send import fax_send
    from faxline.telephony.outcomes import OutcomeName, outcome_named
    from faxline.telephony.transport import CallOutcome

    give_number(cast.billing_user)
    on_demand_covers(cast, cast.billing_user)
    (job,) = fax_send(actor=Actor(user=cast.billing_user), to=[REMOTE], files=[note()])
    attempt = claim_next("w")
    assert attempt is not None
    outcome = CallOutcome(
        outcome=outcome_named(OutcomeName.NEGOTIATION_FAILED, cause="t30"),
        connected=True,
        transport="sip",
        from_number=job.from_number,
        to_number=REMOTE,
        media="audio",
        trunk="Carrier A",
        t38_fallback=True,
    )
    dispatcher.record(attempt, outcome)
    body = Api(cast.billing_user).get(f"/api/v1/faxes/{job.identifier}").json()
    (shown,) = body["attempts"]
    assert (shown["trunk"], shown["media"], shown["t38_fallback"]) == ("Carrier A", "audio", True)

    page = Client()
    page.force_login(cast.billing_user)
    html = page.get(f"/faxes/sent/{job.identifier}/").content.decode()
    assert "Carrier A" in html and "G.711 audio (T.38 fallback)" in html
