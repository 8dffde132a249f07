"""Idempotency-Key on the API's POSTs (``faxline.core.idempotency``): a retry with the same
key and the same request gets the first answer and creates nothing; the same key with another
request is 422 ``idempotency_key_reused``; a key still running is 409
``idempotency_in_progress``. Every POST that creates something is in :data:`CREATORS`."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from pypdf import PdfWriter

from faxline.accounts.access import Actor
from faxline.accounts.models import (
    ApiKey,
    BlockedNumber,
    BulkCreateJob,
    ChannelPartner,
    Company,
    CoverPageTemplate,
    Department,
    User,
)
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.idempotency import (
    HEADER,
    claim_or_replay,
    idempotency_begin,
    idempotency_keys_expire,
    remember_answer,
    request_fingerprint,
)
from faxline.core.models import AuditEvent, IdempotencyKey
from faxline.core.periodic import registered_jobs
from faxline.faxing.inbound.models import BulkResubmit, InboundEvent
from faxline.faxing.models import CreditEntry, DestinationMediaRule, FaxJob, SipTrunk
from faxline.notify.models import NotificationLog, WebhookEndpoint, WebhookEvent
from faxline.numbers.models import FaxNumber
from faxline.onboarding.models import OnboardingDocument, OnboardingOrder
from faxline.porting.choices import PortStatus
from faxline.porting.models import ChangeRequest, LoaSignature, PortDocument, PortNote, PortRequest
from faxline.porting.requests import bulk as port_bulk
from faxline.porting.requests.services import port_request_create

from cast import Cast, cast_from_snapshot

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 15, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def _monday() -> Any:
    with time_machine.travel(NOW):
        yield


class Caller:
    """Requests to /api/v1 with an API key of any cast member and an optional key."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.keys: dict[int, str] = {}

    def __call__(
        self, user: User, path: str, body: Any = None, *, key: str | None = None
    ) -> HttpResponse:
        if user.pk not in self.keys:
            self.keys[user.pk] = api_key_create(actor=Actor(user=user), name="tests").secret
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.keys[user.pk]}"}
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        if callable(body):  # a multipart form, built afresh for every send
            return self.client.post("/api/v1" + path, data=body(), **headers)  # type: ignore[no-any-return]
        return self.client.post(  # type: ignore[no-any-return]
            "/api/v1" + path,
            data=json.dumps(body if body is not None else {}),
            content_type="application/json",
            **headers,
        )


@pytest.fixture
def post(client: Client) -> Caller:
    return Caller(client)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def port_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "contact_first_name": "Carol",
        "contact_last_name": "Chief",
        "contact_email": "carol@acme.example",
        "contact_phone": "+1 206 555 0100",
        "numbers": [{"number": "+12062345678", "line_type": "landline"}],
        "port_type": "full",
        "btn": "+12062345678",
        "losing_carrier": "Old Telco",
        "account_number": "ACCT-998877",
        "business_name": "Acme Corp",
        "authorized_name": "Carol Chief",
        "authorized_title": "CEO",
        "authorized_email": "carol@acme.example",
        "street": "1313 Mockingbird Lane",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
        "country": "US",
    }
    data.update(changes)
    return data


def port_bulk_csv(number: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(port_bulk.COLUMNS), extrasaction="ignore")
    writer.writeheader()
    row = {**port_data(), "number": number, "line_type": "landline", "btn": number}
    writer.writerow(row)
    return out.getvalue().encode()


def port_request(cast: Cast, status: str = PortStatus.DRAFT) -> int:
    port = port_request_create(
        actor=Actor(user=cast.company_admin), company=cast.company, data=port_data()
    )
    PortRequest.objects.filter(pk=port.pk).update(status=status)
    return port.pk


