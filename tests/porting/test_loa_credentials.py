"""The LOA states the carrier account number and PIN in full, so every way of getting it as
a PDF (the API's unsigned LOA or preview, the documents' downloads of the generated and the
signed LOA, the portal's Download links) follows ``porting.access.may_read_credentials``:
the porting team and those who may change the request get it; read-only administrators and
read-only operators are refused (403); outsiders and fax users do not see the request (404).
Pages show the LOA with both masked, and no mask gives away the PIN's length."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from documents_support import (
    documents_env,  # noqa: F401 (fixture)
    signing_key_files,  # noqa: F401 (fixture)
)
from porting_support import add_bill, request_data

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import ChannelPartner, Company, User
from faxline.accounts.services.api_keys import api_key_create
from faxline.notify.backends import WITHHELD
from faxline.notify.models import NotificationLog
from faxline.porting import access
from faxline.porting.choices import DocumentKind
from faxline.porting.files import loa
from faxline.porting.files.loa import SignatureInput
from faxline.porting.models import PortDocument, PortRequest
from faxline.porting.requests import services

from cast import PASSWORD, Cast
from worker import after_commit

pytestmark = pytest.mark.usefixtures("documents_env")
NOW = datetime(2026, 12, 7, 15, tzinfo=UTC)
PIN = "908172"
ACCOUNT = "ACCT-998877"


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def port(cast: Cast) -> PortRequest:
    """A request whose LOA is generated and signed by Carol, the authorized person."""
    carol = Actor(user=cast.company_admin)
    port = services.port_request_create(
        actor=carol,
        company=cast.company,
        data=request_data(pin=PIN, authorized_email="carol@acme.example"),
    )
    loa.loa_sign(
        actor=carol,
        request=port,
        data=SignatureInput(signer_name="Carol Chief", signer_title="CEO", consent=True),
        user_agent="tests",
    )
    return port


@pytest.fixture
def people(cast: Cast) -> dict[str, User]:
    """Everyone who might ask, by what they should get."""
    firm = ChannelPartner.objects.create(name="Bright Partners")
    Company.objects.filter(pk=cast.company.pk).update(channel_partner=firm)
    partner = User.objects.create_user(
        username="pat",
        password=PASSWORD,
        role=Role.CHANNEL_PARTNER,
        channel_partner=firm,
        email="pat@bright.example",
    )
    read_only_operator = User.objects.create_user(
        username="rob", password=PASSWORD, role=Role.OPERATOR, read_only=True
    )
    return {
        "operator": cast.operator,
        "company_admin": cast.company_admin,
        "dept_admin": cast.dept_admin,
        "partner": partner,
        "read_only_admin": cast.read_only_admin,
        "read_only_operator": read_only_operator,
        "outsider_admin": cast.outsider_admin,
        "fax_user": cast.billing_user,
    }


ALLOWED = ("operator", "company_admin", "dept_admin", "partner")
REFUSED = ("read_only_admin", "read_only_operator")
HIDDEN = ("outsider_admin", "fax_user")
EXPECTED = {
    **dict.fromkeys(ALLOWED, 200),
    **dict.fromkeys(REFUSED, 403),
    **dict.fromkeys(HIDDEN, 404),
}


def _api(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="loa").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _portal(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _loa_documents(port: PortRequest) -> list[PortDocument]:
    docs = list(PortDocument.objects.filter(request=port, kind__in=access.CREDENTIAL_KINDS))
    assert {d.kind for d in docs} == {DocumentKind.LOA, DocumentKind.SIGNED_LOA}
    return docs


def test_the_rule(cast: Cast, port: PortRequest, people: dict[str, User]) -> None:
    port = PortRequest.objects.select_related("company").get(pk=port.pk)  # now a partner's
    for name, user in people.items():
        decision = access.may_read_credentials(Actor(user=user), port)
        expected = EXPECTED[name]
        assert bool(decision) is (expected == 200), name
        if expected == 403:
            assert decision.code == "credentials_withheld", name
        if expected == 404:
            assert decision.code == "not_found", name


@pytest.mark.parametrize("who", list(EXPECTED))
def test_api_loa_and_its_documents(
    cast: Cast, port: PortRequest, people: dict[str, User], who: str
) -> None:
    api = _api(people[who])
    expected = EXPECTED[who]
    paths = [f"/api/v1/port-requests/{port.pk}/loa"] + [
        f"/api/v1/port-requests/{port.pk}/documents/{doc.pk}" for doc in _loa_documents(port)
    ]
    for path in paths:
        response = api.get(path)
        assert response.status_code == expected, (path, response.content[:200])
        if expected == 200:
            assert response.content.startswith(b"%PDF")
        else:
            body = response.json()
            assert body["code"] == ("credentials_withheld" if expected == 403 else "not_found")
            assert PIN.encode() not in response.content
    # Verifying the seal states neither the PIN nor the account number: whoever sees the
    # request may ask.
    verify = api.get(f"/api/v1/port-requests/{port.pk}/loa/verify")
    assert verify.status_code == (404 if expected == 404 else 200)
    assert PIN not in verify.content.decode() and ACCOUNT not in verify.content.decode()


@pytest.mark.parametrize("who", list(EXPECTED))
def test_portal_downloads(cast: Cast, port: PortRequest, people: dict[str, User], who: str) -> None:
    client = _portal(people[who])
    expected = EXPECTED[who]
    for doc in _loa_documents(port):
        response = client.get(reverse("porting:document", args=[port.pk, doc.pk]))
        assert response.status_code == expected, doc.kind
        if expected == 200:
            assert response.content.startswith(b"%PDF")
        else:
            assert PIN.encode() not in response.content


def test_read_only_pages_offer_no_loa_pdf(cast: Cast, port: PortRequest) -> None:
    client = _portal(cast.read_only_admin)
    urls = [reverse("porting:document", args=[port.pk, d.pk]) for d in _loa_documents(port)]
    page = client.get(reverse("porting:loa", args=[port.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Download the signed LOA" not in text and "Download the LOA (PDF)" not in text
    assert 'data-testid="credentials-withheld"' in text
    assert PIN not in text and ACCOUNT not in text
    assert "<dt>PIN / passcode</dt><dd>••••</dd>" in text  # no length given away
    tab = client.get(reverse("porting:detail", args=[port.pk]) + "?tab=files").content.decode()
    assert "Withheld" in tab and "Download signed PDF" not in tab
    for url in urls:
        assert url not in text and url not in tab
    # The same pages offer the PDFs to the administrator who may change the request.
    admin = _portal(cast.company_admin)
    text = admin.get(reverse("porting:loa", args=[port.pk])).content.decode()
    tab = admin.get(reverse("porting:detail", args=[port.pk]) + "?tab=files").content.decode()
    assert all(url in text + tab for url in urls)
    assert PIN not in text + tab and ACCOUNT not in text + tab


def test_the_read_only_list_still_names_the_documents(cast: Cast, port: PortRequest) -> None:
    listing = _api(cast.read_only_admin).get(f"/api/v1/port-requests/{port.pk}/documents")
    assert listing.status_code == 200
    kinds = {item["kind"] for item in listing.json()["items"]}
    assert {"loa", "signed_loa"} <= kinds


def test_the_signing_link_is_never_printed_or_logged(
    cast: Cast,
    settings: Any,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The default install prints emails on the console (no SMTP server): the LOA signing
    link is withheld there, and no log record carries its token."""
    settings.EMAIL_BACKEND = "faxline.notify.backends.ConsoleEmailBackend"
    carol = Actor(user=cast.company_admin)
    port = services.port_request_create(
        actor=carol, company=cast.company, data=request_data(pin=PIN)
    )
    with after_commit():
        loa.loa_send_link(actor=carol, request=port, email="carol@acme.example")
    body = NotificationLog.objects.get(kind="porting.loa_link").body
    match = re.search(r"/porting/sign/([A-Za-z0-9_-]+)/", body)
    assert match, body
    token = match.group(1)
    assert (
        Client().get(reverse("porting:loa_public", args=[token])).status_code == 200
    )  # the link works
    printed = capsys.readouterr()
    output = printed.out + printed.err
    assert "carol@acme.example" in output and WITHHELD in output
    assert token not in output
    assert all(token not in record.getMessage() for record in caplog.records)


