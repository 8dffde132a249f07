"""The response headers that protect the portal in the browser, in one middleware.

- **Content-Security-Policy** (:func:`content_security_policy`): scripts, styles, images,
  fonts and connections from this site only; no inline script at all and no inline style
  but a ``<style nonce>`` block of the page itself; no ``eval``; no plugins
  (``object-src 'none'``); ``base-uri`` and ``form-action`` this site; no framing
  (``frame-ancestors 'none'``). Each request gets a fresh nonce (``request.csp_nonce``;
  templates read it as ``csp_nonce``, which is also what django-htmx's ``{% htmx_script %}``
  puts on its tags). Pages keep their scripts in static files; htmx runs with
  ``allowEval: false`` and ``includeIndicatorStyles: false`` (``templates/base.html``).
- **Secure cookies over HTTPS**: with ``FAXLINE_SECURE_COOKIES=auto`` (the default) the
  session and CSRF cookies (and any other, such as messages') are marked ``Secure`` on every
  response to an HTTPS request
  (``request.is_secure()``, which honours ``FAXLINE_PROXY_SSL_HEADER`` behind a TLS proxy);
  ``true`` marks them always (Django's own settings), ``false`` never.

Django's ``SecurityMiddleware`` adds the rest from settings: ``Referrer-Policy:
same-origin``, ``X-Content-Type-Options: nosniff``, ``Cross-Origin-Opener-Policy`` and, over
HTTPS, ``Strict-Transport-Security``; ``XFrameOptionsMiddleware`` adds ``X-Frame-Options:
DENY`` for browsers that predate ``frame-ancestors``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

CSP_HEADER = "Content-Security-Policy"


def content_security_policy(nonce: str) -> str:
    """The policy of a response whose inline ``<script>`` / ``<style>`` carry ``nonce``."""
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        # Style attributes are not allowed (no 'unsafe-inline'): pages use classes.
        "style-src": f"'self' 'nonce-{nonce}'",
        # Bootstrap's icons are data: URIs in its CSS; the signature pad redraws a data: URL.
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    """Content-Security-Policy with a per-request nonce; Secure cookies over HTTPS.

    Placed before the session, CSRF and messages middleware, so that it sees the cookies
    they set.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if CSP_HEADER not in response:
            response[CSP_HEADER] = content_security_policy(nonce)
        if getattr(settings, "FAXLINE_SECURE_COOKIES", "auto") == "auto" and request.is_secure():
            # Every cookie of an HTTPS answer: the session, CSRF and messages cookies.
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """Template context: ``csp_nonce`` for ``<style nonce="…">`` (and django-htmx)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
