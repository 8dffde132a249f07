"""The thumbnails of where each fact of a bill or CSR was read (issue 14).

The person confirming what faxline read sees, beside each fact, a small image of the place
on the page it came from. The reading task makes them once, right after reading, in the
document sandbox (``documents.reading.snippets``: the file is hostile until checked), and
keeps them as one encrypted vault file per document (they show personal data: names and
addresses). The account number has no thumbnail: it stays masked wherever it is shown.

A list fact (the numbers, authorized names, line features) has one thumbnail: the box
around its entries on the page where the first one was read.
"""

from __future__ import annotations

import json
import logging
import struct
from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse

from faxline.accounts.access import Actor
from faxline.core.errors import DomainError, NotFound
from faxline.core.vault import vault_delete, vault_read, vault_store
from faxline.porting.models import PortRequest

log = logging.getLogger(__name__)

#: The facts that get a thumbnail, in the order the confirmation form shows them.
SNIPPET_FACTS = (
    "account_name",
    "service_address",
    "btn",
    "statement_date",
    "numbers",
    "authorized_names",
    "line_features",
)
VAULT_PURPOSE = "porting"
MAGIC = b"FXSN1"
HEADER = struct.Struct(">I")
# A pack bigger than this is not made by us: it is not read.
MAX_PACK_BYTES = 4 * 1024 * 1024
# Labels usually stand to the left of their value ("Account Number:  1234"): the picture
# reaches this far left of the value (in PDF points) so that the label shows too.
LABEL_REACH = 130.0


Box = tuple[float, float, float, float]


def regions_of(sources: Mapping[str, Any]) -> dict[str, tuple[int, Box]]:
    """Where each fact of ``Extraction.sources()`` was read, as one page and box a fact."""
    regions: dict[str, tuple[int, Box]] = {}
    for key in SNIPPET_FACTS:
        where = sources.get(key)
        if isinstance(where, list):
            places = [w for w in where if isinstance(w, Mapping)]
            if not places:
                continue
            page = int(places[0]["page"])
            boxes = [tuple(map(float, w["box"])) for w in places if int(w["page"]) == page]
            box: Box = (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            regions[key] = (page, _with_label(box))
        elif isinstance(where, Mapping):
            x0, top, x1, bottom = (float(v) for v in where["box"])
            regions[key] = (int(where["page"]), _with_label((x0, top, x1, bottom)))
    return regions


def _with_label(box: Box) -> Box:
    x0, top, x1, bottom = box
    return (max(0.0, x0 - LABEL_REACH), top, x1, bottom)


def pack(images: Mapping[str, bytes]) -> bytes:
    """Several PNGs in one blob: a header naming each one's offset and length."""
    index: dict[str, list[int]] = {}
    body = bytearray()
    for key, png in images.items():
        index[key] = [len(body), len(png)]
        body += png
    header = json.dumps(index, separators=(",", ":")).encode()
    return MAGIC + HEADER.pack(len(header)) + header + bytes(body)


def unpack(blob: bytes, key: str) -> bytes | None:
    """The PNG of ``key`` in a blob made by :func:`pack` (None: not in it, or not a pack)."""
    if not blob.startswith(MAGIC) or len(blob) > MAX_PACK_BYTES:
        return None
    start = len(MAGIC) + HEADER.size
    (length,) = HEADER.unpack(blob[len(MAGIC) : start])
    try:
        index = json.loads(blob[start : start + length])
        offset, size = index[key]
    except (ValueError, KeyError, TypeError):
        return None
    body = start + length
    png = blob[body + int(offset) : body + int(offset) + int(size)]
    return png or None


def make_snippets(pdf: bytes, sources: Mapping[str, Any], *, label: str) -> str:
    """Render the thumbnails of ``sources`` from ``pdf`` in the sandbox and store them in
    the vault; returns the vault name ("" when there was nothing to show or the rendering
    was refused: the facts stay usable without their pictures). Call it outside any
    database transaction."""
    from faxline.documents.reading.snippets import snippets

    regions = regions_of(sources)
    if not regions:
        return ""
    keys = list(regions)
    try:
        images = snippets(pdf, [regions[key] for key in keys], label=label)
    except DomainError as exc:
        log.info("no thumbnails for %s: %s", label, exc.message)
        return ""
    made = {key: png for key, png in zip(keys, images, strict=True) if png}
    if not made:
        return ""
    return vault_store(pack(made), purpose=VAULT_PURPOSE).name


def snippet(vault_name: str, key: str) -> bytes | None:
    """The thumbnail of fact ``key`` from a document's stored pack."""
    if not vault_name or key not in SNIPPET_FACTS:
        return None
    return unpack(vault_read(vault_name), key)


def snippet_response(
    *, actor: Actor, request: PortRequest, document_id: int, fact: str
) -> HttpResponse:
    """The picture of where ``fact`` was read on one of the request's documents, as the
    Files pages and the API serve it (private, never cached); ``NotFound`` naming ``fact``
    when there is none. The request is one the actor sees (the caller got it through the
    selectors)."""
    from faxline.porting.requests.selectors import documents_of

    document = documents_of(actor=actor, request=request).filter(pk=document_id).first()
    png = snippet(document.read_snippets, fact) if document is not None else None
    if png is None:
        raise NotFound("No picture of that fact.", field="fact")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def forget_snippets(vault_name: str) -> None:
    """Delete a pack that was stored but not recorded (its document changed meanwhile)."""
    if vault_name:
        vault_delete(vault_name)
