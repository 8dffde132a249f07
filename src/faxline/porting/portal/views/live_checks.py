"""The live first-time-right checks of the + New Port Request wizard: the validation engine
run on the wizard's data so far, each finding placed on the step, field or number row it is
about."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from faxline.porting.portal.forms import NewPortRequestForm
from faxline.porting.requests import changes
from faxline.porting.validation import parse_request, validate
from faxline.porting.validation.checks import context_for
from faxline.porting.validation.codes import Finding

NEXT_STEP_PREFIXES = ("loa", "bill", "csr")


@dataclass
class LiveFindings:
    """The findings of the wizard's data so far, placed where the page shows them."""

    by_field: dict[str, list[Finding]] = field(default_factory=dict)
    by_row: dict[int, list[Finding]] = field(default_factory=dict)
    by_step: dict[int, list[Finding]] = field(default_factory=dict)
    next_steps: list[Finding] = field(default_factory=list)
    checked: bool = False

    def step(self, number: int) -> list[Finding]:
        return self.by_step.get(number, [])

    def earlier(self, current: int) -> list[tuple[int, Finding]]:
        return [(s, f) for s in sorted(self.by_step) if s < current for f in self.by_step[s]]

    @property
    def errors(self) -> int:
        return sum(1 for fs in self.by_step.values() for f in fs if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for fs in self.by_step.values() for f in fs if f.severity == "warning")


ENGINE_FIELDS = {
    "btn": "btn",
    "new_btn": "new_btn",
    "losing_carrier": "losing_carrier",
    "account_number": "account_number",
    "pin": "pin",
    "business_name": "business_name",
    "authorized_person": "authorized_name",
    "authorized_person.name": "authorized_name",
    "authorized_person.title": "authorized_title",
    "shared_line_uses": "shared_line_uses",
    "port_type": "port_type",
}
PLACEHOLDER_ADDRESS = {
    "US": {"street": "1 Main St", "city": "Seattle", "state": "WA", "postal_code": "98101"},
    "CA": {"street": "1 Main St", "city": "Ottawa", "state": "ON", "postal_code": "K1A 0B1"},
}


def form_field_of(path: str) -> tuple[str, int | None]:
    """The wizard's field (and number row) an engine finding's JSON path is about."""
    if path.startswith("numbers["):
        index = int(path[len("numbers[") : path.index("]")])
        return "numbers", index
    if path.startswith("service_address."):
        return path.split(".", 1)[1].split("[", 1)[0], None
    return ENGINE_FIELDS.get(path, path.split(".", 1)[0]), None


def engine_input(
    data: dict[str, Any], numbers: list[tuple[str, str]]
) -> tuple[dict[str, Any], set[str]]:
    """The validator's JSON for the wizard's data so far, and the paths filled with
    placeholders (their findings are not the customer's)."""
    placeholders: set[str] = set()
    first = phonenumbers.parse(numbers[0][0], "US")
    number_country = phonenumbers.region_code_for_number(first)
    number_country = number_country if number_country in ("US", "CA") else "US"

    def text(name: str) -> str:
        value = data.get(name)
        return value.strip() if isinstance(value, str) else ""

    carrier = text("losing_carrier")
    if not carrier:
        carrier = "(not yet given)"
        placeholders.add("losing_carrier")
    business = text("business_name")
    if not business:
        business = "(not yet given)"
        placeholders.add("business_name")
    address = {name: text(name) for name in ("street", "unit", "city", "state", "postal_code")}
    country = text("country") or number_country
    if not all(address[n] for n in ("street", "city", "state", "postal_code")):
        address = {**PLACEHOLDER_ADDRESS[number_country], "unit": ""}
        country = number_country
        placeholders.add("service_address")
    name = text("authorized_name")
    payload = {
        "as_of": timezone.localdate().isoformat(),
        "numbers": [{"number": n, "line_type": t} for n, t in numbers],
        "port_type": text("port_type") or "full",
        "btn": text("btn") or None,
        "new_btn": text("new_btn") or None,
        "losing_carrier": carrier,
        "account_number": text("account_number") or None,
        "pin": text("pin") or None,
        "business_name": business,
        "authorized_person": {"name": name, "title": text("authorized_title") or None}
        if name
        else None,
        "service_address": {**address, "unit": address.get("unit") or None, "country": country},
        "loa": None,
        "bill": None,
        "csr": None,
        "shared_line_uses": list(data.get("shared_line_uses") or []),
    }
    return payload, placeholders


def live_findings(
    form: NewPortRequestForm, *, step: int, reached: int, check: bool
) -> LiveFindings:
    """Run the first-time-right engine on the wizard's data so far. Missing documents are
    "next steps"; findings of steps not reached yet, or about fields still empty on the
    current step, wait."""
    live = LiveFindings(checked=True)
    data = dict(getattr(form, "cleaned_data", {}) or {})
    numbers = [(r.e164, r.line_type) for r in form.rows if r.e164 and not r.error]
    if not numbers:
        return live
    payload, placeholders = engine_input(data, numbers)
    try:
        findings = validate(parse_request(payload), context=context_for(None))
    except PydanticValidationError:
        return live
    for found in findings:
        root = found.field.split(".", 1)[0].split("[", 1)[0]
        if root in NEXT_STEP_PREFIXES:
            live.next_steps.append(found)
            continue
        if root in placeholders or (
            found.field == "service_address.country" and "service_address" in placeholders
        ):
            continue
        name, row = form_field_of(found.field)
        where = form.step_of(name)
        if where > max(step, reached):
            continue
        if where == step and reached <= step:
            value = data.get(name) if name != "numbers" else numbers
            if not (check and value):
                continue
        live.by_step.setdefault(where, []).append(found)
        if row is not None:
            live.by_row.setdefault(row, []).append(found)
        else:
            live.by_field.setdefault(name, []).append(found)
    for row_ in form.rows:
        row_.findings = live.by_row.get(row_.index, [])
    return live


@dataclass(frozen=True)
class Placed:
    """A finding with where it is about (a step's or a field's name)."""

    finding: Finding
    where: str = ""


def label_of(form: NewPortRequestForm, name: str) -> str:
    """The words for a field of the wizard, as a finding's "where"."""
    if name == "numbers":
        return "Numbers to port"
    found = form.fields.get(name)
    return str(found.label) if found is not None and found.label else changes.field_label(name)
