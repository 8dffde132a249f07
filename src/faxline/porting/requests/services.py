"""Every write of the porting desk's core: drafts, submission, the state machine, notes.

A state machine written once (DESIGN.md rule 2): each transition is a named service
(``port_request_submit``, ``_accept``, ``_mark_in_progress``, ``_schedule``, ``_reject``,
``_cancel``, and ``completion.port_request_complete``) that checks its guard, updates with
compare-and-set on the status (through :func:`transition`, which nothing else calls), and
appends a ``PortEvent``. Carrier adapters call the same services as a system actor. Who may
do what is ``porting.access``'s. Documents and the LOA e-signature live in
``porting.files``; the carrier adapters in ``porting.carriers``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from faxline.accounts.access import SYSTEM, Actor, SystemActor, actor_label
from faxline.accounts.models import Company, User
from faxline.accounts.validation import clean_email, clean_text
from faxline.core.audit import audit_record
from faxline.core.errors import Conflict, Forbidden, ValidationFailed
from faxline.core.events import publish_event
from faxline.numbers.plan import normalize_number
from faxline.porting.access import (
    may_act_as_porting_team,
    may_cancel,
    may_change_request,
    may_write_company_requests,
    may_write_private_notes,
)
from faxline.porting.choices import (
    DATA_ERRORS,
    EDITABLE,
    OPEN,
    SUBMITTED,
    TERMINAL,
    LineType,
    NoteVisibility,
    NumberStatus,
    PortStatus,
    PortType,
    RejectionCode,
)
from faxline.porting.models import PortEvent, PortFee, PortNote, PortNumber, PortRequest
from faxline.porting.requests.fields import FIELDS, REQUEST_FIELDS, SECRET_FIELDS, max_length

MAX_NUMBERS = 500
SHARED_USES = ("credit_card_terminal", "alarm", "internet")


# --- events ---------------------------------------------------------------------------


def record_event(
    request: PortRequest,
    *,
    kind: str,
    actor: Actor | SystemActor | None,
    message: str = "",
    from_status: str = "",
    to_status: str = "",
    **detail: Any,
) -> PortEvent:
    """Append an entry to the request's timeline (and the audit trail). ``actor`` None is
    faxline itself (``SYSTEM``)."""
    actor = actor or SYSTEM
    clean = {k: v for k, v in detail.items() if k not in SECRET_FIELDS}
    event = PortEvent.objects.create(
        request=request,
        actor=actor.user,
        actor_label=actor_label(actor),
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        message=message[:500],
        detail=clean,
    )
    audit_record(
        kind=f"port_request.{kind}",
        actor=actor.user,
        company=request.company,
        target=request,
        ip_address=actor.ip_address,
        detail={"from": from_status, "to": to_status, **clean},
    )
    return event


def transition(
    request: PortRequest,
    *,
    actor: Actor | SystemActor,
    allowed_from: Iterable[str],
    to: str,
    kind: str,
    message: str = "",
    fields: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> PortRequest:
    """Move ``request`` to ``to`` if its status is one of ``allowed_from`` (compare-and-set).

    Only the named transition services call this (a test scans the source); they check who
    may act first. A concurrent change that got there first makes this refuse with
    ``stale_status``.
    """
    allowed = set(allowed_from)
    # The stored status, not a possibly stale copy in memory; the update below is the CAS.
    current = PortRequest.objects.filter(pk=request.pk).values_list("status", flat=True).get()
    if current not in allowed:
        raise Conflict(
            f"A request that is {PortStatus(current).label} cannot be {kind.replace('_', ' ')}.",
            code="invalid_transition",
        )
    now = timezone.now()
    updates = {"status": to, "status_changed_at": now, "updated_at": now, **(fields or {})}
    if not PortRequest.objects.filter(pk=request.pk, status=current).update(**updates):
        raise Conflict("The request changed meanwhile; reload it.", code="stale_status")
    for name, value in updates.items():
        setattr(request, name, value)
    record_event(
        request,
        kind=kind,
        actor=actor,
        message=message,
        from_status=current,
        to_status=to,
        **(detail or {}),
    )
    if current != to:
        publish_event(
            "port_request.status_changed",
            company_id=request.company_id,
            data={**_port_data(request), "previous_status": current},
        )
    return request


def _port_data(request: PortRequest) -> dict[str, Any]:
    """What every ``port_request.*`` event says of the request (``PortRequestEventData``):
    never the account number, PIN or addresses."""
    return {
        "id": request.pk,
        "status": request.status,
        "foc_date": request.foc_date.isoformat() if request.foc_date else None,
    }


def _note_event(request: PortRequest, note: PortNote) -> None:
    """``port_request.note_added`` for a note the customer sees: who wrote it (the porting
    team or the customer) and whether it asks for action, not its text (read it through
    the API or the portal)."""
    publish_event(
        "port_request.note_added",
        company_id=request.company_id,
        data={
            **_port_data(request),
            "note_id": note.pk,
            "from_porting_team": note.from_porting_team,
            "action_required": note.action_required,
        },
    )


def after_commit(callback: Callable[[], None]) -> None:
    transaction.on_commit(callback)


def clean_note(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    """Like ``clean_text``, but a note may span lines: line breaks and tabs are kept."""
    if not isinstance(value, str):
        return clean_text(value, field=field, max_length=max_length, required=required)
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    clean_text(
        value.replace("\n", " ").replace("\t", " "),
        field=field,
        max_length=max_length,
        required=required,
    )
    return value


# --- drafts ---------------------------------------------------------------------------


@dataclass
class Cleaned:
    values: dict[str, Any]
    numbers: list[tuple[str, str]] | None


def _clean_number(raw: Any, field: str) -> str:
    return normalize_number(raw if isinstance(raw, str) else "", field=field)


def clean_request_data(data: dict[str, Any], *, partial: bool) -> Cleaned:
    """Shape checks of a request's fields (the first-time-right rules are the validator's)."""
    unknown = sorted(set(data) - set(REQUEST_FIELDS))
    if unknown:
        raise ValidationFailed(f"Unknown field {unknown[0]!r}.", field=unknown[0])
    out: dict[str, Any] = {}
    for spec in FIELDS:
        if spec.kind != "text":
            continue
        name = spec.name
        if spec.required and (name in data or not partial):
            out[name] = clean_text(
                data.get(name), field=name, max_length=spec.max_length, required=True
            )
        elif not spec.required and name in data:
            out[name] = clean_text(data.get(name), field=name, max_length=spec.max_length)
    if "contact_email" in data or not partial:
        out["contact_email"] = clean_email(data.get("contact_email"), field="contact_email")
    if "authorized_email" in data:
        out["authorized_email"] = clean_email(
            data.get("authorized_email"), field="authorized_email", required=False
        )
    if "country" in data or not partial:
        country = data.get("country") or "US"
        if country not in ("US", "CA"):
            raise ValidationFailed("country must be US or CA.", field="country")
        out["country"] = country
    if "state" in data or not partial:
        state = clean_text(
            data.get("state"), field="state", max_length=max_length("state"), required=True
        ).upper()
        if not state.isalpha() or len(state) != 2:
            raise ValidationFailed("state must be the two-letter code.", field="state")
        out["state"] = state
    if "postal_code" in data or not partial:
        out["postal_code"] = clean_text(
            data.get("postal_code"),
            field="postal_code",
            max_length=max_length("postal_code"),
            required=True,
        ).upper()
    if "port_type" in data or not partial:
        port_type = data.get("port_type") or PortType.FULL
        if port_type not in PortType.values:
            raise ValidationFailed("port_type must be full or partial.", field="port_type")
        out["port_type"] = port_type
    if "btn" in data or not partial:
        out["btn"] = _clean_number(data.get("btn"), "btn")
    if data.get("new_btn"):
        out["new_btn"] = _clean_number(data.get("new_btn"), "new_btn")
    elif "new_btn" in data:
        out["new_btn"] = ""
    if "shared_line_uses" in data:
        uses = data.get("shared_line_uses") or []
        if not isinstance(uses, list) or any(u not in SHARED_USES for u in uses):
            raise ValidationFailed(
                "shared_line_uses may list credit_card_terminal, alarm and internet.",
                field="shared_line_uses",
            )
        out["shared_line_uses"] = sorted(set(uses))
    if "requested_date" in data:
        value = data.get("requested_date")
        if value in (None, ""):
            out["requested_date"] = None
        else:
            try:
                out["requested_date"] = (
                    value if isinstance(value, date) else date.fromisoformat(str(value))
                )
            except ValueError as exc:
                raise ValidationFailed(
                    "requested_date must be a date (YYYY-MM-DD).", field="requested_date"
                ) from exc
    numbers: list[tuple[str, str]] | None = None
    if "numbers" in data or not partial:
        numbers = _clean_numbers(data.get("numbers"))
    return Cleaned(out, numbers)


def _clean_numbers(raw: Any) -> list[tuple[str, str]]:
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("List at least one number to port.", field="numbers")
    if len(raw) > MAX_NUMBERS:
        raise ValidationFailed(
            f"At most {MAX_NUMBERS} numbers per request; use bulk import to split.",
            field="numbers",
        )
    cleaned: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        entry = item if isinstance(item, dict) else {"number": item}
        field = f"numbers[{index}].number"
        number = _clean_number(entry.get("number"), field)
        line_type = entry.get("line_type") or LineType.UNKNOWN
        if line_type not in LineType.values:
            raise ValidationFailed(
                "line_type must be landline, wireless, voip, toll_free or unknown.",
                field=f"numbers[{index}].line_type",
            )
        if number in seen:
            raise ValidationFailed(f"{number} is listed twice.", field=field)
        seen.add(number)
        cleaned.append((number, line_type))
    return cleaned


@transaction.atomic
def port_request_create(
    *, actor: Actor, company: Company, data: dict[str, Any], save_address: bool = False
) -> PortRequest:
    """Start a port request (Draft) from the New Port Request wizard, the API or bulk.

    ``save_address`` also keeps its service address in the company's address book
    ("Save this address for future port requests"), in the same transaction.
    """
    may_write_company_requests(actor, company).check()
    cleaned = clean_request_data(data, partial=False)
    assert cleaned.numbers is not None
    if save_address:
        from faxline.porting.requests.addresses import service_address_save

        service_address_save(actor=actor, company=company, data=cleaned.values)
    request = PortRequest.objects.create(
        company=company,
        created_by=actor.user,
        carrier=settings.FAXLINE_PORTING_CARRIER,
        **cleaned.values,
    )
    PortNumber.objects.bulk_create(
        PortNumber(request=request, number=n, line_type=t) for n, t in cleaned.numbers
    )
    record_event(
        request,
        kind="created",
        actor=actor,
        to_status=PortStatus.DRAFT,
        message=f"Draft with {len(cleaned.numbers)} number(s)",
    )
    _take_over_onboarding_intents(request, [n for n, _ in cleaned.numbers])
    return request


def _take_over_onboarding_intents(request: PortRequest, numbers: list[str]) -> None:
    """A request that ports numbers the customer asked to keep at onboarding ("Keep my
    number") takes that intent over, so the onboarding order points at it."""
    from faxline.onboarding.selectors import pending_port_intents
    from faxline.onboarding.services import port_intent_claim

    wanted = set(numbers)
    for intent in pending_port_intents():
        if intent.company_id == request.company_id and wanted & {n for n, _ in intent.numbers}:
            port_intent_claim(order_id=intent.order_id, port_request_ref=str(request.pk))


@transaction.atomic
def port_request_update(*, actor: Actor, request: PortRequest, data: dict[str, Any]) -> PortRequest:
    """Change a Draft, or the fields a rejection reopened; after submission changes go
    through the porting team as change requests."""
    may_change_request(actor, request).check()
    locked = PortRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in EDITABLE:
        raise Conflict(
            "This request is with the porting team: ask for the change with a change "
            "request instead.",
            code="not_editable",
        )
    if locked.status == PortStatus.REJECTED and locked.fields_to_fix:
        closed = sorted(set(data) - set(locked.fields_to_fix))
        if closed:
            reopened = ", ".join(locked.fields_to_fix)
            raise Forbidden(
                f"Only the fields the rejection named can change: {reopened}.",
                field=closed[0],
                code="field_not_reopened",
            )
    cleaned = clean_request_data(data, partial=True)
    for name, value in cleaned.values.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*cleaned.values, "updated_at"])
    if cleaned.numbers is not None:
        locked.numbers.all().delete()
        PortNumber.objects.bulk_create(
            PortNumber(request=locked, number=n, line_type=t) for n, t in cleaned.numbers
        )
    changed = sorted(set(cleaned.values) | ({"numbers"} if cleaned.numbers is not None else set()))
    record_event(
        locked, kind="updated", actor=actor, message="Changed " + ", ".join(changed), fields=changed
    )
    request.refresh_from_db()
    return request


