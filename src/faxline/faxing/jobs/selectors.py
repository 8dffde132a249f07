"""Reads of outbound jobs, narrowed to what the actor may see (outside it a job does not
exist: 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from faxline.accounts.access import Actor
from faxline.core.errors import NotFound, ValidationFailed
from faxline.faxing.models import FaxImageFile, FaxJob, FaxJobEvent, FaxJobStatus
from faxline.telephony.transport import normalized_number


def jobs_visible(actor: Actor) -> QuerySet[FaxJob]:
    """Its sender's jobs for a fax user; the company's for its company-level administrators
    (a department administrator's subtree's); the partner's
    companies' for a channel partner; all for operators."""
    if actor.is_operator or actor.is_partner or actor.is_administrator:
        scope = actor.in_companies_q()
        root = actor.scope_department
        if root is not None:
            # A department administrator: the jobs counted under their subtree.
            scope &= Q(department__path__startswith=root.path)
    else:
        scope = Q(sender_id=actor.user.pk)
    return FaxJob.objects.filter(scope)


def job_get(*, actor: Actor, identifier: str) -> FaxJob:
    job = (
        jobs_visible(actor)
        .select_related("company", "sender", "department", "image", "resent_from")
        .filter(identifier=identifier)
        .first()
    )
    if job is None:
        raise NotFound("There is no fax job with this identifier.", field="id")
    return job


EVENT_LABELS = {
    "accepted": "Accepted",
    "imported": "Imported from history",
    "dialing": "Dialing",
    "sent": "Sent",
    "retry_scheduled": "Retry scheduled",
    "gave_up": "Failed",
    "cancelled": "Cancelled",
    "kill_time": "Kill time reached",
    "interrupted": "Call interrupted",
    "archived": "Archived",
    "archive_retrying": "Archive attempt failed",
    "archive_failed": "Archive failed",
    "archive_retried": "Archive tried again",
}
MAX_EVENTS = 200


@dataclass(frozen=True)
class JobEventView:
    """One line of a job's events as its page and the API show it."""

    at: datetime
    kind: str
    label: str
    from_status: str
    to_status: str
    note: str
    by: str = ""  # who acted (empty: faxline itself)


def _event_note(event: FaxJobEvent) -> str:
    detail = event.detail or {}
    if detail.get("note"):
        return str(detail["note"])
    parts = [str(detail[k]) for k in ("outcome", "cause") if detail.get(k)]
    if detail.get("attempt") and event.kind != "dialing":
        parts.insert(0, f"attempt {detail['attempt']}")
    elif detail.get("attempt"):
        parts.append(f"attempt {detail['attempt']}")
    return ", ".join(parts)


def job_events(job: FaxJob) -> list[JobEventView]:
    """The job's events in order (status changes, and the Archive tab's copies), at most
    :data:`MAX_EVENTS` (the latest)."""
    rows = list(job.events.select_related("actor").order_by("-at", "-pk")[:MAX_EVENTS])
    return [
        JobEventView(
            at=e.at,
            kind=e.kind,
            label=EVENT_LABELS.get(e.kind, e.kind.replace("_", " ").capitalize()),
            from_status=e.from_status,
            to_status=e.to_status,
            note=_event_note(e),
            by=(e.actor.get_full_name() or e.actor.username) if e.actor else "",
        )
        for e in reversed(rows)
    ]


