"""The API keys page and the audit log page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from faxline.accounts.models import ApiKey
from faxline.accounts.services.api_keys import api_key_authenticate, api_key_create
from faxline.accounts.services.security import security_policy_save
from faxline.core.audit import audit_record
from faxline.core.models import AuditEvent

from cast import PASSWORD, Cast

API_KEYS = "/auth/api-keys/"
AUDIT = "/auth/audit/"


def test_url_names() -> None:
    assert reverse("api_keys") == API_KEYS
    assert reverse("audit_log") == AUDIT
    assert reverse("api_key_revoke", args=[7]) == "/auth/api-keys/7/revoke/"


def test_pages_need_sign_in(client: Client, db: None) -> None:
    for url in (API_KEYS, AUDIT, "/auth/api-keys/1/revoke/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/auth/login/")


# --- API keys ---------------------------------------------------------------------------


def test_create_shows_the_secret_once(client: Client, cast: Cast) -> None:
    client.force_login(cast.billing_user)
    assert "You have no API keys yet." in client.get(API_KEYS).content.decode()

    response = client.post(API_KEYS, {"name": "Billing system", "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 200
    secret = re.search(r'value="(fxl_[^"]+)"', html)
    assert secret, html
    assert "Copy it now: it will not be shown again." in html
    assert ">Copy</button>" in html
    key = ApiKey.objects.get(user=cast.billing_user)
    assert key.name == "Billing system"

    listing = client.get(API_KEYS).content.decode()
    assert secret.group(1) not in listing
    assert "Billing system" in listing and key.prefix in listing
    assert "Active" in listing and "Never" in listing
    # The secret shown is the working key.
    assert api_key_authenticate(secret.group(1)) == cast.billing_user
    assert "Never" not in client.get(API_KEYS).content.decode()


def test_create_needs_a_name(client: Client, cast: Cast) -> None:
    client.force_login(cast.billing_user)
    response = client.post(API_KEYS, {"name": "  ", "password": PASSWORD})
    assert response.status_code == 422
    assert "Give the key a name." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_create_needs_the_password_typed_again(client: Client, cast: Cast) -> None:
    """A session lives on while its owner is away; a key lives until revoked. Creating one
    from the session therefore asks for the password again (a recent sign-in)."""
    client.force_login(cast.billing_user)
    missing = client.post(API_KEYS, {"name": "Scanner"})
    assert missing.status_code == 422
    assert "Enter your password to create an API key." in missing.content.decode()
    wrong = client.post(API_KEYS, {"name": "Scanner", "password": "Not-My-Password-1"})
    assert wrong.status_code == 403
    html = wrong.content.decode()
    assert "The password is not correct" in html
    assert "Not-My-Password-1" not in html  # never rendered back
    assert not ApiKey.objects.exists()
    # The wrong password counted as a failed sign-in.
    failed = AuditEvent.objects.filter(
        kind="auth.sign_in_failed", target_id=str(cast.billing_user.pk)
    )
    assert failed.count() == 1
    assert client.post(API_KEYS, {"name": "Scanner", "password": PASSWORD}).status_code == 200
    assert ApiKey.objects.filter(user=cast.billing_user, name="Scanner").exists()


def test_a_locked_out_session_cannot_create_a_key_by_guessing(client: Client, cast: Cast) -> None:
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        values={"lockout_attempts": 3, "lockout_minutes": 10},
    )
    client.force_login(cast.billing_user)
    for _ in range(3):
        response = client.post(API_KEYS, {"name": "Guess", "password": "Wrong-Guess-1"})
        assert response.status_code == 403
    # Locked out now: even the right password is refused, exactly like a wrong one.
    response = client.post(API_KEYS, {"name": "Guess", "password": PASSWORD})
    assert response.status_code == 403
    assert "The password is not correct" in response.content.decode()
    assert not ApiKey.objects.exists()
    assert AuditEvent.objects.filter(kind="auth.locked_out").count() == 1


def test_revoke_after_confirmation(client: Client, cast: Cast) -> None:
    created = api_key_create(actor=cast.actor(cast.billing_user), name="Scanner")
    client.force_login(cast.billing_user)
    url = f"/auth/api-keys/{created.key.pk}/revoke/"
    confirm = client.get(url).content.decode()
    assert "Revoke the API key" in confirm and "Scanner" in confirm
    assert ApiKey.objects.get().revoked_at is None  # GET changes nothing

    response = client.post(url, follow=True)
    assert response.redirect_chain == [(API_KEYS, 302)]
    html = response.content.decode()
    assert "is revoked" in html and "Revoked" in html
    assert ApiKey.objects.get().revoked_at is not None
    assert api_key_authenticate(created.secret) is None
    assert AuditEvent.objects.filter(kind="api_key.revoked").count() == 1
    # Revoking again says so instead of failing.
    again = client.post(url, follow=True)
    assert "already revoked" in again.content.decode()


def test_someone_elses_key_does_not_exist(client: Client, cast: Cast) -> None:
    created = api_key_create(actor=cast.actor(cast.sales_user), name="Theirs")
    client.force_login(cast.company_admin)
    url = f"/auth/api-keys/{created.key.pk}/revoke/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert ApiKey.objects.get().revoked_at is None
    assert "Theirs" not in client.get(API_KEYS).content.decode()


# --- audit log --------------------------------------------------------------------------


def test_company_admin_sees_their_company_events(client: Client, cast: Cast) -> None:
    audit_record(kind="test.outsider", actor=cast.outsider_admin, company=cast.outsider_company)
    audit_record(
        kind="test.ours",
        actor=cast.company_admin,
        company=cast.company,
        target=cast.billing_user,
        ip_address="192.0.2.7",
        detail={"reason": "checking"},
    )
    client.force_login(cast.company_admin)
    response = client.get(AUDIT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "test.ours" in html and "192.0.2.7" in html and "checking" in html
    assert "Bill Payer" in html and "carol" in html
    assert "test.outsider" not in html


def test_filter_by_kind(client: Client, cast: Cast) -> None:
    audit_record(kind="test.one", actor=cast.company_admin, company=cast.company)
    audit_record(kind="test.two", actor=cast.company_admin, company=cast.company)
    client.force_login(cast.company_admin)
    html = client.get(AUDIT, {"kind": "test.two"}).content.decode()
    rows = re.findall(r"<code>(test\.\w+)</code>", html)
    assert rows == ["test.two"]
    # An unknown kind is ignored, not an error.
    assert client.get(AUDIT, {"kind": "bogus"}).status_code == 200


def test_pagination(client: Client, cast: Cast) -> None:
    for i in range(60):
        audit_record(
            kind="test.many", actor=cast.company_admin, company=cast.company, detail={"n": i}
        )
    client.force_login(cast.company_admin)
    first = client.get(AUDIT, {"kind": "test.many"}).content.decode()
    assert first.count("<code>test.many</code>") == 50
    assert "Page 1 of 2" in first and "kind=test.many&amp;page=2" in first
    second = client.get(AUDIT, {"kind": "test.many", "page": 2}).content.decode()
    assert second.count("<code>test.many</code>") == 10


def test_operator_sees_every_company(client: Client, cast: Cast) -> None:
    audit_record(kind="test.outsider", actor=cast.outsider_admin, company=cast.outsider_company)
    client.force_login(cast.operator)
    assert "test.outsider" in client.get(AUDIT).content.decode()


@pytest.mark.parametrize("who", ["dept_admin", "billing_user", "outsider_user"])
def test_others_get_403(client: Client, cast: Cast, who: str) -> None:
    client.force_login(getattr(cast, who))
    response = client.get(AUDIT)
    assert response.status_code == 403
    assert "You do not have access to the audit log" in response.content.decode()


def test_read_only_company_admin_may_look(client: Client, cast: Cast) -> None:
    client.force_login(cast.read_only_admin)
    assert client.get(AUDIT).status_code == 200
