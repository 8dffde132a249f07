"""Confirming the facts of a bill or CSR (issue 14): what faxline read, as the person saw
it, checked and corrected it, becomes the facts the first-time-right checks use.

A bill or CSR uploaded without facts typed *awaits confirmation* (``FactsState``): the
checks say so (``DOCUMENT_UNCONFIRMED``) and use none of it until a person confirms. The
confirmation form (portal) and ``POST .../documents/{id}/confirm`` (API) start from
:func:`proposed_facts`: what was confirmed or typed before, else what was read. Confirming
runs the facts through the same checks as an upload (``files.services.clean_facts``) and
records, for each fact, whether it is what was read, a correction of it, or typed where
nothing was read (``fact_origins``), so that the porting desk sees which is which and a
correction still meets the document in the ``READ_*`` findings.

The account number is never shown: a confirmation that leaves it out keeps the one read
(``keep_read_account_number``), and pages show it masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from faxline.accounts.access import Actor
from faxline.core.crypto import decrypt_text, mask
from faxline.core.errors import Conflict, NotFound, ValidationFailed
from faxline.porting.access import may_change_request
from faxline.porting.choices import READ_KINDS, DocumentKind, FactOrigin, ReadStatus
from faxline.porting.files.reading import read_facts_of
from faxline.porting.files.services import (
    CONFIRMED_FACTS,
    clean_facts,
    csr_record,
    require_open,
)
from faxline.porting.models import PortDocument, PortRequest
from faxline.porting.requests.services import record_event
from faxline.porting.validation.normalize import (
    account_key,
    business_key,
    compare_addresses,
    phone_key,
    same_person,
)
from faxline.porting.validation.request import PortAddressIn

ADDRESS_PARTS = ("street", "unit", "city", "state", "postal_code")


def confirmed_facts(document: PortDocument) -> dict[str, Any]:
    """The facts typed or confirmed for ``document`` in the flat shape of the form
    (``service_address`` a dict, lists as lists, the account number decrypted)."""
    if document.kind == DocumentKind.CSR:
        record = csr_record(document) or {}
        return {key: record.get(key) for key in CONFIRMED_FACTS[DocumentKind.CSR] if key in record}
    facts = document.facts or {}
    return {key: facts[key] for key in CONFIRMED_FACTS.get(document.kind, ()) if key in facts}


def proposed_facts(document: PortDocument) -> dict[str, Any]:
    """What the confirmation starts from: the facts confirmed or typed before, else the
    facts read from the file (only those of the document's kind; the account number
    decrypted: callers mask it before showing it)."""
    confirmed = confirmed_facts(document)
    if confirmed:
        return confirmed
    read = read_facts_of(document)
    keys = CONFIRMED_FACTS.get(document.kind, ())
    return {key: read[key] for key in keys if read.get(key) not in (None, "", [])}


def read_account_number_masked(document: PortDocument) -> str:
    """The account number read from the file, masked ("" when none was read)."""
    return mask(read_facts_of(document).get("account_number")) or ""


# --- where each confirmed fact came from -------------------------------------------------


def _address(value: Any, country: str) -> PortAddressIn | None:
    if not isinstance(value, Mapping):
        return None
    parts = {key: value.get(key) for key in ADDRESS_PARTS}
    if any(not parts[key] for key in ("street", "city", "state", "postal_code")):
        return None
    try:
        return PortAddressIn.model_validate({**parts, "country": value.get("country") or country})
    except ValidationError:
        return None


def _same_names(a: list[str], b: list[str]) -> bool:
    return len(a) == len(b) and all(any(same_person(x, y) for y in b) for x in a)


def _same(fact: str, confirmed: Any, read: Any, country: str) -> bool:
    """Whether a confirmed fact is what was read (as a clerk would compare them)."""
    if fact == "account_name":
        return business_key(str(confirmed)) == business_key(str(read))
    if fact == "btn":
        return phone_key(str(confirmed)) == phone_key(str(read))
    if fact == "account_number":
        return account_key(str(confirmed)) == account_key(str(read))
    if fact == "service_address":
        ours, theirs = _address(confirmed, country), _address(read, country)
        return ours is not None and theirs is not None and not compare_addresses(ours, theirs)
    if fact == "numbers":
        return {phone_key(str(n)) for n in confirmed} == {phone_key(str(n)) for n in read}
    if fact == "authorized_names":
        return _same_names([str(n) for n in confirmed], [str(n) for n in read])
    if fact == "line_features":
        return set(confirmed) == set(read)
    return str(confirmed) == str(read)


def origins(
    confirmed: Mapping[str, Any], read: Mapping[str, Any], *, country: str
) -> dict[str, str]:
    """For each confirmed fact: ``read`` when it is what the file says, ``corrected`` when
    the file said something else, ``typed`` when nothing was read for it."""
    out: dict[str, str] = {}
    for fact, value in confirmed.items():
        if value in (None, "", [], {}):
            continue
        found = read.get(fact)
        if found in (None, "", [], {}):
            out[fact] = FactOrigin.TYPED
        elif _same(fact, value, found, country):
            out[fact] = FactOrigin.READ
        else:
            out[fact] = FactOrigin.CORRECTED
    return out


# --- the service -------------------------------------------------------------------------


def _flat(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The confirmation's facts with a nested service address spread into its parts (the
    shape ``clean_facts`` takes either way, but one shape is compared)."""
    out = dict(facts)
    address = out.get("service_address")
    if isinstance(address, Mapping):
        out.pop("service_address")
        out.update({k: address.get(k) for k in (*ADDRESS_PARTS, "country") if k in address})
    return out


