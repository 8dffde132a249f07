"""REST API of the porting desk: the operator transitions, the queue with its SLA flags and
the fee ledger. The same services as the operator console.

Errors: 403 for anyone who is not on the porting team (a customer who can see the request),
404 for a request the caller cannot see or that does not exist, 409 when the request's
status does not allow the step (with the service's message), 422 for bad input naming the
field.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from faxline.accounts.access import Actor
from faxline.accounts.api_auth import actor_of
from faxline.accounts.models import User
from faxline.core.errors import ValidationFailed
from faxline.core.pagination import paginate
from faxline.porting.access import may_act_as_porting_team
from faxline.porting.choices import RejectionCode
from faxline.porting.desk import services as desk
from faxline.porting.models import PortFee, PortRequest
from faxline.porting.requests import selectors, services
from faxline.porting.requests.completion import port_request_complete

router = Router(tags=["Porting Desk"])


# --- schemas ------------------------------------------------------------------------------


class DeskNumberOut(Schema):
    number: str
    line_type: str
    status: str
    link_user_id: int | None
    link_direction: str


class DeskRequestOut(Schema):
    id: int
    company_id: int
    company_name: str
    business_name: str
    status: str
    status_changed_at: datetime
    carrier: str
    assignee_id: int | None
    submitted_at: datetime | None
    eta: date | None
    foc_date: date | None
    completed_at: datetime | None
    rejection_code: str
    fields_to_fix: list[str]
    action_required: bool
    numbers: list[DeskNumberOut]

    @staticmethod
    def of(request: PortRequest) -> DeskRequestOut:
        return DeskRequestOut(
            id=request.pk,
            company_id=request.company_id,
            company_name=request.company.name,
            business_name=request.business_name,
            status=request.status,
            status_changed_at=request.status_changed_at,
            carrier=request.carrier,
            assignee_id=request.assignee_id,
            submitted_at=request.submitted_at,
            eta=request.eta,
            foc_date=request.foc_date,
            completed_at=request.completed_at,
            rejection_code=request.rejection_code,
            fields_to_fix=list(request.fields_to_fix or []),
            action_required=request.action_required,
            numbers=[
                DeskNumberOut(
                    number=n.number,
                    line_type=n.line_type,
                    status=n.status,
                    link_user_id=n.link_user_id,
                    link_direction=n.link_direction,
                )
                for n in request.numbers.all()
            ],
        )


class SlaFlagOut(Schema):
    code: str = Field(
        description="stalled, loa_expiring, loa_expired, foc_today, foc_tomorrow, "
        "foc_overdue or readiness_failing"
    )
    label: str
    detail: str
    severity: Literal["danger", "warning", "info"]


class QueueItemOut(Schema):
    request: DeskRequestOut
    age_business_days: int
    flags: list[SlaFlagOut]


class QueueOut(Schema):
    items: list[QueueItemOut]
    count: int
    counts: dict[str, int] = Field(description="Requests per status tab ('open': all open)")


class DeskFeeOut(Schema):
    id: int
    request_id: int
    company_id: int
    company_name: str
    kind: str
    amount_cents: int
    reason: str
    waived: bool
    created_at: datetime

    @staticmethod
    def of(fee: PortFee) -> DeskFeeOut:
        return DeskFeeOut(
            id=fee.pk,
            request_id=fee.request_id,
            company_id=fee.request.company_id,
            company_name=fee.request.company.name,
            kind=fee.kind,
            amount_cents=fee.amount_cents,
            reason=fee.reason,
            waived=fee.waived,
            created_at=fee.created_at,
        )


class FeeTotalOut(Schema):
    company_id: int
    company_name: str
    count: int
    charged_cents: int
    waived_cents: int


class FeesOut(Schema):
    items: list[DeskFeeOut]
    count: int
    totals: list[FeeTotalOut]


class ScheduleIn(Schema):
    foc_date: date = Field(description="A business day of the numbers' country (YYYY-MM-DD)")


class RejectIn(Schema):
    code: RejectionCode = Field(description="A carrier reject code or a reason of seed 004")
    note: str = ""
    fields_to_fix: list[str] = Field(default_factory=list)


class LinkIn(Schema):
    number: str
    user_id: int | None = None
    direction: Literal["inbound", "inbound_outbound"] = "inbound"


class CompleteIn(Schema):
    links: list[LinkIn] = Field(
        default_factory=list,
        description="Whom each number is linked to; numbers left out keep the request's "
        "links (none: in the inventory, unassigned)",
    )


class DeskAssignIn(Schema):
    assignee_id: int | None = Field(description="An operator's id, or null to unassign")


class ReasonIn(Schema):
    reason: str


class SecretsOut(Schema):
    account_number: str
    pin: str


# --- helpers --------------------------------------------------------------------------------


def _request(http: HttpRequest, request_id: int) -> tuple[Actor, PortRequest]:
    """The request as the caller may see it (404 otherwise); the services decide 403."""
    actor = actor_of(http)
    found = selectors.port_request_get(actor=actor, request_id=request_id)
    return actor, found


def _optional_message(request: HttpRequest) -> str:
    if request.content_type != "application/json":
        return str(request.POST.get("message", ""))[:500]
    if not request.body.strip():
        return ""
    try:
        data = json.loads(request.body)
    except ValueError as exc:
        raise ValidationFailed("The body must be JSON.", field="message") from exc
    message = data.get("message", "") if isinstance(data, dict) else None
    if not isinstance(message, str):
        raise ValidationFailed("message must be text.", field="message")
    return message[:500]


def _out(request: PortRequest) -> DeskRequestOut:
    fresh = (
        PortRequest.objects.select_related("company").prefetch_related("numbers").get(pk=request.pk)
    )
    return DeskRequestOut.of(fresh)


# --- the operator transitions -------------------------------------------------------------


@router.post(
    "/port-requests/{request_id}/accept",
    response=DeskRequestOut,
    summary="Accept (New → Pending)",
)
def desk_accept(request: HttpRequest, request_id: int) -> DeskRequestOut:
    """The porting team reviewed the request and sends it to the losing carrier."""
    actor, port = _request(request, request_id)
    return _out(services.port_request_accept(actor=actor, request=port))


@router.post(
    "/port-requests/{request_id}/in-progress",
    response=DeskRequestOut,
    summary="Mark In Progress (Pending → In Progress)",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"message": {"type": "string", "maxLength": 500}},
                    }
                }
            },
        }
    },
)
def desk_in_progress(request: HttpRequest, request_id: int) -> DeskRequestOut:
    """The losing carrier asked for more or is working on it. The body is optional:
    ``{"message": "..."}`` adds a line to the timeline."""
    actor, port = _request(request, request_id)
    may_act_as_porting_team(actor).check()
    message = _optional_message(request)
    return _out(services.port_request_mark_in_progress(actor=actor, request=port, message=message))


@router.post(
    "/port-requests/{request_id}/schedule",
    response=DeskRequestOut,
    summary="Set or move the FOC (→ Scheduled)",
)
def desk_schedule(request: HttpRequest, request_id: int, payload: ScheduleIn) -> DeskRequestOut:
    """The FOC must be a business day of the numbers' country (US and Canadian public
    holidays skipped), today or later; the estimated completion becomes the FOC."""
    actor, port = _request(request, request_id)
    may_act_as_porting_team(actor).check()
    return _out(
        services.port_request_schedule(actor=actor, request=port, foc_date=payload.foc_date)
    )


@router.post(
    "/port-requests/{request_id}/reject",
    response=DeskRequestOut,
    summary="Reject with a reason code (→ Rejected)",
)
def desk_reject(request: HttpRequest, request_id: int, payload: RejectIn) -> DeskRequestOut:
    """The customer then sees the code's remedy and may change only ``fields_to_fix``."""
    actor, port = _request(request, request_id)
    may_act_as_porting_team(actor).check()
    return _out(
        services.port_request_reject(
            actor=actor,
            request=port,
            code=payload.code.value,
            note=payload.note,
            fields_to_fix=payload.fields_to_fix,
        )
    )


