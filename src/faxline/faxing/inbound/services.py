"""Writes of received faxes: reception, delivery, resubmit, delete, retention.

Reception (:func:`inbound_fax_receive`, the transport's inbound receiver) stores the image
encrypted in the vault and the row with its "Message received" event in one short
transaction before anything else: what was received is never lost. Delivery runs after
commit in the task worker (:func:`inbound_fax_deliver`): it claims the row with a
compare-and-set, converts the image to the recipient's files outside any transaction (in
the documents sandbox), then in one transaction records the outcome and queues one email
per receiving address through the notification service, which sends them with its retries.
A crash anywhere before that commit leaves the fax pending (or its claim stale) and the
periodic sweep (:func:`inbound_deliveries_resume`) nudges it again; after it, the emails
are the notification log's to send. Delivery is therefore at most once per round (a
resubmit starts a new round).

A fax to a number without a user, to a locked or deleted user, or to a user without any
receiving address, is kept and shown to the company's administrators (to the operators
when the number has no company) as undeliverable; it is never dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from faxline.accounts.access import Actor, SystemActor, actor_label, may_change_settings
from faxline.accounts.models import Company, User
from faxline.accounts.selectors import effective_settings
from faxline.core.aftercommit import enqueue_after_commit, enqueue_now, renudge_lost
from faxline.core.audit import audit_record
from faxline.core.errors import Conflict, NotFound, ValidationFailed
from faxline.core.vault import vault_delete, vault_read, vault_store
from faxline.documents.received import (
    DEFAULT_FILE_TYPE,
    DeliveredFile,
    Reception,
    check_file_type,
    received_files,
)
from faxline.faxing.credits import credits_charge_inbound
from faxline.faxing.inbound.access import may_act_on_inbound, may_resubmit_inbound
from faxline.faxing.inbound.followups import inbound_received
from faxline.faxing.inbound.models import (
    DEFAULT_RETENTION_DAYS,
    DeliveryStatus,
    EventKind,
    EventStatus,
    InboundEvent,
    InboundFax,
    InboundSettings,
    Undeliverable,
)
from faxline.faxing.tally.services import inbound_counted, inbound_forward_counted
from faxline.notify.services import Attachment, attachments_fit, notify_email
from faxline.numbers.selectors import number_route
from faxline.telephony.transport import ReceivedFax, fax_result_dict

log = logging.getLogger(__name__)

VAULT_PURPOSE = "inbound-fax"
FILES_PURPOSE = "inbound-file"
NOTIFICATION_KIND = "faxing.inbound"
# A claim older than this belongs to a worker that died while converting (the documents
# sandbox bounds a conversion at two minutes of wall time).
STALE_CLAIM = timedelta(minutes=10)
# A pending fax this long after reception lost its nudge; the sweep nudges it again (at most
# this often per fax).
LOST_NUDGE = timedelta(minutes=2)
# Claims after which a fax that keeps killing its worker is given up (kept, failed).
MAX_ATTEMPTS = 5
SWEEP_LIMIT = 200
MAX_RETENTION_DAYS = 3650


def _partial(fax: ReceivedFax) -> bool:
    """A potential partial: the call ended without proper termination, or T.30 ended with
    an error after pages had arrived."""
    result = fax.result
    return bool(result.terminated) or (result.completion_code != 0 and result.pages > 0)


def _event(
    fax: InboundFax,
    kind: EventKind,
    *,
    status: EventStatus = EventStatus.SUCCESS,
    address: str = "",
    detail: str = "",
    notification_id: int | None = None,
) -> InboundEvent:
    return InboundEvent.objects.create(
        fax=fax,
        at=timezone.now(),
        kind=kind,
        status=status,
        receiving_address=address[:254],
        detail=detail[:300],
        notification_id=notification_id,
    )


def _nudge_after_commit(fax_id: int) -> None:
    from faxline.faxing.inbound.tasks import deliver  # tasks.py imports this module

    enqueue_after_commit(deliver, fax_id)


def _nudge_now(fax_id: int) -> bool:
    from faxline.faxing.inbound.tasks import deliver

    return enqueue_now(deliver, fax_id)


# --- reception ------------------------------------------------------------------------------


def inbound_fax_receive(fax: ReceivedFax) -> int:
    """The transport's inbound receiver: keep a received fax, then deliver it after commit.

    The image goes to the vault first (encrypted, with its SHA-256), then the row, its
    "Message received" event and the pages' credit charge in one short transaction; the
    delivery task is enqueued once that commits. Returns the fax's id. A system write (no
    actor): the network delivered it.
    """
    data = fax.tiff.read_bytes()
    stored = vault_store(data, purpose=VAULT_PURPOSE)
    route = number_route(fax.to_number)
    department_id = (
        User.objects.filter(pk=route.user_id).values_list("department_id", flat=True).first()
        if route and route.user_id
        else None
    )
    result = fax.result
    try:
        with transaction.atomic():
            row = InboundFax.objects.create(
                to_number=fax.to_number[:16],
                from_number=(fax.from_number or "")[:32],
                company_id=route.company_id if route else None,
                user_id=route.user_id if route else None,
                department_id=department_id,
                received_at=fax.received_at,
                pages=result.pages,
                remote_csid=(result.remote_ident or "")[:40],
                completion_code=result.completion_code,
                completion_text=(result.completion_text or "")[:200],
                call_seconds=float(result.call_seconds or 0.0),
                result=fax_result_dict(result),
                partial=_partial(fax),
                vault_name=stored.name,
                size=stored.size,
                sha256=stored.sha256,
            )
            _event(row, EventKind.RECEIVED)
            inbound_counted(row)
            if row.company is not None and row.pages:
                _charge(row)
            inbound_received(row)
            _nudge_after_commit(row.pk)
    except BaseException:
        vault_delete(stored.name)
        raise
    log.info(
        "inbound fax %s: %s -> %s, %d pages%s",
        row.pk,
        row.from_number,
        row.to_number,
        row.pages,
        " (potential partial)" if row.partial else "",
    )
    return row.pk


def _charge(row: InboundFax) -> None:
    """The pages' credits; never in the way of keeping the fax."""
    assert row.company is not None
    try:
        with transaction.atomic():
            credits_charge_inbound(
                company=row.company, pages=row.pages, reference=f"inbound-{row.pk}"
            )
    except Exception:
        log.exception("inbound fax %s: the credit charge failed (the fax is kept)", row.pk)


