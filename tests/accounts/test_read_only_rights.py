"""A Read-Only Administrator holds view rights only (issue 7: ticking Read-Only left every
"Add, change and delete…" right ticked). The rule in ``rights.held_rights``, the services that
save rights, ``Actor.rights``, the Rights tab and the API all agree."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.rights import ALL_RIGHTS, CHANGE_RIGHTS, READ_RIGHTS, held_rights
from faxline.accounts.services.administrators import (
    administrator_create,
    administrator_set_rights,
)
from faxline.core.errors import Forbidden
from faxline.core.models import AuditEvent

from cast import Cast

pytestmark = pytest.mark.django_db


def test_view_and_change_rights_split_the_catalogue() -> None:
    assert READ_RIGHTS | CHANGE_RIGHTS == ALL_RIGHTS
    assert not READ_RIGHTS & CHANGE_RIGHTS
    assert {"users.manage", "departments.manage", "porting.manage"} <= CHANGE_RIGHTS
    assert {"numbers.view", "porting.view", "activity.inbound"} <= READ_RIGHTS


def test_held_rights_keeps_view_rights_only_when_read_only() -> None:
    asked = ["users.manage", "numbers.view", "porting.view", "settings.fax"]
    assert held_rights(asked, read_only=True) == ["numbers.view", "porting.view"]
    assert held_rights(asked, read_only=False) == sorted(asked)
    assert held_rights(["no.such.right"], read_only=False) == []


def test_set_rights_read_only_clears_change_rights(cast: Cast) -> None:
    carol = Actor(user=cast.company_admin)
    admin = administrator_set_rights(
        actor=carol,
        admin=cast.dept_admin,
        rights=["users.manage", "users.lock", "numbers.view", "activity.outbound"],
        read_only=True,
    )
    admin.refresh_from_db()
    assert admin.read_only is True
    assert admin.rights == ["activity.outbound", "numbers.view"]
    event = AuditEvent.objects.filter(kind="administrator.rights_changed").latest("pk")
    assert event.detail["after"] == {
        "rights": ["activity.outbound", "numbers.view"],
        "read_only": True,
    }

    # Unticking Read-Only does not bring the cleared rights back by itself.
    admin = administrator_set_rights(
        actor=carol, admin=admin, rights=list(admin.rights), read_only=False
    )
    admin.refresh_from_db()
    assert admin.read_only is False and admin.rights == ["activity.outbound", "numbers.view"]


def test_create_read_only_administrator_keeps_view_rights(cast: Cast) -> None:
    created = administrator_create(
        actor=Actor(user=cast.company_admin),
        company=cast.company,
        department=None,
        first_name="Vera",
        last_name="Viewer",
        email="vera@acme.example",
        username="vera",
        generate_password=True,
        read_only=True,
    )
    assert created.user.read_only is True
    assert set(created.user.rights) == READ_RIGHTS  # the default (all she may grant), minus changes
    # The standard cast's read-only administrator was created with every right ticked.
    assert set(User.objects.get(pk=cast.read_only_admin.pk).rights) == READ_RIGHTS


def test_escalation_is_checked_after_read_only_clears_rights(cast: Cast) -> None:
    """Change rights the actor lacks are cleared, not refused, for a read-only administrator;
    view rights the actor lacks are still refused."""
    User.objects.filter(pk=cast.dept_admin.pk).update(rights=["administrators.manage"])
    dana = Actor(user=User.objects.get(pk=cast.dept_admin.pk))
    created = administrator_create(
        actor=dana,
        company=cast.company,
        department=cast.billing,
        first_name="Ray",
        last_name="Reader",
        email="ray@acme.example",
        username="ray",
        generate_password=True,
        rights=["users.manage", "settings.security"],
        read_only=True,
    )
    assert created.user.rights == []
    with pytest.raises(Forbidden) as refused:
        administrator_set_rights(
            actor=dana, admin=created.user, rights=["numbers.view"], read_only=True
        )
    assert refused.value.code == "rights_escalation"


def test_actor_rights_of_a_read_only_administrator(cast: Cast) -> None:
    # Stored before the rule existed: change rights ticked next to Read-Only.
    User.objects.filter(pk=cast.read_only_admin.pk).update(rights=sorted(ALL_RIGHTS))
    rita = Actor(user=User.objects.get(pk=cast.read_only_admin.pk))
    assert rita.rights == READ_RIGHTS
    assert rita.can("numbers.view") and not rita.can("users.manage")
    with pytest.raises(Forbidden) as refused:
        rita.require("numbers.view")
    assert refused.value.code == "read_only"  # view rights never allow a change
    ops = User.objects.filter(pk=cast.operator.pk)
    ops.update(read_only=True)
    assert Actor(user=ops.get()).rights == READ_RIGHTS


# --- the Rights tab -------------------------------------------------------------------------


def _rights_page(viewer: User, admin: User) -> str:
    client = Client()
    client.force_login(viewer)
    url = reverse("accounts:administrator_details", args=[admin.pk]) + "?tab=rights"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _box(html: str, code: str) -> str:
    found = re.search(rf'<input [^>]*id="fx-right-{re.escape(code.replace(".", ""))}"[^>]*>', html)
    assert found, code
    return found.group(0)


def test_rights_tab_of_a_read_only_administrator_shows_change_rights_cleared(
    cast: Cast,
) -> None:
    # Even with change rights left over in the database, the tab shows them cleared.
    User.objects.filter(pk=cast.read_only_admin.pk).update(rights=sorted(ALL_RIGHTS))
    html = _rights_page(cast.company_admin, cast.read_only_admin)
    read_only = re.search(r'<input [^>]*id="fx-read-only"[^>]*>', html)
    assert read_only and "checked" in read_only.group(0)
    assert "the rights to add, change and delete are cleared and cannot be ticked" in html
    note = re.search(r"<p [^>]*data-fx-read-only-note[^>]*>", html)
    assert note and "hidden" not in note.group(0)
    for code in CHANGE_RIGHTS:
        box = _box(html, code)
        assert " checked" not in box and " disabled" in box, code
    for code in READ_RIGHTS:
        box = _box(html, code)
        assert " checked" in box and " disabled" not in box, code
    # A group with change rights only cannot be ticked either.
    group = re.search(r'<input [^>]*id="fx-group-account_administration"[^>]*>', html)
    assert group and " disabled" in group.group(0) and " checked" not in group.group(0)
    assert 'src="/static/accounts/rights.js"' in html


def test_rights_tab_of_an_administrator_leaves_change_rights_free(cast: Cast) -> None:
    html = _rights_page(cast.company_admin, cast.dept_admin)
    note = re.search(r"<p [^>]*data-fx-read-only-note[^>]*>", html)
    assert note and "hidden" in note.group(0)
    box = _box(html, "users.manage")
    assert " checked" in box and " disabled" not in box and "data-fx-changes" in box
    assert "data-fx-changes" not in _box(html, "numbers.view")


def test_rights_tab_post_with_read_only_keeps_view_rights(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.company_admin)
    url = reverse("accounts:administrator_details", args=[cast.dept_admin.pk]) + "?tab=rights"
    response = client.post(
        url,
        {
            "tab": "rights",
            "read_only": "on",
            "group": ["account_administration", "porting"],
            "rights": ["users.manage", "porting.view", "porting.manage"],
        },
    )
    assert response.status_code == 302
    dana = User.objects.get(pk=cast.dept_admin.pk)
    assert dana.read_only is True and dana.rights == ["porting.view"]


# --- the API --------------------------------------------------------------------------------


def _api(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_shows_held_rights_and_marks_view_rights(cast: Cast) -> None:
    User.objects.filter(pk=cast.read_only_admin.pk).update(rights=sorted(ALL_RIGHTS))
    client = _api(cast.company_admin)
    path = f"/api/v1/administrators/{cast.read_only_admin.pk}"
    assert set(client.get(path).json()["rights"]) == READ_RIGHTS
    assert set(client.get(path + "/rights").json()["rights"]) == READ_RIGHTS
    catalogue = client.get("/api/v1/rights").json()
    flags = {r["code"]: r["view"] for g in catalogue["groups"] for r in g["rights"]}
    assert {code for code, view in flags.items() if view} == READ_RIGHTS
