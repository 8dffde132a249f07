"""First sign-in of a new customer (seed 000): new number at once, or keep the existing
number with a temporary number meanwhile; asked once, audited, emailed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from onboarding_support import new_customer

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import User
from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from faxline.core.models import AuditEvent
from faxline.notify.models import NotificationLog
from faxline.numbers.choices import NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.onboarding import selectors, services
from faxline.onboarding.choices import Activation, Decision

from cast import Cast


def test_due_only_for_a_new_company_admin_with_request_rights(cast: Cast) -> None:
    assert selectors.first_sign_in_due(Actor(user=cast.company_admin))
    assert not selectors.first_sign_in_due(Actor(user=cast.read_only_admin))
    assert not selectors.first_sign_in_due(Actor(user=cast.dept_admin))
    assert not selectors.first_sign_in_due(Actor(user=cast.billing_user))
    assert not selectors.first_sign_in_due(Actor(user=cast.operator))
    cast.company_admin.rights = [r for r in cast.company_admin.rights if r != "numbers.request"]
    cast.company_admin.save()
    assert not selectors.first_sign_in_due(Actor(user=cast.company_admin))


def test_new_number_assigned_at_once(cast: Cast, after_commit: Any) -> None:
    admin = Actor(user=cast.company_admin)
    with after_commit():
        result = services.first_sign_in_new_number(
            actor=admin, company=cast.company, area_code="206", user_id=cast.sales_user.pk
        )
    number = FaxNumber.objects.get(pk=result.number.pk)
    assert number.number.startswith("+1206")
    assert number.status == NumberStatus.IN_SERVICE
    assert number.company == cast.company and number.user == cast.sales_user
    assert not number.is_temporary
    order = result.order
    assert order.decision == Decision.NEW_NUMBER and order.decided_by == cast.company_admin
    assert order.activation == Activation.ASAP and order.area_code == "206"
    # Asked once.
    assert not selectors.first_sign_in_due(admin)
    with pytest.raises(Conflict):
        services.first_sign_in_new_number(
            actor=admin, company=cast.company, area_code="206", user_id=cast.sales_user.pk
        )
    event = AuditEvent.objects.get(kind="onboarding.first_sign_in")
    assert event.detail["decision"] == "new_number" and event.detail["number"] == number.number
    welcome = NotificationLog.objects.filter(kind="onboarding.welcome_new_numbers")
    assert sorted(welcome.values_list("recipient", flat=True)) == [
        "carol@acme.example",
        "sarah@acme.example",
    ]
    assert all(m.status == "logged" for m in welcome)
    assert number.number[2:] in mail.outbox[0].body.replace(" ", "")


def test_first_fax_user_created_inline(cast: Cast) -> None:
    ian = new_customer(cast.operator)
    actor = Actor(user=ian)
    assert selectors.first_sign_in_due(actor)
    result = services.first_sign_in_new_number(
        actor=actor,
        company=ian.company,
        area_code="416",
        new_user={"first_name": "Ivy", "last_name": "Inbox", "email": "ivy@initech.example"},
    )
    assert result.user.role == Role.FAX_USER and result.user.company == ian.company
    assert result.user.username == "ivy@initech.example"
    assert result.created_password  # shown once
    assert result.number.user == result.user
    assert result.number.country == "CA"


def test_new_number_bad_input_names_the_field(cast: Cast) -> None:
    admin = Actor(user=cast.company_admin)
    with pytest.raises(ValidationFailed) as caught:
        services.first_sign_in_new_number(actor=admin, company=cast.company, area_code="")
    assert caught.value.field == "area_code"
    with pytest.raises(ValidationFailed) as caught:
        services.first_sign_in_new_number(actor=admin, company=cast.company, area_code="999")
    assert caught.value.field == "area_code"
    with pytest.raises(ValidationFailed) as caught:
        services.first_sign_in_new_number(actor=admin, company=cast.company, area_code="206")
    assert caught.value.field == "user_id"
    with pytest.raises(ValidationFailed) as caught:
        services.first_sign_in_new_number(
            actor=admin, company=cast.company, area_code="206", user_id=cast.outsider_user.pk
        )
    assert caught.value.field == "user_id"
    with pytest.raises(ValidationFailed) as caught:
        services.first_sign_in_new_number(
            actor=admin,
            company=cast.company,
            area_code="206",
            new_user={"first_name": "A", "last_name": "B", "email": "nope"},
        )
    assert caught.value.field == "new_user.email"
    # Nothing half-written: no decision, no number, no user.
    assert selectors.first_sign_in_due(admin)
    assert not FaxNumber.objects.filter(company=cast.company).exists()
    assert not User.objects.filter(first_name="A", last_name="B").exists()


def test_scope_and_rights(cast: Cast) -> None:
    with pytest.raises(NotFound):
        services.first_sign_in_new_number(
            actor=Actor(user=cast.outsider_admin), company=cast.company, area_code="206"
        )
    with pytest.raises(Forbidden):
        services.first_sign_in_new_number(
            actor=Actor(user=cast.read_only_admin), company=cast.company, area_code="206"
        )
    with pytest.raises(Forbidden):
        services.first_sign_in_new_number(
            actor=Actor(user=cast.billing_user), company=cast.company, area_code="206"
        )
    with pytest.raises(Forbidden):
        services.first_sign_in_new_number(
            actor=Actor(user=cast.dept_admin), company=cast.company, area_code="206"
        )


def test_keep_number_gives_a_temporary_number(cast: Cast, after_commit: Any) -> None:
    admin = Actor(user=cast.company_admin)
    with after_commit():
        result = services.first_sign_in_keep_number(
            actor=admin,
            company=cast.company,
            numbers=["(206) 555-0147", "206-555-0148"],
            carrier="Old Telco",
            user_id=cast.billing_user.pk,
        )
    temp = FaxNumber.objects.get(pk=result.number.pk)
    assert temp.is_temporary and temp.status == NumberStatus.IN_SERVICE
    assert temp.area_code == "206"  # the same area code as the number kept
    assert temp.user == cast.billing_user
    order = result.order
    assert order.decision == Decision.KEEP_NUMBER
    assert order.activation == Activation.PORTING and order.current_carrier == "Old Telco"
    assert order.temporary_numbers == 1
    rows = list(order.port_numbers.values_list("number", "use", "port", "user_id"))
    assert rows == [
        ("+12065550147", "fax", True, cast.billing_user.pk),
        ("+12065550148", "fax", True, cast.billing_user.pk),
    ]
    assert AuditEvent.objects.filter(kind="number.marked_temporary").count() == 1
    mail_row = NotificationLog.objects.get(
        kind="onboarding.welcome_temporary_number", recipient="carol@acme.example"
    )
    assert "until the port" in mail_row.body
    # The porting desk sees the intent.
    (intent,) = selectors.pending_port_intents()
    assert intent.numbers == [("+12065550147", "fax"), ("+12065550148", "fax")]
    assert intent.current_carrier == "Old Telco"
    assert intent.temporary_numbers == [temp.number]
    assert intent.blocker is not None  # no payment authorization on file yet
    assert services.port_intent_claim(order_id=order.pk, port_request_ref="PR-1")
    assert not services.port_intent_claim(order_id=order.pk, port_request_ref="PR-2")
    assert selectors.pending_port_intents() == []


def test_keep_number_validation(cast: Cast) -> None:
    admin = Actor(user=cast.company_admin)
    for numbers, field in (([], "numbers"), (["12"], "numbers"), (["+44 20 7946 0958"], "numbers")):
        with pytest.raises(ValidationFailed) as caught:
            services.first_sign_in_keep_number(
                actor=admin, company=cast.company, numbers=numbers, user_id=cast.billing_user.pk
            )
        assert caught.value.field == field
    with pytest.raises(ValidationFailed) as caught:
        services.first_sign_in_keep_number(
            actor=admin,
            company=cast.company,
            numbers=["2065550147", "(206) 555-0147"],
            user_id=cast.billing_user.pk,
        )
    assert "twice" in caught.value.message
    assert selectors.first_sign_in_due(admin)


def test_keep_number_without_stock_in_its_area_code(cast: Cast, settings: Any) -> None:
    settings.FAXLINE_NUMBER_SUPPLIER = "stock"
    FaxNumber.objects.create(
        number="+13125550111", country="US", area_code="312", source="stock", carrier="X"
    )
    (illinois,) = selectors.area_code_groups("US")
    assert [c.label for c in illinois.codes] == ["312 - Chicago"]
    admin = Actor(user=cast.company_admin)
    with pytest.raises(ValidationFailed) as caught:
        services.first_sign_in_keep_number(
            actor=admin,
            company=cast.company,
            numbers=["(206) 555-0147"],
            user_id=cast.billing_user.pk,
        )
    assert caught.value.field == "area_code" and "206" in caught.value.message
    result = services.first_sign_in_keep_number(
        actor=admin,
        company=cast.company,
        numbers=["(206) 555-0147"],
        area_code="312",
        user_id=cast.billing_user.pk,
    )
    assert result.number.number == "+13125550111" and result.number.is_temporary
    assert selectors.area_code_groups("US") == []  # the only stocked number is taken


def test_area_codes_grouped_by_state(db: None) -> None:
    groups = selectors.area_code_groups("US")
    washington = next(g for g in groups if g.state_code == "WA")
    assert any(c.label == "206 - Seattle" for c in washington.codes)
    names = [g.state_name for g in groups]
    assert names == sorted(names)
