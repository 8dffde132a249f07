"""REST API of Number Porting, the customer's side: port requests (list, create, detail,
change), their first-time-right findings, submit, cancel, notes, timeline, change requests
and the bulk import. The same services and selectors as the portal.

Never returned: the PIN (only whether one is on file) and the full carrier account number
(masked to its last 4 characters). Fax users see no porting (403); another company's request
does not exist (404); read-only administrators may read but not write (403); bad input is
422 naming the field, with nothing written.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from faxline.accounts.access import Actor
from faxline.accounts.api_auth import actor_of
from faxline.accounts.selectors import actor_company, company_get
from faxline.core.errors import ValidationFailed
from faxline.core.pagination import DEFAULT_LIMIT, limit_description, paginate, paginate_list
from faxline.porting.access import may_use_porting
from faxline.porting.choices import PortStatus
from faxline.porting.models import ChangeRequest, PortNote, PortRequest
from faxline.porting.requests import bulk, changes, selectors, services
from faxline.porting.requests.changes import MAX_REASON
from faxline.porting.requests.remedies import remedy_for
from faxline.porting.validation.checks import findings_of, loa_signed_for

router = Router(tags=["Number Porting"])
LIMIT = Query(DEFAULT_LIMIT, description=limit_description())
OFFSET = Query(0, description="Items to skip.")

LineTypeIn = Literal["landline", "wireless", "voip", "toll_free", "unknown"]
SharedUseIn = Literal["credit_card_terminal", "alarm", "internet"]


# --- access -----------------------------------------------------------------------------


def _porting_actor(request: HttpRequest) -> Actor:
    """The caller, refused with 403 when Number Porting is not for them (fax users,
    administrators without the right to view port requests)."""
    actor = actor_of(request)
    may_use_porting(actor).check()
    return actor


def _get(actor: Actor, request_id: int) -> PortRequest:
    return selectors.port_request_get(actor=actor, request_id=request_id)


# --- schemas ----------------------------------------------------------------------------


class NumberIn(Schema):
    number: str = Field(max_length=40)
    line_type: LineTypeIn = "unknown"


class PortRequestFields(Schema):
    """The fields of a port request; on PATCH only those sent change."""

    contact_first_name: str | None = None
    contact_last_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    numbers: list[NumberIn] | None = Field(default=None, max_length=services.MAX_NUMBERS)
    port_type: Literal["full", "partial"] | None = None
    btn: str | None = None
    new_btn: str | None = None
    losing_carrier: str | None = None
    account_number: str | None = Field(
        default=None, description="Write only; returned masked to its last 4 characters."
    )
    pin: str | None = Field(default=None, description="Write only; never returned.")
    business_name: str | None = None
    authorized_name: str | None = None
    authorized_title: str | None = None
    authorized_email: str | None = None
    street: str | None = None
    unit: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: Literal["US", "CA"] | None = None
    shared_line_uses: list[SharedUseIn] | None = None
    special_instructions: str | None = None
    requested_date: date | None = None


class PortRequestCreateIn(PortRequestFields):
    company_id: int | None = Field(
        default=None,
        description="The company (operators and channel partners); administrators: their own.",
    )
    save_address: bool = Field(
        default=False,
        description="Also keep the service address in the company's address book (the "
        "wizard's 'Save this address for future port requests').",
    )


class AddressOut(Schema):
    street: str
    unit: str
    city: str
    state: str
    postal_code: str
    country: str


class PortNumberOut(Schema):
    number: str
    line_type: str
    status: str


class RejectionOut(Schema):
    code: str
    label: str
    remedy: str
    note: str


class FeeOut(Schema):
    kind: str
    amount_cents: int
    reason: str
    waived: bool
    created_at: datetime


class PortRequestOut(Schema):
    id: int
    company_id: int
    company: str
    status: str
    status_label: str
    action_required: bool
    business_name: str
    contact_first_name: str
    contact_last_name: str
    contact_phone: str
    contact_email: str
    port_type: str
    btn: str
    new_btn: str
    losing_carrier: str
    account_number_masked: str
    pin_on_file: bool
    authorized_name: str
    authorized_title: str
    authorized_email: str
    service_address: AddressOut
    shared_line_uses: list[str]
    special_instructions: str
    requested_date: date | None
    numbers: list[PortNumberOut]
    loa_signed: bool
    created_at: datetime
    submitted_at: datetime | None
    eta: date | None
    foc_date: date | None
    completed_at: datetime | None
    rejection: RejectionOut | None
    fields_to_fix: list[str]
    resubmissions: int
    fees: list[FeeOut]

    @staticmethod
    def of(port: PortRequest) -> PortRequestOut:
        rejection = None
        if port.status == PortStatus.REJECTED and port.rejection_code:
            rejection = RejectionOut(
                code=port.rejection_code,
                label=port.get_rejection_code_display(),
                remedy=remedy_for(port.rejection_code),
                note=port.rejection_note,
            )
        return PortRequestOut(
            id=port.pk,
            company_id=port.company_id,
            company=port.company.name,
            status=port.status,
            status_label=port.get_status_display(),
            action_required=port.action_required,
            business_name=port.business_name,
            contact_first_name=port.contact_first_name,
            contact_last_name=port.contact_last_name,
            contact_phone=port.contact_phone,
            contact_email=port.contact_email,
            port_type=port.port_type,
            btn=port.btn,
            new_btn=port.new_btn,
            losing_carrier=port.losing_carrier,
            account_number_masked=changes.masked_value("account_number", port.account_number),
            pin_on_file=bool(port.pin),
            authorized_name=port.authorized_name,
            authorized_title=port.authorized_title,
            authorized_email=port.authorized_email,
            service_address=AddressOut(
                street=port.street,
                unit=port.unit,
                city=port.city,
                state=port.state,
                postal_code=port.postal_code,
                country=port.country,
            ),
            shared_line_uses=list(port.shared_line_uses or []),
            special_instructions=port.special_instructions,
            requested_date=port.requested_date,
            numbers=[
                PortNumberOut(number=n.number, line_type=n.line_type, status=n.status)
                for n in port.numbers.all()
            ],
            loa_signed=loa_signed_for(port),
            created_at=port.created_at,
            submitted_at=port.submitted_at,
            eta=port.eta,
            foc_date=port.foc_date,
            completed_at=port.completed_at,
            rejection=rejection,
            fields_to_fix=list(port.fields_to_fix or []),
            resubmissions=port.resubmissions,
            fees=[
                FeeOut(
                    kind=f.kind,
                    amount_cents=f.amount_cents,
                    reason=f.reason,
                    waived=f.waived,
                    created_at=f.created_at,
                )
                for f in port.fees.all()
            ],
        )


class PortRequestSummaryOut(Schema):
    id: int
    company_id: int
    company: str
    business_name: str
    status: str
    status_label: str
    action_required: bool
    numbers: list[str]
    created_at: datetime
    eta: date | None
    foc_date: date | None
    completed_at: datetime | None


class PortRequestListOut(Schema):
    items: list[PortRequestSummaryOut]
    count: int


class FindingOut(Schema):
    code: str
    severity: Literal["error", "warning"]
    field: str
    message: str


class FindingsOut(Schema):
    findings: list[FindingOut]
    loa_signed: bool
    ready: bool = Field(description="True when Submit would pass the checks.")


class CancelIn(Schema):
    reason: str = Field(default="", max_length=500)


class NoteIn(Schema):
    body: str
    private: bool = False
    action_required: bool = False


class NoteOut(Schema):
    id: int
    author: str
    from_porting_team: bool
    private: bool
    action_required: bool
    body: str
    created_at: datetime

    @staticmethod
    def of(note: PortNote) -> NoteOut:
        return NoteOut(
            id=note.pk,
            author=note.author_label,
            from_porting_team=note.from_porting_team,
            private=note.visibility == "private",
            action_required=note.action_required,
            body=note.body,
            created_at=note.created_at,
        )


class NoteListOut(Schema):
    items: list[NoteOut]
    count: int


class TimelineEntryOut(Schema):
    at: datetime
    kind: str
    who: str
    title: str
    text: str
    from_status: str
    to_status: str
    private: bool
    action_required: bool


class TimelineOut(Schema):
    items: list[TimelineEntryOut]
    count: int


class ChangeIn(Schema):
    changes: dict[str, Any] = Field(
        description="Field → new value, with the names and shapes of PATCH /port-requests/{id}."
    )
    reason: str = Field(max_length=MAX_REASON)


class ChangeLineOut(Schema):
    field: str
    label: str
    value: str


class ChangeOut(Schema):
    id: int
    status: str
    changes: list[ChangeLineOut]
    reason: str
    requested_by: str | None
    created_at: datetime
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def of(change: ChangeRequest) -> ChangeOut:
        return ChangeOut(
            id=change.pk,
            status=change.status,
            changes=[
                ChangeLineOut(field=line.field, label=line.label, value=line.value)
                for line in changes.change_lines(change)
            ],
            reason=change.reason,
            requested_by=str(change.requested_by) if change.requested_by else None,
            created_at=change.created_at,
            decided_at=change.decided_at,
            decision_note=change.decision_note,
        )


class ChangeListOut(Schema):
    items: list[ChangeOut]
    count: int


class ChangeDecisionIn(Schema):
    note: str = Field(default="", max_length=MAX_REASON)


class BulkGroupOut(Schema):
    index: int
    losing_carrier: str
    btn: str
    address: str
    authorized_name: str
    rows: list[int]
    numbers: list[str]
    status: Literal["created", "refused"]
    request_id: int | None
    message: str
    field: str | None


class PortBulkRowOut(Schema):
    row: int
    line: int
    number: str
    message: str
    field: str | None


class BulkReportOut(Schema):
    rows: int
    created: int
    refused: int
    request_ids: list[int]
    groups: list[BulkGroupOut]
    refused_rows: list[PortBulkRowOut]


# --- port requests ----------------------------------------------------------------------


def _fields(payload: Schema) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("company_id", None)
    data.pop("save_address", None)
    if "numbers" in data and data["numbers"] is not None:
        data["numbers"] = [dict(n) for n in data["numbers"]]
    return data


@router.get(
    "/port-requests",
    response=PortRequestListOut,
    summary="List port requests",
    description="The Port Requests list: filter by `status`, `action_required`, search by ID, "
    "business name or number; newest first.",
)
def port_request_list(
    request: HttpRequest,
    status: PortStatus | None = None,
    search: str = "",
    action_required: bool | None = None,
    company_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> PortRequestListOut:
    actor = _porting_actor(request)
    qs = selectors.port_request_list(
        actor=actor,
        status=status.value if status else None,
        search=search[:100],
        action_required=action_required,
        company_id=company_id,
    ).prefetch_related("numbers")
    items, count = paginate(qs, limit=limit, offset=offset)
    return PortRequestListOut(
        items=[
            PortRequestSummaryOut(
                id=p.pk,
                company_id=p.company_id,
                company=p.company.name,
                business_name=p.business_name,
                status=p.status,
                status_label=p.get_status_display(),
                action_required=p.action_required,
                numbers=[n.number for n in p.numbers.all()],
                created_at=p.created_at,
                eta=p.eta,
                foc_date=p.foc_date,
                completed_at=p.completed_at,
            )
            for p in items
        ],
        count=count,
    )


@router.post(
    "/port-requests",
    response={201: PortRequestOut},
    summary="Start a port request (Draft)",
    description="Creates a Draft; sign the LOA, add the bill, then `POST .../submit`.",
)
def port_request_create(request: HttpRequest, payload: PortRequestCreateIn) -> Status:
    actor = _porting_actor(request)
    if payload.company_id is not None:
        company = company_get(actor=actor, company_id=payload.company_id)
    elif actor.user.company_id is not None:
        company = actor_company(actor=actor)
    else:
        raise ValidationFailed("company_id is required.", field="company_id")
    port = services.port_request_create(
        actor=actor, company=company, data=_fields(payload), save_address=payload.save_address
    )
    return Status(201, PortRequestOut.of(port))


@router.get("/port-requests/{int:request_id}", response=PortRequestOut, summary="A port request")
def port_request_detail(request: HttpRequest, request_id: int) -> PortRequestOut:
    actor = _porting_actor(request)
    return PortRequestOut.of(_get(actor, request_id))


@router.patch(
    "/port-requests/{int:request_id}",
    response=PortRequestOut,
    summary="Change a Draft, or the fields a rejection reopened",
    description="After submission, changes go through the porting team: `POST .../changes`.",
)
def port_request_update(
    request: HttpRequest, request_id: int, payload: PortRequestFields
) -> PortRequestOut:
    actor = _porting_actor(request)
    port = _get(actor, request_id)
    data = _fields(payload)
    if not data:
        raise ValidationFailed("Send at least one field to change.", field="body")
    port = services.port_request_update(actor=actor, request=port, data=data)
    return PortRequestOut.of(port)


@router.get(
    "/port-requests/{int:request_id}/findings",
    response=FindingsOut,
    summary="First-time-right findings of a port request",
    description="What the losing carrier would reject: errors block Submit, warnings inform.",
)
def port_request_findings(request: HttpRequest, request_id: int) -> FindingsOut:
    actor = _porting_actor(request)
    port = _get(actor, request_id)
    found = findings_of(port)
    signed = loa_signed_for(port)
    return FindingsOut(
        findings=[
            FindingOut(code=f.code, severity=f.severity, field=f.field, message=f.message)
            for f in found
        ],
        loa_signed=signed,
        ready=signed and not any(f.severity == "error" for f in found),
    )


@router.post(
    "/port-requests/{int:request_id}/submit",
    response=PortRequestOut,
    summary="Submit (or resubmit after a rejection)",
    description="Refused with 409 `loa_not_signed` without a signed LOA, and with 422 and the "
    "finding's code while a first-time-right check finds an error.",
)
def port_request_submit(request: HttpRequest, request_id: int) -> PortRequestOut:
    actor = _porting_actor(request)
    port = services.port_request_submit(actor=actor, request=_get(actor, request_id))
    return PortRequestOut.of(port)


@router.post(
    "/port-requests/{int:request_id}/cancel",
    response=PortRequestOut,
    summary="Cancel a port request",
    description="Customers while Draft, New or Rejected; within 48 hours of the FOC only the "
    "porting team.",
)
def port_request_cancel(
    request: HttpRequest, request_id: int, payload: CancelIn | None = None
) -> PortRequestOut:
    actor = _porting_actor(request)
    port = _get(actor, request_id)
    services.port_request_cancel(
        actor=actor, request=port, reason=payload.reason if payload else ""
    )
    port.refresh_from_db()
    return PortRequestOut.of(port)


# --- notes and timeline -----------------------------------------------------------------


@router.get(
    "/port-requests/{int:request_id}/notes",
    response=NoteListOut,
    summary="Notes of a port request",
    description="Both ways; private notes only for the porting team.",
)
def port_note_list(
    request: HttpRequest, request_id: int, limit: int = LIMIT, offset: int = OFFSET
) -> NoteListOut:
    actor = _porting_actor(request)
    notes, count = paginate(
        selectors.notes_of(actor=actor, request=_get(actor, request_id)),
        limit=limit,
        offset=offset,
    )
    return NoteListOut(items=[NoteOut.of(n) for n in notes], count=count)


@router.post(
    "/port-requests/{int:request_id}/notes",
    response={201: NoteOut},
    summary="Add a note",
    description="`private` and `action_required` are the porting team's.",
)
def port_note_create(request: HttpRequest, request_id: int, payload: NoteIn) -> Status:
    actor = _porting_actor(request)
    note = services.port_note_add(
        actor=actor,
        request=_get(actor, request_id),
        body=payload.body,
        private=payload.private,
        action_required=payload.action_required,
    )
    return Status(201, NoteOut.of(note))


@router.get(
    "/port-requests/{int:request_id}/timeline",
    response=TimelineOut,
    summary="Timeline of a port request",
    description="Transitions, changes and notes together, oldest first.",
)
def port_timeline(
    request: HttpRequest, request_id: int, limit: int = LIMIT, offset: int = OFFSET
) -> TimelineOut:
    actor = _porting_actor(request)
    entries, count = paginate_list(
        selectors.timeline(actor=actor, request=_get(actor, request_id)),
        limit=limit,
        offset=offset,
    )
    return TimelineOut(
        items=[
            TimelineEntryOut(
                at=e.at,
                kind=e.kind,
                who=e.who,
                title=e.title,
                text=e.text,
                from_status=e.from_status,
                to_status=e.to_status,
                private=e.private,
                action_required=e.action_required,
            )
            for e in entries
        ],
        count=count,
    )


# --- change requests --------------------------------------------------------------------


@router.get(
    "/port-requests/{int:request_id}/changes",
    response=ChangeListOut,
    summary="Change requests of a port request",
)
def port_change_list(
    request: HttpRequest, request_id: int, limit: int = LIMIT, offset: int = OFFSET
) -> ChangeListOut:
    actor = _porting_actor(request)
    items, count = paginate(
        changes.change_requests_of(actor=actor, request=_get(actor, request_id)),
        limit=limit,
        offset=offset,
    )
    return ChangeListOut(items=[ChangeOut.of(c) for c in items], count=count)


@router.post(
    "/port-requests/{int:request_id}/changes",
    response={201: ChangeOut},
    summary="Ask the porting team for a change",
    description="After submission (New, Pending, In Progress, Scheduled); the porting team "
    "accepts (the change is applied) or refuses it.",
)
def port_change_create(request: HttpRequest, request_id: int, payload: ChangeIn) -> Status:
    actor = _porting_actor(request)
    change = changes.change_request_create(
        actor=actor,
        request=_get(actor, request_id),
        changes=payload.changes,
        reason=payload.reason,
    )
    return Status(201, ChangeOut.of(change))


@router.post(
    "/port-requests/{int:request_id}/changes/{int:change_id}/accept",
    response=ChangeOut,
    summary="Accept a change request (porting team)",
)
def port_change_accept(
    request: HttpRequest, request_id: int, change_id: int, payload: ChangeDecisionIn | None = None
) -> ChangeOut:
    actor = _porting_actor(request)
    change = changes.change_request_get(
        actor=actor, request=_get(actor, request_id), change_id=change_id
    )
    changes.change_request_accept(actor=actor, change=change, note=payload.note if payload else "")
    change.refresh_from_db()
    return ChangeOut.of(change)


@router.post(
    "/port-requests/{int:request_id}/changes/{int:change_id}/refuse",
    response=ChangeOut,
    summary="Refuse a change request (porting team)",
)
def port_change_refuse(
    request: HttpRequest, request_id: int, change_id: int, payload: ChangeDecisionIn
) -> ChangeOut:
    actor = _porting_actor(request)
    change = changes.change_request_get(
        actor=actor, request=_get(actor, request_id), change_id=change_id
    )
    changes.change_request_refuse(actor=actor, change=change, reason=payload.note)
    return ChangeOut.of(change)


# --- bulk -------------------------------------------------------------------------------


@router.post(
    "/port-requests/bulk",
    response=BulkReportOut,
    summary="Bulk import port requests from a CSV file",
    description="Splits the numbers into one Draft per losing carrier + BTN + service address "
    "+ authorized person; all or nothing per group. Columns: " + ", ".join(bulk.COLUMNS) + ".",
)
def port_request_bulk(
    request: HttpRequest,
    file: File[UploadedFile],
    company_id: Form[int | None] = None,
) -> BulkReportOut:
    actor = _porting_actor(request)
    if company_id is not None:
        company = company_get(actor=actor, company_id=company_id)
    elif actor.user.company_id is not None:
        company = actor_company(actor=actor)
    else:
        raise ValidationFailed("company_id is required.", field="company_id")
    report = bulk.port_requests_bulk_create(
        actor=actor, company=company, data=file.read(bulk.MAX_BYTES + 1)
    )
    return BulkReportOut(
        rows=report.rows,
        created=report.created,
        refused=report.refused,
        request_ids=report.request_ids,
        groups=[
            BulkGroupOut(
                index=g.index,
                losing_carrier=g.losing_carrier,
                btn=g.btn,
                address=g.address,
                authorized_name=g.authorized_name,
                rows=g.rows,
                numbers=g.numbers,
                status=g.status,
                request_id=g.request_id,
                message=g.message,
                field=g.field,
            )
            for g in report.groups
        ],
        refused_rows=[
            PortBulkRowOut(
                row=r.row, line=r.line, number=r.number, message=r.message, field=r.field
            )
            for r in report.refused_rows
        ],
    )
