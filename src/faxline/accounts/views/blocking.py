"""Outbound Number Blocking on the company's Fax tab: Blocked Number Count, Lookup Number,
Display All (paged), Add (typed, pasted or a CSV file), Remove (confirmed) and Export.

Reads go through ``accounts.selectors`` and writes through ``accounts.services.blocking``;
who sees and who changes is ``accounts.access`` (``may_see_blocked_numbers``,
``may_change_blocked_numbers``). The section is its own element (``#fx-blocking``): its
forms and page links are htmx requests that swap it alone, and work as plain requests too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from faxline.accounts import selectors
from faxline.accounts.access import may_change_blocked_numbers, may_see_blocked_numbers
from faxline.accounts.blocking_api import export_response
from faxline.accounts.details_forms import BlockAddForm
from faxline.accounts.models import BlockedNumber, Company
from faxline.accounts.services.blocking import (
    MAX_CSV_BYTES,
    BlockLine,
    BlockListRefused,
    LineStatus,
    blocked_number_remove,
    blocked_numbers_add,
    csv_lines_of,
    split_lines,
)
from faxline.core.errors import NotFound, ValidationFailed
from faxline.portal.toolkit import apply_domain_error, is_htmx, paginate_table, portal_view

if TYPE_CHECKING:
    from faxline.accounts.views.details import DetailsPage

TARGET = "fx-blocking"
FRAGMENT = "accounts/_blocking.html"
ACTIONS = ("block_add", "block_remove")
PARAMS = ("block_q", "block_add", "block_page", "block_rows")
STATUS_LABELS = {
    LineStatus.ADDED: "Added",
    LineStatus.ALREADY_BLOCKED: "Already blocked",
    LineStatus.REPEATED: "Listed twice",
    LineStatus.INVALID: "Not a fax number",
}


def _company(page: DetailsPage) -> Company | None:
    """The company whose list the page shows: a company's Fax tab, for those who may see."""
    obj = page.obj
    if page.kind != "company" or not isinstance(obj, Company):
        return None
    return obj if may_see_blocked_numbers(page.actor, obj) else None


def blocking_context(page: DetailsPage, **overrides: Any) -> dict[str, Any]:
    """What the section shows: the count, the lookup, one page of the list, Add."""
    company = _company(page)
    if company is None:
        return {}
    request = page.request
    query = request.GET.get("block_q", "").strip()[:40] if request.method == "GET" else ""
    rows = selectors.blocked_number_list(actor=page.actor, company=company, q=query)
    table = paginate_table(
        request,
        rows,
        page_param="block_page",
        rows_param="block_rows",
        htmx_target=TARGET,
        htmx_push_url=False,
        path=page.url,
        drop=("block_add",),
    )
    count = BlockedNumber.objects.filter(company=company).count() if query else table.count
    may_change = may_change_blocked_numbers(page.actor, company)
    context: dict[str, Any] = {
        "blocking": {
            "company": company,
            "count": count,
            "query": query,
            "table": table,
            "may_change": bool(may_change),
            "refusal": may_change.reason,
            "adding": request.method == "GET" and request.GET.get("block_add") == "1",
            "form": BlockAddForm(),
            "report": None,
            "notice": "",
        }
    }
    context["blocking"].update(overrides)
    return context


def _answer(page: DetailsPage, *, status: int = 200, **overrides: Any) -> HttpResponse:
    """The section alone for an htmx request (200: htmx swaps only successes, the refusal
    is inside); else, after a change, back to the Fax tab (its message says what was
    done), and after a refusal the whole page with the Fax tab and the refusal."""
    if is_htmx(page.request):
        return page.render(template=FRAGMENT, **blocking_context(page, **overrides))
    if status == 200 and not overrides.get("report"):
        return page.saved(overrides.get("notice", ""))
    from faxline.accounts.views.details import settings_tab

    page.context.update(blocking_context(page, **overrides))
    return settings_tab(page, form_only=True, status=status)


def blocking_action(page: DetailsPage) -> HttpResponse | None:
    """Answer the section's requests (Lookup, paging and Add by htmx; Add; Remove); None
    for the Fax tab's own form."""
    request = page.request
    if request.method == "GET":
        if is_htmx(request) and request.headers.get("HX-Target") == TARGET:
            if _company(page) is None:
                raise NotFound("Page not found.")
            return page.render(template=FRAGMENT, **blocking_context(page))
        return None
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return None
    company = page.obj
    if page.kind != "company" or not isinstance(company, Company):
        raise NotFound("Page not found.")
    may_see_blocked_numbers(page.actor, company).check()
    if action == "block_remove":
        return _remove(page, company)
    return _add(page, company)


def _remove(page: DetailsPage, company: Company) -> HttpResponse:
    number = page.request.POST.get("number", "")
    entry = selectors.blocked_number_get(actor=page.actor, company=company, number=number)
    blocked_number_remove(actor=page.actor, entry=entry)
    return _answer(page, notice=f"{entry.number} removed: faxes to it may be sent again.")


def _add(page: DetailsPage, company: Company) -> HttpResponse:
    request = page.request
    form = BlockAddForm(request.POST, request.FILES)
    if not form.is_valid():
        return _answer(page, status=422, form=form, adding=True)
    upload = form.cleaned_data.get("file")
    try:
        if upload is not None:
            entries = csv_lines_of(upload.read(MAX_CSV_BYTES + 1))
            via = "csv"
        else:
            entries = split_lines(form.cleaned_data["numbers"])
            via = "list"
        report = blocked_numbers_add(actor=page.actor, company=company, entries=entries, via=via)
    except BlockListRefused as exc:
        form.add_error(None, exc.message)
        return _answer(page, status=422, form=form, adding=True, report=_rows(exc.lines))
    except ValidationFailed as exc:
        # A bad file or an empty list; a refusal of the right goes to the toolkit's page.
        apply_domain_error(form, exc)
        return _answer(page, status=exc.status, form=form, adding=True)
    added = sum(1 for line in report if line.status == LineStatus.ADDED)
    kept = len(report) - added
    notice = f"{added} number{'s' if added != 1 else ''} blocked"
    if kept:
        notice += f"; {kept} already on the list or listed twice"
    return _answer(page, notice=notice + ".", report=_rows(report) if kept else None)


def _rows(lines: list[BlockLine]) -> list[dict[str, Any]]:
    return [
        {
            "line": line.line,
            "raw": line.raw,
            "number": line.number,
            "ok": line.ok,
            "status": STATUS_LABELS[line.status],
            "message": line.message,
        }
        for line in lines
    ]


@portal_view
@require_GET
def blocked_numbers_export(request: HttpRequest, company_id: int) -> HttpResponse:
    """Export: the company's blocked numbers as a CSV file (formulas neutralised)."""
    from faxline.accounts.views.details import admin_actor

    actor = admin_actor(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    rows = selectors.blocked_number_export_rows(actor=actor, company=company)
    # A streamed download: the toolkit's views answer HttpResponse, which it is in all
    # that they use (headers, status).
    return cast(HttpResponse, export_response(company.pk, rows))


__all__ = ["blocked_numbers_export", "blocking_action", "blocking_context"]
