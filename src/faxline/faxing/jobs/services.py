"""Cancel and resend (the sender's own actions on a job: the guide's Cancel and Resend
tabs), and the delivery receipt of a sent fax."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from faxline.accounts.access import Actor
from faxline.accounts.preferences import format_moment
from faxline.accounts.selectors import effective_settings
from faxline.core.errors import Conflict
from faxline.documents.receipt import DeliveryReceipt, delivery_receipt
from faxline.faxing.access import may_change_fax_job
from faxline.faxing.images import fax_image_bytes
from faxline.faxing.jobs.dispatcher import JOB_CANCELLED, refund
from faxline.faxing.jobs.send import fax_send
from faxline.faxing.jobs.state import job_transition
from faxline.faxing.models import FaxJob, FaxJobSource, FaxJobStatus
from faxline.telephony.outcomes import OutcomeName


def fax_cancel(*, actor: Actor, job: FaxJob) -> FaxJob:
    """Cancel a job that is waiting (queued or retrying); a call in progress is not cut:
    409 ``invalid_transition``, as for a finished job. Its credits are given back."""
    may_change_fax_job(actor, sender_id=job.sender_id).check()
    with transaction.atomic():
        job_transition(
            job,
            allowed_from=(FaxJobStatus.QUEUED, FaxJobStatus.RETRYING),
            to=FaxJobStatus.CANCELLED,
            kind="cancelled",
            actor_id=actor.user.pk,
            fields={"error": JOB_CANCELLED, "will_retry": False},
        )
        refund(job)
    return job


def fax_resend(
    *,
    actor: Actor,
    job: FaxJob,
    to: str | None = None,
    source: FaxJobSource | str = FaxJobSource.API,
) -> FaxJob:
    """Send a job's image again (the Resend tab), to its number or to ``to`` (validated as
    Send Fax validates it: "Invalid Fax Number" or a blocked number, 422 naming ``to``): a
    new job with a new identifier; the original is left as it is.

    Its sender or an administrator holding "Resend faxes" may (:func:`may_change_fax_job`).
    The new job is the original sender's, whoever resends it: sent from their number,
    counted under their department, with every check of a new fax made for them (active,
    unlocked, a number to send from, credits); its first event names who resent it. A job
    whose sender no longer exists is 409 ``sender_gone``."""
    may_change_fax_job(actor, sender_id=job.sender_id).check()
    sender = job.sender
    if sender is None or sender.deleted_at is not None:
        raise Conflict(
            "The person who sent this fax no longer exists: it cannot be resent for them.",
            code="sender_gone",
        )
    as_sender = actor if sender.pk == actor.user.pk else Actor(user=sender, ip_address=None)
    (again,) = fax_send(
        actor=as_sender,
        to=[(to or "").strip() or job.to_number],
        files=[],
        header=job.header,
        resent_from=job,
        prepared=job.image,
        source=source,
        submitted_by=actor.user.pk,
    )
    return again


def fax_receipt(*, job: FaxJob) -> bytes:
    """The sealed delivery receipt of a sent fax (PDF): what the call's T.30 session
    reported, the first page as sent and the SHA-256 of the image transmitted. Whoever may
    see the job may download it (the caller found the job through ``job_get``). 409
    ``not_sent`` for a job that was not (yet) sent. Call it outside a transaction."""
    attempt = (
        job.attempts.filter(outcome=OutcomeName.SENT, sent_image__isnull=False)
        .select_related("sent_image")
        .order_by("-number")
        .first()
    )
    if job.status != FaxJobStatus.SUCCESS or attempt is None or attempt.sent_image is None:
        raise Conflict(
            "A delivery receipt exists once the fax has been sent.", code="not_sent", field="id"
        )
    custom = effective_settings(job.sender)["custom"] if job.sender else None

    def when(moment: datetime | None) -> str:
        if moment is None:
            return "—"
        return format_moment(moment, custom) if custom else moment.isoformat()

    stats = attempt.statistics or {}
    y_dpi = int(stats.get("y_resolution") or 0)
    resolution = (
        f"{stats.get('x_resolution', 204)} x {y_dpi} ({'fine' if y_dpi > 150 else 'standard'})"
        if y_dpi
        else ""
    )
    return delivery_receipt(
        DeliveryReceipt(
            job_id=job.identifier,
            from_number=job.from_number,
            to_number=job.to_number,
            remote_csi=attempt.remote_csi,
            outcome=str(OutcomeName.SENT),
            result_code=attempt.completion_code or 0,
            result_text=attempt.completion_text or "OK",
            pages_sent=attempt.pages_sent,
            bit_rate=int(stats.get("bit_rate") or 0),
            resolution=resolution,
            ecm=bool(stats.get("ecm")),
            started=when(attempt.started_at),
            ended=when(attempt.ended_at),
            image=fax_image_bytes(attempt.sent_image),
            duration=f"{attempt.duration_seconds:.1f} s",
        )
    )