# --- submission and the customer's transitions ------------------------------------------


def _validation_errors(request: PortRequest, as_of: date | None) -> list[Any]:
    from faxline.porting.validation.checks import findings_of

    return [f for f in findings_of(request, as_of=as_of) if f.severity == "error"]


def _onboarding_blocker(request: PortRequest) -> str | None:
    """Why the company's onboarding order holds its ports back (None: it does not)."""
    from faxline.onboarding.selectors import order_of_company, porting_blocker

    order = order_of_company(request.company)
    return porting_blocker(order) if order is not None else None


@transaction.atomic
def port_request_submit(
    *, actor: Actor, request: PortRequest, as_of: date | None = None
) -> PortRequest:
    """Submit a Draft (or resubmit a Rejected request after its fix): it becomes New.

    Refused without a signed LOA (seed 000), while the first-time-right checks find an
    error, or while the onboarding order blocks porting.
    """
    may_change_request(actor, request).check()
    locked = PortRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in (PortStatus.DRAFT, PortStatus.REJECTED):
        raise Conflict(
            f"A request that is {PortStatus(locked.status).label} cannot be submitted.",
            code="invalid_transition",
        )
    from faxline.porting.validation.checks import loa_signed_for

    if not loa_signed_for(locked):
        raise Conflict(
            "Sign the Letter of Authorization first: without a signed LOA the losing "
            "carrier cannot release the numbers.",
            code="loa_not_signed",
            field="loa",
        )
    errors = _validation_errors(locked, as_of)
    if errors:
        first = errors[0]
        more = (
            f" ({len(errors) - 1} more problem(s) listed on the request)" if len(errors) > 1 else ""
        )
        raise ValidationFailed(first.message + more, field=first.field, code=first.code)
    blocker = _onboarding_blocker(locked)
    if blocker:
        raise Conflict(blocker, code="payment_authorization_required")
    resubmission = locked.status == PortStatus.REJECTED
    from faxline.porting.requests.schedule import estimate_completion

    fields: dict[str, Any] = {
        "submitted_at": timezone.now(),
        "eta": estimate_completion(locked, from_day=timezone.localdate()),
        "action_required": False,
        "fields_to_fix": [],
    }
    if resubmission:
        fields["resubmissions"] = locked.resubmissions + 1
        if locked.rejection_code in DATA_ERRORS and settings.FAXLINE_RESUBMISSION_FEE_CENTS:
            PortFee.objects.create(
                request=locked,
                kind="resubmission",
                amount_cents=settings.FAXLINE_RESUBMISSION_FEE_CENTS,
                reason=f"Resubmission after rejection {locked.rejection_code}",
                created_by=actor.user,
            )
    transition(
        locked,
        actor=actor,
        allowed_from=(PortStatus.DRAFT, PortStatus.REJECTED),
        to=PortStatus.NEW,
        kind="resubmitted" if resubmission else "submitted",
        message=f"Estimated completion {fields['eta']:%Y-%m-%d}" if fields["eta"] else "",
        fields=fields,
    )
    PortNumber.objects.filter(request=locked).exclude(status=NumberStatus.PORTED).update(
        status=NumberStatus.REQUESTED
    )
    _notify(locked, "received")
    _nudge_carrier(locked, "submitted")
    request.refresh_from_db()
    return request


