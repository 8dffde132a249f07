"""The webhook events faxing publishes (to be written)."""

from __future__ import annotations

from faxline.faxing.inbound.models import InboundFax
from faxline.faxing.models import FaxJob


def job_event(job: FaxJob, *, from_status: str, to_status: str) -> None:
    """``fax.queued``, ``fax.in_progress``, ``fax.delivered``, ``fax.failed``."""


def inbound_event(fax: InboundFax) -> None:
    """``fax.inbound.received``."""
