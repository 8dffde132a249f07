"""Every write of onboarding. One transaction per call; refusals raise domain errors.

- First sign-in (seed 000): a new number at once, or keep an existing number with a
  temporary number meanwhile; the decision is recorded once and audited.
- Onboarding orders (seed 001): created by operators or the company's channel partner;
  document gathering (payment authorization first: every other upload and every porting
  step is refused until it is on file), the final order's fields, completion with the
  Onboarding Complete (and, for ASAP orders, Request to activate) emails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company, User
from faxline.accounts.preferences import time_zones
from faxline.accounts.services.users import user_create
from faxline.accounts.validation import clean_email, clean_text
from faxline.core.audit import audit_record
from faxline.core.calendar import is_business_day, why_not_business_day
from faxline.core.csvfile import decode_csv, read_records
from faxline.core.errors import Conflict, NotFound, ValidationFailed
from faxline.core.vault import vault_delete, vault_store
from faxline.documents.intake import accept_document, safe_filename
from faxline.notify.services import notify_email, render_email
from faxline.numbers.choices import IN_INVENTORY, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.numbers.plan import area_code as lookup_area_code
from faxline.numbers.plan import display_number, normalize_number
from faxline.numbers.selectors import area_codes_with_stock, available_numbers
from faxline.numbers.services import number_assign, number_mark_temporary, numbers_request
from faxline.onboarding import access, selectors
from faxline.onboarding.choices import (
    Activation,
    Decision,
    DocumentKind,
    NativeFaxType,
    NumberUse,
    OrderStatus,
)
from faxline.onboarding.models import OnboardingDocument, OnboardingOrder, OnboardingPortNumber

MAX_PORT_NUMBERS = 200
MAX_CSV_BYTES = 512 * 1024
CSV_COLUMNS = ("number", "use", "port", "note")
MAX_TEMPORARY_NUMBERS = 50
MAX_PORT_DATE_DAYS = 120
VAULT_PURPOSE = "onboarding"

PAYMENT_FIRST = (
    "Upload the payment authorization (credit card / ACH) first: it is required before any "
    "other step, porting included."
)

# Fields of the order, by kind (the API's PATCH and the portal's forms use these names).
TEXT_FIELDS = {
    "billing_contact_name": 200,
    "domain": 253,
    "current_carrier": 100,
    "authorized_user_name": 200,
    "authorized_user_title": 100,
    "e911_address": 300,
}
NUMBER_FIELDS = ("main_caller_id", "e911_number", "native_fax_number")
# Porting steps: refused until payment authorization is on file.
PORTING_FIELDS = frozenset(
    {
        "port_date",
        "current_carrier",
        "pin",
        "authorized_user_name",
        "authorized_user_title",
        "port_numbers",
    }
)
ORDER_FIELDS = frozenset(
    {
        *TEXT_FIELDS,
        *NUMBER_FIELDS,
        "billing_contact_email",
        "tax_exempt",
        "time_zone",
        "activation",
        "temporary_numbers",
        "area_code",
        "port_date",
        "pin",
        "native_fax_type",
        "port_numbers",
    }
)


# --- access ---------------------------------------------------------------------------


def _require_open(order: OnboardingOrder) -> None:
    if order.status == OrderStatus.COMPLETE:
        raise Conflict(
            "Onboarding is complete: the order can no longer be changed. Ask the provider's "
            "support for changes.",
            code="order_complete",
        )


def _require_payment(order: OnboardingOrder, *, field: str) -> None:
    if not selectors.payment_authorization_on_file(order):
        raise Conflict(PAYMENT_FIRST, code="payment_authorization_required", field=field)


def _audit(kind: str, actor: Actor | None, order: OnboardingOrder, **detail: Any) -> None:
    audit_record(
        kind=f"onboarding.{kind}",
        actor=actor.user if actor else None,
        company=order.company,
        target=order,
        ip_address=actor.ip_address if actor else None,
        detail=detail,
    )


# --- emails ---------------------------------------------------------------------------


def _portal_link(path: str) -> str:
    from django.conf import settings

    return settings.FAXLINE_PORTAL_URL.rstrip("/") + path


def _partner_emails(company: Company) -> list[str]:
    if company.channel_partner_id is None:
        return []
    return list(
        User.objects.filter(
            role=Role.CHANNEL_PARTNER,
            channel_partner_id=company.channel_partner_id,
            deleted_at__isnull=True,
            is_active=True,
        )
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def _client_admin_emails(company: Company) -> list[str]:
    return list(
        User.objects.filter(
            company=company,
            role=Role.ADMINISTRATOR,
            department__isnull=True,
            deleted_at__isnull=True,
            is_active=True,
        )
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def _client_emails(order: OnboardingOrder) -> list[str]:
    found = [order.billing_contact_email] if order.billing_contact_email else []
    return found + _client_admin_emails(order.company)


def _send(kind: str, template: str, to: list[str], order: OnboardingOrder, **context: Any) -> None:
    subject, body = render_email(
        f"onboarding/email/{template}.txt",
        {"order": order, "company": order.company, **context},
    )
    notify_email(
        kind=f"onboarding.{kind}",
        to=to,
        subject=subject,
        body=body,
        company=order.company,
        related=str(order),
    )


# --- orders ---------------------------------------------------------------------------


def _default_time_zone(company: Company) -> str:
    zone = (company.settings or {}).get("custom", {}).get("time_zone", "")
    return zone if zone in time_zones() else ""


def _new_order(company: Company, *, created_by: User | None) -> OnboardingOrder:
    try:
        with transaction.atomic():
            return OnboardingOrder.objects.create(
                company=company,
                channel_partner=company.channel_partner,
                created_by=created_by,
                domain=company.domain,
                time_zone=_default_time_zone(company),
            )
    except IntegrityError as exc:
        raise Conflict(
            f"{company.name} already has an onboarding order.",
            code="order_exists",
            field="company_id",
        ) from exc


@transaction.atomic
def order_create(
    *, actor: Actor, company: Company, changes: dict[str, Any] | None = None
) -> OnboardingOrder:
    """Start the onboarding of a client company (operators, or the company's channel
    partner). Sends the welcome email with the list of requirements to the partner and
    the client."""
    access.may_create_order(actor, company).check()
    if selectors.order_of_company(company) is not None:
        raise Conflict(
            f"{company.name} already has an onboarding order.",
            code="order_exists",
            field="company_id",
        )
    order = _new_order(company, created_by=actor.user)
    if changes:
        _apply_changes(actor, order, changes)
    _audit("order_created", actor, order)
    _send(
        "requirements",
        "requirements",
        _partner_emails(company) + _client_emails(order),
        order,
        link=_portal_link(reverse("onboarding:order", args=[order.pk])),
    )
    return order


@transaction.atomic
def order_update(
    *, actor: Actor, order: OnboardingOrder, changes: dict[str, Any]
) -> OnboardingOrder:
    """Change fields of the order (document gathering fields and the final order).

    Porting fields (port date, carrier, PIN, authorized user, numbers to port) are refused
    until payment authorization is on file.
    """
    access.may_manage_order(actor, order).check()
    locked = OnboardingOrder.objects.select_for_update().select_related("company").get(pk=order.pk)
    _require_open(locked)
    changed = _apply_changes(actor, locked, changes)
    if changed:
        _audit("order_updated", actor, locked, fields=sorted(changed))
    if order is not locked:
        order.refresh_from_db()
    return locked


def _apply_changes(actor: Actor, order: OnboardingOrder, changes: dict[str, Any]) -> set[str]:
    unknown = sorted(set(changes) - ORDER_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown field {unknown[0]!r}.", field=unknown[0])
    porting = sorted(set(changes) & PORTING_FIELDS)
    if porting:
        _require_payment(order, field=porting[0])
    fields: set[str] = set()

    for name, limit in TEXT_FIELDS.items():
        if name in changes:
            setattr(order, name, clean_text(changes[name], field=name, max_length=limit))
            fields.add(name)
    if "billing_contact_email" in changes:
        order.billing_contact_email = clean_email(
            changes["billing_contact_email"], field="billing_contact_email", required=False
        )
        fields.add("billing_contact_email")
    if "tax_exempt" in changes:
        value = changes["tax_exempt"]
        if value is not None and not isinstance(value, bool):
            raise ValidationFailed("tax_exempt must be true, false or null.", field="tax_exempt")
        order.tax_exempt = value
        fields.add("tax_exempt")
    if "time_zone" in changes:
        zone = clean_text(changes["time_zone"], field="time_zone", max_length=64)
        if zone and zone not in time_zones():
            raise ValidationFailed(f"{zone!r} is not a known time zone.", field="time_zone")
        order.time_zone = zone
        fields.add("time_zone")
    if "activation" in changes:
        value = changes["activation"] or ""
        if value not in Activation.values:
            raise ValidationFailed(
                "activation must be 'asap' (new numbers now) or 'porting'.", field="activation"
            )
        order.activation = value
        fields.add("activation")
    if "temporary_numbers" in changes:
        value = changes["temporary_numbers"]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailed(
                "temporary_numbers must be a whole number.", field="temporary_numbers"
            )
        if not 0 <= value <= MAX_TEMPORARY_NUMBERS:
            raise ValidationFailed(
                f"temporary_numbers must be between 0 and {MAX_TEMPORARY_NUMBERS}.",
                field="temporary_numbers",
            )
        order.temporary_numbers = value
        fields.add("temporary_numbers")
    if "area_code" in changes:
        order.area_code = _clean_area_code(changes["area_code"], required=False)
        fields.add("area_code")
    if "pin" in changes:
        pin = clean_text(changes["pin"], field="pin", max_length=20)
        if pin and not pin.isalnum():
            raise ValidationFailed("pin must be letters and digits only.", field="pin")
        order.pin = pin
        fields.add("pin")
    for name in NUMBER_FIELDS:
        if name in changes:
            raw = changes[name]
            setattr(order, name, normalize_number(raw, field=name) if raw else "")
            fields.add(name)
    if "native_fax_type" in changes:
        value = changes["native_fax_type"] or ""
        if value not in NativeFaxType.values:
            raise ValidationFailed(
                "native_fax_type must be one of "
                + ", ".join(v for v in NativeFaxType.values if v)
                + ".",
                field="native_fax_type",
            )
        order.native_fax_type = value
        fields.add("native_fax_type")
    order.save(update_fields=[*sorted(fields), "updated_at"])
    if "port_numbers" in changes:
        _replace_port_numbers(order, changes["port_numbers"], field="port_numbers")
        fields.add("port_numbers")
    if "port_date" in changes:
        order.port_date = _clean_port_date(order, changes["port_date"])
        order.save(update_fields=["port_date", "updated_at"])
        fields.add("port_date")
    return fields


def _clean_area_code(raw: Any, *, required: bool, field: str = "area_code") -> str:
    code = clean_text(raw, field=field, max_length=3)
    if not code:
        if required:
            raise ValidationFailed("Choose an area code.", field=field)
        return ""
    if not code.isdigit() or len(code) != 3:
        raise ValidationFailed(f"{code!r} is not an area code (three digits).", field=field)
    info = lookup_area_code(code)
    if code not in area_codes_with_stock(country=info.country):
        raise ValidationFailed(
            f"No new numbers are in stock in area code {code}: choose another area code.",
            field=field,
            code="no_stock",
        )
    return code


def _clean_port_date(order: OnboardingOrder, raw: Any) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        try:
            raw = date.fromisoformat(raw)
        except ValueError as exc:
            raise ValidationFailed(
                "port_date must be a date (YYYY-MM-DD).", field="port_date"
            ) from exc
    if not isinstance(raw, date):
        raise ValidationFailed("port_date must be a date (YYYY-MM-DD).", field="port_date")
    today = timezone.localdate()
    if raw <= today:
        raise ValidationFailed("The port date must be a future business day.", field="port_date")
    if raw > today + timedelta(days=MAX_PORT_DATE_DAYS):
        raise ValidationFailed(
            f"The port date must be within {MAX_PORT_DATE_DAYS} days.", field="port_date"
        )
    country = selectors.order_country(order)
    if not is_business_day(raw, country=country):
        reason = why_not_business_day(raw, country=country) or "It is not a business day."
        raise ValidationFailed(
            f"{reason} Choose a business day for the port.",
            field="port_date",
            code="not_business_day",
        )
    return raw


@dataclass(frozen=True)
class PortRow:
    number: str
    use: str
    port: bool
    user_id: int | None
    note: str


def _clean_port_rows(order: OnboardingOrder, raw: Any, *, field: str) -> list[PortRow]:
    if not isinstance(raw, list):
        raise ValidationFailed(f"{field} must be a list of numbers.", field=field)
    if len(raw) > MAX_PORT_NUMBERS:
        raise ValidationFailed(f"At most {MAX_PORT_NUMBERS} numbers per order.", field=field)
    rows: list[PortRow] = []
    seen: set[str] = set()
    users = {u.pk for u in selectors.fax_users_of(order.company).only("pk")}
    for index, item in enumerate(raw):
        where = f"{field}[{index}]"
        if isinstance(item, str):
            item = {"number": item}
        if not isinstance(item, dict):
            raise ValidationFailed(f"{where} must be an object with a number.", field=where)
        number = normalize_number(item.get("number", ""), field=f"{where}.number")
        if number in seen:
            raise ValidationFailed(
                f"{display_number(number)} is listed twice.", field=f"{where}.number"
            )
        seen.add(number)
        use = item.get("use") or NumberUse.FAX
        if use not in NumberUse.values:
            raise ValidationFailed(f"{where}.use must be 'fax' or 'voice'.", field=f"{where}.use")
        port = item.get("port", True)
        if not isinstance(port, bool):
            raise ValidationFailed(f"{where}.port must be true or false.", field=f"{where}.port")
        user_id = item.get("user_id")
        if user_id is not None and (isinstance(user_id, bool) or user_id not in users):
            raise ValidationFailed(
                f"{where}.user_id must be a fax user of {order.company.name}.",
                field=f"{where}.user_id",
            )
        if (
            port
            and FaxNumber.objects.filter(number=number, status__in=IN_INVENTORY)
            .exclude(company=order.company, status=NumberStatus.PENDING)
            .exists()
        ):
            raise ValidationFailed(
                f"{display_number(number)} is already a faxline number: it cannot be ported in.",
                field=f"{where}.number",
            )
        note = clean_text(item.get("note", ""), field=f"{where}.note", max_length=200)
        rows.append(PortRow(number, use, port, user_id, note))
    return rows


def _replace_port_numbers(order: OnboardingOrder, raw: Any, *, field: str) -> None:
    rows = _clean_port_rows(order, raw, field=field)
    order.port_numbers.all().delete()
    OnboardingPortNumber.objects.bulk_create(
        [
            OnboardingPortNumber(
                order=order, number=r.number, use=r.use, port=r.port, user_id=r.user_id, note=r.note
            )
            for r in rows
        ]
    )


def _rows_of(order: OnboardingOrder) -> list[dict[str, Any]]:
    return [
        {"number": r.number, "use": r.use, "port": r.port, "user_id": r.user_id, "note": r.note}
        for r in order.port_numbers.order_by("number")
    ]


@transaction.atomic
def port_number_add(
    *,
    actor: Actor,
    order: OnboardingOrder,
    number: str,
    use: str = NumberUse.FAX,
    port: bool = True,
    user_id: int | None = None,
    note: str = "",
) -> OnboardingOrder:
    """Add one number to the list (portal); refused until payment authorization is on file."""
    rows = _rows_of(order)
    rows.append({"number": number, "use": use, "port": port, "user_id": user_id, "note": note})
    return order_update(actor=actor, order=order, changes={"port_numbers": rows})


@transaction.atomic
def port_number_remove(*, actor: Actor, order: OnboardingOrder, number: str) -> OnboardingOrder:
    rows = [r for r in _rows_of(order) if r["number"] != number]
    return order_update(actor=actor, order=order, changes={"port_numbers": rows})


@transaction.atomic
def port_numbers_import_csv(
    *, actor: Actor, order: OnboardingOrder, data: bytes
) -> OnboardingOrder:
    """Replace the list of numbers with a CSV file: ``number,use[,port][,note]`` where use
    is fax or voice and port is yes or no (default yes)."""
    access.may_manage_order(actor, order).check()
    _require_open(order)
    _require_payment(order, field="file")
    _, records = read_records(
        decode_csv(data, max_bytes=MAX_CSV_BYTES),
        known=CSV_COLUMNS,
        required=("number",),
        listed=CSV_COLUMNS,
        max_rows=MAX_PORT_NUMBERS,
        unknown_columns="ignore",
        missing_message=(
            "The CSV needs a 'number' column (and 'use': fax or voice; 'port': yes or no)."
        ),
    )
    rows: list[dict[str, Any]] = []
    for record in records:
        line, clean = record.line, record.values
        port_text = clean.get("port", "yes").lower() or "yes"
        if port_text not in ("yes", "no", "y", "n", "true", "false", "1", "0"):
            raise ValidationFailed(f"Line {line}: port must be yes or no.", field="file")
        use = (clean.get("use") or "fax").lower()
        if use not in NumberUse.values:
            raise ValidationFailed(f"Line {line}: use must be fax or voice.", field="file")
        try:
            number = normalize_number(clean.get("number", ""), field="file")
        except ValidationFailed as exc:
            raise ValidationFailed(f"Line {line}: {exc.message}", field="file") from exc
        rows.append(
            {
                "number": number,
                "use": use,
                "port": port_text in ("yes", "y", "true", "1"),
                "note": clean.get("note", "")[:200],
            }
        )
    if not rows:
        raise ValidationFailed("The CSV lists no numbers.", field="file")
    try:
        return order_update(actor=actor, order=order, changes={"port_numbers": rows})
    except ValidationFailed as exc:
        if exc.field and exc.field.startswith("port_numbers["):
            index = int(exc.field.split("[", 1)[1].split("]", 1)[0])
            line = records[index].line
            raise ValidationFailed(f"Line {line}: {exc.message}", field="file") from exc
        raise


# --- documents ------------------------------------------------------------------------


def document_upload(
    *,
    actor: Actor,
    order: OnboardingOrder,
    kind: str,
    data: bytes,
    filename: str = "",
    statement_date: date | None = None,
) -> OnboardingDocument:
    """Add a document to the checklist, checked by content and encrypted in the vault.

    Payment authorization comes first: every other upload is refused until it is on file.
    A phone bill needs its statement date, within the last 30 days. A refused file leaves
    nothing behind.

    The file is checked (in the documents sandbox) and encrypted into the vault before the
    transaction begins; the transaction records it after checking the order's rules again
    under its row lock.
    """
    access.may_manage_order(actor, order).check()
    current = OnboardingOrder.objects.select_related("company").get(pk=order.pk)
    _check_upload(current, kind=kind, statement_date=statement_date)
    accepted = accept_document(data, filename=filename, field="file")
    stored = vault_store(data, purpose=VAULT_PURPOSE)
    try:
        with transaction.atomic():
            locked = (
                OnboardingOrder.objects.select_for_update()
                .select_related("company")
                .get(pk=order.pk)
            )
            access.may_manage_order(actor, locked).check()
            _check_upload(locked, kind=kind, statement_date=statement_date)
            doc = OnboardingDocument.objects.create(
                order=locked,
                kind=kind,
                vault_name=stored.name,
                original_name=safe_filename(filename, extension=accepted.extension),
                content_type=accepted.content_type,
                size=stored.size,
                sha256=stored.sha256,
                pages=min(accepted.pages, 32767),
                statement_date=statement_date,
                uploaded_by=actor.user,
            )
            if kind == DocumentKind.TAX_EXEMPTION and locked.tax_exempt is None:
                locked.tax_exempt = True
                locked.save(update_fields=["tax_exempt", "updated_at"])
            _audit(
                "document_uploaded",
                actor,
                locked,
                document_kind=kind,
                size=stored.size,
                sha256=stored.sha256,
            )
    except BaseException:
        vault_delete(stored.name)
        raise
    order.refresh_from_db()
    return doc


def _check_upload(order: OnboardingOrder, *, kind: str, statement_date: date | None) -> None:
    """The order's rules for an upload of ``kind`` (before the file is looked at)."""
    _require_open(order)
    if kind not in DocumentKind.values:
        raise ValidationFailed(
            "kind must be one of " + ", ".join(DocumentKind.values) + ".", field="kind"
        )
    if kind != DocumentKind.PAYMENT_AUTHORIZATION:
        _require_payment(order, field="kind")
    if kind == DocumentKind.TAX_EXEMPTION and order.tax_exempt is False:
        raise Conflict(
            "The client is marked as not tax exempt: change that first.",
            code="not_tax_exempt",
            field="tax_exempt",
        )
    if kind == DocumentKind.PHONE_BILL:
        _check_statement_date(statement_date)
    elif statement_date is not None:
        raise ValidationFailed(
            "statement_date applies to the phone bill only.", field="statement_date"
        )