@transaction.atomic
def port_request_cancel(*, actor: Actor, request: PortRequest, reason: str = "") -> PortRequest:
    """Cancel a request (who may, and when, is ``porting.access.may_cancel``: customers
    while it is a Draft, New or Rejected; the porting team from any state that is not final,
    and only they within 48 hours of the FOC)."""
    may_cancel(actor, request).check()
    reason = clean_text(reason, field="reason", max_length=500)
    transition(
        request,
        actor=actor,
        allowed_from=OPEN,
        to=PortStatus.CANCELLED,
        kind="cancelled",
        message=reason,
        detail={"reason": reason},
    )
    PortNumber.objects.filter(request=request).exclude(status=NumberStatus.PORTED).update(
        status=NumberStatus.CANCELLED
    )
    _notify(request, "cancelled")
    return request


# --- the porting team's transitions ------------------------------------------------------


@transaction.atomic
def port_request_accept(
    *,
    actor: Actor | SystemActor,
    request: PortRequest,
    message: str = "Sent to the losing carrier",
) -> PortRequest:
    """New → Pending: the porting team reviewed it and contacts the losing carrier (or a
    carrier adapter's upstream provider approved it)."""
    may_act_as_porting_team(actor).check()
    return transition(
        request,
        actor=actor,
        allowed_from=(PortStatus.NEW,),
        to=PortStatus.PENDING,
        kind="accepted",
        message=message,
    )


