"""Every write on fax numbers: import stock, request inventory, assign, unassign, release,
use for outbound, mark temporary, port in and snap back.

A number's status, company and user change here and nowhere else (DESIGN.md rule 11; a
test scans the source for writes elsewhere): porting and onboarding call these services.
Each change is a compare-and-set update (the row's expected state is part of the ``WHERE``)
so that two requests racing for one number cannot both win, and each leaves an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from faxline.accounts.access import Actor, SystemActor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company, User
from faxline.core.audit import audit_record
from faxline.core.csvfile import decode_csv, read_records
from faxline.core.errors import Conflict, NotFound, ValidationFailed
from faxline.core.events import publish_event
from faxline.numbers.access import (
    may_assign_numbers,
    may_manage_stock,
    may_move_ported_numbers,
    may_request_numbers,
)
from faxline.numbers.choices import IN_INVENTORY, NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.numbers.plan import area_codes, display_number, normalize_number
from faxline.numbers.suppliers import supplier

MAX_REQUEST = 50
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000
IMPORT_COLUMNS = ("number", "carrier")


def _record(
    kind: str,
    actor: Actor | SystemActor | None,
    number: FaxNumber,
    company: Company | None,
    **detail: object,
) -> None:
    audit_record(
        kind=f"number.{kind}",
        actor=actor.user if actor else None,
        company=company,
        target=number,
        ip_address=actor.ip_address if actor else None,
        detail={"number": number.number, **detail},
    )


def _locate(number: str) -> tuple[str, str]:
    code = area_codes().get(number[2:5])
    if code is None:
        raise ValidationFailed(f"{number} is not in a US or Canadian area code.", field="numbers")
    return code.country, code.area_code


def inventory_size(company: Company) -> int:
    return FaxNumber.objects.filter(company=company, status__in=IN_INVENTORY).count()


@transaction.atomic
def numbers_request(*, actor: Actor, company: Company, numbers: list[str]) -> list[FaxNumber]:
    """Add the chosen numbers to the company's inventory, all or none.

    Refused beyond the company's maximum inventory (operators can raise it), and for any
    number that is no longer available, naming it.
    """
    may_request_numbers(actor, company).check()
    if not isinstance(numbers, list) or not numbers:
        raise ValidationFailed("Choose at least one number.", field="numbers")
    if len(numbers) > MAX_REQUEST:
        raise ValidationFailed(f"Request at most {MAX_REQUEST} numbers at once.", field="numbers")
    wanted = [normalize_number(n, field="numbers") for n in numbers]
    if len(set(wanted)) != len(wanted):
        raise ValidationFailed("A number is listed twice.", field="numbers")
    # Serialize requests of one company so the limit holds under concurrency.
    locked = Company.objects.select_for_update().get(pk=company.pk)
    held = inventory_size(locked)
    if held + len(wanted) > locked.max_inventory:
        raise Conflict(
            f"Your maximum inventory is {locked.max_inventory} numbers and you hold {held}: "
            f"you can add {max(locked.max_inventory - held, 0)} more. Ask your provider to "
            "raise the limit.",
            code="inventory_limit",
            field="numbers",
        )
    source = supplier()
    taken: list[FaxNumber] = []
    now = timezone.now()
    for number in wanted:
        country, area = _locate(number)
        claimed = FaxNumber.objects.filter(
            number=number, status=NumberStatus.AVAILABLE, company__isnull=True
        ).update(company=locked, status=NumberStatus.IN_SERVICE, updated_at=now)
        if not claimed:
            if FaxNumber.objects.filter(number=number).exists() or not source.can_create(number):
                raise Conflict(
                    f"{number} is no longer available: choose another number.",
                    code="number_unavailable",
                    field="numbers",
                )
            try:
                with transaction.atomic():
                    FaxNumber.objects.create(
                        number=number,
                        country=country,
                        area_code=area,
                        source=NumberSource.SANDBOX,
                        carrier="Sandbox",
                        status=NumberStatus.IN_SERVICE,
                        company=locked,
                    )
            except IntegrityError as exc:
                raise Conflict(
                    f"{number} is no longer available: choose another number.",
                    code="number_unavailable",
                    field="numbers",
                ) from exc
        fax_number = FaxNumber.objects.get(number=number)
        _record("requested", actor, fax_number, locked, status=fax_number.status)
        taken.append(fax_number)
    return taken


def _company_number(actor: Actor, number: str) -> FaxNumber:
    e164 = normalize_number(number)
    found = (
        FaxNumber.objects.filter(number=e164, status__in=IN_INVENTORY)
        .select_related("company", "user")
        .first()
    )
    if found is None or found.company is None or not actor.sees_company(found.company):
        raise NotFound(f"{e164} is not in your inventory.", field="number")
    return found


@transaction.atomic
def number_assign(*, actor: Actor, number: str, user: User) -> FaxNumber:
    """Give a number of the company's inventory to one of its fax users."""
    may_assign_numbers(actor).check()
    fax_number = _company_number(actor, number)
    if user.company_id != fax_number.company_id or user.role != Role.FAX_USER:
        raise ValidationFailed("Choose a fax user of the same company.", field="user_id")
    if fax_number.user_id == user.pk:
        return fax_number
    updated = FaxNumber.objects.filter(
        pk=fax_number.pk, user__isnull=True, status__in=IN_INVENTORY
    ).update(user=user, updated_at=timezone.now())
    if not updated:
        raise Conflict(
            f"{fax_number.number} is already assigned: unassign it first.",
            code="number_assigned",
            field="number",
        )
    fax_number.refresh_from_db()
    _record("assigned", actor, fax_number, fax_number.company, user_id=user.pk)
    if fax_number.company_id is not None:  # always: an assigned number has a company
        publish_event(
            "number.assigned",
            company_id=fax_number.company_id,
            data={"number": fax_number.number, "user_id": user.pk, "username": user.username},
            number=fax_number.number,
        )
    return fax_number


