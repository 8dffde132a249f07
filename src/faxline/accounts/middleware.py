"""Session rules of the security policy, applied on every portal request.

- Session timeout: a signed-in session idle for longer than the effective policy's
  ``session_timeout_minutes`` is signed out.
- Locked or deleted accounts: their sessions end at the next request.
- Forced password change: while an administrator requires a new password, or the password is
  older than the policy's maximum age, every portal page leads to the change page.

API requests (``/api/``) authenticate one way each (``accounts.api_auth``):

- with an ``Authorization`` header, by that header alone: the session is neither used nor
  touched (the request goes on as anonymous as far as the session is concerned), so a
  browser's session cannot stand in for a bad key;
- without one, by the session, under exactly the rules above: an idle, locked or deleted
  session is ended and the request goes on anonymous (the API answers 401). The forced
  password change is the API's own refusal (403 ``password_change_required``), not a
  redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from faxline.accounts.models import User
from faxline.accounts.policy import password_expired, policy_for_user
from faxline.portal.toolkit import is_htmx, page_redirect

LAST_ACTIVITY_KEY = "faxline_last_activity"
# The last-activity time is written at most this often (seconds), not on every request.
ACTIVITY_GRANULARITY = 15
API_PREFIX = "/api/"


def timeout_message(minutes: int) -> str:
    return (
        f"Your session timed out after {minutes} minute{'s' if minutes != 1 else ''} of inactivity."
    )


def has_authorization_header(request: HttpRequest) -> bool:
    """Whether the request carries an ``Authorization`` header (even an empty one): an API
    request that does authenticates by it and nothing else."""
    return "Authorization" in request.headers


def touch_session(request: HttpRequest) -> None:
    """Record activity now (the sign-in view calls it right after ``login``)."""
    request.session[LAST_ACTIVITY_KEY] = int(timezone.now().timestamp())


class SecurityPolicyMiddleware:
    """Apply the session timeout, locked accounts and forced password changes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(settings.STATIC_URL or "/static/"):
            return self.get_response(request)
        is_api = path.startswith(API_PREFIX)
        if is_api and has_authorization_header(request):
            # Credentials in the header: the session plays no part in this request.
            anonymous = AnonymousUser()
            request.user = anonymous

            async def auser() -> AnonymousUser:
                return anonymous

            request.auser = auser  # type: ignore[attr-defined]
            return self.get_response(request)

        ended = self._check_session(request, is_api)
        if ended is not None:
            return ended
        return self.get_response(request)

    def _check_session(self, request: HttpRequest, is_api: bool) -> HttpResponse | None:
        """A response that ends or redirects the request, or None to let it through."""
        user = request.user
        if not user.is_authenticated:
            if SESSION_KEY in request.session:
                # The backend refused the session's user: locked, deleted or deactivated.
                return self._end_session(request, is_api, self._refusal_message(request))
            return None
        assert isinstance(user, User)
        if user.is_locked or user.deleted_at is not None or not user.is_active:
            return self._end_session(request, is_api, self._refusal_message(request))

        policy = policy_for_user(user)
        now = int(timezone.now().timestamp())
        last = request.session.get(LAST_ACTIVITY_KEY)
        timeout = policy.session_timeout_minutes
        if isinstance(last, int) and timeout and now - last > timeout * 60:
            return self._end_session(request, is_api, timeout_message(timeout))
        if not isinstance(last, int) or now - last >= ACTIVITY_GRANULARITY:
            request.session[LAST_ACTIVITY_KEY] = now

        if not is_api and not self._exempt_from_change(request.path_info):
            reason = None
            if user.must_change_password:
                reason = "Your administrator requires you to choose a new password."
            elif password_expired(user, policy):
                reason = (
                    f"Your password is more than {policy.max_age_days} days old and has "
                    "expired: choose a new one."
                )
            if reason:
                target = reverse("password_change")
                if request.method == "GET" and not is_htmx(request):
                    target += "?" + urlencode({"next": request.get_full_path()})
                return _redirect(request, target, messages.WARNING, reason)
        return None

    @staticmethod
    def _exempt_from_change(path: str) -> bool:
        return path in (reverse("password_change"), reverse("logout"))

    @staticmethod
    def _refusal_message(request: HttpRequest) -> str:
        user_id = request.session.get(SESSION_KEY)
        user = User.objects.filter(pk=user_id).only("is_locked").first() if user_id else None
        if user is not None and user.is_locked:
            return "You have been signed out: your account is locked."
        return "You have been signed out."

    @staticmethod
    def _end_session(request: HttpRequest, is_api: bool, message: str) -> HttpResponse | None:
        logout(request)
        if is_api:
            return None  # the request goes on anonymous; the API answers 401 itself
        target = reverse("login")
        if request.method == "GET" and not is_htmx(request) and request.path_info != target:
            target += "?" + urlencode({"next": request.get_full_path()})
        return _redirect(request, target, messages.INFO, message)


def _redirect(request: HttpRequest, url: str, level: int, text: str) -> HttpResponse:
    """Redirect with a flash message. This middleware runs before the messages middleware,
    so the message storage is set up (and saved) here."""
    storage = default_storage(request)
    storage.add(level, text)
    response = page_redirect(request, url)
    storage.update(response)
    return response