# --- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Destination:
    """Where a fax goes now: its user, their receiving addresses and Fax settings, or why
    nobody can receive it."""

    user: User | None
    addresses: tuple[str, ...] = ()
    file_type: str = DEFAULT_FILE_TYPE
    separate_pages: bool = False
    add_metadata: bool = False
    time_zone: str = "UTC"
    undeliverable: str = ""


def recipient_options(user: User | None) -> tuple[str, bool, bool, str]:
    """The recipient's effective Fax settings: file type (``received``'s value), page
    separation, add metadata, and their time zone. No user: PDF, no options, UTC."""
    if user is None:
        return DEFAULT_FILE_TYPE, False, False, "UTC"
    tabs = effective_settings(user)
    fax_tab: dict[str, Any] = tabs.get("fax") or {}
    custom: dict[str, Any] = tabs.get("custom") or {}
    try:
        kind = check_file_type(str(fax_tab.get("inbound_file_type") or DEFAULT_FILE_TYPE))
    except ValidationFailed:
        kind = DEFAULT_FILE_TYPE
    return (
        kind,
        bool(fax_tab.get("page_separation")),
        bool(fax_tab.get("add_metadata")),
        str(custom.get("time_zone") or "UTC"),
    )


def inbound_destination(fax: InboundFax) -> Destination:
    """The number's route as it is now (a resubmit follows the current configuration)."""
    route = number_route(fax.to_number)
    user = None
    if route is not None and route.user_id is not None:
        user = User.objects.select_related("company", "department").filter(pk=route.user_id).first()
    if user is None or user.deleted_at is not None or not user.is_active:
        return Destination(user=None, undeliverable=Undeliverable.NO_ROUTE)
    kind, separate, metadata, zone = recipient_options(user)
    addresses = tuple(a for a in (user.receiving_emails or [])[:3] if a) or (
        (user.email,) if user.email else ()
    )
    reason = ""
    if user.is_locked:
        reason = Undeliverable.USER_LOCKED
    elif not addresses:
        reason = Undeliverable.NO_ADDRESS
    return Destination(
        user=user,
        addresses=() if reason else addresses,
        file_type=kind,
        separate_pages=separate,
        add_metadata=metadata,
        time_zone=zone,
        undeliverable=reason,
    )


