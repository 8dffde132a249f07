"""What a report counts: one company's tallies over the rolling 90 days, narrowed to what
the actor sees and to the filters asked for (see :func:`.selectors.report_scope`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from faxline.accounts.models import Company, Department, User

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class ReportScope:
    """The rows a report reads: ``company``'s tallies from ``start`` to ``end`` (UTC days,
    both included), of the department subtree ``department`` (the filter) or else
    ``within`` (a department administrator's subtree), of ``user`` and of our ``number``
    when given."""

    company: Company
    start: date
    end: date
    within: Department | None = None
    department: Department | None = None
    user: User | None = None
    number: str = ""

    def rows(self, model: type[M]) -> QuerySet[M]:
        """The tallies of ``model`` (DailyTraffic, DailyError, DailyDestination) in scope."""
        qs: QuerySet[Any] = model._default_manager.filter(
            company_id=self.company.pk, day__gte=self.start, day__lte=self.end
        )
        root = self.department or self.within
        if root is not None:
            subtree = Department.objects.filter(
                company_id=self.company.pk, path__startswith=root.path
            ).values("pk")
            qs = qs.filter(department_key__in=subtree)
        if self.user is not None:
            qs = qs.filter(user_key=self.user.pk)
        if self.number:
            qs = qs.filter(number=self.number)
        return qs

    @property
    def filters(self) -> dict[str, Any]:
        """The filters applied, as the API echoes them (ids and the number)."""
        return {
            "department": self.department.pk if self.department else None,
            "user": self.user.pk if self.user else None,
            "number": self.number or None,
        }
