"""Every read of onboarding, scoped to the acting person, and the computed checklists.

Nothing here is ticked by hand: the document checklist comes from the order's fields and
uploads, the account configuration checklist from the company's real configuration, and
FOC-day readiness from numbers, users and documents as they are now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company, Department, User
from faxline.accounts.preferences import TABS, complete
from faxline.core.calendar import next_business_day
from faxline.core.errors import NotFound
from faxline.core.models import AuditEvent
from faxline.numbers.choices import IN_INVENTORY, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.numbers.plan import area_codes, display_number
from faxline.numbers.selectors import area_codes_with_stock
from faxline.onboarding.access import (
    may_answer_first_sign_in,
    may_create_order,
    may_view_order,
    may_view_orders,
)
from faxline.onboarding.choices import (
    Activation,
    Decision,
    DocumentKind,
    ItemStatus,
    NumberUse,
    OrderStatus,
)
from faxline.onboarding.models import OnboardingDocument, OnboardingOrder, OnboardingPortNumber

# A phone bill counts when its statement is at most this many days old.
BILL_MAX_AGE_DAYS = 30
# How far ahead the FOC page looks for the next business day (long weekends, holidays).
FOC_LOOKAHEAD_DAYS = 10


def order_list(*, actor: Actor, status: str = "", search: str = "") -> QuerySet[OnboardingOrder]:
    """The onboarding orders the actor may see, newest first."""
    may_view_orders(actor).check()
    qs = OnboardingOrder.objects.select_related("company", "channel_partner").filter(
        actor.in_companies_q()
    )
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(company__name__icontains=search)
    return qs.order_by("-created_at", "-id")


def order_get(*, actor: Actor, order_id: int) -> OnboardingOrder:
    """One order: 404 outside the actor's companies, 403 for people of the company who may
    not see it (fax users, department administrators)."""
    qs = OnboardingOrder.objects.select_related("company", "channel_partner").filter(
        actor.in_companies_q(), pk=order_id
    )
    order = qs.first()
    if order is None:
        raise NotFound("Onboarding order not found.", field="order_id")
    may_view_order(actor, order).check()
    return order


def order_of_company(company: Company) -> OnboardingOrder | None:
    return OnboardingOrder.objects.filter(company=company).select_related("company").first()


def companies_without_order(*, actor: Actor) -> QuerySet[Company]:
    """Client companies the actor may start an onboarding order for."""
    if not may_create_order(actor):
        return Company.objects.none()
    return (
        Company.objects.filter(actor.companies_q())
        .filter(onboarding_order__isnull=True)
        .order_by("name")
    )


# --- first sign-in (seed 000) ---------------------------------------------------------


def first_sign_in_due(actor: Actor) -> bool:
    """True when a company administrator who may request numbers signs in for a company
    that has no fax numbers and no onboarding decision yet."""
    company_id = actor.user.company_id
    if company_id is None or not may_answer_first_sign_in(actor):
        return False
    if FaxNumber.objects.filter(company_id=company_id, status__in=IN_INVENTORY).exists():
        return False
    return not OnboardingOrder.objects.filter(company_id=company_id).exclude(decision="").exists()


@dataclass(frozen=True)
class AreaCodeChoice:
    area_code: str
    label: str  # "206 - Seattle"


@dataclass(frozen=True)
class AreaCodeGroup:
    state_code: str
    state_name: str
    codes: list[AreaCodeChoice]


def area_code_groups(country: str) -> list[AreaCodeGroup]:
    """Area codes with stock in ``country``, grouped by state or province (by name)."""
    known = area_codes()
    groups: dict[tuple[str, str], list[AreaCodeChoice]] = {}
    for code in area_codes_with_stock(country=country):
        info = known.get(code)
        if info is None:
            continue
        key = (info.state_name, info.state_code)
        groups.setdefault(key, []).append(AreaCodeChoice(code, info.label))
    return [
        AreaCodeGroup(state_code, state_name, sorted(codes, key=lambda c: c.area_code))
        for (state_name, state_code), codes in sorted(groups.items())
    ]


def fax_users_of(company: Company) -> QuerySet[User]:
    return User.objects.filter(
        company=company, role=Role.FAX_USER, deleted_at__isnull=True, is_active=True
    ).order_by("last_name", "first_name", "pk")


# --- document gathering checklist -----------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    """One item of the document gathering checklist."""

    key: str
    label: str
    status: str  # ItemStatus
    required: bool  # blocks completion unless received
    detail: str
    recommended: bool = False  # a warning when missing, never blocking
    document: OnboardingDocument | None = None

    @property
    def ok(self) -> bool:
        return self.status in (ItemStatus.RECEIVED, ItemStatus.NOT_APPLICABLE)

    @property
    def status_label(self) -> str:
        return ItemStatus(self.status).label

    @property
    def blocking(self) -> bool:
        return self.required and not self.ok

    @property
    def warning(self) -> bool:
        return self.recommended and self.status == ItemStatus.MISSING


def latest_documents(order: OnboardingOrder) -> dict[str, OnboardingDocument]:
    """The latest upload of each kind (the one that counts)."""
    latest: dict[str, OnboardingDocument] = {}
    for doc in order.documents.order_by("-uploaded_at", "-id"):
        latest.setdefault(doc.kind, doc)
    return latest


def payment_authorization_on_file(order: OnboardingOrder) -> bool:
    return order.documents.filter(kind=DocumentKind.PAYMENT_AUTHORIZATION).exists()


def is_porting(order: OnboardingOrder) -> bool:
    return order.activation == Activation.PORTING


def bill_expired(statement_date: date | None, today: date | None = None) -> bool:
    if statement_date is None:
        return True
    today = today or timezone.localdate()
    return statement_date < today - timedelta(days=BILL_MAX_AGE_DAYS)


def port_rows(order: OnboardingOrder) -> list[OnboardingPortNumber]:
    return list(order.port_numbers.select_related("user").order_by("number"))


def _numbers_summary(rows: list[OnboardingPortNumber]) -> str:
    ported = [r for r in rows if r.port]
    fax = sum(1 for r in ported if r.use == NumberUse.FAX)
    voice = len(ported) - fax
    parts = [f"{len(ported)} number{'s' if len(ported) != 1 else ''} to port"]
    uses = [f"{fax} fax"] if fax else []
    if voice:
        uses.append(f"{voice} voice")
    if uses:
        parts[0] += f" ({', '.join(uses)})"
    staying = len(rows) - len(ported)
    if staying:
        parts.append(f"{staying} not to be ported")
    return "; ".join(parts) + "."


def document_checklist(order: OnboardingOrder, *, today: date | None = None) -> list[ChecklistItem]:
    """Seed 001's document gathering, item by item, with a status each."""
    today = today or timezone.localdate()
    docs = latest_documents(order)
    porting = is_porting(order)
    asap = order.activation == Activation.ASAP
    items: list[ChecklistItem] = []

    payment = docs.get(DocumentKind.PAYMENT_AUTHORIZATION)
    items.append(
        ChecklistItem(
            "payment_authorization",
            "Payment authorization (credit card / ACH) on file",
            ItemStatus.RECEIVED if payment else ItemStatus.MISSING,
            True,
            f"Received {payment.original_name}."
            if payment
            else "Required before any other step, porting included.",
            document=payment,
        )
    )

    has_contact = bool(order.billing_contact_name and order.billing_contact_email)
    items.append(
        ChecklistItem(
            "billing_contact",
            "Billing contact: first and last name, email",
            ItemStatus.RECEIVED if has_contact else ItemStatus.MISSING,
            True,
            f"{order.billing_contact_name} <{order.billing_contact_email}>"
            if has_contact
            else "Enter the billing contact's name and email address.",
        )
    )

    tax = docs.get(DocumentKind.TAX_EXEMPTION)
    if order.tax_exempt is None:
        tax_item = ChecklistItem(
            "tax_exemption",
            "Tax exemption, if applicable",
            ItemStatus.MISSING,
            True,
            "Say whether the client is tax exempt.",
        )
    elif not order.tax_exempt:
        tax_item = ChecklistItem(
            "tax_exemption",
            "Tax exemption, if applicable",
            ItemStatus.NOT_APPLICABLE,
            False,
            "The client is not tax exempt.",
        )
    else:
        tax_item = ChecklistItem(
            "tax_exemption",
            "Tax exemption, if applicable",
            ItemStatus.RECEIVED if tax else ItemStatus.MISSING,
            True,
            f"Received {tax.original_name}."
            if tax
            else "The client is tax exempt: upload the exemption form.",
            document=tax,
        )
    items.append(tax_item)

    bill = docs.get(DocumentKind.PHONE_BILL)
    if asap:
        items.append(
            ChecklistItem(
                "phone_bill",
                "Copy of the phone bill dated within the last 30 days",
                ItemStatus.NOT_APPLICABLE,
                False,
                "No numbers are ported (new numbers now).",
            )
        )
    elif bill is None:
        items.append(
            ChecklistItem(
                "phone_bill",
                "Copy of the phone bill dated within the last 30 days",
                ItemStatus.MISSING,
                porting,
                "Required for porting: the latest bill showing the account, name and address "
                "of every number.",
            )
        )
    else:
        expired = bill_expired(bill.statement_date, today)
        day = bill.statement_date
        dated = f"statement date {day:%b} {day.day}, {day.year}" if day else "no statement date"
        items.append(
            ChecklistItem(
                "phone_bill",
                "Copy of the phone bill dated within the last 30 days",
                ItemStatus.EXPIRED if expired else ItemStatus.RECEIVED,
                porting,
                f"{bill.original_name}, {dated}"
                + (": more than 30 days old, upload a newer bill." if expired else "."),
                document=bill,
            )
        )

    rows = port_rows(order)
    if asap:
        items.append(
            ChecklistItem(
                "port_numbers",
                "List of numbers to port, with their use (fax / voice)",
                ItemStatus.NOT_APPLICABLE,
                False,
                "No numbers are ported (new numbers now).",
            )
        )
    else:
        has_rows = any(r.port for r in rows)
        items.append(
            ChecklistItem(
                "port_numbers",
                "List of numbers to port, with their use (fax / voice)",
                ItemStatus.RECEIVED if has_rows else ItemStatus.MISSING,
                porting,
                _numbers_summary(rows) if has_rows else "Required for porting.",
            )
        )

    csr = docs.get(DocumentKind.CSR)
    items.append(
        ChecklistItem(
            "csr",
            "Customer Service Record (CSR)",
            ItemStatus.NOT_APPLICABLE
            if asap
            else (ItemStatus.RECEIVED if csr else ItemStatus.MISSING),
            False,
            "No numbers are ported (new numbers now)."
            if asap
            else (
                f"Received {csr.original_name}."
                if csr
                else "Not blocking, but the current carrier's record avoids most port rejections."
            ),
            recommended=True,
            document=csr,
        )
    )
    return items