def reception_of(fax: InboundFax, *, time_zone: str = "UTC") -> Reception:
    return Reception(
        fax_id=str(fax.pk),
        caller_number=fax.from_number,
        remote_csid=fax.remote_csid,
        called_number=fax.to_number,
        pages=fax.pages,
        started_at=fax.received_at - timedelta(seconds=fax.call_seconds),
        ended_at=fax.received_at,
        time_zone=time_zone,
        result_code=fax.completion_code,
        result_text=fax.completion_text or "OK",
        partial=fax.partial,
    )


def attach_files(company_id: int | None) -> bool:
    """Whether the company's emails carry the fax (True, the default) or a portal link."""
    if company_id is None:
        return True
    chosen = (
        InboundSettings.objects.filter(company_id=company_id)
        .values_list("attach_files", flat=True)
        .first()
    )
    return True if chosen is None else bool(chosen)


def retention_days(company_id: int | None) -> int:
    if company_id is None:
        return DEFAULT_RETENTION_DAYS
    days = (
        InboundSettings.objects.filter(company_id=company_id)
        .values_list("retention_days", flat=True)
        .first()
    )
    return DEFAULT_RETENTION_DAYS if days is None else int(days)


def portal_link(fax: InboundFax) -> str:
    """The secure link an email carries instead of the fax: the portal's page of the fax,
    which asks the recipient to sign in."""
    return f"{settings.FAXLINE_PORTAL_URL.rstrip('/')}/faxes/received/{fax.pk}/"


def _email_text(fax: InboundFax, *, attached: bool, link: str) -> tuple[str, str]:
    """Subject and body: numbers, pages and time only (no fax content: PHI stays in the
    file or behind the sign-in)."""
    pages = f"{fax.pages} page" + ("" if fax.pages == 1 else "s")
    caller = fax.from_number or "an unknown number"
    subject = f"Fax received from {fax.from_number or 'unknown'} ({pages})"
    lines = [
        f"A fax of {pages} from {caller} to {fax.to_number} was received at "
        f"{fax.received_at:%Y-%m-%d %H:%M} UTC.",
    ]
    if fax.partial:
        lines.append("It may be incomplete: the call did not end properly.")
    if attached:
        lines.append("The fax is attached.")
    else:
        lines.append(f"Sign in to the portal to open it: {link}")
    lines.append(f"Reference: received fax {fax.pk}.")
    return subject, "\n\n".join(lines) + "\n"


def _claim(fax_id: int) -> tuple[InboundFax, Any] | None:
    now = timezone.now()
    taken = InboundFax.objects.filter(pk=fax_id, delivery_status=DeliveryStatus.PENDING).update(
        delivery_status=DeliveryStatus.DELIVERING,
        claimed_at=now,
        delivery_attempts=F("delivery_attempts") + 1,
    )
    if not taken:
        return None
    mine = InboundFax.objects.filter(
        pk=fax_id, delivery_status=DeliveryStatus.DELIVERING, claimed_at=now
    )
    return InboundFax.objects.get(pk=fax_id), mine


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


