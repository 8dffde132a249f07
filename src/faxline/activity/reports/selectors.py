"""Running a report for the acting person: the one path of the portal page, its CSV export
and the API.

:func:`report_scope` checks the right ("Run reports", 403), picks the company (an
administrator's own; operators and channel partners name one, else 422 on ``company``; a
company they do not see is 404), and validates the filters, each refused naming its field:
``department`` and ``user`` must be ids (a user also by username) inside the actor's scope
(else 404: a department administrator asking for a department outside their subtree gets
nothing), ``number`` a fax number (422). Without a department filter a department
administrator sees their subtree only. :func:`report_run` computes the report's rows and
totals from the tallies of that scope.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import Company, Department, User
from faxline.activity.reports.access import may_run_reports
from faxline.activity.reports.catalog import Report, ReportData, report_find
from faxline.activity.reports.scope import ReportScope
from faxline.core.errors import NotFound, ValidationFailed
from faxline.core.phone import fax_number_e164
from faxline.faxing.tally.models import DailyTraffic

DAYS = 90
"""Reports cover a rolling 90 days: today (UTC) and the 89 days before."""

MAX_CHOICES = 500
"""The filter form offers at most this many departments, users and numbers."""

_USERNAME = re.compile(r"[\w.@+-]{1,150}", re.ASCII)


def report_get(*, direction: str, slug: str) -> Report:
    """The report ``slug`` of ``direction`` (404 naming ``report`` when there is none)."""
    report = report_find(direction, slug)
    if report is None:
        raise NotFound(f"There is no {direction} report {slug!r}.", field="report")
    return report


def report_period(today: date | None = None) -> tuple[date, date]:
    """The first and last day (UTC) of the rolling 90 days ending ``today``."""
    end = today or timezone.now().astimezone(UTC).date()
    return end - timedelta(days=DAYS - 1), end


def _raw(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value).strip()


def _digits(raw: str) -> bool:
    return raw.isascii() and raw.isdigit()


def _id(raw: str, name: str) -> int:
    if not _digits(raw) or len(raw) > 18:
        raise ValidationFailed(f"{name.capitalize()} must be an id (a whole number).", field=name)
    return int(raw)


def _company(actor: Actor, raw: str) -> Company:
    if raw:
        company = Company.objects.filter(actor.companies_q(), pk=_id(raw, "company")).first()
        if company is None or not actor.sees_company(company):
            raise NotFound("Company not found.", field="company")
        return company
    if actor.spans_companies or actor.user.company is None:
        raise ValidationFailed("Choose the company to report on.", field="company")
    return actor.user.company


def _department(actor: Actor, company: Company, raw: str) -> Department | None:
    if not raw:
        return None
    department = Department.objects.filter(
        actor.departments_q(), company=company, pk=_id(raw, "department")
    ).first()
    if department is None:
        raise NotFound("Department not found.", field="department")
    return department


def _user(actor: Actor, company: Company, raw: str) -> User | None:
    if not raw:
        return None
    if _digits(raw):
        wanted = Q(pk=_id(raw, "user"))
    elif _USERNAME.fullmatch(raw):
        wanted = Q(username__iexact=raw)
    else:
        raise ValidationFailed("User must be an id or a username.", field="user")
    user = User.objects.filter(actor.users_q(), wanted, company=company).first()
    if user is None:
        raise NotFound("User not found.", field="user")
    return user


def report_scope(
    *, actor: Actor, params: Mapping[str, Any], today: date | None = None
) -> ReportScope:
    """What a report of ``actor`` counts, from the filter ``params`` (``company``,
    ``department``, ``user``, ``number``; missing or empty: not filtered). Raises
    Forbidden (no right), NotFound (a company, department or user outside the actor's
    scope) or ValidationFailed naming the field."""
    may_run_reports(actor).check()
    company = _company(actor, _raw(params, "company"))
    within = actor.scope_department
    department = _department(actor, company, _raw(params, "department"))
    user = _user(actor, company, _raw(params, "user"))
    number = _raw(params, "number")
    if number:
        number = fax_number_e164(number, field="number")
    start, end = report_period(today)
    return ReportScope(
        company=company,
        start=start,
        end=end,
        within=within,
        department=department,
        user=user,
        number=number,
    )


def report_run(*, report: Report, scope: ReportScope) -> ReportData:
    """The report's rows and totals over ``scope`` (from the tallies only)."""
    return report.compute(scope)


@dataclass(frozen=True)
class FilterChoices:
    """What the filter form offers: the departments of the actor's scope (with their full
    names), users and our numbers seen in the 90 days, each list bounded."""

    departments: list[tuple[int, str]]
    users: list[User]
    numbers: list[str]


def filter_choices(*, actor: Actor, scope: ReportScope) -> FilterChoices:
    """Three queries, whatever the company's size (each list capped at MAX_CHOICES)."""
    departments = list(
        Department.objects.filter(actor.departments_q(), company=scope.company)
        .order_by("path")
        .values_list("pk", "name", "path")[:MAX_CHOICES]
    )
    names = {pk: name for pk, name, _ in departments}
    labels = []
    for pk, _, path in departments:
        chain = [int(p) for p in path.strip("/").split("/") if p]
        labels.append((pk, " -> ".join(names[i] for i in chain if i in names)))
    users = list(
        User.objects.filter(actor.users_q(), company=scope.company)
        .order_by("last_name", "first_name", "pk")
        .only("pk", "username", "first_name", "last_name")[:MAX_CHOICES]
    )
    whole = ReportScope(scope.company, scope.start, scope.end, within=scope.within)
    numbers = list(
        whole.rows(DailyTraffic)
        .exclude(number="")
        .order_by("number")
        .values_list("number", flat=True)
        .distinct()[:MAX_CHOICES]
    )
    return FilterChoices(labels, users, numbers)
