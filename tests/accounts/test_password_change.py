"""Change password, and the forced change (by an administrator, or an expired password)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from faxline.accounts.models import User
from faxline.accounts.services.passwords import password_set_by_admin
from faxline.accounts.services.security import security_policy_save

from cast import PASSWORD, Cast

CHANGE = "/auth/password/change/"
NEW_PASSWORD = "Brand-New-Secret-7"


def change(client: Client, current: str, new: str, confirm: str | None = None, **extra: str):
    data = {"current_password": current, "new_password": new, "confirm_password": confirm or new}
    return client.post(CHANGE, {**data, **extra}, follow=True)


def test_change_page_needs_sign_in(client: Client, db: None) -> None:
    response = client.get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/auth/login/")


def test_voluntary_change(client: Client, cast: Cast) -> None:
    client.force_login(cast.billing_user)
    html = client.get(CHANGE).content.decode()
    assert "Change password" in html and "CANCEL" in html
    response = change(client, PASSWORD, NEW_PASSWORD)
    assert response.redirect_chain == [("/", 302)]
    assert "Your password has been changed." in response.content.decode()
    # Still signed in here (the session follows the new password hash).
    assert client.session.get(SESSION_KEY) == str(cast.billing_user.pk)
    cast.billing_user.refresh_from_db()
    assert cast.billing_user.check_password(NEW_PASSWORD)


def test_change_refusals_are_shown_on_their_fields(client: Client, cast: Cast) -> None:
    client.force_login(cast.billing_user)
    wrong = change(client, "not-it", NEW_PASSWORD).content.decode()
    assert "The current password is wrong." in wrong
    weak = change(client, PASSWORD, "short").content.decode()
    assert "must be at least 8 characters long" in weak
    mismatch = change(client, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!").content.decode()
    assert "The two passwords do not match." in mismatch


def test_forced_change_redirects_every_portal_page(client: Client, cast: Cast) -> None:
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        values={"force_change_by_admin": True},
    )
    password_set_by_admin(
        actor=cast.actor(cast.company_admin), user=cast.billing_user, password="Admin-Set-Pass-1"
    )
    client.force_login(User.objects.get(pk=cast.billing_user.pk))

    response = client.get("/activity/")
    assert response.status_code == 302
    assert response["Location"] == "/auth/password/change/?next=%2Factivity%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Your administrator requires you to choose a new password." in page
    assert "SIGN OUT" in page
    # The change page, sign-out, static files and the API are not redirected.
    assert client.get(CHANGE).status_code == 200
    assert client.get("/static/faxline/portal.css").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    # An HTMX request gets HX-Redirect instead of a redirect.
    htmx = client.get("/activity/", headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == CHANGE

    response = change(client, "Admin-Set-Pass-1", NEW_PASSWORD, next="/activity/")
    assert response.redirect_chain == [("/activity/", 302)]
    assert client.get("/activity/").status_code == 200
    assert client.post("/auth/logout/").status_code == 302


def test_expired_password_must_be_changed(client: Client, cast: Cast) -> None:
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        values={"max_age_days": 90},
    )
    User.objects.filter(pk=cast.billing_user.pk).update(
        password_changed_at=timezone.now() - timedelta(days=91)
    )
    client.force_login(cast.billing_user)
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][0].startswith(CHANGE)
    assert "more than 90 days old and has expired" in response.content.decode()
    change(client, PASSWORD, NEW_PASSWORD)
    assert client.get("/").status_code == 200
