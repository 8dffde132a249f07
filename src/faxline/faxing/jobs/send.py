"""Accepting a fax: the checks, the images, one job per recipient.

:func:`fax_send` checks everything before it writes anything, in this order, each refusal
with its own code and field:

1. the sender may send (``faxing.access.may_send_fax``: active, unlocked, a company's user
   with a fax number of their own; 403 ``user_locked``, ``no_fax_number``...);
2. every recipient is a valid number (422 ``invalid_fax_number``, field ``to``: the guide's
   "Invalid Fax Number") and not on the company's Outbound Number Blocking list (422
   ``number_blocked``, field ``to``);
3. ``send_at`` is not too far ahead (422, field ``send_at``);
4. the documents convert (outside any transaction, in the documents sandbox): several files
   are joined in order, the cover page is prepended per the sender's effective Coverpage
   mode; no file and no cover is the guide's "No Attachment" (422 ``no_attachment``); a
   refused file is "Invalid Attachment" (422 ``invalid_attachment``, field ``file``);
5. the credits suffice: they are **reserved at acceptance** (one ledger charge per job,
   domestic or international rate) and given back if the job fails or is cancelled; a
   shortfall is 409 ``insufficient_credits`` and no job is created.

Then one short transaction creates the jobs (and charges), and the dispatcher is nudged
after commit. A refusal writes nothing but the content-addressed fax images already stored
(shared, deduplicated, harmless).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.selectors import number_is_blocked
from faxline.core.errors import ValidationFailed
from faxline.documents.faximage import (
    FaxImage,
    Resolution,
    convert_to_fax,
    join_fax_images,
    no_attachment,
)
from faxline.faxing import credits
from faxline.faxing.access import may_send_fax
from faxline.faxing.coverpages import Recipient, build_cover, sender_wants_cover
from faxline.faxing.images import fax_image_store
from faxline.faxing.jobs import wakeup
from faxline.faxing.jobs.state import job_create
from faxline.faxing.models import FaxImageFile, FaxJob, FaxJobSource
from faxline.numbers.choices import IN_INVENTORY
from faxline.numbers.models import FaxNumber
from faxline.telephony.transport import normalized_number

MAX_RECIPIENTS = 50
MAX_SCHEDULE_AHEAD = timedelta(days=30)
# HylaFAX's default kill time: a job not sent within this long after its send time fails
# as "Job Cancelled".
DEFAULT_KILL_AFTER = timedelta(hours=3)


@dataclass(frozen=True)
class Attachment:
    """A file to fax, as the sender gave it."""

    data: bytes
    filename: str = ""


@dataclass(frozen=True)
class CoverRequest:
    """What the sender says about the cover page: ``requested`` (None: not said; the
    effective Coverpage mode decides), and the fields it shows. ``email_body`` is the body
    text of an email-to-fax submission (None: not an email): the "With Body Text" mode adds
    a cover only when it has text."""

    requested: bool | None = None
    to_name: str = ""
    to_company: str = ""
    subject: str = ""
    comments: str = ""
    email_body: str | None = None


def is_international(number: str) -> bool:
    """Outside North America (the dearer page rate)."""
    return not number.startswith("+1")


def recipients_checked(actor: Actor, raw: Sequence[str]) -> list[str]:
    """The recipients as E.164 numbers, in order and without repeats; refused naming
    ``to``."""
    if not raw:
        raise ValidationFailed(
            "Give at least one fax number to send to.", code="invalid_fax_number", field="to"
        )
    if len(raw) > MAX_RECIPIENTS:
        raise ValidationFailed(
            f"A fax goes to at most {MAX_RECIPIENTS} numbers at once.", field="to"
        )
    numbers: list[str] = []
    for value in raw:
        try:
            number = normalized_number(value, field_name="to")
        except ValidationFailed as exc:
            raise ValidationFailed(
                f"Invalid Fax Number: {exc.message}", code="invalid_fax_number", field="to"
            ) from exc
        company = actor.user.company
        assert company is not None
        if number_is_blocked(company, number):
            raise ValidationFailed(
                f"{number} is on your company's Outbound Number Blocking list: faxes to it "
                "are not sent.",
                code="number_blocked",
                field="to",
            )
        if number not in numbers:
            numbers.append(number)
    return numbers


def sender_numbers(user_id: int) -> list[str]:
    """The numbers a user's faxes go out from, the one marked "Use for outbound" first."""
    return list(
        FaxNumber.objects.filter(user_id=user_id, status__in=IN_INVENTORY)
        .order_by("-outbound", "number")
        .values_list("number", flat=True)
    )


