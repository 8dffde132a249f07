"""The Email to Fax Delivery Notification of an outbound job (to be written)."""

from __future__ import annotations

from faxline.faxing.models import FaxJob


def job_notify(job: FaxJob, *, from_status: str, to_status: str) -> None:
    """Tell the sender of an email-to-fax job its outcome, per their Notifications tab."""
