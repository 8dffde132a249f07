"""The porting desk beyond the core transitions: the operator queue with its SLA timers,
the audited reveal of the carrier credentials, snap-back, the fee ledger and the clock that
lets carrier adapters advance their requests.

The core transitions (accept, in progress, schedule, reject, assign, cancel, notes) live in
``porting.services``; completion and linking in ``porting.completion``. Everything here is
for the provider's porting team (operators): customers never reach it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company, User
from faxline.accounts.validation import clean_text
from faxline.core.audit import audit_record
from faxline.core.calendar import is_business_day, next_business_day
from faxline.core.errors import Conflict, NotFound, ValidationFailed
from faxline.numbers.services import numbers_snap_back
from faxline.porting.access import may_act_as_porting_team, may_use_desk
from faxline.porting.choices import NumberStatus, PortStatus
from faxline.porting.models import LoaSignature, PortEvent, PortFee, PortRequest
from faxline.porting.requests.services import record_event

log = logging.getLogger(__name__)

# The queue: what the porting team works on, in the guide's order.
QUEUE_STATUSES: tuple[str, ...] = (
    PortStatus.NEW,
    PortStatus.PENDING,
    PortStatus.IN_PROGRESS,
    PortStatus.SCHEDULED,
    PortStatus.REJECTED,
)
# Closed requests stay reachable from the console (snap-back within 24 h of completion).
CLOSED_STATUSES: tuple[str, ...] = (PortStatus.COMPLETED, PortStatus.CANCELLED)
# Requests that wait on the porting team or the carrier; a long wait is a stall.
MOVING_STATUSES = frozenset(
    {PortStatus.NEW, PortStatus.PENDING, PortStatus.IN_PROGRESS, PortStatus.REJECTED}
)
# An LOA is valid for 30 days (seed 004); the desk warns five days before.
LOA_MAX_DAYS = 30
LOA_WARN_DAYS = 25
SNAP_BACK_WINDOW = timedelta(hours=24)
FEE_KINDS = {"resubmission": "Resubmission", "snap_back": "Snap-back"}
SORTS = {
    "age": ("status_changed_at", "id"),  # oldest status change first: the longest wait
    "-age": ("-status_changed_at", "-id"),
    "id": ("id",),
    "-id": ("-id",),
    "foc": ("foc_date", "id"),
}


# --- the business-day clock -------------------------------------------------------------


def business_days_between(start: date, end: date, *, country: str | None = None) -> int:
    """Business days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``)."""
    if end <= start:
        return 0
    count = 0
    day = start
    # Bounded: a request older than ten years shows its age capped, not a hung page.
    for _ in range(3700):
        day += timedelta(days=1)
        if day > end:
            break
        if is_business_day(day, country=country):
            count += 1
    return count


# --- SLA timers -------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaFlag:
    """One SLA timer that fired for a request: ``code`` is stable (API), ``label`` short
    (the queue's badge), ``detail`` says what to do."""

    code: str
    label: str
    detail: str
    severity: str  # "danger" | "warning" | "info"

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "label": self.label,
            "detail": self.detail,
            "severity": self.severity,
        }


def foc_within_a_business_day(request: PortRequest, today: date) -> bool:
    """Whether the request's FOC is today, already past, or the next business day."""
    if request.status != PortStatus.SCHEDULED or request.foc_date is None:
        return False
    return request.foc_date <= next_business_day(today, country=request.country or "US")


