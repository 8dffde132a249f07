"""Settings tabs (Fax, Coverpage, Notifications, ...) of a company, department or user, and
the operator's audited push of a level's settings to its descendants."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from pydantic import ValidationError as PydanticError

from faxline.accounts.access import Actor, may_change_settings, may_push_settings
from faxline.accounts.choices import Role
from faxline.accounts.models import (
    Company,
    Department,
    User,
)
from faxline.accounts.preferences import TABS, USER_TABS, complete
from faxline.core.audit import audit_record
from faxline.core.crypto import encrypt_text
from faxline.core.errors import ValidationFailed
from faxline.core.net import check_public_host

SettingsOwner = Company | Department | User


def settings_with_overrides(
    source: dict[str, Any], tabs: tuple[str, ...], overrides: dict[str, dict[str, Any]] | None
) -> dict[str, Any]:
    data = complete(source, tabs)
    for tab, values in (overrides or {}).items():
        if tab not in tabs:
            raise ValidationFailed(f"Unknown settings tab {tab!r}.", field=f"settings.{tab}")
        data[tab] = validated_tab(tab, {**data[tab], **(values or {})})
    return data


def validated_tab(tab: str, values: dict[str, Any]) -> dict[str, Any]:
    try:
        return TABS[tab].model_validate(values).model_dump(mode="json")
    except PydanticError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        field = f"settings.{tab}.{loc}" if loc else f"settings.{tab}"
        raise ValidationFailed(
            f"{field}: {first.get('msg', 'invalid value')}", field=field
        ) from exc


def _owner_company(owner: SettingsOwner) -> Company:
    if isinstance(owner, Company):
        return owner
    assert owner.company is not None
    return owner.company


def _check_user_owner(actor: Actor, owner: SettingsOwner) -> None:
    """A user's settings: a fax user the actor may see (else 404)."""
    if isinstance(owner, User):
        from faxline.accounts.selectors import user_get

        user_get(actor=actor, user_id=owner.pk)
        if owner.role != Role.FAX_USER:
            raise ValidationFailed("Only fax user accounts carry fax settings.", field="user_id")


