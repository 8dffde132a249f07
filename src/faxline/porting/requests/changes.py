"""Change requests: after submission the customer asks, the porting team accepts or refuses.

The guide: once a port is in process, changes that must reach the losing or winning carrier
(a new address, BTN, ...) go through the porting team. A change request holds the fields to
change and the reason; accepting applies it to the request (with a timeline event and a note
to the customer), refusing records the team's reason. The asked values may hold a PIN or an
account number: they are stored encrypted and shown masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.validation import clean_text
from faxline.core.crypto import mask, mask_secret
from faxline.core.errors import Conflict, NotFound, ValidationFailed
from faxline.porting.access import may_act_as_porting_team, may_change_request, may_see_request
from faxline.porting.choices import SUBMITTED, TERMINAL, ChangeStatus, NumberStatus, PortStatus
from faxline.porting.models import ChangeRequest, PortNumber, PortRequest
from faxline.porting.requests.fields import REQUEST_FIELDS, field_label
from faxline.porting.requests.services import (
    clean_request_data,
    port_note_add,
    record_event,
)

CHANGEABLE_FIELDS = tuple(name for name in REQUEST_FIELDS if name != "shared_line_uses")
MAX_REASON = 2000


def masked_value(name: str, value: Any) -> str:
    """A field's value as pages, emails and the API may show it (PIN and account masked)."""
    if value in (None, ""):
        return "—" if name != "pin" else "(none)"
    if name == "pin":
        return mask_secret(str(value))
    if name == "account_number":
        return mask(str(value))
    if name == "numbers" and isinstance(value, list):
        return ", ".join(str(item.get("number", item)) for item in value)
    if name == "shared_line_uses" and isinstance(value, list):
        return ", ".join(value) or "—"
    return str(value)


def _to_json(values: dict[str, Any], numbers: list[tuple[str, str]] | None) -> str:
    out: dict[str, Any] = {}
    for name, value in values.items():
        out[name] = value.isoformat() if isinstance(value, date) else value
    if numbers is not None:
        out["numbers"] = [{"number": n, "line_type": t} for n, t in numbers]
    return json.dumps(out, sort_keys=True)


