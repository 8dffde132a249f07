"""The traffic tallies follow every change of a job or a received fax, and equal what a
rebuild from the faxes counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from faxline.faxing.models import (
    DailyArea,
    DailyDestination,
    DailyError,
    DailyRemote,
    DailyTraffic,
    MonthlyRemote,
)
from faxline.faxing.tally.rebuild import tally_rebuild
from history import inbound, outbound

from cast import Cast

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
REMOTE = "+16175550100"


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    skip = {"id"}
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for model in (
        DailyTraffic,
        DailyError,
        DailyDestination,
        DailyRemote,
        MonthlyRemote,
        DailyArea,
    ):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        rows = model.objects.values_list(*names)
        tables[model.__name__] = sorted(
            tuple(round(v, 3) if isinstance(v, float) else v for v in row) for row in rows
        )
    return tables


def test_counts_follow_each_change_and_equal_a_rebuild(cast: Cast) -> None:
    user = cast.billing_user
    outbound(user, to=REMOTE, at=DAY, pages=3)
    outbound(user, to=REMOTE, at=DAY, status="failed", error="No Answer", busy=2)
    outbound(user, to="+16175550101", at=DAY + timedelta(days=1), status="cancelled")
    outbound(user, to="+16175550102", at=DAY, status="retrying", error="Busy", busy=1)
    outbound(cast.sales_user, to=REMOTE, at=DAY, status="queued", from_number="+12125557002")
    inbound(user, number="+12125557001", at=DAY, pages=4)
    inbound(user, number="+12125557001", at=DAY, pages=2, partial=True)
    inbound(user, number="+12125557001", at=DAY, pages=0, forwarded_after=None)

    [billing] = DailyTraffic.objects.filter(
        direction="out", day=DAY.date(), user_key=user.pk
    ).values()
    assert (billing["faxes"], billing["success"], billing["failed"]) == (3, 1, 1)
    assert (billing["pages"], billing["pages_success"], billing["busy"]) == (5, 3, 4)
    assert billing["department_key"] == user.department_id
    assert billing["first_wait_count"] == 3 and billing["completion_count"] == 2
    assert billing["first_wait_seconds"] == pytest.approx(60.0)
    assert DailyError.objects.get(direction="out", error="No Answer").faxes == 1
    busy = DailyDestination.objects.get(day=DAY.date(), user_key=user.pk, remote=REMOTE)
    assert (busy.faxes, busy.success, busy.failed, busy.busy) == (2, 1, 1, 2)
    [received] = DailyTraffic.objects.filter(direction="in").values()
    assert (received["faxes"], received["success"], received["failed"], received["partial"]) == (
        3,
        1,
        2,
        1,
    )
    assert received["first_wait_count"] == 2 and received["pages"] == 6
    assert set(DailyError.objects.filter(direction="in").values_list("error", "faxes")) == {
        ("No fax data", 1),
        ("Potential partial", 1),
    }

    live = snapshot()
    assert tally_rebuild() == {
        "DailyTraffic": 4,
        "DailyError": 3,
        "DailyDestination": 4,
        "DailyRemote": 3,
        "MonthlyRemote": 3,
        "DailyArea": 2,
    }
    assert snapshot() == live


def test_a_rebuild_of_one_company_leaves_the_others(cast: Cast) -> None:
    outbound(cast.billing_user, to=REMOTE, at=DAY)
    outbound(cast.outsider_user, to=REMOTE, at=DAY)
    DailyTraffic.objects.filter(company=cast.company).update(faxes=99)
    DailyTraffic.objects.filter(company=cast.outsider_company).update(faxes=7)
    tally_rebuild(company_id=cast.company.pk)
    assert DailyTraffic.objects.get(company=cast.company).faxes == 1
    assert DailyTraffic.objects.get(company=cast.outsider_company).faxes == 7


def test_the_company_wide_destination_tallies(cast: Cast) -> None:
    outbound(cast.billing_user, to=REMOTE, at=DAY, busy=1)
    outbound(
        cast.sales_user,
        to=REMOTE,
        at=DAY,
        status="failed",
        error="Busy",
        from_number="+12125557002",
    )
    outbound(cast.sales_user, to="+14165550100", at=DAY + timedelta(days=40))
    day = DailyRemote.objects.get(day=DAY.date(), remote=REMOTE)
    assert (day.faxes, day.success, day.failed, day.busy) == (2, 1, 1, 2)
    assert MonthlyRemote.objects.get(month=DAY.date().replace(day=1), remote=REMOTE).faxes == 2
    assert set(DailyArea.objects.values_list("area", "faxes")) == {("+1617", 2), ("+1416", 1)}
