"""Whose traffic the Dashboard shows and the filter the person chose (range, interval,
department), checked before anything is read.

Company-level administrators see their company; department administrators their
department's subtree; fax users their own faxes (``user_key``); operators and channel
partners the company chosen on the Dashboard (``?company=``). The department filter narrows
to a subtree the person sees; a department outside it does not exist for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company, Department
from faxline.accounts.selectors import company_in_view
from faxline.core.errors import NotFound, ValidationFailed

Interval = Literal["hour", "day", "month"]
INTERVAL_CHOICES: list[tuple[str, str]] = [
    ("auto", "Auto"),
    ("hour", "Hour"),
    ("day", "Day"),
    ("month", "Month"),
]
DEFAULT_DAYS = 30
# The longest range the Dashboard shows, and the longest for each interval (buckets drawn).
MAX_DAYS = 731
MAX_DAYS_BY_INTERVAL: dict[str, int] = {"hour": 7, "day": 366, "month": MAX_DAYS}
# Auto: hours for up to 3 days, days up to about a quarter, months beyond.
AUTO_HOURS_UP_TO = 3
AUTO_DAYS_UP_TO = 92


@dataclass(frozen=True)
class DepartmentChoice:
    """A department in the "Choose Department" list: its id and its full name."""

    pk: int
    label: str


@dataclass(frozen=True)
class TrafficScope:
    """What the figures count: a company, narrowed to some departments (``department_ids``,
    None for the whole company) or to one person's faxes (``user_id``)."""

    company: Company
    department_ids: tuple[int, ...] | None = None
    user_id: int | None = None
    departments: list[DepartmentChoice] = field(default_factory=list)
    department: DepartmentChoice | None = None


@dataclass(frozen=True)
class TrafficFilter:
    """The chosen range (``start`` to ``end``, whole UTC days, both included) and the
    interval actually drawn (``interval``; ``asked`` is what the person chose, "auto" too)."""

    start: date
    end: date
    interval: Interval
    asked: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _parse_day(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(f"{name} must be a date such as 2026-03-31.", field=name) from exc


def traffic_filter(
    *,
    start: str = "",
    end: str = "",
    interval: str = "",
    today: date | None = None,
    names: tuple[str, str] = ("start", "end"),
) -> TrafficFilter:
    """The range and interval from the Dashboard's controls (empty: the last 30 days, Auto);
    a bad value raises ValidationFailed naming the control (``names``: what the range's
    two ends are called where they were given, the page's "start"/"end" or the API's
    "from"/"to")."""
    today = today or timezone.now().date()
    start_name, end_name = names
    asked = (interval or "auto").strip().lower()
    if asked not in {key for key, _ in INTERVAL_CHOICES}:
        raise ValidationFailed("interval must be Auto, Hour, Day or Month.", field="interval")
    last = _parse_day(end.strip(), end_name) if end.strip() else today
    first = (
        _parse_day(start.strip(), start_name)
        if start.strip()
        else last - timedelta(days=DEFAULT_DAYS - 1)
    )
    if first > last:
        raise ValidationFailed("The start of the range is after its end.", field=start_name)
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise ValidationFailed(
            f"Choose a range of at most {MAX_DAYS} days (this one has {days}).", field=start_name
        )
    chosen: Interval
    if asked == "auto":
        chosen = (
            "hour" if days <= AUTO_HOURS_UP_TO else "day" if days <= AUTO_DAYS_UP_TO else "month"
        )
    else:
        chosen = asked  # type: ignore[assignment]
        most = MAX_DAYS_BY_INTERVAL[chosen]
        if days > most:
            raise ValidationFailed(
                f"Interval {chosen.title()} shows at most {most} days; choose a shorter "
                "range or a longer interval.",
                field="interval",
            )
    return TrafficFilter(start=first, end=last, interval=chosen, asked=asked)


def traffic_company(*, actor: Actor, company_id: str = "") -> Company | None:
    """The company whose traffic is shown: one's own (``company_id`` is ignored); operators
    and channel partners the one asked for (NotFound outside their view), else the first
    they see. None for someone of no company."""
    if not actor.spans_companies:
        return actor.user.company
    raw = company_id.strip()
    if raw and not raw.isdigit():
        raise NotFound("Company not found.", field="company")
    try:
        return company_in_view(actor=actor, company_id=int(raw) if raw else None)
    except NotFound as exc:
        raise NotFound(exc.message, field="company") from exc


def _labels(departments: list[Department]) -> dict[int, str]:
    names = {d.pk: d.name for d in departments}
    labels = {}
    for d in departments:
        ids = [int(p) for p in d.path.strip("/").split("/") if p]
        labels[d.pk] = " -> ".join(names.get(i, "…") for i in ids)
    return labels


def traffic_scope(*, actor: Actor, company: Company, department_id: str = "") -> TrafficScope:
    """Whose faxes the figures count for ``actor`` in ``company``, narrowed to the subtree of
    ``department_id`` when given (a department the actor does not see raises NotFound, the
    same as one that does not exist)."""
    raw = department_id.strip()
    if actor.user.role == Role.FAX_USER:
        if raw:
            raise NotFound("Department not found.", field="department")
        return TrafficScope(company=company, user_id=actor.user.pk)
    # One query: the company's departments, for the labels (full names from the top) and
    # the subtrees; the list offered is what the actor sees.
    everything = list(Department.objects.filter(company=company).only("pk", "name", "path"))
    labels = _labels(everything)
    root = actor.scope_department
    visible = [d for d in everything if root is None or d.path.startswith(root.path)]
    choices = sorted(
        (DepartmentChoice(d.pk, labels[d.pk]) for d in visible), key=lambda c: c.label.lower()
    )
    chosen_root: Department | None = root
    chosen: DepartmentChoice | None = None
    if raw:
        if not raw.isdigit():
            raise NotFound("Department not found.", field="department")
        found = next((d for d in visible if d.pk == int(raw)), None)
        if found is None:
            raise NotFound("Department not found.", field="department")
        chosen_root = found
        chosen = DepartmentChoice(found.pk, labels[found.pk])
    ids = (
        None
        if chosen_root is None
        else tuple(d.pk for d in everything if d.path.startswith(chosen_root.path))
    )
    return TrafficScope(company=company, department_ids=ids, departments=choices, department=chosen)
