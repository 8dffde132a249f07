"""Onboarding orders (seed 001): document gathering with payment authorization first, the
final order, completion and its emails."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from onboarding_support import (
    bomb_png,
    broken_pdf,
    exe_bytes,
    pdf_bytes,
    png_bytes,
    vault_files,
)

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from faxline.core.models import AuditEvent
from faxline.core.vault import vault_read
from faxline.notify.models import NotificationLog
from faxline.onboarding import selectors, services
from faxline.onboarding.choices import ItemStatus, OrderStatus
from faxline.onboarding.models import OnboardingDocument, OnboardingOrder

from cast import Cast

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a Tuesday


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def order(cast: Cast, partner: User) -> OnboardingOrder:
    return services.order_create(actor=Actor(user=partner), company=cast.company)


def statuses(order: OnboardingOrder) -> dict[str, str]:
    return {i.key: i.status for i in selectors.document_checklist(order)}


def pay(order: OnboardingOrder, user: User) -> OnboardingDocument:
    return services.document_upload(
        actor=Actor(user=user),
        order=order,
        kind="payment_authorization",
        data=pdf_bytes(),
        filename="ach.pdf",
    )


def test_created_by_partner_or_operator_only(
    cast: Cast, partner: User, other_partner: User
) -> None:
    with pytest.raises(Forbidden):
        services.order_create(actor=Actor(user=cast.company_admin), company=cast.company)
    with pytest.raises(NotFound):
        services.order_create(actor=Actor(user=other_partner), company=cast.company)
    with pytest.raises(NotFound):
        services.order_create(actor=Actor(user=cast.outsider_admin), company=cast.company)
    order = services.order_create(actor=Actor(user=partner), company=cast.company)
    assert order.channel_partner is not None and order.channel_partner.name == "Bright Partners"
    assert order.time_zone == "America/New_York"
    with pytest.raises(Conflict) as caught:
        services.order_create(actor=Actor(user=cast.operator), company=cast.company)
    assert caught.value.code == "order_exists"
    welcome = NotificationLog.objects.filter(kind="onboarding.requirements")
    assert set(welcome.values_list("recipient", flat=True)) == {
        "pat@bright.example",
        "carol@acme.example",
        "rita@acme.example",  # company-level administrators, read-only ones included
    }
    assert "REQUIRED before we can move forward" in welcome.first().body  # type: ignore[union-attr]


def test_initial_checklist(order: OnboardingOrder) -> None:
    assert statuses(order) == {
        "payment_authorization": "missing",
        "billing_contact": "missing",
        "tax_exemption": "missing",
        "phone_bill": "missing",
        "port_numbers": "missing",
        "csr": "missing",
    }
    csr = next(i for i in selectors.document_checklist(order) if i.key == "csr")
    assert csr.recommended and not csr.required and csr.warning


def test_porting_blocked_until_payment_authorization(
    cast: Cast, partner: User, order: OnboardingOrder, media: Path
) -> None:
    actor = Actor(user=partner)
    for kind, extra in (
        ("phone_bill", {"statement_date": date(2026, 3, 1)}),
        ("csr", {}),
        ("tax_exemption", {}),
    ):
        with pytest.raises(Conflict) as caught:
            services.document_upload(
                actor=actor, order=order, kind=kind, data=pdf_bytes(), filename="x.pdf", **extra
            )
        assert caught.value.code == "payment_authorization_required"
        assert "payment authorization" in caught.value.message.lower()
    for changes in (
        {"port_numbers": [{"number": "2065550147", "use": "fax"}]},
        {"port_date": "2026-03-20"},
        {"pin": "1234"},
        {"authorized_user_name": "Carol Chief"},
    ):
        with pytest.raises(Conflict) as caught:
            services.order_update(actor=actor, order=order, changes=changes)
        assert caught.value.code == "payment_authorization_required"
        assert caught.value.field == next(iter(changes))
    with pytest.raises(Conflict):
        services.port_numbers_import_csv(actor=actor, order=order, data=b"number\n2065550147\n")
    assert vault_files(media) == []
    # Billing contact and non-porting fields are allowed before payment.
    services.order_update(
        actor=actor,
        order=order,
        changes={"billing_contact_name": "Bea Biller", "billing_contact_email": "bea@acme.example"},
    )
    doc = pay(order, partner)
    assert vault_read(doc.vault_name).startswith(b"%PDF")
    assert statuses(order)["payment_authorization"] == ItemStatus.RECEIVED
    services.order_update(
        actor=actor,
        order=order,
        changes={"activation": "porting", "port_numbers": [{"number": "2065550147"}]},
    )
    services.document_upload(
        actor=actor,
        order=order,
        kind="phone_bill",
        data=pdf_bytes(),
        filename="bill.pdf",
        statement_date=date(2026, 3, 1),
    )
    assert statuses(order)["phone_bill"] == ItemStatus.RECEIVED


def test_stale_bill_refused(partner: User, order: OnboardingOrder, media: Path) -> None:
    pay(order, partner)
    before = len(vault_files(media))
    with pytest.raises(ValidationFailed) as caught:
        services.document_upload(
            actor=Actor(user=partner),
            order=order,
            kind="phone_bill",
            data=pdf_bytes(),
            filename="bill.pdf",
            statement_date=date(2026, 2, 1),
        )
    assert caught.value.code == "bill_too_old"
    assert caught.value.field == "statement_date"
    assert "within the last 30 days" in caught.value.message
    for bad in (None, date(2026, 3, 11)):
        with pytest.raises(ValidationFailed) as caught:
            services.document_upload(
                actor=Actor(user=partner),
                order=order,
                kind="phone_bill",
                data=pdf_bytes(),
                statement_date=bad,
            )
        assert caught.value.field == "statement_date"
    assert len(vault_files(media)) == before
    assert not order.documents.filter(kind="phone_bill").exists()


def test_bill_expires_as_time_passes(partner: User, order: OnboardingOrder) -> None:
    pay(order, partner)
    services.order_update(actor=Actor(user=partner), order=order, changes={"activation": "porting"})
    services.document_upload(
        actor=Actor(user=partner),
        order=order,
        kind="phone_bill",
        data=png_bytes(),
        filename="bill.png",
        statement_date=date(2026, 2, 9),  # 29 days old: accepted
    )
    assert statuses(order)["phone_bill"] == ItemStatus.RECEIVED
    with time_machine.travel(datetime(2026, 3, 20, 15, tzinfo=UTC), tick=False):
        items = {i.key: i for i in selectors.document_checklist(order)}
        assert items["phone_bill"].status == ItemStatus.EXPIRED
        assert items["phone_bill"].blocking
        assert any(p.field == "phone_bill" for p in selectors.completion_problems(order))


@pytest.mark.parametrize(
    "data", [exe_bytes(), broken_pdf(), bomb_png()], ids=["exe-as-pdf", "broken-pdf", "bomb"]
)
def test_hostile_upload_leaves_nothing(
    partner: User, order: OnboardingOrder, media: Path, data: bytes
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.document_upload(
            actor=Actor(user=partner),
            order=order,
            kind="payment_authorization",
            data=data,
            filename="authorization.pdf",
        )
    assert caught.value.field == "file"
    assert vault_files(media) == []
    assert not OnboardingDocument.objects.exists()
    assert not AuditEvent.objects.filter(kind="onboarding.document_uploaded").exists()


def test_tax_exemption_item(partner: User, order: OnboardingOrder) -> None:
    actor = Actor(user=partner)
    services.order_update(actor=actor, order=order, changes={"tax_exempt": False})
    assert statuses(order)["tax_exemption"] == ItemStatus.NOT_APPLICABLE
    pay(order, partner)
    with pytest.raises(Conflict):
        services.document_upload(
            actor=actor, order=order, kind="tax_exemption", data=pdf_bytes(), filename="t.pdf"
        )
    services.order_update(actor=actor, order=order, changes={"tax_exempt": True})
    assert statuses(order)["tax_exemption"] == ItemStatus.MISSING
    services.document_upload(
        actor=actor, order=order, kind="tax_exemption", data=pdf_bytes(), filename="t.pdf"
    )
    assert statuses(order)["tax_exemption"] == ItemStatus.RECEIVED


def test_asap_makes_porting_items_not_applicable(partner: User, order: OnboardingOrder) -> None:
    services.order_update(actor=Actor(user=partner), order=order, changes={"activation": "asap"})
    found = statuses(order)
    assert found["phone_bill"] == found["port_numbers"] == found["csr"] == "not_applicable"


def test_update_validation_names_fields(partner: User, order: OnboardingOrder) -> None:
    actor = Actor(user=partner)
    pay(order, partner)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"billing_contact_email": "nope"}, "billing_contact_email"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"activation": "later"}, "activation"),
        ({"temporary_numbers": 99}, "temporary_numbers"),
        ({"temporary_numbers": True}, "temporary_numbers"),
        ({"area_code": "20"}, "area_code"),
        ({"area_code": "999"}, "area_code"),
        ({"pin": "12 34"}, "pin"),
        ({"main_caller_id": "12"}, "main_caller_id"),
        ({"native_fax_type": "pigeon"}, "native_fax_type"),
        ({"port_date": "2026-03-14"}, "port_date"),  # a Saturday
        ({"port_date": "2026-03-09"}, "port_date"),  # the past
        ({"port_date": "2026-05-25"}, "port_date"),  # Memorial Day
        ({"port_date": "not a date"}, "port_date"),
        (
            {"port_numbers": [{"number": "2065550147"}, {"number": "206 555 0147"}]},
            "port_numbers[1].number",
        ),
        ({"port_numbers": [{"number": "2065550147", "use": "sms"}]}, "port_numbers[0].use"),
        (
            {"port_numbers": [{"number": "2065550147", "user_id": 999999}]},
            "port_numbers[0].user_id",
        ),
        ({"colour": "blue"}, "colour"),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            services.order_update(actor=actor, order=order, changes=changes)
        assert caught.value.field == field, (changes, caught.value.message)
    holiday = pytest.raises(ValidationFailed)
    with holiday as caught:
        services.order_update(actor=actor, order=order, changes={"port_date": "2026-05-25"})
    assert "Memorial Day" in caught.value.message


def test_read_only_and_outsiders(cast: Cast, order: OnboardingOrder, other_partner: User) -> None:
    with pytest.raises(Forbidden):
        services.order_update(
            actor=Actor(user=cast.read_only_admin), order=order, changes={"domain": "x.example"}
        )
    with pytest.raises(Forbidden):
        services.order_update(
            actor=Actor(user=cast.billing_user), order=order, changes={"domain": "x.example"}
        )
    with pytest.raises(NotFound):
        services.order_update(
            actor=Actor(user=other_partner), order=order, changes={"domain": "x.example"}
        )
    with pytest.raises(NotFound):
        selectors.order_get(actor=Actor(user=cast.outsider_admin), order_id=order.pk)
    with pytest.raises(Forbidden):
        selectors.order_get(actor=Actor(user=cast.billing_user), order_id=order.pk)
    # The company's own administrator may work on it.
    services.order_update(
        actor=Actor(user=cast.company_admin), order=order, changes={"domain": "acme.example"}
    )


def complete_porting_order(order: OnboardingOrder, partner: User) -> OnboardingOrder:
    actor = Actor(user=partner)
    pay(order, partner)
    services.order_update(
        actor=actor,
        order=order,
        changes={
            "billing_contact_name": "Bea Biller",
            "billing_contact_email": "bea@acme.example",
            "tax_exempt": False,
            "activation": "porting",
            "temporary_numbers": 1,
            "area_code": "206",
            "port_date": "2026-03-24",
            "current_carrier": "Old Telco",
            "pin": "4321",
            "authorized_user_name": "Carol Chief",
            "authorized_user_title": "COO",
            "main_caller_id": "(206) 555-0147",
            "native_fax_type": "email",
            "native_fax_number": "(206) 555-0147",
            "port_numbers": [
                {"number": "(206) 555-0147", "use": "fax"},
                {"number": "(206) 555-0150", "use": "voice", "port": False},
            ],
        },
    )
    services.document_upload(
        actor=actor,
        order=order,
        kind="phone_bill",
        data=pdf_bytes(),
        filename="bill.pdf",
        statement_date=date(2026, 3, 1),
    )
    order.refresh_from_db()
    return order


def test_complete_sends_the_final_order(
    cast: Cast, partner: User, order: OnboardingOrder, after_commit: Any
) -> None:
    actor = Actor(user=partner)
    with pytest.raises(ValidationFailed) as caught:
        services.order_complete(actor=actor, order=order)
    assert caught.value.code == "onboarding_incomplete"
    assert caught.value.field == "payment_authorization"
    order = complete_porting_order(order, partner)
    assert selectors.completion_problems(order) == []
    with after_commit():
        done = services.order_complete(actor=actor, order=order)
    assert done.status == OrderStatus.COMPLETE and done.completed_by == partner
    summary = {row.label: row.value for row in selectors.final_order(done)}
    assert summary["PIN"] == "••••"
    assert summary["Partial or full port"] == "Partial"
    assert summary["Numbers to be ported"] == "US +1 2065550147 (fax)"
    assert summary["Numbers not to be ported"] == "US +1 2065550150"
    assert summary["Port date"] == "Tuesday, March 24, 2026"
    assert "E911 address" not in summary  # the voice line listed is not ported
    sent = NotificationLog.objects.filter(kind="onboarding.complete")
    assert set(sent.values_list("recipient", flat=True)) == {
        "pat@bright.example",
        "bea@acme.example",
        "carol@acme.example",
        "rita@acme.example",
    }
    body = sent.first().body  # type: ignore[union-attr]
    assert "4321" not in body and "••••" in body
    assert not NotificationLog.objects.filter(kind="onboarding.request_to_activate").exists()
    with pytest.raises(Conflict):
        services.order_complete(actor=actor, order=done)
    with pytest.raises(Conflict):
        services.order_update(actor=actor, order=done, changes={"domain": "x.example"})
    assert order.pin == "4321"  # stored encrypted, read back in full only in code
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pin FROM onboarding_onboardingorder WHERE id = %s", [order.pk])
        (raw,) = cursor.fetchone()
    assert "4321" not in raw


def test_voice_lines_need_e911(partner: User, order: OnboardingOrder) -> None:
    order = complete_porting_order(order, partner)
    services.order_update(
        actor=Actor(user=partner),
        order=order,
        changes={"port_numbers": [{"number": "2065550147", "use": "voice"}]},
    )
    problems = selectors.completion_problems(order)
    assert [p.field for p in problems] == ["e911_address"]
    services.order_update(
        actor=Actor(user=partner),
        order=order,
        changes={"e911_number": "2065550147", "e911_address": "1 Main St, Seattle WA 98101"},
    )
    assert selectors.completion_problems(order) == []
    summary = {row.label: row.value for row in selectors.final_order(order)}
    assert summary["E911 address"] == "1 Main St, Seattle WA 98101"


def test_asap_completion_requests_activation(
    cast: Cast, partner: User, order: OnboardingOrder, after_commit: Any
) -> None:
    actor = Actor(user=partner)
    pay(order, partner)
    services.order_update(
        actor=actor,
        order=order,
        changes={
            "billing_contact_name": "Bea Biller",
            "billing_contact_email": "bea@acme.example",
            "tax_exempt": False,
            "activation": "asap",
            "area_code": "206",
        },
    )
    with after_commit():
        services.order_complete(actor=actor, order=order)
    sent = NotificationLog.objects.filter(kind="onboarding.request_to_activate")
    assert set(sent.values_list("recipient", flat=True)) == {
        "carol@acme.example",
        "rita@acme.example",
    }
    activate = sent.get(recipient="carol@acme.example")
    assert "/onboarding/welcome/" in activate.body
    assert activate.status == "logged"


def test_csv_import(partner: User, order: OnboardingOrder) -> None:
    pay(order, partner)
    actor = Actor(user=partner)
    services.port_numbers_import_csv(
        actor=actor,
        order=order,
        data=b"number,use,port\n(206) 555-0147,fax,yes\n206-555-0148,voice,no\n\n",
    )
    rows = list(order.port_numbers.values_list("number", "use", "port"))
    assert rows == [("+12065550147", "fax", True), ("+12065550148", "voice", False)]
    with pytest.raises(ValidationFailed) as caught:
        services.port_numbers_import_csv(
            actor=actor, order=order, data=b"number,use\n2065550147,fax\nbad,fax\n"
        )
    assert caught.value.field == "file" and "Line 3" in caught.value.message
    with pytest.raises(ValidationFailed) as caught:
        services.port_numbers_import_csv(actor=actor, order=order, data=b"phone\n2065550147\n")
    assert "'number' column" in caught.value.message
    assert order.port_numbers.count() == 2  # unchanged after refusals
