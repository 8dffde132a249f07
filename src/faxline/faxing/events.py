"""The webhook events faxing publishes (``faxline.core.events``; schemas in
``notify/webhooks/schemas.py`` and ``docs/webhooks.md``).

Called inside the transaction that changed the job or stored the fax (``jobs/followups.py``,
``inbound/followups.py``), so an event exists exactly when its change does. Payloads carry
what a receiver needs to act, never the document or its cover text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from faxline.core.events import publish_event
from faxline.faxing.inbound.models import InboundFax
from faxline.faxing.models import FaxJob, FaxJobStatus

# The event of each status a job arrives at; none when it waits to retry.
JOB_EVENTS = {
    FaxJobStatus.QUEUED: "fax.queued",
    FaxJobStatus.IN_PROGRESS: "fax.in_progress",
    FaxJobStatus.SUCCESS: "fax.delivered",
    FaxJobStatus.FAILED: "fax.failed",
    FaxJobStatus.CANCELLED: "fax.failed",
}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def job_payload(job: FaxJob, *, from_status: str, to_status: str) -> dict[str, Any]:
    """``data`` of the ``fax.*`` events (``FaxEventData``)."""
    return {
        "id": job.identifier,
        "status": to_status,
        "previous_status": from_status or None,
        "from": job.from_number,
        "to": job.to_number,
        "pages": job.pages,
        "source": job.source,
        "error": job.error or None,
        "error_code": job.error_code,
        "will_retry": job.will_retry,
        "created_at": _iso(job.created_at),
        "completed_at": _iso(job.completed_at),
    }


def job_event(job: FaxJob, *, from_status: str, to_status: str) -> None:
    """``fax.queued``, ``fax.in_progress``, ``fax.delivered``, ``fax.failed`` (failed or
    cancelled); nothing when the job waits to retry. Endpoints of the sending number
    receive it too."""
    kind = JOB_EVENTS.get(FaxJobStatus(to_status)) if to_status else None
    if kind is None:
        return
    publish_event(
        kind,
        company_id=job.company_id,
        data=job_payload(job, from_status=from_status, to_status=to_status),
        number=job.from_number,
    )


def inbound_payload(fax: InboundFax) -> dict[str, Any]:
    """``data`` of ``fax.inbound.received`` (``InboundFaxEventData``)."""
    return {
        "id": fax.pk,
        "from": fax.from_number or None,
        "to": fax.to_number,
        "pages": fax.pages,
        "received_at": _iso(fax.received_at),
        "partial": fax.partial,
    }


def inbound_event(fax: InboundFax) -> None:
    """``fax.inbound.received``, to the company's endpoints and those of the number that
    received it (none when the number has no company)."""
    if fax.company_id is None:
        return
    publish_event(
        "fax.inbound.received",
        company_id=fax.company_id,
        data=inbound_payload(fax),
        number=fax.to_number,
    )
