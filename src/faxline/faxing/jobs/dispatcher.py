"""The dispatcher: claims due jobs, places their calls, applies the retry policy.

Any number of dispatchers (threads of ``faxline serve``'s child ``faxline dispatcher``, and
more ``faxline dispatcher`` processes at scale) share the work through the database:

- **Claim** (:func:`claim_next`): a due job (``queued`` or ``retrying`` with
  ``next_attempt_at`` passed) moves to ``in_progress`` and gets a :class:`FaxAttempt` leased
  to the claiming dispatcher, in one short transaction. On PostgreSQL the candidates are
  locked with ``SELECT ... FOR UPDATE SKIP LOCKED`` (dispatchers never wait for each other);
  on SQLite (one writer at a time anyway) the move is a compare-and-set UPDATE on the status.
  Either way the status change is :func:`~faxline.faxing.jobs.state.job_transition`'s CAS.
- **One call at a time per destination** (HylaFAX's "blocked"): a job whose number is being
  called by another job is not a candidate, and a partial unique index on ``to_number`` where
  ``status = 'in_progress'`` makes a second claim impossible even when two dispatchers race.
- **Capacity**: a dispatcher runs at most as many calls as its transport has lines (and no
  more than ``--concurrency``); the transport's own line count still refuses a call beyond it
  ("No Free Channel", retried in seconds, not counted as a dial).
- **The call** runs outside any transaction: the stored image is read, the header line
  stamped (``header_line_for``, at the moment of the call) and the transport dials.
- **Leases**: an attempt is leased for ``lease_seconds`` and the dispatcher renews the leases
  of its running calls every third of that. A dispatcher killed mid-call stops renewing; once
  the lease expired any dispatcher closes the attempt as interrupted and the job is tried
  again (:func:`recover_expired_leases`). Recording an outcome is a compare-and-set on the
  attempt (still open, still ours), so a job finishes once.
- **The retry policy** (:class:`RetryPolicy`, HylaFAX's defaults): the outcome's retry class
  and delay come from ``telephony.outcomes`` (Busy 3 min, No Answer and line errors 5 min,
  General Error 1 min, No Free Channel 15 s, never for Invalid Fax Number, Sit-Tone...);
  at most 12 dials and 3 tries that reached a fax machine; Not a Fax Machine and Voice Answer
  give up after 2; a retry due after the job's kill time fails it as "Job Cancelled", as does
  the kill time passing while it waits.
- **Lock User** stops sending: a locked sender's waiting jobs are not claimed; they go when
  the user is unlocked, or fail as "Job Cancelled" at their kill time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import get_random_string

from faxline.core.errors import Conflict
from faxline.documents.faximage import Compression, FaxImage, Resolution
from faxline.documents.header import stamp_header
from faxline.faxing import credits
from faxline.faxing.coverpages import header_line_for
from faxline.faxing.images import fax_image_bytes, fax_image_store
from faxline.faxing.jobs import wakeup
from faxline.faxing.jobs.state import job_transition
from faxline.faxing.models import FaxAttempt, FaxImageFile, FaxJob, FaxJobStatus
from faxline.telephony.outcomes import OutcomeName, Retry
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.transport import CallOutcome, CallRequest, Transport, fax_result_dict

log = logging.getLogger("faxline.dispatcher")

JOB_CANCELLED = "Job Cancelled"  # the guide's name for a job killed by its kill time
INTERRUPTED = "interrupted"
DUE = (FaxJobStatus.QUEUED, FaxJobStatus.RETRYING)


@dataclass(frozen=True)
class RetryPolicy:
    """HylaFAX-like limits; the classes and delays per cause are ``telephony.outcomes``'."""

    max_dials: int = 12
    max_tries: int = 3
    # Causes that are tried again up to this many attempts in all, whatever their class.
    give_up_after: dict[OutcomeName, int] = field(
        default_factory=lambda: {OutcomeName.NOT_A_FAX_MACHINE: 2, OutcomeName.VOICE_ANSWER: 2}
    )
    default_delay_seconds: int = 300


@dataclass(frozen=True)
class Step:
    """What becomes of a job after an attempt."""

    to: str  # success / retrying / failed
    error: str = ""
    will_retry: bool = False
    next_attempt_at: datetime | None = None


def default_owner() -> str:
    host = socket.gethostname().split(".")[0][:40] or "dispatcher"
    return f"{host}-{os.getpid()}-{get_random_string(6)}"