def sla_flags(
    request: PortRequest,
    *,
    today: date,
    loa_signed_at: datetime | None,
    readiness: Sequence[Any] | None = None,
    stall_days: int | None = None,
) -> list[SlaFlag]:
    """The SLA timers of one request as of ``today``.

    ``readiness`` is the FOC-day readiness of its numbers (``NumberReadiness`` rows of
    onboarding) when the FOC is within a business day, else None.
    """
    stall = stall_days or settings.FAXLINE_PORTING_STALL_DAYS
    country = request.country or "US"
    flags: list[SlaFlag] = []
    age = business_days_between(
        timezone.localdate(request.status_changed_at), today, country=country
    )
    if request.status in MOVING_STATUSES and age >= stall:
        waiting = (
            "the customer's fix"
            if request.status == PortStatus.REJECTED
            else ("the losing carrier" if request.status != PortStatus.NEW else "the porting team")
        )
        flags.append(
            SlaFlag(
                "stalled",
                f"No movement {age} business days",
                f"{PortStatus(request.status).label} for {age} business days (limit {stall}): "
                f"waiting on {waiting}. Follow up or add a note.",
                "warning",
            )
        )
    if loa_signed_at is not None and request.status in MOVING_STATUSES:
        days = (today - timezone.localdate(loa_signed_at)).days
        if days > LOA_MAX_DAYS:
            flags.append(
                SlaFlag(
                    "loa_expired",
                    "LOA expired",
                    f"The LOA was signed {days} days ago, more than {LOA_MAX_DAYS}: the losing "
                    "carrier will refuse it. Ask the authorized person to sign it again.",
                    "danger",
                )
            )
        elif days >= LOA_WARN_DAYS:
            left = LOA_MAX_DAYS - days
            flags.append(
                SlaFlag(
                    "loa_expiring",
                    f"LOA expires in {left} day{'s' if left != 1 else ''}",
                    f"The LOA was signed {days} days ago and is valid for {LOA_MAX_DAYS}: get "
                    "the FOC before then or ask for a new signature.",
                    "warning",
                )
            )
    if request.status == PortStatus.SCHEDULED and request.foc_date is not None:
        foc = request.foc_date
        if foc < today:
            flags.append(
                SlaFlag(
                    "foc_overdue",
                    "FOC passed",
                    f"The FOC was {foc:%Y-%m-%d}: record the completion or move the FOC.",
                    "danger",
                )
            )
        elif foc == today:
            flags.append(SlaFlag("foc_today", "FOC today", "The port happens today.", "info"))
        elif foc == next_business_day(today, country=country):
            flags.append(
                SlaFlag(
                    "foc_tomorrow",
                    "FOC tomorrow",
                    f"The port happens on {foc:%A %Y-%m-%d}, the next business day.",
                    "info",
                )
            )
    if readiness:
        failing = [r for r in readiness if not r.ready]
        if failing:
            first = failing[0].missing[0] if failing[0].missing else ""
            flags.append(
                SlaFlag(
                    "readiness_failing",
                    "Not ready for FOC",
                    f"{len(failing)} of {len(readiness)} number(s) not ready for FOC day: {first}",
                    "danger",
                )
            )
    return flags


def readiness_of(requests: Sequence[PortRequest]) -> dict[int, list[Any]]:
    """FOC-day readiness (onboarding's checks) of each request's numbers, one batch per
    company. Numbers are routed to the users the request links them to."""
    from faxline.onboarding.choices import NumberUse
    from faxline.onboarding.selectors import (
        PortingEntry,
        order_of_company,
        payment_authorization_on_file,
        readiness_for_numbers,
    )

    by_company: dict[int, list[PortRequest]] = defaultdict(list)
    for request in requests:
        by_company[request.company_id].append(request)
    found: dict[int, list[Any]] = {}
    for group in by_company.values():
        company = group[0].company
        order = order_of_company(company)
        # No onboarding order: the provider bills the company some other way.
        paid = True if order is None else payment_authorization_on_file(order)
        entries = [
            PortingEntry(number=n.number, use=NumberUse.FAX, user_id=n.link_user_id)
            for request in group
            for n in request.numbers.all()
        ]
        results = readiness_for_numbers(company, entries, payment_authorization_on_file=paid)
        index = 0
        for request in group:
            count = len(request.numbers.all())
            found[request.pk] = results[index : index + count]
            index += count
    return found


# --- the queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One request of the operator console with its age and SLA flags."""

    request: PortRequest
    age_days: int
    flags: list[SlaFlag]
    numbers: list[str]

    @property
    def worst(self) -> str:
        order = {"danger": 0, "warning": 1, "info": 2}
        return min((f.severity for f in self.flags), key=lambda s: order[s], default="")


