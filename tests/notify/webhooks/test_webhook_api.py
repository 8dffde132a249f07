"""``/api/v1/webhooks`` and the Webhooks page without a browser: the standard cast (an
outsider gets 404, a read-only administrator 403 on changes, a department administrator
nothing), refusals naming their field, the secret shown once, the delivery log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.notify.webhooks.models import WebhookDelivery, WebhookEndpoint
from notify.webhooks.receiver import Receiver

from cast import Cast

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def add(user: User, **body: Any) -> Any:
    payload = {"url": "http://127.0.0.1:9/hook", "events": ["fax.delivered"], **body}
    return api(user).post("/api/v1/webhooks", payload, content_type="application/json")


def test_create_shows_the_secret_once_and_reads_never(cast: Cast, allow_loopback) -> None:
    created = add(cast.company_admin, description="ERP")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["company_id"] == cast.company.pk
    assert body["events"] == ["fax.delivered"] and body["status"] == "active"
    got = api(cast.company_admin).get(f"/api/v1/webhooks/{body['id']}")
    assert got.status_code == 200 and "secret" not in got.json()
    listed = api(cast.read_only_admin).get("/api/v1/webhooks").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    rotated = api(cast.company_admin).post(f"/api/v1/webhooks/{body['id']}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] != body["secret"]


def test_refusals_name_their_field(cast: Cast, settings) -> None:
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = []
    private = add(cast.company_admin)
    assert private.status_code == 422
    assert (private.json()["code"], private.json()["field"]) == ("private_destination", "url")
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    unknown = add(cast.company_admin, events=["fax.sent"])
    assert unknown.status_code == 422
    assert (unknown.json()["code"], unknown.json()["field"]) == ("unknown_event", "events")
    scheme = add(cast.company_admin, url="gopher://example.com/")
    assert (scheme.status_code, scheme.json()["field"]) == (422, "url")
    extra = add(cast.company_admin, secret="mine")
    assert (extra.status_code, extra.json()["field"]) == (422, "secret")
    assert not WebhookEndpoint.objects.exists()


def test_the_cast(cast: Cast, allow_loopback) -> None:
    hook = add(cast.company_admin).json()
    path = f"/api/v1/webhooks/{hook['id']}"
    # The outsider: it does not exist, whatever they try.
    outsider = api(cast.outsider_admin)
    assert outsider.get(path).status_code == 404
    assert outsider.post(f"{path}/test").status_code == 404
    assert outsider.delete(path).status_code == 404
    assert outsider.get("/api/v1/webhooks").json()["count"] == 0
    assert outsider.get(f"/api/v1/webhooks?company_id={cast.company.pk}").status_code == 404
    # Read-only: sees, changes nothing.
    reader = api(cast.read_only_admin)
    assert reader.get(f"{path}/deliveries").status_code == 200
    for refused in (
        reader.post(f"{path}/test"),
        reader.post(f"{path}/rotate-secret"),
        reader.patch(path, {"url": "http://127.0.0.1:9/x"}, content_type="application/json"),
        reader.delete(path),
        add(cast.read_only_admin),
    ):
        assert refused.status_code == 403, refused.json()
        assert refused.json()["code"] == "read_only"
    # A department administrator and a fax user: not for them.
    assert api(cast.dept_admin).get("/api/v1/webhooks").status_code == 403
    assert api(cast.billing_user).get(path).status_code == 404
    # The operator picks the company.
    unnamed = add(cast.operator)
    assert (unnamed.status_code, unnamed.json()["field"]) == (422, "company_id")
    operator = add(cast.operator, company_id=cast.outsider_company.pk)
    assert operator.status_code == 201 and operator.json()["company_id"] == cast.outsider_company.pk
    assert api(cast.operator).get("/api/v1/webhooks").json()["count"] == 2


def test_update_pause_resume_delete(cast: Cast, allow_loopback) -> None:
    hook = add(cast.company_admin).json()
    path = f"/api/v1/webhooks/{hook['id']}"
    admin = api(cast.company_admin)
    changed = admin.patch(
        path, {"events": ["fax.failed", "fax.queued"]}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["events"] == ["fax.queued", "fax.failed"]
    assert admin.post(f"{path}/pause").json()["status"] == "paused"
    assert admin.post(f"{path}/resume").json()["status"] == "active"
    again = admin.post(f"{path}/resume")
    assert (again.status_code, again.json()["code"]) == (409, "not_paused")
    assert admin.delete(path).status_code == 204
    assert admin.get(path).status_code == 404


def test_test_event_delivery_log_detail_and_redeliver(
    cast: Cast, receiver: Receiver, after_commit
) -> None:
    hook = add(cast.company_admin, url=receiver.url).json()
    path = f"/api/v1/webhooks/{hook['id']}"
    admin = api(cast.company_admin)
    with after_commit():
        sent = admin.post(f"{path}/test")
    assert sent.status_code == 202 and sent.json()["event_type"] == "webhook.test"
    log = admin.get(f"{path}/deliveries").json()
    assert log["count"] == 1
    (row,) = log["items"]
    assert row["status"] == "delivered" and row["response_code"] == 200
    assert row["attempts"] == 1 and row["latency_ms"] is not None
    detail = admin.get(f"{path}/deliveries/{row['id']}").json()
    assert detail["payload"]["type"] == "webhook.test"
    assert detail["payload"]["id"] == row["event_id"]
    with after_commit():
        again = admin.post(f"{path}/deliveries/{row['id']}/redeliver")
    assert again.status_code == 202
    assert len(receiver.requests) == 2
    other = add(cast.outsider_admin, url=receiver.url).json()
    assert admin.get(f"/api/v1/webhooks/{other['id']}/deliveries").status_code == 404
    assert admin.get(f"{path}/deliveries?status=bogus").status_code == 422


def test_the_page_for_each_role(cast: Cast, allow_loopback) -> None:
    def signed_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    admin = signed_in(cast.company_admin)
    page = admin.get("/settings/webhooks/")
    assert page.status_code == 200 and b"Add endpoint" in page.content
    bad = admin.post("/settings/webhooks/", {"url": "http://127.0.0.1:9/x", "events": []})
    assert bad.status_code == 422 and b"Choose at least one event" in bad.content
    added = admin.post(
        "/settings/webhooks/", {"url": "http://127.0.0.1:9/x", "events": ["fax.failed"]}
    )
    hook = WebhookEndpoint.objects.get()
    assert added.status_code == 200 and hook.secret.encode() in added.content
    assert added["Cache-Control"] == "no-store"
    detail = admin.get(f"/settings/webhooks/{hook.pk}/")
    assert hook.secret.encode() not in detail.content and b"Send test event" in detail.content
    reader = signed_in(cast.read_only_admin)
    seen = reader.get(f"/settings/webhooks/{hook.pk}/")
    assert seen.status_code == 200 and b"Send test event" not in seen.content
    assert b"Add endpoint" not in reader.get("/settings/webhooks/").content
    assert reader.post(f"/settings/webhooks/{hook.pk}/test/").status_code == 403
    assert not WebhookDelivery.objects.exists()
    assert signed_in(cast.outsider_admin).get(f"/settings/webhooks/{hook.pk}/").status_code == 404
    assert signed_in(cast.dept_admin).get("/settings/webhooks/").status_code == 403


def test_lists_cost_the_same_queries_whatever_their_length(cast: Cast, allow_loopback) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from faxline.core.events import publish_event

    hook = add(cast.company_admin).json()
    admin = api(cast.company_admin)
    admin.get("/api/v1/me")  # the key's first use writes; not counted below

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert admin.get(path).status_code == 200
        return len(seen.captured_queries)

    def publish(n: int) -> None:
        for _ in range(n):
            publish_event("fax.delivered", company_id=cast.company.pk, data={})
            add(cast.company_admin)

    log = f"/api/v1/webhooks/{hook['id']}/deliveries"
    publish(1)
    few = (queries(log), queries("/api/v1/webhooks"))
    publish(4)
    assert admin.get(log).json()["count"] == 5
    assert (queries(log), queries("/api/v1/webhooks")) == few
    page = Client()
    page.force_login(cast.company_admin)
    url = f"/settings/webhooks/{hook['id']}/"
    assert page.get(url).status_code == 200
    with CaptureQueriesContext(connection) as first:
        assert page.get(url).status_code == 200
    publish(3)
    with CaptureQueriesContext(connection) as second:
        assert page.get(url).status_code == 200
    assert len(second.captured_queries) == len(first.captured_queries) > 0


def test_the_openapi_document_describes_every_event(client: Client) -> None:
    from faxline.notify.webhooks.choices import EventType
    from faxline.notify.webhooks.schemas import VERIFY_PYTHON

    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["webhooks"]) == {*EventType.values, "webhook.test"}
    components = doc["components"]["schemas"]
    for name, item in doc["webhooks"].items():
        ref = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = components[ref.rsplit("/", 1)[1]]
        kind = schema["properties"]["type"]
        assert name in kind.get("enum", [kind.get("const")])
        assert VERIFY_PYTHON in item["post"]["description"]
    fax = components["FaxEventData"]["properties"]
    assert {"id", "status", "from", "to", "pages", "error", "error_code", "will_retry"} <= set(fax)
    detail = doc["paths"]["/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}"]["get"]
    assert "DeliveryDetail" in str(detail["responses"]["200"])