def inbound_fax_deliver(*, fax_id: int) -> InboundFax | None:
    """Deliver one received fax; idempotent (a fax not pending is left alone and None
    returned). Runs in the task worker, outside any transaction: the conversion runs in the
    documents sandbox."""
    claimed = _claim(fax_id)
    if claimed is None:
        return None
    fax, mine = claimed
    if not fax.retained:
        with transaction.atomic():
            if mine.update(
                delivery_status=DeliveryStatus.FAILED,
                delivery_error="The fax's content is no longer kept.",
                claimed_at=None,
            ):
                _event(fax, EventKind.HELD, status=EventStatus.FAILED, detail="Content deleted.")
        return _fresh(fax)
    where = inbound_destination(fax)
    if where.undeliverable:
        with transaction.atomic():
            if mine.update(
                delivery_status=DeliveryStatus.UNDELIVERABLE,
                undeliverable=where.undeliverable,
                user=where.user if where.user is not None else F("user"),
                claimed_at=None,
            ):
                _event(
                    fax,
                    EventKind.HELD,
                    status=EventStatus.FAILED,
                    detail=str(Undeliverable(where.undeliverable).label)
                    + ": kept for the administrators.",
                )
        return _fresh(fax)
    try:
        files = received_files(
            vault_read(fax.vault_name),
            reception_of(fax, time_zone=where.time_zone),
            file_type=where.file_type,
            separate_pages=where.separate_pages,
            add_metadata=where.add_metadata,
        )
    except ValidationFailed as exc:
        with transaction.atomic():
            if mine.update(
                delivery_status=DeliveryStatus.FAILED,
                delivery_error=exc.message[:500],
                claimed_at=None,
            ):
                _event(fax, EventKind.HELD, status=EventStatus.FAILED, detail=exc.message)
        return _fresh(fax)
    attached = attach_files(fax.company_id) and attachments_fit(len(f.data) for f in files)
    attachments = _store_files(files) if attached else []
    try:
        with transaction.atomic():
            # Still ours and still kept (a deletion meanwhile must not get files back).
            if not mine.filter(vault_name=fax.vault_name).update(
                delivery_status=DeliveryStatus.DELIVERED,
                undeliverable="",
                delivery_error="",
                user=where.user,
                delivered_at=timezone.now(),
                claimed_at=None,
                files=list(fax.files or []) + [a.vault_name for a in attachments],
            ):
                raise _LostClaim
            forwarded = timezone.now()
            if InboundFax.objects.filter(pk=fax.pk, first_forwarded_at__isnull=True).update(
                first_forwarded_at=forwarded
            ):
                inbound_forward_counted(fax, at=forwarded)
            subject, body = _email_text(fax, attached=attached, link=portal_link(fax))
            rows = notify_email(
                kind=NOTIFICATION_KIND,
                to=list(where.addresses),
                subject=subject,
                body=body,
                company_id=fax.company_id,
                related=f"Received fax {fax.pk}",
                attachments=attachments,
            )
            for row in rows:
                failed = row.status == "failed"
                _event(
                    fax,
                    EventKind.FORWARDED,
                    status=EventStatus.FAILED if failed else EventStatus.PENDING,
                    address=row.recipient,
                    detail=row.error if failed else "",
                    notification_id=row.pk,
                )
    except _LostClaim:
        for item in attachments:
            vault_delete(item.vault_name)
        return None
    except BaseException:
        for item in attachments:
            vault_delete(item.vault_name)
        raise
    return _fresh(fax)


class _LostClaim(Exception):
    """The sweep took the claim back meanwhile: another attempt owns the fax."""


def _fresh(fax: InboundFax) -> InboundFax:
    fax.refresh_from_db()
    return fax


