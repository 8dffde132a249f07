"""Fax number inventory: request, limits, assign, unassign, release, aging, import."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from faxline.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from faxline.core.models import AuditEvent
from faxline.numbers import selectors, services
from faxline.numbers.choices import NumberStatus
from faxline.numbers.models import FaxNumber

from cast import Cast


def offer(cast: Cast, area: str = "206", count: int = 3) -> list[str]:
    return selectors.available_numbers(
        actor=cast.actor(cast.company_admin), country="US", area=area, count=count
    )


def test_request_adds_to_inventory_by_location(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    numbers = offer(cast, "206", 2) + offer(cast, "313", 1)
    services.numbers_request(actor=admin, company=cast.company, numbers=numbers)
    rows = selectors.inventory_rows(actor=admin, company=cast.company)
    assert [(r.location, r.unassigned, r.assigned, r.pending) for r in rows] == [
        ("USA, 206 (WA)", 2, 0, 0),
        ("USA, 313 (MI)", 1, 0, 0),
    ]
    assert AuditEvent.objects.filter(kind="number.requested").count() == 3
    # What was taken is no longer offered.
    assert not set(numbers) & set(offer(cast, "206", 5))


def test_request_beyond_limit_refused_whole(cast: Cast) -> None:
    cast.company.max_inventory = 2
    cast.company.save()
    with pytest.raises(Conflict, match="maximum inventory is 2"):
        services.numbers_request(
            actor=cast.actor(cast.company_admin),
            company=cast.company,
            numbers=offer(cast, "206", 3),
        )
    assert not FaxNumber.objects.exists()
    services.company_set_max_inventory(
        actor=cast.actor(cast.operator), company=cast.company, limit=3
    )
    cast.company.refresh_from_db()
    services.numbers_request(
        actor=cast.actor(cast.company_admin), company=cast.company, numbers=offer(cast, "206", 3)
    )
    assert FaxNumber.objects.filter(company=cast.company).count() == 3


def test_taken_number_is_named(cast: Cast) -> None:
    first = offer(cast, "206", 1)
    services.numbers_request(
        actor=cast.actor(cast.outsider_admin), company=cast.outsider_company, numbers=first
    )
    with pytest.raises(Conflict) as err:
        services.numbers_request(
            actor=cast.actor(cast.company_admin), company=cast.company, numbers=first
        )
    assert first[0] in err.value.message


def test_fax_user_and_outsider_refused(cast: Cast) -> None:
    with pytest.raises(Forbidden):
        services.numbers_request(
            actor=cast.actor(cast.sales_user), company=cast.company, numbers=offer(cast)
        )
    with pytest.raises(NotFound):
        services.numbers_request(
            actor=cast.actor(cast.outsider_admin), company=cast.company, numbers=offer(cast)
        )
    with pytest.raises(ValidationFailed):
        services.numbers_request(
            actor=cast.actor(cast.company_admin), company=cast.company, numbers=["12"]
        )


def test_assign_unassign_release_and_aging(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    (number,) = offer(cast, "206", 1)
    services.numbers_request(actor=admin, company=cast.company, numbers=[number])
    services.number_assign(actor=admin, number=number, user=cast.sales_user)
    with pytest.raises(Conflict, match="already assigned"):
        services.number_assign(actor=admin, number=number, user=cast.billing_user)
    with pytest.raises(Conflict, match="unassign it before"):
        services.number_release(actor=admin, number=number)
    with pytest.raises(ValidationFailed):
        services.number_assign(actor=admin, number=number, user=cast.outsider_user)
    services.number_unassign(actor=admin, number=number)
    released = services.number_release(actor=admin, number=number)
    assert released.status == NumberStatus.AGING and released.company is None
    assert services.numbers_return_aged() == 0
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert services.numbers_return_aged() == 1
    assert FaxNumber.objects.get(number=number).status == NumberStatus.AVAILABLE
    kinds = list(
        AuditEvent.objects.filter(target_type="faxnumber")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "number.requested",
        "number.assigned",
        "number.unassigned",
        "number.released",
        "number.returned_to_pool",
    ]


def test_import_stock_reports_each_row(cast: Cast) -> None:
    data = b"number,carrier\n(206) 234-5678,Bandwidth\n+1 206 234 5678,Bandwidth\nnonsense,X\n"
    report = services.numbers_import(actor=cast.actor(cast.operator), data=data)
    assert report.imported == ["+12062345678"]
    assert [r["line"] for r in report.refused] == [3, 4]
    with pytest.raises(Forbidden):
        services.numbers_import(actor=cast.actor(cast.company_admin), data=data)
    # Stock numbers are offered first.
    assert offer(cast, "206", 1) == ["+12062345678"]