@transaction.atomic
def port_request_mark_in_progress(
    *, actor: Actor | SystemActor, request: PortRequest, message: str = ""
) -> PortRequest:
    """Pending → In Progress: the losing carrier asked for more, or is working on it."""
    may_act_as_porting_team(actor).check()
    return transition(
        request,
        actor=actor,
        allowed_from=(PortStatus.PENDING,),
        to=PortStatus.IN_PROGRESS,
        kind="in_progress",
        message=message,
    )


@transaction.atomic
def port_request_schedule(
    *, actor: Actor | SystemActor, request: PortRequest, foc_date: date
) -> PortRequest:
    """Set (or move) the FOC date: the request becomes Scheduled."""
    may_act_as_porting_team(actor).check()
    from faxline.core.calendar import why_not_business_day

    if not isinstance(foc_date, date):
        raise ValidationFailed("foc_date must be a date.", field="foc_date")
    if foc_date < timezone.localdate():
        raise ValidationFailed("The FOC date cannot be in the past.", field="foc_date")
    why = why_not_business_day(foc_date, country=request.country)
    if why:
        raise ValidationFailed(f"The FOC date must be a business day: {why}.", field="foc_date")
    previous = request.foc_date
    transition(
        request,
        actor=actor,
        allowed_from=(PortStatus.PENDING, PortStatus.IN_PROGRESS, PortStatus.SCHEDULED),
        to=PortStatus.SCHEDULED,
        kind="rescheduled" if previous else "scheduled",
        message=f"FOC {foc_date:%Y-%m-%d}",
        fields={"foc_date": foc_date, "eta": foc_date},
        detail={"foc_date": foc_date.isoformat(), "previous": str(previous or "")},
    )
    PortNumber.objects.filter(request=request, status=NumberStatus.REQUESTED).update(
        status=NumberStatus.SCHEDULED
    )
    publish_event(
        "port_request.foc_set",
        company_id=request.company_id,
        data={
            **_port_data(request),
            "previous_foc_date": previous.isoformat() if previous else None,
        },
    )
    _notify(request, "scheduled")
    return request