@transaction.atomic
def number_unassign(*, actor: Actor, number: str) -> FaxNumber:
    """Take a number back from its user; it stays in the company's inventory."""
    may_assign_numbers(actor).check()
    fax_number = _company_number(actor, number)
    previous = fax_number.user_id
    if previous is None:
        raise Conflict(f"{fax_number.number} is not assigned.", code="number_not_assigned")
    updated = FaxNumber.objects.filter(pk=fax_number.pk, user_id=previous).update(
        user=None, outbound=False, updated_at=timezone.now()
    )
    if not updated:
        raise Conflict(f"{fax_number.number} changed meanwhile; reload.", code="stale")
    fax_number.refresh_from_db()
    _record("unassigned", actor, fax_number, fax_number.company, user_id=previous)
    return fax_number


@transaction.atomic
def number_release(*, actor: Actor, number: str) -> FaxNumber:
    """Give a number back to the provider: it ages, then returns to the pool."""
    may_assign_numbers(actor).check()
    fax_number = _company_number(actor, number)
    if fax_number.user_id is not None:
        raise Conflict(
            f"{fax_number.number} is assigned: unassign it before releasing it.",
            code="number_assigned",
            field="number",
        )
    company = fax_number.company
    until = timezone.now() + timedelta(days=settings.FAXLINE_NUMBER_AGING_DAYS)
    updated = FaxNumber.objects.filter(
        pk=fax_number.pk, company=company, user__isnull=True, status=NumberStatus.IN_SERVICE
    ).update(status=NumberStatus.AGING, company=None, aging_until=until, updated_at=timezone.now())
    if not updated:
        raise Conflict(
            f"{fax_number.number} cannot be released in its state.", code="stale", field="number"
        )
    fax_number.refresh_from_db()
    _record("released", actor, fax_number, company, aging_until=until.isoformat())
    return fax_number


def numbers_return_aged() -> int:
    """Move numbers whose aging period has passed back to the provider's pool."""
    now = timezone.now()
    returned = 0
    for fax_number in FaxNumber.objects.filter(status=NumberStatus.AGING, aging_until__lte=now):
        with transaction.atomic():
            if FaxNumber.objects.filter(pk=fax_number.pk, status=NumberStatus.AGING).update(
                status=NumberStatus.AVAILABLE, aging_until=None, updated_at=now
            ):
                _record("returned_to_pool", None, fax_number, None)
                returned += 1
    return returned


@transaction.atomic
def company_set_max_inventory(*, actor: Actor, company: Company, limit: int) -> Company:
    """Operators raise (or lower) a company's maximum inventory."""
    may_manage_stock(actor).check()
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= 100_000:
        raise ValidationFailed("max_inventory must be between 0 and 100000.", field="max_inventory")
    before = company.max_inventory
    company.max_inventory = limit
    company.save(update_fields=["max_inventory"])
    audit_record(
        kind="company.max_inventory_changed",
        actor=actor.user,
        company=company,
        target=company,
        ip_address=actor.ip_address,
        detail={"before": before, "after": limit},
    )
    return company


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    refused: list[dict[str, object]] = field(default_factory=list)


