"""REST API of the sandbox PSTN (operators only): what the simulated remote fax machines
received, and their pages as PNG images.

Errors: 401 without credentials, 403 ``operators_only`` for anyone who is not one of the
provider's operators, 404 for a fax or a page that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from faxline.accounts.api_auth import actor_of
from faxline.core.pagination import DEFAULT_LIMIT, paginate
from faxline.faxing.models import SandboxRemoteFax
from faxline.faxing.sandbox import selectors

router = Router(tags=["Sandbox PSTN"])


class RemoteFaxOut(Schema):
    id: int
    to_number: str = Field(description="The number dialed (E.164).")
    from_number: str = Field(description="The calling number (E.164).")
    received_at: datetime
    pages: int
    remote_ident: str = Field(description="The sender's ident (TSI) as the machine received it.")
    completion_code: int = Field(description="The answering machine's T.30 completion code.")
    size: int = Field(description="Bytes of the received TIFF-F.")
    sha256: str = Field(description="SHA-256 of the received TIFF-F.")

    @staticmethod
    def of(record: SandboxRemoteFax) -> RemoteFaxOut:
        return RemoteFaxOut(
            id=record.pk,
            to_number=record.to_number,
            from_number=record.from_number,
            received_at=record.received_at,
            pages=record.pages,
            remote_ident=record.remote_ident,
            completion_code=record.completion_code,
            size=record.size,
            sha256=record.sha256,
        )


class RemoteFaxDetailOut(RemoteFaxOut):
    result: dict[str, Any] = Field(
        description="The answering machine's T.30 result: completion code and text, pages, "
        "bit rate, ECM, resolution, bad rows, phases and spandsp's log."
    )
    page_urls: list[str]


class RemoteFaxPage(Schema):
    items: list[RemoteFaxOut]
    count: int


@router.get(
    "/sandbox/remote-faxes",
    response=RemoteFaxPage,
    summary="Faxes the sandbox's remote machines received (operators)",
)
def remote_faxes(
    request: HttpRequest, to: str = "", limit: int = DEFAULT_LIMIT, offset: int = 0
) -> RemoteFaxPage:
    """Newest first; ``to`` keeps those sent to one number (E.164)."""
    qs = selectors.sandbox_remote_faxes(actor=actor_of(request), to_number=to.strip()[:16])
    items, count = paginate(qs, limit=limit, offset=offset)
    return RemoteFaxPage(items=[RemoteFaxOut.of(r) for r in items], count=count)


@router.get(
    "/sandbox/remote-faxes/{fax_id}",
    response=RemoteFaxDetailOut,
    summary="One fax a sandbox remote machine received (operators)",
)
def remote_fax(request: HttpRequest, fax_id: int) -> RemoteFaxDetailOut:
    record = selectors.sandbox_remote_fax_get(actor=actor_of(request), fax_id=fax_id)
    base = RemoteFaxOut.of(record)
    return RemoteFaxDetailOut(
        **base.model_dump(),
        result=record.result,
        page_urls=[
            f"/api/v1/sandbox/remote-faxes/{record.pk}/pages/{n}.png"
            for n in range(1, record.pages + 1)
        ],
    )


@router.get(
    "/sandbox/remote-faxes/{fax_id}/pages/{page}.png",
    response={200: None},
    summary="A page of a received fax as PNG (operators)",
)
def remote_fax_page(request: HttpRequest, fax_id: int, page: int) -> HttpResponse:
    """Page ``page`` (from 1) as a PNG image; standard-resolution pages keep their
    proportions."""
    data = selectors.sandbox_remote_fax_page(actor=actor_of(request), fax_id=fax_id, page=page)
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response
