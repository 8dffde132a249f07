"""Outbound fax jobs: acceptance and its refusals, the state machine and its events, the
dispatcher through the sandbox PSTN (every test number's outcome, the retry schedule, one
call per destination, leases), cancel and resend."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from faxing.jobs_support import REMOTE, give_number, note, on_demand_covers, three_pages, transport
from faxline.accounts.access import Actor
from faxline.accounts.services.blocking import blocked_number_add
from faxline.core.errors import Conflict, Forbidden, ValidationFailed
from faxline.faxing import credits
from faxline.faxing.jobs import dispatcher
from faxline.faxing.jobs.dispatcher import claim_next, dispatch_due, recover_expired_leases
from faxline.faxing.jobs.send import Attachment, CoverRequest, fax_send
from faxline.faxing.jobs.services import fax_cancel, fax_resend
from faxline.faxing.models import (
    CreditEntry,
    FaxAttempt,
    FaxImageFile,
    FaxJob,
    FaxJobEvent,
    FaxJobStatus,
    SandboxRemoteFax,
)

from cast import Cast


@pytest.fixture
def sender(cast: Cast):
    give_number(cast.billing_user)
    on_demand_covers(cast, cast.billing_user)
    return cast.billing_user


@pytest.fixture(scope="module")
def pages3(tmp_path_factory: pytest.TempPathFactory) -> Attachment:
    return three_pages(tmp_path_factory.mktemp("jobs"))


def send(user, to=(REMOTE,), files=None, **kw) -> list[FaxJob]:
    return fax_send(actor=Actor(user=user), to=list(to), files=files or [note()], **kw)


def nothing_written() -> None:
    assert FaxJob.objects.count() == 0
    assert FaxJobEvent.objects.count() == 0
    assert not CreditEntry.objects.filter(kind="outbound").exists()


def test_a_fax_to_a_remote_number_is_sent_with_its_three_pages(sender, pages3) -> None:
    (job,) = send(sender, files=[pages3])
    assert job.status == FaxJobStatus.QUEUED
    assert job.pages == 3
    assert job.identifier[3] == "-" and len(job.identifier) == 12
    assert job.credits_charged == 3
    assert dispatch_due(transport()) == 1
    job.refresh_from_db()
    assert job.status == FaxJobStatus.SUCCESS
    assert (job.error, job.will_retry, job.dials, job.tries) == ("", False, 1, 1)
    (attempt,) = job.attempts.all()
    assert attempt.outcome == "Sent" and attempt.completion_code == 0
    assert attempt.pages_sent == 3 and attempt.connected
    assert attempt.statistics["bit_rate"] > 0
    assert attempt.duration_seconds > 0
    kinds = [p["kind"] for p in attempt.progress]
    assert kinds[0] == "dialing" and "fax_tones" in kinds and kinds[-1] == "hung_up"
    received = SandboxRemoteFax.objects.get(to_number=REMOTE)
    assert received.pages == 3
    events = list(job.events.values_list("from_status", "to_status", "kind"))
    assert events == [
        ("", "queued", "accepted"),
        ("queued", "in_progress", "dialing"),
        ("in_progress", "success", "sent"),
    ]
    # Sent pages stay charged.
    assert not CreditEntry.objects.filter(reference__startswith="refund:").exists()


def test_several_recipients_and_files_make_one_job_each(sender, pages3) -> None:
    jobs = send(
        sender, to=["+16175559876", "(617) 555-9877", "+16175559876"], files=[note(), pages3]
    )
    assert [j.to_number for j in jobs] == ["+16175559876", "+16175559877"]
    assert {j.pages for j in jobs} == {4}
    assert len({j.identifier for j in jobs}) == 2
    assert jobs[0].image_id == jobs[1].image_id  # no cover: one stored image


def test_the_cover_page_is_prepended_when_asked(sender) -> None:
    (plain,) = send(sender)
    jobs = send(sender, to=[REMOTE, "+16175550002"], cover=CoverRequest(True, subject="Figures"))
    assert [(j.cover, j.pages) for j in jobs] == [(True, 2), (True, 2)]
    assert (plain.cover, plain.pages) == (False, 1)
    assert jobs[0].image_id != jobs[1].image_id  # each cover names its recipient
    # A cover alone is a fax.
    (alone,) = fax_send(
        actor=Actor(user=sender), to=[REMOTE], files=[], cover=CoverRequest(True, comments="Hi")
    )
    assert alone.pages == 1


@pytest.mark.parametrize(
    ("to", "code"),
    [
        ("12345", "invalid_fax_number"),
        ("+1 212 555", "invalid_fax_number"),
        ("", "invalid_fax_number"),
    ],
)
def test_an_invalid_number_is_refused_naming_to(sender, to, code) -> None:
    with pytest.raises(ValidationFailed) as refused:
        send(sender, to=[REMOTE, to])
    assert (refused.value.code, refused.value.field) == (code, "to")
    assert refused.value.message.startswith("Invalid Fax Number")
    nothing_written()


def test_a_blocked_number_is_refused(cast: Cast, sender) -> None:
    blocked_number_add(actor=Actor(user=cast.company_admin), company=cast.company, number=REMOTE)
    with pytest.raises(ValidationFailed) as refused:
        send(sender, to=["+16175550000", REMOTE])
    assert (refused.value.code, refused.value.field) == ("number_blocked", "to")
    nothing_written()


def test_no_document_and_no_cover_is_no_attachment(sender) -> None:
    with pytest.raises(ValidationFailed) as refused:
        fax_send(
            actor=Actor(user=sender), to=[REMOTE], files=[], cover=CoverRequest(requested=False)
        )
    assert refused.value.code == "no_attachment"
    nothing_written()


def test_an_invalid_attachment_names_the_file_field(sender) -> None:
    with pytest.raises(ValidationFailed) as refused:
        send(sender, files=[Attachment(b"\x00\x01garbage\xff" * 10, "x.bin")])
    assert (refused.value.code, refused.value.field) == ("invalid_attachment", "file")
    nothing_written()


def test_insufficient_credits_refuse_the_whole_send(cast: Cast, sender, pages3) -> None:
    balance = credits.credits_balance(cast.company).balance
    credits.credits_adjust(
        actor=Actor(user=cast.operator), company=cast.company, credits=-(balance - 4), note="t"
    )
    with pytest.raises(Conflict) as refused:
        send(sender, to=["+16175550001", "+16175550002"], files=[pages3])
    assert refused.value.code == "insufficient_credits"
    nothing_written()


def test_international_pages_cost_more(sender) -> None:
    (job,) = send(sender, to=["+442079460000"])
    assert job.international and job.credits_charged == 5


def test_locked_users_and_users_without_a_number_cannot_send(cast: Cast, sender) -> None:
    sender.is_locked = True
    sender.save(update_fields=["is_locked"])
    with pytest.raises(Forbidden) as refused:
        send(sender)
    assert refused.value.code == "user_locked"
    with pytest.raises(Forbidden) as refused:
        send(cast.sales_user)
    assert refused.value.code == "no_fax_number"
    nothing_written()


OUTCOMES = [
    # test number, status after the first attempt, error, will_retry, delay
    ("+12125550100", "retrying", "Busy", True, 180),
    ("+12125550101", "retrying", "Fast Busy", True, 300),
    ("+12125550102", "retrying", "No Answer", True, 300),
    ("+12125550103", "retrying", "Voice Answer", True, 300),
    ("+12125550104", "retrying", "Not a Fax Machine", True, 300),
    ("+12125550105", "failed", "Sit-Tone / Operator Msg", False, None),
    ("+12125550106", "retrying", "Negotiation Failed", True, 300),
    ("+12125550107", "failed", "Negotiation Failed", False, None),
    ("+12125550108", "retrying", "Transmission Failed", True, 300),
    ("+12125550109", "success", "", False, None),
    ("+12125550110", "success", "", False, None),
    ("+12125550111", "retrying", "Negotiation Failed", True, 300),
]


@pytest.mark.parametrize(("number", "status", "error", "will_retry", "delay"), OUTCOMES)
def test_each_test_number_becomes_its_status(
    sender, pages3, number, status, error, will_retry, delay
):
    (job,) = send(sender, to=[number], files=[pages3])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        start = timezone.now()
        dispatch_due(transport())
        job.refresh_from_db()
        assert (job.status, job.error, job.will_retry) == (status, error, will_retry)
        if delay is not None:
            assert job.next_attempt_at == start + timedelta(seconds=delay)
            clock.shift(delay - 1)
            assert dispatch_due(transport()) == 0  # not yet
            clock.shift(1)
            assert dispatch_due(transport()) == 1
        if status == "failed":
            assert CreditEntry.objects.filter(reference=f"refund:fax:{job.identifier}").exists()


def test_busy_is_retried_until_twelve_dials_then_fails(sender) -> None:
    (job,) = send(sender, to=["+12125550100"])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        dialed = 0
        while True:
            dialed += dispatch_due(transport())
            job.refresh_from_db()
            if job.status != FaxJobStatus.RETRYING:
                break
            clock.move_to(job.next_attempt_at)
    assert (job.status, job.error, job.dials, dialed) == ("failed", "Busy", 12, 12)
    # The default kill time (3 hours) is more than 11 pauses of 3 minutes.
    assert job.events.filter(kind="retry_scheduled").count() == 11


def test_not_a_fax_machine_gives_up_after_two(sender) -> None:
    (job,) = send(sender, to=["+12125550104"])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        dispatch_due(transport())
        job.refresh_from_db()
        clock.move_to(job.next_attempt_at)
        dispatch_due(transport())
    job.refresh_from_db()
    assert (job.status, job.error, job.dials, job.will_retry) == (
        "failed",
        "Not a Fax Machine",
        2,
        False,
    )


def test_three_tries_that_reached_a_fax_machine_are_the_most(sender, pages3) -> None:
    (job,) = send(sender, to=["+12125550108"], files=[pages3])  # the line drops mid-page
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            dispatch_due(transport())
            job.refresh_from_db()
            if job.status != FaxJobStatus.RETRYING:
                break
            clock.move_to(job.next_attempt_at)
    assert (job.status, job.error, job.tries) == ("failed", "Transmission Failed", 3)


def test_the_kill_time_fails_a_waiting_job_as_job_cancelled(sender) -> None:
    (job,) = send(sender, to=["+12125550100"], kill_after=timedelta(minutes=5))
    with time_machine.travel(timezone.now(), tick=False) as clock:
        dispatch_due(transport())
        job.refresh_from_db()
        # Busy: the retry (3 min) comes before the kill time (5 min).
        assert job.status == "retrying"
        clock.move_to(job.next_attempt_at)
        dispatch_due(transport())
        job.refresh_from_db()
    # The next retry would come after the kill time.
    assert (job.status, job.error) == ("failed", "Job Cancelled")


def test_a_job_waiting_past_its_kill_time_is_killed(sender) -> None:
    (job,) = send(
        sender, kill_after=timedelta(minutes=5), send_at=timezone.now() + timedelta(hours=1)
    )
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert dispatch_due(transport()) == 0
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "Job Cancelled")
    assert job.events.last().kind == "kill_time"


def test_a_scheduled_fax_waits_for_its_time(sender) -> None:
    at = timezone.now() + timedelta(minutes=30)
    (job,) = send(sender, send_at=at)
    assert dispatch_due(transport()) == 0
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        assert dispatch_due(transport()) == 1
    job.refresh_from_db()
    assert job.status == "success"


def test_one_call_at_a_time_per_destination(sender) -> None:
    (first,) = send(sender)
    (second,) = send(sender, files=[Attachment(b"another\n", "b.txt")])
    (other,) = send(sender, to=["+16175550123"])
    a = claim_next("w1")
    assert a is not None and a.job_id == first.pk
    b = claim_next("w2")
    assert b is not None and b.job_id == other.pk  # the second to REMOTE is held back
    assert claim_next("w3") is None
    assert dispatcher.in_progress_by_destination() == {REMOTE: 1, "+16175550123": 1}
    # Even a claim that skips the check cannot call the destination twice.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        dispatcher._claim(second, "w4", timezone.now(), 60)
    dispatcher.run_attempt(a, transport())
    c = claim_next("w3")
    assert c is not None and c.job_id == second.pk


def test_an_attempt_whose_lease_expired_is_retried_and_the_job_finishes_once(sender) -> None:
    (job,) = send(sender)
    dead = claim_next("dead-worker")
    assert dead is not None
    assert recover_expired_leases() == 0  # the lease still runs
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        assert recover_expired_leases() == 1
        job.refresh_from_db()
        assert (job.status, job.will_retry) == ("retrying", True)
        assert dispatch_due(transport()) == 1
    job.refresh_from_db()
    assert job.status == "success"
    # The dead worker's late answer is not recorded: the job finished once.
    from faxline.telephony.outcomes import OutcomeName, outcome_named
    from faxline.telephony.transport import CallOutcome

    late = CallOutcome(outcome_named(OutcomeName.BUSY, cause="busy"), False, "t", "+1", "+1")
    assert dispatcher.record(dead, late) is None
    assert job.events.filter(to_status="success").count() == 1
    assert list(job.attempts.values_list("cause", flat=True)) == ["interrupted", "t30"]


def test_cancel_and_resend(cast: Cast, sender) -> None:
    (job,) = send(sender, send_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(Forbidden):
        fax_cancel(actor=Actor(user=cast.read_only_admin), job=job)
    fax_cancel(actor=Actor(user=sender), job=job)
    job.refresh_from_db()
    assert (job.status, job.error) == ("cancelled", "Job Cancelled")
    assert CreditEntry.objects.filter(reference=f"refund:fax:{job.identifier}").exists()
    with pytest.raises(Conflict):
        fax_cancel(actor=Actor(user=sender), job=job)
    images = FaxImageFile.objects.count()
    again = fax_resend(actor=Actor(user=sender), job=job, to="+16175550999")
    assert again.identifier != job.identifier and again.to_number == "+16175550999"
    assert again.image_id == job.image_id and FaxImageFile.objects.count() == images
    assert again.resent_from_id == job.pk
    assert dispatch_due(transport()) == 1
    again.refresh_from_db()
    assert again.status == "success"


def test_every_change_of_status_left_an_event(sender) -> None:
    (job,) = send(sender, to=["+12125550100"])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        dispatch_due(transport())
        job.refresh_from_db()
        clock.move_to(job.next_attempt_at)
        dispatch_due(transport())
    statuses = list(job.events.values_list("from_status", "to_status"))
    assert statuses == [
        ("", "queued"),
        ("queued", "in_progress"),
        ("in_progress", "retrying"),
        ("retrying", "in_progress"),
        ("in_progress", "retrying"),
    ]
    assert FaxAttempt.objects.filter(job=job).count() == 2


def test_no_transition_out_of_a_final_status(sender) -> None:
    from faxline.faxing.jobs.state import job_transition

    (job,) = send(sender)
    dispatch_due(transport())
    job.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        job_transition(job, allowed_from=["success"], to="queued", kind="requeue")
    assert refused.value.code == "invalid_transition"


def test_the_image_sent_carries_the_header_line(sender, tmp_path: Path) -> None:
    (job,) = send(sender)
    plain = dispatcher.fax_image_bytes(job.image)
    stamped = dispatcher.image_for_call(job)
    if sender.company.header_line:
        assert stamped != plain
    job.header = False
    assert dispatcher.image_for_call(job) == plain


def test_a_locked_senders_waiting_faxes_are_held(sender) -> None:
    (job,) = send(sender)
    sender.is_locked = True
    sender.save(update_fields=["is_locked"])
    assert dispatch_due(transport()) == 0
    sender.is_locked = False
    sender.save(update_fields=["is_locked"])
    assert dispatch_due(transport()) == 1
    job.refresh_from_db()
    assert job.status == "success"


def test_no_free_channel_is_retried_soon_and_is_not_a_dial(sender) -> None:
    (job,) = send(sender)
    t = transport()
    held = 0
    while t.lines.try_acquire():
        held += 1
    try:
        with time_machine.travel(timezone.now(), tick=False):
            start = timezone.now()
            assert dispatch_due(t) == 1
            job.refresh_from_db()
    finally:
        for _ in range(held):
            t.lines.release()
    assert (job.status, job.error, job.dials, job.will_retry) == (
        "retrying",
        "No Free Channel",
        0,
        True,
    )
    assert job.next_attempt_at == start + timedelta(seconds=15)
    assert job.attempts.get().retry == "now"


def test_faxline_dispatcher_once(sender) -> None:
    import io

    from django.core.management import call_command

    (job,) = send(sender)
    out = io.StringIO()
    call_command("dispatcher", "--once", stdout=out)
    assert out.getvalue().strip() == "1 call(s) placed"
    job.refresh_from_db()
    assert job.status == "success"