@dataclass(frozen=True)
class Problem:
    """Something that keeps the order from being completed."""

    field: str
    message: str


def completion_problems(order: OnboardingOrder, *, today: date | None = None) -> list[Problem]:
    """What is still missing before the order can be completed (empty: ready)."""
    problems = [
        Problem(item.key, f"{item.label}: {item.detail}")
        for item in document_checklist(order, today=today)
        if item.blocking
    ]
    if not order.time_zone:
        problems.append(Problem("time_zone", "Choose the time zone."))
    if not order.activation:
        problems.append(Problem("activation", "Choose new numbers now (ASAP) or porting."))
    needs_area = order.activation == Activation.ASAP or order.temporary_numbers > 0
    if needs_area and not order.area_code:
        problems.append(Problem("area_code", "Choose the area code of the new numbers."))
    if is_porting(order):
        if order.port_date is None:
            problems.append(Problem("port_date", "Choose the requested port date."))
        if not order.authorized_user_name:
            problems.append(
                Problem(
                    "authorized_user_name", "Enter the authorized user's name (as on the bill)."
                )
            )
        if not order.authorized_user_title:
            problems.append(Problem("authorized_user_title", "Enter the authorized user's title."))
        if has_voice_lines(order) and not (order.e911_number and order.e911_address):
            problems.append(
                Problem(
                    "e911_address", "Voice lines are ported: enter the E911 number and address."
                )
            )
    return problems