def _check_statement_date(statement_date: date | None) -> None:
    if statement_date is None:
        raise ValidationFailed(
            "Enter the statement date printed on the phone bill.", field="statement_date"
        )
    today = timezone.localdate()
    if statement_date > today:
        raise ValidationFailed("The statement date is in the future.", field="statement_date")
    if selectors.bill_expired(statement_date, today):
        age = (today - statement_date).days
        raise ValidationFailed(
            f"The phone bill is dated {statement_date:%B} {statement_date.day}, "
            f"{statement_date.year}, {age} days ago: porting needs a bill dated within the "
            f"last {selectors.BILL_MAX_AGE_DAYS} days. Upload a more recent bill.",
            field="statement_date",
            code="bill_too_old",
        )


# --- completion -----------------------------------------------------------------------


@transaction.atomic
def order_complete(*, actor: Actor, order: OnboardingOrder) -> OnboardingOrder:
    """Complete the onboarding once every required item is in: sends Onboarding Complete
    to the partner and the client, and Request to activate when the order is ASAP."""
    access.may_manage_order(actor, order).check()
    locked = OnboardingOrder.objects.select_for_update().select_related("company").get(pk=order.pk)
    _require_open(locked)
    problems = selectors.completion_problems(locked)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationFailed(
            f"Onboarding cannot be completed yet: {first.message}{more}",
            field=first.field,
            code="onboarding_incomplete",
        )
    now = timezone.now()
    done = OnboardingOrder.objects.filter(pk=locked.pk, status=OrderStatus.GATHERING).update(
        status=OrderStatus.COMPLETE, completed_at=now, completed_by=actor.user, updated_at=now
    )
    if not done:
        raise Conflict("Onboarding is already complete.", code="order_complete")
    locked.refresh_from_db()
    order.refresh_from_db()
    _audit("order_completed", actor, locked, activation=locked.activation)
    company = locked.company
    summary = selectors.final_order(locked)
    _send(
        "complete",
        "complete",
        _partner_emails(company) + _client_emails(locked),
        locked,
        summary=summary,
        porting=selectors.is_porting(locked),
        asap=locked.activation == Activation.ASAP,
    )
    if locked.activation == Activation.ASAP:
        admins = _client_admin_emails(company)
        _send(
            "request_to_activate",
            "request_to_activate",
            admins or _client_emails(locked),
            locked,
            link=_portal_link(reverse("onboarding:welcome")),
        )
    return locked