def port_document_confirm(
    *,
    actor: Actor,
    request: PortRequest,
    document_id: int,
    facts: Mapping[str, Any] | None,
    keep_read_account_number: bool = True,
) -> PortDocument:
    """Confirm (or correct) the facts of the request's current bill or CSR.

    ``facts`` are the same keys an upload takes (flat or with ``service_address``); they
    are checked the same way and replace what was typed or confirmed before. A CSR's
    account number left out keeps the one read from the file when
    ``keep_read_account_number``. A refusal names the field and changes nothing.
    """
    may_change_request(actor, request).check()
    require_open(request)
    document = PortDocument.objects.filter(
        pk=document_id, request=request, superseded=False
    ).first()
    if document is None:
        raise NotFound("No such current document on this request.", code="document_not_found")
    if document.kind not in READ_KINDS:
        raise ValidationFailed(
            "Only a bill's or a CSR's facts are confirmed.", field="kind", code="not_confirmable"
        )
    if document.read_status == ReadStatus.PENDING:
        raise Conflict(
            "faxline is still reading the document: confirm its facts once it has.",
            code="document_being_read",
        )
    given = _flat(facts or {})
    read = read_facts_of(document)
    if (
        document.kind == DocumentKind.CSR
        and keep_read_account_number
        and not given.get("account_number")
        and read.get("account_number")
    ):
        given["account_number"] = read["account_number"]
    cleaned = clean_facts(document.kind, given, country=request.country)
    if not cleaned:
        raise ValidationFailed("Enter the document's facts.", field="facts")
    if document.facts.get("converted_from"):
        cleaned["converted_from"] = document.facts["converted_from"]
    confirmed = _confirmed_view(document.kind, cleaned)
    fact_origins = origins(confirmed, read, country=request.country)
    label = DocumentKind(document.kind).label
    with transaction.atomic():
        locked = PortRequest.objects.select_for_update().get(pk=request.pk)
        may_change_request(actor, locked).check()
        require_open(locked)
        changed = PortDocument.objects.filter(pk=document.pk, superseded=False).update(
            facts=cleaned,
            fact_origins=fact_origins,
            facts_confirmed_at=timezone.now(),
            facts_confirmed_by=actor.user,
        )
        if not changed:
            raise Conflict(
                f"A newer {label.lower()} was uploaded meanwhile: confirm that one.",
                code="document_superseded",
            )
        counts = {str(o): sum(1 for v in fact_origins.values() if v == o) for o in FactOrigin}
        record_event(
            locked,
            kind="document_facts_confirmed",
            actor=actor,
            message=f"{label} facts confirmed: {_counts_line(counts)}",
            document_id=document.pk,
            document_kind=document.kind,
            origins=fact_origins,
        )
    document.refresh_from_db()
    return document


def _confirmed_view(kind: str, cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned facts in the form's flat shape (the CSR's record opened, its account
    number decrypted) for comparing with what was read."""
    if kind != DocumentKind.CSR:
        return {k: cleaned[k] for k in CONFIRMED_FACTS[DocumentKind.BILL] if k in cleaned}
    record = dict(cleaned.get("record") or {})
    token = cleaned.get("account_number_encrypted")
    record["account_number"] = decrypt_text(token) if token else None
    return {k: record.get(k) for k in CONFIRMED_FACTS[DocumentKind.CSR]}


def _counts_line(counts: Mapping[str, int]) -> str:
    words = {
        FactOrigin.READ: "as read",
        FactOrigin.CORRECTED: "corrected",
        FactOrigin.TYPED: "typed",
    }
    parts = [f"{n} {words[FactOrigin(o)]}" for o, n in counts.items() if n]
    return ", ".join(parts) or "none"


# --- what the porting desk sees -----------------------------------------------------------

FACT_LABELS = {
    "statement_date": "Statement date",
    "account_name": "Account name",
    "service_address": "Service address",
    "btn": "Billing telephone number (BTN)",
    "account_number": "Account number",
    "authorized_names": "Authorized names",
    "numbers": "Numbers",
    "line_features": "Line features",
}


@dataclass(frozen=True)
class FactLine:
    """One fact of a bill or CSR as the desk compares it: the value the checks use (typed
    or confirmed), where it came from, and what the file says (account numbers masked)."""

    key: str
    label: str
    used: str
    origin: str  # FactOrigin value, "" when nothing is used
    read: str

    @property
    def origin_label(self) -> str:
        return FactOrigin(self.origin).label if self.origin else ""

    @property
    def differs(self) -> bool:
        return self.origin == FactOrigin.CORRECTED


def _shown(key: str, value: Any) -> str:
    if value in (None, "", [], {}):
        return ""
    if key == "account_number":
        return mask(str(value)) or ""
    if key == "service_address" and isinstance(value, Mapping):
        unit = f", {value['unit']}" if value.get("unit") else ""
        return (
            f"{value.get('street') or ''}{unit}, {value.get('city') or ''}, "
            f"{value.get('state') or ''} {value.get('postal_code') or ''}"
        ).strip(" ,")
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return str(value)


def facts_compared(document: PortDocument) -> list[FactLine]:
    """Each fact of a bill or CSR: what the checks use, where it came from, what was read."""
    used = confirmed_facts(document)
    read = read_facts_of(document)
    origins_of = document.fact_origins or {}
    lines = []
    for key in CONFIRMED_FACTS.get(document.kind, ()):
        line = FactLine(
            key=key,
            label=FACT_LABELS[key],
            used=_shown(key, used.get(key)),
            origin=str(origins_of.get(key, "")) if used.get(key) not in (None, "", []) else "",
            read=_shown(key, read.get(key)),
        )
        if line.used or line.read:
            lines.append(line)
    return lines
