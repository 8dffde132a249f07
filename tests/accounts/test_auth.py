"""Sign in (two steps: Username + NEXT, Password + ENTER) and sign out, through the pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from faxline.accounts.auth import WRONG_CREDENTIALS
from faxline.accounts.services.security import security_policy_save
from faxline.accounts.services.users import user_delete, user_lock
from faxline.core.models import AuditEvent

from cast import PASSWORD, Cast

LOGIN = "/auth/login/"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def step1(client: Client, username: str, **extra: str):
    return client.post(LOGIN, {"step": "username", "username": username, **extra})


def step2(client: Client, username: str, password: str, **extra: str):
    return client.post(
        LOGIN, {"step": "password", "username": username, "password": password, **extra}
    )


def signed_in_as(client: Client) -> str | None:
    value = client.session.get(SESSION_KEY)
    return str(value) if value is not None else None


def set_lockout(cast: Cast, attempts: int = 3, minutes: int = 5) -> None:
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        values={"lockout_attempts": attempts, "lockout_minutes": minutes},
    )


def test_urls_keep_their_names() -> None:
    assert reverse("login") == LOGIN
    assert reverse("logout") == "/auth/logout/"


def test_step_one_asks_for_the_username(client: Client, db: None) -> None:
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html
    assert ">NEXT</button>" in html
    assert 'type="password"' not in html


def test_two_steps_sign_in_and_land_on_the_dashboard(client: Client, cast: Cast) -> None:
    response = step1(client, "bill")
    html = response.content.decode()
    assert response.status_code == 200
    assert "bill" in html and "Not you?" in html
    assert 'type="password"' in html and ">ENTER</button>" in html
    assert "Forgot Password?" in html
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None

    response = step2(client, "bill", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    assert signed_in_as(client) == str(cast.billing_user.pk)
    assert client.cookies["sessionid"].value != before  # the session key is rotated
    assert client.get(response["Location"]).status_code == 200
    assert AuditEvent.objects.filter(kind="auth.sign_in", actor=cast.billing_user).exists()


def test_username_is_case_insensitive(client: Client, cast: Cast) -> None:
    assert step2(client, "BILL", PASSWORD).status_code == 302


def test_step_one_does_not_reveal_whether_the_account_exists(client: Client, cast: Cast) -> None:
    def page(username: str) -> str:
        html = step1(client, username).content.decode().replace(username, "X")
        html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)  # a fresh CSP nonce per page
        return re.sub(r"[A-Za-z0-9]{64}", "CSRF", html)  # the masked CSRF token varies

    assert page("bill") == page("nobody")


def test_wrong_password_and_unknown_user_get_the_same_answer(client: Client, cast: Cast) -> None:
    wrong = step2(client, "bill", "Wrong-Password-1")
    unknown = step2(client, "nobody", "Wrong-Password-1")
    assert wrong.status_code == unknown.status_code == 200
    assert WRONG_CREDENTIALS in wrong.content.decode()
    assert WRONG_CREDENTIALS in unknown.content.decode()
    assert signed_in_as(client) is None
    # The typed password is never sent back.
    assert "Wrong-Password-1" not in wrong.content.decode()


def test_empty_steps_ask_again(client: Client, db: None) -> None:
    response = step1(client, "   ")
    assert "Enter your username." in response.content.decode()
    response = step2(client, "bill", "")
    assert "Enter your password." in response.content.decode()
    # Without a username (a tampered form), back to step 1.
    response = client.post(LOGIN, {"step": "password", "password": "x"})
    assert ">NEXT</button>" in response.content.decode()


def test_lock_out_after_the_policys_attempts_then_allowed_after_the_interval(
    client: Client, cast: Cast
) -> None:
    set_lockout(cast, attempts=3, minutes=5)
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            assert WRONG_CREDENTIALS in step2(client, "bill", "nope").content.decode()
        assert AuditEvent.objects.filter(kind="auth.locked_out").count() == 1
        # The right password is refused while locked out, in the same words as a wrong one
        # (whoever does not know the password learns nothing from them).
        response = step2(client, "bill", PASSWORD)
        assert response.status_code == 200
        assert WRONG_CREDENTIALS in response.content.decode()
        assert signed_in_as(client) is None
    with time_machine.travel(NOW + timedelta(minutes=4), tick=False):
        assert WRONG_CREDENTIALS in step2(client, "bill", PASSWORD).content.decode()
        assert signed_in_as(client) is None
    with time_machine.travel(NOW + timedelta(minutes=5, seconds=1), tick=False):
        response = step2(client, "bill", PASSWORD)
        assert response.status_code == 302
        assert signed_in_as(client) == str(cast.billing_user.pk)


def test_lock_out_does_not_tell_which_usernames_exist(client: Client, cast: Cast) -> None:
    """An outsider trying a name over and over gets the same answers whether it exists
    (and locks) or not, in whichever company it is."""
    set_lockout(cast, attempts=3, minutes=5)

    def answers(username: str) -> list[str]:
        out = []
        for _ in range(5):
            html = step2(client, username, "Guess-1234").content.decode()
            html = re.sub(r'nonce="[^"]*"', 'nonce=""', html.replace(username, "X"))
            out.append(re.sub(r"[A-Za-z0-9]{64}", "CSRF", html))
        return out

    with time_machine.travel(NOW, tick=False):
        known, unknown = answers("bill"), answers("nobody-here")
        other_company = answers("gina")
    assert known == unknown == other_company
    assert all(WRONG_CREDENTIALS in page for page in known)
    assert "locked" not in known[-1].replace(WRONG_CREDENTIALS, "")


def test_suspended_user_is_refused_with_its_message(client: Client, cast: Cast) -> None:
    user_lock(actor=cast.actor(cast.company_admin), user=cast.billing_user)
    response = step2(client, "bill", PASSWORD)
    assert "Your account is locked. Ask your administrator to unlock it." in (
        response.content.decode()
    )
    assert signed_in_as(client) is None
    # A wrong password still gets the generic answer (nothing about the lock).
    response = step2(client, "bill", "nope")
    assert WRONG_CREDENTIALS in response.content.decode()


def test_deleted_user_cannot_sign_in(client: Client, cast: Cast) -> None:
    user_delete(actor=cast.actor(cast.company_admin), user=cast.billing_user)
    assert WRONG_CREDENTIALS in step2(client, "bill", PASSWORD).content.decode()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "http://evil.example/",
        "javascript:alert(1)",
        "///evil.example",
    ],
)
def test_open_redirect_is_refused(client: Client, cast: Cast, target: str) -> None:
    response = step2(client, "bill", PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_next_on_this_site_is_followed_through_both_steps(client: Client, cast: Cast) -> None:
    page = client.get(LOGIN + "?next=/help/").content.decode()
    assert 'name="next" value="/help/"' in page
    assert 'name="next" value="/help/"' in step1(client, "bill", next="/help/").content.decode()
    response = step2(client, "bill", PASSWORD, next="/help/")
    assert response["Location"] == "/help/"


def test_protected_page_sends_to_login_and_back(client: Client, cast: Cast) -> None:
    response = client.get("/activity/")
    assert response.status_code == 302
    assert response["Location"] == "/auth/login/?next=/activity/"
    assert step2(client, "bill", PASSWORD, next="/activity/")["Location"] == "/activity/"


def test_signed_in_user_skips_the_login_page(client: Client, cast: Cast) -> None:
    client.force_login(cast.billing_user)
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_sign_out_is_post_only_and_says_so(client: Client, cast: Cast) -> None:
    client.force_login(cast.billing_user)
    assert client.get("/auth/logout/").status_code == 405
    assert signed_in_as(client) == str(cast.billing_user.pk)
    response = client.post("/auth/logout/", follow=True)
    assert response.redirect_chain[0] == (LOGIN, 302)
    assert "You have signed out." in response.content.decode()
    assert signed_in_as(client) is None


def test_login_form_needs_csrf(cast: Cast) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(LOGIN, {"step": "password", "username": "bill", "password": PASSWORD})
    assert response.status_code == 403


def test_overlong_username_is_refused_at_step_one(client: Client, db: None) -> None:
    html = step1(client, "x" * 200).content.decode()
    assert "at most 150 characters" in html and ">NEXT</button>" in html
    html = step2(client, "x" * 200, "whatever").content.decode()
    assert "at most 150 characters" in html and ">NEXT</button>" in html
