"""The accounts services: hierarchy, copies of settings, scoping and rights."""

from __future__ import annotations

import pytest

from faxline.accounts import selectors
from faxline.accounts.access import Actor
from faxline.accounts.auth import WRONG_CREDENTIALS, sign_in
from faxline.accounts.models import Department, User
from faxline.accounts.services.administrators import administrator_create, administrator_set_rights
from faxline.accounts.services.departments import department_create, department_delete
from faxline.accounts.services.security import security_policy_save
from faxline.accounts.services.settings import settings_push_to_descendants, settings_update
from faxline.accounts.services.users import user_create, user_delete, user_lock, user_unlock
from faxline.core.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from faxline.core.models import AuditEvent

from cast import PASSWORD, Cast


def test_department_copies_parent_settings_once(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    settings_update(actor=admin, owner=cast.billing, tab="fax", values={"inbound_file_type": "TIF"})
    child = department_create(
        actor=admin, company=cast.company, parent=cast.billing, name="Billing Level 1b"
    )
    assert child.settings["fax"]["inbound_file_type"] == "TIF"
    settings_update(actor=admin, owner=cast.billing, tab="fax", values={"inbound_file_type": "XPS"})
    child.refresh_from_db()
    assert child.settings["fax"]["inbound_file_type"] == "TIF"  # no flow-down
    assert child.path == f"{cast.billing.path}{child.pk}/"


def test_push_to_descendants_is_operator_only_and_audited(cast: Cast) -> None:
    settings_update(
        actor=cast.actor(cast.company_admin),
        owner=cast.company,
        tab="fax",
        values={"inbound_file_type": "TIF-Fax"},
    )
    with pytest.raises(Forbidden):
        settings_push_to_descendants(
            actor=cast.actor(cast.company_admin), owner=cast.company, tabs=["fax"]
        )
    counts = settings_push_to_descendants(
        actor=cast.actor(cast.operator), owner=cast.company, tabs=["fax"]
    )
    assert counts == {"departments": 3, "users": 2}
    cast.sales_user.refresh_from_db()
    assert cast.sales_user.settings["fax"]["inbound_file_type"] == "TIF-Fax"
    assert AuditEvent.objects.filter(kind="settings.pushed").count() == 1


def test_delete_department_refused_with_active_users(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    with pytest.raises(Conflict, match="1 active user"):
        department_delete(actor=admin, department=cast.sales)
    assert Department.objects.filter(pk=cast.sales.pk).exists()
    user_delete(actor=admin, user=cast.sales_user)
    department_delete(actor=admin, department=cast.sales)
    assert not Department.objects.filter(pk=cast.sales.pk).exists()


def test_department_admin_sees_only_subtree(cast: Cast) -> None:
    dana = cast.actor(cast.dept_admin)
    names = {d.name for d in selectors.department_list(actor=dana)}
    assert names == {"Billing Dept", "Billing Level 1"}
    with pytest.raises(NotFound):
        selectors.department_get(actor=dana, department_id=cast.sales.pk)
    with pytest.raises(NotFound):
        selectors.user_get(actor=dana, user_id=cast.sales_user.pk)
    assert selectors.user_get(actor=dana, user_id=cast.billing_user.pk) == cast.billing_user
    with pytest.raises(NotFound):
        department_create(actor=dana, company=cast.company, parent=cast.sales, name="Sneaky")
    with pytest.raises(Forbidden):
        department_create(actor=dana, company=cast.company, parent=None, name="Top")


def test_outsider_sees_nothing_of_acme(cast: Cast) -> None:
    otto = cast.actor(cast.outsider_admin)
    with pytest.raises(NotFound):
        selectors.department_get(actor=otto, department_id=cast.billing.pk)
    with pytest.raises(NotFound):
        selectors.user_get(actor=otto, user_id=cast.billing_user.pk)
    assert not selectors.user_list(actor=otto).filter(company=cast.company).exists()


def test_read_only_admin_cannot_write(cast: Cast) -> None:
    rita = cast.actor(cast.read_only_admin)
    with pytest.raises(Forbidden, match="read-only"):
        department_create(actor=rita, company=cast.company, parent=None, name="X")
    with pytest.raises(Forbidden):
        user_lock(actor=rita, user=cast.sales_user)


def test_user_create_enforces_policy_and_leaves_nothing(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    before = User.objects.count()
    with pytest.raises(ValidationFailed) as err:
        user_create(
            actor=admin,
            company=cast.company,
            department=cast.sales,
            first_name="Weak",
            last_name="Pass",
            email="w@acme.example",
            username="weak",
            password="abc",
        )
    assert err.value.field == "password"
    assert "at least 8 characters" in err.value.message
    assert User.objects.count() == before
    created = user_create(
        actor=admin,
        company=cast.company,
        department=cast.sales,
        first_name="Gen",
        last_name="Erated",
        email="Gen@Acme.example",
        use_email_as_username=True,
        generate_password=True,
    )
    assert created.user.username == "gen@acme.example"
    assert created.generated_password
    assert created.user.check_password(created.generated_password)


def test_rights_cannot_be_escalated(cast: Cast) -> None:
    boss = cast.actor(cast.company_admin)
    limited = administrator_create(
        actor=boss,
        company=cast.company,
        department=cast.billing,
        first_name="Lim",
        last_name="Ited",
        email="lim@acme.example",
        username="lim",
        password=PASSWORD,
        rights=["administrators.manage", "users.manage"],
    ).user
    with pytest.raises(Forbidden, match="cannot grant"):
        administrator_create(
            actor=Actor(user=limited),
            company=cast.company,
            department=cast.billing_l1,
            first_name="Esc",
            last_name="Alate",
            email="e@acme.example",
            username="esc",
            password=PASSWORD,
            rights=["departments.manage"],
        )
    with pytest.raises(Forbidden, match="do not have the right"):
        department_create(
            actor=Actor(user=limited), company=cast.company, parent=cast.billing, name="Nope"
        )


def test_lockout_after_policy_attempts(cast: Cast) -> None:
    security_policy_save(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        values={"lockout_attempts": 3, "lockout_minutes": 10},
    )
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            sign_in(username="sarah", password="wrong")
    with pytest.raises(AuthenticationFailed) as third:
        sign_in(username="sarah", password="wrong")
    with pytest.raises(AuthenticationFailed) as locked:
        sign_in(username="sarah", password=PASSWORD)
    with pytest.raises(AuthenticationFailed) as unknown:
        sign_in(username="nobody", password=PASSWORD)
    # One answer for all three: nothing tells an outsider the account exists or locked.
    answers = {(e.value.code, e.value.message) for e in (third, locked, unknown)}
    assert answers == {("wrong_credentials", WRONG_CREDENTIALS)}
    assert AuditEvent.objects.filter(kind="auth.locked_out").count() == 1
    user_unlock(actor=cast.actor(cast.company_admin), user=cast.sales_user)
    assert sign_in(username="SARAH", password=PASSWORD) == cast.sales_user


def test_department_policy_overrides_company(cast: Cast) -> None:
    boss = cast.actor(cast.company_admin)
    security_policy_save(
        actor=boss, company=cast.company, department=cast.billing, values={"min_length": 12}
    )
    with pytest.raises(ValidationFailed, match="at least 12"):
        user_create(
            actor=boss,
            company=cast.company,
            department=cast.billing_l1,
            first_name="A",
            last_name="B",
            email="ab@acme.example",
            username="abby",
            password="Short-pass1",
        )
    user_create(
        actor=boss,
        company=cast.company,
        department=cast.sales,
        first_name="A",
        last_name="B",
        email="ab@acme.example",
        username="abby",
        password="Short-pass1",
    )


def test_administrator_with_rights_beyond_the_editors_is_out_of_reach(cast: Cast) -> None:
    """The administrator rule: an editor acts only on administrators whose rights are all
    the editor's too (this test used to pin the opposite: rights the editor lacked were
    "kept" while the editor changed the rest, and even Read-Only could be ticked)."""
    boss = cast.actor(cast.company_admin)
    target = administrator_create(
        actor=boss,
        company=cast.company,
        department=cast.billing_l1,
        first_name="Tara",
        last_name="Get",
        email="tara@acme.example",
        username="tara",
        password=PASSWORD,
        rights=["departments.manage", "users.manage"],
    ).user
    editor = administrator_create(
        actor=boss,
        company=cast.company,
        department=cast.billing,
        first_name="Ed",
        last_name="Itor",
        email="ed@acme.example",
        username="editor",
        password=PASSWORD,
        rights=["administrators.manage", "users.manage", "users.lock"],
    ).user
    with pytest.raises(Forbidden, match="they hold rights you do not") as refused:
        administrator_set_rights(
            actor=Actor(user=editor), admin=target, rights=["users.manage"], read_only=True
        )
    assert refused.value.code == "administrator_outranks"
    target.refresh_from_db()
    assert (target.rights, target.read_only) == (["departments.manage", "users.manage"], False)
    # Once the target holds nothing beyond the editor's rights, the editor may change them,
    # but still grant only what the editor holds.
    administrator_set_rights(actor=boss, admin=target, rights=["users.manage"], read_only=False)
    administrator_set_rights(
        actor=Actor(user=editor),
        admin=target,
        rights=["users.manage", "users.lock"],
        read_only=False,
    )
    target.refresh_from_db()
    assert target.rights == ["users.lock", "users.manage"]
    with pytest.raises(Forbidden, match="cannot grant"):
        administrator_set_rights(
            actor=Actor(user=editor), admin=target, rights=["numbers.view"], read_only=False
        )
