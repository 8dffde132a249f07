"""The SMTP gateway's work: keep what was received, then turn it into fax jobs.

Zulip's email mirror pattern (DESIGN.md convention 5, decision 0030):

1. The SMTP server refuses at RCPT what is plainly wrong (:func:`recipient_number`: not our
   domain, not a fax number). At the end of DATA, :func:`message_receive` stores the raw
   message in the vault, encrypted, and writes its :class:`GatewayMessage` row, ``received``,
   **before** the server answers 250; the processing task is nudged after commit. A retried
   delivery of the same Message-ID from the same envelope sender finds the row and stores
   nothing new.
2. The task worker (:func:`message_process`) claims the row (compare-and-set ``received`` →
   ``processing``) and makes the authoritative checks: the sender (the From address, else the
   envelope's) is the registered sending email of one active, unlocked user; SPF when the
   user's effective Fax tab requires it; DKIM when it requires that. It reads the
   attachments and the body (``gateway/intake.py``), converts them outside any transaction
   (``fax_preview``), then in **one** transaction, under the row's lock and only if the claim
   is still its own, accepts the fax (``fax_send`` with the prepared images: one job per
   recipient), marks the message ``done`` and writes the Email to Fax Initial Notification
   (Success). So a crash anywhere makes either everything or nothing, and a second run finds
   the message done: never a second job.
3. A refusal marks the message ``refused`` with the guide's error name and tells the sender
   (Initial Notification (Failure)), per their Notifications tab. The gateway is no spam
   cannon: an unregistered address is told "Unauthorized Sending Address" at most
   :data:`REFUSAL_NOTICES_PER_HOUR` times in any hour, and all of them together at most
   ``FAXLINE_GATEWAY_REFUSAL_NOTICES_PER_HOUR_TOTAL`` times; a null sender, an automatic
   reply or bounce, and an address of faxline's own are never told (:func:`_withheld`).
   Why a notice was not sent is kept on the row (``notice_withheld``).
4. :func:`gateway_sweep` (periodic) takes back the claims of workers that died, nudges what a
   lost nudge left behind, and deletes raw messages past their retention.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.preferences import CoverpageMode
from faxline.accounts.selectors import effective_settings
from faxline.core.aftercommit import enqueue_after_commit, enqueue_now, renudge_lost
from faxline.core.backoff import Backoff
from faxline.core.errors import DomainError, NotFound, ValidationFailed
from faxline.core.phone import fax_number_e164
from faxline.core.vault import vault_delete, vault_read, vault_store
from faxline.faxing.jobs.send import MAX_RECIPIENTS, Attachment, CoverRequest, fax_preview, fax_send
from faxline.faxing.models import FaxJobSource
from faxline.gateway import dkimcheck, spf
from faxline.gateway.choices import MessageStatus, NoticeWithheld
from faxline.gateway.intake import ReadEmail, UnreadableMessage, header_message_id, read_email
from faxline.gateway.models import GatewayMessage, RefusalNoticeWindow
from faxline.gateway.resolver import Dns, TemporaryDnsError
from faxline.notify.services import notify_email, render_email

log = logging.getLogger(__name__)

VAULT_PURPOSE = "gateway"
# Five runs over about forty minutes (1, 3, 9, 27 minutes apart) for what may pass later
# (the DNS did not answer, the worker met an unexpected error); then "General Error".
RETRY = Backoff(first=timedelta(minutes=1), factor=3, cap=timedelta(hours=1), max_attempts=5)
# A claim older than this belongs to a worker that died: converting a message's documents is
# bounded by the documents sandbox's limits, well within it.
STALE_CLAIM = timedelta(minutes=15)
LOST_NUDGE = timedelta(minutes=2)
SWEEP_LIMIT = 200
# Notices to one unregistered address in any hour: counted over the current and the previous
# clock hour together, so that the top of the hour does not double it.
REFUSAL_NOTICES_PER_HOUR = 3
HOUR = timedelta(hours=1)
ON_DEMAND_PREFIX = "cover:"
MAX_DETAIL = 1000


# --- RCPT: what is refused at once ------------------------------------------------------


@dataclass(frozen=True)
class RecipientRefused(Exception):
    """A recipient refused at RCPT time, with its SMTP reply."""

    reply: str


def fax_domain() -> str:
    return str(settings.FAXLINE_FAX_DOMAIN).lower().rstrip(".")


def recipient_number(address: str) -> str:
    """The fax number (E.164) of ``<number>@<fax domain>``: digits with or without the
    leading 1 or +1, dashes and dots tolerated. Raises :class:`RecipientRefused` with the
    SMTP reply for another domain (550 5.7.1, no relaying) or a malformed number (553
    5.1.3)."""
    local, at, domain = address.strip().rpartition("@")
    if not at or domain.lower().rstrip(".") != fax_domain():
        raise RecipientRefused(
            f"550 5.7.1 Relaying denied: this gateway accepts mail for "
            f"<fax number>@{fax_domain()} only"
        )
    if not local or any(ch not in "0123456789+-." for ch in local) or "+" in local[1:]:
        raise RecipientRefused(
            f"553 5.1.3 {local[:40]!r} is not a fax number: write <number>@{fax_domain()}, "
            "e.g. 12125550100@" + fax_domain()
        )
    try:
        return fax_number_e164(local.replace(".", "-"), field="to")
    except ValidationFailed as exc:
        raise RecipientRefused(f"553 5.1.3 Invalid Fax Number: {exc.message}") from exc


# --- DATA: keep the message before the 250 -----------------------------------------------


def _nudge_after_commit(message_pk: int) -> None:
    from faxline.gateway.tasks import process  # tasks.py imports this module

    enqueue_after_commit(process, message_pk)


def _nudge_now(message_pk: int) -> bool:
    from faxline.gateway.tasks import process

    return enqueue_now(process, message_pk)


def _nudge_at(message_pk: int, when: datetime) -> bool:
    from faxline.gateway.tasks import process

    return enqueue_now(process.using(run_after=when), message_pk)


def envelope_sender(mail_from: str | None) -> str:
    """The envelope sender as kept: "" for the null sender (``MAIL FROM:<>``, which
    aiosmtpd hands over as ``"<>"``), the address without angle brackets otherwise."""
    address = (mail_from or "").strip()
    if address.startswith("<") and address.endswith(">"):
        address = address[1:-1].strip()
    return address


def message_receive(
    *,
    content: bytes,
    mail_from: str,
    recipients: list[str],
    peer_ip: str | None = None,
    helo: str = "",
) -> GatewayMessage:
    """Keep a message the SMTP server is about to answer 250 to: the raw message in the vault
    (encrypted) and its row, ``received``; the processing task is nudged after commit.
    ``recipients`` are E.164 numbers (from :func:`recipient_number`). The same Message-ID
    from the same envelope sender again returns the first row and keeps nothing new.
    Raises only when nothing could be kept (the server then answers 451: try again)."""
    message_id = header_message_id(content)
    mail_from = envelope_sender(mail_from)
    key = mail_from.lower()[:254]
    if message_id:
        found = GatewayMessage.objects.filter(mail_from_key=key, message_id=message_id).first()
        if found is not None:
            return found
    stored = vault_store(content, purpose=VAULT_PURPOSE)
    try:
        with transaction.atomic():
            row = GatewayMessage.objects.create(
                peer_ip=peer_ip or None,
                helo=(helo or "")[:255],
                mail_from=mail_from[:254],
                mail_from_key=key,
                recipients=list(dict.fromkeys(recipients)),
                message_id=message_id,
                size=len(content),
                raw_vault_name=stored.name,
                raw_sha256=stored.sha256,
                next_attempt_at=timezone.now(),
            )
            _nudge_after_commit(row.pk)
    except IntegrityError:
        # The same message, kept meanwhile by another connection of the same delivery.
        vault_delete(stored.name)
        return GatewayMessage.objects.get(mail_from_key=key, message_id=message_id)
    except BaseException:
        vault_delete(stored.name)
        raise
    return row


# --- the outcome catalog -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A refusal as the sender is told: the guide's error name and what to do."""

    name: str
    advice: str