# --- first sign-in (seed 000) ---------------------------------------------------------


@dataclass(frozen=True)
class FirstSignInResult:
    """What the first sign-in did: the number now in service and who has it."""

    order: OnboardingOrder
    number: FaxNumber
    user: User
    created_password: str | None
    port_numbers: list[str]


def _recipient(
    actor: Actor,
    company: Company,
    user_id: int | None,
    new_user: dict[str, Any] | None,
) -> tuple[User, str | None]:
    if new_user:
        try:
            created = user_create(
                actor=actor,
                company=company,
                department=None,
                first_name=new_user.get("first_name", ""),
                last_name=new_user.get("last_name", ""),
                email=new_user.get("email", ""),
                use_email_as_username=True,
                generate_password=True,
            )
        except ValidationFailed as exc:
            field = {"username": "email"}.get(exc.field or "", exc.field)
            raise ValidationFailed(exc.message, field=f"new_user.{field}", code=exc.code) from exc
        return created.user, created.generated_password
    if user_id is None:
        raise ValidationFailed(
            "Choose the fax user who gets the number (or create the first one).", field="user_id"
        )
    found = selectors.fax_users_of(company).filter(pk=user_id).first()
    if found is None:
        raise ValidationFailed(f"Choose a fax user of {company.name}.", field="user_id")
    return found, None


