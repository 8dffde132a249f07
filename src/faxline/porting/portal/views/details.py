"""A request's page in the customer's Number Porting: the header, the action-required
banner, the Details, Files, Notes and Timeline tabs (htmx swaps the pane), Submit and
Cancel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faxline.accounts.access import Actor, request_actor
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.numbers.plan import display_number
from faxline.portal.toolkit import page_redirect, portal_view, render_page
from faxline.porting import access
from faxline.porting.choices import EDITABLE, SUBMITTED, ChangeStatus, PortStatus
from faxline.porting.models import PortRequest
from faxline.porting.portal.forms import SHARED_USE_CHOICES, CancelForm, NoteForm
from faxline.porting.portal.views.common import (
    detail_url,
    loa_url,
    next_steps,
    status_style,
)
from faxline.porting.portal.views.live_checks import NEXT_STEP_PREFIXES
from faxline.porting.requests import changes, selectors, services
from faxline.porting.requests.remedies import remedy_for
from faxline.porting.validation.checks import findings_of, loa_signed_for
from faxline.porting.validation.codes import Finding

TABS = (("details", "Details"), ("files", "Files"), ("notes", "Notes"), ("timeline", "Timeline"))
TAB_TARGET = "fx-port-tab"


# Findings that the next steps already say (sign the LOA, add the bill, confirm its facts).
STEP_CODES = frozenset({"LOA_MISSING", "BILL_MISSING", "CSR_MISSING", "DOCUMENT_UNCONFIRMED"})


def _findings_view(port: PortRequest) -> tuple[list[Finding], list[Finding], bool]:
    """The findings of a Draft / Rejected request: (problems, document steps, LOA signed).
    What the bill and CSR say against the request is a problem like any other; only what
    a next step already asks for is left to the steps."""
    findings = findings_of(port)
    documents = [
        f
        for f in findings
        if f.field.split(".")[0].split("[")[0] in NEXT_STEP_PREFIXES and f.code in STEP_CODES
    ]
    problems = [f for f in findings if f not in documents]
    return problems, documents, loa_signed_for(port)


def detail_context(request: HttpRequest, actor: Actor, port: PortRequest) -> dict[str, Any]:
    """What a request's page shows ``actor`` on the tab asked for (``?tab=``)."""
    tab = request.GET.get("tab", "details")
    if tab not in dict(TABS):
        tab = "details"
    can_write = bool(access.may_change_request(actor, port))
    cancel = access.may_cancel(actor, port)
    # Beside the request, only the rule a customer can act on is worth a sentence.
    cancel_rule = cancel.reason if cancel.code == "cancel_needs_porting_team" else ""
    editable = port.status in EDITABLE
    problems: list[Finding] = []
    documents: list[Finding] = []
    signed = loa_signed_for(port)
    if editable:
        problems, documents, signed = _findings_view(port)
    open_changes = list(
        changes.change_requests_of(actor=actor, request=port).filter(status=ChangeStatus.OPEN)
    )
    context: dict[str, Any] = {
        "port": port,
        "actor": actor,
        "tab": tab,
        "tabs": TABS,
        "style": status_style(port.status),
        "numbers": [(n, display_number(n.number)) for n in port.numbers.all()],
        "btn_display": display_number(port.btn) if port.btn else "",
        "new_btn_display": display_number(port.new_btn) if port.new_btn else "",
        "can_write": can_write,
        "is_team": access.may_act_as_porting_team(actor),
        "can_submit": can_write and editable,
        "show_eta": port.status in SUBMITTED,
        "can_edit": can_write and editable,
        "can_change": can_write and port.status in SUBMITTED,
        "can_cancel": cancel,
        "cancel_rule": cancel_rule,
        "editable": editable,
        "problems": problems,
        "blocking": [f for f in problems if f.severity == "error"],
        "documents": documents,
        "loa_signed": signed,
        "loa_url": loa_url(port),
        "next_steps": next_steps(port) if editable else [],
        "remedy": remedy_for(port.rejection_code) if port.rejection_code else "",
        "fields_to_fix": [changes.field_label(n) for n in port.fields_to_fix],
        "fees": [(fee, f"${fee.amount_cents / 100:,.2f}") for fee in port.fees.all()],
        "open_changes": [(c, changes.change_lines(c)) for c in open_changes],
        "account_masked": changes.masked_value("account_number", port.account_number),
        "has_pin": bool(port.pin),
        "shared_labels": [dict(SHARED_USE_CHOICES).get(u, u) for u in port.shared_line_uses or []],
    }
    if tab == "notes":
        context.update(notes_context(actor, port))
    elif tab == "timeline":
        context["timeline"] = selectors.timeline(actor=actor, request=port)
        context["status_labels"] = PortStatus.choices
    return context


def notes_context(actor: Actor, port: PortRequest, form: NoteForm | None = None) -> dict[str, Any]:
    """The Notes tab: the notes ``actor`` may read and the form to write one."""
    notes = list(selectors.notes_of(actor=actor, request=port))
    return {
        "notes": notes,
        "note_form": form or NoteForm(),
        "can_note": access.may_change_request(actor, port),
        "is_team": access.may_act_as_porting_team(actor),
    }


@portal_view
@require_GET
def port_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """A request's details: header, action-required banner, tabs and actions."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    context = detail_context(request, actor, port)
    return render_page(
        request, "porting/detail.html", context, partials={TAB_TARGET: "porting/_details_tab.html"}
    )


@portal_view
@require_POST
def port_submit(request: HttpRequest, request_id: int) -> HttpResponse:
    """Submit (or resubmit after the fix): refused with the findings that block it."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    try:
        services.port_request_submit(actor=actor, request=port)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        port.refresh_from_db()
        eta = f" Estimated completion: {port.eta:%b %-d, %Y}." if port.eta else ""
        messages.success(request, f"Port request {port.pk} was submitted to the porting team.{eta}")
    return page_redirect(request, detail_url(port.pk))


@portal_view
@require_http_methods(["GET", "POST"])
def port_cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    """Cancel, with the rules: customers while Draft, New or Rejected; within 48 hours of
    the FOC only the porting team."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    cancel = access.may_cancel(actor, port)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.port_request_cancel(
                actor=actor, request=port, reason=form.cleaned_data["reason"]
            )
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Port request {port.pk} was cancelled.")
        return page_redirect(request, detail_url(port.pk))
    return render(
        request,
        "porting/confirm_cancel.html",
        {
            "port": port,
            "form": form,
            "allowed": cancel,
            "rule": cancel.reason,
            "back_url": detail_url(port.pk),
        },
    )