def lease_seconds() -> float:
    return float(getattr(settings, "FAXLINE_DISPATCH_LEASE_SECONDS", 60))


def capacity_of(transport: Transport) -> int:
    lines = getattr(transport, "lines", None)
    return max(1, int(getattr(lines, "count", 1)))


# --- claiming -------------------------------------------------------------------------


def _candidates(now: datetime) -> Any:
    busy = FaxJob.objects.filter(status=FaxJobStatus.IN_PROGRESS).values("to_number")
    return (
        FaxJob.objects.filter(status__in=DUE, next_attempt_at__lte=now, kill_at__gt=now)
        .exclude(to_number__in=busy)
        # A locked sender's waiting faxes are held (until unlocked, or their kill time).
        .exclude(sender__is_locked=True)
        .order_by("next_attempt_at", "id")
    )


def _claim(job: FaxJob, owner: str, now: datetime, lease: float) -> FaxAttempt:
    number = job.attempts.count() + 1
    job_transition(
        job,
        allowed_from=DUE,
        to=FaxJobStatus.IN_PROGRESS,
        kind="dialing",
        fields={"next_attempt_at": None},
        detail={"attempt": number, "owner": owner},
        now=now,
    )
    return FaxAttempt.objects.create(
        job=job,
        number=number,
        started_at=now,
        lease_owner=owner,
        lease_expires_at=now + timedelta(seconds=lease),
    )


def claim_next(owner: str, *, now: datetime | None = None, batch: int = 20) -> FaxAttempt | None:
    """Claim one due job for ``owner``: its new attempt, or None when nothing is due (or
    every due job's destination is being called)."""
    now = now or timezone.now()
    lease = lease_seconds()
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        query = _candidates(now)
        if postgres:
            query = query.select_for_update(skip_locked=True, of=("self",))
        for job in list(query[:batch]):
            try:
                with transaction.atomic():
                    return _claim(job, owner, now, lease)
            except (IntegrityError, Conflict):
                continue  # its destination was claimed meanwhile, or the job moved on
    return None


# --- housekeeping ---------------------------------------------------------------------


def refund(job: FaxJob) -> None:
    """Give back the credits reserved for a job that was not delivered."""
    if job.credits_charged:
        credits.credits_refund_outbound(
            company=job.company, credits=job.credits_charged, reference=f"fax:{job.identifier}"
        )


def kill_expired(*, now: datetime | None = None) -> int:
    """Fail the waiting jobs whose kill time passed ("Job Cancelled"); their credits are
    given back."""
    now = now or timezone.now()
    killed = 0
    for job in FaxJob.objects.filter(status__in=DUE, kill_at__lte=now).select_related("company"):
        try:
            with transaction.atomic():
                job_transition(
                    job,
                    allowed_from=DUE,
                    to=FaxJobStatus.FAILED,
                    kind="kill_time",
                    fields={"error": JOB_CANCELLED, "will_retry": False},
                    detail={"kill_at": job.kill_at.isoformat()},
                    now=now,
                )
                refund(job)
            killed += 1
        except Conflict:
            continue
    return killed


def recover_expired_leases(*, now: datetime | None = None) -> int:
    """Close the attempts whose dispatcher stopped renewing their lease (it died) and put
    their jobs back in line, due at once. Returns how many."""
    now = now or timezone.now()
    recovered = 0
    stale = FaxAttempt.objects.filter(ended_at__isnull=True, lease_expires_at__lt=now)
    for attempt in stale.select_related("job"):
        with transaction.atomic():
            closed = FaxAttempt.objects.filter(
                pk=attempt.pk, ended_at__isnull=True, lease_expires_at__lt=now
            ).update(ended_at=now, outcome=OutcomeName.GENERAL_ERROR, cause=INTERRUPTED)
            if not closed:
                continue
            job = attempt.job
            try:
                job_transition(
                    job,
                    allowed_from=(FaxJobStatus.IN_PROGRESS,),
                    to=FaxJobStatus.RETRYING,
                    kind="interrupted",
                    fields={
                        "next_attempt_at": now,
                        "will_retry": True,
                        "error": OutcomeName.GENERAL_ERROR,
                        "error_cause": INTERRUPTED,
                        "dials": job.dials + 1,
                    },
                    detail={"attempt": attempt.number, "owner": attempt.lease_owner},
                    now=now,
                )
            except Conflict:
                continue
        recovered += 1
        log.warning(
            "fax job %s: attempt %d of %s was interrupted (lease expired); retrying",
            job.identifier,
            attempt.number,
            attempt.lease_owner,
        )
    return recovered


