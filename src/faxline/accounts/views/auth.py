"""Sign in, sign out, Forgot Password, change password, API keys and the audit log.

Sign in follows the guide: the username and NEXT, then the password and ENTER. Step 1 never
looks the account up, so it cannot tell whether an account exists.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from faxline.accounts import passwords, selectors
from faxline.accounts.access import may_see_audit_log, request_actor
from faxline.accounts.auth import (
    WRONG_CREDENTIALS,
    AccountSuspended,
    client_ip,
)
from faxline.accounts.auth_forms import (
    ApiKeyCreateForm,
    AuditFilterForm,
    ForgotPasswordForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordStepForm,
    UsernameForm,
)
from faxline.accounts.middleware import touch_session
from faxline.accounts.models import User
from faxline.accounts.policy import password_expired, policy_for_user
from faxline.accounts.services import api_keys as api_key_services
from faxline.accounts.services import passwords as password_services
from faxline.core.errors import DomainError, NotFound
from faxline.portal.toolkit import apply_domain_error, portal_view

FORGOT_ANSWER = (
    "If an account exists for that username, we have sent a reset link to its email address."
)
AUDIT_PAGE_SIZE = 50


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` address when it stays on this site, else an empty string."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _home() -> str:
    return resolve_url(settings.LOGIN_REDIRECT_URL)


# --- sign in / sign out ---------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Sign in: step 1 the username (NEXT), step 2 the password (ENTER)."""
    next_url = _safe_next(request)
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect(next_url or _home())
        return _login_step1(request, UsernameForm(), next_url)

    if request.POST.get("step") != "password":
        form = UsernameForm(request.POST)
        if not form.is_valid():
            return _login_step1(request, form, next_url)
        step2 = PasswordStepForm(initial={"username": form.cleaned_data["username"]})
        return _login_step2(request, step2, form.cleaned_data["username"], next_url)

    step2 = PasswordStepForm(request.POST)
    if not step2.is_valid():
        username = step2.cleaned_data.get("username") or ""
        if not username:  # a missing or overlong username: back to step 1, saying why
            step1 = UsernameForm({"username": request.POST.get("username", "")})
            step1.is_valid()
            return _login_step1(request, step1, next_url)
        return _login_step2(request, step2, username, next_url)
    username = step2.cleaned_data["username"]
    user = authenticate(request, username=username, password=step2.cleaned_data["password"])
    if user is None:
        error = getattr(request, "faxline_auth_error", None)
        if isinstance(error, AccountSuspended):  # told only to whoever gave the password
            step2.add_error(None, error.message)
        else:
            step2.add_error(None, WRONG_CREDENTIALS)
        # The password field never renders the typed value back (PasswordInput).
        return _login_step2(request, step2, username, next_url)
    login(request, user)  # rotates the session key
    touch_session(request)
    return redirect(next_url or _home())


def _login_step1(request: HttpRequest, form: UsernameForm, next_url: str) -> HttpResponse:
    return render(
        request,
        "registration/login.html",
        {"step": "username", "form": form, "next": next_url},
    )


def _login_step2(
    request: HttpRequest,
    form: PasswordStepForm,
    username: str,
    next_url: str,
) -> HttpResponse:
    return render(
        request,
        "registration/login.html",
        {
            "step": "password",
            "form": form,
            "username": username,
            "next": next_url,
            "restart_url": _with_next(reverse("login"), next_url),
            "forgot_url": reverse("password_forgot") + "?" + _query(username=username),
        },
    )


def _query(**params: str) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{_query(next=next_url)}" if next_url else url


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, from the menu's Sign out button)."""
    logout(request)
    messages.info(request, "You have signed out.")
    return HttpResponseRedirect(reverse("login"))


# --- Forgot Password ------------------------------------------------------------------


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    """Forgot Password?: always the same answer, whether the account exists or not."""
    if request.method == "POST":
        form = ForgotPasswordForm(request.POST)
        if form.is_valid():
            passwords.password_reset_request(
                username=form.cleaned_data["username"], ip_address=client_ip(request)
            )
            messages.success(request, FORGOT_ANSWER)
            return redirect("password_forgot")
    else:
        form = ForgotPasswordForm(initial={"username": request.GET.get("username", "")[:150]})
    return render(request, "registration/password_forgot.html", {"form": form})


