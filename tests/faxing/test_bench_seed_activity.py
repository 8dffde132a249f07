"""The activity benchmark's generator (bench/activity_seed.py) at a tiny scale: it writes a
consistent history and the traffic tallies it fills equal a rebuild's (CI catches the
generator breaking; the big generation only runs in bench/)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count, Q

from bench.activity_seed import ActivityScale, ensure_seeded, seed_activity, seeded_before
from faxline.faxing.inbound.models import InboundFax
from faxline.faxing.models import FaxAttempt, FaxJob
from faxline.faxing.tally.models import DailyDestination, DailyError, DailyTraffic
from faxline.faxing.tally.rebuild import tally_rebuild

pytestmark = pytest.mark.django_db

TINY = ActivityScale(
    outbound=200, inbound=60, days=20, users=12, destinations=50, small_outbound=20,
    small_inbound=5,
)  # fmt: skip


def _tallies() -> list[list[tuple[object, ...]]]:
    tables = []
    for model in (DailyTraffic, DailyError, DailyDestination):
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows = model.objects.values_list(*names)
        tables.append(
            sorted(tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in rows)
        )
    return tables


def test_generates_a_consistent_history_whose_tallies_equal_a_rebuild() -> None:
    seeded = seed_activity(TINY)
    jobs = FaxJob.objects.filter(company_id=seeded.company_id)
    assert jobs.count() == 200
    assert FaxJob.objects.filter(company_id=seeded.small_company_id).count() == 20
    assert InboundFax.objects.filter(company_id=seeded.company_id).count() == 60
    # Derived fields agree with the rest.
    for job in jobs.select_related("sender"):
        assert job.department_id == job.sender.department_id
        assert job.created_at.date() <= seeded.anchor.date()
        if job.status in ("success", "failed"):
            assert job.completed_at is not None and job.first_dial_at is not None
            first = job.attempts.order_by("number").first()
            last = job.attempts.order_by("number").last()
            assert first is not None and last is not None
            assert first.started_at == job.first_dial_at
            assert last.ended_at == job.completed_at
        if job.status == "failed":
            assert job.error
    for fax in InboundFax.objects.filter(company_id=seeded.company_id).select_related("user"):
        assert fax.department_id == (fax.user.department_id if fax.user else None)
        if fax.first_forwarded_at is not None:
            assert fax.first_forwarded_at >= fax.received_at
    statuses = dict(jobs.values_list("status").annotate(n=Count("id")))
    assert statuses.get("success", 0) > 100
    assert FaxAttempt.objects.filter(outcome="Busy").exists()
    assert jobs.filter(~Q(sender__company_id=seeded.company_id)).count() == 0

    made = _tallies()
    assert made[0] and made[2]
    tally_rebuild()
    assert _tallies() == made
    assert DailyTraffic.objects.filter(company_id=seeded.small_company_id).exists()


def test_a_second_run_with_the_same_parameters_reuses_the_set() -> None:
    first = ensure_seeded(TINY)
    assert seeded_before(TINY) == first
    again = ensure_seeded(TINY)
    assert again.company_id == first.company_id
    assert FaxJob.objects.count() == 220


def test_the_report_figures_from_the_tallies_equal_those_from_the_faxes() -> None:
    from bench.reports import _rounded, figures

    seeded = seed_activity(TINY)
    last = seeded.anchor.date()
    first = last - timedelta(days=9)
    for figure in figures(seeded.company_id, first, last):
        made = figure.tally()
        assert made or figure.name == "inbound_potential_partials", figure.name  # 2% of 60
        assert _rounded(made) == _rounded(figure.raw()), figure.name


def test_the_activity_harness_runs_every_search_through_the_orm() -> None:
    from bench import activity

    seeded = seed_activity(TINY)
    lines = activity.run(seeded=seeded, vendor="test", runs=1)
    orm = {(x["list"], x["search"]) for x in lines if x["via"] == "orm"}
    assert ("outbound", "default") in orm and ("inbound", "partial_yes") in orm
    assert all(x["rows"] > 0 for x in lines if x["via"] == "orm" and x["search"] == "default")