def renew_leases(owner: str, attempt_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Extend the leases of the calls this dispatcher is running (only those: an attempt
    whose result could not be written is left to expire and be retried)."""
    ids = list(attempt_ids)
    if not ids:
        return 0
    now = now or timezone.now()
    return FaxAttempt.objects.filter(pk__in=ids, lease_owner=owner, ended_at__isnull=True).update(
        lease_expires_at=now + timedelta(seconds=lease_seconds())
    )


# --- the call -------------------------------------------------------------------------


def image_for_call(job: FaxJob, *, moment: datetime | None = None) -> bytes:
    """The TIFF-F to send: the stored image with the sender's header line stamped now."""
    tiff = fax_image_bytes(job.image)
    if job.header and job.sender is not None:
        line = header_line_for(job.sender, moment=moment)
        if line is not None:
            tiff = stamp_header(tiff, line)
    return tiff


@dataclass(frozen=True)
class PlacedCall:
    """A call's outcome and the image it carried (for the delivery receipt)."""

    outcome: CallOutcome
    sent: FaxImage | None = None


def place(attempt: FaxAttempt, transport: Transport) -> PlacedCall:
    """Place the attempt's call (outside any transaction)."""
    job = FaxJob.objects.select_related("image", "sender__company").get(pk=attempt.job_id)
    tiff = image_for_call(job)
    with tempfile.TemporaryDirectory(prefix="faxline-job-") as folder:
        path = Path(folder) / "fax.tif"
        path.write_bytes(tiff)
        request = CallRequest(
            from_number=job.from_number,
            to_number=job.to_number,
            tiff=path,
            options=FaxOptions(ident=job.from_number, log_flow=False),
        )
        outcome = transport.place_call_sync(request)
    sent = FaxImage(
        tiff=tiff,
        pages=job.image.pages,
        resolution=Resolution(job.image.resolution),
        compression=Compression(job.image.compression),
        sha256=hashlib.sha256(tiff).hexdigest(),
        source_kind="sent",
        discouraged=False,
    )
    return PlacedCall(outcome, sent)


def decide(
    job: FaxJob, outcome: CallOutcome, *, same_before: int, now: datetime, policy: RetryPolicy
) -> tuple[Step, int, int]:
    """The job's next step after ``outcome`` (``same_before``: earlier attempts with the same
    outcome name), with its new dial and try counts."""
    o = outcome.outcome
    dials = job.dials + (0 if o.retry is Retry.NOW else 1)
    tries = job.tries + (1 if outcome.connected else 0)
    if o.success:
        return Step(FaxJobStatus.SUCCESS), dials, tries
    retry, delay = o.retry, o.retry_after_seconds
    limit = policy.give_up_after.get(o.name)
    if limit is not None:
        retry = Retry.LATER if same_before + 1 < limit else Retry.NEVER
    if retry is not Retry.NEVER and (dials >= policy.max_dials or tries >= policy.max_tries):
        retry = Retry.NEVER
    if retry is Retry.NEVER:
        return Step(FaxJobStatus.FAILED, str(o.name)), dials, tries
    due = now + timedelta(seconds=delay or policy.default_delay_seconds)
    if due >= job.kill_at:
        return Step(FaxJobStatus.FAILED, JOB_CANCELLED), dials, tries
    return Step(FaxJobStatus.RETRYING, str(o.name), True, due), dials, tries


def record(
    attempt: FaxAttempt,
    outcome: CallOutcome,
    *,
    now: datetime | None = None,
    policy: RetryPolicy | None = None,
    sent_image: FaxImageFile | None = None,
) -> FaxJob | None:
    """Write the attempt's result and move its job on, once: None when the attempt is no
    longer ours (its lease expired and another dispatcher took the job back).
    ``sent_image``: the image as transmitted, kept for a successful attempt's receipt."""
    now = now or timezone.now()
    policy = policy or RetryPolicy()
    fax = outcome.fax
    o = outcome.outcome
    with transaction.atomic():
        written = FaxAttempt.objects.filter(
            pk=attempt.pk, ended_at__isnull=True, lease_owner=attempt.lease_owner
        ).update(
            ended_at=now,
            outcome=str(o.name),
            cause=o.cause[:40],
            retry=str(o.retry),
            connected=outcome.connected,
            trunk=call_trunk(outcome),
            media=call_media(outcome),
            t38_fallback=call_t38_fallback(outcome),
            completion_code=o.t30_code if fax is None else fax.completion_code,
            completion_text=(o.t30_text or "") if fax is None else fax.completion_text[:200],
            remote_csi=(fax.remote_ident if fax is not None else "")[:40],
            pages_sent=fax.pages if fax is not None else 0,
            duration_seconds=round(outcome.seconds, 3),
            progress=[event.as_dict() for event in outcome.progress],
            statistics={} if fax is None else _statistics(outcome),
            sent_image=sent_image,
        )
        if not written:
            log.warning("attempt %s is no longer ours: its outcome is not recorded", attempt.pk)
            return None
        job = FaxJob.objects.select_related("company").get(pk=attempt.job_id)
        same_before = job.attempts.filter(outcome=str(o.name)).exclude(pk=attempt.pk).count()
        step, dials, tries = decide(job, outcome, same_before=same_before, now=now, policy=policy)
        fields: dict[str, Any] = {
            "dials": dials,
            "tries": tries,
            "error": step.error,
            "error_code": o.t30_code if not o.success else None,
            "error_cause": "" if o.success else o.cause[:40],
            "will_retry": step.will_retry,
        }
        if step.next_attempt_at is not None:
            fields["next_attempt_at"] = step.next_attempt_at
        job_transition(
            job,
            allowed_from=(FaxJobStatus.IN_PROGRESS,),
            to=step.to,
            kind={"success": "sent", "retrying": "retry_scheduled", "failed": "gave_up"}[step.to],
            fields=fields,
            detail={"attempt": attempt.number, "outcome": str(o.name), "cause": o.cause},
            now=now,
        )
        if step.to == FaxJobStatus.FAILED:
            refund(job)
    return job


def call_trunk(outcome: CallOutcome) -> str:
    """The SIP trunk that carried the call (its ``trunk`` field, else what the transport
    put in ``far_end``); empty for the sandbox PSTN."""
    return str(outcome.trunk or outcome.far_end.get("trunk") or "")[:100]


def call_media(outcome: CallOutcome) -> str:
    """The call's media ("audio", "t38"), empty when nothing answered (no media flowed)."""
    if not outcome.connected and outcome.hearing is None:
        return ""
    return str(outcome.far_end.get("media") or outcome.media or "")[:8]


def call_t38_fallback(outcome: CallOutcome) -> bool:
    """Whether the call went in G.711 because of a learned fallback or a refused switch."""
    return bool(outcome.t38_fallback or outcome.far_end.get("t38_fallback"))


def _statistics(outcome: CallOutcome) -> dict[str, Any]:
    assert outcome.fax is not None
    data = fax_result_dict(outcome.fax)
    data.pop("phases", None)
    return data


def place_safely(attempt: FaxAttempt, transport: Transport) -> PlacedCall:
    """:func:`place`, where an exception (the transport, the image) is a General Error: the
    job is retried per the policy, never lost."""
    for pause in (0.1, 0.3, 0.6, 1.0, None):
        try:
            return place(attempt, transport)
        except DatabaseError as exc:  # reading the job before dialing: nothing was dialed
            if pause is None:
                log.exception("fax attempt %s: the job could not be read", attempt.pk)
                return PlacedCall(_failed_call(attempt, exc))
            close_old_connections()
            time.sleep(pause)
        except Exception as exc:
            log.exception("fax attempt %s failed to run", attempt.pk)
            return PlacedCall(_failed_call(attempt, exc))
    raise AssertionError("unreachable")


def record_patiently(
    attempt: FaxAttempt, placed: PlacedCall, *, policy: RetryPolicy | None, tries: int = 6
) -> FaxJob | None:
    """:func:`record`, tried again after a database error (a locked SQLite file, a dropped
    connection). Given up after ``tries``: the attempt's lease then expires and the job is
    tried again. A successful call's image is stored first (deduplicated: without a header
    line it is the job's own image)."""
    sent_image = None
    for attempt_number in range(1, tries + 1):
        try:
            if placed.sent is not None and placed.outcome.success and sent_image is None:
                sent_image = fax_image_store(placed.sent)
            return record(attempt, placed.outcome, policy=policy, sent_image=sent_image)
        except DatabaseError:
            if attempt_number == tries:
                log.exception("could not record attempt %s; its lease will expire", attempt.pk)
                return None
            close_old_connections()
            time.sleep(0.2 * attempt_number)
    return None


def run_attempt(
    attempt: FaxAttempt, transport: Transport, *, policy: RetryPolicy | None = None
) -> FaxJob | None:
    """Place the call of a claimed attempt and record it."""
    return record_patiently(attempt, place_safely(attempt, transport), policy=policy)


def _failed_call(attempt: FaxAttempt, exc: Exception) -> CallOutcome:
    from faxline.telephony.outcomes import outcome_named

    job = attempt.job
    return CallOutcome(
        outcome=outcome_named(OutcomeName.GENERAL_ERROR, cause=f"error:{type(exc).__name__}"),
        connected=False,
        transport="none",
        from_number=job.from_number,
        to_number=job.to_number,
    )


# --- the loop -------------------------------------------------------------------------


def dispatch_due(
    transport: Transport,
    *,
    owner: str | None = None,
    limit: int | None = None,
    policy: RetryPolicy | None = None,
) -> int:
    """Run, one after the other in this thread, every attempt due now (a test, a one-shot
    command). Returns how many calls were placed."""
    owner = owner or default_owner()
    kill_expired()
    recover_expired_leases()
    done = 0
    while limit is None or done < limit:
        attempt = claim_next(owner)
        if attempt is None:
            break
        run_attempt(attempt, transport, policy=policy)
        done += 1
    return done


class Dispatcher:
    """A long-running dispatcher: up to ``concurrency`` calls at once (at most the
    transport's lines), in threads; polls every ``poll_seconds`` (sooner when nudged)."""

    def __init__(
        self,
        transport: Transport,
        *,
        owner: str | None = None,
        concurrency: int | None = None,
        poll_seconds: float = 1.0,
        policy: RetryPolicy | None = None,
    ):
        self.transport = transport
        self.owner = owner or default_owner()
        capacity = capacity_of(transport)
        self.concurrency = min(concurrency or capacity, capacity)
        self.poll_seconds = poll_seconds
        self.policy = policy or RetryPolicy()
        self.stop = threading.Event()
        self.placed = 0
        self.running: set[int] = set()  # attempt ids whose calls run here

    def _run_one(self, attempt: FaxAttempt) -> None:
        try:
            run_attempt(attempt, self.transport, policy=self.policy)
        finally:
            self.running.discard(attempt.pk)
            close_old_connections()

    def _heartbeat(self) -> None:
        while not self.stop.wait(max(0.2, lease_seconds() / 3)):
            try:
                renew_leases(self.owner, set(self.running))
            except Exception:
                log.exception("could not renew the leases of %s", self.owner)
            finally:
                close_old_connections()

    def _keep_serving(self) -> None:
        """A transport that also answers calls (a SIP trunk) is kept listening and
        registered, every round: trunks an operator enables start to receive at once."""
        keep_serving = getattr(self.transport, "keep_serving", None)
        if keep_serving is not None:
            keep_serving()

    def run(self, *, until: Callable[[], bool] | None = None) -> None:
        log.info("dispatcher %s: up to %d calls at once", self.owner, self.concurrency)
        heartbeat = threading.Thread(target=self._heartbeat, name="lease-heartbeat", daemon=True)
        heartbeat.start()
        running: set[Future[None]] = set()
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="fax-call") as pool:
            while not self.stop.is_set() and not (until and until()):
                try:
                    kill_expired()
                    recover_expired_leases()
                    self._keep_serving()
                    running = {f for f in running if not f.done()}
                    while len(running) < self.concurrency:
                        attempt = claim_next(self.owner)
                        if attempt is None:
                            break
                        self.placed += 1
                        self.running.add(attempt.pk)
                        running.add(pool.submit(self._run_one, attempt))
                except DatabaseError as exc:
                    log.warning("dispatcher %s: a round failed (%s); trying again", self.owner, exc)
                    close_old_connections()
                except Exception:
                    log.exception("dispatcher %s: a round failed; trying again", self.owner)
                wakeup.wait(self.poll_seconds)
            self.stop.set()
        heartbeat.join(timeout=5)


def in_progress_by_destination() -> dict[str, int]:
    """How many calls are in progress per destination (at most 1 each; for tests and the
    operators)."""
    rows = (
        FaxJob.objects.filter(status=FaxJobStatus.IN_PROGRESS)
        .values("to_number")
        .annotate(n=Count("id"))
    )
    return {r["to_number"]: r["n"] for r in rows}
