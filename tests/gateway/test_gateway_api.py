"""``GET /api/v1/gateway/messages``: what became of the emails received, scoped to the cast
(operators all, company administrators their company's, nobody else)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.gateway.choices import MessageStatus
from faxline.gateway.models import GatewayMessage

from cast import Cast

pytestmark = pytest.mark.django_db


def get(user: User, query: str = "") -> tuple[int, Any]:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    response = Client().get(
        f"/api/v1/gateway/messages{query}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    return response.status_code, json.loads(response.content)


@pytest.fixture
def messages(cast: Cast) -> dict[str, GatewayMessage]:
    def message(name: str, company: Any, **fields: Any) -> GatewayMessage:
        return GatewayMessage.objects.create(
            mail_from=f"{name}@x.example",
            mail_from_key=f"{name}@x.example",
            recipients=["+16175559876"],
            company=company,
            **fields,
        )

    return {
        "acme": message(
            "bill",
            cast.company,
            status=MessageStatus.DONE,
            job_identifiers=["501-12345678"],
            raw_vault_name="vault/gateway/abc.bin",
        ),
        "acme2": message("bill2", cast.company, status=MessageStatus.RECEIVED),
        "globex": message("gina", cast.outsider_company, status=MessageStatus.DONE),
        "unknown": message(
            "mallory",
            None,
            status=MessageStatus.REFUSED,
            outcome_code="unauthorized_sender",
            outcome_name="Unauthorized Sending Address",
        ),
    }


def ids(body: Any) -> set[int]:
    return {item["id"] for item in body["items"]}


def test_each_sees_their_own(cast: Cast, messages: dict[str, GatewayMessage]) -> None:
    status, body = get(cast.operator)
    assert status == 200 and body["count"] == 4
    status, body = get(cast.company_admin)
    assert ids(body) == {messages["acme"].pk, messages["acme2"].pk}
    first = next(i for i in body["items"] if i["id"] == messages["acme"].pk)
    assert first["jobs"] == ["501-12345678"] and first["raw_kept"] is True
    assert "raw_vault_name" not in first
    status, body = get(cast.outsider_admin)
    assert ids(body) == {messages["globex"].pk}


@pytest.mark.parametrize("who", ["dept_admin", "billing_user"])
def test_department_admins_and_fax_users_are_refused(
    cast: Cast, messages: dict[str, GatewayMessage], who: str
) -> None:
    status, body = get(getattr(cast, who))
    assert status == 403 and body["code"] == "no_gateway_log"


def test_a_read_only_company_administrator_reads_their_company(
    cast: Cast, messages: dict[str, GatewayMessage]
) -> None:
    status, body = get(cast.read_only_admin)
    assert status == 200 and ids(body) == {messages["acme"].pk, messages["acme2"].pk}


def test_filter_paging_and_bad_input(cast: Cast, messages: dict[str, GatewayMessage]) -> None:
    status, body = get(cast.operator, "?status=refused")
    assert ids(body) == {messages["unknown"].pk}
    assert body["items"][0]["outcome"] == "Unauthorized Sending Address"
    status, body = get(cast.operator, "?limit=1&offset=1")
    assert (status, body["count"], len(body["items"])) == (200, 4, 1)
    status, body = get(cast.operator, "?status=lost")
    assert (status, body["field"]) == (422, "status")
    status, body = get(cast.operator, "?limit=100000")
    assert status == 422 and body["field"] == "limit"


def test_the_list_costs_the_same_few_queries_for_any_page(
    cast: Cast, messages: dict[str, GatewayMessage]
) -> None:
    secret = api_key_create(actor=Actor(user=cast.operator), name="q").secret
    client = Client()
    client.get("/api/v1/gateway/messages", HTTP_AUTHORIZATION=f"Bearer {secret}")  # first use
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/gateway/messages?limit=1", HTTP_AUTHORIZATION=f"Bearer {secret}")
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/gateway/messages?limit=50", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert len(few) == len(many)


def test_the_email_to_fax_log_page(cast: Cast, messages: dict[str, GatewayMessage]) -> None:
    client = Client()
    client.force_login(cast.company_admin)
    response = client.get("/email-to-fax/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "bill@x.example" in text and "501-12345678" in text
    assert "gina@x.example" not in text and "mallory@x.example" not in text
    assert "Email to fax log" in text  # the menu offers it
    client.force_login(cast.operator)
    text = client.get("/email-to-fax/?status=refused").content.decode()
    assert "Unauthorized Sending Address" in text and "bill@x.example" not in text
    client.force_login(cast.billing_user)
    assert client.get("/email-to-fax/").status_code == 403


def test_the_page_costs_the_same_queries_for_more_rows(
    cast: Cast, messages: dict[str, GatewayMessage]
) -> None:
    client = Client()
    client.force_login(cast.operator)
    client.get("/email-to-fax/")
    with CaptureQueriesContext(connection) as before:
        client.get("/email-to-fax/")
    for n in range(10):
        GatewayMessage.objects.create(
            mail_from=f"m{n}@x.example", mail_from_key=f"m{n}@x.example", company=cast.company
        )
    with CaptureQueriesContext(connection) as after:
        client.get("/email-to-fax/")
    assert len(after) == len(before)
