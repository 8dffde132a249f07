"""The account configuration checklist (computed, turning green as the account is set up) and
FOC-day readiness per porting number."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from onboarding_support import new_customer, pdf_bytes

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.settings import settings_update
from faxline.accounts.services.users import user_update
from faxline.numbers.models import FaxNumber
from faxline.numbers.selectors import available_numbers
from faxline.numbers.services import number_assign, number_mark_temporary, numbers_request
from faxline.onboarding import selectors, services
from faxline.onboarding.models import OnboardingOrder

from cast import Cast

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # a Tuesday


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def config(company: Any) -> dict[str, bool]:
    return {i.key: i.ok for i in selectors.configuration_checklist(company)}


def test_configuration_turns_green_as_it_is_completed(cast: Cast) -> None:
    ian = new_customer(cast.operator)
    company = ian.company
    assert company is not None
    admin = Actor(user=ian)
    assert config(company) == {
        "users": False,
        "numbers_routed": False,
        "receiving_addresses": False,
        "coverpage": False,
        "notifications": False,
    }
    # A first user and a number for them: users and routing turn green.
    from faxline.accounts.services.users import user_create

    ivy = user_create(
        actor=admin,
        company=company,
        department=None,
        first_name="Ivy",
        last_name="Inbox",
        email="ivy@initech.example",
        username="ivy",
        generate_password=True,
    ).user
    assert config(company)["users"]
    free = available_numbers(actor=admin, country="US", area="206", count=2)
    taken = numbers_request(actor=admin, company=company, numbers=free)
    items = {i.key: i for i in selectors.configuration_checklist(company)}
    assert not items["numbers_routed"].ok
    assert len(items["numbers_routed"].missing) == 2
    assert "not assigned" in items["numbers_routed"].missing[0]
    for n in taken:
        number_assign(actor=admin, number=n.number, user=ivy)
    found = config(company)
    assert found["numbers_routed"] and found["receiving_addresses"]  # created with her email
    # Removing her receiving addresses turns that item red, naming her.
    user_update(actor=admin, user=ivy, changes={"receiving_emails": []})
    items = {i.key: i for i in selectors.configuration_checklist(company)}
    assert not items["receiving_addresses"].ok
    assert items["receiving_addresses"].missing == ["Ivy Inbox has no receiving email address."]
    assert items["receiving_addresses"].fix_url.endswith(f"/users/{ivy.pk}/?tab=fax")
    user_update(actor=admin, user=ivy, changes={"receiving_emails": ["faxes@initech.example"]})
    assert config(company)["receiving_addresses"]
    # Saving the Coverpage tab once (even unchanged) counts as chosen; so does Notifications.
    settings_update(actor=admin, owner=company, tab="coverpage", values={})
    assert config(company)["coverpage"]
    assert not config(company)["notifications"]
    settings_update(actor=admin, owner=ivy, tab="notifications", values={"delivery_success": False})
    assert all(config(company).values())


def test_settings_differing_from_defaults_count(cast: Cast) -> None:
    company = cast.company
    company.settings["coverpage"]["mode"] = "none"
    company.save(update_fields=["settings"])
    items = {i.key: i for i in selectors.configuration_checklist(company)}
    assert items["coverpage"].ok
    assert "differ from the defaults" in items["coverpage"].detail
    assert not items["notifications"].ok


def test_deleted_user_does_not_route(cast: Cast) -> None:
    admin = Actor(user=cast.company_admin)
    (n,) = numbers_request(
        actor=admin,
        company=cast.company,
        numbers=available_numbers(actor=admin, country="US", area="312", count=1),
    )
    number_assign(actor=admin, number=n.number, user=cast.sales_user)
    assert config(cast.company)["numbers_routed"]
    User.objects.filter(pk=cast.sales_user.pk).update(deleted_at=NOW)
    assert not config(cast.company)["numbers_routed"]


@pytest.fixture
def porting_order(cast: Cast, partner: User) -> OnboardingOrder:
    actor = Actor(user=partner)
    order = services.order_create(actor=actor, company=cast.company)
    services.document_upload(
        actor=actor,
        order=order,
        kind="payment_authorization",
        data=pdf_bytes(),
        filename="ach.pdf",
    )
    return services.order_update(
        actor=actor,
        order=order,
        changes={
            "activation": "porting",
            "port_date": "2026-03-11",
            "port_numbers": [
                {"number": "2065550147", "use": "fax", "user_id": cast.billing_user.pk},
                {"number": "2065550148", "use": "fax"},
                {"number": "2065550149", "use": "voice", "user_id": cast.sales_user.pk},
                {"number": "2065550150", "port": False},
            ],
        },
    )


def by_number(order: OnboardingOrder) -> dict[str, dict[str, bool]]:
    return {r.number: {c.key: c.ok for c in r.checks} for r in selectors.foc_readiness(order)}


def test_foc_readiness_per_number(cast: Cast, porting_order: OnboardingOrder) -> None:
    found = by_number(porting_order)
    assert set(found) == {"+12065550147", "+12065550148", "+12065550149"}  # not the staying one
    assert found["+12065550147"] == {
        "routed": True,
        "receiving_addresses": True,
        "temporary_number": False,
        "payment_authorization": True,
    }
    assert found["+12065550148"]["routed"] is False
    assert found["+12065550148"]["receiving_addresses"] is False
    assert found["+12065550149"]["e911"] is False
    # A temporary number in service, assigned to Bill, and E911 on file.
    admin = Actor(user=cast.company_admin)
    (temp,) = numbers_request(
        actor=admin,
        company=cast.company,
        numbers=available_numbers(actor=admin, country="US", area="206", count=1),
    )
    number_mark_temporary(actor=admin, number=temp.number)
    number_assign(actor=admin, number=temp.number, user=cast.billing_user)
    services.order_update(
        actor=Actor(user=cast.operator),
        order=porting_order,
        changes={
            "e911_address": "1 Main St, Seattle WA 98101",
            "port_numbers": [
                {"number": "2065550147", "use": "fax", "user_id": cast.billing_user.pk},
                {"number": "2065550148", "use": "fax", "user_id": cast.sales_user.pk},
                {"number": "2065550149", "use": "voice", "user_id": cast.sales_user.pk},
            ],
        },
    )
    readiness = selectors.foc_readiness(porting_order)
    assert all(r.ready for r in readiness), [r.missing for r in readiness]
    assert readiness[0].user_label == "Bill Payer"
    # A user without receiving addresses is named on FOC day.
    user_update(actor=admin, user=cast.sales_user, changes={"receiving_emails": []})
    missing = {r.number: r.missing for r in selectors.foc_readiness(porting_order)}
    assert missing["+12065550148"] == ["Sarah Salesperson has no receiving email address."]


def test_routing_follows_the_number_once_it_is_ours(
    cast: Cast, porting_order: OnboardingOrder
) -> None:
    # The porting desk creates the pending number and routes it to Sarah.
    FaxNumber.objects.create(
        number="+12065550148",
        country="US",
        area_code="206",
        source="ported",
        status="pending",
        company=cast.company,
        user=cast.sales_user,
    )
    ready = {r.number: r for r in selectors.foc_readiness(porting_order)}
    assert ready["+12065550148"].user_label == "Sarah Salesperson"


def test_reusable_for_port_requests(cast: Cast) -> None:
    found = selectors.readiness_for_numbers(
        cast.company,
        [selectors.PortingEntry(number="+12065550147", user_id=cast.billing_user.pk)],
        payment_authorization_on_file=False,
    )
    assert found[0].missing[-1] == "Payment authorization (credit card / ACH) is not on file."


def test_ports_scheduled_next_business_day(
    cast: Cast, partner: User, other_partner: User, porting_order: OnboardingOrder
) -> None:
    (port,) = selectors.ports_next_business_day(actor=Actor(user=partner))
    assert port.order == porting_order and port.port_date == date(2026, 3, 11)
    assert not port.ready
    assert selectors.ports_next_business_day(actor=Actor(user=other_partner)) == []
    assert len(selectors.ports_next_business_day(actor=Actor(user=cast.operator))) == 1
    with pytest.raises(Exception):  # noqa: B017 (Forbidden for fax users)
        selectors.ports_next_business_day(actor=Actor(user=cast.billing_user))
    # On Friday, the next business day is Monday.
    services.order_update(
        actor=Actor(user=partner), order=porting_order, changes={"port_date": "2026-03-16"}
    )
    with time_machine.travel(datetime(2026, 3, 13, 15, tzinfo=UTC), tick=False):
        (port,) = selectors.ports_next_business_day(actor=Actor(user=partner))
        assert port.port_date == date(2026, 3, 16)
    assert selectors.ports_on(actor=Actor(user=partner), day=date(2026, 3, 16))


def test_holidays_follow_the_numbers_country(cast: Cast, partner: User) -> None:
    # Wednesday before US Thanksgiving: a Canadian port on Thursday is tomorrow's; a US
    # port on Friday is too.
    with time_machine.travel(datetime(2025, 11, 20, 15, tzinfo=UTC), tick=False):
        actor = Actor(user=partner)
        order = services.order_create(actor=actor, company=cast.company)
        services.document_upload(
            actor=actor, order=order, kind="payment_authorization", data=pdf_bytes()
        )
        services.order_update(
            actor=actor,
            order=order,
            changes={
                "activation": "porting",
                "port_numbers": [{"number": "(416) 555-0147"}],
                "port_date": "2025-11-27",
            },
        )
        with pytest.raises(Exception) as caught:
            services.order_update(
                actor=actor,
                order=order,
                changes={"port_numbers": [{"number": "(206) 555-0147"}], "port_date": "2025-11-27"},
            )
        assert "Thanksgiving" in str(caught.value)
    with time_machine.travel(datetime(2025, 11, 26, 15, tzinfo=UTC), tick=False):
        (port,) = selectors.ports_next_business_day(actor=Actor(user=partner))
        assert port.port_date == date(2025, 11, 27)
