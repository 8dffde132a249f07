"""Portal page of the emails received for fax (``/email-to-fax/``): what became of each."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from faxline.accounts.access import request_actor
from faxline.accounts.preferences import time_zones
from faxline.gateway import access, selectors
from faxline.gateway.choices import MessageStatus
from faxline.portal.toolkit import paginate_table, portal_view

PAGE_SIZE = 50


@portal_view
@require_GET
def message_log(request: HttpRequest) -> HttpResponse:
    """The emails the gateway accepted for what the signed-in person may see, newest first,
    with their outcome (the fax jobs made, or the guide's error name)."""
    actor = request_actor(request)
    access.may_see_gateway_messages(actor).check()
    status = request.GET.get("status", "")
    status = status if status in MessageStatus.values else ""
    qs = selectors.gateway_message_list(actor=actor, status=status).select_related("company")
    table = paginate_table(request, qs, row_counts=(25, 50, 100), default_rows=PAGE_SIZE)
    zone = actor.user.time_zone if actor.user.time_zone in time_zones() else "UTC"
    return render(
        request,
        "gateway/message_log.html",
        {
            "table": table,
            "status": status,
            "statuses": MessageStatus.choices,
            "time_zone": zone,
        },
    )