OUTCOMES: dict[str, Outcome] = {
    "unauthorized_sender": Outcome(
        "Unauthorized Sending Address",
        "The email address from which this email-to-fax request was sent is not registered. "
        "The origin email address must be added as a valid sender (the user's Sending email "
        "address) in the web portal. Please sign in to the portal to add the email address, "
        "or ask your administrator.",
    ),
    "no_attachment": Outcome(
        "No Attachment",
        "There was no document attached to the fax request. Attach the document you wish to "
        "fax in an accepted format, such as .DOC or .PDF, and send it again.",
    ),
    "invalid_attachment": Outcome(
        "Invalid Attachment",
        "An attachment is not one of the accepted file types (TIFF black and white, TXT, "
        "RTF, DOC/DOCX, XLS/XLSX, PPT/PPTX, PDF, VSD, JPG, GIF, PNG) or could not be read. "
        "Convert the document into a supported format and send it again.",
    ),
    "invalid_fax_number": Outcome(
        "Invalid Fax Number",
        "Address the fax with the full fax number, including the area code (and the country "
        "code for an international fax), e.g. 12125550100@<fax domain>, and send it again.",
    ),
    "number_blocked": Outcome(
        "Number Blocked",
        "A recipient is on your company's Outbound Number Blocking list: faxes to it are not "
        "sent. Ask your administrator if you believe this is wrong.",
    ),
    "insufficient_credits": Outcome(
        "Insufficient Credits",
        "Your company does not have enough fax credits left for this fax. Ask your "
        "administrator to add credits, then send it again.",
    ),
    "no_fax_number": Outcome(
        "No Fax Number",
        "Your user account has no fax number to send from. Ask your administrator to assign "
        "one, then send it again.",
    ),
    "spf_failed": Outcome(
        "SPF Check Failed",
        "Your account requires an SPF record check (Require SPF Record), and the server that "
        "sent this email is not authorized by the SPF record of your email domain. Send from "
        "your organization's mail server, or ask your IT department to fix the SPF record.",
    ),
    "dkim_failed": Outcome(
        "DKIM Check Failed",
        "Your company requires a valid DKIM signature of your email domain on email-to-fax "
        "requests, and this email did not carry one. Send from your organization's mail "
        "server, or ask your IT department to sign outgoing mail.",
    ),
    "general_error": Outcome(
        "General Error",
        "An uncommon error kept the fax request from being accepted. Please send it again; "
        "if the same error comes back, contact support.",
    ),
}
# Refusals of fax_send by code, in the catalog's words.
SEND_CODES = {
    "no_attachment": "no_attachment",
    "invalid_attachment": "invalid_attachment",
    "invalid_fax_number": "invalid_fax_number",
    "number_blocked": "number_blocked",
    "insufficient_credits": "insufficient_credits",
    "no_fax_number": "no_fax_number",
    "user_locked": "unauthorized_sender",
    "user_inactive": "unauthorized_sender",
    "not_a_sender": "unauthorized_sender",
    "read_only": "unauthorized_sender",
}


