"""The Webhooks page (Settings ▸ Webhooks): a company's endpoints, adding one (its secret
shown once), and per endpoint its delivery log with Edit, Send test event, Redeliver,
Rotate secret, Pause, Resume and Delete. Every write goes through ``webhooks.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from faxline.accounts.access import Actor, request_actor
from faxline.accounts.fax_numbers import user_numbers
from faxline.accounts.models import Company
from faxline.accounts.selectors import company_in_view, company_list
from faxline.core.errors import DomainError, Forbidden, NotFound
from faxline.notify.webhooks import selectors, services
from faxline.notify.webhooks.access import may_manage_webhooks, may_open_webhooks
from faxline.notify.webhooks.choices import PENDING, DeliveryStatus, EventType
from faxline.notify.webhooks.forms import EndpointForm
from faxline.notify.webhooks.models import WebhookEndpoint
from faxline.portal.toolkit import (
    apply_domain_error,
    form_status,
    page_redirect,
    paginate_table,
    portal_view,
    render_page,
)

LIST = "notify/webhooks/webhooks.html"
DETAIL = "notify/webhooks/endpoint.html"
LOG = "notify/webhooks/_deliveries.html"
LOG_ID = "fx-deliveries"


def _company(request: HttpRequest, actor: Actor) -> Company | None:
    raw = (request.POST.get("company") or request.GET.get("company") or "").strip()
    if raw and not raw.isdigit():
        raise Http404("Company not found.")
    return company_in_view(actor=actor, company_id=int(raw) if raw else None)


def _show_error(form: EndpointForm, exc: DomainError) -> None:
    """A service's refusal on the field it names, without the ``url:`` the API's message
    starts with (the field's label says it)."""
    prefix = f"{exc.field}: "
    if exc.field and exc.message.startswith(prefix):
        text = exc.message[len(prefix) :]
        exc = DomainError(text[:1].upper() + text[1:], code=exc.code, field=exc.field)
    apply_domain_error(form, exc)


def _list_context(
    request: HttpRequest, actor: Actor, company: Company | None, form: EndpointForm | None
) -> dict[str, Any]:
    endpoints = (
        list(selectors.endpoint_list(actor=actor, company=company)[: services.MAX_ENDPOINTS])
        if company is not None
        else []
    )
    numbers = user_numbers().of_company(company) if company is not None else []
    return {
        "company": company,
        "companies": company_list(actor=actor)[:500] if actor.spans_companies else [],
        "endpoints": endpoints,
        "form": form or EndpointForm(numbers=numbers),
        "may_manage": may_manage_webhooks(actor, company) if company is not None else None,
        "event_types": EventType.choices,
    }


@portal_view
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest) -> HttpResponse:
    """The company's endpoints and the Add form (POST adds one and shows its secret)."""
    actor = request_actor(request)
    may_open_webhooks(actor).check()
    company = _company(request, actor)
    if request.method == "GET" or company is None:
        return render_page(request, LIST, _list_context(request, actor, company, None))
    numbers = user_numbers().of_company(company)
    form = EndpointForm(request.POST, numbers=numbers)
    if form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(
                actor=actor,
                company=company,
                url=form.cleaned_data["url"],
                events=list(form.cleaned_data["events"]),
                number=form.cleaned_data["number"],
                description=form.cleaned_data["description"],
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            _show_error(form, exc)
            return render_page(
                request, LIST, _list_context(request, actor, company, form), status=form_status(exc)
            )
        # The secret is in this answer only: never in a message, a session or a log.
        return _showing_secret(
            render_page(request, DETAIL, _detail_context(request, actor, endpoint, secret))
        )
    return render_page(request, LIST, _list_context(request, actor, company, form), status=422)


def _edit_form(endpoint: WebhookEndpoint, data: Any = None) -> EndpointForm:
    """The Edit form, filled with the endpoint as it is (a number no longer the company's
    stays listed, so that saving other fields keeps it)."""
    numbers = list(user_numbers().of_company(endpoint.company))
    if endpoint.number and endpoint.number not in numbers:
        numbers.append(endpoint.number)
    return EndpointForm(
        data,
        numbers=numbers,
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "number": endpoint.number,
            "events": list(endpoint.events),
        },
    )


def _detail_context(
    request: HttpRequest,
    actor: Actor,
    endpoint: WebhookEndpoint,
    secret: str = "",
    edit_form: EndpointForm | None = None,
) -> dict[str, Any]:
    log_url = reverse("webhooks:endpoint", args=[endpoint.pk])
    table = paginate_table(
        request,
        selectors.delivery_list(actor=actor, endpoint=endpoint),
        row_counts=(10, 25, 50),
        default_rows=25,
        htmx_target=LOG_ID,
        htmx_push_url=False,
        path=log_url,
    )
    may_manage = may_manage_webhooks(actor, endpoint.company)
    if edit_form is None and may_manage:
        edit_form = _edit_form(endpoint)
    return {
        "endpoint": endpoint,
        "secret": secret,
        "table": table,
        "log_url": log_url,
        "waiting": any(d.status in (*PENDING, DeliveryStatus.SENDING) for d in table.items),
        "may_manage": may_manage,
        "edit_form": edit_form,
        "editing": edit_form is not None and edit_form.is_bound,
        "event_labels": [EventType(e).label for e in endpoint.events if e in EventType.values],
        "back_url": _back(actor, endpoint),
    }