def _take_number(actor: Actor, company: Company, area: str) -> FaxNumber:
    """Request one number of ``area`` for the company (the first free one that is still
    free when claimed)."""
    info = lookup_area_code(area)
    for candidate in available_numbers(actor=actor, country=info.country, area=area, count=5):
        try:
            return numbers_request(actor=actor, company=company, numbers=[candidate])[0]
        except Conflict as exc:
            if exc.code != "number_unavailable":
                raise
    raise Conflict(
        f"No number is free in area code {area} right now: choose another area code.",
        code="no_stock",
        field="area_code",
    )


def _decide(actor: Actor, company: Company, decision: str) -> OnboardingOrder:
    """Record the first sign-in decision once (compare-and-set), creating the order."""
    order = selectors.order_of_company(company)
    if order is None:
        order = _new_order(company, created_by=actor.user)
    now = timezone.now()
    recorded = OnboardingOrder.objects.filter(pk=order.pk, decision="").update(
        decision=decision, decided_at=now, decided_by=actor.user, updated_at=now
    )
    if not recorded:
        raise Conflict(
            "Your company already chose how to start its fax service.",
            code="already_decided",
            field="choice",
        )
    order.refresh_from_db()
    return order


def _check_first_sign_in(actor: Actor, company: Company) -> None:
    access.may_choose_first_service(actor, company).check()
    if FaxNumber.objects.filter(company=company, status__in=IN_INVENTORY).exists():
        raise Conflict(
            f"{company.name} already has fax numbers: request more under Fax Number Inventory.",
            code="already_has_numbers",
            field="choice",
        )