@sensitive_post_parameters("new_password", "confirm_password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind a reset link: a new password, typed twice."""
    found = passwords.valid_reset_token(token)
    if found is None:
        return _reset_link_invalid(request)
    policy = policy_for_user(found.user)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            passwords.password_reset_complete(
                token=token,
                new_password=form.cleaned_data["new_password"],
                ip_address=client_ip(request),
            )
        except passwords.ResetLinkInvalid:
            return _reset_link_invalid(request)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, "Your password has been reset. Sign in with your new password."
            )
            return redirect("login")
    return render(
        request,
        "registration/password_reset.html",
        {"form": form, "rules": passwords.policy_rules(policy), "username": found.user.username},
    )


def _reset_link_invalid(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "registration/password_reset_invalid.html",
        {"message": passwords.LINK_INVALID},
        status=410,
    )


# --- change password ------------------------------------------------------------------


@sensitive_post_parameters("current_password", "new_password", "confirm_password")
@csrf_protect
@never_cache
@portal_view
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change password; the page every portal page leads to while a change is required."""
    # A plain User, not the request's lazy wrapper (the audit trail records its type).
    user = User.objects.select_related("company", "department").get(
        pk=request_actor(request).user.pk
    )
    policy = policy_for_user(user)
    forced = user.must_change_password or password_expired(user, policy)
    next_url = _safe_next(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_services.password_change(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                ip_address=client_ip(request),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            update_session_auth_hash(request, user)  # stay signed in here, out elsewhere
            messages.success(request, "Your password has been changed.")
            return redirect(next_url or _home())
    return render(
        request,
        "registration/password_change.html",
        {
            "form": form,
            "forced": forced,
            "rules": passwords.policy_rules(policy),
            "next": next_url,
        },
    )


# --- API keys -------------------------------------------------------------------------


@sensitive_post_parameters("password")
@portal_view
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API keys; a new key's secret is shown once, on this response."""
    actor = request_actor(request)
    form = ApiKeyCreateForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            created = api_key_services.api_key_create(
                actor=actor,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
                password_required=True,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 422 if exc.status == 422 else exc.status
        else:
            form = ApiKeyCreateForm()
    elif request.method == "POST":
        status = 422
    keys = selectors.api_keys_of(actor=actor, user=actor.user)
    return render(
        request,
        "accounts/api_keys.html",
        {"form": form, "keys": keys, "created": created, "time_zone": _time_zone(actor.user)},
        status=status,
    )


@portal_view
@require_http_methods(["GET", "POST"])
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    """Revoke one of the user's API keys, after a confirmation page."""
    actor = request_actor(request)
    key = selectors.api_keys_of(actor=actor, user=actor.user).filter(pk=key_id).first()
    if key is None:
        return _not_found(request)
    if request.method == "POST":
        try:
            api_key_services.api_key_revoke(actor=actor, key_id=key.pk)
        except NotFound:
            return _not_found(request)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"The API key “{key.name}” is revoked: it no longer works.")
        return redirect("api_keys")
    if not key.is_active:
        messages.info(request, f"The API key “{key.name}” is already revoked.")
        return redirect("api_keys")
    return render(request, "accounts/api_keys_revoke.html", {"key": key})


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/api_keys_not_found.html",
        {"message": "API key not found."},
        status=404,
    )


# --- audit log ------------------------------------------------------------------------


DETAIL_SHOWN = 120


def _detail_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_detail_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_detail_value(v)}" for k, v in value.items()) or "—"
    return str(value)


def _detail_items(detail: Any) -> list[tuple[str, str, str]]:
    """An event's details as (key, shown text, full text) for the table."""
    if not isinstance(detail, dict):
        return []
    items = []
    for key, value in detail.items():
        full = _detail_value(value)
        shown = full if len(full) <= DETAIL_SHOWN else full[: DETAIL_SHOWN - 1] + "…"
        items.append((str(key).replace("_", " "), shown, full))
    return items


def _time_zone(user: User) -> str:
    """The user's time zone when it is a known one, else UTC."""
    try:
        ZoneInfo(user.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return user.time_zone


@portal_view
@require_http_methods(["GET"])
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log: who did what, when and from where. Operators, channel partners and
    company-level administrators only; anyone else gets a 403 page."""
    actor = request_actor(request)
    may_see_audit_log(actor).check()
    events = selectors.audit_events(actor=actor)
    kinds = sorted(set(events.order_by().values_list("kind", flat=True).distinct()))
    form = AuditFilterForm(request.GET or None, kinds=kinds)
    kind = ""
    if form.is_valid():
        kind = form.cleaned_data.get("kind") or ""
    if kind:
        events = events.filter(kind=kind)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, _detail_items(event.detail)) for event in page.object_list]
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "rows": rows,
        "kind": kind,
        "kind_query": _query(kind=kind),
        "time_zone": _time_zone(actor.user),
    }
    return render(request, "accounts/audit.html", context)
