"""Number Porting pages of the Files tab: upload, download, the Letter of Authorization and
its e-signature, the signing link, and the public page the emailed link opens.

Every read and write goes through ``porting.files.services``, ``porting.files.loa`` and the
porting selectors (which enforce the rights); these views parse input and pick templates. The
Files tab itself is ``porting/files_tab.html``, included by the request's details page with
``request`` (the port request) and ``actor``; :func:`files_context` gives it its data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faxline.accounts.access import Actor, request_actor
from faxline.core.errors import DomainError, ValidationFailed
from faxline.core.vault import vault_read
from faxline.documents.limits import MAX_DOCUMENT_BYTES
from faxline.portal.toolkit import (
    apply_domain_error,
    form_status,
    is_htmx,
    page_redirect,
    portal_view,
)
from faxline.porting import access
from faxline.porting.access import sees_request
from faxline.porting.choices import READ_KINDS, TERMINAL, DocumentKind, FactsState, ReadStatus
from faxline.porting.files import loa as loa_service
from faxline.porting.files.services import (
    UPLOAD_KINDS,
    csr_account_number_masked,
    port_document_add,
)
from faxline.porting.models import PortDocument, PortRequest
from faxline.porting.requests import selectors
from faxline.porting.validation.normalize import same_person

LINE_FEATURE_LABELS = {
    "dsl": "DSL",
    "hunt_group": "Hunt group",
    "distinctive_ring": "Distinctive ring",
    "remote_call_forwarding": "Remote call forwarding",
    "isdn": "ISDN",
}
ACCEPT = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,application/pdf,image/png,image/jpeg,image/tiff"


# --- forms ------------------------------------------------------------------------------


class UploadForm(forms.Form):
    """One document of the Files tab. A bill's or CSR's facts are not typed here: faxline
    reads them from the file and the person confirms them on the next page
    (``porting.files.facts_views``)."""

    kind = forms.ChoiceField(
        label="Document type", choices=[(k.value, k.label) for k in UPLOAD_KINDS]
    )
    file = forms.FileField(label="File", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    other_description = forms.CharField(label="What is it?", required=False, max_length=200)

    def facts(self) -> dict[str, Any]:
        """The facts of the chosen kind, as ``port_document_add`` takes them."""
        description = self.cleaned_data.get("other_description")
        if self.cleaned_data["kind"] == DocumentKind.OTHER and description:
            return {"description": description}
        return {}

    def add_service_error(self, exc: DomainError) -> None:
        """Show a refusal next to the field it names."""
        name = exc.field or ""
        for candidate in (name, f"other_{name}"):
            if candidate and candidate in self.fields:
                self.add_error(candidate, exc.message)
                return
        self.add_error(None, exc.message)


class SignForm(forms.Form):
    """The e-signature: typed name, drawn or typed signature, consent."""

    signer_name = forms.CharField(label="Your full name", max_length=200)
    signer_title = forms.CharField(label="Your title", max_length=100, required=False)
    signature_kind = forms.ChoiceField(
        label="Signature",
        choices=[("drawn", "Draw my signature"), ("typed", "Use my typed name")],
        initial="drawn",
        widget=forms.RadioSelect,
    )
    signature_image = forms.CharField(
        required=False, widget=forms.HiddenInput, max_length=loa_service.MAX_SIGNATURE_URL_CHARS
    )
    document_sha256 = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    consent = forms.BooleanField(
        label="I agree to sign electronically",
        required=False,
    )

    def signature_input(self) -> loa_service.SignatureInput:
        data = self.cleaned_data
        return loa_service.SignatureInput(
            signer_name=data["signer_name"],
            signer_title=data.get("signer_title") or "",
            consent=bool(data.get("consent")),
            signature_kind=data["signature_kind"],
            signature_image=data.get("signature_image") or None,
            document_sha256=data.get("document_sha256") or None,
        )


class SendLinkForm(forms.Form):
    email = forms.EmailField(label="Email of the authorized person", max_length=254)


# --- helpers ----------------------------------------------------------------------------


def files_url(request_id: int) -> str:
    """The request's Files tab (on its details page)."""
    return reverse("porting:detail", args=[request_id]) + "?tab=files"


def detail_url(request_id: int) -> str:
    """The request's details page."""
    return reverse("porting:detail", args=[request_id])


def may_write(actor: Actor) -> bool:
    return bool(access.may_write_requests(actor))


def may_sign(actor: Actor, port: PortRequest) -> bool:
    """Customers with the manage right sign; the porting team sends the link instead."""
    return bool(access.may_sign_loa(actor, port))


def _port(actor: Actor, request_id: int) -> PortRequest:
    return selectors.port_request_get(actor=actor, request_id=request_id)


