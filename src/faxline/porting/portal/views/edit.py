"""Edit a Draft, or Fix and resubmit a Rejected request (only the fields the rejection
reopened)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from faxline.accounts.access import request_actor
from faxline.core.errors import DomainError, NotFound
from faxline.portal.toolkit import page_redirect, portal_view
from faxline.porting import access
from faxline.porting.choices import EDITABLE, PortStatus
from faxline.porting.portal.forms import LINE_TYPE_CHOICES, PortEditForm
from faxline.porting.portal.views.common import detail_url, int_or
from faxline.porting.requests import changes, selectors, services
from faxline.porting.requests.remedies import remedy_for
from faxline.porting.validation.checks import loa_signed_for


@portal_view
@require_http_methods(["GET", "POST"])
def port_edit(request: HttpRequest, request_id: int) -> HttpResponse:
    """Edit a Draft, or only the fields a rejection reopened (Fix and resubmit)."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    access.may_change_request(actor, port).check()
    if port.status not in EDITABLE:
        messages.error(
            request,
            "This request is with the porting team: ask for the change with Request a change.",
        )
        return page_redirect(request, detail_url(port.pk))
    allowed = None
    if port.status == PortStatus.REJECTED and port.fields_to_fix:
        allowed = list(port.fields_to_fix)
    data = request.POST.copy() if request.method == "POST" else None
    form = PortEditForm(data, port=port, allowed=allowed)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    if action == "add_number":
        form.add_row()
    elif action.startswith("remove:"):
        form.remove_row(int_or(action.split(":", 1)[1], -1))
    if action == "save" and form.is_valid():
        wanted = form.changes()
        if not wanted:
            messages.info(request, "Nothing changed.")
            return page_redirect(request, detail_url(port.pk))
        signed_before = loa_signed_for(port)
        try:
            services.port_request_update(actor=actor, request=port, data=wanted)
        except NotFound:
            raise
        except DomainError as exc:
            name = "numbers" if (exc.field or "").startswith("numbers") else exc.field
            form.add_error(name if name in form.fields else None, exc.message)
        else:
            text = "Your changes were saved."
            if signed_before and not loa_signed_for(port):
                text += " The Letter of Authorization states what changed: sign it again."
            messages.success(request, text)
            return page_redirect(request, detail_url(port.pk))
    elif action and action != "save":
        form.is_valid()
        form.errors.clear()
    return render(
        request,
        "porting/edit.html",
        {
            "port": port,
            "form": form,
            "rows": form.rows,
            "line_types": LINE_TYPE_CHOICES,
            "sections": form.sections(),
            "fixing": allowed is not None,
            "fields_to_fix": [changes.field_label(n) for n in port.fields_to_fix],
            "remedy": remedy_for(port.rejection_code) if port.rejection_code else "",
            "documents_to_fix": "documents" in (port.fields_to_fix or []),
            "back_url": detail_url(port.pk),
            "files_url": detail_url(port.pk, "files"),
        },
    )