def _latest_signature() -> Subquery:
    return Subquery(
        LoaSignature.objects.filter(request=OuterRef("pk"), signed_at__isnull=False)
        .order_by("-signed_at", "-id")
        .values("signed_at")[:1]
    )


def desk_queue(
    *,
    actor: Actor,
    status: str = "",
    assignee: str = "",
    search: str = "",
    sort: str = "age",
) -> QuerySet[PortRequest]:
    """The console's queue: the open requests (or one status), oldest status change first.

    ``status``: one of the queue's statuses, "completed" or "cancelled" (empty: all open);
    ``assignee``: "me", "none" or an operator's id; ``search``: ID, business name, company
    or number.
    """
    may_use_desk(actor).check()
    qs = PortRequest.objects.select_related("company", "assignee").annotate(
        loa_signed_at=_latest_signature()
    )
    if status:
        if status not in PortStatus.values or status == PortStatus.DRAFT:
            raise ValidationFailed("Unknown status.", field="status")
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=QUEUE_STATUSES)
    if assignee == "me":
        qs = qs.filter(assignee=actor.user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        if not assignee.isdigit():
            raise ValidationFailed(
                "assignee must be me, none or an operator's id.", field="assignee"
            )
        qs = qs.filter(assignee_id=int(assignee))
    text = search.strip()
    if text:
        q = (
            Q(business_name__icontains=text)
            | Q(company__name__icontains=text)
            | Q(numbers__number__icontains=text.lstrip("+"))
        )
        if text.isdigit():
            q |= Q(pk=int(text))
        qs = qs.filter(pk__in=PortRequest.objects.filter(q).values("pk"))
    return qs.prefetch_related("numbers").order_by(*SORTS.get(sort, SORTS["age"]))


def queue_rows(requests: Iterable[PortRequest], *, today: date | None = None) -> list[QueueRow]:
    """Age and SLA flags of requests fetched by :func:`desk_queue` (readiness is computed
    for those whose FOC is within a business day, in one batch per company)."""
    today = today or timezone.localdate()
    items = list(requests)
    soon = [r for r in items if foc_within_a_business_day(r, today)]
    readiness = readiness_of(soon) if soon else {}
    rows = []
    for request in items:
        numbers = [n.number for n in request.numbers.all()]
        rows.append(
            QueueRow(
                request=request,
                age_days=business_days_between(
                    timezone.localdate(request.status_changed_at),
                    today,
                    country=request.country or "US",
                ),
                flags=sla_flags(
                    request,
                    today=today,
                    loa_signed_at=getattr(request, "loa_signed_at", None),
                    readiness=readiness.get(request.pk),
                ),
                numbers=numbers,
            )
        )
    return rows


def queue_counts(*, actor: Actor) -> dict[str, int]:
    """How many requests each status tab holds (one query)."""
    may_use_desk(actor).check()
    counts = {s: 0 for s in (*QUEUE_STATUSES, *CLOSED_STATUSES)}
    rows = (
        PortRequest.objects.exclude(status=PortStatus.DRAFT)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    counts["open"] = sum(counts[s] for s in QUEUE_STATUSES)
    return counts


def porting_agents() -> QuerySet[User]:
    """Who can be given a request: the provider's operators who may act."""
    return User.objects.filter(
        role=Role.OPERATOR, is_active=True, deleted_at__isnull=True, read_only=False
    ).order_by("first_name", "last_name", "pk")


def desk_request_get(*, actor: Actor, request_id: int) -> PortRequest:
    """One request for the porting team (404 when it does not exist or is a Draft)."""
    may_use_desk(actor).check()
    request = (
        PortRequest.objects.select_related("company", "assignee", "created_by")
        .annotate(loa_signed_at=_latest_signature())
        .filter(pk=request_id)
        .exclude(status=PortStatus.DRAFT)
        .first()
    )
    if request is None:
        raise NotFound("Port request not found.", field="request_id")
    return request


# --- the credentials ----------------------------------------------------------------------


def port_request_reveal(*, actor: Actor, request: PortRequest) -> dict[str, str]:
    """The carrier account number and PIN in full, for the porting team only; every reveal
    is written to the audit trail (who, when, from where), never the values themselves."""
    may_act_as_porting_team(actor).check()
    audit_record(
        kind="port_request.credentials_revealed",
        actor=actor.user,
        company=request.company,
        target=request,
        ip_address=actor.ip_address,
        detail={"fields": ["account_number", "pin"] if request.pin else ["account_number"]},
    )
    return {"account_number": request.account_number, "pin": request.pin or ""}


# --- snap-back ------------------------------------------------------------------------------


def snapped_back(request: PortRequest) -> PortEvent | None:
    return PortEvent.objects.filter(request=request, kind="snapped_back").first()


def snap_back_deadline(request: PortRequest) -> datetime | None:
    if request.status != PortStatus.COMPLETED or request.completed_at is None:
        return None
    return request.completed_at + SNAP_BACK_WINDOW


def snap_back_refusal(request: PortRequest, *, now: datetime | None = None) -> str | None:
    """Why a snap-back cannot be recorded now, or None when it can."""
    now = now or timezone.now()
    if request.status != PortStatus.COMPLETED or request.completed_at is None:
        return (
            f"Only a completed port can be snapped back; this request is "
            f"{PortStatus(request.status).label}."
        )
    if snapped_back(request) is not None:
        return "A snap-back was already recorded for this request."
    deadline = request.completed_at + SNAP_BACK_WINDOW
    if now > deadline:
        hours = int((now - request.completed_at).total_seconds() // 3600)
        done = timezone.localtime(request.completed_at)
        return (
            "A snap-back is only possible within 24 hours of completion: this port completed "
            f"on {done:%Y-%m-%d at %H:%M} ({hours} hours ago). The numbers are in service here "
            "now; to move them back, the customer's carrier must port them out like any other "
            "port."
        )
    return None


@transaction.atomic
def port_request_snap_back(*, actor: Actor, request: PortRequest, reason: str) -> PortEvent:
    """Within 24 hours of completion, return the ported numbers to the losing carrier
    (seed 002: "snap back", $300): they leave the inventory
    (``numbers.services.numbers_snap_back``, see docs/decisions/0002), a snap-back fee is
    charged and the customer told.
    Later it is refused with the reason."""
    may_act_as_porting_team(actor).check()
    reason = clean_text(reason, field="reason", max_length=500, required=True)
    locked = PortRequest.objects.select_for_update().select_related("company").get(pk=request.pk)
    refusal = snap_back_refusal(locked)
    if refusal:
        code = (
            "snap_back_window_closed"
            if locked.status == PortStatus.COMPLETED and snapped_back(locked) is None
            else "invalid_transition"
        )
        raise Conflict(refusal, code=code)
    ported = list(
        locked.numbers.filter(status=NumberStatus.PORTED).values_list("number", flat=True)
    )
    numbers_snap_back(
        actor=actor,
        company=locked.company,
        numbers=ported,
        port_request_id=locked.pk,
        losing_carrier=locked.losing_carrier,
    )
    fee_cents = settings.FAXLINE_SNAP_BACK_FEE_CENTS
    fee = None
    if fee_cents:
        fee = PortFee.objects.create(
            request=locked,
            kind="snap_back",
            amount_cents=fee_cents,
            reason=f"Snap-back: {reason}"[:200],
            created_by=actor.user,
        )
    event = record_event(
        locked,
        kind="snapped_back",
        actor=actor,
        message=(
            f"Snap-back: {len(ported)} number(s) returned to {locked.losing_carrier}"
            f" (fee ${fee_cents / 100:,.2f}): {reason}"
        ),
        numbers=ported,
        reason=reason,
        fee_id=fee.pk if fee else None,
    )
    _notify_snap_back(locked, ported, fee_cents, reason)
    request.refresh_from_db()
    return event


def _notify_snap_back(request: PortRequest, numbers: list[str], cents: int, reason: str) -> None:
    from faxline.notify.services import notify_email

    body = (
        f"Hello {request.contact_first_name},\n\n"
        f"At your request, the port of {', '.join(numbers)} (port request {request.pk}) was "
        f"snapped back: the numbers return to {request.losing_carrier} and no longer receive "
        f"faxes on faxline.\nReason: {reason}\n"
        + (f"Snap-back fee: ${cents / 100:,.2f}\n" if cents else "")
        + "\nfaxline porting team\n"
    )
    notify_email(
        kind="porting.snapped_back",
        to=[request.contact_email],
        subject=f"Port request {request.pk}: snap-back recorded",
        body=body,
        company=request.company,
    )


# --- the fee ledger -----------------------------------------------------------------------


@dataclass(frozen=True)
class FeeTotal:
    company: Company
    charged_cents: int
    waived_cents: int
    count: int


def fee_ledger(
    *,
    actor: Actor,
    company_id: int | None = None,
    kind: str = "",
    waived: bool | None = None,
    request_id: int | None = None,
) -> QuerySet[PortFee]:
    """Resubmission and snap-back fees, newest first."""
    may_use_desk(actor).check()
    qs = PortFee.objects.select_related("request", "request__company", "created_by")
    if company_id is not None:
        qs = qs.filter(request__company_id=company_id)
    if kind:
        if kind not in FEE_KINDS:
            raise ValidationFailed("kind must be resubmission or snap_back.", field="kind")
        qs = qs.filter(kind=kind)
    if waived is not None:
        qs = qs.filter(waived=waived)
    if request_id is not None:
        qs = qs.filter(request_id=request_id)
    return qs.order_by("-created_at", "-id")


def fee_totals(fees: QuerySet[PortFee]) -> list[FeeTotal]:
    """Charged and waived amounts per company of a ledger selection (one query)."""
    rows = (
        fees.order_by()
        .values("request__company")
        .annotate(
            charged=Sum("amount_cents", filter=Q(waived=False), default=0),
            waived_total=Sum("amount_cents", filter=Q(waived=True), default=0),
            n=Count("id"),
        )
    )
    companies = Company.objects.in_bulk([r["request__company"] for r in rows])
    totals = [
        FeeTotal(companies[r["request__company"]], r["charged"], r["waived_total"], r["n"])
        for r in rows
    ]
    return sorted(totals, key=lambda t: t.company.name)


def waive_reasons(fees: Sequence[PortFee]) -> dict[int, PortEvent]:
    """The waiving event of each waived fee (who, when, why), in one query."""
    ids = [f.pk for f in fees if f.waived]
    if not ids:
        return {}
    found: dict[int, PortEvent] = {}
    for event in PortEvent.objects.filter(
        kind="fee_waived", request_id__in={f.request_id for f in fees if f.waived}
    ):
        fee_id = event.detail.get("fee_id")
        if fee_id in ids:
            found[fee_id] = event
    return found


@transaction.atomic
def port_fee_waive(*, actor: Actor, fee: PortFee, reason: str) -> PortFee:
    """Waive a fee (a goodwill gesture, a carrier error): audited with who and why."""
    may_act_as_porting_team(actor).check()
    reason = clean_text(reason, field="reason", max_length=200, required=True)
    if not PortFee.objects.filter(pk=fee.pk, waived=False).update(waived=True):
        raise Conflict("This fee is already waived.", code="fee_already_waived")
    fee.waived = True
    label = FEE_KINDS.get(fee.kind, fee.kind)
    record_event(
        fee.request,
        kind="fee_waived",
        actor=actor,
        message=f"{label} fee of ${fee.amount_cents / 100:,.2f} waived: {reason}",
        fee_id=fee.pk,
        amount_cents=fee.amount_cents,
        reason=reason,
    )
    return fee


def fee_get(*, actor: Actor, fee_id: int) -> PortFee:
    may_use_desk(actor).check()
    fee = PortFee.objects.select_related("request", "request__company").filter(pk=fee_id).first()
    if fee is None:
        raise NotFound("Fee not found.", field="fee_id")
    return fee


# --- the carriers' clock --------------------------------------------------------------------


def porting_tick() -> int:
    """Let every carrier adapter advance its requests (the sandbox's business-day clock).
    Idempotent: each step is a compare-and-set transition. Returns how many changed."""
    from faxline.porting.carriers import CARRIERS, carrier_named

    changed = 0
    for name in CARRIERS:
        changed += carrier_named(name).tick()
    return changed