def has_voice_lines(order: OnboardingOrder) -> bool:
    """Whether voice lines are ported (then E911 applies)."""
    return order.port_numbers.filter(use=NumberUse.VOICE, port=True).exists()


def porting_blocker(order: OnboardingOrder) -> str | None:
    """Why no porting step may happen yet, or None."""
    if not payment_authorization_on_file(order):
        return (
            "Payment authorization (credit card / ACH) must be on file before any other step, "
            "porting included."
        )
    return None


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str


def _date(day: date | None) -> str:
    return f"{day:%A, %B} {day.day}, {day.year}" if day else "—"


def _numbers(values: Sequence[str]) -> str:
    return ", ".join(display_number(v) for v in values) if values else "—"


def final_order(order: OnboardingOrder) -> list[SummaryRow]:
    """The final order of seed 001 (the fields kept for a fax service), for the summary page
    and the Onboarding Complete email. The PIN is always masked."""
    docs = latest_documents(order)
    rows = port_rows(order)
    porting = is_porting(order)
    tax = docs.get(DocumentKind.TAX_EXEMPTION)
    if order.tax_exempt is None:
        tax_text = "—"
    elif order.tax_exempt:
        tax_text = f"Yes, {tax.original_name} on file" if tax else "Yes, form missing"
    else:
        tax_text = "Not applicable"
    staying = [r.number for r in rows if not r.port]
    summary = [
        SummaryRow("Domain", order.domain or order.company.domain or "—"),
        SummaryRow("Time zone", order.time_zone or "—"),
        SummaryRow("Name of billing contact", order.billing_contact_name or "—"),
        SummaryRow("Email of billing contact", order.billing_contact_email or "—"),
        SummaryRow("Tax exemption form", tax_text),
        SummaryRow(
            "ASAP or porting", Activation(order.activation).label if order.activation else "—"
        ),
        SummaryRow("Quantity of temporary numbers", str(order.temporary_numbers)),
        SummaryRow("Area code", _area_label(order.area_code)),
    ]
    if porting:
        summary += [
            SummaryRow("Port date", _date(order.port_date)),
            SummaryRow("Partial or full port", "Partial" if staying else "Full"),
            SummaryRow("Current carrier", order.current_carrier or "—"),
            SummaryRow("PIN", order.pin_masked or "—"),
            SummaryRow("Authorized user name", order.authorized_user_name or "—"),
            SummaryRow("Authorized user title", order.authorized_user_title or "—"),
            SummaryRow(
                "Numbers to be ported",
                ", ".join(
                    f"{display_number(r.number)} ({r.get_use_display().lower()})"
                    for r in rows
                    if r.port
                )
                or "—",
            ),
            SummaryRow("Numbers not to be ported", _numbers(staying)),
        ]
    summary.append(
        SummaryRow(
            "Main caller ID",
            display_number(order.main_caller_id) if order.main_caller_id else "—",
        )
    )
    if porting and has_voice_lines(order):
        summary += [
            SummaryRow(
                "E911 number", display_number(order.e911_number) if order.e911_number else "—"
            ),
            SummaryRow("E911 address", order.e911_address or "—"),
        ]
    summary += [
        SummaryRow(
            "Native fax type",
            order.get_native_fax_type_display() if order.native_fax_type else "—",
        ),
        SummaryRow(
            "Native fax number",
            display_number(order.native_fax_number) if order.native_fax_number else "—",
        ),
    ]
    return summary