def inbound_fax(cast: Cast) -> int:
    """A delivered fax received on the billing user's number (its content any bytes: a
    resubmit only queues the delivery)."""
    from django.utils import timezone

    from faxline.core.vault import vault_store
    from faxline.faxing.inbound.models import DeliveryStatus, InboundFax

    stored = vault_store(b"II*\x00", purpose="inbound-fax")
    return InboundFax.objects.create(
        to_number="+12125551234",
        from_number="+13125550000",
        company=cast.company,
        user=cast.billing_user,
        department=cast.billing_user.department,
        received_at=timezone.now(),
        pages=1,
        vault_name=stored.name,
        size=stored.size,
        sha256=stored.sha256,
        delivery_status=DeliveryStatus.DELIVERED,
    ).pk


def onboarding_order(cast: Cast) -> int:
    return OnboardingOrder.objects.create(company=cast.company).pk


def free_numbers(cast: Cast, post: Caller, count: int = 2) -> list[str]:
    post(cast.company_admin, "/me")  # the key, made once
    response = post.client.get(
        "/api/v1/numbers/available",
        {"country": "US", "area_code": "206", "count": count},
        HTTP_AUTHORIZATION=f"Bearer {post.keys[cast.company_admin.pk]}",
    )
    assert response.status_code == 200, response.content
    return list(response.json()["items"])


def new_user(cast: Cast, username: str) -> dict[str, Any]:
    return {
        "first_name": "New",
        "last_name": "Person",
        "email": f"{username}@acme.example",
        "username": username,
        "generate_password": True,
        "department_id": cast.sales.pk,
    }


def users_csv(username: str) -> Callable[[], dict[str, Any]]:
    data = f"first_name,last_name,email,username\nNew,Person,{username}@acme.example,{username}\n"
    return lambda: {"file": SimpleUploadedFile("users.csv", data.encode(), "text/csv")}


@dataclass(frozen=True)
class Creator:
    """A POST that creates something: who sends it, the path and two different requests
    (JSON or a multipart form builder), and how many of what it creates exist."""

    route: str
    who: str
    setup: Callable[[Cast, Caller], tuple[str, Any, Any]]
    count: Callable[[], int]


def _partner(cast: Cast) -> int:
    return ChannelPartner.objects.create(name="Resell Co").pk


def cover_pdf(name: str) -> Callable[[], dict[str, Any]]:
    from cover_files import letterhead

    return lambda: {
        "file": SimpleUploadedFile("cover.pdf", letterhead(), "application/pdf"),
        "name": name,
    }


def fax_sender(cast: Cast) -> None:
    from faxing.jobs_support import give_number, on_demand_covers

    give_number(cast.billing_user)
    on_demand_covers(cast, cast.billing_user)


def fax_form(to: str) -> Callable[[], dict[str, Any]]:
    return lambda: {"to": [to], "file": [SimpleUploadedFile("a.txt", b"Hello\n", "text/plain")]}


def sent_fax(cast: Cast) -> str:
    from faxline.faxing.jobs.send import Attachment, fax_send

    fax_sender(cast)
    (job,) = fax_send(
        actor=Actor(user=cast.billing_user),
        to=["+16175559876"],
        files=[Attachment(b"Hello\n", "a.txt")],
    )
    return job.identifier


def failed_archive_copy(cast: Cast, *, inbound: bool) -> str:
    """A sent (or received) fax whose archive copy to email failed: the path of its retry."""
    from faxline.faxing.archive.models import ArchiveCopy, ArchiveStatus
    from faxline.faxing.models import FaxJob

    fax: dict[str, Any]
    if inbound:
        fax_id = inbound_fax(cast)
        fax, path = {"inbound_fax_id": fax_id}, f"/inbound/{fax_id}/archive/retry"
    else:
        identifier = sent_fax(cast)
        fax = {"job": FaxJob.objects.get(identifier=identifier)}
        path = f"/faxes/{identifier}/archive/retry"
    ArchiveCopy.objects.create(
        company=cast.company,
        destination="email",
        destination_key="email:records@acme.example",
        email_address="records@acme.example",
        file_type="PDF",
        status=ArchiveStatus.FAILED,
        **fax,
    )
    return path


