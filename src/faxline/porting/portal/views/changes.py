"""Request a change to a submitted request, and the porting team's Accept / Refuse."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from faxline.accounts.access import request_actor
from faxline.core.errors import DomainError, NotFound
from faxline.portal.toolkit import page_redirect, portal_view
from faxline.porting import access
from faxline.porting.choices import SUBMITTED
from faxline.porting.portal.forms import ChangeRequestForm, DecideChangeForm
from faxline.porting.portal.views.common import detail_url
from faxline.porting.requests import changes, selectors


@portal_view
@require_http_methods(["GET", "POST"])
def port_change(request: HttpRequest, request_id: int) -> HttpResponse:
    """Request a change after submission: the porting team accepts or refuses it."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    history = list(changes.change_requests_of(actor=actor, request=port))
    form = ChangeRequestForm(request.POST or None, port=port)
    if request.method == "POST":
        access.may_change_request(actor, port).check()
        if form.is_valid():
            wanted = form.changes()
            if not wanted:
                form.add_error(None, "Change at least one field (nothing differs from now).")
            else:
                try:
                    change = changes.change_request_create(
                        actor=actor,
                        request=port,
                        changes=wanted,
                        reason=form.cleaned_data["reason"],
                    )
                except NotFound:
                    raise
                except DomainError as exc:
                    name = "numbers_text" if exc.field == "numbers" else exc.field
                    form.add_error(name if name in form.fields else None, exc.message)
                else:
                    messages.success(
                        request,
                        f"Change request {change.pk} was sent to the porting team; they will "
                        "accept or refuse it.",
                    )
                    return page_redirect(request, detail_url(port.pk))
    return render(
        request,
        "porting/change.html",
        {
            "port": port,
            "form": form,
            "history": [(c, changes.change_lines(c)) for c in history],
            "allowed": bool(access.may_change_request(actor, port)) and port.status in SUBMITTED,
            "read_only": not access.may_change_request(actor, port),
            "back_url": detail_url(port.pk),
            "labels": form.labels(),
        },
    )


@portal_view
@require_POST
def port_change_decide(request: HttpRequest, request_id: int, change_id: int) -> HttpResponse:
    """The porting team accepts or refuses a change request."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    change = changes.change_request_get(actor=actor, request=port, change_id=change_id)
    form = DecideChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose Accept or Refuse.")
        return page_redirect(request, detail_url(port.pk))
    try:
        if form.cleaned_data["decision"] == "accept":
            changes.change_request_accept(
                actor=actor, change=change, note=form.cleaned_data["note"]
            )
            messages.success(request, f"Change request {change.pk} was accepted and applied.")
        else:
            changes.change_request_refuse(
                actor=actor, change=change, reason=form.cleaned_data["note"]
            )
            messages.success(request, f"Change request {change.pk} was refused.")
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return page_redirect(request, detail_url(port.pk))