@router.post(
    "/port-requests/{request_id}/complete",
    response=DeskRequestOut,
    summary="Complete and link the numbers (Scheduled → Completed)",
)
def desk_complete(request: HttpRequest, request_id: int, payload: CompleteIn) -> DeskRequestOut:
    """The numbers enter the company's inventory, linked to users; one outbound number per
    user (a new one demotes the old to inbound only)."""
    actor, port = _request(request, request_id)
    may_act_as_porting_team(actor).check()
    ids = {link.user_id for link in payload.links if link.user_id is not None}
    users = User.objects.in_bulk(list(ids))
    links: dict[str, tuple[User | None, str]] = {}
    for index, link in enumerate(payload.links):
        user = users.get(link.user_id) if link.user_id is not None else None
        if link.user_id is not None and user is None:
            raise ValidationFailed("Unknown user.", field=f"links[{index}].user_id")
        links[link.number] = (user, link.direction)
    return _out(port_request_complete(actor=actor, request=port, links=links))


@router.post(
    "/port-requests/{request_id}/assign",
    response=DeskRequestOut,
    summary="Assign to a porting agent",
)
def desk_assign(request: HttpRequest, request_id: int, payload: DeskAssignIn) -> DeskRequestOut:
    actor, port = _request(request, request_id)
    may_act_as_porting_team(actor).check()
    agent = None
    if payload.assignee_id is not None:
        agent = User.objects.filter(pk=payload.assignee_id, deleted_at__isnull=True).first()
        if agent is None:
            raise ValidationFailed("Unknown porting agent.", field="assignee_id")
    return _out(services.port_request_assign(actor=actor, request=port, agent=agent))


