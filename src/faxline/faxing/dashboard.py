"""The fax credits of the month on the Dashboard (declared in ``FaxingConfig``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from faxline.accounts.access import request_actor
from faxline.accounts.selectors import company_in_view
from faxline.core.errors import NotFound
from faxline.faxing.access import may_see_credits
from faxline.faxing.credits import credits_balance
from faxline.portal.dashboard import Panel


def _credits(request: HttpRequest) -> dict[str, Any] | None:
    """The balance of the company the Dashboard shows (``?company=`` for operators and
    channel partners), for those who may see credits."""
    actor = request_actor(request)
    if not may_see_credits(actor):
        return None
    raw = request.GET.get("company", "").strip()
    if raw and not raw.isdigit():
        raise Http404("Company not found.")
    try:
        company = company_in_view(actor=actor, company_id=int(raw) if raw else None)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if company is None:
        return None
    return {"credits": credits_balance(company)}


CREDITS = Panel(
    name="Fax credits",
    template="faxing/_credits_panel.html",
    context=_credits,
    head_template="faxing/_credits_styles.html",
)