def asked_changes(change: ChangeRequest) -> dict[str, Any]:
    """The field → new value pairs a change request asks for (secrets in clear: do not show)."""
    try:
        data = json.loads(change.changes or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class ChangeLine:
    field: str
    label: str
    value: str  # masked


def change_lines(change: ChangeRequest) -> list[ChangeLine]:
    """What a change request asks, field by field, masked for display."""
    order = {name: i for i, name in enumerate(REQUEST_FIELDS)}
    data = asked_changes(change)
    return [
        ChangeLine(name, field_label(name), masked_value(name, data[name]))
        for name in sorted(data, key=lambda n: order.get(n, 99))
    ]


# --- reads ------------------------------------------------------------------------------


def change_requests_of(*, actor: Actor, request: PortRequest) -> QuerySet[ChangeRequest]:
    may_see_request(actor, request).check()
    return ChangeRequest.objects.filter(request=request).select_related(
        "requested_by", "decided_by"
    )


def change_request_get(*, actor: Actor, request: PortRequest, change_id: int) -> ChangeRequest:
    change = change_requests_of(actor=actor, request=request).filter(pk=change_id).first()
    if change is None:
        raise NotFound("Change request not found.", field="change_id")
    return change


# --- writes -----------------------------------------------------------------------------


@transaction.atomic
def change_request_create(
    *, actor: Actor, request: PortRequest, changes: dict[str, Any], reason: str
) -> ChangeRequest:
    """Ask the porting team to change a submitted request (New, Pending, In Progress or
    Scheduled); a Draft or a Rejected request is edited directly instead."""
    may_change_request(actor, request).check()
    locked = PortRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in SUBMITTED:
        if locked.status in (PortStatus.DRAFT, PortStatus.REJECTED):
            raise Conflict(
                "This request can still be edited directly: use Edit (or Fix and resubmit).",
                code="edit_directly",
            )
        raise Conflict(
            f"A request that is {PortStatus(locked.status).label} cannot change any more.",
            code="request_closed",
        )
    if not isinstance(changes, dict) or not changes:
        raise ValidationFailed("Choose at least one field to change.", field="changes")
    unknown = sorted(set(changes) - set(CHANGEABLE_FIELDS))
    if unknown:
        raise ValidationFailed(f"{unknown[0]!r} cannot be changed this way.", field=unknown[0])
    cleaned = clean_request_data(changes, partial=True)
    reason = clean_text(reason, field="reason", max_length=MAX_REASON, required=True)
    change = ChangeRequest.objects.create(
        request=locked,
        requested_by=actor.user,
        changes=_to_json(cleaned.values, cleaned.numbers),
        reason=reason,
    )
    names = sorted(changes)
    record_event(
        locked,
        kind="change_requested",
        actor=actor,
        message="Change asked: " + ", ".join(field_label(n) for n in names),
        change_id=change.pk,
        fields=names,
    )
    return change


def _decide(change: ChangeRequest, *, actor: Actor, to: str, note: str) -> None:
    updated = ChangeRequest.objects.filter(pk=change.pk, status=ChangeStatus.OPEN).update(
        status=to, decided_by=actor.user, decided_at=timezone.now(), decision_note=note
    )
    if not updated:
        raise Conflict("This change request was already decided.", code="change_decided")
    change.refresh_from_db()


@transaction.atomic
def change_request_accept(*, actor: Actor, change: ChangeRequest, note: str = "") -> PortRequest:
    """The porting team accepts: the change is applied to the request, with an event, and
    the customer gets a note saying so."""
    may_act_as_porting_team(actor).check()
    request = PortRequest.objects.select_for_update().get(pk=change.request_id)
    if request.status in TERMINAL:
        raise Conflict(
            f"The request is {PortStatus(request.status).label}: refuse the change instead.",
            code="request_closed",
        )
    note = clean_text(note, field="note", max_length=MAX_REASON)
    data = asked_changes(change)
    cleaned = clean_request_data(data, partial=True)
    _decide(change, actor=actor, to=ChangeStatus.ACCEPTED, note=note)
    from faxline.porting.validation.checks import LOA_FIELDS, loa_fingerprint

    before = loa_fingerprint(request)
    for name, value in cleaned.values.items():
        setattr(request, name, value)
    if cleaned.values:
        request.save(update_fields=[*cleaned.values, "updated_at"])
    if cleaned.numbers is not None:
        _replace_numbers(request, cleaned.numbers)
    names = sorted(data)
    record_event(
        request,
        kind="change_accepted",
        actor=actor,
        message="Changed " + ", ".join(field_label(n) for n in names),
        change_id=change.pk,
        fields=names,
    )
    body = f"Your change request {change.pk} was accepted: " + "; ".join(
        f"{line.label}: {line.value}" for line in change_lines(change)
    )
    if note:
        body += f"\n\n{note}"
    loa_changed = bool(set(names) & (set(LOA_FIELDS) | {"numbers"}))
    if loa_changed and loa_fingerprint(request) != before:
        body += (
            "\n\nThe changed details appear on the Letter of Authorization: sign the updated "
            "LOA so that it matches what the losing carrier receives."
        )
    port_note_add(actor=actor, request=request, body=body[:5000], action_required=loa_changed)
    return request


def _replace_numbers(request: PortRequest, numbers: list[tuple[str, str]]) -> None:
    wanted = dict(numbers)
    current = {n.number: n for n in PortNumber.objects.filter(request=request)}
    PortNumber.objects.filter(request=request).exclude(number__in=list(wanted)).delete()
    status = (
        NumberStatus.SCHEDULED if request.status == PortStatus.SCHEDULED else NumberStatus.REQUESTED
    )
    for number, line_type in numbers:
        existing = current.get(number)
        if existing is None:
            PortNumber.objects.create(
                request=request, number=number, line_type=line_type, status=status
            )
        elif existing.line_type != line_type:
            existing.line_type = line_type
            existing.save(update_fields=["line_type"])


@transaction.atomic
def change_request_refuse(*, actor: Actor, change: ChangeRequest, reason: str) -> ChangeRequest:
    """The porting team refuses, saying why (the customer reads it in a note)."""
    may_act_as_porting_team(actor).check()
    reason = clean_text(reason, field="reason", max_length=MAX_REASON, required=True)
    request = PortRequest.objects.select_for_update().get(pk=change.request_id)
    _decide(change, actor=actor, to=ChangeStatus.REFUSED, note=reason)
    record_event(
        request,
        kind="change_refused",
        actor=actor,
        message=f"Change request {change.pk} refused: {reason}"[:500],
        change_id=change.pk,
    )
    port_note_add(
        actor=actor,
        request=request,
        body=f"Your change request {change.pk} was refused: {reason}",
    )
    return change
