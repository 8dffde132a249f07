"""Bulk Resubmit as a background job: ``POST /api/v1/inbound/resubmit`` answers 202 with the
job, the worker resubmits each fax in its own transaction, ``GET
/api/v1/inbound/resubmit/{id}`` follows it to the end; refusals are recorded with their
reason, ids outside the caller's scope are ignored, more than 1000 ids is 422, read-only
403; the task is idempotent and a crashed run is resumed by the periodic sweep."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.administrators import administrator_create
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.vault import vault_store
from faxline.faxing.inbound import bulk
from faxline.faxing.inbound.models import (
    BulkResubmit,
    BulkResubmitItem,
    BulkResubmitStatus,
    DeliveryStatus,
    EventKind,
    InboundEvent,
    InboundFax,
)
from telephony.fax_calls import make_tiff

from cast import PASSWORD, Cast


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_tiff(tmp_path_factory.mktemp("bulk") / "one.tif", pages=1).read_bytes()


def received(cast: Cast, image: bytes, user: User | None, **fields: Any) -> InboundFax:
    stored = vault_store(image, purpose="inbound-fax")
    values: dict[str, Any] = {
        "to_number": "+12125551234",
        "from_number": "+13125550000",
        "company": cast.company,
        "user": user,
        "department": user.department if user else None,
        "received_at": timezone.now() - timedelta(minutes=5),
        "pages": 1,
        "vault_name": stored.name,
        "size": stored.size,
        "sha256": stored.sha256,
        "delivery_status": DeliveryStatus.DELIVERED,
        **fields,
    }
    return InboundFax.objects.create(**values)


def client_for(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def start(user: User, ids: list[int]) -> Any:
    return client_for(user).post(
        "/api/v1/inbound/resubmit", {"fax_ids": ids}, content_type="application/json"
    )


def django_capture_on_commit_callbacks_once() -> Any:
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=False)


def resubmitted(fax: InboundFax) -> int:
    return InboundEvent.objects.filter(fax=fax, kind=EventKind.RESUBMITTED).count()


def test_progress_to_the_end_with_refusals_recorded(cast: Cast, image: bytes, run_tasks) -> None:  # type: ignore[no-untyped-def]
    ok = received(cast, image, cast.billing_user)
    unrouted = received(cast, image, None)
    gone = received(cast, image, cast.sales_user, vault_name="")
    busy = received(cast, image, cast.sales_user, delivery_status=DeliveryStatus.DELIVERING)
    theirs = received(cast, image, None, company=cast.outsider_company)
    with django_capture_on_commit_callbacks_once() as nudges:
        response = start(
            cast.company_admin, [ok.pk, unrouted.pk, gone.pk, busy.pk, theirs.pk, ok.pk]
        )
    assert len(nudges) == 1  # the task is nudged after commit
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["status"], job["total"], job["processed"]) == ("queued", 4, 0)
    assert [i["fax_id"] for i in job["items"]] == [ok.pk, unrouted.pk, gone.pk, busy.pk]
    assert {i["status"] for i in job["items"]} == {"waiting"}

    for nudge in nudges:
        nudge()
    run_tasks()
    done = client_for(cast.company_admin).get(f"/api/v1/inbound/resubmit/{job['id']}").json()
    assert (done["status"], done["processed"], done["resubmitted"], done["refused"]) == (
        "done",
        4,
        2,
        2,
    )
    outcome = {i["fax_id"]: (i["status"], i["reason"]) for i in done["items"]}
    assert outcome[ok.pk] == ("resubmitted", "")
    assert outcome[unrouted.pk] == ("resubmitted", "")
    assert outcome[gone.pk][0] == "refused" and "no longer kept" in outcome[gone.pk][1]
    assert outcome[busy.pk][0] == "refused" and "being delivered" in outcome[busy.pk][1]
    assert theirs.pk not in outcome
    rounds = dict(InboundFax.objects.values_list("pk", "delivery_round"))
    assert (rounds[ok.pk], rounds[gone.pk], rounds[busy.pk], rounds[theirs.pk]) == (2, 1, 1, 1)
    assert resubmitted(ok) == 1 and resubmitted(theirs) == 0


def test_refusals_of_the_request(cast: Cast, image: bytes) -> None:
    fax = received(cast, image, cast.billing_user)
    too_many = start(cast.company_admin, list(range(1, 1002)))
    assert (too_many.status_code, too_many.json()["field"]) == (422, "fax_ids")
    empty = start(cast.company_admin, [])
    assert (empty.status_code, empty.json()["field"]) == (422, "fax_ids")
    outsider = start(cast.outsider_admin, [fax.pk])
    assert (outsider.status_code, outsider.json()["field"]) == (422, "fax_ids")
    read_only = start(cast.read_only_admin, [fax.pk])
    assert (read_only.status_code, read_only.json()["code"]) == (403, "read_only")
    viewer = administrator_create(
        actor=Actor(user=cast.company_admin),
        company=cast.company,
        department=None,
        first_name="Vera",
        last_name="Viewer",
        email="vera@acme.example",
        username="vera",
        password=PASSWORD,
        rights=["activity.inbound"],
    ).user
    no_right = start(viewer, [fax.pk])
    assert (no_right.status_code, no_right.json()["code"]) == (403, "missing_right")
    bad = client_for(cast.company_admin).post(
        "/api/v1/inbound/resubmit", {"fax_ids": ["x"]}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert not BulkResubmit.objects.exists()
    # Exactly 1000 is allowed (the unknown ids are ignored).
    assert start(cast.company_admin, [fax.pk, *range(10**6, 10**6 + 999)]).status_code == 202


def test_a_fax_user_resubmits_their_own_and_only_follows_their_own_jobs(
    cast: Cast,
    image: bytes,
    after_commit,  # type: ignore[no-untyped-def]
) -> None:
    mine = received(cast, image, cast.billing_user)
    other = received(cast, image, cast.sales_user)
    with after_commit():
        response = start(cast.billing_user, [mine.pk, other.pk])
    assert response.status_code == 202 and response.json()["total"] == 1
    path = f"/api/v1/inbound/resubmit/{response.json()['id']}"
    assert client_for(cast.billing_user).get(path).json()["resubmitted"] == 1
    for who in (cast.sales_user, cast.company_admin, cast.outsider_admin):
        assert client_for(who).get(path).status_code == 404


def test_the_task_is_idempotent(cast: Cast, image: bytes) -> None:
    faxes = [received(cast, image, cast.billing_user) for _ in range(3)]
    job = bulk.bulk_resubmit_start(
        actor=Actor(user=cast.company_admin), fax_ids=[f.pk for f in faxes]
    )
    first = bulk.bulk_resubmit_run(job_id=job.pk)
    assert first is not None and first.status == BulkResubmitStatus.DONE
    assert bulk.bulk_resubmit_run(job_id=job.pk) is None  # done: nothing again
    job.refresh_from_db()
    assert (job.processed, job.resubmitted_count, job.refused_count) == (3, 3, 0)
    assert [resubmitted(f) for f in faxes] == [1, 1, 1]
    assert set(InboundFax.objects.values_list("delivery_round", flat=True)) == {2}


def test_a_crashed_run_is_resumed_by_the_sweep(
    cast: Cast,
    image: bytes,
    monkeypatch: pytest.MonkeyPatch,
    run_tasks,  # type: ignore[no-untyped-def]
) -> None:
    from faxline.faxing.inbound import services

    faxes = [received(cast, image, cast.billing_user) for _ in range(4)]
    job = bulk.bulk_resubmit_start(
        actor=Actor(user=cast.company_admin), fax_ids=[f.pk for f in faxes]
    )
    real = services.inbound_fax_resubmit
    calls = {"n": 0}

    def dies_on_the_third(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("the worker died")
        return real(**kwargs)

    monkeypatch.setattr(services, "inbound_fax_resubmit", dies_on_the_third)
    with pytest.raises(SystemExit):
        bulk.bulk_resubmit_run(job_id=job.pk)
    monkeypatch.setattr(services, "inbound_fax_resubmit", real)
    job.refresh_from_db()
    assert (job.status, job.processed) == (BulkResubmitStatus.RUNNING, 2)
    assert [resubmitted(f) for f in faxes] == [1, 1, 0, 0]
    # While its heartbeat is fresh, nobody takes it over ...
    assert bulk.bulk_resubmits_resume() == 0
    assert bulk.bulk_resubmit_run(job_id=job.pk) is None
    # ... once it is stale, the sweep nudges it and the worker continues where it stopped.
    with time_machine.travel(timezone.now() + bulk.STALE_JOB + timedelta(seconds=5)):
        assert bulk.bulk_resubmits_resume() == 1
        assert bulk.bulk_resubmits_resume() == 0  # nudged once
        run_tasks()
    job.refresh_from_db()
    assert (job.status, job.processed, job.resubmitted_count) == (BulkResubmitStatus.DONE, 4, 4)
    assert [resubmitted(f) for f in faxes] == [1, 1, 1, 1]
    assert not BulkResubmitItem.objects.filter(job=job, status="waiting").exists()


def test_a_long_selection_runs_in_several_task_runs(cast: Cast, image: bytes, after_commit) -> None:  # type: ignore[no-untyped-def]
    faxes = [received(cast, image, cast.billing_user) for _ in range(5)]
    job = bulk.bulk_resubmit_start(
        actor=Actor(user=cast.company_admin), fax_ids=[f.pk for f in faxes]
    )
    with after_commit():
        part = bulk.bulk_resubmit_run(job_id=job.pk, limit=2)
        assert part is not None
        assert (part.status, part.processed) == (BulkResubmitStatus.QUEUED, 2)
    job.refresh_from_db()
    assert (job.status, job.processed) == (BulkResubmitStatus.DONE, 5)
