"""Notes of a request (its Notes tab): customers write to the porting team; the team also
writes private notes and notes that ask the customer to act."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from faxline.accounts.access import request_actor
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.portal.toolkit import apply_domain_error, is_htmx, portal_view
from faxline.porting import access
from faxline.porting.portal.forms import NoteForm
from faxline.porting.portal.views.common import detail_url
from faxline.porting.portal.views.details import detail_context, notes_context
from faxline.porting.requests import selectors, services


@portal_view
@require_POST
def port_note(request: HttpRequest, request_id: int) -> HttpResponse:
    """Post a note (customers to the porting team; the team also privately)."""
    actor = request_actor(request)
    access.may_use_porting(actor).check()
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.port_note_add(
                actor=actor,
                request=port,
                body=form.cleaned_data["body"],
                private=bool(form.cleaned_data.get("private")),
                action_required=bool(form.cleaned_data.get("action_required")),
            )
        except NotFound:
            raise
        except Forbidden as exc:
            form.add_error(None, exc.message)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if not is_htmx(request):
                messages.success(request, "Your note was added.")
                return redirect(detail_url(port.pk, "notes"))
            form = NoteForm()
            port.refresh_from_db()
    if is_htmx(request):
        return render(
            request, "porting/_notes.html", {"port": port, **notes_context(actor, port, form)}
        )
    context = detail_context(request, actor, port)
    context.update(tab="notes", **notes_context(actor, port, form))
    return render(request, "porting/detail.html", context, status=422)
