"""How API requests authenticate, for every router: one way per request.

- **An ``Authorization`` header** means the caller chose a key: it must be
  ``Bearer <a valid API key>``. Anything else there (an unknown, revoked or malformed key,
  another scheme) is 401, full stop: the portal session the same browser may carry is not
  consulted (``SecurityPolicyMiddleware`` does not even load it for such a request).
- **No ``Authorization`` header**: the portal session, live under the security policy (the
  middleware ends an idle or locked one exactly as for portal pages) and, for anything but a
  safe method, with Django's CSRF token (403 ``csrf_failed`` without it).
- **Neither**: 401 ``unauthenticated`` with ``WWW-Authenticate: Bearer``, for every operation
  (never a CSRF refusal for a request that carries no credentials at all).

Every operation refuses an account that must change its password first (forced by an
administrator, or expired under the security policy) with 403 ``password_change_required``,
except those declared with :data:`ANY_PASSWORD_STATE` (``GET /me``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from faxline.accounts.access import Actor
from faxline.accounts.auth import client_ip
from faxline.accounts.middleware import has_authorization_header
from faxline.accounts.models import User
from faxline.accounts.selectors import password_change_due
from faxline.accounts.services.api_keys import api_key_authenticate
from faxline.core.errors import Forbidden

PASSWORD_CHANGE_REQUIRED = (
    "You must change your password before using the API: sign in to the portal and "
    "change it, then try again."
)
CSRF_FAILED = (
    "CSRF check failed: a request made with the portal session must send the csrftoken "
    "cookie's value in the X-CSRFToken header (or use an API key)."
)
# How the request authenticated (``authenticated_by_session``).
_VIA = "faxline_api_auth"


def _password_current(user: User | None, *, enforce: bool) -> User | None:
    if user is not None and enforce and password_change_due(user):
        raise Forbidden(PASSWORD_CHANGE_REQUIRED, code="password_change_required")
    return user


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer <key>``: acts as the key's user, with exactly their rights.

    A request with an ``Authorization`` header that is not a valid key is refused here
    (401), so no other way of authenticating is tried for it."""

    def __init__(self, *, enforce_password_current: bool = True) -> None:
        self.enforce = enforce_password_current
        super().__init__()

    def __call__(self, request: HttpRequest) -> User | None:
        if not has_authorization_header(request):
            return None
        scheme, _, token = request.headers.get(self.header, "").strip().partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            raise AuthenticationError()
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_key_authenticate(token)
        if user is None:
            raise AuthenticationError()
        setattr(request, _VIA, "api_key")
        return _password_current(user, enforce=self.enforce)


class PortalSessionAuth(APIKeyCookie):
    """The portal's own session (with CSRF), so portal pages can call the API too.

    Only when the request carries no ``Authorization`` header and the session is signed in;
    the CSRF token is checked then (so a request without any credentials is 401, not a CSRF
    refusal)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, *, enforce_password_current: bool = True) -> None:
        self.enforce = enforce_password_current
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if has_authorization_header(request):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not isinstance(user, User):
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise Forbidden(CSRF_FAILED, code="csrf_failed")
        setattr(request, _VIA, "session")
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


def authenticated_by_session(request: HttpRequest) -> bool:
    """Whether this API request authenticated with the portal session (not an API key):
    such a request must prove a recent sign-in before it creates an API key."""
    return getattr(request, _VIA, None) == "session"
