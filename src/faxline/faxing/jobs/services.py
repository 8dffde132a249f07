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
from faxline.faxing.models import FaxJob, FaxJobStatus
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


def fax_resend(*, actor: Actor, job: FaxJob, to: str | None = None) -> FaxJob:
    """Send a job's image again, to its number or to ``to``: a new job (a new identifier),
    with every check of a new fax (the number, blocking, credits, the sender's lock)."""
    may_change_fax_job(actor, sender_id=job.sender_id).check()
    (again,) = fax_send(
        actor=actor,
        to=[to or job.to_number],
        files=[],
        header=job.header,
        resent_from=job,
        prepared=job.image,
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