def inbound_deliveries_resume(*, limit: int = SWEEP_LIMIT) -> int:
    """The periodic sweep: every received fax gets its delivery.

    Releases stale claims (a worker died while converting: pending again, or failed after
    :data:`MAX_ATTEMPTS`), then nudges every fax pending for longer than :data:`LOST_NUDGE`
    (the worker was down, the enqueue was lost, the process died between reception and
    delivery). Returns how many it nudged. Every change is a compare-and-set: safe in
    several processes at once.
    """
    now = timezone.now()
    stale = InboundFax.objects.filter(
        delivery_status=DeliveryStatus.DELIVERING, claimed_at__lt=now - STALE_CLAIM
    ).values_list("pk", "claimed_at", "delivery_attempts")[:limit]
    for pk, claimed_at, attempts in list(stale):
        mine = InboundFax.objects.filter(
            pk=pk, delivery_status=DeliveryStatus.DELIVERING, claimed_at=claimed_at
        )
        if attempts >= MAX_ATTEMPTS:
            with transaction.atomic():
                if mine.update(
                    delivery_status=DeliveryStatus.FAILED,
                    delivery_error=f"Gave up after {attempts} attempts (the worker stopped).",
                    claimed_at=None,
                ):
                    _event(
                        InboundFax(pk=pk),
                        EventKind.HELD,
                        status=EventStatus.FAILED,
                        detail="Delivery gave up: the worker stopped during each attempt.",
                    )
            continue
        mine.update(delivery_status=DeliveryStatus.PENDING, claimed_at=None, nudged_at=None)
    overdue = now - LOST_NUDGE
    return renudge_lost(
        InboundFax.objects.filter(delivery_status=DeliveryStatus.PENDING, received_at__lt=overdue),
        overdue=overdue,
        now=now,
        nudge=_nudge_now,
        order_by="received_at",
        limit=limit,
    )


# --- a person's actions ---------------------------------------------------------------------


@transaction.atomic
def inbound_fax_resubmit(*, actor: Actor, fax: InboundFax) -> InboundFax:
    """Deliver the fax again to its number's currently configured destinations, while its
    content is kept (Resubmit): the fax's own user, an administrator holding "Resubmit
    received faxes", an operator (:func:`may_resubmit_inbound`). Queued; the worker
    delivers after commit."""
    may_resubmit_inbound(actor, fax).check()
    if not fax.retained:
        raise Conflict(
            "The fax's content is no longer kept: it cannot be resubmitted.",
            code="content_deleted",
        )
    updated = (
        InboundFax.objects.filter(pk=fax.pk)
        .exclude(delivery_status__in=[DeliveryStatus.PENDING, DeliveryStatus.DELIVERING])
        .exclude(vault_name="")
        .update(
            delivery_status=DeliveryStatus.PENDING,
            delivery_round=F("delivery_round") + 1,
            delivery_attempts=0,
            delivery_error="",
            undeliverable="",
            claimed_at=None,
            nudged_at=None,
        )
    )
    if not updated:
        raise Conflict(
            "The fax is being delivered already: wait until it is done.",
            code="delivery_in_progress",
        )
    _event(fax, EventKind.RESUBMITTED, detail=f"By {actor_label(actor)}.")
    _nudge_after_commit(fax.pk)
    return _fresh(fax)


def _delete_content(fax: InboundFax, *, detail: str) -> bool:
    """Forget the fax's content (image and delivered files); its row and events stay.
    Returns False when it was gone already."""
    with transaction.atomic():
        names = [fax.vault_name, *(fax.files or [])]
        if (
            not InboundFax.objects.filter(pk=fax.pk, vault_name=fax.vault_name)
            .exclude(vault_name="")
            .update(vault_name="", files=[], content_deleted_at=timezone.now())
        ):
            return False
        _event(fax, EventKind.DELETED, detail=detail)
    for name in names:
        try:
            vault_delete(name)
        except NotFound:
            log.warning("inbound fax %s: vault name %r is not valid", fax.pk, name)
    return True