def _send_time(send_at: datetime | None, now: datetime) -> datetime:
    if send_at is None or send_at <= now:
        return now
    if timezone.is_naive(send_at):
        raise ValidationFailed("send_at needs a time zone (e.g. Z or +00:00).", field="send_at")
    if send_at - now > MAX_SCHEDULE_AHEAD:
        raise ValidationFailed(
            f"A fax can be scheduled at most {MAX_SCHEDULE_AHEAD.days} days ahead.",
            field="send_at",
        )
    return send_at


def _converted(files: Sequence[Attachment], resolution: str) -> FaxImage | None:
    images: list[FaxImage] = []
    for file in files:
        try:
            images.append(convert_to_fax(file.data, filename=file.filename, resolution=resolution))
        except ValidationFailed as exc:
            exc.field = "file"  # the name the sender gave it (the API's form field)
            raise
    return join_fax_images(images) if images else None


@dataclass(frozen=True)
class PreparedFax:
    """The stored images of a fax, one per recipient (E.164), as :func:`fax_prepare`
    built them; ``cover``: they start with a cover page."""

    images: dict[str, FaxImageFile]
    cover: bool

    def first(self) -> FaxImageFile:
        return next(iter(self.images.values()))


def fax_prepare(
    *,
    sender: User,
    recipients: Sequence[str],
    files: Sequence[Attachment],
    cover: CoverRequest,
    resolution: Resolution | str,
    moment: datetime,
    from_fax: str,
) -> PreparedFax:
    """Convert and store the images of a fax (outside any transaction): the files joined
    in order once, and, when the sender's effective Coverpage mode (or ``cover``) adds a
    cover page, one image per recipient starting with its own cover. Refusals: "No
    Attachment" (``no_attachment``), "Invalid Attachment" (``invalid_attachment``, field
    ``file``)."""
    body = _converted(files, str(resolution))
    with_cover = sender_wants_cover(sender, requested=cover.requested, body_text=cover.email_body)
    if body is None and not with_cover:
        raise no_attachment()
    if not with_cover:
        assert body is not None
        stored_body = fax_image_store(body)
        return PreparedFax(dict.fromkeys(recipients, stored_body), False)
    images: dict[str, FaxImageFile] = {}
    for number in recipients:
        page = build_cover(
            sender=sender,
            recipient=Recipient(number, cover.to_name, cover.to_company),
            subject=cover.subject,
            comments=cover.comments,
            body_pages=body.pages if body is not None else 0,
            from_fax=from_fax,
            moment=moment,
        )
        cover_image = convert_to_fax(page.pdf, filename="cover.pdf", resolution=resolution)
        joined = join_fax_images([cover_image, body] if body is not None else [cover_image])
        images[number] = fax_image_store(joined)
    return PreparedFax(images, True)


