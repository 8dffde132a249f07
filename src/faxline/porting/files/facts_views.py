"""The page where a person confirms what faxline read from a bill or a CSR (issue 14).

After a bill or CSR is uploaded the portal opens this page: while the file is being read
it shows the progress (the panel polls itself), then every fact read, pre-filled, with a
thumbnail of where on the page it was read, for the person to confirm or correct. The same
page shows a document's confirmed or typed facts beside what was read, with where each one
came from. Writes go through ``porting.files.confirmation``; reads through the porting
selectors (which scope the request to the person).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from faxline.accounts.access import Actor, request_actor
from faxline.core.errors import DomainError
from faxline.portal.toolkit import form_status, page_redirect, portal_view
from faxline.porting import access
from faxline.porting.choices import (
    READ_KINDS,
    TERMINAL,
    DocumentKind,
    FactOrigin,
    FactsState,
    ReadStatus,
)
from faxline.porting.files.confirmation import (
    FACT_LABELS,
    port_document_confirm,
    proposed_facts,
    read_account_number_masked,
)
from faxline.porting.files.reading import read_facts_shown
from faxline.porting.files.services import CONFIRMED_FACTS
from faxline.porting.files.snippets import SNIPPET_FACTS, snippet_response
from faxline.porting.files.views import LINE_FEATURE_LABELS, detail_url
from faxline.porting.models import PortDocument, PortRequest
from faxline.porting.requests import selectors
from faxline.porting.validation.request import LINE_FEATURES

ADDRESS_PARTS = ("street", "unit", "city", "state", "postal_code")
DOCUMENT_NAMES = {"bill": "a bill", "csr": "a CSR", "loa": "a letter of authorization"}


class FactsForm(forms.Form):
    """The facts of one bill or CSR, pre-filled with what was read."""

    statement_date = forms.DateField(
        label="Statement date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    account_name = forms.CharField(label="Account name", required=False, max_length=200)
    street = forms.CharField(label="Street", required=False, max_length=200)
    unit = forms.CharField(label="Suite / unit", required=False, max_length=50)
    city = forms.CharField(label="City", required=False, max_length=200)
    state = forms.CharField(label="State / province", required=False, max_length=200)
    postal_code = forms.CharField(label="ZIP / postal code", required=False, max_length=200)
    btn = forms.CharField(label="Billing telephone number", required=False, max_length=40)
    account_number = forms.CharField(
        label="Account number",
        required=False,
        max_length=50,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    authorized_names = forms.CharField(
        label="Authorized names (one a line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    numbers = forms.CharField(
        label="Numbers on the account (one a line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    line_features = forms.MultipleChoiceField(
        label="Line features",
        required=False,
        choices=[(f, LINE_FEATURE_LABELS.get(f, f)) for f in LINE_FEATURES],
        widget=forms.CheckboxSelectMultiple,
    )

    BILL_FIELDS = ("statement_date", "account_name", *ADDRESS_PARTS)

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == DocumentKind.BILL:
            for name in list(self.fields):
                if name not in self.BILL_FIELDS:
                    del self.fields[name]
        else:
            del self.fields["statement_date"]

    def facts(self) -> dict[str, Any]:
        """The facts as ``port_document_confirm`` takes them."""
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", []):
                continue
            out[name] = value.isoformat() if isinstance(value, dt.date) else value
        return out

    def add_service_error(self, exc: DomainError) -> None:
        name = exc.field or ""
        if name == "service_address":
            name = "street"
        if name in self.fields:
            self.add_error(name, exc.message)
        else:
            self.add_error(None, exc.message)


def initial_of(document: PortDocument) -> dict[str, Any]:
    """The form's starting values (never the account number: it is not shown)."""
    facts = proposed_facts(document)
    initial: dict[str, Any] = {}
    for key, value in facts.items():
        if key == "service_address" and isinstance(value, dict):
            initial.update({part: value.get(part) or "" for part in ADDRESS_PARTS})
        elif key in ("authorized_names", "numbers") and isinstance(value, list):
            initial[key] = "\n".join(str(v) for v in value)
        elif key == "line_features":
            initial[key] = [f for f in value or [] if f in LINE_FEATURES]
        elif key != "account_number":
            initial[key] = value
    return initial


@dataclass(frozen=True)
class FactRow:
    """One fact of the form: its fields, where it was read, and where the confirmed value
    came from."""

    key: str
    label: str
    fields: list[forms.BoundField]
    read: Any
    page: int | None
    thumbnail_url: str | None
    origin: str  # FactOrigin value, "" when not confirmed
    incomplete: bool = False  # a list that may miss entries the reader could not make out

    @property
    def origin_label(self) -> str:
        return FactOrigin(self.origin).label if self.origin else ""


