"""The porting desk's emails (through the notification service, recorded in its log):
request received with the estimated date, FOC confirmed, rejected with the remedy, note
added, completed, cancelled — the guide's "minimum of three updates" and more."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from faxline.porting.models import PortRequest

SUBJECTS = {
    "received": "Port request {id} received: estimated completion {eta}",
    "scheduled": "Port request {id}: FOC date confirmed for {foc}",
    "rejected": "Port request {id} was rejected: action required",
    "note": "Port request {id}: a new note",
    "completed": "Port request {id} completed",
    "cancelled": "Port request {id} cancelled",
}


def notify_port_event(request: PortRequest, what: str, **extra: Any) -> None:
    """Email the request's contact about ``what`` (one of SUBJECTS)."""
    from faxline.notify.services import notify_email
    from faxline.porting.requests.remedies import remedy_for

    note = extra.get("note")
    if what == "note" and note is not None and note.from_porting_team is False:
        return  # the customer's own note: nothing to tell them
    subject = SUBJECTS[what].format(
        id=request.pk,
        eta=f"{request.eta:%Y-%m-%d}" if request.eta else "to be confirmed",
        foc=f"{request.foc_date:%Y-%m-%d}" if request.foc_date else "",
    )
    body = render_to_string(
        "porting/email/port_event.txt",
        {
            "request": request,
            "what": what,
            "note": note,
            "remedy": remedy_for(request.rejection_code) if what == "rejected" else None,
            "numbers": list(request.numbers.values_list("number", flat=True)),
        },
    )
    notify_email(
        kind=f"porting.{what}",
        to=[request.contact_email],
        subject=subject,
        body=body,
        company=request.company,
    )
