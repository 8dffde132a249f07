"""The Email to Fax Delivery Notification of an outbound job.

When a job submitted by email (``source`` email, ``reply_to`` set) ends (``success``, or
``failed``/``cancelled``: a failure, named by the guide's error), its sender is told at the
address the email came from, per their effective Notifications tab (Delivery Notification
Success / Failure). :func:`job_notify` runs inside the transaction that changed the job's
status (``faxing/jobs/followups.py``) and writes the message to the notification log in it;
the log's worker sends it after commit, with its retries.

No PHI by default: the message names the job, the recipient's number, the pages, the time
(in the sender's Custom tab format), on failure the error and what to do, and links to the
job's portal page (which asks for a sign-in). Neither the document nor its cover text. A
company that opts in (its Notifications tab, ``attach_document``) gets the fax attached as a
PDF: the attachment refers to the stored TIFF-F image and the notification log converts it
when it sends the message, outside any transaction (the documents sandbox refuses to run in
one). See ``docs/decisions/0031-fax-notifications.md``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from faxline.accounts.preferences import complete, format_moment
from faxline.accounts.selectors import effective_settings
from faxline.faxing.models import FaxImageFile, FaxJob, FaxJobSource, FaxJobStatus
from faxline.notify.services import RENDER_FAX_PDF, Attachment, attachments_fit, notify_email
from faxline.telephony.outcomes import ADVICE, T30_CODES, OutcomeName

KIND_SUCCESS = "fax.delivery_success"
KIND_FAILURE = "fax.delivery_failure"
JOB_CANCELLED = "Job Cancelled"
# A PDF that embeds the pages' G4 data is about the size of the TIFF; this covers its frame.
PDF_OVERHEAD_BYTES = 64 * 1024

# What to do once the job has ended for good. The outcomes' advice speaks of the next
# attempt ("it is tried again") where a retry was planned; a final failure has none left.
FINAL_ACTIONS: dict[str, str] = {
    str(OutcomeName.BUSY): "The line stayed busy on every attempt. Send the fax again later, "
    "or check with the recipient that the number is a dedicated fax line.",
    str(OutcomeName.NEGOTIATION_FAILED): "The fax machines could not agree or train, often "
    "because of line quality. Send the fax again; if it keeps failing, ask the recipient "
    "to check their line.",
    str(OutcomeName.TRANSMISSION_FAILED): "The line failed during the transfer on every "
    "attempt. Send the fax again; the recipient's line may be shared with other devices "
    "or of poor quality.",
    str(OutcomeName.EXCEEDED_ECM_RETRANSMIT): "Too much of the page had to be sent again on "
    "a poor line. Send the fax again later, for a better connection.",
    str(OutcomeName.NO_FREE_CHANNEL): "All of the platform's lines stayed in use. Send the "
    "fax again; if it persists, contact your fax service provider's support team.",
    JOB_CANCELLED: "The job was cancelled or its time for delivery expired before the fax "
    "could be sent. Send it again if it is still needed.",
}


def job_notify(job: FaxJob, *, from_status: str, to_status: str) -> None:
    """Tell the sender of an email-to-fax job its outcome, per their Notifications tab."""
    if job.source != FaxJobSource.EMAIL or not job.reply_to:
        return
    if to_status not in (FaxJobStatus.SUCCESS, FaxJobStatus.FAILED, FaxJobStatus.CANCELLED):
        return
    tabs = _settings_of(job)
    success = to_status == FaxJobStatus.SUCCESS
    if not tabs["notifications"]["delivery_success" if success else "delivery_failure"]:
        return
    wanted = _attach_document(job)
    attachment = _attachment(job) if wanted else None
    subject, body = delivery_text(
        job,
        success=success,
        moment=format_moment(job.completed_at or job.status_changed_at, tabs["custom"]),
        link=job_link(job),
        attached=attachment is not None,
        attach_wanted=wanted,
    )
    notify_email(
        kind=KIND_SUCCESS if success else KIND_FAILURE,
        to=job.reply_to,
        subject=subject,
        body=body,
        company_id=job.company_id,
        related=f"Fax job {job.identifier}",
        attachments=[attachment] if attachment is not None else [],
    )


def job_link(job: FaxJob) -> str:
    """The job's page in the portal (which asks the reader to sign in)."""
    return settings.FAXLINE_PORTAL_URL.rstrip("/") + reverse("outbound:job", args=[job.identifier])


def failure_of(job: FaxJob) -> tuple[str, str]:
    """The guide's name of the job's failure and what the sender should do."""
    name = job.error or (
        JOB_CANCELLED if job.status == FaxJobStatus.CANCELLED else str(OutcomeName.GENERAL_ERROR)
    )
    if name in FINAL_ACTIONS:
        return name, FINAL_ACTIONS[name]
    known = T30_CODES.get(job.error_code) if job.error_code is not None else None
    if known is not None and known.name == name:
        return name, known.advice.action
    try:
        return name, ADVICE[OutcomeName(name)].action
    except ValueError:
        return name, ADVICE[OutcomeName.GENERAL_ERROR].action


def delivery_text(
    job: FaxJob,
    *,
    success: bool,
    moment: str,
    link: str,
    attached: bool,
    attach_wanted: bool = False,
) -> tuple[str, str]:
    """Subject and body: numbers, pages, time and the outcome only (no document content)."""
    pages = f"{job.pages} page" + ("" if job.pages == 1 else "s")
    if success:
        subject = f"Fax delivered: {job.identifier} to {job.to_number}"
        lines = [
            f"Your fax {job.identifier} to {job.to_number} ({pages}) was delivered on {moment}."
        ]
    else:
        error, action = failure_of(job)
        subject = f"Fax not delivered: {job.identifier} to {job.to_number} ({error})"
        lines = [
            f"Your fax {job.identifier} to {job.to_number} ({pages}) could not be delivered. "
            f"It ended on {moment}.",
            f"Error: {error}\nWhat to do: {action}",
        ]
    lines.append(f"Details in the portal (sign in to open them): {link}")
    if attached:
        lines.append("The fax is attached as a PDF.")
    elif attach_wanted:
        lines.append("The fax is too large to attach: open it in the portal.")
    lines.append(f"Job: {job.identifier}. Sent from {job.from_number}.")
    return subject, "\n\n".join(lines) + "\n"


def _settings_of(job: FaxJob) -> dict[str, Any]:
    """The sender's effective settings (the company's when the sender is gone)."""
    if job.sender is not None:
        return effective_settings(job.sender)
    return complete(job.company.settings or {})


def _attach_document(job: FaxJob) -> bool:
    """The company's opt-in (its own Notifications tab: the company decides for all)."""
    tab = complete(job.company.settings or {}, ("notifications",))["notifications"]
    return bool(tab.get("attach_document", False))


def _attachment(job: FaxJob) -> Attachment | None:
    """The fax as sent (with its header line) when an attempt sent it, else the image the
    job was to send; None when it would not fit a message (the link alone goes)."""
    attempt = (
        job.attempts.filter(sent_image__isnull=False)
        .select_related("sent_image")
        .order_by("-number")
        .first()
    )
    image: FaxImageFile = (
        attempt.sent_image if attempt is not None and attempt.sent_image else job.image
    )
    size = image.size + PDF_OVERHEAD_BYTES
    if not attachments_fit([size]):
        return None
    return Attachment(
        name=f"fax-{job.identifier}.pdf",
        content_type="application/pdf",
        vault_name=image.vault_name,
        size=size,
        render=RENDER_FAX_PDF,
    )
