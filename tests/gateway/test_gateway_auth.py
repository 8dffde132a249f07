"""SPF and DKIM against a DNS server of the test's own on loopback: the evaluator's rules,
and the gateway refusing with the Initial Notification (Failure) when the sender's settings
require them."""

from __future__ import annotations

import base64
from typing import Any

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import mail

from faxing.jobs_support import give_number
from faxline.accounts.access import Actor
from faxline.accounts.services.settings import settings_update
from faxline.faxing.models import FaxJob
from faxline.gateway import spf
from faxline.gateway.choices import MessageStatus
from faxline.gateway.dkimcheck import aligned, verify
from faxline.gateway.models import GatewayMessage
from faxline.gateway.resolver import Dns, parse_servers
from faxline.gateway.server import GatewayController
from gateway.gateway_support import DnsServer, a_pdf, email_to_fax, send, wire

from cast import Cast

IP = "192.0.2.10"


def spf_of(dns_server: DnsServer, domain: str, record: str) -> None:
    dns_server.add(domain, "TXT", f'"{record}"')


def check(ip: str, domain: str) -> spf.SpfResult:
    return spf.check_host(ip, domain, dns=Dns()).result


# --- the SPF evaluator -----------------------------------------------------------------------


def test_ip4_ip6_and_all_with_their_qualifiers(dns_server: DnsServer) -> None:
    spf_of(dns_server, "a.test", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all")
    spf_of(dns_server, "b.test", "v=spf1 -ip4:192.0.2.10 ?all")
    assert check(IP, "a.test") == "pass"
    assert check("2001:db8::5", "a.test") == "pass"
    assert check("198.51.100.1", "a.test") == "softfail"
    assert check(IP, "b.test") == "fail"
    assert check("198.51.100.1", "b.test") == "neutral"
    assert check(IP, "none.test") == "none"


def test_a_mx_include_and_redirect(dns_server: DnsServer) -> None:
    dns_server.add("mail.c.test", "A", IP)
    dns_server.add("c.test", "MX", "10 mail.c.test.")
    dns_server.add("c.test", "A", "198.51.100.7")
    spf_of(dns_server, "c.test", "v=spf1 mx -all")
    spf_of(dns_server, "d.test", "v=spf1 a:c.test/24 -all")
    spf_of(dns_server, "e.test", "v=spf1 include:c.test -all")
    spf_of(dns_server, "f.test", "v=spf1 redirect=c.test")
    spf_of(dns_server, "g.test", "v=spf1 include:none.test -all")
    assert check(IP, "c.test") == "pass"
    assert check("198.51.100.7", "c.test") == "fail"
    assert check("198.51.100.99", "d.test") == "pass"
    assert check(IP, "d.test") == "fail"
    assert check(IP, "e.test") == "pass"
    assert check("203.0.113.1", "e.test") == "fail"
    assert check(IP, "f.test") == "pass"
    assert check("203.0.113.1", "f.test") == "fail"
    assert check(IP, "g.test") == "permerror"  # include of a domain without a record


def test_more_than_ten_lookups_is_a_permerror(dns_server: DnsServer) -> None:
    for n in range(12):
        spf_of(dns_server, f"l{n}.test", f"v=spf1 include:l{n + 1}.test -all")
    spf_of(dns_server, "l12.test", "v=spf1 +all")
    assert check(IP, "l2.test") == "pass"  # ten includes
    outcome = spf.check_host(IP, "l0.test", dns=Dns())
    assert outcome.result == "permerror" and "10 DNS lookups" in outcome.reason


def test_broken_records_and_a_silent_dns(dns_server: DnsServer) -> None:
    spf_of(dns_server, "two.test", "v=spf1 -all")
    spf_of(dns_server, "two.test", "v=spf1 +all")
    spf_of(dns_server, "bad.test", "v=spf1 ip4:not-an-address -all")
    spf_of(dns_server, "macro.test", "v=spf1 exists:%{i}.x.test -all")
    assert check(IP, "two.test") == "permerror"
    assert check(IP, "bad.test") == "permerror"
    assert check(IP, "macro.test") == "permerror"
    dns_server.fail = True
    assert check(IP, "two.test") == "temperror"


def test_name_servers_are_parsed() -> None:
    servers = parse_servers(["127.0.0.1:5353", "[::1]:53", "10.0.0.2"])
    assert [(s.host, s.port) for s in servers] == [
        ("127.0.0.1", 5353),
        ("::1", 53),
        ("10.0.0.2", 53),
    ]


# --- the gateway with Require SPF Record ----------------------------------------------------------


@pytest.fixture
def sender(cast: Cast):
    give_number(cast.billing_user)
    return cast.billing_user


def fax_tab(cast: Cast, user: Any, **values: Any) -> None:
    settings_update(actor=Actor(user=cast.company_admin), owner=user, tab="fax", values=values)


@pytest.mark.django_db(transaction=True)
def test_require_spf_refuses_a_server_the_record_does_not_allow(
    cast: Cast,
    sender: Any,
    dns_server: DnsServer,
    gateway: GatewayController,
    run_tasks: Any,
) -> None:
    fax_tab(cast, sender, require_spf=True)
    spf_of(dns_server, "acme.example", "v=spf1 ip4:192.0.2.0/24 -all")
    send(
        gateway,
        email_to_fax("bill@acme.example", ["6175559876"], pdf=a_pdf(), message_id="<s1@x>"),
        mail_from="bill@acme.example",
        to=["6175559876@fax.localhost"],
    )
    run_tasks()
    message = GatewayMessage.objects.get()
    assert (message.status, message.outcome_name) == (MessageStatus.REFUSED, "SPF Check Failed")
    assert message.spf_result == "fail"
    assert "SPF fail" in message.outcome_detail and "127.0.0.1" in message.outcome_detail
    assert FaxJob.objects.count() == 0
    (told,) = mail.outbox
    assert told.to == ["bill@acme.example"]
    assert told.subject == "Email to Fax Initial Notification (Failure): SPF Check Failed"

    # Once the record allows the server, the same sender's fax is accepted.
    dns_server.records.clear()
    spf_of(dns_server, "acme.example", "v=spf1 ip4:127.0.0.0/8 -all")
    send(
        gateway,
        email_to_fax("bill@acme.example", ["6175559876"], pdf=a_pdf(), message_id="<s2@x>"),
        mail_from="bill@acme.example",
        to=["6175559876@fax.localhost"],
    )
    run_tasks()
    second = GatewayMessage.objects.get(message_id="<s2@x>")
    assert (second.status, second.spf_result) == (MessageStatus.DONE, "pass")
    assert FaxJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_without_require_spf_the_dns_is_not_asked(
    sender: Any, dns_server: DnsServer, gateway: GatewayController, run_tasks: Any
) -> None:
    spf_of(dns_server, "acme.example", "v=spf1 -all")
    send(
        gateway,
        email_to_fax("bill@acme.example", ["6175559876"], pdf=a_pdf()),
        mail_from="bill@acme.example",
        to=["6175559876@fax.localhost"],
    )
    run_tasks()
    assert GatewayMessage.objects.get().status == MessageStatus.DONE
    assert dns_server.queries == []


@pytest.mark.django_db(transaction=True)
def test_a_silent_dns_is_tried_again_later(
    cast: Cast, sender: Any, dns_server: DnsServer, gateway: GatewayController, run_tasks: Any
) -> None:
    fax_tab(cast, sender, require_spf=True)
    dns_server.fail = True
    send(
        gateway,
        email_to_fax("bill@acme.example", ["6175559876"], pdf=a_pdf()),
        mail_from="bill@acme.example",
        to=["6175559876@fax.localhost"],
    )
    run_tasks()
    message = GatewayMessage.objects.get()
    assert message.status == MessageStatus.RECEIVED and message.attempts == 1
    assert message.next_attempt_at is not None
    assert "SPF" in message.outcome_detail
    assert mail.outbox == []


# --- DKIM ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key() -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, base64.b64encode(public).decode()


def publish_key(dns_server: DnsServer, domain: str, public: str) -> None:
    record = f"v=DKIM1; k=rsa; p={public}"
    chunks = " ".join(f'"{record[i : i + 200]}"' for i in range(0, len(record), 200))
    dns_server.add(f"sel._domainkey.{domain}", "TXT", chunks)


def signed(raw: bytes, private: bytes, domain: str = "acme.example") -> bytes:
    signature = dkim.sign(
        raw, b"sel", domain.encode(), private, include_headers=[b"from", b"subject", b"to"]
    )
    return signature + raw


def test_dkim_alignment() -> None:
    assert aligned("acme.example", "acme.example")
    assert aligned("acme.example", "mail.acme.example")
    assert not aligned("mail.acme.example", "acme.example")
    assert not aligned("evil.example", "acme.example")


def test_dkim_verify_pass_fail_none(dns_server: DnsServer, rsa_key: tuple[bytes, str]) -> None:
    private, public = rsa_key
    publish_key(dns_server, "acme.example", public)
    publish_key(dns_server, "evil.example", public)
    raw = wire(email_to_fax("bill@acme.example", ["6175559876"], body="Hello"))
    assert verify(signed(raw, private), sender_domain="acme.example", dns=Dns()).result == "pass"
    tampered = signed(raw, private).replace(b"Hello", b"Hallo")
    assert verify(tampered, sender_domain="acme.example", dns=Dns()).result == "fail"
    other = verify(signed(raw, private, "evil.example"), sender_domain="acme.example", dns=Dns())
    assert other.result == "fail" and "d=evil.example" in other.reason
    assert verify(raw, sender_domain="acme.example", dns=Dns()).result == "none"


@pytest.mark.django_db(transaction=True)
def test_require_dkim_accepts_a_signed_email_and_refuses_a_tampered_one(
    cast: Cast,
    sender: Any,
    dns_server: DnsServer,
    gateway: GatewayController,
    rsa_key: tuple[bytes, str],
    run_tasks: Any,
) -> None:
    private, public = rsa_key
    publish_key(dns_server, "acme.example", public)
    fax_tab(cast, sender, require_dkim=True)
    good = wire(
        email_to_fax(
            "bill@acme.example", ["6175559876"], body="Hi", pdf=a_pdf(), message_id="<k1@x>"
        )
    )
    bad = wire(
        email_to_fax(
            "bill@acme.example", ["6175559876"], body="Hi", pdf=a_pdf(), message_id="<k2@x>"
        )
    )
    bad_signed = signed(bad, private).replace(b"Hi\r\n", b"Ho\r\n", 1)
    for data in (signed(good, private), bad_signed):
        send(gateway, data, mail_from="bill@acme.example", to=["6175559876@fax.localhost"])
    run_tasks()
    outcomes = dict(GatewayMessage.objects.values_list("message_id", "dkim_result"))
    assert outcomes == {"<k1@x>": "pass", "<k2@x>": "fail"}
    refused = GatewayMessage.objects.get(message_id="<k2@x>")
    assert refused.outcome_name == "DKIM Check Failed"
    assert FaxJob.objects.count() == 1
    assert [m.subject for m in mail.outbox if "Failure" in m.subject] == [
        "Email to Fax Initial Notification (Failure): DKIM Check Failed"
    ]
