"""Growing the platform in tests that pin query counts (DESIGN.md convention 13): a list
page or API list must run the same number of queries however much data there is."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from faxline.accounts.choices import Role
from faxline.accounts.models import Company, User
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.porting.choices import PortStatus
from faxline.porting.models import PortEvent, PortFee, PortNumber, PortRequest

_serial = itertools.count(1)


def queries_of(fetch: Callable[[], Any]) -> int:
    """The number of queries one call of ``fetch`` runs (after a warm-up call), checking
    that it answered 200."""
    assert fetch().status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200, response.content[:500]
    return len(captured)


def number(area: str = "206") -> str:
    """A valid North American number of ``area`` not used before in this test run."""
    n = next(_serial)
    return f"+1{area}{300 + n // 10_000:03d}{n % 10_000:04d}"


def fax_users(company: Company, count: int) -> list[User]:
    n = next(_serial)
    return User.objects.bulk_create(
        User(
            username=f"grown{n}-{i}",
            role=Role.FAX_USER,
            company=company,
            first_name=f"Grown{i}",
            last_name="Person",
            email=f"grown{n}-{i}@example.com",
            password="!",
        )
        for i in range(count)
    )


def fax_numbers(
    company: Company | None,
    count: int,
    *,
    area: str = "206",
    status: str = NumberStatus.IN_SERVICE,
    users: list[User] | None = None,
) -> list[FaxNumber]:
    """``count`` numbers of ``area`` (assigned round-robin to ``users`` when given)."""
    return FaxNumber.objects.bulk_create(
        FaxNumber(
            number=number(area),
            country="US",
            area_code=area,
            source=NumberSource.STOCK,
            status=status,
            company=company,
            user=users[i % len(users)] if users else None,
        )
        for i in range(count)
    )


def port_requests(
    company: Company, count: int, *, numbers_each: int = 3, status: str = PortStatus.NEW
) -> list[PortRequest]:
    """``count`` open port requests of ``company`` with numbers, an event and a fee each."""
    created = PortRequest.objects.bulk_create(
        PortRequest(
            company=company,
            status=status,
            contact_first_name="Pat",
            contact_last_name="Porter",
            contact_email="pat@example.com",
            btn=number("415"),
            losing_carrier="Example Telecom",
            account_number="ACCT-1",
            business_name=f"{company.name} grown",
            authorized_name="Pat Porter",
            street="1 Main St",
            city="Seattle",
            state="WA",
            postal_code="98101",
        )
        for _ in range(count)
    )
    PortNumber.objects.bulk_create(
        PortNumber(request=r, number=number("503")) for r in created for _ in range(numbers_each)
    )
    PortEvent.objects.bulk_create(PortEvent(request=r, kind="created") for r in created)
    PortFee.objects.bulk_create(
        PortFee(request=r, kind="resubmission", amount_cents=2500, reason="Resubmission")
        for r in created
    )
    return created


def add_numbers(request: PortRequest, count: int) -> None:
    """More numbers on one request."""
    PortNumber.objects.bulk_create(
        PortNumber(request=request, number=number()) for _ in range(count)
    )
