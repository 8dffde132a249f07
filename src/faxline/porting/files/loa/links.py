"""The emailed signing link: the authorized person signs the LOA without an account.

:func:`loa_send_link` emails a link that signs once within 7 days, for the request's data at
sending time; only the token's SHA-256 digest is stored. :func:`loa_link_state` says what a
link leads to and :func:`loa_sign_with_token` signs with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.validation import clean_email
from faxline.core.errors import Conflict, ValidationFailed
from faxline.core.provider import provider_name
from faxline.porting.access import loa_open, may_change_request
from faxline.porting.choices import TERMINAL
from faxline.porting.files.loa.content import display_number
from faxline.porting.files.loa.signing import SignatureInput, prepare_signature, record_signature
from faxline.porting.files.loa.unsigned import RENDER_ATTEMPTS, loa_current, loa_ensure
from faxline.porting.files.services import vault_rollback
from faxline.porting.models import LoaSignature, PortDocument, PortRequest
from faxline.porting.requests.services import record_event
from faxline.porting.validation.checks import current_signature, loa_fingerprint

LINK_VALIDITY = dt.timedelta(days=7)
MAX_LINKS_PER_DAY = 10


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LinkSent:
    signature: LoaSignature
    email: str
    expires_at: dt.datetime
    url: str


def loa_send_link(*, actor: Actor, request: PortRequest, email: str | None = None) -> LinkSent:
    """Email the authorized person a one-time link to sign the LOA without an account.

    Valid for 7 days and for the request's data at sending time; only the token's SHA-256
    is stored. The LOA is made (rendered) first, outside the short transaction that
    records the link."""
    may_change_request(actor, request).check()
    snapshot = PortRequest.objects.get(pk=request.pk)
    loa_open(snapshot).check()
    _address(snapshot, email)  # a wrong address is refused before anything is made
    for _ in range(RENDER_ATTEMPTS):
        unsigned = loa_ensure(actor=actor, request_id=request.pk)
        with transaction.atomic():
            locked = PortRequest.objects.select_for_update().get(pk=request.pk)
            current = loa_current(locked)
            if current is not None and current.pk == unsigned.pk:
                return _send_link(actor, locked, unsigned, email)
    raise Conflict(
        "The request kept changing while its LOA was being prepared: try again.",
        code="loa_changed",
    )


def _address(request: PortRequest, email: str | None) -> str:
    address = clean_email(email or request.authorized_email, field="email", required=False)
    if not address:
        raise ValidationFailed(
            f"Enter the email address of {request.authorized_name}, the authorized person.",
            field="email",
        )
    return address


def _send_link(
    actor: Actor, locked: PortRequest, unsigned: PortDocument, email: str | None
) -> LinkSent:
    from faxline.notify.services import notify_email, render_email

    loa_open(locked).check()
    address = _address(locked, email)
    now = timezone.now()
    recent = LoaSignature.objects.filter(
        request=locked, created_at__gte=now - dt.timedelta(days=1)
    ).exclude(token_digest="")
    if recent.count() >= MAX_LINKS_PER_DAY:
        raise Conflict(
            f"At most {MAX_LINKS_PER_DAY} signing links a day can be sent for one request: "
            "try again tomorrow.",
            code="too_many_links",
            field="email",
        )
    token = secrets.token_urlsafe(32)
    expires = now + LINK_VALIDITY
    signature = LoaSignature.objects.create(
        request=locked,
        unsigned_document=unsigned,
        signer_name=locked.authorized_name,
        signer_email=address,
        data_sha256=loa_fingerprint(locked),
        token_digest=_digest(token),
        token_expires_at=expires,
    )
    url = settings.FAXLINE_PORTAL_URL.rstrip("/") + reverse("porting:loa_public", args=[token])
    user = actor.user
    subject, body = render_email(
        "porting/email/loa_link.txt",
        {
            "request": locked,
            "numbers": [display_number(n) for n in locked.numbers.values_list("number", flat=True)],
            "sender": "The porting team"
            if actor.is_operator
            else (user.get_full_name() or user.get_username()),
            "provider": provider_name(),
            "url": url,
            "expires": timezone.localtime(expires),
        },
    )
    notify_email(
        kind="porting.loa_link",
        to=[address],
        subject=subject,
        body=body,
        company=locked.company,
        related=f"Port request {locked.pk}",
    )
    record_event(
        locked,
        kind="loa_link_sent",
        actor=actor,
        message=f"Signing link sent to {address}",
        signature_id=signature.pk,
        expires_at=expires.isoformat(),
    )
    return LinkSent(signature=signature, email=address, expires_at=expires, url=url)


@dataclass(frozen=True)
class LinkState:
    """What an emailed link leads to: ``valid``, ``used`` (signed with it), ``signed``
    (the LOA was signed another way), ``expired``, ``changed`` (the request changed after
    sending), ``closed`` (completed or cancelled) or ``invalid``."""

    state: str
    signature: LoaSignature | None = None
    request: PortRequest | None = None

    @property
    def valid(self) -> bool:
        return self.state == "valid"


def loa_link_state(token: str, *, for_update: bool = False) -> LinkState:
    """Look up an emailed signing link by its token."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return LinkState("invalid")
    qs = LoaSignature.objects.select_related("request", "request__company")
    if for_update:
        qs = qs.select_for_update()
    signature = qs.filter(token_digest=_digest(token)).first()
    if signature is None:
        return LinkState("invalid")
    request = signature.request
    if signature.signed_at is not None:
        return LinkState("used", signature, request)
    if request.status in TERMINAL:
        return LinkState("closed", signature, request)
    if signature.token_expires_at is None or signature.token_expires_at <= timezone.now():
        latest = current_signature(request)
        state = (
            "signed"
            if latest is not None and latest.data_sha256 == loa_fingerprint(request)
            else "expired"
        )
        return LinkState(state, signature, request)
    if signature.data_sha256 != loa_fingerprint(request):
        return LinkState("changed", signature, request)
    return LinkState("valid", signature, request)