@transaction.atomic
def first_sign_in_new_number(
    *,
    actor: Actor,
    company: Company,
    area_code: str,
    user_id: int | None = None,
    new_user: dict[str, Any] | None = None,
) -> FirstSignInResult:
    """New number: a number of the chosen area code is requested and assigned at once, so
    the service is active; the welcome email lists it."""
    _check_first_sign_in(actor, company)
    area = _clean_area_code(area_code, required=True)
    order = _decide(actor, company, Decision.NEW_NUMBER)
    user, password = _recipient(actor, company, user_id, new_user)
    number = _take_number(actor, company, area)
    number = number_assign(actor=actor, number=number.number, user=user)
    changes: list[str] = []
    if not order.activation:
        order.activation = Activation.ASAP
        changes.append("activation")
    if not order.area_code:
        order.area_code = area
        changes.append("area_code")
    if changes:
        order.save(update_fields=[*changes, "updated_at"])
    _audit(
        "first_sign_in",
        actor,
        order,
        decision=Decision.NEW_NUMBER,
        number=number.number,
        user_id=user.pk,
    )
    _send(
        "welcome_new_numbers",
        "welcome_new_numbers",
        [actor.user.email, user.email],
        order,
        numbers=[(display_number(number.number), user.full_name or user.username)],
        link=_portal_link("/"),
    )
    return FirstSignInResult(order, number, user, password, [])