class Refusal(Exception):
    """The message is refused: no job. ``detail`` is kept on the row (administrators read
    it), never sent to the sender."""

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        notify_to: str = "",
        user: User | None = None,
        withheld: str = "",
    ):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.notify_to = notify_to
        self.user = user
        # Why the sender must not be told, when that is known where the refusal is raised.
        self.withheld = withheld


class TryLater(Exception):
    """Something that may pass later (the DNS did not answer): run again with backoff."""


# --- processing ------------------------------------------------------------------------------


def _claim(message_pk: int, now: datetime) -> bool:
    return bool(
        GatewayMessage.objects.filter(pk=message_pk, status=MessageStatus.RECEIVED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=MessageStatus.PROCESSING, claimed_at=now, attempts=F("attempts") + 1)
    )


def message_process(*, message_id: int) -> GatewayMessage | None:
    """Turn one received message into fax jobs, or refuse it; idempotent (a message that is
    not ``received`` and due is left alone and None returned). Runs in the task worker,
    outside any transaction."""
    now = timezone.now()
    if not _claim(message_id, now):
        return None
    message = GatewayMessage.objects.get(pk=message_id)
    try:
        _process(message, claim=now)
    except Refusal as refusal:
        _refuse(message, claim=now, refusal=refusal)
    except TryLater as later:
        _try_later(message, claim=now, reason=str(later))
    except Exception as exc:  # a bug or a crash of a helper: tried again, then General Error
        log.exception("gateway message %s: processing failed", message.pk)
        _try_later(message, claim=now, reason=f"{type(exc).__name__}: {exc}")
    message.refresh_from_db()
    return message


