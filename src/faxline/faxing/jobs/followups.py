"""What follows a change of an outbound job's status: told, never asked.

:mod:`faxline.faxing.jobs.state` calls :func:`job_changed` inside the transaction that
changed the status (the job's creation included), so whatever follows is written as rows in
that same transaction (a notification, a webhook delivery, an archive copy) and their
delivery tasks are enqueued after it commits: a status change and what it causes land
together or not at all. Each follow-up is owned by its own module:

- the Email to Fax Delivery Notification (``faxing/jobs/notifications.py``);
- the webhook events ``fax.queued``, ``fax.in_progress``, ``fax.delivered``, ``fax.failed``
  (``faxing/events.py``);
- the Archive tab's copy of a sent fax (``faxing/archive/``).
"""

from __future__ import annotations

from faxline.faxing.models import FaxJob


def job_changed(job: FaxJob, *, from_status: str, to_status: str) -> None:
    """``job`` went from ``from_status`` ("" when it was just created) to ``to_status``."""
    from faxline.faxing import events
    from faxline.faxing.archive import archive_outbound
    from faxline.faxing.jobs import notifications

    notifications.job_notify(job, from_status=from_status, to_status=to_status)
    events.job_event(job, from_status=from_status, to_status=to_status)
    archive_outbound(job, to_status=to_status)
