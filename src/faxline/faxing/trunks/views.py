"""Settings ▸ SIP Trunks (operators only; anyone else gets a 404): the trunks with Add,
Edit, Enable/Disable and Delete (confirmed), the learned T.38 fallbacks with Clear, and the
destination rules with Add and Delete. Reads go through ``trunks.selectors``, writes through
``trunks.services`` (read-only operators are refused there, 403)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from faxline.accounts.access import Actor, request_actor
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.faxing.trunks import selectors, services
from faxline.faxing.trunks.access import may_manage_trunks, may_see_trunks
from faxline.faxing.trunks.forms import RuleForm, TrunkForm
from faxline.portal.toolkit import (
    apply_domain_error,
    form_status,
    page_redirect,
    paginate_table,
    portal_view,
)

LIST = "faxing/trunks/trunks.html"
FORM = "faxing/trunks/trunk_form.html"
CONFIRM = "faxing/trunks/confirm.html"


def operators_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and an operator (else the page does not exist: 404)."""

    @portal_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = request_actor(request)
        may_see_trunks(actor).check()
        return view(request, actor, *args, **kwargs)

    return wrapper


def _show(form: Any, exc: DomainError) -> None:
    """A service's refusal next to its field, without the ``field:`` the API's message
    starts with (the field's label says it)."""
    prefix = f"{exc.field}: "
    if exc.field and exc.message.startswith(prefix):
        text = exc.message[len(prefix) :]
        exc = DomainError(text[:1].upper() + text[1:], code=exc.code, field=exc.field)
    apply_domain_error(form, exc, aliases={"register": "authentication", "prefix": "rule_prefix"})


def _list_context(
    request: HttpRequest, actor: Actor, rule_form: RuleForm | None = None
) -> dict[str, Any]:
    trunks = list(selectors.trunk_list(actor=actor)[: services.MAX_TRUNKS])
    fallbacks = paginate_table(
        request,
        selectors.t38_fallback_list(actor=actor),
        row_counts=(25, 50, 100),
        default_rows=25,
        page_param="fallbacks_page",
        rows_param="fallbacks_rows",
        path=_here(),
    )
    return {
        "trunks": trunks,
        "enabled_count": sum(1 for t in trunks if t.enabled),
        "fallbacks": fallbacks,
        "rules": list(selectors.media_rule_list(actor=actor)[: services.MAX_RULES]),
        "rule_form": rule_form or RuleForm(),
        "may_manage": may_manage_trunks(actor),
        "cache_seconds": int(selectors.CACHE_SECONDS),
    }


@operators_view
@require_http_methods(["GET"])
def trunk_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, LIST, _list_context(request, actor))


def _here() -> str:
    return reverse("sip_trunks:list")


@operators_view
@require_http_methods(["GET", "POST"])
def trunk_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    may_manage_trunks(actor).check()
    form = TrunkForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                trunk = services.trunk_create(actor=actor, **form.service_arguments())
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                _show(form, exc)
                status = form_status(exc)
            else:
                messages.success(request, f"Trunk {trunk.name} was added.")
                return page_redirect(request, _here())
    return render(
        request, FORM, {"form": form, "trunk": None, "title": "Add SIP trunk"}, status=status
    )


@operators_view
@require_http_methods(["GET", "POST"])
def trunk_edit(request: HttpRequest, actor: Actor, trunk_id: int) -> HttpResponse:
    trunk = selectors.trunk_get(actor=actor, trunk_id=trunk_id)
    may_manage_trunks(actor).check()
    form = TrunkForm(request.POST if request.method == "POST" else None, trunk=trunk)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                trunk = services.trunk_update(actor=actor, trunk=trunk, **form.service_arguments())
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                _show(form, exc)
                status = form_status(exc)
            else:
                messages.success(request, f"Trunk {trunk.name} was saved.")
                return page_redirect(request, _here())
    return render(
        request,
        FORM,
        {"form": form, "trunk": trunk, "title": f"Edit SIP trunk {trunk.name}"},
        status=status,
    )


@operators_view
@require_POST
def trunk_switch(request: HttpRequest, actor: Actor, trunk_id: int, action: str) -> HttpResponse:
    """Enable or Disable (the list's buttons)."""
    if action not in ("enable", "disable"):
        raise Http404("No such action.")
    trunk = selectors.trunk_get(actor=actor, trunk_id=trunk_id)
    services.trunk_update(actor=actor, trunk=trunk, enabled=action == "enable")
    if action == "enable":
        messages.success(request, f"Trunk {trunk.name} is enabled: it carries calls.")
    else:
        messages.success(request, f"Trunk {trunk.name} is disabled: it carries no calls.")
    return page_redirect(request, _here())


@operators_view
@require_http_methods(["GET", "POST"])
def trunk_delete(request: HttpRequest, actor: Actor, trunk_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    trunk = selectors.trunk_get(actor=actor, trunk_id=trunk_id)
    may_manage_trunks(actor).check()
    if request.method == "POST":
        services.trunk_delete(actor=actor, trunk=trunk)
        messages.success(request, f"Trunk {trunk.name} was deleted.")
        return page_redirect(request, _here())
    return render(
        request,
        CONFIRM,
        {
            "title": f"Delete SIP trunk {trunk.name}",
            "message": f"Delete the trunk {trunk.name} ({trunk.address})? Calls no longer go "
            "over it; this cannot be undone.",
            "ok_label": "Delete trunk",
            "cancel_url": _here(),
        },
    )


@operators_view
@require_POST
def fallback_clear(request: HttpRequest, actor: Actor, fallback_id: int) -> HttpResponse:
    found = selectors.t38_fallback_get(actor=actor, fallback_id=fallback_id)
    services.t38_fallback_clear(actor=actor, fallback=found)
    messages.success(
        request, f"Calls to {found.destination} will try T.38 again (by the trunk's mode)."
    )
    return page_redirect(request, _here())


@operators_view
@require_POST
def rule_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = RuleForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            rule = services.media_rule_create(
                actor=actor,
                prefix=form.cleaned_data["rule_prefix"],
                t38_mode=form.cleaned_data["t38_mode"],
                note=form.cleaned_data["note"],
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            _show(form, exc)
            status = form_status(exc)
        else:
            messages.success(
                request, f"Calls to {rule.prefix}… now use {rule.get_t38_mode_display()}."
            )
            return page_redirect(request, _here())
    return render(request, LIST, _list_context(request, actor, rule_form=form), status=status)


@operators_view
@require_POST
def rule_delete(request: HttpRequest, actor: Actor, rule_id: int) -> HttpResponse:
    rule = selectors.media_rule_get(actor=actor, rule_id=rule_id)
    services.media_rule_delete(actor=actor, rule=rule)
    messages.success(request, f"The rule for {rule.prefix} was deleted.")
    return page_redirect(request, _here())
