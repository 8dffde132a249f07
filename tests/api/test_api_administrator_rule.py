"""The administrator rule (``accounts.access.may_manage_administrator``), through the API.

The probe: an administrator holding only the right to manage administrators set the
password of a full-rights administrator and signed in as them, and stripped a full
administrator's rights with ``PUT /administrators/{id}/rights`` and ``read_only: true``.
Now an administrator acts only on administrators whose rights are a subset of their own
and whose scope is inside theirs, and nobody types another administrator's password: they
are sent a reset link.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from faxline.accounts.access import Actor
from faxline.accounts.models import PasswordResetToken, User
from faxline.accounts.services.administrators import administrator_create
from faxline.core.models import AuditEvent

from cast import PASSWORD, Cast
from worker import after_commit

pytestmark = pytest.mark.django_db
Call = Callable[..., Any]


@pytest.fixture(autouse=True)
def _locmem_email(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FAXLINE_PORTAL_URL = "https://fax.example"


def add_admin(
    cast: Cast, username: str, rights: list[str], department: Any = None, **extra: Any
) -> User:
    return administrator_create(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=department,
        first_name=username.title(),
        last_name="Admin",
        email=f"{username}@acme.example",
        username=username,
        password=PASSWORD,
        rights=rights,
        **extra,
    ).user


def snapshot(user: User) -> tuple[Any, ...]:
    user = User.objects.get(pk=user.pk)
    return (
        user.password,
        user.email,
        sorted(user.rights),
        user.read_only,
        user.is_locked,
        user.deleted_at,
    )


def test_manager_of_administrators_cannot_touch_a_full_administrator(
    cast: Cast, call: Call
) -> None:
    """The probe, and every other way to act on an administrator, by API."""
    limited = add_admin(cast, "limited", ["administrators.manage"])
    for target in (cast.company_admin, cast.dept_admin, cast.read_only_admin):
        before = snapshot(target)
        path = f"/administrators/{target.pk}"
        for method, sub, body in (
            ("put", "/rights", {"rights": [], "read_only": True}),
            ("put", "/rights", {"rights": ["administrators.manage"], "read_only": False}),
            ("patch", "", {"email": "attacker@evil.example"}),
            ("post", "/password-reset", None),
            ("delete", "", None),
        ):
            response = call(limited, method, path + sub, body)
            where = f"{method.upper()} {path}{sub} on {target.username}"
            assert response.status_code == 403, f"{where}: {response.status_code}"
            assert response.json()["code"] == "administrator_outranks", where
        assert snapshot(target) == before
    assert not PasswordResetToken.objects.exists()
    # No endpoint sets an administrator's password: the users' one does not see them.
    typed = call(limited, "post", f"/users/{cast.company_admin.pk}/password", {"generate": True})
    assert typed.status_code == 404


def test_rights_and_scope_inside_the_actors_are_in_reach(cast: Cast, call: Call) -> None:
    limited = add_admin(cast, "limited", ["administrators.manage", "users.manage"])
    junior = add_admin(cast, "junior", ["users.manage"], department=cast.sales)
    peer = add_admin(cast, "peer", ["administrators.manage", "users.manage"])
    for target in (junior, peer):  # a subset, or the same rights, is fine
        response = call(
            limited,
            "put",
            f"/administrators/{target.pk}/rights",
            {"rights": ["users.manage"], "read_only": True},
        )
        assert response.status_code == 200, response.content
    changed = call(limited, "patch", f"/administrators/{junior.pk}", {"phone": "5035550100"})
    assert changed.status_code == 200
    # Own account: never.
    own = call(limited, "put", f"/administrators/{limited.pk}/rights", {"rights": []})
    assert own.status_code == 403 and own.json()["code"] == "own_account"
    assert call(limited, "delete", f"/administrators/{junior.pk}").status_code == 204


def test_department_administrator_reaches_only_their_subtree(cast: Cast, call: Call) -> None:
    """Dana manages Billing: Billing Level 1's administrators, not Sales' nor the company's
    (outside her scope they do not exist for her: 404)."""
    below = add_admin(cast, "below", ["users.manage"], department=cast.billing_l1)
    beside = add_admin(cast, "beside", ["users.manage"], department=cast.sales)
    above = add_admin(cast, "above", ["users.manage"])
    dana = cast.dept_admin
    ok = call(dana, "put", f"/administrators/{below.pk}/rights", {"rights": [], "read_only": False})
    assert ok.status_code == 200
    for target in (beside, above, cast.company_admin):
        before = snapshot(target)
        for method, sub, body in (
            ("put", "/rights", {"rights": [], "read_only": True}),
            ("patch", "", {"email": "x@evil.example"}),
            ("post", "/password-reset", None),
            ("delete", "", None),
        ):
            response = call(dana, method, f"/administrators/{target.pk}{sub}", body)
            assert response.status_code == 404, f"{method} {sub} {target.username}"
        assert snapshot(target) == before


def test_an_administrators_password_is_reset_by_a_link(cast: Cast, call: Call) -> None:
    dana = cast.dept_admin
    with after_commit():
        response = call(cast.company_admin, "post", f"/administrators/{dana.pk}/password-reset")
    assert response.status_code == 202
    assert response.json() == {"email": "dana@acme.example", "expires_in_minutes": 60}
    # Nothing changed yet: the password stays until Dana uses the link.
    assert User.objects.get(pk=dana.pk).check_password(PASSWORD)
    assert AuditEvent.objects.filter(kind="password.reset_link_sent_by_admin").count() == 1
    (message,) = mail.outbox
    assert message.to == ["dana@acme.example"]
    assert "An administrator of your faxline account has asked" in message.body
    link = re.search(r"https://fax\.example(/auth/password/reset/[^/\s]+/)", message.body)
    assert link
    client = Client()
    done = client.post(
        link.group(1),
        {"new_password": "Dana-Own-Choice-9", "confirm_password": "Dana-Own-Choice-9"},
    )
    assert done.status_code == 302
    assert User.objects.get(pk=dana.pk).check_password("Dana-Own-Choice-9")
    # Carol never saw it: the answer and the audit trail carry no password.
    assert "Dana-Own-Choice-9" not in response.content.decode()


def test_a_locked_administrator_gets_no_link(cast: Cast, call: Call) -> None:
    User.objects.filter(pk=cast.dept_admin.pk).update(is_locked=True)
    response = call(
        cast.company_admin, "post", f"/administrators/{cast.dept_admin.pk}/password-reset"
    )
    assert response.status_code == 409 and response.json()["code"] == "account_locked"


# --- the portal ----------------------------------------------------------------------------


def portal(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def admin_url(user: User, tab: str = "details") -> str:
    return reverse("accounts:administrator_details", args=[user.pk]) + f"?tab={tab}"


def test_portal_probe_set_password_on_a_full_administrator_is_refused(cast: Cast) -> None:
    """The exact probe: ``action=set_password`` on Administrator Details."""
    limited = add_admin(cast, "limited", ["administrators.manage"])
    carol = cast.company_admin
    before = snapshot(carol)
    response = portal(limited).post(
        admin_url(carol, "security"),
        {"tab": "security", "action": "set_password", "password": "Taken-Over-2026"},
    )
    assert response.status_code == 403
    assert snapshot(carol) == before
    # Not even on an administrator the rule allows: it is a reset link now.
    junior = add_admin(cast, "junior", [])
    response = portal(cast.company_admin).post(
        admin_url(junior, "security"),
        {"tab": "security", "action": "set_password", "password": "Typed-By-Carol-1"},
    )
    assert response.status_code == 403
    assert "send them a password reset link" in response.content.decode()
    assert User.objects.get(pk=junior.pk).check_password(PASSWORD)


def test_portal_refuses_and_hides_every_action_on_a_full_administrator(cast: Cast) -> None:
    limited = add_admin(cast, "limited", ["administrators.manage"])
    client = portal(limited)
    carol = cast.company_admin
    before = snapshot(carol)
    security = client.get(admin_url(carol, "security")).content.decode()
    assert "Send password reset link" not in security and "Set password" not in security
    details = client.get(admin_url(carol)).content.decode()
    assert "they hold rights you do not" in details
    rights = client.get(admin_url(carol, "rights")).content.decode()
    assert "they hold rights you do not" in rights
    tree = client.get(reverse("accounts:tree")).content.decode()
    delete_url = reverse("accounts:user_delete", args=[carol.pk])
    assert delete_url not in tree

    posts = [
        (admin_url(carol, "security"), {"tab": "security", "action": "send_reset_link"}),
        (admin_url(carol, "rights"), {"tab": "rights", "read_only": "on"}),
        (
            admin_url(carol),
            {
                "tab": "details",
                "first_name": "Carol",
                "last_name": "Chief",
                "email": "attacker@evil.example",
                "time_zone": "America/New_York",
                "language": "en",
            },
        ),
        (reverse("accounts:user_lock", args=[carol.pk]), {}),
        (delete_url, {}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403, f"{url}: {response.status_code}"
    assert snapshot(carol) == before
    assert not PasswordResetToken.objects.exists()


def test_lock_right_alone_does_not_lock_administrators(cast: Cast) -> None:
    """Lock User is for fax users; locking an administrator is acting on them."""
    locker = add_admin(cast, "locker", ["users.lock", "users.manage"])
    client = portal(locker)
    for target in (cast.company_admin, add_admin(cast, "nobody", [])):
        response = client.post(reverse("accounts:user_lock", args=[target.pk]))
        assert response.status_code == 403
        assert not User.objects.get(pk=target.pk).is_locked
    # A fax user, as before.
    assert (
        client.post(reverse("accounts:user_lock", args=[cast.billing_user.pk])).status_code == 302
    )
    assert User.objects.get(pk=cast.billing_user.pk).is_locked


def test_portal_sends_the_reset_link(cast: Cast) -> None:
    client = portal(cast.company_admin)
    dana = cast.dept_admin
    page = client.get(admin_url(dana, "security")).content.decode()
    assert "Send password reset link" in page
    with after_commit():
        response = client.post(
            admin_url(dana, "security"),
            {"tab": "security", "action": "send_reset_link"},
            follow=True,
        )
    assert response.status_code == 200
    assert "A password reset link is on its way to Dana Dept" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["dana@acme.example"]]
    assert User.objects.get(pk=dana.pk).check_password(PASSWORD)


def test_rule_is_the_same_for_every_service(cast: Cast) -> None:
    """The services themselves refuse (whoever calls them): set rights, details, password,
    lock, unlock, delete."""
    from faxline.accounts.services import administrators, passwords, users
    from faxline.core.errors import Forbidden

    limited = Actor(user=add_admin(cast, "limited", ["administrators.manage"]))
    carol = cast.company_admin
    attempts = [
        lambda: administrators.administrator_set_rights(
            actor=limited, admin=carol, rights=[], read_only=True
        ),
        lambda: administrators.administrator_password_reset(actor=limited, admin=carol),
        lambda: users.user_update(actor=limited, user=carol, changes={"email": "x@evil.example"}),
        lambda: users.user_lock(actor=limited, user=carol),
        lambda: users.user_unlock(actor=limited, user=carol),
        lambda: users.user_delete(actor=limited, user=carol),
        lambda: passwords.password_set_by_admin(actor=limited, user=carol, password="Xx-12345678"),
    ]
    before = snapshot(carol)
    for attempt in attempts:
        with pytest.raises(Forbidden) as refused:
            attempt()
        assert refused.value.code == "administrator_outranks"
    assert snapshot(carol) == before
