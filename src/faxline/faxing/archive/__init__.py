"""The Archive tab: copies of sent and received faxes to an email address or an FTP server
(FTPS where the server offers it). The follow-ups below are told inside the transaction
that sent or received the fax; the work is in :mod:`faxline.faxing.archive.services`
(decision 0033)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faxline.faxing.inbound.models import InboundFax
    from faxline.faxing.models import FaxJob


def archive_outbound(job: FaxJob, *, to_status: str) -> None:
    """Copy a sent fax where its company's (department's) Archive tab says."""
    from faxline.faxing.archive import services

    services.archive_outbound(job, to_status=to_status)


def archive_inbound(fax: InboundFax) -> None:
    """Copy a received fax where its company's (department's) Archive tab says."""
    from faxline.faxing.archive import services

    services.archive_inbound(fax)
