"""Reads of the sandbox PSTN's records, for the provider's operators only."""

from __future__ import annotations

from django.db.models import QuerySet

from faxline.accounts.access import Actor
from faxline.core.errors import NotFound
from faxline.core.vault import vault_read
from faxline.faxing.access import may_see_sandbox_pstn
from faxline.faxing.images import page_png
from faxline.faxing.models import SandboxRemoteFax


def sandbox_remote_faxes(*, actor: Actor, to_number: str = "") -> QuerySet[SandboxRemoteFax]:
    """What the simulated remote machines received, newest first (optionally to one
    number)."""
    may_see_sandbox_pstn(actor).check()
    qs = SandboxRemoteFax.objects.defer("result").order_by("-received_at", "-id")
    if to_number:
        qs = qs.filter(to_number=to_number)
    return qs


def sandbox_remote_fax_get(*, actor: Actor, fax_id: int) -> SandboxRemoteFax:
    may_see_sandbox_pstn(actor).check()
    record = SandboxRemoteFax.objects.filter(pk=fax_id).first()
    if record is None:
        raise NotFound("Received fax not found.", field="fax_id")
    return record


def sandbox_remote_fax_page(*, actor: Actor, fax_id: int, page: int) -> bytes:
    """Page ``page`` (from 1) of a received fax as a PNG image."""
    record = sandbox_remote_fax_get(actor=actor, fax_id=fax_id)
    if page < 1 or page > record.pages:
        raise NotFound(f"This fax has no page {page}.", field="page")
    return page_png(vault_read(record.vault_name), page)