def _area_label(code: str) -> str:
    if not code:
        return "—"
    info = area_codes().get(code)
    return f"{info.label} ({info.state_code})" if info else code


# --- account configuration checklist --------------------------------------------------


@dataclass(frozen=True)
class ConfigItem:
    """One step of the account configuration, computed from the real configuration."""

    key: str
    label: str
    ok: bool
    detail: str
    missing: list[str] = field(default_factory=list)
    fix_url: str = ""
    fix_label: str = ""

    @property
    def names_what_is_missing(self) -> bool:
        """Whether ``missing`` names numbers or people (worth listing under the detail)."""
        return (
            not self.ok
            and self.key in ("numbers_routed", "receiving_addresses")
            and not any(m.startswith("No ") for m in self.missing)
        )


def _tab_chosen(company: Company, tab: str) -> tuple[bool, str]:
    """Whether a settings tab was chosen: saved at least once anywhere in the company (an
    audited ``settings.changed`` of that tab), or set away from the platform defaults at
    the company, a department or a user."""
    saved = (
        AuditEvent.objects.filter(company=company, kind="settings.changed", detail__tab=tab)
        .order_by("-occurred_at")
        .first()
    )
    if saved is not None:
        return True, f"Saved by {saved.actor_label} on {saved.occurred_at:%Y-%m-%d}."
    default = TABS[tab]().model_dump(mode="json")
    if complete(company.settings, (tab,))[tab] != default:
        return True, "The company's settings differ from the defaults."
    for settings in Department.objects.filter(company=company).values_list("settings", flat=True):
        if complete(settings or {}, (tab,))[tab] != default:
            return True, "A department's settings differ from the defaults."
    users = User.objects.filter(company=company, role=Role.FAX_USER, deleted_at__isnull=True)
    for settings in users.values_list("settings", flat=True):
        if complete(settings or {}, (tab,))[tab] != default:
            return True, "A user's settings differ from the defaults."
    return False, "Still the platform defaults: review and save them once."


