"""REST API of fax numbers: inventory, available numbers, requests, assignment, stock."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from faxline.accounts.access import Actor
from faxline.accounts.api_auth import actor_of
from faxline.accounts.models import Company
from faxline.accounts.schemas import Error
from faxline.accounts.selectors import actor_company, company_get, user_get
from faxline.core.errors import ValidationFailed
from faxline.core.pagination import DEFAULT_LIMIT, limit_description, paginate
from faxline.numbers import plan, selectors, services
from faxline.numbers.models import FaxNumber

router = Router(tags=["Fax numbers"])


def _company(actor: Actor, company_id: int | None) -> Company:
    if company_id is not None:
        return company_get(actor=actor, company_id=company_id)
    return actor_company(actor=actor)


class InventoryRowOut(Schema):
    country: str
    area_code: str
    location: str
    unassigned: int
    assigned: int
    pending: int


class InventoryOut(Schema):
    items: list[InventoryRowOut]
    count: int
    total: InventoryRowOut
    max_inventory: int


class NumberOut(Schema):
    number: str
    display: str
    country: str
    area_code: str
    location: str
    status: str
    is_temporary: bool
    user_id: int | None
    assignee: str | None

    @staticmethod
    def of(n: FaxNumber) -> NumberOut:
        code = plan.area_codes().get(n.area_code)
        return NumberOut(
            number=n.number,
            display=plan.display_number(n.number),
            country=n.country,
            area_code=n.area_code,
            location=code.location if code else n.area_code,
            status=n.status,
            is_temporary=n.is_temporary,
            user_id=n.user_id,
            assignee=str(n.user) if n.user else None,
        )


class NumberList(Schema):
    items: list[NumberOut]
    count: int


class AvailableOut(Schema):
    items: list[str]
    count: int
    country: str
    area_code: str
    location: str
    city: str


class RequestIn(Schema):
    numbers: list[str]
    company_id: int | None = None


class AssignIn(Schema):
    user_id: int


class LimitIn(Schema):
    max_inventory: int


class RegionOut(Schema):
    code: str
    name: str


class AreaCodeOut(Schema):
    area_code: str
    state_code: str
    city: str
    label: str
    location: str


class ImportOut(Schema):
    imported: list[str]
    refused: list[dict[str, object]]


@router.get("/numbers/inventory", response=InventoryOut, summary="Fax Number Inventory")
def inventory(
    request: HttpRequest,
    company_id: int | None = None,
    sort: str = "location",
    descending: bool = False,
) -> InventoryOut:
    """Unassigned, Assigned and Pending counts per location, with the Total row."""
    actor = actor_of(request)
    company = _company(actor, company_id)
    rows = selectors.inventory_rows(actor=actor, company=company, sort=sort, descending=descending)
    items = [InventoryRowOut(**row.__dict__) for row in rows]
    total = InventoryRowOut(
        country="",
        area_code="",
        location="Total",
        unassigned=sum(r.unassigned for r in rows),
        assigned=sum(r.assigned for r in rows),
        pending=sum(r.pending for r in rows),
    )
    return InventoryOut(
        items=items, count=len(items), total=total, max_inventory=company.max_inventory
    )


@router.get("/numbers", response=NumberList, summary="Numbers of the company")
def numbers(
    request: HttpRequest,
    company_id: int | None = None,
    area_code: str | None = None,
    status: str = "all",
    unassigned: bool = False,
    limit: int = Query(DEFAULT_LIMIT, description=limit_description()),
    offset: int = Query(0, description="Items to skip."),
) -> NumberList:
    """The company's numbers, a page at a time (``count``: how many in all), ordered by
    number; ``area_code`` + ``status`` (assigned, unassigned, pending) give the Fax Pool
    Details of one inventory count."""
    actor = actor_of(request)
    company = _company(actor, company_id)
    if area_code is not None:
        qs = selectors.pool_details(actor=actor, company=company, area=area_code, status=status)
    else:
        qs = selectors.company_numbers(actor=actor, company=company, unassigned_only=unassigned)
    items, count = paginate(qs.order_by("number"), limit=limit, offset=offset)
    return NumberList(items=[NumberOut.of(n) for n in items], count=count)


@router.get(
    "/numbers/available",
    response={200: AvailableOut, 404: Error},
    summary="Available numbers",
)
def available(request: HttpRequest, country: str, area_code: str, count: int = 20) -> AvailableOut:
    """Free numbers of an area code (Request Inventory's last drop-down)."""
    actor = actor_of(request)
    if country not in plan.COUNTRY_NAMES:
        raise ValidationFailed("country must be US or CA.", field="country")
    code = plan.area_code(area_code)
    found = selectors.available_numbers(actor=actor, country=country, area=area_code, count=count)
    return AvailableOut(
        items=found,
        count=len(found),
        country=country,
        area_code=area_code,
        location=code.location,
        city=code.city,
    )


@router.post("/numbers/requests", response={201: NumberList}, summary="Add Inventory")
def request_numbers(request: HttpRequest, payload: RequestIn) -> Status[NumberList]:
    """Add the chosen numbers to the company's inventory (all or none)."""
    actor = actor_of(request)
    company = _company(actor, payload.company_id)
    taken = services.numbers_request(actor=actor, company=company, numbers=payload.numbers)
    return Status(201, NumberList(items=[NumberOut.of(n) for n in taken], count=len(taken)))


@router.post("/numbers/{number}/assign", response=NumberOut, summary="Assign to a user")
def assign(request: HttpRequest, number: str, payload: AssignIn) -> NumberOut:
    actor = actor_of(request)
    user = user_get(actor=actor, user_id=payload.user_id)
    return NumberOut.of(services.number_assign(actor=actor, number=number, user=user))


@router.post("/numbers/{number}/unassign", response=NumberOut, summary="Unassign")
def unassign(request: HttpRequest, number: str) -> NumberOut:
    actor = actor_of(request)
    return NumberOut.of(services.number_unassign(actor=actor, number=number))


@router.post("/numbers/{number}/release", response=NumberOut, summary="Release to the provider")
def release(request: HttpRequest, number: str) -> NumberOut:
    actor = actor_of(request)
    return NumberOut.of(services.number_release(actor=actor, number=number))


@router.put(
    "/companies/{company_id}/max-inventory",
    response=InventoryOut,
    summary="Set the maximum inventory (operators)",
)
def set_limit(request: HttpRequest, company_id: int, payload: LimitIn) -> InventoryOut:
    actor = actor_of(request)
    company = company_get(actor=actor, company_id=company_id)
    services.company_set_max_inventory(actor=actor, company=company, limit=payload.max_inventory)
    return inventory(request, company_id=company.pk)


@router.post("/numbers/stock", response=ImportOut, summary="Import number stock (operators)")
def import_stock(request: HttpRequest, file: File[UploadedFile]) -> ImportOut:
    """CSV with ``number`` and ``carrier`` columns into the provider's pool."""
    actor = actor_of(request)
    if file.size and file.size > services.MAX_IMPORT_BYTES:
        raise ValidationFailed("The file is larger than 2 MB.", field="file")
    report = services.numbers_import(actor=actor, data=file.read(services.MAX_IMPORT_BYTES + 1))
    return ImportOut(imported=report.imported, refused=report.refused)


@router.get("/numbering-plan/regions", response=list[RegionOut], summary="States / provinces")
def regions(request: HttpRequest, country: str) -> list[RegionOut]:
    if country not in plan.COUNTRY_NAMES:
        raise ValidationFailed("country must be US or CA.", field="country")
    return [RegionOut(code=c, name=n) for c, n in plan.regions(country)]


@router.get("/numbering-plan/area-codes", response=list[AreaCodeOut], summary="Area codes")
def area_codes(request: HttpRequest, country: str, state: str | None = None) -> list[AreaCodeOut]:
    if country not in plan.COUNTRY_NAMES:
        raise ValidationFailed("country must be US or CA.", field="country")
    return [
        AreaCodeOut(
            area_code=a.area_code,
            state_code=a.state_code,
            city=a.city,
            label=a.label,
            location=a.location,
        )
        for a in plan.area_codes_in(country, state)
    ]
