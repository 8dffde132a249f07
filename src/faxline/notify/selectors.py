"""Reads of the notification log, scoped to the acting person."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.core.errors import NotFound, ValidationFailed
from faxline.notify.access import may_read_log
from faxline.notify.choices import NotificationStatus
from faxline.notify.models import NotificationLog


def notification_list(
    *,
    actor: Actor,
    company: Company | None = None,
    status: str = "",
    kind: str = "",
    search: str = "",
    recipient: str = "",
) -> QuerySet[NotificationLog]:
    """The notification log, newest first, as the actor may see it; filtered by status,
    kind (the template), recipient (the whole address, any case) and ``search`` (a part of
    the recipient, subject or related label)."""
    may_read_log(actor).check()
    qs = NotificationLog.objects.select_related("company").order_by("-created_at", "-id")
    qs = qs.filter(actor.in_companies_q())
    if company is not None:
        qs = qs.filter(company=company)
    if status:
        if status not in NotificationStatus.values:
            raise ValidationFailed(
                "status must be one of " + ", ".join(NotificationStatus.values) + ".",
                field="status",
            )
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if recipient:
        qs = qs.filter(recipient__iexact=recipient.strip())
    if search:
        qs = qs.filter(
            Q(recipient__icontains=search)
            | Q(subject__icontains=search)
            | Q(related_label__icontains=search)
        )
    return qs


def notification_get(*, actor: Actor, notification_id: int) -> NotificationLog:
    found = notification_list(actor=actor).filter(pk=notification_id).first()
    if found is None:
        raise NotFound("Notification not found.", field="notification_id")
    return found


def notification_kinds(*, actor: Actor) -> list[str]:
    """The kinds present in what the actor may see (the filter's choices)."""
    qs = notification_list(actor=actor).order_by().values_list("kind", flat=True).distinct()
    return sorted(set(qs))
