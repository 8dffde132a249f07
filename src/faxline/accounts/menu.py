"""Accounts' menu entries, and the template context that shows each person their menus.

Every app's entries carry the app's own access rule (see ``faxline.portal.menu``); the
context function below asks them with the signed-in person, so that a fax user, say, is
not offered Account Administration only to be told it is for administrators.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from faxline.accounts.access import (
    Actor,
    may_administer_accounts,
    may_see_audit_log,
    may_see_partners,
)
from faxline.accounts.models import User
from faxline.portal.menu import (
    ACCOUNT,
    NO_MENUS,
    SETTINGS,
    MenuEntry,
    in_app,
    menus_for,
    on_views,
)


def _everyone(actor: Actor) -> bool:
    return True


ENTRIES = (
    MenuEntry(
        menu=SETTINGS,
        label="Account Administration",
        url_name="accounts:tree",
        order=10,
        shown_to=may_administer_accounts,
        current=in_app("accounts", except_views=["accounts:partners"]),
    ),
    MenuEntry(
        menu=SETTINGS,
        label="Channel Partners",
        url_name="accounts:partners",
        order=20,
        shown_to=may_see_partners,
        current=on_views("accounts:partners"),
    ),
    MenuEntry(
        menu=ACCOUNT,
        label="API keys",
        url_name="api_keys",
        order=10,
        shown_to=_everyone,
        current=on_views("api_keys"),
    ),
    MenuEntry(
        menu=ACCOUNT,
        label="Change password",
        url_name="password_change",
        order=20,
        shown_to=_everyone,
        current=on_views("password_change"),
    ),
    MenuEntry(
        menu=ACCOUNT,
        label="Audit log",
        url_name="audit_log",
        order=30,
        shown_to=may_see_audit_log,
        current=on_views("audit_log"),
    ),
)


def portal_menus(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``portal_menus``, the menus the signed-in person may use."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {"portal_menus": NO_MENUS}
    match = getattr(request, "resolver_match", None)
    return {"portal_menus": menus_for(Actor(user=user), match)}
