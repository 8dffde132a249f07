"""Domain errors as portal pages: the one rule every portal view follows.

Decorate a view with :func:`portal_view` and let the services' refusals propagate:

- **Not signed in**: the sign-in page, and back to the page afterwards (an htmx request is
  told to load the sign-in page whole).
- **NotFound** (missing, or outside what the actor may see): 404, never 403.
- **Forbidden** on an *action posted from another page* (a button on a list, a tree or a
  details page): back to that page, with the refusal on top. People stay where they were
  and see the page as it now is; "the page it came from" is the page htmx runs in, else
  the ``Referer``, and only on this site.
- **Forbidden** in every other case (a page load, a form that posts to its own page such as
  a wizard, or an action whose page is unknown): the shared 403 page carrying the message
  and a link back. An htmx request gets the same refusal as a fragment that replaces the
  page's main area (``HX-Retarget: #main``; ``faxline/portal.js`` lets htmx swap that 403).

Other domain errors (``ValidationFailed``, ``Conflict``) are the view's to show next to the
field they name (:func:`apply_domain_error`); one that escapes is a bug.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Concatenate, ParamSpec

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.portal.toolkit.htmx import current_page, is_htmx, page_redirect

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]

REFUSED_PAGE = "portal/refused.html"
REFUSED_FRAGMENT = "portal/_refused.html"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def portal_view(view: View[P]) -> View[P]:
    """Sign-in required; the services' NotFound and Forbidden become pages by the rule of
    this module."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return _sign_in(request)
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            return refused(request, exc)

    return wrapper


def _sign_in(request: HttpRequest) -> HttpResponse:
    if is_htmx(request):
        back = current_page(request) or request.get_full_path()
        response = redirect_to_login(back)
        return HttpResponseClientRedirect(response["Location"])
    return redirect_to_login(request.get_full_path())


def refused(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    """The answer to a refusal: back to the page the action came from with the message,
    or the 403 page (a fragment for htmx)."""
    origin = current_page(request)
    same_page = origin is not None and origin.split("?", 1)[0] == request.path
    if request.method not in SAFE_METHODS and origin is not None and not same_page:
        messages.error(request, exc.message)
        return page_redirect(request, origin)
    context = {
        "message": exc.message,
        "back_url": origin if origin is not None and not same_page else None,
        "dashboard_url": reverse("portal:dashboard"),
    }
    if is_htmx(request):
        response = render(request, REFUSED_FRAGMENT, {**context, "fragment": True}, status=403)
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "innerHTML show:top"
        response["HX-Reselect"] = "unset"
        return response
    return render(request, REFUSED_PAGE, context, status=403)


def form_status(exc: DomainError) -> int:
    """The status of a page that shows a service's refusal on its form (the person keeps
    what they typed): 403 or 409 as the service said, else 422."""
    return exc.status if exc.status in (403, 409) else 422


def field_named(
    form: forms.BaseForm, name: str | None, aliases: Mapping[str, str] | None = None
) -> str | None:
    """The field of ``form`` that a service's ``field`` names: that field, else the last
    part of the path (``settings.fax.require_spf`` → ``require_spf``,
    ``port_numbers[0].number`` → ``number``), renamed by ``aliases`` (service name → form
    field); None (above the form) when the form has no such field."""
    name = name or ""
    if name in form.fields:
        return name
    leaf = name.rsplit(".", 1)[-1].split("[", 1)[0]
    leaf = (aliases or {}).get(leaf, leaf)
    return leaf if leaf in form.fields else None


def error_field(
    form: forms.BaseForm, exc: DomainError, aliases: Mapping[str, str] | None = None
) -> str | None:
    """The field of ``form`` that shows a service's refusal (:func:`field_named`)."""
    return field_named(form, exc.field, aliases)


def apply_domain_error(
    form: forms.BaseForm, exc: DomainError, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal next to the field it names (:func:`error_field`), or above
    the form."""
    form.add_error(error_field(form, exc, aliases), exc.message)


__all__ = ["apply_domain_error", "error_field", "form_status", "portal_view", "refused"]
