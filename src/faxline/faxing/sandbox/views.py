"""The Sandbox PSTN page (Settings ▸ Sandbox PSTN, operators only): what the simulated remote
fax machines received, each fax with its pages. Anyone else gets a 404 (the page does not
exist for them)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from faxline.accounts.access import Actor, request_actor
from faxline.core.errors import NotFound
from faxline.faxing.access import may_see_sandbox_pstn
from faxline.faxing.sandbox import selectors
from faxline.portal.toolkit import paginate_table, portal_view
from faxline.telephony.sandbox.testnumbers import TEST_NUMBERS


def operators_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @portal_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = request_actor(request)
        if not may_see_sandbox_pstn(actor):
            raise NotFound("Page not found.")
        return view(request, actor, *args, **kwargs)

    return wrapper


@operators_view
@require_GET
def remote_faxes(request: HttpRequest, actor: Actor) -> HttpResponse:
    to_number = request.GET.get("to", "").strip()[:16]
    qs = selectors.sandbox_remote_faxes(actor=actor, to_number=to_number)
    table = paginate_table(request, qs, row_counts=(25, 50, 100), default_rows=25)
    return render(
        request,
        "faxing/sandbox/remote_faxes.html",
        {"table": table, "to_number": to_number, "test_numbers": TEST_NUMBERS.values()},
    )


@operators_view
@require_GET
def remote_fax(request: HttpRequest, actor: Actor, fax_id: int) -> HttpResponse:
    record = selectors.sandbox_remote_fax_get(actor=actor, fax_id=fax_id)
    result = record.result or {}
    return render(
        request,
        "faxing/sandbox/remote_fax.html",
        {
            "fax": record,
            "result": [
                (key.replace("_", " ").capitalize(), value)
                for key, value in result.items()
                if key not in ("log", "phases")
            ],
            "phases": result.get("phases") or [],
            "log": result.get("log") or [],
            "pages": range(1, record.pages + 1),
        },
    )


@operators_view
@require_GET
def remote_fax_page(request: HttpRequest, actor: Actor, fax_id: int, page: int) -> HttpResponse:
    data = selectors.sandbox_remote_fax_page(actor=actor, fax_id=fax_id, page=page)
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response