def _shows_no_pin(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (200, 302, 403), (url, response.status_code)
    text = response.content.decode()
    assert PIN not in text and ACCOUNT not in text, url
    runs = {len(run) for run in re.findall("•+", text)}
    assert runs <= {4}, (url, runs)


def test_no_page_shows_the_pin_or_its_length(cast: Cast, port: PortRequest) -> None:
    """Every page of the request, for everyone who sees it, as a draft and once submitted:
    the PIN is never there, and every mask is four bullets whatever the PIN's length (here
    six digits)."""
    pages = [
        reverse("porting:detail", args=[port.pk]) + f"?tab={tab}"
        for tab in ("details", "files", "notes", "history")
    ] + [
        reverse("porting:loa", args=[port.pk]),
        reverse("porting:edit", args=[port.pk]),
        reverse("porting:change", args=[port.pk]),
        reverse("porting:list"),
    ]
    people = (cast.company_admin, cast.read_only_admin, cast.operator)
    for user in people:
        for url in pages:
            _shows_no_pin(_portal(user), url)
    add_bill(port)
    services.port_request_submit(actor=Actor(user=cast.company_admin), request=port)
    desk = [reverse("porting:desk_request", args=[port.pk]), reverse("porting:console")]
    for user in people:
        for url in pages + (desk if user == cast.operator else []):
            _shows_no_pin(_portal(user), url)
