"""Cancel and resend: the sender's own actions on a job (the guide's Cancel and Resend tabs)."""

from __future__ import annotations

from django.db import transaction

from faxline.accounts.access import Actor
from faxline.faxing.access import may_change_fax_job
from faxline.faxing.jobs.dispatcher import JOB_CANCELLED, refund
from faxline.faxing.jobs.send import fax_send
from faxline.faxing.jobs.state import job_transition
from faxline.faxing.models import FaxJob, FaxJobStatus


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