def configuration_checklist(
    company: Company, *, order: OnboardingOrder | None = None
) -> list[ConfigItem]:
    """Seed 001's account configuration steps adapted to fax, computed, never ticked."""
    users = list(fax_users_of(company))
    numbers = list(
        FaxNumber.objects.filter(company=company, status__in=IN_INVENTORY)
        .select_related("user")
        .order_by("number")
    )
    in_service = [n for n in numbers if n.status == NumberStatus.IN_SERVICE]
    details = reverse("accounts:company_details", args=[company.pk])
    config_url = (
        reverse("onboarding:order", args=[order.pk]) + "?tab=configuration#numbers"
        if order is not None
        else ""
    )
    items: list[ConfigItem] = []

    items.append(
        ConfigItem(
            "users",
            "Create users",
            bool(users),
            f"{len(users)} fax user{'s' if len(users) != 1 else ''}."
            if users
            else "No fax user yet: create at least one.",
            [] if users else ["No fax user account."],
            reverse("accounts:user_add", args=[company.pk]),
            "Add User Account",
        )
    )

    def routed(n: FaxNumber) -> bool:
        return n.user is not None and n.user.deleted_at is None and n.user.is_active

    unrouted = [n for n in in_service if not routed(n)]
    if not in_service:
        route_detail, route_missing = "No fax number in service yet.", ["No number in service."]
    elif unrouted:
        route_detail = (
            f"{len(unrouted)} of {len(in_service)} numbers in service "
            f"{'is' if len(unrouted) == 1 else 'are'} not routed to a user."
        )
        route_missing = [f"{display_number(n.number)} is not assigned to a user." for n in unrouted]
    else:
        route_detail = f"All {len(in_service)} numbers in service are routed to a user."
        route_missing = []
    items.append(
        ConfigItem(
            "numbers_routed",
            "Route every number to a user",
            bool(in_service) and not unrouted,
            route_detail,
            route_missing,
            config_url,
            "Assign numbers",
        )
    )

    holders: dict[int, User] = {}
    for n in numbers:
        if n.user is not None and routed(n):
            holders[n.user.pk] = n.user
    without = [u for u in holders.values() if not u.receiving_emails]
    if not holders:
        recv_ok, recv_detail = False, "No fax user has a number yet."
        recv_missing = ["No fax user with a number."]
        recv_url = ""
    elif without:
        recv_ok = False
        recv_detail = (
            f"{len(without)} fax user{'s' if len(without) != 1 else ''} with a number "
            f"{'has' if len(without) == 1 else 'have'} no receiving email address."
        )
        recv_missing = [
            f"{u.full_name or u.username} has no receiving email address." for u in without
        ]
        recv_url = reverse("accounts:user_details", args=[without[0].pk]) + "?tab=fax"
    else:
        recv_ok = True
        recv_detail = "Every fax user with a number receives faxes by email."
        recv_missing, recv_url = [], ""
    items.append(
        ConfigItem(
            "receiving_addresses",
            "Set receiving email addresses",
            recv_ok,
            recv_detail,
            recv_missing,
            recv_url,
            "User Account Details ▸ Fax",
        )
    )

    for tab, label in (
        ("coverpage", "Choose the coverpage"),
        ("notifications", "Set notifications"),
    ):
        ok, detail = _tab_chosen(company, tab)
        items.append(
            ConfigItem(
                tab,
                label,
                ok,
                detail,
                [] if ok else [detail],
                f"{details}?tab={tab}",
                f"Company Details ▸ {tab.capitalize()}",
            )
        )
    return items


# --- FOC-day readiness ----------------------------------------------------------------


@dataclass(frozen=True)
class PortingEntry:
    """A number being ported, as FOC readiness needs it (onboarding rows or port requests)."""

    number: str
    use: str = NumberUse.FAX
    user_id: int | None = None


@dataclass(frozen=True)
class ReadinessCheck:
    key: str
    label: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class NumberReadiness:
    """What is ready, and what is missing, for one porting number on FOC day."""

    number: str
    use: str
    user_label: str
    checks: list[ReadinessCheck]

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def missing(self) -> list[str]:
        return [c.detail for c in self.checks if not c.ok]

    @property
    def display(self) -> str:
        return display_number(self.number)