def webhook(cast: Cast) -> int:
    from faxline.notify.webhooks.services import endpoint_create

    endpoint, _ = endpoint_create(
        actor=Actor(user=cast.company_admin),
        company=cast.company,
        url="https://erp.acme.example/hooks",
        events=["fax.failed"],
    )
    return endpoint.pk


def webhook_delivery(cast: Cast) -> str:
    from faxline.notify.webhooks.models import WebhookDelivery
    from faxline.notify.webhooks.services import endpoint_send_test

    hook = webhook(cast)
    delivery = endpoint_send_test(
        actor=Actor(user=cast.company_admin), endpoint=WebhookEndpoint.objects.get(pk=hook)
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed")
    return f"/webhooks/{hook}/deliveries/{delivery.pk}/redeliver"


CREATORS = [
    Creator(
        "/faxes/{id}/archive/retry",
        "company_admin",
        lambda c, p: (failed_archive_copy(c, inbound=False), {}, {"again": True}),
        lambda: AuditEvent.objects.filter(kind="archive.retried").count(),
    ),
    Creator(
        "/inbound/{fax_id}/archive/retry",
        "company_admin",
        lambda c, p: (failed_archive_copy(c, inbound=True), {}, {"again": True}),
        lambda: AuditEvent.objects.filter(kind="archive.retried").count(),
    ),
    Creator(
        "/trunks",
        "operator",
        lambda c, p: (
            "/trunks",
            {"name": "Carrier A", "host": "sip.carrier-a.example"},
            {"name": "Carrier B", "host": "sip.carrier-b.example"},
        ),
        lambda: SipTrunk.objects.count(),
    ),
    Creator(
        "/trunks/rules",
        "operator",
        lambda c, p: (
            "/trunks/rules",
            {"prefix": "+44", "t38_mode": "g711_only"},
            {"prefix": "+33", "t38_mode": "g711_only"},
        ),
        lambda: DestinationMediaRule.objects.count(),
    ),
    Creator(
        "/webhooks",
        "company_admin",
        lambda c, p: (
            "/webhooks",
            {"url": "https://erp.acme.example/a", "events": ["fax.failed"]},
            {"url": "https://erp.acme.example/b", "events": ["fax.failed"]},
        ),
        lambda: WebhookEndpoint.objects.count(),
    ),
    Creator(
        "/webhooks/{webhook_id}/test",
        "company_admin",
        lambda c, p: (f"/webhooks/{webhook(c)}/test", {}, {"again": True}),
        lambda: WebhookEvent.objects.count(),
    ),
    Creator(
        "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
        "company_admin",
        lambda c, p: (webhook_delivery(c), {}, {"again": True}),
        lambda: AuditEvent.objects.filter(kind="webhook.redelivered").count(),
    ),
    Creator(
        "/inbound/{fax_id}/resubmit",
        "company_admin",
        lambda c, p: (f"/inbound/{inbound_fax(c)}/resubmit", {}, {"again": True}),
        lambda: InboundEvent.objects.filter(kind="resubmitted").count(),
    ),
    Creator(
        "/inbound/resubmit",
        "company_admin",
        lambda c, p: (
            "/inbound/resubmit",
            {"fax_ids": [(fax := inbound_fax(c))]},
            {"fax_ids": [fax, 10**9]},
        ),
        lambda: BulkResubmit.objects.count(),
    ),
    Creator(
        "/faxes",
        "billing_user",
        lambda c, p: (fax_sender(c), "/faxes", fax_form("+16175559876"), fax_form("+16175559877"))[
            1:
        ],
        lambda: FaxJob.objects.count(),
    ),
    Creator(
        "/faxes/{id}/resend",
        "billing_user",
        lambda c, p: (f"/faxes/{sent_fax(c)}/resend", {}, {"to": "+16175559877"}),
        lambda: FaxJob.objects.count(),
    ),
    Creator(
        "/companies/{company_id}/blocked-numbers",
        "company_admin",
        lambda c, p: (
            f"/companies/{c.company.pk}/blocked-numbers",
            {"number": "7329200193"},
            {"number": "2125550100"},
        ),
        BlockedNumber.objects.count,
    ),
    Creator(
        "/companies/{company_id}/cover-pages",
        "company_admin",
        lambda c, p: (
            f"/companies/{c.company.pk}/cover-pages",
            cover_pdf("Letterhead"),
            cover_pdf("Other"),
        ),
        CoverPageTemplate.objects.count,
    ),
    Creator(
        "/departments/{department_id}/cover-pages",
        "company_admin",
        lambda c, p: (
            f"/departments/{c.billing.pk}/cover-pages",
            cover_pdf("Letterhead"),
            cover_pdf("Other"),
        ),
        CoverPageTemplate.objects.count,
    ),
    Creator(
        "/companies",
        "operator",
        lambda c, p: ("/companies", {"name": "Initech"}, {"name": "Initrode"}),
        Company.objects.count,
    ),
    Creator(
        "/departments",
        "company_admin",
        lambda c, p: ("/departments", {"name": "Ops"}, {"name": "Legal"}),
        Department.objects.count,
    ),
    Creator(
        "/users",
        "company_admin",
        lambda c, p: ("/users", new_user(c, "newbie"), new_user(c, "other")),
        User.objects.count,
    ),
    Creator(
        "/users/bulk",
        "company_admin",
        lambda c, p: ("/users/bulk", users_csv("bulky"), users_csv("other")),
        BulkCreateJob.objects.count,
    ),
    Creator(
        "/administrators",
        "company_admin",
        lambda c, p: (
            "/administrators",
            {**new_user(c, "admin2"), "rights": ["users.manage"]},
            {**new_user(c, "admin3"), "rights": ["users.manage"]},
        ),
        User.objects.count,
    ),
    Creator(
        # Sends a reset link: what it leaves at once is its audit event (the link itself is
        # issued by the task worker after commit).
        "/administrators/{admin_id}/password-reset",
        "company_admin",
        lambda c, p: (f"/administrators/{c.dept_admin.pk}/password-reset", {}, {"again": 1}),
        AuditEvent.objects.filter(kind="password.reset_link_sent_by_admin").count,
    ),
    Creator(
        # Writes the welcome message to the notification log (sent by the worker).
        "/users/{user_id}/welcome",
        "company_admin",
        lambda c, p: (
            f"/users/{c.billing_user.pk}/welcome",
            {"kind": "welcome"},
            {"kind": "with_credentials"},
        ),
        AuditEvent.objects.filter(kind="user.welcome_sent").count,
    ),
    Creator(
        "/api-keys",
        "company_admin",
        lambda c, p: ("/api-keys", {"name": "reporting"}, {"name": "billing"}),
        ApiKey.objects.count,
    ),
    Creator(
        "/channel-partners",
        "operator",
        lambda c, p: ("/channel-partners", {"name": "Resell Co"}, {"name": "Other Co"}),
        ChannelPartner.objects.count,
    ),
    Creator(
        "/channel-partners/{partner_id}/staff",
        "operator",
        lambda c, p: (
            f"/channel-partners/{_partner(c)}/staff",
            {
                "first_name": "Pat",
                "last_name": "P",
                "email": "pat@resell.example",
                "username": "pat",
                "generate_password": True,
            },
            {
                "first_name": "Sam",
                "last_name": "S",
                "email": "sam@resell.example",
                "username": "sam",
                "generate_password": True,
            },
        ),
        User.objects.count,
    ),
    Creator(
        "/numbers/requests",
        "company_admin",
        lambda c, p: (
            "/numbers/requests",
            {"numbers": (numbers := free_numbers(c, p))[:1]},
            {"numbers": numbers[1:]},
        ),
        lambda: FaxNumber.objects.exclude(company=None).count(),
    ),
    Creator(
        "/numbers/stock",
        "operator",
        lambda c, p: (
            "/numbers/stock",
            lambda: {"file": SimpleUploadedFile("s.csv", b"number,carrier\n+12065550100,Acme\n")},
            lambda: {"file": SimpleUploadedFile("s.csv", b"number,carrier\n+12065550101,Acme\n")},
        ),
        FaxNumber.objects.count,
    ),
    Creator(
        "/companies/{company_id}/credits/adjustments",
        "operator",
        lambda c, p: (
            f"/companies/{c.company.pk}/credits/adjustments",
            {"credits": 10, "note": "goodwill"},
            {"credits": 20, "note": "goodwill"},
        ),
        CreditEntry.objects.count,
    ),
    Creator(
        "/onboarding/orders",
        "operator",
        lambda c, p: (
            "/onboarding/orders",
            {"company_id": c.company.pk, "billing_contact_name": "Bea"},
            {"company_id": c.company.pk, "billing_contact_name": "Ben"},
        ),
        OnboardingOrder.objects.count,
    ),
    Creator(
        "/onboarding/orders/{order_id}/documents",
        "operator",
        lambda c, p: (
            f"/onboarding/orders/{onboarding_order(c)}/documents",
            lambda: {
                "kind": "payment_authorization",
                "file": SimpleUploadedFile("a.pdf", pdf_bytes()),
            },
            lambda: {"kind": "other", "file": SimpleUploadedFile("a.pdf", pdf_bytes())},
        ),
        OnboardingDocument.objects.count,
    ),
    Creator(
        "/onboarding/first-sign-in",
        "company_admin",
        lambda c, p: (
            "/onboarding/first-sign-in",
            {"choice": "new_number", "area_code": "206", "user_id": c.sales_user.pk},
            {"choice": "new_number", "area_code": "206", "user_id": c.billing_user.pk},
        ),
        lambda: FaxNumber.objects.exclude(user=None).count(),
    ),
    Creator(
        "/port-requests",
        "company_admin",
        lambda c, p: (
            "/port-requests",
            port_data(),
            port_data(numbers=[{"number": "+12062345679", "line_type": "landline"}]),
        ),
        PortRequest.objects.count,
    ),
    Creator(
        "/port-requests/{request_id}/notes",
        "company_admin",
        lambda c, p: (
            f"/port-requests/{port_request(c)}/notes",
            {"body": "Please hurry."},
            {"body": "Please wait."},
        ),
        PortNote.objects.count,
    ),
    Creator(
        "/port-requests/{request_id}/changes",
        "company_admin",
        lambda c, p: (
            f"/port-requests/{port_request(c, PortStatus.NEW)}/changes",
            {"changes": {"contact_first_name": "Carla"}, "reason": "Typo"},
            {"changes": {"contact_first_name": "Carlo"}, "reason": "Typo"},
        ),
        ChangeRequest.objects.count,
    ),
    Creator(
        "/port-requests/bulk",
        "company_admin",
        lambda c, p: (
            "/port-requests/bulk",
            lambda: {"file": SimpleUploadedFile("p.csv", port_bulk_csv("2062345601"))},
            lambda: {"file": SimpleUploadedFile("p.csv", port_bulk_csv("2062345602"))},
        ),
        PortRequest.objects.count,
    ),
    Creator(
        "/port-requests/{request_id}/documents",
        "company_admin",
        lambda c, p: (
            f"/port-requests/{port_request(c)}/documents",
            lambda: {
                "kind": "bill",
                "statement_date": "2026-11-20",
                "file": SimpleUploadedFile("bill.pdf", pdf_bytes()),
            },
            lambda: {
                "kind": "bill",
                "statement_date": "2026-11-21",
                "file": SimpleUploadedFile("bill.pdf", pdf_bytes()),
            },
        ),
        PortDocument.objects.count,
    ),
    Creator(
        "/port-requests/{request_id}/loa/sign",
        "company_admin",
        lambda c, p: (
            f"/port-requests/{port_request(c)}/loa/sign",
            {"signer_name": "Carol Chief", "consent": True},
            {"signer_name": "Carol Chief", "signer_title": "CEO", "consent": True},
        ),
        LoaSignature.objects.count,
    ),
    Creator(
        "/port-requests/{request_id}/loa/send",
        "company_admin",
        lambda c, p: (
            f"/port-requests/{port_request(c)}/loa/send",
            {"email": "carol@acme.example"},
            {"email": "chief@acme.example"},
        ),
        NotificationLog.objects.count,
    ),
]


@pytest.mark.parametrize("creator", CREATORS, ids=lambda c: c.route)
def test_a_retry_replays_the_first_answer_and_creates_nothing(
    cast: Cast, post: Caller, creator: Creator
) -> None:
    user = getattr(cast, creator.who)
    path, body, other = creator.setup(cast, post)
    post(user, "/me")  # the caller's key exists before counting
    before = creator.count()
    first = post(user, path, body, key="create-1")
    assert first.status_code in (200, 201, 202), first.content
    created = creator.count()
    assert created > before
    again = post(user, path, body, key="create-1")
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    refused = post(user, path, other, key="create-1")
    assert refused.status_code == 422, refused.content
    assert refused.json()["code"] == "idempotency_key_reused"
    assert refused.json()["field"] == HEADER
    assert creator.count() == created


def test_every_creating_post_is_covered(client: Client) -> None:
    """Every POST that answers 201 or 202 (and the imports that answer 200 with a report) is
    in CREATORS, and every POST documents the Idempotency-Key header."""
    doc = client.get("/api/v1/openapi.json").json()
    creating = set()
    for path, item in doc["paths"].items():
        operation = item.get("post")
        if operation is None:
            continue
        assert any(p["name"] == HEADER for p in operation["parameters"]), path
        if {"201", "202"} & set(operation["responses"]):
            creating.add(path.removeprefix("/api/v1"))
    creating |= {"/numbers/stock", "/port-requests/bulk"}
    assert {c.route for c in CREATORS} >= creating


def test_without_a_key_every_request_runs(cast: Cast, post: Caller) -> None:
    before = Department.objects.count()
    assert post(cast.company_admin, "/departments", {"name": "Ops"}).status_code == 201
    assert post(cast.company_admin, "/departments", {"name": "Ops"}).status_code == 422
    assert Department.objects.count() == before + 1
    assert not IdempotencyKey.objects.exists()


def test_keys_belong_to_the_person_who_sent_them(cast: Cast, post: Caller) -> None:
    mine = post(cast.company_admin, "/departments", {"name": "Ops"}, key="k")
    theirs = post(cast.outsider_admin, "/departments", {"name": "Ops"}, key="k")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["company_id"] != theirs.json()["company_id"]


def test_the_same_json_in_another_order_is_the_same_request(cast: Cast, post: Caller) -> None:
    first = post(cast.company_admin, "/departments", {"name": "Ops", "parent_id": None}, key="k")
    again = post(cast.company_admin, "/departments", {"parent_id": None, "name": "Ops"}, key="k")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"


def test_the_same_key_on_another_path_is_refused(cast: Cast, post: Caller) -> None:
    assert post(cast.company_admin, "/api-keys", {"name": "x"}, key="k").status_code == 201
    refused = post(cast.company_admin, "/departments", {"name": "x"}, key="k")
    assert refused.status_code == 422 and refused.json()["code"] == "idempotency_key_reused"
    assert "/api/v1/api-keys" in refused.json()["message"]


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "clé"])
def test_a_malformed_key_is_422_naming_the_header(cast: Cast, post: Caller, key: str) -> None:
    before = Department.objects.count()
    response = post(cast.company_admin, "/departments", {"name": "Ops"}, key=key)
    assert response.status_code == 422
    assert response.json()["field"] == HEADER
    assert Department.objects.count() == before


