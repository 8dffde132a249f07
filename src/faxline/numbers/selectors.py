"""Reads on fax numbers: the inventory by location, pool details, available numbers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.core.errors import NotFound
from faxline.numbers.access import may_browse_available, may_view_inventory
from faxline.numbers.choices import IN_INVENTORY, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.numbers.plan import COUNTRY_SHORT, area_code, area_codes
from faxline.numbers.suppliers import supplier


@dataclass(frozen=True)
class InventoryRow:
    country: str
    area_code: str
    location: str
    unassigned: int
    assigned: int
    pending: int

    @property
    def total(self) -> int:
        return self.unassigned + self.assigned + self.pending


SORT_KEYS = {"location", "unassigned", "assigned", "pending"}


def inventory_rows(
    *, actor: Actor, company: Company, sort: str = "location", descending: bool = False
) -> list[InventoryRow]:
    """The Fax Number Inventory: counts per location (area code)."""
    may_view_inventory(actor, company).check()
    counts = (
        FaxNumber.objects.filter(company=company, status__in=IN_INVENTORY)
        .values("country", "area_code")
        .annotate(
            unassigned=Count("id", filter=Q(status=NumberStatus.IN_SERVICE, user__isnull=True)),
            assigned=Count("id", filter=Q(status=NumberStatus.IN_SERVICE, user__isnull=False)),
            pending=Count("id", filter=Q(status=NumberStatus.PENDING)),
        )
    )
    known = area_codes()
    rows = []
    for row in counts:
        code = known.get(row["area_code"])
        location = (
            code.location
            if code
            else f"{COUNTRY_SHORT.get(row['country'], row['country'])}, {row['area_code']}"
        )
        rows.append(
            InventoryRow(
                row["country"],
                row["area_code"],
                location,
                row["unassigned"],
                row["assigned"],
                row["pending"],
            )
        )
    key = sort if sort in SORT_KEYS else "location"
    return sorted(rows, key=lambda r: (getattr(r, key), r.location), reverse=descending)


def pool_details(*, actor: Actor, company: Company, area: str, status: str) -> QuerySet[FaxNumber]:
    """Fax Pool Details: the numbers behind one count of the inventory."""
    may_view_inventory(actor, company).check()
    qs = FaxNumber.objects.filter(company=company, area_code=area).select_related("user")
    if status == "assigned":
        return qs.filter(status=NumberStatus.IN_SERVICE, user__isnull=False)
    if status == "unassigned":
        return qs.filter(status=NumberStatus.IN_SERVICE, user__isnull=True)
    if status == "pending":
        return qs.filter(status=NumberStatus.PENDING)
    return qs.filter(status__in=IN_INVENTORY)


def company_numbers(
    *, actor: Actor, company: Company, unassigned_only: bool = False
) -> QuerySet[FaxNumber]:
    may_view_inventory(actor, company).check()
    qs = FaxNumber.objects.filter(company=company, status__in=IN_INVENTORY).select_related("user")
    if unassigned_only:
        qs = qs.filter(user__isnull=True, status=NumberStatus.IN_SERVICE)
    return qs.order_by("number")


def available_numbers(*, actor: Actor, country: str, area: str, count: int = 20) -> list[str]:
    """Free numbers of an area code that the actor's company could request."""
    may_browse_available(actor).check()
    code = area_code(area)
    if code.country != country:
        raise NotFound(f"Area code {area} is not in {country}.", field="area_code")
    return supplier().offer(area_code=area, count=max(1, min(count, 100)))


def area_codes_with_stock(*, country: str | None = None) -> list[str]:
    """Area codes from which a new number can be had at once (onboarding's list)."""
    codes = [a for a in area_codes().values() if country is None or a.country == country]
    if supplier().name == "sandbox":
        return sorted(a.area_code for a in codes)
    stocked = set(
        FaxNumber.objects.filter(status=NumberStatus.AVAILABLE)
        .values_list("area_code", flat=True)
        .distinct()
    )
    return sorted(a.area_code for a in codes if a.area_code in stocked)


def user_numbers(*, user_id: int) -> list[str]:
    return list(
        FaxNumber.objects.filter(user_id=user_id, status__in=IN_INVENTORY)
        .order_by("number")
        .values_list("number", flat=True)
    )


def numbers_of_users(user_ids: list[int]) -> dict[int, list[str]]:
    """The in-service and pending numbers of each user, in one query."""
    found: dict[int, list[str]] = {}
    rows = (
        FaxNumber.objects.filter(user_id__in=user_ids, status__in=IN_INVENTORY)
        .order_by("number")
        .values_list("user_id", "number")
    )
    for user_id, number in rows:
        found.setdefault(user_id, []).append(number)
    return found


def company_inventory_numbers(company: Company, *, limit: int = 5000) -> list[str]:
    """The numbers in the company's inventory (pending and in service), sorted (bounded)."""
    return list(
        FaxNumber.objects.filter(company=company, status__in=IN_INVENTORY)
        .order_by("number")
        .values_list("number", flat=True)[:limit]
    )


def temporary_numbers(company: Company) -> list[str]:
    """The company's temporary numbers in service (sent from while a port is pending)."""
    return list(
        FaxNumber.objects.filter(
            company=company, is_temporary=True, status=NumberStatus.IN_SERVICE
        ).values_list("number", flat=True)
    )


def number_in_service(number: str) -> bool:
    """Whether ``number`` (E.164) is in service on this platform: in a company's inventory
    with the status In Use, assigned to a user or not. A system read (no actor): the fax
    engine asks it to route a call on-net."""
    return FaxNumber.objects.filter(number=number, status=NumberStatus.IN_SERVICE).exists()


@dataclass(frozen=True)
class NumberRoute:
    """Whom a number in service belongs to: its company and its user (None: no user)."""

    company_id: int
    user_id: int | None


def number_route(number: str) -> NumberRoute | None:
    """The company and user a number in service routes to (None: not in service here, or
    in no company). A system read: the fax engine asks it to deliver a received fax."""
    row = (
        FaxNumber.objects.filter(number=number, status=NumberStatus.IN_SERVICE)
        .values_list("company_id", "user_id")
        .first()
    )
    if row is None or row[0] is None:
        return None
    return NumberRoute(company_id=row[0], user_id=row[1])
