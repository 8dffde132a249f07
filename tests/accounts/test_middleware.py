"""The security policy on every request: session timeout, locked and deleted accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client

from faxline.accounts.middleware import LAST_ACTIVITY_KEY
from faxline.accounts.services.security import security_policy_save
from faxline.accounts.services.users import user_delete, user_lock

from cast import PASSWORD, Cast

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def sign_in(client: Client, username: str) -> None:
    client.post("/auth/login/", {"step": "password", "username": username, "password": PASSWORD})
    assert client.session.get(SESSION_KEY)


def set_timeout(cast: Cast, minutes: int) -> None:
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        values={"session_timeout_minutes": minutes},
    )


def test_session_times_out_after_the_policys_idle_minutes(client: Client, cast: Cast) -> None:
    set_timeout(cast, 30)
    with time_machine.travel(NOW, tick=False):
        sign_in(client, "bill")
        assert client.get("/").status_code == 200
    # Activity keeps the session alive.
    with time_machine.travel(NOW + timedelta(minutes=25), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=50), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=80, seconds=1), tick=False):
        response = client.get("/activity/")
        assert response.status_code == 302
        assert response["Location"] == "/auth/login/?next=%2Factivity%2F"
        assert client.session.get(SESSION_KEY) is None
        page = client.get(response["Location"]).content.decode()
        assert "Your session timed out after 30 minutes of inactivity." in page


def test_timeout_follows_the_users_effective_policy(client: Client, cast: Cast) -> None:
    set_timeout(cast, 30)
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=cast.sales,
        values={"session_timeout_minutes": 120},
    )
    with time_machine.travel(NOW, tick=False):
        sign_in(client, "sarah")
    with time_machine.travel(NOW + timedelta(minutes=100), tick=False):
        assert client.get("/").status_code == 200


def test_activity_is_recorded_at_most_every_few_seconds(client: Client, cast: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        sign_in(client, "bill")
        stamp = client.session[LAST_ACTIVITY_KEY]
        assert stamp == int(NOW.timestamp())
    with time_machine.travel(NOW + timedelta(seconds=5), tick=False):
        client.get("/")
        assert client.session[LAST_ACTIVITY_KEY] == stamp
    with time_machine.travel(NOW + timedelta(seconds=20), tick=False):
        client.get("/")
        assert client.session[LAST_ACTIVITY_KEY] == stamp + 20


def test_htmx_request_after_timeout_gets_hx_redirect(client: Client, cast: Cast) -> None:
    set_timeout(cast, 10)
    with time_machine.travel(NOW, tick=False):
        sign_in(client, "bill")
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        response = client.get("/activity/", headers={"HX-Request": "true"})
        assert response["HX-Redirect"] == "/auth/login/"


def test_locked_user_is_signed_out_at_once(client: Client, cast: Cast) -> None:
    sign_in(client, "bill")
    user_lock(actor=cast.actor(cast.company_admin), user=cast.billing_user)
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][0].startswith("/auth/login/")
    assert "You have been signed out: your account is locked." in response.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_deleted_user_is_signed_out_at_once(client: Client, cast: Cast) -> None:
    sign_in(client, "bill")
    user_delete(actor=cast.actor(cast.company_admin), user=cast.billing_user)
    response = client.get("/", follow=True)
    assert "You have been signed out." in response.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_session_api_request_after_timeout_is_unauthenticated(client: Client, cast: Cast) -> None:
    set_timeout(cast, 10)
    with time_machine.travel(NOW, tick=False):
        sign_in(client, "bill")
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200  # public document, not redirected
        assert client.session.get(SESSION_KEY) is None


def test_bearer_api_requests_are_left_alone(client: Client, cast: Cast) -> None:
    set_timeout(cast, 10)
    with time_machine.travel(NOW, tick=False):
        sign_in(client, "bill")
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        response = client.get(
            "/api/v1/openapi.json", headers={"Authorization": "Bearer fxl_whatever"}
        )
        assert response.status_code == 200
        # The session was not touched by the API request.
        assert client.session.get(SESSION_KEY) == str(cast.billing_user.pk)


def test_anonymous_requests_pass(client: Client, db: None) -> None:
    assert client.get("/auth/login/").status_code == 200
    assert client.get("/").status_code == 302
