"""PDF files: counting their pages and joining them into one."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF (one that intake accepted or faxline wrote)."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def join_pdfs(parts: Iterable[bytes], *, metadata: Mapping[str, str] | None = None) -> bytes:
    """The pages of ``parts``, in order, as one PDF; ``metadata`` sets its document info
    (``{"/Title": ..., "/Author": ...}``)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    if metadata:
        writer.add_metadata(dict(metadata))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