def test_a_refusal_is_the_first_answer_too(cast: Cast, post: Caller) -> None:
    """A domain refusal is kept and replayed; a request that failed validation before it
    ran is not, so the corrected request may use the same key."""
    taken = post(cast.company_admin, "/departments", {"name": "Sales"}, key="dup")
    assert taken.status_code == 422 and taken.json()["field"] == "name"
    again = post(cast.company_admin, "/departments", {"name": "Sales"}, key="dup")
    assert again.content == taken.content and again["Idempotent-Replayed"] == "true"

    invalid = post(cast.company_admin, "/departments", {"name": 5, "colour": "red"}, key="fix")
    assert invalid.status_code == 422
    fixed = post(cast.company_admin, "/departments", {"name": "Ops"}, key="fix")
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed


def test_a_key_still_running_is_409(cast: Cast, post: Caller) -> None:
    body = {"name": "Ops"}
    twin = RequestFactory().post(
        "/api/v1/departments", data=json.dumps(body), content_type="application/json"
    )
    idempotency_begin(
        principal=cast.company_admin,
        key="busy",
        method="POST",
        path="/api/v1/departments",
        fingerprint=request_fingerprint(twin),
    )
    before = Department.objects.count()
    busy = post(cast.company_admin, "/departments", body, key="busy")
    assert busy.status_code == 409
    assert busy.json()["code"] == "idempotency_in_progress"
    assert busy["Retry-After"] == "1"
    other = post(cast.company_admin, "/departments", {"name": "Legal"}, key="busy")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Department.objects.count() == before