@transaction.atomic
def port_request_reject(
    *,
    actor: Actor | SystemActor,
    request: PortRequest,
    code: str,
    note: str = "",
    fields_to_fix: list[str] | None = None,
) -> PortRequest:
    """The losing carrier (or the porting team) rejected the request, with a reason code.

    The customer sees the code's remedy and may fix the ``fields_to_fix`` and resubmit.
    """
    may_act_as_porting_team(actor).check()
    if code not in RejectionCode.values:
        raise ValidationFailed("Choose a rejection reason code.", field="code")
    fix = sorted(set(fields_to_fix or []))
    unknown = sorted(set(fix) - set(REQUEST_FIELDS) - {"documents"})
    if unknown:
        raise ValidationFailed(f"Unknown field {unknown[0]!r} to fix.", field="fields_to_fix")
    note = clean_note(note, field="note", max_length=2000)
    transition(
        request,
        actor=actor,
        allowed_from=SUBMITTED,
        to=PortStatus.REJECTED,
        kind="rejected",
        message=f"{code}: {RejectionCode(code).label}",
        fields={
            "rejection_code": code,
            "rejection_note": note,
            "fields_to_fix": fix,
            "action_required": True,
            "foc_date": None,
        },
        detail={"code": code, "fields_to_fix": fix},
    )
    if note:
        _note_event(
            request,
            PortNote.objects.create(
                request=request,
                author=actor.user,
                author_label="Porting team",
                from_porting_team=True,
                body=note,
                action_required=True,
            ),
        )
    _notify(request, "rejected")
    return request