def settings_update(
    *, actor: Actor, owner: SettingsOwner, tab: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Save one settings tab of a company, department or user; returns the stored tab.

    A destination faxline will connect to (the Archive tab's FTP host) must be public
    (``core.net.check_public_host``, which may ask DNS): checked before the transaction.
    """
    allowed = USER_TABS if isinstance(owner, User) else tuple(TABS)
    if tab not in allowed:
        raise ValidationFailed(f"Unknown settings tab {tab!r}.", field="tab")
    _check_user_owner(actor, owner)
    may_change_settings(actor, owner, tab).check()
    if not isinstance(values, dict):
        raise ValidationFailed("Settings must be an object.", field=f"settings.{tab}")
    if tab == "archive" and isinstance(values.get("ftp_host"), str) and values["ftp_host"]:
        check_public_host(values["ftp_host"], field="settings.archive.ftp_host")
    if tab == "coverpage":
        _check_default_coverpage(owner, values)
    return _settings_save(actor=actor, owner=owner, tab=tab, values=values, allowed=allowed)


def _check_default_coverpage(owner: SettingsOwner, values: dict[str, Any]) -> None:
    """The default coverpage must be one the level may use: the built-in, or a cover of
    its own or (without "Only my cover(s)") of a level above it. Checked when either
    changes; a cover deleted since is replaced by the built-in when a fax is sent."""
    from faxline.accounts.selectors import BUILT_IN_COVER, cover_choices

    current = complete(owner.settings, ("coverpage",))["coverpage"]
    key = values.get("default_coverpage", current["default_coverpage"])
    only_mine = values.get("only_my_covers", current["only_my_covers"])
    if key == current["default_coverpage"] and only_mine == current["only_my_covers"]:
        return  # neither changes (a level copied from its parent keeps what it copied)
    if not isinstance(key, str) or key == BUILT_IN_COVER or not isinstance(only_mine, bool):
        return  # the tab's schema refuses a wrong type
    offered = cover_choices(owner, only_mine=only_mine)
    if key not in {choice.key for choice in offered}:
        raise ValidationFailed(
            "default_coverpage must be one of the covers this level may use: "
            + ", ".join(f"{c.key} ({c.label})" for c in offered[:10])
            + ("" if not only_mine else " (Only my cover(s) is set)")
            + ".",
            field="settings.coverpage.default_coverpage",
            code="cover_not_offered",
        )


@transaction.atomic
def _settings_save(
    *,
    actor: Actor,
    owner: SettingsOwner,
    tab: str,
    values: dict[str, Any],
    allowed: tuple[str, ...],
) -> dict[str, Any]:
    current = complete(owner.settings, allowed)[tab]
    incoming = dict(values)
    if tab == "archive":
        incoming.pop("ftp_password_encrypted", None)
        incoming.pop("ftp_password_set", None)
        if "ftp_password" in incoming:
            plain = incoming.pop("ftp_password")
            if plain:
                if not isinstance(plain, str) or len(plain) > 200:
                    raise ValidationFailed(
                        "ftp_password must be text of at most 200 characters.",
                        field="settings.archive.ftp_password",
                    )
                incoming["ftp_password_encrypted"] = encrypt_text(plain)
            else:
                incoming["ftp_password_encrypted"] = None
    stored = validated_tab(tab, {**current, **incoming})
    data = complete(owner.settings, allowed)
    changed = sorted(k for k in stored if stored[k] != data[tab].get(k))
    data[tab] = stored
    owner.settings = data
    owner.save(update_fields=["settings"])
    audit_record(
        kind="settings.changed",
        actor=actor.user,
        company=_owner_company(owner),
        target=owner,
        ip_address=actor.ip_address,
        detail={"tab": tab, "fields": [c for c in changed if "password" not in c]},
    )
    return stored


def settings_update_tabs(
    *,
    actor: Actor,
    owner: SettingsOwner,
    tabs: dict[str, dict[str, Any]] | None,
    only_changed: bool = False,
) -> None:
    """Save several tabs of a level at once, each as :func:`settings_update` saves it (its
    right, its audit event), inside the caller's transaction: the services that create or
    change a level together with its settings (``department_create``, ``company_update``,
    ``user_update``) call it. With ``only_changed``, a tab whose values are already those
    stored is left alone (and needs no right)."""
    if tabs is None:
        return
    if not isinstance(tabs, dict):
        raise ValidationFailed("settings must be an object of tabs.", field="settings")
    allowed = USER_TABS if isinstance(owner, User) else tuple(TABS)
    for tab, values in tabs.items():
        if tab not in allowed:
            raise ValidationFailed(f"Unknown settings tab {tab!r}.", field=f"settings.{tab}")
        if not isinstance(values, dict):
            raise ValidationFailed("Settings must be an object.", field=f"settings.{tab}")
    stored = complete(owner.settings, allowed)
    for tab, values in tabs.items():
        if only_changed and all(stored[tab].get(k) == v for k, v in values.items()):
            continue
        settings_update(actor=actor, owner=owner, tab=tab, values=values)


PUSH_BATCH = 500


@transaction.atomic
def settings_push_to_descendants(
    *, actor: Actor, owner: Company | Department, tabs: list[str]
) -> dict[str, int]:
    """Copy the owner's settings tabs onto every department and user below it.

    Operators only, and audited: the guide routes this through the provider's support.
    """
    may_push_settings(actor).check()
    unknown = sorted(set(tabs) - set(TABS))
    if unknown or not tabs:
        raise ValidationFailed("Choose one or more of: " + ", ".join(TABS) + ".", field="tabs")
    company = _owner_company(owner)
    source = complete(owner.settings)
    if isinstance(owner, Company):
        departments = Department.objects.filter(company=company)
        users = User.objects.filter(company=company, role=Role.FAX_USER, deleted_at__isnull=True)
    else:
        departments = Department.objects.filter(path__startswith=owner.path).exclude(pk=owner.pk)
        users = User.objects.filter(
            department__path__startswith=owner.path, role=Role.FAX_USER, deleted_at__isnull=True
        )
    counts = {"departments": 0, "users": 0}
    # One UPDATE per batch rather than one per row: a big company has thousands of users,
    # and on SQLite this transaction holds the database's only write lock.
    changed_departments = []
    for dept in departments.select_for_update().order_by("pk").only("pk", "settings"):
        data = complete(dept.settings)
        data.update({t: source[t] for t in tabs})
        dept.settings = data
        changed_departments.append(dept)
    Department.objects.bulk_update(changed_departments, ["settings"], batch_size=PUSH_BATCH)
    counts["departments"] = len(changed_departments)
    user_tabs = [t for t in tabs if t in USER_TABS]
    if user_tabs:
        changed_users = []
        for user in users.select_for_update().order_by("pk").only("pk", "settings"):
            data = complete(user.settings, USER_TABS)
            data.update({t: source[t] for t in user_tabs})
            user.settings = data
            changed_users.append(user)
        User.objects.bulk_update(changed_users, ["settings"], batch_size=PUSH_BATCH)
        counts["users"] = len(changed_users)
    audit_record(
        kind="settings.pushed",
        actor=actor.user,
        company=company,
        target=owner,
        ip_address=actor.ip_address,
        detail={"tabs": sorted(tabs), **counts},
    )
    return counts
