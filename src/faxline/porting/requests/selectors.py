"""Every read of the porting desk, scoped to the acting person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from faxline.accounts.access import Actor
from faxline.core.errors import NotFound
from faxline.porting.access import (
    may_read_document,
    may_see_team_internals,
    requests_q,
    sees_request,
)
from faxline.porting.choices import NoteVisibility, PortStatus
from faxline.porting.models import PortDocument, PortEvent, PortNote, PortRequest


def port_request_list(
    *,
    actor: Actor,
    status: str | None = None,
    search: str = "",
    company_id: int | None = None,
    action_required: bool | None = None,
) -> QuerySet[PortRequest]:
    """The Port Requests list: filter by status, search by ID, business name or number."""
    qs = PortRequest.objects.filter(requests_q(actor)).select_related("company", "assignee")
    if status:
        qs = qs.filter(status=status)
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if action_required is not None:
        qs = qs.filter(action_required=action_required)
    if search:
        text = search.strip()
        q = Q(business_name__icontains=text) | Q(numbers__number__icontains=text.lstrip("+"))
        if text.isdigit():
            q |= Q(pk=int(text))
        qs = qs.filter(q).distinct()
    return qs.order_by("-created_at", "-id")


def port_request_get(*, actor: Actor, request_id: int) -> PortRequest:
    request = (
        PortRequest.objects.filter(pk=request_id).select_related("company", "assignee").first()
    )
    if request is None or not sees_request(actor, request):
        raise NotFound("Port request not found.", field="request_id")
    return request


def notes_of(*, actor: Actor, request: PortRequest) -> QuerySet[PortNote]:
    """Notes the actor may read: private ones only for the porting team."""
    qs = PortNote.objects.filter(request=request).select_related("author")
    if not may_see_team_internals(actor):
        qs = qs.exclude(visibility=NoteVisibility.PRIVATE)
    return qs.order_by("created_at", "id")


def documents_of(*, actor: Actor, request: PortRequest) -> QuerySet[PortDocument]:
    """The request's documents as a list shows them (kind, name, date; not their content)."""
    return PortDocument.objects.filter(request=request).order_by("-uploaded_at", "-id")


def document_for_download(*, actor: Actor, request: PortRequest, document_id: int) -> PortDocument:
    """One document of the request whose content the actor may read: 404 when it is not
    the request's, 403 ``credentials_withheld`` for an LOA the actor may not open
    (``access.may_read_document``)."""
    document = documents_of(actor=actor, request=request).filter(pk=document_id).first()
    if document is None:
        raise NotFound("Document not found.", field="document_id")
    document.request = request
    may_read_document(actor, document).check()
    return document


def uploaded_by(actor: Actor, document: PortDocument) -> str:
    """Who added a document, as the actor may read it: a member of the porting team is
    "Porting team" to customers; generated files name what made them."""
    user = document.uploaded_by
    if user is None:
        return str(document.facts.get("by_label") or "faxline")
    if user.is_operator and not may_see_team_internals(actor):
        return "Porting team"
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # event | note
    who: str
    title: str
    text: str
    private: bool = False
    action_required: bool = False
    from_status: str = ""
    to_status: str = ""


EVENT_TITLES = {
    "created": "Request started",
    "updated": "Request changed",
    "submitted": "Submitted",
    "resubmitted": "Resubmitted after the fix",
    "accepted": "Sent to the losing carrier",
    "in_progress": "In progress",
    "scheduled": "FOC date set",
    "rescheduled": "FOC date moved",
    "rejected": "Rejected",
    "cancelled": "Cancelled",
    "completed": "Completed",
    "assigned": "Assigned",
    "document_added": "File added",
    "loa_signed": "LOA signed",
    "loa_link_sent": "Signing link sent",
}


def timeline(*, actor: Actor, request: PortRequest) -> list[TimelineEntry]:
    """Transitions, changes and notes together, oldest first (private notes: team only)."""
    entries: list[TimelineEntry] = []
    hidden = {"note", "note_private"}
    if not may_see_team_internals(actor):
        hidden |= {"assigned"}
    for event in PortEvent.objects.filter(request=request).exclude(kind__in=hidden):
        entries.append(
            TimelineEntry(
                at=event.occurred_at,
                kind="event",
                who=event.actor_label,
                title=EVENT_TITLES.get(event.kind, event.kind.replace("_", " ").capitalize()),
                text=event.message,
                from_status=event.from_status,
                to_status=event.to_status,
            )
        )
    for note in notes_of(actor=actor, request=request):
        entries.append(
            TimelineEntry(
                at=note.created_at,
                kind="note",
                who=note.author_label,
                title="Private note" if note.visibility == NoteVisibility.PRIVATE else "Note",
                text=note.body,
                private=note.visibility == NoteVisibility.PRIVATE,
                action_required=note.action_required,
            )
        )
    return sorted(entries, key=lambda e: e.at)


def status_counts(*, actor: Actor) -> dict[str, int]:
    qs = PortRequest.objects.filter(requests_q(actor))
    return {s.value: qs.filter(status=s).count() for s in PortStatus}
