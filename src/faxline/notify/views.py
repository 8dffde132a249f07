"""Portal page of the notification log (``/notifications/``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from faxline.accounts.access import request_actor
from faxline.accounts.preferences import time_zones
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.notify import access, selectors, services
from faxline.notify.choices import NotificationStatus
from faxline.portal.toolkit import paginate_table, portal_view

PAGE_SIZE = 50


@portal_view
@require_GET
def notification_log(request: HttpRequest) -> HttpResponse:
    """Every email recorded for what the signed-in person may see, newest first."""
    actor = request_actor(request)
    access.may_read_log(actor).check()
    status = request.GET.get("status", "")
    status = status if status in NotificationStatus.values else ""
    kind = request.GET.get("kind", "")[:64]
    search = request.GET.get("q", "").strip()[:100]
    qs = selectors.notification_list(actor=actor, status=status, kind=kind, search=search)
    table = paginate_table(request, qs, row_counts=(25, 50, 100), default_rows=PAGE_SIZE)
    filters = {k: v for k, v in {"status": status, "kind": kind, "q": search}.items() if v}
    zone = actor.user.time_zone if actor.user.time_zone in time_zones() else "UTC"
    return render(
        request,
        "notify/notification_log.html",
        {
            "table": table,
            "status": status,
            "kind": kind,
            "search": search,
            "statuses": NotificationStatus.choices,
            "kinds": selectors.notification_kinds(actor=actor),
            "filter_query": urlencode(filters),
            "delivers": services.delivers(),
            "may_retry": access.may_resend(actor),
            "time_zone": zone,
        },
    )


@portal_view
@require_POST
def notification_retry(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Resend a message: a failed one is queued again, a delivered one sent again."""
    actor = request_actor(request)
    found = selectors.notification_get(actor=actor, notification_id=notification_id)
    try:
        sent = services.notification_resend(actor=actor, notification=found)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"The message to {sent.recipient} was queued again: {sent.get_status_display()}.",
        )
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/notifications/") else "notify:log")
