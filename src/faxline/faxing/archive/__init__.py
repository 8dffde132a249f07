"""The Archive tab: copies of faxes to an email address or an FTP server (to be written)."""

from __future__ import annotations

from faxline.faxing.inbound.models import InboundFax
from faxline.faxing.models import FaxJob


def archive_outbound(job: FaxJob, *, to_status: str) -> None:
    """Copy a sent fax where its company's (department's) Archive tab says."""


def archive_inbound(fax: InboundFax) -> None:
    """Copy a received fax where its company's (department's) Archive tab says."""