def _domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower().rstrip(".")


def _sender(address: str) -> User:
    """The one active, unlocked fax user whose Sending email address is ``address``."""
    if not address:
        raise Refusal("unauthorized_sender", "The email has no sender address.")
    found = list(
        User.objects.filter(
            sending_email__iexact=address,
            is_active=True,
            is_locked=False,
            deleted_at__isnull=True,
            company__isnull=False,
        ).select_related("company", "department")[:2]
    )
    if not found:
        raise Refusal(
            "unauthorized_sender",
            f"{address} is not the sending email address of an active, unlocked user.",
            notify_to=address,
        )
    if len(found) > 1:
        raise Refusal(
            "unauthorized_sender",
            f"{address} is the sending email address of more than one user: an administrator "
            "must keep it on one.",
            notify_to=address,
        )
    return found[0]


def _check_spf(message: GatewayMessage, *, sender: str, user: User, dns: Dns) -> None:
    """Refuse unless the client passes SPF for the envelope sender's domain, which must be
    the From address's domain or related to it (parent or child)."""
    mail_from = envelope_sender(message.mail_from)
    envelope_domain = _domain_of(mail_from) if mail_from else ""
    domain = envelope_domain or message.helo.lower()
    from_domain = _domain_of(sender)
    if not (dkimcheck.aligned(domain, from_domain) or dkimcheck.aligned(from_domain, domain)):
        raise Refusal(
            "spf_failed",
            f"SPF: the envelope sender's domain {domain!r} is not the From address's "
            f"domain {from_domain!r}.",
            notify_to=sender,
            user=user,
        )
    outcome = spf.check_host(message.peer_ip or "", domain, dns=dns)
    GatewayMessage.objects.filter(pk=message.pk).update(spf_result=str(outcome.result))
    if outcome.result == spf.SpfResult.TEMPERROR:
        raise TryLater(f"SPF: {outcome.reason}")
    if outcome.result != spf.SpfResult.PASS:
        raise Refusal(
            "spf_failed",
            f"SPF {outcome.result} for {domain} from {message.peer_ip}: {outcome.reason}",
            notify_to=sender,
            user=user,
        )


def _cover(mode: str, subject: str, body: str) -> CoverRequest:
    """The cover page an email asks for under the sender's Coverpage mode: the body is the
    comments and the subject the subject; "On Demand" asks with a subject starting with
    ``Cover:`` (removed from the cover's subject)."""
    requested: bool | None = None
    if mode == CoverpageMode.ON_DEMAND:
        requested = subject.lower().startswith(ON_DEMAND_PREFIX)
        if requested:
            subject = subject[len(ON_DEMAND_PREFIX) :].strip()
    return CoverRequest(requested=requested, subject=subject, comments=body, email_body=body)


def _process(message: GatewayMessage, *, claim: datetime) -> None:
    try:
        raw = vault_read(message.raw_vault_name)
    except NotFound as exc:
        raise Refusal("general_error", "The stored message is gone (past its retention).") from exc
    try:
        email = read_email(raw)
    except UnreadableMessage as exc:
        # Who sent it is not known (the sender is checked after reading): nobody is told.
        raise Refusal("general_error", str(exc)) from exc
    # A bounce or an automatic reply: never answered, or two robots would write to each
    # other for ever (RFC 3834).
    if not envelope_sender(message.mail_from):
        raise Refusal(
            "unauthorized_sender",
            "A bounce (null envelope sender): not answered.",
            withheld=NoticeWithheld.NULL_SENDER,
        )
    if email.auto_submitted:
        raise Refusal(
            "unauthorized_sender",
            "An automatic reply (Auto-Submitted): not answered.",
            withheld=NoticeWithheld.AUTOMATIC,
        )
    try:
        _decide(message, email=email, raw=raw, claim=claim)
    except Refusal as refusal:
        if email.no_reply and not refusal.withheld:
            refusal.withheld = NoticeWithheld.AUTOMATIC
        raise


