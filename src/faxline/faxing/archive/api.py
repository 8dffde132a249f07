"""REST API of the Archive tab's copies: retry the failed copies of a sent or received fax.

The copies' attempts are the fax's events (``GET /faxes/{id}``, ``GET /inbound/{fax_id}``).
A fax outside the caller's scope is 404; without the Archive settings right over its
company 403 (404 for a fax user, who sees no company settings); nothing failed 409.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from faxline.accounts.api_auth import actor_of
from faxline.accounts.schemas import Error
from faxline.faxing.archive.services import archive_copies_retry
from faxline.faxing.inbound.selectors import inbound_fax_get
from faxline.faxing.jobs.selectors import job_get

router = Router(tags=["Archive"])


def _errors(*codes: int) -> dict[int, type[Error]]:
    return dict.fromkeys((401, *codes), Error)


class RetriedOut(Schema):
    retried: int = Field(description="How many failed archive copies were queued again.")


@router.post(
    "/faxes/{id}/archive/retry",
    response={202: RetriedOut, **_errors(403, 404, 409)},
    summary="Retry a sent fax's failed archive copies",
)
def sent_archive_retry(request: HttpRequest, id: str) -> Any:
    """Queue every failed archive copy of the job again, with a fresh set of attempts, to
    the destination it had; the outcome appears in the job's events."""
    actor = actor_of(request)
    job = job_get(actor=actor, identifier=id)
    return Status(202, {"retried": len(archive_copies_retry(actor=actor, job=job))})


@router.post(
    "/inbound/{fax_id}/archive/retry",
    response={202: RetriedOut, **_errors(403, 404, 409)},
    summary="Retry a received fax's failed archive copies",
)
def received_archive_retry(request: HttpRequest, fax_id: int) -> Any:
    """Queue every failed archive copy of the received fax again; the outcome appears in
    its message events ("Message archived")."""
    actor = actor_of(request)
    fax = inbound_fax_get(actor=actor, fax_id=fax_id)
    return Status(202, {"retried": len(archive_copies_retry(actor=actor, fax=fax))})