def _showing_secret(response: HttpResponse) -> HttpResponse:
    """A page that shows a secret is kept by no cache, the browser's included."""
    response["Cache-Control"] = "no-store"
    return response


def _back(actor: Actor, endpoint: WebhookEndpoint) -> str:
    url = reverse("webhooks:list")
    if actor.user.company_id != endpoint.company_id:
        url += "?" + urlencode({"company": endpoint.company_id})
    return url


@portal_view
@require_http_methods(["GET", "POST"])
def webhook_endpoint(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """One endpoint and its delivery log (htmx swaps the log alone: paging, polling); POST
    is its Edit form, saved by ``endpoint_update`` (the API's PATCH)."""
    actor = request_actor(request)
    may_open_webhooks(actor).check()
    endpoint = selectors.endpoint_get(actor=actor, endpoint_id=webhook_id)
    if request.method == "POST":
        return _edit(request, actor, endpoint)
    return render_page(
        request, DETAIL, _detail_context(request, actor, endpoint), partials={LOG_ID: LOG}
    )


def _edit(request: HttpRequest, actor: Actor, endpoint: WebhookEndpoint) -> HttpResponse:
    """Save the Edit form: only what differs from the endpoint is given to the service (as
    a PATCH would), so an unchanged number or URL is not judged again."""
    may_manage_webhooks(actor, endpoint.company).check()
    form = _edit_form(endpoint, request.POST)
    here = reverse("webhooks:endpoint", args=[endpoint.pk])
    if form.is_valid():
        data = form.cleaned_data

        def changed(name: str) -> Any:
            return data[name] if data[name] != getattr(endpoint, name) else None

        url, description, number = changed("url"), changed("description"), changed("number")
        events = list(data["events"]) if set(data["events"]) != set(endpoint.events) else None
        if url is None and description is None and number is None and events is None:
            messages.info(request, "Nothing changed.")
            return page_redirect(request, here)
        try:
            services.endpoint_update(
                actor=actor,
                endpoint=endpoint,
                url=url,
                description=description,
                number=number,
                events=events,
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as exc:
            _show_error(form, exc)
            return render_page(
                request,
                DETAIL,
                _detail_context(request, actor, endpoint, edit_form=form),
                status=form_status(exc),
            )
        messages.success(request, "The endpoint was saved.")
        return page_redirect(request, here)
    return render_page(
        request, DETAIL, _detail_context(request, actor, endpoint, edit_form=form), status=422
    )


ACTIONS = ("test", "rotate", "pause", "resume", "delete")


@portal_view
@require_POST
def webhook_action(request: HttpRequest, webhook_id: int, action: str) -> HttpResponse:
    """Send test event, Rotate secret, Pause, Resume, Delete."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    actor = request_actor(request)
    endpoint = selectors.endpoint_get(actor=actor, endpoint_id=webhook_id)
    here = reverse("webhooks:endpoint", args=[endpoint.pk])
    try:
        if action == "test":
            services.endpoint_send_test(actor=actor, endpoint=endpoint)
            messages.success(request, "A test event is on its way: see its delivery below.")
        elif action == "rotate":
            endpoint, secret = services.endpoint_rotate_secret(actor=actor, endpoint=endpoint)
            return _showing_secret(
                render_page(request, DETAIL, _detail_context(request, actor, endpoint, secret))
            )
        elif action == "pause":
            services.endpoint_pause(actor=actor, endpoint=endpoint)
            messages.success(request, "The endpoint is paused: its events are held.")
        elif action == "resume":
            services.endpoint_resume(actor=actor, endpoint=endpoint)
            messages.success(request, "The endpoint is active again; held events are sent.")
        else:
            back = _back(actor, endpoint)
            services.endpoint_delete(actor=actor, endpoint=endpoint)
            messages.success(request, "The endpoint and its delivery log were deleted.")
            return page_redirect(request, back)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return page_redirect(request, here)


@portal_view
@require_POST
def webhook_redeliver(request: HttpRequest, webhook_id: int, delivery_id: int) -> HttpResponse:
    """Redeliver one event of the log."""
    actor = request_actor(request)
    endpoint = selectors.endpoint_get(actor=actor, endpoint_id=webhook_id)
    found = selectors.delivery_get(actor=actor, endpoint=endpoint, delivery_id=delivery_id)
    try:
        services.delivery_redeliver(actor=actor, delivery=found)
    except (Forbidden, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Event {found.event.public_id} is delivered again.")
    return page_redirect(request, reverse("webhooks:endpoint", args=[endpoint.pk]))