def test_a_server_error_keeps_nothing(cast: Cast) -> None:
    """A request that raised lets its retry run again (its transaction was rolled back)."""
    calls: list[int] = []

    def view(request: Any) -> HttpResponse:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return HttpResponse(b'{"ok": true}', status=201, content_type="application/json")

    def run(request: Any) -> HttpResponse:
        return claim_or_replay(view)(request)  # type: ignore[no-any-return]

    def request() -> Any:
        made = RequestFactory().post(
            "/api/v1/things",
            data="{}",
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k",
        )
        made.auth = cast.company_admin
        return made

    with pytest.raises(RuntimeError):
        remember_answer(run)(request())
    assert not IdempotencyKey.objects.exists()
    assert remember_answer(run)(request()).status_code == 201
    replayed = remember_answer(run)(request())
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
    assert len(calls) == 2


def test_answers_are_encrypted_at_rest(cast: Cast, post: Caller) -> None:
    created = post(cast.company_admin, "/api-keys", {"name": "x"}, key="secret")
    secret = created.json()["secret"]
    row = IdempotencyKey.objects.get(key="secret")
    assert secret.encode() not in bytes(row.body_encrypted)
    assert row.status == 201 and row.principal_id == cast.company_admin.pk


def test_keys_expire_and_are_swept(cast: Cast, post: Caller) -> None:
    assert "expire idempotency keys" in [job.name for job in registered_jobs()]
    first = post(cast.company_admin, "/departments", {"name": "Ops"}, key="old")
    assert first.status_code == 201
    with time_machine.travel(NOW + timedelta(hours=25)):
        # Not swept yet: an expired key is a new key.
        again = post(cast.company_admin, "/departments", {"name": "Ops"}, key="old")
        assert again.status_code == 422 and again.json()["field"] == "name"  # it ran again
        assert "Idempotent-Replayed" not in again
    with time_machine.travel(NOW + timedelta(hours=50)):
        assert idempotency_keys_expire() == 1
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_identical_requests_in_flight_create_once() -> None:
    """Eight identical requests at once: one runs, the others replay its answer or are told
    it is still running; one department exists. (Real threads and connections: PostgreSQL
    only, where requests really run at once.)"""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL")
    cast = cast_from_snapshot()
    secret = api_key_create(actor=Actor(user=cast.company_admin), name="race").secret
    barrier = threading.Barrier(8)
    answers: list[tuple[int, bytes]] = []

    def send() -> None:
        try:
            barrier.wait()
            response = Client().post(
                "/api/v1/departments",
                data=json.dumps({"name": "Raced"}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
                HTTP_IDEMPOTENCY_KEY="race-1",
            )
            answers.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Department.objects.filter(name="Raced").count() == 1
    created = [content for status, content in answers if status == 201]
    assert created and all(content == created[0] for content in created)
    assert {status for status, _ in answers} <= {201, 409}
    for status, content in answers:
        if status == 409:
            assert json.loads(content)["code"] == "idempotency_in_progress"