def readiness_for_numbers(
    company: Company,
    entries: Sequence[PortingEntry],
    *,
    payment_authorization_on_file: bool,
    e911_address: str = "",
) -> list[NumberReadiness]:
    """FOC-day readiness of porting numbers (seed 001 "Confirmation of Configuration on
    FOC", adapted to fax). The porting desk calls it for its port requests."""
    by_number = {
        n.number: n
        for n in FaxNumber.objects.filter(
            company=company, number__in=[e.number for e in entries]
        ).select_related("user")
    }
    user_ids = {e.user_id for e in entries if e.user_id}
    people = {
        u.pk: u for u in User.objects.filter(pk__in=user_ids, company=company, role=Role.FAX_USER)
    }
    temporary = list(
        FaxNumber.objects.filter(
            company=company, status=NumberStatus.IN_SERVICE, is_temporary=True
        ).select_related("user")
    )
    results: list[NumberReadiness] = []
    for entry in entries:
        checks: list[ReadinessCheck] = []
        ours = by_number.get(entry.number)
        user: User | None = None
        if ours is not None and ours.user is not None:
            user = ours.user
        elif entry.user_id:
            user = people.get(entry.user_id)
        if user is not None and (user.deleted_at is not None or not user.is_active):
            user = None
        shown = display_number(entry.number)
        checks.append(
            ReadinessCheck(
                "routed",
                "Routed to a user",
                user is not None,
                f"Routed to {user.full_name or user.username}."
                if user
                else f"{shown} is not routed: choose the user who receives its faxes.",
            )
        )
        if user is None:
            checks.append(
                ReadinessCheck(
                    "receiving_addresses",
                    "Receiving email addresses",
                    False,
                    "No user yet, so no receiving email address.",
                )
            )
        else:
            addresses = list(user.receiving_emails or [])
            checks.append(
                ReadinessCheck(
                    "receiving_addresses",
                    "Receiving email addresses",
                    bool(addresses),
                    f"Faxes go to {', '.join(addresses)}."
                    if addresses
                    else f"{user.full_name or user.username} has no receiving email address.",
                )
            )
        mine = [t for t in temporary if user is not None and t.user_id == user.pk]
        temp = mine[0] if mine else (temporary[0] if temporary else None)
        checks.append(
            ReadinessCheck(
                "temporary_number",
                "Temporary number in service meanwhile",
                temp is not None,
                f"Sending meanwhile from {display_number(temp.number)}."
                if temp
                else "No temporary number in service: the client cannot send until the port "
                "completes.",
            )
        )
        checks.append(
            ReadinessCheck(
                "payment_authorization",
                "Payment authorization on file",
                payment_authorization_on_file,
                "On file."
                if payment_authorization_on_file
                else "Payment authorization (credit card / ACH) is not on file.",
            )
        )
        if entry.use == NumberUse.VOICE:
            checks.append(
                ReadinessCheck(
                    "e911",
                    "E911 provisioned (voice line)",
                    bool(e911_address),
                    "E911 address on file."
                    if e911_address
                    else f"{shown} is a voice line: the E911 address is missing.",
                )
            )
        results.append(
            NumberReadiness(
                number=entry.number,
                use=entry.use,
                user_label=(user.full_name or user.username) if user else "",
                checks=checks,
            )
        )
    return results


def foc_readiness(order: OnboardingOrder) -> list[NumberReadiness]:
    """FOC-day readiness of every number the order ports."""
    entries = [
        PortingEntry(number=r.number, use=r.use, user_id=r.user_id)
        for r in port_rows(order)
        if r.port
    ]
    return readiness_for_numbers(
        order.company,
        entries,
        payment_authorization_on_file=payment_authorization_on_file(order),
        e911_address=order.e911_address,
    )


def order_country(order: OnboardingOrder) -> str:
    """The country of the order's numbers (its port date follows that calendar)."""
    first = order.port_numbers.order_by("number").values_list("number", flat=True).first()
    info = area_codes().get(first[2:5]) if first else None
    if info is None and order.area_code:
        info = area_codes().get(order.area_code)
    return info.country if info else "US"


@dataclass(frozen=True)
class ScheduledPort:
    order: OnboardingOrder
    port_date: date
    numbers: list[NumberReadiness]

    @property
    def ready(self) -> bool:
        return all(n.ready for n in self.numbers) and bool(self.numbers)