@dataclass(frozen=True)
class DocumentRow:
    """One line of the typed document list."""

    document: PortDocument
    kind_label: str
    by: str
    summary: str
    url: str | None  # None: the actor may not open it (an LOA, for a read-only administrator)
    facts_url: str | None = None  # a bill's or CSR's facts page
    facts_note: str = ""  # "Being read", "Facts to confirm", "Facts confirmed", ...

    @property
    def awaiting(self) -> bool:
        return self.document.facts_state == FactsState.AWAITING and not self.document.superseded

    @property
    def signed(self) -> bool:
        return self.document.kind == DocumentKind.SIGNED_LOA


def _summary(document: PortDocument) -> str:
    facts = document.facts or {}
    parts: list[str] = []
    if document.kind == DocumentKind.BILL:
        if facts.get("statement_date"):
            on = dt.date.fromisoformat(facts["statement_date"])
            parts.append(f"Statement date {on:%b} {on.day}, {on:%Y}")
        if facts.get("account_name"):
            parts.append(str(facts["account_name"]))
        address = facts.get("service_address")
        if isinstance(address, dict):
            unit = f", {address['unit']}" if address.get("unit") else ""
            parts.append(
                f"{address.get('street')}{unit}, {address.get('city')}, "
                f"{address.get('state')} {address.get('postal_code')}"
            )
    elif document.kind == DocumentKind.CSR:
        record = facts.get("record") or {}
        if record.get("account_name"):
            parts.append(str(record["account_name"]))
        address = record.get("service_address") or {}
        if address:
            parts.append(f"{address.get('street')}, {address.get('city')} {address.get('state')}")
        masked = csr_account_number_masked(document)
        if masked:
            parts.append(f"account {masked}")
        if record.get("numbers"):
            parts.append(f"{len(record['numbers'])} number(s)")
        features = [LINE_FEATURE_LABELS.get(f, f) for f in record.get("line_features") or []]
        if features:
            parts.append("features: " + ", ".join(features))
    elif document.kind == DocumentKind.LOA:
        variant = "Canadian" if facts.get("variant") == "CA" else "US"
        parts.append(f"Generated from the request ({variant} LOA)")
    elif document.kind == DocumentKind.SIGNED_LOA:
        parts.append(f"Signed by {facts.get('signer_name', '')}; sealed with the platform's key")
    elif facts.get("description"):
        parts.append(str(facts["description"]))
    if facts.get("converted_from"):
        parts.append(f"converted from {str(facts['converted_from']).upper()} to PDF")
    return " · ".join(p for p in parts if p)


def _facts_note(document: PortDocument) -> str:
    """What the Files tab says about a bill's or CSR's facts."""
    state = document.facts_state
    if not state or document.superseded:
        return ""
    if document.read_status == ReadStatus.PENDING:
        return "Being read"
    if state == FactsState.AWAITING:
        return "Facts to confirm"
    if state == FactsState.CONFIRMED:
        return "Facts confirmed"
    return "Facts typed"


def files_context(
    actor: Actor,
    port: PortRequest,
    *,
    form: UploadForm | None = None,
    send_form: SendLinkForm | None = None,
) -> dict[str, Any]:
    """What the Files tab shows and offers to ``actor``."""
    if not sees_request(actor, port):
        return {}
    credentials = bool(access.may_read_credentials(actor, port))
    rows = [
        DocumentRow(
            document=d,
            kind_label=d.get_kind_display(),
            by=selectors.uploaded_by(actor, d),
            summary=_summary(d),
            url=reverse("porting:document", args=[port.pk, d.pk])
            if credentials or d.kind not in access.CREDENTIAL_KINDS
            else None,
            facts_url=reverse("porting:document_facts", args=[port.pk, d.pk])
            if d.kind in READ_KINDS and not d.superseded
            else None,
            facts_note=_facts_note(d),
        )
        for d in selectors.documents_of(actor=actor, request=port).select_related("uploaded_by")
    ]
    open_request = port.status not in TERMINAL
    can_write = may_write(actor) and open_request
    status = loa_service.loa_status(port)
    signed_row = None
    if credentials and status.signature is not None and status.signature.signed_document_id:
        signed_row = reverse(
            "porting:document", args=[port.pk, status.signature.signed_document_id]
        )
    return {
        "port": port,
        "rows": rows,
        "current": [r for r in rows if not r.document.superseded],
        "superseded_count": sum(1 for r in rows if r.document.superseded),
        "loa": status,
        "signed_url": signed_row,
        "unsigned_url": reverse("porting:document", args=[port.pk, status.unsigned.pk])
        if credentials and status.unsigned is not None
        else None,
        "can_upload": can_write,
        "can_sign": may_sign(actor, port),
        "can_send": can_write,
        "closed": not open_request,
        "is_team": bool(access.may_see_team_internals(actor)),
        "upload_form": form or UploadForm(),
        "send_form": send_form or SendLinkForm(initial={"email": port.authorized_email or ""}),
        "upload_url": reverse("porting:files", args=[port.pk]),
        "loa_url": reverse("porting:loa", args=[port.pk]),
        "send_url": reverse("porting:loa_send", args=[port.pk]),
        "max_mb": MAX_DOCUMENT_BYTES // (1024 * 1024),
    }


