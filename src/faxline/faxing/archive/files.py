"""The files of an archive copy: the fax as PDF or TIF, and the metadata XML.

Both directions are made from the fax's TIFF (a sent fax: the image exactly as transmitted,
header line included, when the successful attempt kept it; a received fax: the image the
modem wrote) by ``documents.received``, in the documents sandbox: call these outside any
database transaction. A received fax's XML is the one its recipient gets
(``urn:faxline:received-fax:1``); a sent fax's is :func:`sent_metadata_xml`.

Names: with the Archive tab's "Original File Name", a sent fax keeps the stem of the
sender's first file (``invoice.pdf`` → ``invoice.pdf`` / ``invoice.tif``; the job's
identifier when it had none) and a received fax the name its recipient's files have
(``fax-<id>``); otherwise names that sort by time and never meet:
``outbound-20261206-143005-501-26438917.pdf``, ``inbound-20261206-143005-fax-42.pdf``.
Only letters, digits, ``.``, ``_`` and ``-`` are kept.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from faxline.documents.received import (
    PDF,
    TIF,
    DeliveredFile,
    Reception,
    event_xml,
    file_stem,
    received_files,
)

SENT_XML_NAMESPACE = "urn:faxline:sent-fax:1"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def archive_kind(file_type: str) -> str:
    """``documents.received``'s value of the Archive tab's file type (PDF or TIF)."""
    return TIF if (file_type or "").upper() == "TIF" else PDF


def safe_stem(name: str) -> str:
    """A file name's stem with only safe characters ("" when nothing is left)."""
    base = re.split(r"[\\/]", name or "")[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    return _UNSAFE.sub("_", stem).strip("._-")[:100]


def archive_stem(*, direction: str, reference: str, moment: datetime, original: str) -> str:
    """The stem of a copy's files: ``original`` (made safe) when given, else
    ``<direction>-<UTC time>-<reference>``."""
    chosen = safe_stem(original)
    if chosen:
        return chosen
    ref = _UNSAFE.sub("-", reference).strip("-")[:64] or "fax"
    return f"{direction}-{moment:%Y%m%d-%H%M%S}-{ref}"


def _renamed(files: list[DeliveredFile], stem: str) -> list[DeliveredFile]:
    out = []
    for item in files:
        extension = item.name.rsplit(".", 1)[-1] if "." in item.name else "bin"
        out.append(replace(item, name=f"{stem}.{extension}"))
    return out


def received_archive_files(
    tiff: bytes, reception: Reception, *, file_type: str, include_metadata: bool, stem: str
) -> list[DeliveredFile]:
    """A received fax's archive files (the fax, then its metadata XML when asked)."""
    files = received_files(
        tiff, reception, file_type=archive_kind(file_type), add_metadata=include_metadata
    )
    return _renamed(files, stem)


def sent_archive_files(
    tiff: bytes,
    *,
    identifier: str,
    from_number: str,
    to_number: str,
    pages: int,
    remote_csi: str,
    submitted_at: datetime,
    completed_at: datetime | None,
    attempts: int,
    result_code: int,
    result_text: str,
    file_type: str,
    include_metadata: bool,
    stem: str,
) -> list[DeliveredFile]:
    """A sent fax's archive files (the fax, then :func:`sent_metadata_xml` when asked)."""
    reception = Reception(fax_id=identifier, remote_csid=remote_csi, pages=pages)
    [fax] = received_files(
        tiff,
        reception,
        file_type=archive_kind(file_type),
        title=f"Fax {identifier} sent to {to_number}",
    )
    files = _renamed([fax], stem)
    if include_metadata:
        xml = sent_metadata_xml(
            identifier=identifier,
            from_number=from_number,
            to_number=to_number,
            pages=pages,
            remote_csi=remote_csi,
            submitted_at=submitted_at,
            completed_at=completed_at,
            attempts=attempts,
            result_code=result_code,
            result_text=result_text,
            files=files,
        )
        files.append(DeliveredFile(f"{stem}.xml", "application/xml", xml))
    return files


def sent_metadata_xml(
    *,
    identifier: str,
    from_number: str,
    to_number: str,
    pages: int,
    remote_csi: str,
    submitted_at: datetime,
    completed_at: datetime | None,
    attempts: int,
    result_code: int,
    result_text: str,
    files: list[DeliveredFile],
) -> bytes:
    """The event data of a sent fax as XML, namespace ``urn:faxline:sent-fax:1``::

    <sentFax xmlns="urn:faxline:sent-fax:1" version="1" id="501-26438917">
      <fromNumber>+12125557001</fromNumber>  <toNumber>+16175559876</toNumber>
      <pages>3</pages>  <remoteCsi>...</remoteCsi>
      <submittedAt>2026-12-06T14:30:00+00:00</submittedAt>  (UTC, ISO 8601)
      <completedAt>2026-12-06T14:31:12+00:00</completedAt>
      <attempts>1</attempts>  <result code="0">OK</result>
      <files><file name="..." contentType="..." bytes="..." sha256="..."/></files>
    </sentFax>
    """
    completed = completed_at.isoformat(timespec="seconds") if completed_at else ""
    return event_xml(
        "sentFax",
        namespace=SENT_XML_NAMESPACE,
        ident=identifier,
        fields=[
            ("fromNumber", from_number, {}),
            ("toNumber", to_number, {}),
            ("pages", str(int(pages)), {}),
            ("remoteCsi", remote_csi, {}),
            ("submittedAt", submitted_at.isoformat(timespec="seconds"), {}),
            ("completedAt", completed, {}),
            ("attempts", str(int(attempts)), {}),
            ("result", result_text, {"code": str(int(result_code))}),
        ],
        files=files,
    )


def received_original_stem(fax_id: int) -> str:
    """The name a received fax's files have for its recipient: ``fax-<id>``."""
    return file_stem(str(fax_id))