def _scheduled_orders(actor: Actor) -> QuerySet[OnboardingOrder]:
    may_view_orders(actor).check()
    qs = OnboardingOrder.objects.select_related("company").filter(
        actor.in_companies_q(), activation=Activation.PORTING, port_date__isnull=False
    )
    return qs.order_by("port_date", "company__name")


def ports_on(*, actor: Actor, day: date) -> list[ScheduledPort]:
    """Ports scheduled on ``day`` that the actor may see, with per-number readiness."""
    return [
        ScheduledPort(order, day, foc_readiness(order))
        for order in _scheduled_orders(actor).filter(port_date=day)
    ]


def ports_next_business_day(*, actor: Actor, today: date | None = None) -> list[ScheduledPort]:
    """Ports whose date is the next business day (of the numbers' country)."""
    today = today or timezone.localdate()
    window = _scheduled_orders(actor).filter(
        port_date__gt=today, port_date__lte=today + timedelta(days=FOC_LOOKAHEAD_DAYS)
    )
    found = []
    for order in window:
        assert order.port_date is not None
        if order.port_date == next_business_day(today, country=order_country(order)):
            found.append(ScheduledPort(order, order.port_date, foc_readiness(order)))
    return found


# --- for the porting desk -------------------------------------------------------------


@dataclass(frozen=True)
class PortIntent:
    """A porting intent recorded by onboarding, for the porting desk to turn into a port
    request. ``blocker`` says why no porting step may happen yet (None: go ahead)."""

    order_id: int
    company_id: int
    company_name: str
    numbers: list[tuple[str, str]]  # (E.164, use) to be ported
    numbers_not_ported: list[str]
    current_carrier: str
    port_date: date | None
    temporary_numbers: list[str]
    authorized_user_name: str
    authorized_user_title: str
    phone_bill_id: int | None
    csr_id: int | None
    blocker: str | None


def pending_port_intents(*, actor: Actor | None = None) -> list[PortIntent]:
    """Onboarding orders with numbers to port that no port request has taken over yet.

    Without an actor (the porting desk's own processes) every intent is listed; with one,
    only those the actor may see.
    """
    qs = OnboardingOrder.objects.select_related("company").filter(
        Q(activation=Activation.PORTING) | Q(decision=Decision.KEEP_NUMBER),
        port_intent_claimed_at__isnull=True,
        port_numbers__port=True,
    )
    if actor is not None:
        if not may_view_orders(actor):
            return []
        qs = qs.filter(actor.in_companies_q())
    intents = []
    for order in qs.distinct().order_by("created_at", "pk"):
        rows = port_rows(order)
        docs = latest_documents(order)
        bill = docs.get(DocumentKind.PHONE_BILL)
        csr = docs.get(DocumentKind.CSR)
        temps = FaxNumber.objects.filter(
            company=order.company, status=NumberStatus.IN_SERVICE, is_temporary=True
        ).values_list("number", flat=True)
        intents.append(
            PortIntent(
                order_id=order.pk,
                company_id=order.company_id,
                company_name=order.company.name,
                numbers=[(r.number, r.use) for r in rows if r.port],
                numbers_not_ported=[r.number for r in rows if not r.port],
                current_carrier=order.current_carrier,
                port_date=order.port_date,
                temporary_numbers=list(temps),
                authorized_user_name=order.authorized_user_name,
                authorized_user_title=order.authorized_user_title,
                phone_bill_id=bill.pk if bill else None,
                csr_id=csr.pk if csr else None,
                blocker=porting_blocker(order),
            )
        )
    return intents


def document_get(*, actor: Actor, order: OnboardingOrder, document_id: int) -> OnboardingDocument:
    """A document of an order the actor may see (the caller fetched ``order`` scoped)."""
    if not may_view_order(actor, order):
        raise NotFound("Document not found.", field="document_id")
    doc = order.documents.filter(pk=document_id).first()
    if doc is None:
        raise NotFound("Document not found.", field="document_id")
    return doc


def order_status_counts(*, actor: Actor) -> dict[str, int]:
    qs = order_list(actor=actor)
    return {
        OrderStatus.GATHERING: qs.filter(status=OrderStatus.GATHERING).count(),
        OrderStatus.COMPLETE: qs.filter(status=OrderStatus.COMPLETE).count(),
    }