def numbers_import(*, actor: Actor, data: bytes) -> ImportReport:
    """Operators import the provider's numbers (CSV: ``number,carrier``) into the pool.

    The file is read by the shared CSV reader (size, encoding, rows, length of a value);
    then each row is checked on its own: a refused row (bad number, duplicate) is reported
    and leaves nothing behind.
    """
    may_manage_stock(actor).check()
    _, records = read_records(
        decode_csv(data, max_bytes=MAX_IMPORT_BYTES),
        known=IMPORT_COLUMNS,
        required=("number",),
        listed=IMPORT_COLUMNS,
        max_rows=MAX_IMPORT_ROWS,
        unknown_columns="ignore",
        missing_message="The CSV needs a 'number' column (and 'carrier').",
    )
    report = ImportReport()
    for record in records:
        raw = record.values.get("number", "")
        try:
            number = normalize_number(raw)
            country, area = _locate(number)
            carrier = record.values.get("carrier", "")[:100]
            with transaction.atomic():
                created = FaxNumber.objects.create(
                    number=number,
                    country=country,
                    area_code=area,
                    carrier=carrier,
                    source=NumberSource.STOCK,
                    status=NumberStatus.AVAILABLE,
                )
                _record("imported", actor, created, None, carrier=carrier)
            report.imported.append(number)
        except ValidationFailed as exc:
            report.refused.append({"line": record.line, "number": raw, "message": exc.message})
        except IntegrityError:
            report.refused.append(
                {"line": record.line, "number": raw, "message": f"{raw} is already in the stock."}
            )
    return report


@transaction.atomic
def number_set_outbound(*, actor: Actor | SystemActor, number: str, outbound: bool) -> FaxNumber:
    """Use a number for outbound faxes of its user, or receive on it only (seed 002 step 6).

    A user sends from one number at most: marking a new one demotes the user's previous
    outbound number to inbound only, in the same transaction, with an audit event for each.
    A system actor is a carrier completing a port (any inventory's number).
    """
    e164 = normalize_number(number)
    if isinstance(actor, Actor):
        may_assign_numbers(actor).check()
        fax_number = _company_number(actor, e164)
    else:
        found = FaxNumber.objects.filter(number=e164, status__in=IN_INVENTORY).first()
        if found is None:
            raise NotFound(f"{e164} is not in an inventory.", field="number")
        fax_number = found
    if outbound and fax_number.user_id is None:
        raise Conflict(
            f"{fax_number.number} is not assigned to a user: assign it before using it for "
            "outbound faxes.",
            code="number_not_assigned",
            field="number",
        )
    if fax_number.outbound == outbound:
        return fax_number
    now = timezone.now()
    if not outbound:
        if not FaxNumber.objects.filter(pk=fax_number.pk, outbound=True).update(
            outbound=False, updated_at=now
        ):
            raise Conflict(f"{fax_number.number} changed meanwhile; reload.", code="stale")
        fax_number.outbound = False
        _record("inbound_only", actor, fax_number, fax_number.company, user_id=fax_number.user_id)
        return fax_number
    owner = fax_number.user_id
    assert owner is not None
    # Serialize changes of one user's numbers: lock them in primary-key order.
    mine = list(FaxNumber.objects.select_for_update().filter(user_id=owner).order_by("pk"))
    for previous in mine:
        if previous.outbound and previous.pk != fax_number.pk:
            FaxNumber.objects.filter(pk=previous.pk).update(outbound=False, updated_at=now)
            previous.outbound = False
            _record(
                "inbound_only",
                actor,
                previous,
                previous.company,
                user_id=previous.user_id,
                reason=f"{fax_number.number} is now the outbound number",
            )
    try:
        with transaction.atomic():
            updated = FaxNumber.objects.filter(
                pk=fax_number.pk, user_id=owner, outbound=False
            ).update(outbound=True, updated_at=now)
    except IntegrityError as exc:
        raise Conflict(
            "Another outbound number was set for this user meanwhile; reload.", code="stale"
        ) from exc
    if not updated:
        raise Conflict(f"{fax_number.number} changed meanwhile; reload.", code="stale")
    fax_number.outbound = True
    _record("outbound", actor, fax_number, fax_number.company, user_id=fax_number.user_id)
    return fax_number


