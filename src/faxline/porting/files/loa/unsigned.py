"""The unsigned LOA: rendered from the request's current data and stored as the request's
``loa`` document, tagged with the fingerprint of the data it states
(``validation.checks.loa_fingerprint``), so that a change of that data makes a new one."""

from __future__ import annotations

from django.db import transaction

from faxline.accounts.access import Actor
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


def store_new_loa(actor: Actor | None, request: PortRequest) -> PortDocument:
    """Render and store the LOA of the request's current data (the caller holds the
    request's row lock inside ``vault_rollback``)."""
    content = loa_content(request)
    pdf = render_loa_pdf(content)
    return store_document(
        actor=actor,
        request=request,
        kind=DocumentKind.LOA,
        filename=f"LOA-port-request-{request.pk}.pdf",
        pdf=pdf,
        facts={
            "data_sha256": content.fingerprint,
            "variant": content.variant,
            "pages": page_count(pdf),
            "by_label": "Generated from the request",
        },
        message="Letter of Authorization generated",
    )


@transaction.atomic
def loa_generate(*, actor: Actor, request: PortRequest) -> PortDocument:
    """The unsigned LOA of the request's current data: the stored one, or a new one."""
    may_change_request(actor, request).check()
    locked = PortRequest.objects.select_for_update().get(pk=request.pk)
    current = loa_current(locked)
    if current is not None:
        return current
    loa_open(locked).check()
    with vault_rollback():
        return store_new_loa(actor, locked)


def loa_preview_pdf(*, actor: Actor, request: PortRequest) -> bytes:
    """The LOA rendered without storing it (for those who may open it but not store it, e.g.
    once the request is closed). It states the credentials: ``may_read_credentials``."""
    may_read_credentials(actor, request).check()
    return render_loa_pdf(loa_content(request))
