"""Edit on a webhook endpoint's page (Settings ▸ Webhooks ▸ an endpoint): the form is filled
with the endpoint, saves through ``endpoint_update`` (the API's PATCH) and is audited; a
refusal is shown on its field with nothing written; a read-only or department administrator
sees no Edit and is refused (403) if they post anyway; an outsider gets 404."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from faxing.jobs_support import give_number
from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.core.models import AuditEvent
from faxline.notify.webhooks import services
from faxline.notify.webhooks.models import WebhookEndpoint

from cast import Cast

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:9/hook"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hook(cast: Cast, allow_loopback: None) -> WebhookEndpoint:
    endpoint, _ = services.endpoint_create(
        actor=Actor(user=cast.company_admin),
        company=cast.company,
        url=URL,
        events=["fax.delivered"],
        description="ERP",
    )
    return endpoint


def page_of(hook: WebhookEndpoint) -> str:
    return f"/settings/webhooks/{hook.pk}/"


def form(**changes: Any) -> dict[str, Any]:
    return {"url": URL, "description": "ERP", "number": "", "events": ["fax.delivered"], **changes}


def test_the_form_is_filled_with_the_endpoint(cast: Cast, hook: WebhookEndpoint) -> None:
    page = signed_in(cast.company_admin).get(page_of(hook))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="webhook-edit"' in text and ">Edit</button>" in text
    assert f'name="url" value="{URL}"' in text and 'name="description" value="ERP"' in text
    ticked = re.findall(
        r'<input type="checkbox" name="events" value="([\w.]+)"[^>]* checked>', text
    )
    assert ticked == ["fax.delivered"]


def test_saving_changes_the_endpoint_and_says_so(cast: Cast, hook: WebhookEndpoint) -> None:
    number = give_number(cast.billing_user, "+12125551234")
    admin = signed_in(cast.company_admin)
    saved = admin.post(
        page_of(hook),
        form(
            url="http://127.0.0.1:9/new",
            description="  Billing   ERP ",
            number=number,
            events=["fax.failed", "fax.delivered"],
        ),
        follow=True,
    )
    assert saved.redirect_chain == [(page_of(hook), 302)]
    assert b"The endpoint was saved." in saved.content
    hook.refresh_from_db()
    assert (hook.url, hook.description, hook.number) == (
        "http://127.0.0.1:9/new",
        "Billing ERP",
        number,
    )
    assert hook.events == ["fax.delivered", "fax.failed"]
    audit = AuditEvent.objects.get(kind="webhook.changed", target_id=str(hook.pk))
    assert audit.actor_id == cast.company_admin.pk
    assert audit.detail["fields"] == ["description", "events", "number", "url"]
    # Back to every number of the company: only what changed is given to the service.
    admin.post(page_of(hook), form(url=hook.url, description=hook.description, events=hook.events))
    hook.refresh_from_db()
    assert hook.number == "" and hook.events == ["fax.delivered", "fax.failed"]
    last = AuditEvent.objects.filter(kind="webhook.changed").order_by("pk").last()
    assert last is not None and last.detail["fields"] == ["events", "number"]


def test_nothing_changed_writes_nothing(cast: Cast, hook: WebhookEndpoint) -> None:
    answer = signed_in(cast.company_admin).post(page_of(hook), form(), follow=True)
    assert b"Nothing changed." in answer.content
    assert not AuditEvent.objects.filter(kind="webhook.changed").exists()


def test_a_private_url_is_refused_on_its_field_with_nothing_written(
    cast: Cast, hook: WebhookEndpoint, settings: Any
) -> None:
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = []
    refused = signed_in(cast.company_admin).post(
        page_of(hook), form(url="http://10.1.2.3/hook", events=["fax.failed"])
    )
    assert refused.status_code == 422
    edit = refused.context["edit_form"]
    assert list(edit.errors) == ["url"]
    assert edit.errors["url"][0].startswith("'10.1.2.3' cannot be used: 10.1.2.3 is a private")
    text = refused.content.decode()
    assert 'class="collapse show" id="fx-webhook-edit"' in text
    assert 'value="http://10.1.2.3/hook"' in text and "is-invalid" in text
    hook.refresh_from_db()
    assert (hook.url, hook.events) == (URL, ["fax.delivered"])
    assert not AuditEvent.objects.filter(kind="webhook.changed").exists()


def test_no_event_is_refused_on_the_events(cast: Cast, hook: WebhookEndpoint) -> None:
    refused = signed_in(cast.company_admin).post(page_of(hook), form(events=[]))
    assert refused.status_code == 422
    assert list(refused.context["edit_form"].errors) == ["events"]
    assert b"Choose at least one event." in refused.content
    hook.refresh_from_db()
    assert hook.events == ["fax.delivered"]


def test_a_port_event_for_one_number_is_refused_on_the_events(
    cast: Cast, hook: WebhookEndpoint
) -> None:
    number = give_number(cast.billing_user, "+12125551234")
    refused = signed_in(cast.company_admin).post(
        page_of(hook), form(number=number, events=["port.submitted"])
    )
    assert refused.status_code == 422
    assert list(refused.context["edit_form"].errors) == ["events"]
    hook.refresh_from_db()
    assert (hook.number, hook.events) == ("", ["fax.delivered"])


def test_a_read_only_administrator_sees_no_edit_and_is_refused(
    cast: Cast, hook: WebhookEndpoint
) -> None:
    reader = signed_in(cast.read_only_admin)
    seen = reader.get(page_of(hook))
    assert seen.status_code == 200
    assert b"webhook-edit" not in seen.content and b">Edit</button>" not in seen.content
    refused = reader.post(page_of(hook), form(events=["fax.failed"]), HTTP_REFERER=page_of(hook))
    assert refused.status_code == 403
    hook.refresh_from_db()
    assert hook.events == ["fax.delivered"]
    assert not AuditEvent.objects.filter(kind="webhook.changed").exists()


def test_a_department_administrator_is_refused(cast: Cast, hook: WebhookEndpoint) -> None:
    dept = signed_in(cast.dept_admin)
    assert dept.get(page_of(hook)).status_code == 403
    assert dept.post(page_of(hook), form(events=["fax.failed"])).status_code == 403
    hook.refresh_from_db()
    assert hook.events == ["fax.delivered"]


def test_an_outsider_gets_404(cast: Cast, hook: WebhookEndpoint) -> None:
    outsider = signed_in(cast.outsider_admin)
    assert outsider.get(page_of(hook)).status_code == 404
    assert outsider.post(page_of(hook), form(events=["fax.failed"])).status_code == 404
    hook.refresh_from_db()
    assert hook.events == ["fax.delivered"]
