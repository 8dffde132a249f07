"""Forgot Password: the same answer for everyone, in the same time, one-time links, the
policy on the new one. The request only enqueues the work; ``request_link`` runs the task
worker after it, as a real install would."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from faxline.accounts import passwords
from faxline.accounts.auth import sign_in
from faxline.accounts.models import PasswordResetToken, User
from faxline.accounts.services.api_keys import token_digest
from faxline.accounts.services.passwords import password_change
from faxline.accounts.services.security import security_policy_save
from faxline.accounts.services.users import user_lock
from faxline.core.errors import ValidationFailed
from faxline.core.models import AuditEvent
from faxline.notify.models import NotificationLog

from cast import PASSWORD, Cast
from worker import after_commit

FORGOT = "/auth/password/forgot/"
ANSWER = "If an account exists for that username, we have sent a reset link to its email address."
NEW_PASSWORD = "Brand-New-Secret-7"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _locmem_email(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FAXLINE_PORTAL_URL = "https://fax.example"


def request_link(client: Client, username: str):
    """Ask for a link, then let the task worker do what the request only enqueued."""
    with after_commit():
        return client.post(FORGOT, {"username": username}, follow=True)


def link_path() -> str:
    match = re.search(r"https://fax\.example(/auth/password/reset/[^/\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def reset(client: Client, path: str, password: str, confirm: str | None = None):
    return client.post(
        path, {"new_password": password, "confirm_password": confirm or password}, follow=True
    )


def test_forgot_page_as_the_guide_shows_it(client: Client, db: None) -> None:
    html = client.get(FORGOT).content.decode()
    assert "Forgot Password?" in html
    assert 'name="username"' in html
    assert "RESET PASSWORD" in html and "RETURN TO LOGIN" in html


def test_same_answer_for_existing_and_unknown_usernames(client: Client, cast: Cast) -> None:
    known = request_link(client, "bill")
    assert len(mail.outbox) == 1
    unknown = request_link(client, "nobody")
    assert len(mail.outbox) == 1  # nothing for the unknown one
    for response in (known, unknown):
        assert response.status_code == 200
        assert response.redirect_chain == [(FORGOT, 302)]
        assert ANSWER in response.content.decode()
    message = mail.outbox[0]
    assert message.to == ["bill@acme.example"]
    assert "Reset your faxline password" in message.subject
    assert re.search(r"https://fax\.example/auth/password/reset/\S+/", message.body)


def test_the_request_path_neither_looks_up_nor_sends(
    client: Client, cast: Cast, django_capture_on_commit_callbacks
) -> None:
    """Constant time: a known and an unknown username get the same response from the same
    work (the same queries), and neither sends or issues anything on the request's path."""
    answers = []
    for username in ("bill", "nobody-at-all"):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post(FORGOT, {"username": username})
        answers.append((response.status_code, response["Location"], len(queries)))
        tables = [q["sql"].split('"')[1] for q in queries if q["sql"].startswith("INSERT")]
        assert tables == [DBTaskResult._meta.db_table], tables  # only the nudge
    assert answers[0] == answers[1]
    assert answers[0][:2] == (302, FORGOT)
    # Nothing sent, no link issued, no log row: only two tasks waiting for the worker.
    assert mail.outbox == []
    assert not PasswordResetToken.objects.exists()
    assert not NotificationLog.objects.exists()
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    with after_commit():
        pass  # the worker runs both tasks: one email, for the account that exists
    assert [m.to for m in mail.outbox] == [["bill@acme.example"]]
    (logged,) = NotificationLog.objects.all()
    assert logged.kind == "accounts.password_reset" and logged.company == cast.company
    assert "/auth/password/reset/" not in logged.shown_body  # the log withholds the link