def jobs_list(
    *,
    actor: Actor,
    status: str | None = None,
    to: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[FaxJob]:
    """Newest first, filtered by status, recipient (any spelling) and acceptance time."""
    jobs = jobs_visible(actor).order_by("-created_at", "-id")
    if status:
        if status not in FaxJobStatus.values:
            raise ValidationFailed(
                f"status must be one of {', '.join(FaxJobStatus.values)}.", field="status"
            )
        jobs = jobs.filter(status=status)
    if to:
        jobs = jobs.filter(to_number=normalized_number(to, field_name="to"))
    if since:
        jobs = jobs.filter(created_at__gte=since)
    if until:
        jobs = jobs.filter(created_at__lt=until)
    return jobs


# --- Activity Details ---------------------------------------------------------------------

MAX_ATTEMPTS_SHOWN = 100
MAX_RESENDS_SHOWN = 20
PROGRESS_LABELS = {
    "dialing": "Dialing",
    "no_channel": "No free channel",
    "ringing": "Ringing",
    "busy": "Busy",
    "fast_busy": "Fast busy",
    "no_answer": "No answer",
    "answered": "Answered",
    "fax_tones": "Fax tones heard",
    "voice": "Voice heard",
    "sit_tones": "Special information tones",
    "silence": "Silence",
    "t38": "Switched to T.38",
    "t30_phase": "T.30",
    "hung_up": "Hung up",
}


@dataclass(frozen=True)
class ProgressStep:
    """One step of a call's progress, seconds after dialing."""

    at_seconds: float
    label: str
    detail: str


@dataclass(frozen=True)
class AttemptView:
    """One call of a job as Activity Details shows it: the call's progress and the T.30
    data (rate, ECM, remote CSI, pages, completion code and text, duration), its error."""

    number: int
    started_at: datetime
    ended_at: datetime | None
    outcome: str
    cause: str
    retry: str
    connected: bool
    completion_code: int | None
    completion_text: str
    remote_csi: str
    pages_sent: int
    duration_seconds: float
    bit_rate: int | None
    ecm: bool | None
    resolution: str
    ecm_retries: int | None
    bad_rows: int | None
    progress: list[ProgressStep]
    trunk: str = ""
    media: str = ""
    t38_fallback: bool = False

    @property
    def media_label(self) -> str:
        """ "T.38", "G.711 audio" (with why, after a T.38 fallback), or "" (no media)."""
        if self.media == "t38":
            return "T.38"
        if self.media == "audio":
            return "G.711 audio (T.38 fallback)" if self.t38_fallback else "G.711 audio"
        return self.media

    @property
    def failed(self) -> bool:
        return bool(self.outcome) and self.outcome != "Sent"


def _int_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def job_attempts(job: FaxJob) -> list[AttemptView]:
    """The job's calls in order (at most :data:`MAX_ATTEMPTS_SHOWN`), each with its call
    progress and T.30 statistics, in one query."""
    views: list[AttemptView] = []
    for a in job.attempts.order_by("number")[:MAX_ATTEMPTS_SHOWN]:
        stats = a.statistics if isinstance(a.statistics, dict) else {}
        x_dpi, y_dpi = (
            _int_or_none(stats.get("x_resolution")),
            _int_or_none(stats.get("y_resolution")),
        )
        resolution = ""
        if x_dpi and y_dpi:
            resolution = f"{x_dpi} x {y_dpi} ({'fine' if y_dpi > 150 else 'standard'})"
        steps = []
        for step in a.progress if isinstance(a.progress, list) else []:
            if not isinstance(step, dict):
                continue
            kind = str(step.get("kind", ""))
            steps.append(
                ProgressStep(
                    at_seconds=float(step.get("at_seconds") or 0.0),
                    label=PROGRESS_LABELS.get(kind, kind.replace("_", " ").capitalize()),
                    detail=str(step.get("detail") or ""),
                )
            )
        ecm = stats.get("ecm")
        views.append(
            AttemptView(
                number=a.number,
                started_at=a.started_at,
                ended_at=a.ended_at,
                outcome=a.outcome,
                cause=a.cause,
                retry=a.retry,
                connected=a.connected,
                completion_code=a.completion_code,
                completion_text=a.completion_text,
                remote_csi=a.remote_csi,
                pages_sent=a.pages_sent,
                duration_seconds=a.duration_seconds,
                bit_rate=_int_or_none(stats.get("bit_rate")),
                ecm=bool(ecm) if ecm is not None else None,
                resolution=resolution,
                ecm_retries=_int_or_none(stats.get("ecm_retries")),
                bad_rows=_int_or_none(stats.get("bad_rows")),
                progress=steps,
                trunk=a.trunk,
                media=a.media,
                t38_fallback=a.t38_fallback,
            )
        )
    return views


def job_resends(job: FaxJob) -> list[FaxJob]:
    """The jobs that resent this one (newest first, at most :data:`MAX_RESENDS_SHOWN`)."""
    return list(job.resends.order_by("-created_at", "-id")[:MAX_RESENDS_SHOWN])


def job_document(job: FaxJob) -> FaxImageFile | None:
    """The document of a job as it was sent (the image of its successful call, with its
    header line), else as submitted; None when its content is no longer kept."""
    attempt = (
        job.attempts.filter(sent_image__isnull=False)
        .select_related("sent_image")
        .order_by("-number")
        .first()
    )
    image = attempt.sent_image if attempt is not None and attempt.sent_image else job.image
    return image if image is not None and image.vault_name else None


# What each of the guide's error names means (its "Enhanced Descriptions", in our words);
# what to do about it is ``faxing.jobs.notifications.failure_of``'s.
ERROR_MEANINGS = {
    "Busy": "The called line was already in use.",
    "Fast Busy": "The network found no path to the number: often temporary (an outage, "
    "overloaded circuits, bad weather).",
    "No Answer": "Neither a fax machine nor a person picked up before the call timed out "
    "(about 55 seconds of ringing).",
    "Voice Answer": "A person or a voicemail answered the call.",
    "Not a Fax Machine": "No fax tones came back: a wrong number, a machine not set to answer "
    "automatically, or one out of paper or jammed.",
    "Sit-Tone / Operator Msg": "The network intercepted the call with special information "
    "tones or an operator message (disconnected, changed or not in service).",
    "Negotiation Failed": "A fax machine answered but the two machines could not agree on "
    "how to send, or could not train: usually the line's quality.",
    "Transmission Failed": "The receiving machine answered and connected, but the pages could "
    "not all be sent: line quality, the machine, or a line shared with other devices.",
    "Exceeded ECM Retransmit": "With Error Correction Mode, too much of the page had to be "
    "sent again; the call was ended to try again for a better connection.",
    "General Error": "An uncommon error stopped the transmission.",
    "Invalid Fax Number": "The number is not a complete fax number (area code, and country "
    "code for an international fax).",
    "Job Cancelled": "The job was cancelled, or its time for delivery ran out before it "
    "could be sent.",
    "No Free Channel": "All of the platform's lines were in use.",
}


def error_meaning(name: str) -> str:
    """What the guide's error ``name`` means ("" when it is not one of them)."""
    return ERROR_MEANINGS.get(name, "")