def _rows(port: PortRequest, document: PortDocument, form: FactsForm) -> list[FactRow]:
    sources = document.read_sources or {}
    read = read_facts_shown(document)
    origins = document.fact_origins or {}
    rows: list[FactRow] = []
    for key in CONFIRMED_FACTS[document.kind]:
        names = ADDRESS_PARTS if key == "service_address" else (key,)
        where = sources.get(key)
        if isinstance(where, list):
            where = where[0] if where else None
        page = int(where["page"]) if isinstance(where, dict) else None
        url = None
        if document.read_snippets and page is not None and key in SNIPPET_FACTS:
            url = reverse("porting:document_snippet", args=[port.pk, document.pk, key])
        rows.append(
            FactRow(
                key=key,
                label=FACT_LABELS[key],
                fields=[form[name] for name in names],
                read=read.get(key),
                page=page,
                thumbnail_url=url,
                origin=str(origins.get(key, "")),
                incomplete=key in (read.get("incomplete") or []),
            )
        )
    return rows


def _document(actor: Actor, port: PortRequest, document_id: int) -> PortDocument:
    document = (
        selectors.documents_of(actor=actor, request=port)
        .filter(pk=document_id, kind__in=READ_KINDS)
        .select_related("facts_confirmed_by")
        .first()
    )
    if document is None:
        raise Http404("No such bill or CSR on this request.")
    return document


def facts_url(request_id: int, document_id: int) -> str:
    return reverse("porting:document_facts", args=[request_id, document_id])


def _context(
    actor: Actor, port: PortRequest, document: PortDocument, form: FactsForm
) -> dict[str, Any]:
    read_type = document.read_document_type
    mistyped = (
        document.read_status == ReadStatus.READ
        and read_type not in ("", document.kind)
        and read_type in DOCUMENT_NAMES
    )
    started = document.read_started_at
    return {
        "port": port,
        "document": document,
        "kind_label": DocumentKind(document.kind).label,
        "kind_short": "bill" if document.kind == DocumentKind.BILL else "CSR",
        "form": form,
        "rows": _rows(port, document, form),
        "pending": document.read_status == ReadStatus.PENDING,
        "reading_for": int((timezone.now() - started).total_seconds()) if started else None,
        "unreadable": document.read_status == ReadStatus.UNREADABLE,
        "read": document.read_status == ReadStatus.READ,
        "mistyped_as": DOCUMENT_NAMES.get(read_type) if mistyped else None,
        "account_number_read": read_account_number_masked(document),
        "state": document.facts_state,
        "state_label": FactsState(document.facts_state).label,
        "can_confirm": bool(access.may_write_requests(actor))
        and port.status not in TERMINAL
        and not document.superseded,
        "panel_url": facts_url(port.pk, document.pk),
        "detail_url": detail_url(port.pk),
        "download_url": reverse("porting:document", args=[port.pk, document.pk]),
    }


@portal_view
@never_cache
@require_http_methods(["GET", "POST"])
def document_facts(request: HttpRequest, request_id: int, document_id: int) -> HttpResponse:
    """GET: the facts read from a bill or CSR (or the reading's progress); POST: confirm
    them, corrected where the person corrected them."""
    actor = request_actor(request)
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    document = _document(actor, port, document_id)
    status = 200
    if request.method == "POST":
        form = FactsForm(document.kind, request.POST)
        status = 422
        if form.is_valid():
            try:
                confirmed = port_document_confirm(
                    actor=actor,
                    request=port,
                    document_id=document.pk,
                    facts=form.facts(),
                )
            except DomainError as exc:
                form.add_service_error(exc)
                status = form_status(exc)
            else:
                label = DocumentKind(confirmed.kind).label
                messages.success(request, f"{label} facts confirmed.")
                return page_redirect(request, detail_url(port.pk))
    else:
        form = FactsForm(document.kind, initial=initial_of(document))
    context = _context(actor, port, document, form)
    return render(request, "porting/document_facts.html", context, status=status)


@portal_view
@require_GET
def document_snippet(
    request: HttpRequest, request_id: int, document_id: int, fact: str
) -> HttpResponse:
    """The thumbnail of where ``fact`` was read on the document (a PNG)."""
    actor = request_actor(request)
    port = selectors.port_request_get(actor=actor, request_id=request_id)
    return snippet_response(actor=actor, request=port, document_id=document_id, fact=fact)
