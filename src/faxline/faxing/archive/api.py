"""REST API of the Archive tab's copies: retry the failed copies of a sent or received fax.

The copies' attempts are the fax's events (``GET /faxes/{id}``, ``GET /inbound/{fax_id}``).
A fax outside the caller's scope is 404; without the Archive settings right over its
company 403 (404 for a fax user, who sees no company settings); nothing failed 409.
And the Archive tab's "Test FTP connection" of a company's or department's saved tab.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from faxline.accounts.api_auth import actor_of
from faxline.accounts.schemas import Error, InputSchema
from faxline.accounts.selectors import company_get, department_get
from faxline.core.errors import NotFound
from faxline.faxing.archive.services import archive_copies_retry, archive_ftp_test
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


class FtpTestIn(InputSchema):
    company_id: int = Field(description="The company whose saved Archive tab is tested.")
    department_id: int | None = Field(
        None, description="A department of it, to test the department's own tab instead."
    )


class FtpTestOut(Schema):
    ok: bool = Field(description="Connected, logged in, wrote and deleted a test file.")
    encrypted: bool = Field(description="The server offered TLS (FTPS) and it was used.")
    message: str = Field(description="What happened, in words (never the password).")


@router.post(
    "/archive/ftp-test",
    response={200: FtpTestOut, **_errors(403, 404, 422)},
    summary="Test the Archive tab's FTP destination",
)
def archive_ftp_test_view(request: HttpRequest, payload: FtpTestIn) -> Any:
    """Connect to the FTP destination saved on the company's (or department's) Archive
    tab as an archive copy would: vetted host, FTPS when offered, log in, enter or make the
    directory, write a small file and delete it. 200 with ``ok`` false and the reason when
    the server refuses or cannot be reached; 422 ``no_ftp_destination`` when no FTP host is
    saved."""
    actor = actor_of(request)
    company = company_get(actor=actor, company_id=payload.company_id)
    owner: Any = company
    if payload.department_id is not None:
        owner = department_get(actor=actor, department_id=payload.department_id)
        if owner.company_id != company.pk:
            raise NotFound("Department not found.", field="department_id")
    result = archive_ftp_test(actor=actor, owner=owner)
    return {"ok": result.ok, "encrypted": result.encrypted, "message": result.message}
