"""The portal shell: Dashboard, Activity and Help.

The Dashboard lays out the panels that apps declare (``faxline.portal.dashboard``); its
traffic chart is declared by the activity app like any other panel (a "main" one);
Activity lists the Activity menu's entries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import Context, engines
from django.utils.safestring import SafeString, mark_safe

from faxline.portal.dashboard import panels_for, registered_panels
from faxline.portal.toolkit import portal_view


def _fragments(request: HttpRequest) -> Callable[[str, dict[str, Any]], SafeString]:
    """A renderer of the Dashboard's templates (its panels and the page) that runs the
    context processors once for the whole page (``render_to_string`` with the request runs
    them for every fragment, and the menus' processor queries the database)."""
    engine = engines["django"].engine  # type: ignore[attr-defined]
    shared: dict[str, Any] = {}
    for processor in engine.template_context_processors:
        shared.update(processor(request))

    def html(template: str, context: dict[str, Any]) -> SafeString:
        fragment = engine.get_template(template)
        rendered = fragment.render(Context({**shared, **context}, autoescape=engine.autoescape))
        return mark_safe(rendered)  # noqa: S308

    return html


@portal_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """The landing page after sign-in: the panels the person may see (a question to answer
    first above them, the main ones such as the traffic chart in the wide left column, the
    others beside them). An htmx request that a panel swaps (a sorted table, the chart's
    controls) gets that panel alone."""
    for panel in registered_panels():
        if panel.swaps is not None and panel.swaps(request):
            context = panel.context(request)
            if context is not None:
                return render(request, panel.template, context)
    shown = panels_for(request)
    html = _fragments(request)
    page: dict[str, list[SafeString]] = {
        "banners": [],
        "main": [],
        "side": [],
        "heads": [],
        "afters": [],
        "scripts": [],
    }
    for item in shown:
        panel = item.panel
        page[{"banner": "banners", "main": "main"}.get(panel.place, "side")].append(
            html(panel.template, item.context)
        )
        for key, template in (
            ("heads", panel.head_template),
            ("afters", panel.after_template),
            ("scripts", panel.script_template),
        ):
            if template is not None:
                page[key].append(html(template, item.context))
    return HttpResponse(html("portal/dashboard.html", page))


@portal_view
def activity(request: HttpRequest) -> HttpResponse:
    """Outbound and inbound fax activity."""
    return render(request, "portal/activity.html")


@portal_view
def help_page(request: HttpRequest) -> HttpResponse:
    """How the portal is organised, whom to ask, where the API is documented, and the sandbox
    PSTN's test numbers."""
    from faxline.telephony.sandbox.testnumbers import TEST_NUMBERS

    return render(request, "portal/help.html", {"test_numbers": TEST_NUMBERS.values()})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without a valid CSRF token (``CSRF_FAILURE_VIEW``): 403, in the portal's
    style and within its Content-Security-Policy (Django's own page has inline styles)."""
    return render(request, "portal/csrf_failure.html", status=403)
