"""Writes of archive copies: written with the fax, delivered by the task worker.

:func:`archive_outbound` and :func:`archive_inbound` are told (inside the transaction that
changed the job's status or stored the received fax) and write one :class:`ArchiveCopy` per
fax when the Archive tab in force is enabled for that direction; its task is enqueued after
commit. Only successful transmissions are archived: the guide's Archive tab sends "fax
content ... following transmission", and a failed or cancelled job has no transmitted
content (decision 0033). Which tab is in force: the department chain of the job's sender or
of the fax's recipient, else the company's (the Archive tab is a company and department
tab).

The task (:func:`archive_copy_deliver`) claims the copy with a compare-and-set, makes the
files outside any transaction (the documents sandbox), then delivers:

- FTP: uploads with :func:`faxline.faxing.archive.ftp.ftp_upload` (FTPS when offered);
  the copy is ``done``, or ``retrying`` with :data:`RETRY`'s backoff, ``failed`` after the
  last attempt;
- email: hands the files to the notification service (kept in the vault until the email is
  settled; a link to the fax's portal page when they do not fit in one message); the copy is
  ``emailing`` until the notification log has sent it (or given up, with its own retries),
  which the sweep sees and records.

Every attempt's outcome is an event on the fax (``FaxJobEvent`` kinds ``archived``,
``archive_retrying``, ``archive_failed``; ``InboundEvent`` "Message archived" with its
status), shown on its page and in the API. :func:`archive_copies_resume` (the periodic
sweep) releases stale claims, nudges lost copies and settles emailed ones. A person with the
Archive settings right can retry a failed copy (:func:`archive_copy_retry`).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from faxline.accounts.access import Actor, actor_label, may_change_settings
from faxline.accounts.models import Company, Department, User
from faxline.accounts.preferences import ArchivePreferences, read_tab
from faxline.core.aftercommit import enqueue_after_commit, enqueue_now, renudge_lost
from faxline.core.audit import audit_record
from faxline.core.backoff import Backoff
from faxline.core.crypto import decrypt_text
from faxline.core.errors import Conflict, NotFound, ValidationFailed
from faxline.core.vault import vault_delete, vault_read, vault_store
from faxline.documents.received import DeliveredFile
from faxline.faxing.archive.files import (
    archive_stem,
    received_archive_files,
    received_original_stem,
    sent_archive_files,
)
from faxline.faxing.archive.ftp import FtpFailed, FtpTarget, ftp_check, ftp_upload
from faxline.faxing.archive.models import (
    ARCHIVE_DUE,
    ArchiveCopy,
    ArchiveDestination,
    ArchiveStatus,
)
from faxline.faxing.inbound.models import EventKind, EventStatus, InboundEvent, InboundFax
from faxline.faxing.models import FaxJob, FaxJobEvent, FaxJobStatus
from faxline.notify.services import Attachment, attachments_fit, notify_email

log = logging.getLogger(__name__)

NOTIFICATION_KIND = "faxing.archive"
FILES_PURPOSE = "archive-file"
# Eight attempts over about ten hours (waits of 1, 3, 9, 27, 81 minutes, then 4 hours): an
# FTP server down for a night's maintenance loses nothing.
RETRY = Backoff(first=timedelta(minutes=1), factor=3, cap=timedelta(hours=4), max_attempts=8)
# A claim older than this belongs to a worker that died (a conversion is bounded at two
# minutes by the documents sandbox, an upload by the FTP time-outs).
STALE_CLAIM = timedelta(minutes=10)
# A due copy still waiting this long lost its nudge; the sweep nudges it again (at most this
# often per copy).
LOST_NUDGE = timedelta(minutes=2)
SWEEP_LIMIT = 200
MAX_ERROR = 500

# Event kinds on an outbound job (FaxJobEvent.kind).
ARCHIVED = "archived"
ARCHIVE_RETRYING = "archive_retrying"
ARCHIVE_FAILED = "archive_failed"
ARCHIVE_RETRIED = "archive_retried"


# --- which Archive tab is in force ----------------------------------------------------------


def archive_tab(company: Company, user_id: int | None) -> ArchivePreferences | None:
    """The Archive tab in force for a person of ``company`` (the job's sender, the fax's
    recipient; None: the company's): their department's own, else its nearest ancestor's
    that has one, else the company's; None when the stored tab cannot be read (logged).

    Called inside the transaction that changed a job or stored a fax, so it reads little:
    one query in the usual case (a department carries the tabs it was created with)."""
    levels: list[dict[str, Any]] = []
    if user_id is not None:
        row = (
            User.objects.filter(pk=user_id, company_id=company.pk, department__isnull=False)
            .values_list("department__settings", "department__path")
            .first()
        )
        if row is not None:
            own, path = row
            levels.append(own or {})
            if "archive" not in levels[0]:
                ids = [int(p) for p in str(path).strip("/").split("/")[:-1] if p]
                found = dict(Department.objects.filter(pk__in=ids).values_list("pk", "settings"))
                levels += [found[i] or {} for i in reversed(ids) if i in found]
    stored = next((level for level in levels if "archive" in level), None)
    if stored is None:
        stored = company.settings or {}
    try:
        tab = read_tab(stored, "archive")
    except PydanticValidationError:
        log.warning("company %s: its stored Archive tab is not valid; nothing archived", company.pk)
        return None
    assert isinstance(tab, ArchivePreferences)
    return tab


def destination_key(tab: ArchivePreferences) -> str:
    """What makes two destinations the same (the unique constraint's key)."""
    if tab.destination == "email":
        return f"email:{(tab.email_address or '').strip().lower()}"
    directory = "/" + (tab.ftp_directory or "/").strip().strip("/")
    return (
        f"ftp://{tab.ftp_username or ''}@{(tab.ftp_host or '').strip().lower()}:"
        f"{tab.ftp_port}{directory}"
    )[:400]


def _copy_write(
    *, company_id: int, tab: ArchivePreferences, job: FaxJob | None, fax: InboundFax | None
) -> ArchiveCopy | None:
    """One copy row (none when this fax is archived to that destination already); its task
    is enqueued after the caller commits."""
    fields: dict[str, Any] = {
        "company_id": company_id,
        "job": job,
        "inbound_fax": fax,
        "destination": tab.destination,
        "destination_key": destination_key(tab),
        "file_type": tab.file_type,
        "original_file_name": tab.original_file_name,
        "include_metadata": tab.include_metadata,
        "next_attempt_at": timezone.now(),
    }
    if tab.destination == "email":
        fields["email_address"] = tab.email_address or ""
    else:
        fields.update(
            ftp_host=(tab.ftp_host or "").strip(),
            ftp_port=tab.ftp_port,
            ftp_username=tab.ftp_username or "",
            ftp_password_encrypted=tab.ftp_password_encrypted or "",
            ftp_directory=tab.ftp_directory or "/",
        )
    try:
        with transaction.atomic():
            copy = ArchiveCopy.objects.create(**fields)
    except IntegrityError:
        return None  # the same fax to the same destination: archived once
    _nudge_after_commit(copy.pk)
    return copy


def archive_outbound(job: FaxJob, *, to_status: str) -> ArchiveCopy | None:
    """A job's status changed (inside that transaction): a successful transmission is
    copied where the Archive tab in force says, when it archives outbound faxes."""
    if to_status != FaxJobStatus.SUCCESS:
        return None
    company = job.company  # the dispatcher has it loaded
    tab = archive_tab(company, job.sender_id)
    if tab is None or not tab.enabled or not tab.archive_outbound:
        return None
    return _copy_write(company_id=company.pk, tab=tab, job=job, fax=None)


def archive_inbound(fax: InboundFax) -> ArchiveCopy | None:
    """A fax was received and stored (inside that transaction): copied where the Archive
    tab in force for its recipient (or its company) says, when it archives inbound faxes.
    A fax to a number without a company is not archived: nobody chose a destination."""
    if fax.company_id is None:
        return None
    company = Company.objects.filter(pk=fax.company_id).first()
    if company is None:
        return None
    tab = archive_tab(company, fax.user_id)
    if tab is None or not tab.enabled or not tab.archive_inbound:
        return None
    return _copy_write(company_id=company.pk, tab=tab, job=None, fax=fax)


# --- events ---------------------------------------------------------------------------------


def _event(
    copy: ArchiveCopy,
    *,
    outcome: str,
    note: str,
    notification_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """The copy's attempt as an event of its fax. ``outcome``: "done", "retrying",
    "failed" or "retried"."""
    now = timezone.now()
    if copy.job_id is not None:
        kind = {
            "done": ARCHIVED,
            "retrying": ARCHIVE_RETRYING,
            "failed": ARCHIVE_FAILED,
            "retried": ARCHIVE_RETRIED,
        }[outcome]
        status = FaxJob.objects.filter(pk=copy.job_id).values_list("status", flat=True).get()
        FaxJobEvent.objects.create(
            job_id=copy.job_id,
            kind=kind,
            from_status=status,
            to_status=status,
            at=now,
            detail={
                "note": note[:300],
                "destination": copy.destination_label,
                "attempt": copy.attempts,
                "archive_copy": copy.pk,
                **(extra or {}),
            },
        )
        return
    assert copy.inbound_fax_id is not None  # the check constraint: a job or a received fax
    InboundEvent.objects.create(
        fax_id=copy.inbound_fax_id,
        at=now,
        kind=EventKind.ARCHIVED,
        receiving_address=copy.destination_label[:254],
        status={
            "done": EventStatus.SUCCESS,
            "retrying": EventStatus.PENDING,
            "retried": EventStatus.PENDING,
            "failed": EventStatus.FAILED,
        }[outcome],
        detail=note[:300],
        notification_id=notification_id,
    )


# --- delivery -------------------------------------------------------------------------------


def _nudge_after_commit(copy_id: int) -> None:
    from faxline.faxing.archive.tasks import deliver  # tasks.py imports this module

    enqueue_after_commit(deliver, copy_id)


def _nudge_now(copy_id: int) -> bool:
    from faxline.faxing.archive.tasks import deliver

    return enqueue_now(deliver, copy_id)


def _nudge_at(copy_id: int, when: datetime) -> bool:
    from faxline.faxing.archive.tasks import deliver

    return enqueue_now(deliver.using(run_after=when), copy_id)


def _claim(copy_id: int, now: datetime) -> QuerySet[ArchiveCopy] | None:
    """Compare-and-set: a due copy becomes ``sending``; the queryset that finds it while the
    claim is ours, or None when it was not ours to take."""
    taken = (
        ArchiveCopy.objects.filter(pk=copy_id, status__in=ARCHIVE_DUE)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=ArchiveStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not taken:
        return None
    return ArchiveCopy.objects.filter(pk=copy_id, status=ArchiveStatus.SENDING, claimed_at=now)


class _Permanent(Exception):
    """Trying again cannot help (the content is gone, the image cannot be read)."""


@dataclass(frozen=True)
class _Made:
    files: list[DeliveredFile]
    reference: str  # the job's identifier, or "fax-<id>"
    subject: str
    link: str


def _portal(path: str) -> str:
    return f"{settings.FAXLINE_PORTAL_URL.rstrip('/')}{path}"


def _make_files(copy: ArchiveCopy) -> _Made:
    """The copy's files (outside any transaction: the documents sandbox decodes)."""
    if copy.job_id is not None:
        job = FaxJob.objects.select_related("image").get(pk=copy.job_id)
        # The job succeeded: its last attempt is the one that sent it.
        attempt = (
            job.attempts.exclude(ended_at=None).select_related("sent_image").order_by("-number")
        ).first()
        image = attempt.sent_image if attempt and attempt.sent_image else job.image
        moment = job.completed_at or job.created_at
        stem = archive_stem(
            direction="outbound",
            reference=job.identifier,
            moment=moment,
            original=(job.document_name or job.identifier) if copy.original_file_name else "",
        )
        try:
            tiff = vault_read(image.vault_name)
        except NotFound as exc:
            raise _Permanent("The sent fax's image is no longer kept.") from exc
        files = sent_archive_files(
            tiff,
            identifier=job.identifier,
            from_number=job.from_number,
            to_number=job.to_number,
            pages=job.pages,
            remote_csi=attempt.remote_csi if attempt else "",
            submitted_at=job.created_at,
            completed_at=job.completed_at,
            attempts=job.attempts.count(),
            result_code=(attempt.completion_code or 0) if attempt else 0,
            result_text=(attempt.completion_text if attempt else "") or "OK",
            file_type=copy.file_type,
            include_metadata=copy.include_metadata,
            stem=stem,
        )
        return _Made(
            files,
            job.identifier,
            f"Archive: fax {job.identifier} sent to {job.to_number} ({job.pages} pages)",
            _portal(f"/faxes/sent/{job.identifier}/"),
        )
    from faxline.faxing.inbound.services import reception_of, recipient_options

    assert copy.inbound_fax_id is not None
    fax = InboundFax.objects.select_related("user").get(pk=copy.inbound_fax_id)
    if not fax.retained:
        raise _Permanent("The received fax's content is no longer kept.")
    _kind, _separate, _metadata, zone = recipient_options(fax.user)
    stem = archive_stem(
        direction="inbound",
        reference=received_original_stem(fax.pk),
        moment=fax.received_at,
        original=received_original_stem(fax.pk) if copy.original_file_name else "",
    )
    try:
        tiff = vault_read(fax.vault_name)
    except NotFound as exc:
        raise _Permanent("The received fax's content is no longer kept.") from exc
    files = received_archive_files(
        tiff,
        reception_of(fax, time_zone=zone),
        file_type=copy.file_type,
        include_metadata=copy.include_metadata,
        stem=stem,
    )
    return _Made(
        files,
        received_original_stem(fax.pk),
        f"Archive: fax received from {fax.from_number or 'unknown'} on {fax.to_number} "
        f"({fax.pages} pages)",
        _portal(f"/faxes/received/{fax.pk}/"),
    )


def archive_copy_deliver(*, copy_id: int) -> ArchiveCopy | None:
    """Attempt one archive copy; idempotent (a copy not due is left alone and None
    returned). Runs in the task worker, outside any transaction. Every outcome is written
    with a compare-and-set on the claim, so a claim the sweep took back is not overwritten."""
    now = timezone.now()
    mine = _claim(copy_id, now)
    if mine is None:
        return None
    copy = ArchiveCopy.objects.get(pk=copy_id)
    try:
        made = _make_files(copy)
    except (_Permanent, ValidationFailed) as exc:
        message = exc.message if isinstance(exc, ValidationFailed) else str(exc)
        _give_up(mine, copy, message)
        return _fresh(copy)
    except Exception as exc:  # the sandbox stopped or unavailable: tried again later
        log.exception("archive copy %s: the files could not be made", copy.pk)
        _record_failure(mine, copy, f"The files could not be made ({type(exc).__name__}).")
        return _fresh(copy)
    if copy.destination == ArchiveDestination.FTP:
        _deliver_ftp(mine, copy, made)
    else:
        _deliver_email(mine, copy, made)
    return _fresh(copy)


def _deliver_ftp(mine: QuerySet[ArchiveCopy], copy: ArchiveCopy, made: _Made) -> None:
    try:
        password = decrypt_text(copy.ftp_password_encrypted) if copy.ftp_password_encrypted else ""
    except ValueError:
        _give_up(mine, copy, "The FTP password cannot be decrypted: enter it again.")
        return
    target = FtpTarget(
        host=copy.ftp_host,
        port=copy.ftp_port,
        username=copy.ftp_username,
        password=password,
        directory=copy.ftp_directory or "/",
    )
    try:
        uploaded = ftp_upload(
            target, made.files, keep_existing=copy.original_file_name, suffix=made.reference
        )
    except FtpFailed as exc:
        _record_failure(mine, copy, str(exc))
        return
    how = "FTPS" if uploaded.encrypted else "FTP"
    with transaction.atomic():
        if mine.update(
            status=ArchiveStatus.DONE,
            error="",
            file_names=uploaded.names,
            claimed_at=None,
            next_attempt_at=None,
            done_at=timezone.now(),
        ):
            copy.refresh_from_db()
            _event(
                copy,
                outcome="done",
                note=f"Archived by {how} to {copy.destination_label}: " + ", ".join(uploaded.names),
                extra={"files": uploaded.names, "encrypted": uploaded.encrypted},
            )


def _store_files(files: list[DeliveredFile]) -> list[Attachment]:
    kept: list[Attachment] = []
    try:
        for item in files:
            stored = vault_store(item.data, purpose=FILES_PURPOSE)
            kept.append(Attachment(item.name, item.content_type, stored.name, stored.size))
    except BaseException:
        for done in kept:
            vault_delete(done.vault_name)
        raise
    return kept


def _deliver_email(mine: QuerySet[ArchiveCopy], copy: ArchiveCopy, made: _Made) -> None:
    attached = attachments_fit(len(f.data) for f in made.files)
    attachments = _store_files(made.files) if attached else []
    names = [f.name for f in made.files]
    lines = [made.subject + "."]
    if attached:
        lines.append("The archive copy is attached: " + ", ".join(names) + ".")
    else:
        lines.append(
            "The files are too large to attach; sign in to the portal to open the fax: " + made.link
        )
    try:
        with transaction.atomic():
            if not mine.update(status=ArchiveStatus.EMAILING, claimed_at=None):
                raise _LostClaim
            [row] = notify_email(
                kind=NOTIFICATION_KIND,
                to=copy.email_address,
                subject=made.subject,
                body="\n\n".join(lines) + "\n",
                company_id=copy.company_id,
                related=f"Archive of fax {made.reference}",
                attachments=attachments,
            )
            ArchiveCopy.objects.filter(pk=copy.pk).update(
                notification=row,
                file_names=names if attached else [],
                files=[a.vault_name for a in attachments],
                error="" if attached else "Too large to attach: a portal link was sent.",
            )
    except BaseException as exc:
        for item in attachments:
            vault_delete(item.vault_name)
        if isinstance(exc, _LostClaim):
            return
        raise


class _LostClaim(Exception):
    """The sweep took the claim back meanwhile: another attempt owns the copy."""


def _record_failure(mine: QuerySet[ArchiveCopy], copy: ArchiveCopy, error: str) -> None:
    """After a failed attempt: schedule the next one, or give up."""
    attempts = mine.values_list("attempts", flat=True).first() or copy.attempts
    retry_at = RETRY.next_attempt(attempts, now=timezone.now())
    if retry_at is None:
        _give_up(mine, copy, f"Gave up after {attempts} attempts. Last error: {error}")
        return
    log.info("archive copy %s: attempt %s failed; next at %s", copy.pk, attempts, retry_at)
    with transaction.atomic():
        if not mine.update(
            status=ArchiveStatus.RETRYING,
            error=error[:MAX_ERROR],
            claimed_at=None,
            next_attempt_at=retry_at,
            nudged_at=None,
        ):
            return
        copy.refresh_from_db()
        _event(
            copy,
            outcome="retrying",
            note=f"Archive attempt {attempts} failed: {error} Next attempt at "
            f"{retry_at:%Y-%m-%d %H:%M} UTC.",
            extra={"error": error[:MAX_ERROR], "next_attempt_at": retry_at.isoformat()},
        )
        transaction.on_commit(lambda: _nudge_at(copy.pk, retry_at))


def _give_up(mine: QuerySet[ArchiveCopy], copy: ArchiveCopy, error: str) -> None:
    log.warning("archive copy %s failed: %s", copy.pk, error)
    with transaction.atomic():
        if mine.update(
            status=ArchiveStatus.FAILED,
            error=error[:MAX_ERROR],
            claimed_at=None,
            next_attempt_at=None,
        ):
            copy.refresh_from_db()
            _event(
                copy,
                outcome="failed",
                note=f"Archive failed: {error}",
                extra={"error": error[:MAX_ERROR]},
            )


def _fresh(copy: ArchiveCopy) -> ArchiveCopy:
    copy.refresh_from_db()
    return copy


# --- the sweep ------------------------------------------------------------------------------


def _settle_emailed(limit: int) -> int:
    """Emailed copies whose email the notification log has sent (``done``) or given up
    (``failed``): recorded, with an event, and their files deleted."""
    settled = 0
    rows = list(
        ArchiveCopy.objects.filter(
            status=ArchiveStatus.EMAILING,
            notification__status__in=("sent", "logged", "failed"),
        ).values_list("pk", "notification__status", "notification__error")[:limit]
    )
    # A copy whose notification row was removed (its company's log cleared) is settled too.
    rows += [
        (pk, "failed", "The archive email is no longer in the notification log.")
        for pk in ArchiveCopy.objects.filter(
            status=ArchiveStatus.EMAILING, notification__isnull=True, claimed_at__isnull=True
        ).values_list("pk", flat=True)[:limit]
    ]
    for pk, outcome, error in rows:
        ok = outcome in ("sent", "logged")
        with transaction.atomic():
            copy = ArchiveCopy.objects.get(pk=pk)
            vault_names = [str(name) for name in copy.files or []]
            if not ArchiveCopy.objects.filter(pk=pk, status=ArchiveStatus.EMAILING).update(
                status=ArchiveStatus.DONE if ok else ArchiveStatus.FAILED,
                error="" if ok else str(error or "")[:MAX_ERROR],
                done_at=timezone.now() if ok else None,
                files=[],
            ):
                continue
            copy.refresh_from_db()
            note = (
                f"Archived by email to {copy.email_address}"
                + (": " + ", ".join(copy.file_names) if copy.file_names else " (a portal link)")
                if ok
                else f"Archive email to {copy.email_address} failed: {error}"
            )
            _event(
                copy,
                outcome="done" if ok else "failed",
                note=note,
                notification_id=copy.notification_id,
                extra={"notification": copy.notification_id},
            )
            transaction.on_commit(lambda names=vault_names: _delete_files(names))  # type: ignore[misc]
        settled += 1
    return settled


def _delete_files(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(NotFound):
            vault_delete(name)


def archive_copies_resume(*, limit: int = SWEEP_LIMIT) -> int:
    """The periodic sweep: every archive copy gets its attempts.

    Releases stale claims (a worker died: the attempt counts; due again, or failed once the
    attempts are spent), settles emailed copies whose email the notification log finished,
    and nudges copies due for longer than :data:`LOST_NUDGE`. Returns how many it nudged.
    Every change is a compare-and-set: safe in several processes at once."""
    now = timezone.now()
    stale = ArchiveCopy.objects.filter(
        status=ArchiveStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).values_list("pk", "claimed_at")[:limit]
    for pk, claimed_at in list(stale):
        mine = ArchiveCopy.objects.filter(
            pk=pk, status=ArchiveStatus.SENDING, claimed_at=claimed_at
        )
        copy = ArchiveCopy.objects.get(pk=pk)
        _record_failure(mine, copy, "The worker stopped during the attempt.")
    _settle_emailed(limit)
    overdue = now - LOST_NUDGE
    return renudge_lost(
        ArchiveCopy.objects.filter(status__in=ARCHIVE_DUE, next_attempt_at__lt=overdue),
        overdue=overdue,
        now=now,
        nudge=_nudge_now,
        order_by="next_attempt_at",
        limit=limit,
    )


# --- a person's action ----------------------------------------------------------------------


def archive_copies_retry(
    *, actor: Actor, job: FaxJob | None = None, fax: InboundFax | None = None
) -> list[ArchiveCopy]:
    """Try every failed archive copy of a sent (``job``) or received (``fax``) fax again
    (:func:`archive_copy_retry`, each in its own transaction). The caller found the fax
    in the actor's scope; none failed is ``nothing_to_retry`` (409)."""
    copies = ArchiveCopy.objects.filter(status=ArchiveStatus.FAILED)
    if job is not None:
        copies = copies.filter(job=job)
    elif fax is not None:
        copies = copies.filter(inbound_fax=fax)
    else:
        raise ValueError("archive_copies_retry needs a job or a received fax")
    failed = list(copies.order_by("pk")[:20])
    if not failed:
        raise Conflict("No archive copy of this fax failed.", code="nothing_to_retry")
    return [archive_copy_retry(actor=actor, copy=copy) for copy in failed]


@transaction.atomic
def archive_copy_retry(*, actor: Actor, copy: ArchiveCopy) -> ArchiveCopy:
    """Try a failed archive copy again, with a fresh set of attempts (to the destination it
    had). Operators, and administrators with the Archive settings right over the company;
    audited. Queued; the worker delivers after commit."""
    company = Company.objects.get(pk=copy.company_id)
    may_change_settings(actor, company, "archive").check()
    if not ArchiveCopy.objects.filter(pk=copy.pk, status=ArchiveStatus.FAILED).update(
        status=ArchiveStatus.PENDING,
        attempts=0,
        error="",
        claimed_at=None,
        nudged_at=None,
        next_attempt_at=timezone.now(),
        notification=None,
        file_names=[],
    ):
        raise Conflict("Only a failed archive copy can be tried again.", code="not_failed")
    copy.refresh_from_db()
    _event(copy, outcome="retried", note=f"Archive tried again by {actor_label(actor)}.")
    audit_record(
        kind="archive.retried",
        actor=actor.user,
        company=company,
        target=copy,
        ip_address=actor.ip_address,
        detail={"destination": copy.destination_label},
    )
    _nudge_after_commit(copy.pk)
    return copy


# --- Test FTP connection --------------------------------------------------------------------


@dataclass(frozen=True)
class FtpTestResult:
    """What the Archive tab's "Test FTP connection" found."""

    ok: bool
    encrypted: bool
    message: str


def archive_ftp_test(*, actor: Actor, owner: Company | Department) -> FtpTestResult:
    """Test the FTP destination saved on ``owner``'s Archive tab: connect (vetted as an
    archive copy is), log in, enter or make the directory, write a small file and delete
    it. Whoever may change the tab may test it. Runs in the request, outside any
    transaction, bounded by 10 s time-outs; the password is never shown."""
    may_change_settings(actor, owner, "archive").check()
    try:
        tab = read_tab(owner.settings or {}, "archive")
    except PydanticValidationError:
        tab = ArchivePreferences()
    assert isinstance(tab, ArchivePreferences)
    if tab.destination != "ftp" or not tab.ftp_host:
        raise ValidationFailed(
            "Save an FTP destination (host, user name, password, directory) first.",
            field="settings.archive.ftp_host",
            code="no_ftp_destination",
        )
    try:
        password = decrypt_text(tab.ftp_password_encrypted) if tab.ftp_password_encrypted else ""
    except ValueError:
        return FtpTestResult(
            False, False, "The stored FTP password cannot be read: enter it again."
        )
    target = FtpTarget(
        host=tab.ftp_host,
        port=tab.ftp_port,
        username=tab.ftp_username or "",
        password=password,
        directory=tab.ftp_directory or "/",
    )
    where = f"{tab.ftp_host} port {tab.ftp_port}"
    try:
        encrypted = ftp_check(target)
    except FtpFailed as exc:
        return FtpTestResult(False, False, f"The connection to {where} failed: {exc}")
    how = "FTPS (encrypted)" if encrypted else "FTP (not encrypted: the server offers no TLS)"
    return FtpTestResult(
        True,
        encrypted,
        f"Connected to {where} by {how}, logged in and wrote a test file in "
        f"{tab.ftp_directory or '/'}.",
    )
