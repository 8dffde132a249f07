"""Settings ▸ Number Porting: the Port Requests list with the guide's columns, its filter,
search and paging, and the onboarding orders waiting for a port request."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from faxline.accounts.access import request_actor
from faxline.numbers.plan import display_number
from faxline.onboarding.selectors import pending_port_intents
from faxline.portal.toolkit import paginate_table, portal_view
from faxline.porting import access
from faxline.porting.models import PortRequest
from faxline.porting.portal.forms import PortListFilter
from faxline.porting.portal.views.common import status_style
from faxline.porting.requests import selectors

ROW_COUNTS = (10, 15, 25, 50)


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
    table = paginate_table(
        request, qs, row_counts=ROW_COUNTS, default_rows=ROW_COUNTS[0], htmx_target="fx-port-list"
    )
    rows = []
    for port in table.items:
        numbers = [n.number for n in port.numbers.all()]
        rows.append(
            ListRow(
                port=port,
                numbers=[display_number(n) for n in numbers[:2]],
                more=max(len(numbers) - 2, 0),
                style=status_style(port.status),
            )
        )
    context = {
        "filters": filters,
        "values": values,
        "rows": rows,
        "table": table,
        "status_choices": PortListFilter.base_fields["status"].choices,  # type: ignore[attr-defined]
        "shows_company": actor.spans_companies,
        "can_write": access.may_write_requests(actor),
        "filtered": bool(values["status"] or values["q"] or values["action_required"]),
    }
    context["intents"] = (
        pending_port_intents(actor=actor) if access.may_write_requests(actor) else []
    )
    return render(request, "porting/list.html", context)