@transaction.atomic
def number_mark_temporary(*, actor: Actor, number: str) -> FaxNumber:
    """Mark an in-service number of the company's inventory as temporary: the customer
    sends from it while the port of their own number is pending ("Keep my number")."""
    fax_number = _company_number(actor, number)
    may_request_numbers(actor, fax_number.company).check()
    updated = FaxNumber.objects.filter(
        pk=fax_number.pk,
        company=fax_number.company,
        status=NumberStatus.IN_SERVICE,
        is_temporary=False,
    ).update(is_temporary=True, updated_at=timezone.now())
    if not updated:
        raise Conflict(
            f"{fax_number.number} cannot be marked temporary in its state.",
            code="stale",
            field="number",
        )
    fax_number.refresh_from_db()
    _record("marked_temporary", actor, fax_number, fax_number.company)
    return fax_number


@transaction.atomic
def number_port_in(
    *,
    actor: Actor | SystemActor,
    number: str,
    company: Company,
    user: User | None,
    country: str,
    losing_carrier: str,
    port_request_id: int,
    direction: str,
) -> FaxNumber:
    """A port completed: ``number`` becomes a ported, in-service number of ``company``,
    linked to ``user`` (or unassigned), inbound only until ``number_set_outbound``.

    The row is created, or taken over by compare-and-set when it already exists as a number
    of the provider's pool, an aging number, or a number pending in this company's
    inventory (whose user it keeps when none is given). A number in service anywhere is
    refused. ``direction`` is recorded in the audit event (the port's link).
    """
    may_move_ported_numbers(actor).check()
    e164 = normalize_number(number, field="links")
    fields: dict[str, Any] = {
        "company": company,
        "status": NumberStatus.IN_SERVICE,
        "source": NumberSource.PORTED,
        "carrier": f"Ported from {losing_carrier}"[:100],
        "is_temporary": False,
        "aging_until": None,
        "outbound": False,
    }
    existing = FaxNumber.objects.filter(number=e164).first()
    if existing is None:
        try:
            with transaction.atomic():
                fax_number = FaxNumber.objects.create(
                    number=e164, country=country or "US", area_code=e164[2:5], user=user, **fields
                )
        except IntegrityError as exc:
            raise Conflict(
                f"{display_number(e164)} was added to an inventory meanwhile; try again.",
                code="stale",
                field="links",
            ) from exc
    else:
        match: dict[str, Any]
        if existing.company_id is None and existing.status in (
            NumberStatus.AVAILABLE,
            NumberStatus.AGING,
        ):
            match = {"status": existing.status, "company__isnull": True}
        elif existing.company_id == company.pk and existing.status == NumberStatus.PENDING:
            match = {"status": NumberStatus.PENDING, "company": company}
            user = user or existing.user
        else:
            where = "here" if existing.company_id == company.pk else "for another company"
            raise Conflict(
                f"{display_number(e164)} is already in service {where}: it cannot be ported in.",
                code="number_in_service",
                field="links",
            )
        if not FaxNumber.objects.filter(pk=existing.pk, **match).update(
            user=user, updated_at=timezone.now(), **fields
        ):
            raise Conflict(
                f"{display_number(e164)} changed meanwhile; try again.", code="stale", field="links"
            )
        existing.refresh_from_db()
        fax_number = existing
    _record(
        "ported_in",
        actor,
        fax_number,
        company,
        request_id=port_request_id,
        user_id=fax_number.user_id,
        direction=direction,
    )
    return fax_number


@transaction.atomic
def numbers_snap_back(
    *,
    actor: Actor | SystemActor,
    company: Company,
    numbers: list[str],
    port_request_id: int,
    losing_carrier: str,
) -> list[str]:
    """A completed port was snapped back (returned to the losing carrier within 24 hours):
    its numbers leave the company's inventory. Their rows are deleted (docs/decisions/0002:
    the provider never owned them); an audit event per number keeps who had it. Returns
    the numbers removed."""
    may_move_ported_numbers(actor).check()
    rows = list(
        FaxNumber.objects.select_for_update()
        .filter(number__in=numbers, company=company)
        .order_by("pk")
    )
    for row in rows:
        _record(
            "snapped_back",
            actor,
            row,
            company,
            user_id=row.user_id,
            outbound=row.outbound,
            request_id=port_request_id,
            losing_carrier=losing_carrier,
        )
    FaxNumber.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return [r.number for r in rows]
