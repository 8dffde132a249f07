"""Welcome messages: ``POST /api/v1/users/{id}/welcome`` (a welcome, or one with a one-time
link to choose a password: never the password), its refusals, and Bulk Create sending the
chosen welcome to every account it creates (by default the company's Notifications tab's).
Every message goes to the notification log and is sent by the task worker."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.passwords import valid_reset_token
from faxline.accounts.services.settings import settings_update
from faxline.core.models import AuditEvent
from faxline.notify.models import NotificationLog

from cast import PASSWORD, Cast
from worker import after_commit

pytestmark = pytest.mark.django_db

Call = Callable[..., HttpResponse]  # the ``call`` fixture (tests/api/conftest.py)

LINK = re.compile(r"https?://\S+/reset/(\S+?)/?\s")


def welcome(call: Call, actor: User, user: User, kind: Any = "welcome") -> Any:
    return call(actor, "post", f"/users/{user.pk}/welcome", {"kind": kind})


def token_in(body: str) -> str:
    found = LINK.search(body)
    assert found, body
    return found.group(1)


def test_a_welcome_with_credentials_carries_a_working_link_never_the_password(
    cast: Cast, call: Call
) -> None:
    with after_commit():
        response = welcome(call, cast.company_admin, cast.billing_user, "with_credentials")
    assert response.status_code == 202, response.content
    assert response.json() == {
        "email": "bill@acme.example",
        "kind": "with_credentials",
        "link_expires_in_days": 7,
    }
    (row,) = NotificationLog.objects.filter(kind="accounts.welcome_credentials")
    assert (row.recipient, row.status, row.carries_secret) == ("bill@acme.example", "logged", True)
    assert row.company_id == cast.company.pk
    (message,) = mail.outbox
    assert message.to == ["bill@acme.example"] and message.subject == "Welcome to faxline, Bill"
    assert 'your username is "bill"' in message.body and "Acme Corp" in message.body
    assert PASSWORD not in message.body
    found = valid_reset_token(token_in(message.body))
    assert found is not None and found.user_id == cast.billing_user.pk
    event = AuditEvent.objects.get(kind="user.welcome_sent")
    assert event.detail["welcome"] == "with_credentials"
    # The log withholds the link from its readers.
    listed = call(cast.company_admin, "get", "/notifications", kind="accounts.welcome_credentials")
    assert "reset" not in listed.json()["items"][0]["body"]

    # A second one: the first link stops working, the new one works.
    with after_commit():
        welcome(call, cast.company_admin, cast.billing_user, "with_credentials")
    assert valid_reset_token(token_in(message.body)) is None
    assert valid_reset_token(token_in(mail.outbox[1].body)) is not None


def test_a_plain_welcome_has_no_link_and_is_not_secret(cast: Cast, call: Call) -> None:
    with after_commit():
        assert welcome(call, cast.company_admin, cast.sales_user).status_code == 202
    (row,) = NotificationLog.objects.filter(kind="accounts.welcome")
    assert not row.carries_secret and "/reset/" not in row.body
    assert "Forgot Password?" in row.body


def test_refusals(cast: Cast, call: Call) -> None:
    outsider = welcome(call, cast.outsider_admin, cast.billing_user)
    assert outsider.status_code == 404
    assert outsider.json()["code"] == "not_found"
    read_only = welcome(call, cast.read_only_admin, cast.billing_user)
    assert (read_only.status_code, read_only.json()["code"]) == (403, "read_only")
    # A department administrator of Billing cannot reach Sales.
    assert welcome(call, cast.dept_admin, cast.sales_user).status_code == 404
    assert welcome(call, cast.dept_admin, cast.billing_user).status_code == 202
    # A fax user is not an administrator.
    assert welcome(call, cast.sales_user, cast.sales_user).status_code == 403
    for bad in ("none", "password", 3, None):
        refused = welcome(call, cast.company_admin, cast.billing_user, bad)
        assert refused.status_code == 422, bad
        assert refused.json()["field"] == "kind"
    extra = call(
        cast.company_admin,
        "post",
        f"/users/{cast.billing_user.pk}/welcome",
        {"kind": "welcome", "password": "x"},
    )
    assert (extra.status_code, extra.json()["field"]) == (422, "password")
    User.objects.filter(pk=cast.sales_user.pk).update(is_locked=True)
    locked = welcome(call, cast.company_admin, cast.sales_user)
    assert (locked.status_code, locked.json()["code"]) == (409, "user_locked")
    User.objects.filter(pk=cast.sales_user.pk).update(is_locked=False, email="")
    no_email = welcome(call, cast.company_admin, cast.sales_user)
    assert (no_email.status_code, no_email.json()["code"]) == (409, "no_email")
    # Only the department administrator's welcome was written.
    assert NotificationLog.objects.filter(kind__startswith="accounts.welcome").count() == 1


CSV = (
    "first_name,last_name,email,username,password\n"
    "Ann,Able,ann@acme.example,ann,\n"
    f"Ben,Baker,ben@acme.example,ben,{PASSWORD}\n"
)


def bulk(call: Call, actor: User, **form: Any) -> Any:
    upload = SimpleUploadedFile("users.csv", CSV.encode(), content_type="text/csv")
    with after_commit():
        response = call(actor, "post", "/users/bulk", files={"file": upload, **form})
    return response


def test_bulk_create_with_credentials_sends_one_email_each_with_the_link(
    cast: Cast, call: Call
) -> None:
    response = bulk(
        call, cast.company_admin, password_links="true", welcome_message="with_credentials"
    )
    assert response.status_code == 202, response.content
    assert response.json()["welcome_message"] == "with_credentials"
    report = call(cast.company_admin, "get", f"/users/bulk/{response.json()['id']}").json()
    assert report["created"] == 2
    assert [r["message"] for r in report["rows"]] == [
        "A welcome message with a link to choose a password was emailed to ann@acme.example.",
        "A welcome message with a link to choose a password was emailed to ben@acme.example.",
    ]
    kinds = sorted(NotificationLog.objects.values_list("kind", "recipient"))
    assert kinds == [
        ("accounts.welcome_credentials", "ann@acme.example"),
        ("accounts.welcome_credentials", "ben@acme.example"),
    ]  # no separate password link email
    ann = next(m for m in mail.outbox if m.to == ["ann@acme.example"])
    found = valid_reset_token(token_in(ann.body))
    assert found is not None and found.user.username == "ann"
    assert not User.objects.get(username="ann").has_usable_password()


def test_bulk_create_defaults_to_the_companys_welcome_message(cast: Cast, call: Call) -> None:
    settings_update(
        actor=Actor(user=cast.company_admin),
        owner=cast.company,
        tab="notifications",
        values={"welcome_message": "welcome"},
    )
    response = bulk(call, cast.company_admin)
    assert response.json()["welcome_message"] == "welcome"
    assert sorted(NotificationLog.objects.values_list("kind", flat=True)) == [
        "accounts.welcome",
        "accounts.welcome",
    ]
    # Chosen explicitly: none.
    User.objects.filter(username__in=["ann", "ben"]).delete()
    NotificationLog.objects.all().delete()
    response = bulk(call, cast.company_admin, welcome_message="none")
    assert response.status_code == 202
    assert not NotificationLog.objects.exists()


def test_bulk_create_refuses_an_unknown_welcome_message(cast: Cast, call: Call) -> None:
    response = bulk(call, cast.company_admin, welcome_message="loud")
    assert (response.status_code, response.json()["field"]) == (422, "welcome_message")
    assert not User.objects.filter(username="ann").exists()
