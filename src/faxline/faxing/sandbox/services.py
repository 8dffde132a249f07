"""Writes of the sandbox PSTN's records: keeping what a simulated remote machine received."""

from __future__ import annotations

from django.db import transaction

from faxline.core.vault import vault_delete, vault_store
from faxline.faxing.models import SandboxRemoteFax
from faxline.telephony.transport import ReceivedFax, fax_result_dict

VAULT_PURPOSE = "sandbox-fax"


def sandbox_remote_fax_keep(fax: ReceivedFax) -> int:
    """Keep a fax a simulated remote machine received: the image encrypted in the vault with
    its SHA-256, the answering side's T.30 result. Returns the record's id. (The sandbox's
    ``remote_store``; a system write, no actor: nobody on the platform owns a remote
    machine.)"""
    stored = vault_store(fax.tiff.read_bytes(), purpose=VAULT_PURPOSE)
    result = fax_result_dict(fax.result, with_log=True)
    try:
        with transaction.atomic():
            record = SandboxRemoteFax.objects.create(
                to_number=fax.to_number,
                from_number=fax.from_number,
                received_at=fax.received_at,
                pages=fax.result.pages,
                remote_ident=(fax.result.remote_ident or "")[:40],
                completion_code=fax.result.completion_code,
                vault_name=stored.name,
                size=stored.size,
                sha256=stored.sha256,
                result=result,
            )
    except BaseException:
        vault_delete(stored.name)
        raise
    return record.pk