def _decide(message: GatewayMessage, *, email: ReadEmail, raw: bytes, claim: datetime) -> None:
    """The sender, SPF, DKIM, the documents, then the jobs, in one transaction."""
    sender = email.from_address or envelope_sender(message.mail_from)
    user = _sender(sender)
    GatewayMessage.objects.filter(pk=message.pk).update(
        sender_address=sender[:254], user=user, company=user.company
    )
    preferences = effective_settings(user)
    dns: Dns | None = None
    if preferences["fax"].get("require_spf"):
        dns = dns or Dns()
        try:
            _check_spf(message, sender=sender, user=user, dns=dns)
        except TemporaryDnsError as exc:
            raise TryLater(f"SPF: {exc}") from exc
    if preferences["fax"].get("require_dkim"):
        dns = dns or Dns()
        outcome = dkimcheck.verify(raw, sender_domain=_domain_of(sender), dns=dns)
        GatewayMessage.objects.filter(pk=message.pk).update(dkim_result=outcome.result)
        if outcome.result != "pass":
            raise Refusal(
                "dkim_failed",
                f"DKIM {outcome.result}: {outcome.reason}",
                notify_to=sender,
                user=user,
            )
    if not email.documents and not email.body:
        raise Refusal(
            "no_attachment", "The email has no attachment and no body.", notify_to=sender, user=user
        )
    if len(message.recipients) > MAX_RECIPIENTS:
        raise Refusal(
            "invalid_fax_number",
            f"More than {MAX_RECIPIENTS} recipients.",
            notify_to=sender,
            user=user,
        )
    actor = Actor(user=user, ip_address=message.peer_ip)
    files = [Attachment(d.data, d.filename) for d in email.documents]
    cover = _cover(preferences["coverpage"]["mode"], email.subject, email.body)
    try:
        prepared = fax_preview(actor=actor, to=message.recipients, files=files, cover=cover)
        with transaction.atomic():
            mine = (
                GatewayMessage.objects.select_for_update()
                .filter(pk=message.pk, status=MessageStatus.PROCESSING, claimed_at=claim)
                .first()
            )
            if mine is None:
                return  # the sweep took the claim back meanwhile: the next run decides
            jobs = fax_send(
                actor=actor,
                to=message.recipients,
                files=[],
                cover=cover,
                prepared=prepared,
                source=FaxJobSource.EMAIL,
                reply_to=sender[:254],
            )
            identifiers = [job.identifier for job in jobs]
            GatewayMessage.objects.filter(pk=message.pk).update(
                status=MessageStatus.DONE,
                outcome_code="accepted",
                outcome_name="",
                outcome_detail=f"{len(jobs)} fax job(s) accepted.",
                job_identifiers=identifiers,
                claimed_at=None,
                next_attempt_at=None,
                finished_at=timezone.now(),
            )
            if effective_settings(user)["notifications"].get("initial_success", True):
                _notify_success(user, sender, jobs=[(j.identifier, j.to_number) for j in jobs])
                GatewayMessage.objects.filter(pk=message.pk).update(notified=True)
            else:
                GatewayMessage.objects.filter(pk=message.pk).update(
                    notice_withheld=NoticeWithheld.SETTINGS
                )
    except DomainError as exc:
        code = SEND_CODES.get(exc.code, "general_error")
        raise Refusal(code, f"{exc.code}: {exc.message}", notify_to=sender, user=user) from exc


# --- outcomes ----------------------------------------------------------------------------------


def _portal(path: str) -> str:
    return f"{str(settings.FAXLINE_PORTAL_URL).rstrip('/')}{path}"


def _notify_success(user: User, address: str, *, jobs: list[tuple[str, str]]) -> None:
    subject, body = render_email(
        "gateway/email/initial_success.txt",
        {"jobs": jobs, "portal_url": _portal("/faxes/sent/"), "provider": _provider()},
    )
    notify_email(
        kind="gateway.initial_success",
        to=address,
        subject=subject,
        body=body,
        company_id=user.company_id,
        related=", ".join(identifier for identifier, _ in jobs),
    )


def _provider() -> str:
    return str(getattr(settings, "FAXLINE_PROVIDER_NAME", "faxline"))


