"""Reads of archive copies."""

from __future__ import annotations

from faxline.accounts.access import Actor, may_change_settings
from faxline.accounts.models import Company
from faxline.faxing.archive.models import ArchiveCopy, ArchiveStatus
from faxline.faxing.inbound.models import InboundFax
from faxline.faxing.models import FaxJob


def archive_retry_offered(
    actor: Actor, *, job: FaxJob | None = None, fax: InboundFax | None = None
) -> bool:
    """Whether the fax's page offers "Retry archive": an archive copy of it failed and the
    actor may retry it (the Archive settings right over the company)."""
    copies = ArchiveCopy.objects.filter(status=ArchiveStatus.FAILED)
    if job is not None:
        copies, company_id = copies.filter(job=job), job.company_id
    elif fax is not None and fax.company_id is not None:
        copies, company_id = copies.filter(inbound_fax=fax), fax.company_id
    else:
        return False
    if not copies.exists():
        return False
    company = Company.objects.filter(pk=company_id).first()
    return company is not None and bool(may_change_settings(actor, company, "archive"))
