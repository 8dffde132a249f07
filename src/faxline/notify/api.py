"""REST API of the notification log."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from faxline.accounts.api_auth import actor_of
from faxline.accounts.selectors import company_get
from faxline.core.pagination import paginate
from faxline.notify import selectors, services
from faxline.notify.models import NotificationLog

router = Router(tags=["Notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    recipient: str
    subject: str
    body: str
    company_id: int | None
    company: str | None
    related: str
    status: str
    error: str
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    resendable: bool = Field(
        description="Resend is offered: failed or delivered, and not a delivered (or old) "
        "message carrying a one-time link."
    )

    @staticmethod
    def of(n: NotificationLog) -> NotificationOut:
        return NotificationOut(
            id=n.pk,
            kind=n.kind,
            recipient=n.recipient,
            subject=n.subject,
            body=n.shown_body,
            company_id=n.company_id,
            company=n.company.name if n.company else None,
            related=n.related_label,
            status=n.status,
            error=n.error,
            attempts=n.attempts,
            next_attempt_at=n.next_attempt_at if n.status == "retrying" else None,
            created_at=n.created_at,
            sent_at=n.sent_at,
            resendable=n.resendable,
        )


class NotificationList(Schema):
    items: list[NotificationOut]
    count: int


@router.get("/notifications", response=NotificationList, summary="Notification log")
def notification_list(
    request: HttpRequest,
    company_id: int | None = None,
    status: str = "",
    kind: str = "",
    search: str = "",
    recipient: str = "",
    limit: int = 50,
    offset: int = 0,
) -> NotificationList:
    """Every email the platform recorded, newest first: queued, sending, retrying (with the
    time of the next attempt and the last error), sent, failed (with the reason) or only
    logged (no SMTP server configured). Filter by ``status``, ``kind`` (the template, e.g.
    ``fax.delivery_failure``, ``accounts.welcome``), ``recipient`` (the whole address) and
    ``search`` (part of the recipient, subject or related label). A body carrying a one-time
    link is withheld."""
    actor = actor_of(request)
    company = company_get(actor=actor, company_id=company_id) if company_id else None
    qs = selectors.notification_list(
        actor=actor,
        company=company,
        status=status,
        kind=kind[:64],
        search=search[:100],
        recipient=recipient[:254],
    )
    items, count = paginate(qs, limit=limit, offset=offset)
    return NotificationList(items=[NotificationOut.of(n) for n in items], count=count)


@router.get("/notifications/{notification_id}", response=NotificationOut, summary="One message")
def notification_detail(request: HttpRequest, notification_id: int) -> NotificationOut:
    actor = actor_of(request)
    return NotificationOut.of(
        selectors.notification_get(actor=actor, notification_id=notification_id)
    )


@router.post("/notifications/{notification_id}/retry", response=NotificationOut, summary="Resend")
def notification_retry(request: HttpRequest, notification_id: int) -> NotificationOut:
    """Queue a failed message again, with a fresh set of attempts; the task worker sends it
    once the request commits."""
    actor = actor_of(request)
    found = selectors.notification_get(actor=actor, notification_id=notification_id)
    return NotificationOut.of(services.notification_retry(actor=actor, notification=found))


@router.post(
    "/notifications/{notification_id}/resend", response=NotificationOut, summary="Resend any"
)
def notification_resend(request: HttpRequest, notification_id: int) -> NotificationOut:
    """Resend a message: a failed one is queued again (as ``/retry``); a delivered one is
    written again as a new message to the same recipient (returned). A message carrying a
    one-time link is not sent again once delivered, nor when it may have expired (409
    ``not_resendable``): have a new link sent instead."""
    actor = actor_of(request)
    found = selectors.notification_get(actor=actor, notification_id=notification_id)
    return NotificationOut.of(services.notification_resend(actor=actor, notification=found))