@transaction.atomic
def port_request_assign(*, actor: Actor, request: PortRequest, agent: User | None) -> PortRequest:
    """Give the request to a porting agent (an operator), or take it back."""
    may_act_as_porting_team(actor).check()
    if agent is not None and not agent.is_operator:
        raise ValidationFailed("Porting agents are operators.", field="assignee_id")
    if request.status in TERMINAL:
        raise Conflict("The request is closed.", code="request_closed")
    PortRequest.objects.filter(pk=request.pk).update(assignee=agent, updated_at=timezone.now())
    request.assignee = agent
    record_event(
        request,
        kind="assigned",
        actor=actor,
        message=f"Assigned to {agent}" if agent else "Unassigned",
        assignee_id=agent.pk if agent else None,
    )
    return request


# --- notes ------------------------------------------------------------------------------


@transaction.atomic
def port_note_add(
    *,
    actor: Actor,
    request: PortRequest,
    body: str,
    private: bool = False,
    action_required: bool = False,
) -> PortNote:
    """A note both ways; private notes and the action-required flag are the team's."""
    may_change_request(actor, request).check()
    team = bool(may_act_as_porting_team(actor))
    if private or action_required:
        may_write_private_notes(actor).check()
    body = clean_note(body, field="body", max_length=5000, required=True)
    note = PortNote.objects.create(
        request=request,
        author=actor.user,
        author_label="Porting team" if team else str(actor.user),
        from_porting_team=team,
        visibility=NoteVisibility.PRIVATE if private else NoteVisibility.PUBLIC,
        body=body,
        action_required=action_required,
    )
    if team and action_required:
        PortRequest.objects.filter(pk=request.pk).update(action_required=True)
        request.action_required = True
    elif not team and request.action_required and request.status != PortStatus.REJECTED:
        PortRequest.objects.filter(pk=request.pk).update(action_required=False)
        request.action_required = False
    record_event(
        request,
        kind="note_private" if private else "note",
        actor=actor,
        message="Private note" if private else "Note added",
        note_id=note.pk,
    )
    if not private:
        _note_event(request, note)
        _notify(request, "note", note=note)
    return note


# --- side effects -----------------------------------------------------------------------


def _notify(request: PortRequest, what: str, **extra: Any) -> None:
    """Tell the requesting party (email through the notification service, after commit)."""
    from faxline.porting.requests.notifications import notify_port_event

    notify_port_event(request, what, **extra)


def _nudge_carrier(request: PortRequest, what: str) -> None:
    """Let the request's carrier adapter react after commit (the sandbox simulates)."""
    from faxline.porting.carriers import carrier_for

    adapter = carrier_for(request)
    request_id = request.pk
    after_commit(lambda: adapter.on_event(request_id, what))