@transaction.atomic
def first_sign_in_keep_number(
    *,
    actor: Actor,
    company: Company,
    numbers: list[str],
    carrier: str = "",
    area_code: str = "",
    user_id: int | None = None,
    new_user: dict[str, Any] | None = None,
) -> FirstSignInResult:
    """Keep my number: the numbers to port and their carrier are recorded in the onboarding
    order (the porting desk turns them into a port request) and a temporary number is
    assigned at once, in the same area code when it has stock, so the customer can send
    immediately; inbound stays with the old carrier until the port completes."""
    _check_first_sign_in(actor, company)
    if not isinstance(numbers, list) or not [n for n in numbers if str(n).strip()]:
        raise ValidationFailed("Enter the number you want to keep.", field="numbers")
    wanted: list[str] = []
    for raw in numbers:
        if not str(raw).strip():
            continue
        e164 = normalize_number(str(raw), field="numbers")
        if e164 in wanted:
            raise ValidationFailed(f"{display_number(e164)} is listed twice.", field="numbers")
        if FaxNumber.objects.filter(number=e164, status__in=IN_INVENTORY).exists():
            raise ValidationFailed(
                f"{display_number(e164)} is already a faxline number: it cannot be ported in.",
                field="numbers",
            )
        wanted.append(e164)
    if len(wanted) > MAX_PORT_NUMBERS:
        raise ValidationFailed(f"At most {MAX_PORT_NUMBERS} numbers.", field="numbers")
    carrier = clean_text(carrier, field="carrier", max_length=100)
    if area_code:
        area = _clean_area_code(area_code, required=True)
    else:
        own = wanted[0][2:5]
        info = lookup_area_code(own)
        if own not in area_codes_with_stock(country=info.country):
            raise ValidationFailed(
                f"No temporary number is in stock in area code {own}: choose another area "
                "code for the temporary number.",
                field="area_code",
                code="no_stock",
            )
        area = own
    order = _decide(actor, company, Decision.KEEP_NUMBER)
    user, password = _recipient(actor, company, user_id, new_user)
    number = _take_number(actor, company, area)
    number = number_mark_temporary(actor=actor, number=number.number)
    number = number_assign(actor=actor, number=number.number, user=user)
    existing = set(order.port_numbers.values_list("number", flat=True))
    OnboardingPortNumber.objects.bulk_create(
        [
            OnboardingPortNumber(order=order, number=n, use=NumberUse.FAX, port=True, user=user)
            for n in wanted
            if n not in existing
        ]
    )
    fields = ["updated_at"]
    if not order.activation:
        order.activation = Activation.PORTING
        fields.append("activation")
    if carrier:
        order.current_carrier = carrier
        fields.append("current_carrier")
    if order.temporary_numbers < 1:
        order.temporary_numbers = 1
        fields.append("temporary_numbers")
    if not order.area_code:
        order.area_code = area
        fields.append("area_code")
    order.save(update_fields=fields)
    _audit(
        "first_sign_in",
        actor,
        order,
        decision=Decision.KEEP_NUMBER,
        number=number.number,
        user_id=user.pk,
        port_numbers=wanted,
    )
    _send(
        "welcome_temporary_number",
        "welcome_temporary_number",
        [actor.user.email, user.email],
        order,
        temporary=display_number(number.number),
        holder=user.full_name or user.username,
        ported=[display_number(n) for n in wanted],
        carrier=carrier,
        link=_portal_link("/"),
    )
    return FirstSignInResult(order, number, user, password, wanted)


