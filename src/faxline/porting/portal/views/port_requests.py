"""Settings ▸ Number Porting: the Port Requests list with the guide's columns, its filter,
search and paging, and the onboarding orders waiting for a port request."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from faxline.accounts.access import request_actor
from faxline.numbers.plan import display_number
from faxline.onboarding.selectors import pending_port_intents
from faxline.portal.toolkit import portal_view
from faxline.porting import access
from faxline.porting.models import PortRequest
from faxline.porting.portal.forms import PortListFilter
from faxline.porting.portal.views.common import status_style
from faxline.porting.requests import selectors


@dataclass(frozen=True)
class ListRow:
    port: PortRequest
    numbers: list[str]
    more: int
    style: str


@portal_view
@require_GET
def port_list(request: HttpRequest) -> HttpResponse:
    """Settings ▸ Number Porting: the Port Requests list with the guide's columns."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    filters = PortListFilter(request.GET or None)
    values = filters.values()
    qs = selectors.port_request_list(
        actor=actor,
        status=values["status"] or None,
        search=values["q"],
        action_required=True if values["action_required"] else None,
    ).prefetch_related("numbers")
    paginator = Paginator(qs, values["rows"])
    page = paginator.get_page(values["page"])
    rows = []
    for port in page.object_list:
        numbers = [n.number for n in port.numbers.all()]
        rows.append(
            ListRow(
                port=port,
                numbers=[display_number(n) for n in numbers[:2]],
                more=max(len(numbers) - 2, 0),
                style=status_style(port.status),
            )
        )
    base = {k: str(v) for k, v in values.items() if k != "page" and v not in ("", False)}
    if values["rows"] == 10:
        base.pop("rows", None)

    def page_url(number: int) -> str:
        return "?" + urlencode({**base, "page": str(number)})

    context = {
        "filters": filters,
        "values": values,
        "rows": rows,
        "page": page,
        "paginator": paginator,
        "first_url": page_url(1),
        "prev_url": page_url(page.previous_page_number()) if page.has_previous() else None,
        "next_url": page_url(page.next_page_number()) if page.has_next() else None,
        "last_url": page_url(paginator.num_pages),
        "page_urls": [(n, page_url(n)) for n in paginator.page_range],
        "status_choices": PortListFilter.base_fields["status"].choices,  # type: ignore[attr-defined]
        "row_counts": (10, 15, 25, 50),
        "shows_company": actor.spans_companies,
        "can_write": access.may_write_requests(actor),
        "filtered": bool(values["status"] or values["q"] or values["action_required"]),
    }
    context["intents"] = (
        pending_port_intents(actor=actor) if access.may_write_requests(actor) else []
    )
    return render(request, "porting/list.html", context)