def test_only_a_digest_of_the_token_is_stored(client: Client, cast: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        request_link(client, "bill")
    token = link_path().rstrip("/").rsplit("/", 1)[-1]
    stored = PasswordResetToken.objects.get(user=cast.billing_user)
    assert stored.digest == token_digest(token)
    assert token not in stored.digest
    assert stored.expires_at - stored.created_at == timedelta(hours=1)
    assert not AuditEvent.objects.filter(detail__icontains=token).exists()


def test_reset_link_works_once(client: Client, cast: Cast) -> None:
    request_link(client, "bill")
    path = link_path()
    page = client.get(path)
    assert page.status_code == 200
    assert "Choose a new password" in page.content.decode()

    response = reset(client, path, NEW_PASSWORD)
    assert response.redirect_chain == [("/auth/login/", 302)]
    assert "Your password has been reset." in response.content.decode()
    assert sign_in(username="bill", password=NEW_PASSWORD).pk == cast.billing_user.pk
    assert AuditEvent.objects.filter(kind="password.reset", target_id=str(cast.billing_user.pk))

    again = client.get(path)
    assert again.status_code == 410
    assert "no longer valid" in again.content.decode()
    assert "/auth/password/forgot/" in again.content.decode()
    assert reset(client, path, "Another-Secret-8").status_code == 410


def test_expired_link_is_refused(client: Client, cast: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        request_link(client, "bill")
    path = link_path()
    with time_machine.travel(NOW + timedelta(minutes=59), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=61), tick=False):
        response = client.get(path)
        assert response.status_code == 410
        assert "no longer valid" in response.content.decode()
        assert reset(client, path, NEW_PASSWORD).status_code == 410
    cast.billing_user.refresh_from_db()
    assert cast.billing_user.check_password(PASSWORD)


def test_unknown_link_is_refused(client: Client, db: None) -> None:
    response = client.get("/auth/password/reset/not-a-real-token/")
    assert response.status_code == 410
    assert "REQUEST A NEW LINK" in response.content.decode()


def test_a_new_request_invalidates_the_earlier_link(client: Client, cast: Cast) -> None:
    request_link(client, "bill")
    first = link_path()
    request_link(client, "bill")
    second = link_path()
    assert first != second
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_new_password_is_checked_against_the_policy_and_history(client: Client, cast: Cast) -> None:
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        values={"history_count": 3, "min_length": 12},
    )
    password_change(
        user=cast.billing_user, current_password=PASSWORD, new_password="Second-Secret-22"
    )
    request_link(client, "bill")
    path = link_path()

    html = client.get(path).content.decode()
    assert "12 to 100 characters" in html
    assert "not one of your last 3 passwords" in html

    short = reset(client, path, "Sh0rt-pw").content.decode()
    assert "must be at least 12 characters long" in short
    earlier = reset(client, path, PASSWORD).content.decode()
    assert "must differ from your last 3 passwords" in earlier
    current = reset(client, path, "Second-Secret-22").content.decode()
    assert "must differ from your current password" in current
    mismatch = reset(client, path, NEW_PASSWORD, confirm=NEW_PASSWORD + "x").content.decode()
    assert "The two passwords do not match." in mismatch
    # Refusals leave the link usable.
    response = reset(client, path, NEW_PASSWORD)
    assert response.redirect_chain == [("/auth/login/", 302)]


def test_reset_clears_a_lock_out_but_not_lock_user(client: Client, cast: Cast) -> None:
    User.objects.filter(pk=cast.billing_user.pk).update(
        locked_out_until=datetime(2099, 1, 1, tzinfo=UTC), failed_login_count=2
    )
    request_link(client, "bill")
    reset(client, link_path(), NEW_PASSWORD)
    cast.billing_user.refresh_from_db()
    assert cast.billing_user.locked_out_until is None
    assert cast.billing_user.failed_login_count == 0

    user_lock(actor=cast.actor(cast.company_admin), user=cast.sales_user)
    request_link(client, "sarah")
    assert len(mail.outbox) == 1  # nothing for a suspended account


def test_requests_are_rate_limited_per_username(client: Client, cast: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        for _ in range(passwords.MAX_REQUESTS_PER_HOUR + 2):
            response = request_link(client, "bill")
            assert ANSWER in response.content.decode()
    assert len(mail.outbox) == passwords.MAX_REQUESTS_PER_HOUR
    with time_machine.travel(NOW + timedelta(minutes=61), tick=False):
        request_link(client, "bill")
    assert len(mail.outbox) == passwords.MAX_REQUESTS_PER_HOUR + 1


def test_mail_failure_gives_the_same_answer(client: Client, cast: Cast, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    response = request_link(client, "bill")
    assert ANSWER in response.content.decode()
    # The worker could not deliver it: the message waits for its next attempt.
    (message,) = NotificationLog.objects.filter(kind="accounts.password_reset")
    assert message.status == "retrying" and message.next_attempt_at is not None


def test_service_refuses_unknown_token(cast: Cast) -> None:
    with pytest.raises(passwords.ResetLinkInvalid) as caught:
        passwords.password_reset_complete(token="nope", new_password=NEW_PASSWORD)
    assert caught.value.code == "reset_link_invalid"
    with pytest.raises(ValidationFailed):
        passwords.password_reset_complete(token="", new_password=NEW_PASSWORD)