def _notify_failure(*, address: str, code: str, user: User | None, recipients: list[str]) -> None:
    outcome = OUTCOMES[code]
    subject, body = render_email(
        "gateway/email/initial_failure.txt",
        {
            "error": outcome.name,
            "advice": outcome.advice.replace("<fax domain>", fax_domain()),
            "recipients": recipients,
            "portal_url": _portal("/"),
            "provider": _provider(),
        },
    )
    notify_email(
        kind="gateway.initial_failure",
        to=address,
        subject=subject,
        body=body,
        company_id=user.company_id if user is not None else None,
        related=outcome.name,
    )


def _window_start(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


class _OverLimit(Exception):
    """Undoes the per-address count when the platform-wide cap refuses (a savepoint)."""


def _take_notice(key: str, limit: int, now: datetime) -> bool:
    """Count one notice under ``key`` if fewer than ``limit`` went out in the current and
    the previous clock hour together (so never more than ``limit`` in any 60 minutes, the
    top of the hour included). The previous hour's row no longer moves: the room left in
    this hour's row is fixed, and the compare-and-set on it (``sent < room``) holds the
    limit across processes and machines."""
    start = _window_start(now)
    before = (
        RefusalNoticeWindow.objects.filter(address=key, window_start=start - HOUR)
        .values_list("sent", flat=True)
        .first()
    ) or 0
    room = limit - before
    if room <= 0:
        return False
    window, _ = RefusalNoticeWindow.objects.get_or_create(address=key, window_start=start)
    return bool(
        RefusalNoticeWindow.objects.filter(pk=window.pk, sent__lt=room).update(sent=F("sent") + 1)
    )


def _take_unregistered_notice(address: str, now: datetime) -> str:
    """Count one "Unauthorized Sending Address" notice to ``address``: "" when it may go,
    else why not (this address's limit, then the platform-wide one). The platform-wide
    count is only spent once the address's own limit allowed it, and a refusal of the
    platform-wide cap gives the address's count back: one noisy address cannot use up
    what every other address may get."""
    key = address.strip().lower()[:254]
    try:
        with transaction.atomic():
            if not _take_notice(key, REFUSAL_NOTICES_PER_HOUR, now):
                return NoticeWithheld.ADDRESS_LIMIT
            total = int(settings.FAXLINE_GATEWAY_REFUSAL_NOTICES_PER_HOUR_TOTAL)
            if not _take_notice(RefusalNoticeWindow.ALL_UNREGISTERED, total, now):
                raise _OverLimit
    except _OverLimit:
        return NoticeWithheld.PLATFORM_LIMIT
    return ""


def _ours(address: str) -> bool:
    """An address of faxline's own: in the fax domain (or below it), or the address the
    notifications come from. Writing to it would send faxline mail to itself."""
    domain = _domain_of(address)
    fax = fax_domain()
    own_from = str(getattr(settings, "DEFAULT_FROM_EMAIL", "") or "").strip().lower()
    _name, own = parseaddr(own_from)
    return domain == fax or domain.endswith("." + fax) or address.strip().lower() == own


def _withheld(message: GatewayMessage, refusal: Refusal, now: datetime) -> str:
    """Why the sender of a refused message is not told ("": tell them). The rules that
    never allow a notice come first, so that they spend no count."""
    if refusal.withheld:
        return refusal.withheld
    if not envelope_sender(message.mail_from):
        return NoticeWithheld.NULL_SENDER
    address = refusal.notify_to
    if "@" not in address or not _domain_of(address):
        return NoticeWithheld.NO_DOMAIN
    if _ours(address):
        return NoticeWithheld.OWN_DOMAIN
    if refusal.user is not None:
        wanted = effective_settings(refusal.user)["notifications"].get("initial_failure", True)
        return "" if wanted else NoticeWithheld.SETTINGS
    return _take_unregistered_notice(address, now)


def _refuse(message: GatewayMessage, *, claim: datetime, refusal: Refusal) -> None:
    outcome = OUTCOMES[refusal.code]
    now = timezone.now()
    with transaction.atomic():
        done = GatewayMessage.objects.filter(
            pk=message.pk, status=MessageStatus.PROCESSING, claimed_at=claim
        ).update(
            status=MessageStatus.REFUSED,
            outcome_code=refusal.code,
            outcome_name=outcome.name,
            outcome_detail=refusal.detail[:MAX_DETAIL],
            claimed_at=None,
            next_attempt_at=None,
            finished_at=now,
        )
        if not done or not (refusal.notify_to or refusal.withheld):
            return
        withheld = _withheld(message, refusal, now)
        if withheld:
            GatewayMessage.objects.filter(pk=message.pk).update(notice_withheld=withheld)
            return
        _notify_failure(
            address=refusal.notify_to,
            code=refusal.code,
            user=refusal.user,
            recipients=list(message.recipients),
        )
        GatewayMessage.objects.filter(pk=message.pk).update(notified=True)


def _try_later(message: GatewayMessage, *, claim: datetime, reason: str) -> None:
    mine = GatewayMessage.objects.filter(
        pk=message.pk, status=MessageStatus.PROCESSING, claimed_at=claim
    )
    attempts = mine.values_list("attempts", flat=True).first()
    if attempts is None:
        return
    retry_at = RETRY.next_attempt(attempts, now=timezone.now())
    if retry_at is None:
        sender = message.sender_address or ""
        user = User.objects.filter(pk=message.user_id).first() if message.user_id else None
        _refuse(
            message,
            claim=claim,
            refusal=Refusal(
                "general_error",
                f"Gave up after {attempts} attempts. Last error: {reason}",
                notify_to=sender if user is not None else "",
                user=user,
            ),
        )
        return
    if mine.update(
        status=MessageStatus.RECEIVED,
        outcome_detail=f"Attempt {attempts} did not finish: {reason}"[:MAX_DETAIL],
        claimed_at=None,
        next_attempt_at=retry_at,
        nudged_at=None,
    ):
        _nudge_at(message.pk, retry_at)


# --- the sweep ---------------------------------------------------------------------------------


def gateway_sweep(*, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """The periodic sweep: every kept message gets its outcome, and raw messages do not
    outlive their retention.

    Takes back the claims of workers that died (``processing`` for longer than
    :data:`STALE_CLAIM`: received again, the attempt counted), nudges every due ``received``
    message whose nudge is older than :data:`LOST_NUDGE` (the process died between the 250 and
    the enqueue, the worker was down), deletes from the vault the raw messages of finished
    messages older than ``FAXLINE_GATEWAY_RETENTION_DAYS`` and the spent refusal-notice
    windows. Every change is a compare-and-set: safe in several processes at once."""
    now = timezone.now()
    counts = {"released": 0, "nudged": 0, "deleted": 0}
    stale = GatewayMessage.objects.filter(
        status=MessageStatus.PROCESSING, claimed_at__lt=now - STALE_CLAIM
    ).values_list("pk", "claimed_at")[:limit]
    for pk, claimed_at in list(stale):
        if GatewayMessage.objects.filter(
            pk=pk, status=MessageStatus.PROCESSING, claimed_at=claimed_at
        ).update(
            status=MessageStatus.RECEIVED,
            claimed_at=None,
            next_attempt_at=None,
            nudged_at=now,
            outcome_detail="The worker stopped while processing (no outcome was recorded).",
        ):
            counts["released"] += 1
            counts["nudged"] += int(_nudge_now(pk))
    overdue = now - LOST_NUDGE
    counts["nudged"] += renudge_lost(
        GatewayMessage.objects.filter(
            status=MessageStatus.RECEIVED, received_at__lt=overdue
        ).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)),
        overdue=overdue,
        now=now,
        nudge=_nudge_now,
        order_by="received_at",
        limit=limit,
    )
    cutoff = now - timedelta(days=int(settings.FAXLINE_GATEWAY_RETENTION_DAYS))
    expired = list(
        GatewayMessage.objects.filter(
            status__in=[MessageStatus.DONE, MessageStatus.REFUSED],
            received_at__lt=cutoff,
            raw_deleted_at__isnull=True,
        ).values_list("pk", "raw_vault_name")[:limit]
    )
    for pk, name in expired:
        if name:
            vault_delete(name)
        counts["deleted"] += GatewayMessage.objects.filter(
            pk=pk, raw_deleted_at__isnull=True
        ).update(raw_deleted_at=now, raw_vault_name="")
    RefusalNoticeWindow.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
    return counts
