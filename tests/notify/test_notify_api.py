"""The notification log through the API and the portal: scoped to who may read it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.notify.models import NotificationLog
from faxline.notify.services import notify_email

from cast import Cast


def api(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def messages(cast: Cast) -> dict[str, NotificationLog]:
    acme = notify_email(
        kind="onboarding.complete",
        to="carol@acme.example",
        subject="Acme done",
        body="B",
        company=cast.company,
    )[0]
    globex = notify_email(
        kind="onboarding.complete",
        to="otto@globex.example",
        subject="Globex done",
        body="B",
        company=cast.outsider_company,
    )[0]
    platform = notify_email(kind="system.test", to="ops@provider.example", subject="Ops", body="B")[
        0
    ]
    return {"acme": acme, "globex": globex, "platform": platform}


def test_operator_sees_everything_paginated(cast: Cast, messages: dict[str, Any]) -> None:
    response = api(cast.operator).get("/api/v1/notifications", {"limit": 2})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3 and len(data["items"]) == 2
    second = api(cast.operator).get("/api/v1/notifications", {"limit": 2, "offset": 2}).json()
    assert len(second["items"]) == 1
    first = data["items"][0]
    assert set(first) >= {
        "kind",
        "recipient",
        "subject",
        "status",
        "error",
        "created_at",
        "sent_at",
    }


def test_company_admin_sees_only_their_company(cast: Cast, messages: dict[str, Any]) -> None:
    client = api(cast.company_admin)
    data = client.get("/api/v1/notifications").json()
    assert [m["subject"] for m in data["items"]] == ["Acme done"]
    assert client.get(f"/api/v1/notifications/{messages['globex'].pk}").status_code == 404
    assert client.get(f"/api/v1/notifications/{messages['acme'].pk}").status_code == 200
    assert client.get("/api/v1/notifications", {"status": "queued"}).json()["count"] == 1


def test_fax_user_and_department_admin_refused(cast: Cast, messages: dict[str, Any]) -> None:
    assert api(cast.billing_user).get("/api/v1/notifications").status_code == 403
    assert api(cast.dept_admin).get("/api/v1/notifications").status_code == 403


def test_bad_filter_names_the_field(cast: Cast, messages: dict[str, Any]) -> None:
    response = api(cast.operator).get("/api/v1/notifications", {"status": "lost"})
    assert response.status_code == 422
    assert response.json()["field"] == "status"
    response = api(cast.operator).get("/api/v1/notifications", {"limit": 0})
    assert response.status_code == 422 and response.json()["field"] == "limit"


def test_outsider_company_filter_is_404(cast: Cast, messages: dict[str, Any]) -> None:
    response = api(cast.company_admin).get(
        "/api/v1/notifications", {"company_id": cast.outsider_company.pk}
    )
    assert response.status_code == 404


def test_notification_log_page(cast: Cast, messages: dict[str, Any], client: Client) -> None:
    client.force_login(cast.company_admin)
    response = client.get("/notifications/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Acme done" in text and "Globex done" not in text
    assert "No SMTP server is configured" not in text or "Logged" in text
    client.force_login(cast.billing_user)
    assert client.get("/notifications/").status_code == 403


def test_resend_from_the_page(cast: Cast, client: Client) -> None:
    (bad,) = notify_email(kind="x", to="a@example.com", subject="S", body="B", company=cast.company)
    NotificationLog.objects.filter(pk=bad.pk).update(status="failed", error="boom")
    client.force_login(cast.company_admin)
    response = client.post(f"/notifications/{bad.pk}/retry/", follow=True)
    assert response.status_code == 200
    bad.refresh_from_db()
    assert bad.status in ("queued", "logged")
    client.force_login(cast.outsider_admin)
    assert client.post(f"/notifications/{bad.pk}/retry/").status_code == 404