LINK_REFUSALS = {
    "invalid": "This signing link is not valid: check that you copied all of it.",
    "used": "This signing link was already used: the LOA is signed.",
    "signed": "The LOA was already signed: this link is no longer needed.",
    "expired": "This signing link has expired: ask for a new one.",
    "changed": "The port request changed after this link was sent: ask for a new link.",
    "closed": "This port request is closed: there is nothing to sign.",
}


def loa_sign_with_token(
    *,
    token: str,
    data: SignatureInput,
    ip_address: str | None,
    user_agent: str = "",
) -> LoaSignature:
    """The authorized person signs from the emailed link, without an account (once).

    The drawn signature is decoded and the signed PDF built and sealed first; the short
    transaction that records it checks the link again under its row lock, so that it signs
    once."""
    found = loa_link_state(token)
    if not found.valid:
        raise Conflict(LINK_REFUSALS[found.state], code=f"link_{found.state}")
    assert found.signature is not None and found.request is not None
    sent = timezone.localtime(found.signature.created_at)
    prepared = prepare_signature(
        actor=None,
        request=found.request,
        data=data,
        ip_address=ip_address,
        user_agent=user_agent,
        signer_email=found.signature.signer_email,
        channel=(
            f"A one-time signing link emailed to {found.signature.signer_email} on "
            f"{sent:%Y-%m-%d} (no account)"
        ),
        by_link=True,
    )
    with transaction.atomic():
        state = loa_link_state(token, for_update=True)
        if not state.valid:
            raise Conflict(LINK_REFUSALS[state.state], code=f"link_{state.state}")
        assert state.signature is not None and state.request is not None
        locked = PortRequest.objects.select_for_update().get(pk=state.request.pk)
        with vault_rollback():
            return record_signature(
                actor=None, request=locked, prepared=prepared, pending=state.signature
            )
