"""Every read of Accounting, scoped by its access rule: the company shown, its files, one
file's content (streamed from the vault part by part), the current generation, and the
CSV of a month for the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import QuerySet

from faxline.accounts.access import Actor
from faxline.accounts.models import Company
from faxline.accounts.selectors import company_in_view
from faxline.activity.accounting.access import may_see_accounting, may_see_company_accounting
from faxline.activity.accounting.models import CdrFile, CdrFileKind, CdrGeneration
from faxline.activity.accounting.periods import Month
from faxline.activity.accounting.records import cdr_chunks, cdr_records
from faxline.core.errors import NotFound
from faxline.core.vault import vault_read

MAX_FILES = 250
"""More than the files kept (seven months and the days of one), a bound all the same."""


def accounting_company(*, actor: Actor, company_id: int | None) -> Company | None:
    """The company whose records are shown: the one asked for (operators, partners), else
    the actor's own. 403 for those who may not see Accounting, 404 outside the scope."""
    may_see_accounting(actor).check()
    company = company_in_view(actor=actor, company_id=company_id)
    if company is not None:
        may_see_company_accounting(actor, company).check()
    return company


def cdr_file_list(*, actor: Actor, company: Company) -> QuerySet[CdrFile]:
    """The company's files, newest period first (month files before their day files)."""
    may_see_company_accounting(actor, company).check()
    return CdrFile.objects.filter(company=company).order_by("-month", "kind", "-period")


def cdr_file_get(*, actor: Actor, file_id: int) -> CdrFile:
    """One file the actor may download (404 when it is not theirs to see)."""
    may_see_accounting(actor).check()
    cdr = CdrFile.objects.select_related("company").filter(pk=file_id).first()
    if cdr is None or not may_see_company_accounting(actor, cdr.company):
        raise NotFound("Call Detail Record file not found.", field="file_id")
    return cdr


def cdr_file_content(cdr: CdrFile) -> Iterator[bytes]:
    """The plain CSV of a stored file, one decrypted vault part at a time."""
    for name in cdr.vault_names:
        yield vault_read(name)


def cdr_generation_of(*, company: Company, now: datetime) -> CdrGeneration | None:
    """The current month's generation of the company (None: never asked this month)."""
    return CdrGeneration.objects.filter(company=company, month=str(Month.of(now))).first()


def cdr_month_content(
    *, actor: Actor, company: Company, month: Month, now: datetime
) -> Iterator[bytes]:
    """The CSV of a month for the API: the stored month file when it is made; otherwise
    (the current month, or a month the periodic job has not reached yet) made from the
    records as it is sent."""
    may_see_company_accounting(actor, company).check()
    if month < Month.of(now):
        stored = CdrFile.objects.filter(
            company=company, period=str(month), kind=CdrFileKind.MONTH
        ).first()
        if stored is not None:
            return cdr_file_content(stored)
    return cdr_chunks(cdr_records(company.pk, month.start, min(month.end, now)))