def fax_preview(
    *,
    actor: Actor,
    to: Sequence[str],
    files: Sequence[Attachment],
    cover: CoverRequest | None = None,
    send_at: datetime | None = None,
    resolution: Resolution | str = Resolution.FINE,
) -> PreparedFax:
    """The images a :func:`fax_send` with these arguments would send, converted and stored
    (the same checks before, in the same order, but no job and no charge): pass the
    result back as ``prepared`` to send exactly them."""
    sender = actor.user
    numbers_of_sender = sender_numbers(sender.pk)
    may_send_fax(actor, has_number=bool(numbers_of_sender)).check()
    recipients = recipients_checked(actor, to)
    start = _send_time(send_at, timezone.now())
    return fax_prepare(
        sender=sender,
        recipients=recipients,
        files=files,
        cover=cover or CoverRequest(),
        resolution=resolution,
        moment=start,
        from_fax=numbers_of_sender[0],
    )


def fax_send(
    *,
    actor: Actor,
    to: Sequence[str],
    files: Sequence[Attachment],
    cover: CoverRequest | None = None,
    send_at: datetime | None = None,
    header: bool | None = None,
    resolution: Resolution | str = Resolution.FINE,
    kill_after: timedelta = DEFAULT_KILL_AFTER,
    resent_from: FaxJob | None = None,
    prepared: FaxImageFile | PreparedFax | None = None,
    source: FaxJobSource | str = FaxJobSource.API,
    reply_to: str = "",
    submitted_by: int | None = None,
) -> list[FaxJob]:
    """Accept a fax to every number of ``to``: one ``queued`` job per recipient. Call it
    outside a transaction (the conversion refuses to run in one). ``prepared`` sends
    already stored images as they are instead of ``files`` and ``cover``: one image for
    every recipient (a resend), or a :class:`PreparedFax` from :func:`fax_prepare` (a
    previewed fax: its recipients must be ``to``'s). ``source`` says how it was submitted,
    ``reply_to`` the email address told of the outcome (email to fax); ``submitted_by`` who
    submitted it when not the sender (an administrator's resend: the job's first event
    names them)."""
    sender = actor.user
    numbers_of_sender = sender_numbers(sender.pk)
    may_send_fax(actor, has_number=bool(numbers_of_sender)).check()
    company = sender.company
    assert company is not None
    recipients = recipients_checked(actor, to)
    now = timezone.now()
    start = _send_time(send_at, now)
    cover = cover or CoverRequest()

    # Images, outside any transaction: the body once, a cover per recipient.
    if isinstance(prepared, PreparedFax):
        if set(prepared.images) != set(recipients):
            raise ValidationFailed(
                "The recipients changed since the preview: preview the fax again.",
                code="preview_stale",
                field="to",
            )
        images, with_cover = dict(prepared.images), prepared.cover
    elif prepared is not None:
        images, with_cover = dict.fromkeys(recipients, prepared), False
    else:
        ready = fax_prepare(
            sender=sender,
            recipients=recipients,
            files=files,
            cover=cover,
            resolution=resolution,
            moment=start,
            from_fax=numbers_of_sender[0],
        )
        images, with_cover = dict(ready.images), ready.cover

    named = next((f.filename for f in files if f.filename), "")
    document_name = (named or (resent_from.document_name if resent_from else ""))[:255]
    jobs: list[FaxJob] = []
    with transaction.atomic():
        for number in recipients:
            image = images[number]
            international = is_international(number)
            job = job_create(
                actor_id=submitted_by or sender.pk,
                company=company,
                sender=sender,
                department_id=sender.department_id,
                from_number=numbers_of_sender[0],
                to_number=number,
                international=international,
                pages=image.pages,
                image=image,
                cover=with_cover,
                header=True if header is None else header,
                send_at=start,
                kill_at=start + kill_after,
                next_attempt_at=start,
                resent_from=resent_from,
                source=source,
                reply_to=reply_to,
                document_name=document_name,
            )
            entry = credits.credits_charge_outbound(
                company=company,
                pages=image.pages,
                international=international,
                reference=f"fax:{job.identifier}",
            )
            FaxJob.objects.filter(pk=job.pk).update(credits_charged=-entry.credits)
            job.credits_charged = -entry.credits
            jobs.append(job)
        transaction.on_commit(wakeup.nudge)
    return jobs
