"""How API requests authenticate, for every router: Bearer API keys or the portal session.

Every operation refuses an account that must change its password first (forced by an
administrator, or expired under the security policy) with 403 ``password_change_required``,
except those declared with :data:`ANY_PASSWORD_STATE` (``GET /me``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from faxline.accounts.access import Actor
from faxline.accounts.auth import client_ip
from faxline.accounts.models import User
from faxline.accounts.selectors import password_change_due
from faxline.accounts.services.api_keys import api_key_authenticate
from faxline.core.errors import Forbidden

PASSWORD_CHANGE_REQUIRED = (
    "You must change your password before using the API: sign in to the portal and "
    "change it, then try again."
)


def _password_current(user: User | None, *, enforce: bool) -> User | None:
    if user is not None and enforce and password_change_due(user):
        raise Forbidden(PASSWORD_CHANGE_REQUIRED, code="password_change_required")
    return user


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer <key>``: acts as the key's user, with exactly their rights."""

    def __init__(self, *, enforce_password_current: bool = True) -> None:
        self.enforce = enforce_password_current
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return _password_current(api_key_authenticate(token), enforce=self.enforce)


class PortalSessionAuth(APIKeyCookie):
    """The portal's own session (with CSRF), so portal pages can call the API too."""

    param_name = "sessionid"

    def __init__(self, *, enforce_password_current: bool = True) -> None:
        self.enforce = enforce_password_current
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not isinstance(user, User):
            return None
        return _password_current(user, enforce=self.enforce)


DEFAULT_AUTH = [ApiKeyAuth(), PortalSessionAuth()]
ANY_PASSWORD_STATE = [
    ApiKeyAuth(enforce_password_current=False),
    PortalSessionAuth(enforce_password_current=False),
]


def actor_of(request: HttpRequest) -> Actor:
    """The acting person of an authenticated API request."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return Actor(user=user, ip_address=client_ip(request))