@router.post(
    "/port-requests/{request_id}/snap-back",
    response=DeskRequestOut,
    summary="Record a snap-back (within 24 h of completion)",
)
def desk_snap_back(request: HttpRequest, request_id: int, payload: ReasonIn) -> DeskRequestOut:
    """The numbers return to the losing carrier and leave the inventory; the snap-back fee
    is charged. Refused (409 ``snap_back_window_closed``) later than 24 hours after
    completion."""
    actor, port = _request(request, request_id)
    desk.port_request_snap_back(actor=actor, request=port, reason=payload.reason)
    return _out(port)


@router.post(
    "/port-requests/{request_id}/reveal",
    response=SecretsOut,
    summary="Reveal the carrier account number and PIN (audited)",
)
def desk_reveal(request: HttpRequest, request_id: int) -> SecretsOut:
    actor, port = _request(request, request_id)
    return SecretsOut(**desk.port_request_reveal(actor=actor, request=port))


# --- the queue and the fees ---------------------------------------------------------------


@router.get("/porting/desk", response=QueueOut, summary="The porting desk's queue")
def desk_queue(
    request: HttpRequest,
    status: str = "",
    assignee: str = "",
    search: str = "",
    sort: Literal["age", "-age", "id", "-id", "foc"] = "age",
    limit: int = 50,
    offset: int = 0,
) -> QueueOut:
    """Open requests (or one ``status``) with their age in business days since the last
    status change and their SLA flags. ``assignee``: me, none or an operator's id."""
    actor = actor_of(request)
    qs = desk.desk_queue(actor=actor, status=status, assignee=assignee, search=search, sort=sort)
    items, count = paginate(qs, limit=limit, offset=offset)
    rows = desk.queue_rows(items)
    return QueueOut(
        items=[
            QueueItemOut(
                request=DeskRequestOut.of(row.request),
                age_business_days=row.age_days,
                flags=[
                    SlaFlagOut(
                        code=f.code,
                        label=f.label,
                        detail=f.detail,
                        severity=f.severity,  # type: ignore[arg-type]
                    )
                    for f in row.flags
                ],
            )
            for row in rows
        ],
        count=count,
        counts=desk.queue_counts(actor=actor),
    )


@router.get("/porting/fees", response=FeesOut, summary="The porting fee ledger")
def desk_fees(
    request: HttpRequest,
    company_id: int | None = None,
    kind: Literal["", "resubmission", "snap_back"] = "",
    waived: bool | None = None,
    request_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> FeesOut:
    """Resubmission and snap-back fees, newest first, with totals per company."""
    actor = actor_of(request)
    qs = desk.fee_ledger(
        actor=actor, company_id=company_id, kind=kind, waived=waived, request_id=request_id
    )
    items, count = paginate(qs, limit=limit, offset=offset)
    return FeesOut(
        items=[DeskFeeOut.of(f) for f in items],
        count=count,
        totals=[
            FeeTotalOut(
                company_id=t.company.pk,
                company_name=t.company.name,
                count=t.count,
                charged_cents=t.charged_cents,
                waived_cents=t.waived_cents,
            )
            for t in desk.fee_totals(qs)
        ],
    )


@router.post("/porting/fees/{fee_id}/waive", response=DeskFeeOut, summary="Waive a fee (audited)")
def desk_fee_waive(request: HttpRequest, fee_id: int, payload: ReasonIn) -> DeskFeeOut:
    actor = actor_of(request)
    fee = desk.fee_get(actor=actor, fee_id=fee_id)
    desk.port_fee_waive(actor=actor, fee=fee, reason=payload.reason)
    return DeskFeeOut.of(fee)