def _download(document: PortDocument) -> HttpResponse:
    response = HttpResponse(vault_read(document.vault_name), content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Files ------------------------------------------------------------------------------


def _files_page(
    request: HttpRequest,
    actor: Actor,
    port: PortRequest,
    *,
    form: UploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "port": port,
        "actor": actor,
        "files_upload_form": form,
        "detail_url": detail_url(port.pk),
    }
    if is_htmx(request):
        # htmx swaps only 2xx answers: the refusal is in the returned tab itself.
        html = render_to_string("porting/_files_partial.html", context, request=request)
        return HttpResponse(html)
    return render(request, "porting/files_page.html", context, status=status)


@portal_view
@require_http_methods(["GET", "POST"])
def files(request: HttpRequest, request_id: int) -> HttpResponse:
    """The Files of a request (GET: the standalone page) and uploads (POST)."""
    actor = request_actor(request)
    port = _port(actor, request_id)
    if request.method == "GET":
        return _files_page(request, actor, port)
    form = UploadForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size and upload.size > MAX_DOCUMENT_BYTES:
                raise ValidationFailed(
                    f"“{upload.name}” is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
                    field="file",
                )
            document = port_document_add(
                actor=actor,
                request=port,
                kind=form.cleaned_data["kind"],
                filename=upload.name or "",
                data=upload.read(MAX_DOCUMENT_BYTES + 1),
                facts=form.facts(),
            )
        except DomainError as exc:
            form.add_service_error(exc)
            status = form_status(exc)
        else:
            messages.success(request, f"{document.get_kind_display()} “{document.filename}” added.")
            if document.kind in READ_KINDS:
                # Next: the facts faxline reads from it, for the person to confirm.
                url = reverse("porting:document_facts", args=[port.pk, document.pk])
                return page_redirect(request, url)
            if is_htmx(request):
                port.refresh_from_db()
                return _files_page(request, actor, port)
            return redirect(files_url(port.pk))
    return _files_page(request, actor, port, form=form, status=status)


@portal_view
@require_GET
def document(request: HttpRequest, request_id: int, document_id: int) -> HttpResponse:
    """A document, decrypted for someone who may see the request (always an attachment);
    the LOA kinds only for those who may read the credentials they state."""
    actor = request_actor(request)
    port = _port(actor, request_id)
    doc = selectors.document_for_download(actor=actor, request=port, document_id=document_id)
    return _download(doc)


# --- the LOA ----------------------------------------------------------------------------


def _loa_context(
    request: HttpRequest,
    actor: Actor,
    port: PortRequest,
    *,
    form: SignForm | None = None,
    send_form: SendLinkForm | None = None,
) -> dict[str, Any]:
    unsigned = loa_service.loa_current(port)
    if unsigned is None and may_write(actor) and port.status not in TERMINAL:
        unsigned = loa_service.loa_generate(actor=actor, request=port)
    status = loa_service.loa_status(port)
    content = loa_service.loa_content(port)
    credentials = bool(access.may_read_credentials(actor, port))
    user = actor.user
    full_name = user.get_full_name()
    verification = None
    if status.signed and status.signature is not None and status.signature.signed_document:
        verification = loa_service.loa_verify(status.signature.signed_document)
    return {
        "port": port,
        "actor": actor,
        "content": content,
        "sections": content.rows(masked=True),
        "status": status,
        "verification": verification,
        "unsigned": unsigned,
        "unsigned_url": reverse("porting:document", args=[port.pk, unsigned.pk])
        if credentials and unsigned is not None
        else None,
        "signed_url": reverse(
            "porting:document", args=[port.pk, status.signature.signed_document_id]
        )
        if credentials and status.signed and status.signature is not None
        else None,
        "credentials_withheld": access.may_read_credentials(actor, port).reason,
        "consent_text": loa_service.consent_text(port),
        "form": form
        or SignForm(
            initial={
                "signer_title": port.authorized_title,
                "document_sha256": unsigned.sha256 if unsigned is not None else "",
            }
        ),
        "send_form": send_form or SendLinkForm(initial={"email": port.authorized_email or ""}),
        "can_sign": may_sign(actor, port) and not status.signed,
        "can_send": may_write(actor) and port.status not in TERMINAL and not status.signed,
        "is_team": bool(access.may_see_team_internals(actor)),
        "someone_else": bool(full_name) and not same_person(full_name, port.authorized_name),
        "signed_in_as": full_name or user.get_username(),
        "files_url": files_url(port.pk),
        "detail_url": detail_url(port.pk),
        "sign_action": reverse("porting:loa", args=[port.pk]),
    }


@portal_view
@require_http_methods(["GET", "POST"])
def loa(request: HttpRequest, request_id: int) -> HttpResponse:
    """The generated LOA, and the authorized person's signature while signed in."""
    actor = request_actor(request)
    port = _port(actor, request_id)
    if request.method == "GET":
        return render(request, "porting/loa.html", _loa_context(request, actor, port))
    form = SignForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            loa_service.loa_sign(
                actor=actor,
                request=port,
                data=form.signature_input(),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = form_status(exc)
        else:
            messages.success(
                request,
                "The Letter of Authorization is signed. The signed PDF is in the request's Files.",
            )
            return redirect(reverse("porting:loa", args=[port.pk]))
    port.refresh_from_db()
    context = _loa_context(request, actor, port, form=form)
    return render(request, "porting/loa.html", context, status=status)


@portal_view
@require_POST
def loa_send(request: HttpRequest, request_id: int) -> HttpResponse:
    """Email the authorized person a one-time signing link."""
    actor = request_actor(request)
    port = _port(actor, request_id)
    back = (
        reverse("porting:loa", args=[port.pk])
        if request.POST.get("next") == "loa"
        else files_url(port.pk)
    )
    form = SendLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the email address of the authorized person.")
        return redirect(back)
    try:
        sent = loa_service.loa_send_link(
            actor=actor, request=port, email=form.cleaned_data["email"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    expires = timezone.localtime(sent.expires_at)
    messages.success(
        request,
        f"Signing link sent to {sent.email}. It works once, until "
        f"{expires:%b} {expires.day}, {expires:%Y}.",
    )
    return redirect(back)


# --- the emailed link (no sign-in) ------------------------------------------------------


def _public_headers(response: HttpResponse) -> HttpResponse:
    # The token is in the path: never send it to another site (same-origin still lets the
    # browser send the Origin header that CSRF protection checks).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _client_ip(request: HttpRequest) -> str | None:
    from faxline.accounts.auth import client_ip

    return client_ip(request)


@never_cache
@require_http_methods(["GET", "POST"])
def loa_public(request: HttpRequest, token: str) -> HttpResponse:
    """The page an emailed signing link opens: the LOA and the sign form, without an
    account. A used, expired or outdated link shows a page that says so."""
    state = loa_service.loa_link_state(token)
    if not state.valid:
        status = 404 if state.state == "invalid" else 410
        context = {"message": loa_service.LINK_REFUSALS[state.state], "state": state.state}
        return _public_headers(
            render(request, "porting/loa_link_closed.html", context, status=status)
        )
    assert state.request is not None and state.signature is not None
    port = state.request
    unsigned = loa_service.loa_current(port) or state.signature.unsigned_document
    if request.method == "GET" and request.GET.get("download") == "pdf":
        return _public_headers(_download(unsigned))
    form = SignForm(
        request.POST or None,
        initial={"signer_title": port.authorized_title, "document_sha256": unsigned.sha256},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                signature = loa_service.loa_sign_with_token(
                    token=token,
                    data=form.signature_input(),
                    ip_address=_client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except DomainError as exc:
                if exc.code.startswith("link_"):
                    context = {"message": exc.message, "state": exc.code.removeprefix("link_")}
                    return _public_headers(
                        render(request, "porting/loa_link_closed.html", context, status=410)
                    )
                apply_domain_error(form, exc)
                status = form_status(exc)
            else:
                return _public_headers(
                    render(
                        request,
                        "porting/loa_public_done.html",
                        {"port": port, "signature": signature},
                    )
                )
    content = loa_service.loa_content(port)
    page: dict[str, Any] = {
        "port": port,
        "content": content,
        "sections": content.rows(masked=True),
        "unsigned": unsigned,
        "download_url": request.path + "?download=pdf",
        "consent_text": loa_service.consent_text(port),
        "form": form,
        "sign_action": request.path,
        "can_sign": True,
        "public": True,
        "expires": state.signature.token_expires_at,
    }
    return _public_headers(render(request, "porting/loa_public.html", page, status=status))


__all__ = [
    "SendLinkForm",
    "SignForm",
    "UploadForm",
    "document",
    "files",
    "files_context",
    "loa",
    "loa_public",
    "loa_send",
]
