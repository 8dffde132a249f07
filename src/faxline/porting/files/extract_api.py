"""``POST /api/v1/porting/extract``: read a bill or CSR and return the facts found (issue 14).

The same JSON as ``faxline porting extract FILE``
(:meth:`~faxline.documents.reading.extract.Extraction.as_json`); outside checks rely on its
keys. Nothing is stored: it is what the person uploading a bill will confirm or correct, so
it is for those who may upload port documents (``may_write_requests``: the porting team and
administrators with the Number Porting manage right); fax users and administrators without
the right get 403 like the rest of the porting API.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from faxline.accounts.api_auth import actor_of
from faxline.core.errors import ValidationFailed
from faxline.documents.limits import MAX_DOCUMENT_BYTES
from faxline.documents.reading.extract import extract
from faxline.porting.access import may_use_porting, may_write_requests

router = Router(tags=["Number Porting"])


class ExtractedAddressOut(Schema):
    street: str | None
    unit: str | None
    city: str | None
    state: str | None
    postal_code: str | None


class ExtractedFactsOut(Schema):
    account_name: str | None
    service_address: ExtractedAddressOut | None
    btn: str | None = Field(description="E.164")
    account_number: str | None
    statement_date: str | None = Field(description="ISO date (YYYY-MM-DD)")
    numbers: list[str] = Field(description="The telephone numbers on the account, E.164")
    authorized_names: list[str]
    line_features: list[str] = Field(
        description="dsl, hunt_group, distinctive_ring, remote_call_forwarding, ..."
    )


class ExtractionOut(Schema):
    document_type: Literal["bill", "csr", "loa", "other"] | None = Field(
        description="null when nothing could be read (a PDF without a text layer)"
    )
    facts: ExtractedFactsOut
    pages: int
    ocr: bool = Field(description="true when the facts were read by OCR")


@router.post(
    "/porting/extract",
    response=ExtractionOut,
    summary="Read a bill or CSR",
    description=(
        "Multipart, the document as the field `file`, at most "
        f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB: a PDF (its text layer; pages without one "
        "by OCR), or a TIFF, PNG or JPEG (a faxed page, a photo: by OCR, and `ocr` is true). "
        "Returns the document's type and the "
        "facts read off it: null (or an empty list) for what was not found, telephone "
        "numbers in E.164, dates ISO. Nothing is stored. The same reading runs as "
        "`faxline porting extract FILE`.\n\n"
        "A refused file is a 422 naming `file`, its `code` one of `document_empty`, "
        "`document_type` (neither a PDF nor an image), `document_too_large`, "
        "`document_encrypted` and "
        "`document_unreadable` (cannot be read within the time and memory a document may "
        "take); 503 `intake_busy` when too many documents are being read."
    ),
)
def porting_extract(request: HttpRequest, file: File[UploadedFile | None] = None) -> ExtractionOut:
    actor = actor_of(request)
    may_use_porting(actor).check()
    may_write_requests(actor).check()
    if file is None:
        raise ValidationFailed("Attach the document as the multipart field 'file'.", field="file")
    # One byte past the limit is enough for extract to refuse it as too large.
    extraction = extract(file.read(MAX_DOCUMENT_BYTES + 1), filename=file.name or "")
    return ExtractionOut.model_validate(extraction.as_json())


__all__ = ["router"]
