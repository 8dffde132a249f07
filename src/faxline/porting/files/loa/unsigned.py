"""The unsigned LOA: rendered from the request's current data and stored as the request's
``loa`` document, tagged with the fingerprint of the data it states
(``validation.checks.loa_fingerprint``), so that a change of that data makes a new one."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from faxline.accounts.access import Actor
from faxline.core.errors import Conflict
from faxline.documents.pdf import page_count
from faxline.porting.access import loa_open, may_change_request, may_read_credentials
from faxline.porting.choices import DocumentKind
from faxline.porting.files.loa.content import loa_content
from faxline.porting.files.loa.rendering import render_loa_pdf
from faxline.porting.files.services import store_document, vault_rollback
from faxline.porting.models import PortDocument, PortRequest
from faxline.porting.validation.checks import loa_fingerprint


def loa_current(request: PortRequest) -> PortDocument | None:
    """The stored unsigned LOA that states the request's current data, if any."""
    fingerprint = loa_fingerprint(request)
    for document in PortDocument.objects.filter(
        request=request, kind=DocumentKind.LOA, superseded=False
    ).order_by("-uploaded_at", "-id"):
        if document.facts.get("data_sha256") == fingerprint:
            return document
    return None


# How often rendering is tried again when the request changed while its LOA was rendered.
RENDER_ATTEMPTS = 3


@dataclass(frozen=True)
class RenderedLoa:
    """An LOA rendered from a request's data, not stored yet."""

    fingerprint: str
    variant: str
    pdf: bytes


def render_loa(request: PortRequest) -> RenderedLoa:
    """Render the LOA of ``request``'s data (slow: outside any transaction)."""
    content = loa_content(request)
    return RenderedLoa(content.fingerprint, content.variant, render_loa_pdf(content))


def store_rendered_loa(
    actor: Actor | None, request: PortRequest, rendered: RenderedLoa
) -> PortDocument:
    """Store a rendered LOA (the caller holds the request's row lock inside
    ``vault_rollback`` and checked that ``rendered`` states the request's data)."""
    return store_document(
        actor=actor,
        request=request,
        kind=DocumentKind.LOA,
        filename=f"LOA-port-request-{request.pk}.pdf",
        pdf=rendered.pdf,
        facts={
            "data_sha256": rendered.fingerprint,
            "variant": rendered.variant,
            "pages": page_count(rendered.pdf),
            "by_label": "Generated from the request",
        },
        message="Letter of Authorization generated",
    )


def loa_ensure(*, actor: Actor | None, request_id: int) -> PortDocument:
    """The unsigned LOA of the request's current data: the stored one, or a new one.

    The LOA is rendered outside any transaction (rendering takes long enough to hold up
    every other write on SQLite); the short transaction that stores it checks under the
    request's row lock that the data did not change meanwhile, and renders again if it
    did. Callers check the actor's rights first (``actor`` None: the emailed link)."""
    for _ in range(RENDER_ATTEMPTS):
        snapshot = PortRequest.objects.get(pk=request_id)
        current = loa_current(snapshot)
        if current is not None:
            return current
        loa_open(snapshot).check()
        rendered = render_loa(snapshot)
        with transaction.atomic():
            locked = PortRequest.objects.select_for_update().get(pk=request_id)
            current = loa_current(locked)
            if current is not None:
                return current
            loa_open(locked).check()
            if loa_fingerprint(locked) == rendered.fingerprint:
                with vault_rollback():
                    return store_rendered_loa(actor, locked, rendered)
    raise Conflict(
        "The request kept changing while its LOA was being prepared: try again.",
        code="loa_changed",
    )


def loa_generate(*, actor: Actor, request: PortRequest) -> PortDocument:
    """The unsigned LOA of the request's current data: the stored one, or a new one."""
    may_change_request(actor, request).check()
    return loa_ensure(actor=actor, request_id=request.pk)


def loa_preview_pdf(*, actor: Actor, request: PortRequest) -> bytes:
    """The LOA rendered without storing it (for those who may open it but not store it, e.g.
    once the request is closed). It states the credentials: ``may_read_credentials``."""
    may_read_credentials(actor, request).check()
    return render_loa_pdf(loa_content(request))