def inbound_fax_delete(*, actor: Actor | SystemActor, fax: InboundFax) -> InboundFax:
    """Delete the fax's content (the row and its events stay, saying so)."""
    if isinstance(actor, Actor):
        may_act_on_inbound(actor, fax).check()
    if not _delete_content(fax, detail=f"Content deleted by {actor_label(actor)}."):
        raise Conflict("The fax's content is deleted already.", code="content_deleted")
    return _fresh(fax)


def inbound_retention_sweep(*, limit: int = SWEEP_LIMIT) -> int:
    """The periodic job: delete the content of faxes older than their company's retention
    period (days; :data:`DEFAULT_RETENTION_DAYS` when it chose none). Returns how many."""
    now = timezone.now()
    chosen = dict(InboundSettings.objects.values_list("company_id", "retention_days"))
    due = Q(received_at__lt=now - timedelta(days=DEFAULT_RETENTION_DAYS)) & (
        Q(company__isnull=True) | ~Q(company_id__in=list(chosen))
    )
    by_days: dict[int, list[int]] = {}
    for company_id, days in chosen.items():
        by_days.setdefault(int(days), []).append(company_id)
    for days, ids in by_days.items():
        due |= Q(company_id__in=ids, received_at__lt=now - timedelta(days=days))
    done = 0
    for fax in (
        InboundFax.objects.exclude(vault_name="").filter(due).order_by("received_at")[:limit]
    ):
        days = (
            chosen.get(fax.company_id, DEFAULT_RETENTION_DAYS)
            if fax.company_id
            else (DEFAULT_RETENTION_DAYS)
        )
        done += _delete_content(
            fax, detail=f"Content deleted: the retention period of {days} days ended."
        )
    return done


def inbound_settings_get(company: Company) -> InboundSettings:
    """The company's inbound settings (the defaults, unsaved, when it chose none)."""
    found = InboundSettings.objects.filter(company=company).first()
    return found if found is not None else InboundSettings(company=company)


@transaction.atomic
def inbound_settings_set(
    *,
    actor: Actor,
    company: Company,
    attach_files: bool | None = None,
    retention_days: int | None = None,
) -> InboundSettings:
    """Change a company's inbound settings: whether emails carry the fax or a secure portal
    link, and the retention period in days (1 to 3650). Company-level administrators with
    the Fax settings right, operators; audited."""
    may_change_settings(actor, company, "fax").check()
    if retention_days is not None and not 1 <= retention_days <= MAX_RETENTION_DAYS:
        raise ValidationFailed(
            f"Keep received faxes between 1 and {MAX_RETENTION_DAYS} days.",
            field="retention_days",
        )
    row, _ = InboundSettings.objects.select_for_update().get_or_create(company=company)
    before = {"attach_files": row.attach_files, "retention_days": row.retention_days}
    if attach_files is not None:
        row.attach_files = attach_files
    if retention_days is not None:
        row.retention_days = retention_days
    row.save()
    audit_record(
        kind="inbound.settings_changed",
        actor=actor.user,
        company=company,
        target=row,
        ip_address=actor.ip_address,
        detail={
            "before": before,
            "after": {"attach_files": row.attach_files, "retention_days": row.retention_days},
        },
    )
    return row


def inbound_fax_file(
    *, actor: Actor, fax: InboundFax, file_type: str | None = None
) -> DeliveredFile:
    """The fax as one file of the recipient's type (or ``file_type``), for a download; the
    event "Message retrieved" records who took it. Converts outside any transaction."""
    if not fax.retained:
        raise NotFound("The fax's content is no longer kept.", code="content_deleted", field="id")
    default, _separate, _metadata, zone = recipient_options(fax.user)
    kind = check_file_type(file_type or default, field="format")
    [file] = received_files(
        vault_read(fax.vault_name), reception_of(fax, time_zone=zone), file_type=kind
    )
    _event(
        fax, EventKind.RETRIEVED, detail=f"Downloaded as {kind.upper()} by {actor_label(actor)}."
    )
    return file