# --- configuration fixes and the porting desk -----------------------------------------


@transaction.atomic
def configuration_assign_number(
    *, actor: Actor, order: OnboardingOrder, number: str, user_id: int
) -> FaxNumber:
    """Route an unassigned number to a fax user from the configuration checklist."""
    access.may_route_numbers(actor, order).check()
    user = selectors.fax_users_of(order.company).filter(pk=user_id).first()
    if user is None:
        raise ValidationFailed(f"Choose a fax user of {order.company.name}.", field="user_id")
    found = FaxNumber.objects.filter(
        company=order.company, number=number, status__in=IN_INVENTORY
    ).first()
    if found is None:
        raise NotFound(f"{number} is not in {order.company.name}'s inventory.", field="number")
    return number_assign(actor=actor, number=found.number, user=user)


@transaction.atomic
def port_intent_claim(*, order_id: int, port_request_ref: str) -> bool:
    """The porting desk takes a porting intent over (once): True when this call won."""
    ref = clean_text(port_request_ref, field="port_request_ref", max_length=64, required=True)
    now = timezone.now()
    won = OnboardingOrder.objects.filter(
        Q(pk=order_id) & Q(port_intent_claimed_at__isnull=True)
    ).update(port_intent_claimed_at=now, port_request_ref=ref, updated_at=now)
    if won:
        order = OnboardingOrder.objects.select_related("company").get(pk=order_id)
        _audit("port_intent_claimed", None, order, port_request_ref=ref)
    return bool(won)
