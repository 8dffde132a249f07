"""htmx in the portal: is this an htmx request, which element will it swap, and how to
answer it (a fragment for a swap, the whole page otherwise, a redirect htmx follows).

Every helper reads the request headers itself, so it works before django-htmx's middleware
has run (in other middleware) as well as in views. A history-restore request (htmx asking
for a page it lost from its cache) wants the whole page, so it is not treated as htmx.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx makes to swap part of a page."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != (
        "true"
    )


def swap_target(request: HttpRequest) -> str | None:
    """The id of the element an htmx request will swap (None for a whole page)."""
    if not is_htmx(request):
        return None
    return request.headers.get("HX-Target") or None


def on_this_site(request: HttpRequest, url: str | None) -> str | None:
    """``url`` as a path on this site (with its query), or None when it points elsewhere."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.get_host():
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return f"{path}?{parts.query}" if parts.query else path


def current_page(request: HttpRequest) -> str | None:
    """The page the request was made from: the page htmx runs in, else the ``Referer``
    (path and query, only when on this site)."""
    if is_htmx(request):
        found = on_this_site(request, request.headers.get("HX-Current-URL"))
        if found:
            return found
    return on_this_site(request, request.headers.get("Referer"))


def page_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect to ``url``; an htmx request is told to load it as a whole page (a plain
    redirect would make htmx swap the next page into a fragment)."""
    if is_htmx(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def render_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    partials: Mapping[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole page, or for an htmx swap of a known element only that element's fragment:
    ``partials`` maps the id of the swapped element to the template that renders it."""
    target = swap_target(request)
    if target is not None and partials and target in partials:
        template = partials[target]
    return render(request, template, dict(context), status=status)


__all__ = [
    "current_page",
    "is_htmx",
    "on_this_site",
    "page_redirect",
    "render_page",
    "swap_target",
]
