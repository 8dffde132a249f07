"""Dialogs (RFC 3261 section 12), the calls built on them, and session timers (RFC 4028).

A :class:`Dialog` is a call once both ends have agreed on it: its Call-ID and tags, the far
end's target (its Contact) and the route set (Record-Route), the CSeq numbers of each
direction, and the session descriptions in force. It sends requests inside the call
(re-INVITE, BYE), answers the far end's, and keeps the session alive: when we are the
refresher of a session timer we re-INVITE with the same SDP at half the interval, when the far
end is and stays silent we hang up at expiry.

:class:`OutgoingCall` is a call we place (the INVITE client side), :class:`IncomingCall` one we
are offered (the INVITE server side). The SDP we send is stamped with one o= session id per
call and a version that increments whenever what we say changes (RFC 3264 section 8).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from faxline.telephony.sip.config import SipTransportName, TrunkConfig
from faxline.telephony.sip.message import (
    NameAddr,
    ParseError,
    Request,
    Response,
    SipUri,
    new_call_id,
    new_tag,
)
from faxline.telephony.sip.sdp import SdpError, SessionDescription
from faxline.telephony.sip.transaction import ClientTransaction, ServerTransaction
from faxline.telephony.sip.transports import Peer

if TYPE_CHECKING:
    from faxline.telephony.sip.ua import UserAgent

log = logging.getLogger(__name__)

ReinviteHandler = Callable[
    [SessionDescription | None], Awaitable[tuple[int, SessionDescription | None]]
]
ProvisionalHandler = Callable[[int, str, SessionDescription | None], object]


class CallFailed(Exception):
    """A call (or a request of one) ended with a final non-2xx answer.

    ``no_response``: the trunk never answered at all (unreachable, or Timer B): the caller
    may try the next trunk.
    """

    def __init__(self, status: int, reason: str, *, no_response: bool = False):
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason
        self.no_response = no_response


def sdp_of(message: Request | Response) -> SessionDescription | None:
    """The message's session description, or None (no body, another type, unreadable)."""
    if not message.body or message.content_type != "application/sdp":
        return None
    try:
        return SessionDescription.parse(message.body)
    except SdpError:
        return None


def session_expires_of(message: Request | Response) -> tuple[int, str | None] | None:
    """``(interval, refresher)`` of a Session-Expires header, or None."""
    value = message.get("Session-Expires")
    if not value:
        return None
    interval, _, params = value.partition(";")
    if not interval.strip().isdigit():
        return None
    refresher = None
    for param in params.split(";"):
        name, _, found = param.partition("=")
        if name.strip().lower() == "refresher":
            refresher = found.strip().lower() or None
    return int(interval.strip()), refresher


def min_se_of(message: Request | Response) -> int | None:
    value = (message.get("Min-SE") or "").split(";")[0].strip()
    return int(value) if value.isdigit() else None


class Dialog:
    """One call's dialog state and the requests inside it. See the module's description."""

    def __init__(
        self,
        ua: UserAgent,
        *,
        call_id: str,
        local_tag: str,
        local_uri: NameAddr,
        remote_uri: NameAddr,
        transport: SipTransportName,
        trunk: TrunkConfig | None = None,
    ):
        self.ua = ua
        self.call_id = call_id
        self.local_tag = local_tag
        self.remote_tag = ""
        self.local_uri = local_uri
        self.remote_uri = remote_uri
        self.remote_target: SipUri = remote_uri.uri
        self.route_set: list[str] = []
        self.transport = transport
        self.trunk = trunk
        self.local_cseq = random.randint(1, 10000)  # noqa: S311 - not a secret
        self.remote_cseq: int | None = None
        self.local_sdp: SessionDescription | None = None
        self.remote_sdp: SessionDescription | None = None
        self.on_reinvite: ReinviteHandler | None = None
        self.ended = asyncio.Event()
        self.end_reason = ""
        self.confirmed = False
        self.session_interval: int | None = None
        self.we_refresh = False
        self.refreshes = 0  # session refreshes seen (ours sent or theirs received)
        self._origin: tuple[int, int] | None = None
        self._session_timer: asyncio.TimerHandle | None = None
        self._awaiting_ack: dict[int, asyncio.Future[Request]] = {}
        self._last_ack: Request | None = None
        self._ack_cseq = 0
        self._invite_lock = asyncio.Lock()
        self._incoming_invite = False
        self._outgoing_invite = False

    # identity ------------------------------------------------------------------------------
    @property
    def key(self) -> tuple[str, str, str]:
        return (self.call_id, self.local_tag, self.remote_tag)

    @property
    def owns_call_id(self) -> bool:
        """We sent the dialog's first INVITE (RFC 3261 14.1's glare rule)."""
        return isinstance(self, OutgoingCall)

    def _from_header(self) -> str:
        local = NameAddr(self.local_uri.uri, self.local_uri.display, dict(self.local_uri.params))
        local.params["tag"] = self.local_tag
        return str(local)

    def _to_header(self) -> str:
        remote = NameAddr(
            self.remote_uri.uri, self.remote_uri.display, dict(self.remote_uri.params)
        )
        if self.remote_tag:
            remote.params["tag"] = self.remote_tag
        return str(remote)

    def next_hop(self) -> Peer:
        """Where in-dialog requests go: the first route (loose routing), else the far end's
        target."""
        target = NameAddr.parse(self.route_set[0]).uri if self.route_set else self.remote_target
        transport = target.params.get("transport")
        name = SipTransportName(transport.lower()) if transport else self.transport
        if name.value not in ("udp", "tcp", "tls"):
            name = self.transport
        host = target.params.get("maddr") or target.host
        port = target.port or (5061 if name is SipTransportName.TLS else 5060)
        return Peer(name, host.strip("[]"), port)

    def _request(self, method: str, *, cseq: int | None = None) -> Request:
        """A request inside the dialog (RFC 3261 12.2.1.1), with a new CSeq unless given."""
        if cseq is None:
            self.local_cseq += 1
            cseq = self.local_cseq
        request = Request(method, self.remote_target)
        for route in self.route_set:
            request.add("Route", route)
        request.add("From", self._from_header())
        request.add("To", self._to_header())
        request.add("Call-ID", self.call_id)
        request.add("CSeq", f"{cseq} {method}")
        if method in ("INVITE", "UPDATE"):
            request.add("Contact", self.ua.contact(self.next_hop()))
        return request

    # SDP -----------------------------------------------------------------------------------
    def stamp(self, sdp: SessionDescription) -> SessionDescription:
        """``sdp`` with this call's o= session id and the version it deserves: the same as
        last time when nothing changed, one more when something did."""
        if self._origin is None:
            session_id = sdp.origin.session_id or random.randint(1, 2**31 - 1)  # noqa: S311
            self._origin = (session_id, max(sdp.origin.version, 1))
        elif self.local_sdp is None or not sdp.same_session(self.local_sdp):
            self._origin = (self._origin[0], self._origin[1] + 1)
        return sdp.with_origin(*self._origin)

    # ending --------------------------------------------------------------------------------
    def _end(self, reason: str) -> None:
        if self.ended.is_set():
            return
        self.end_reason = reason
        self.ended.set()
        if self._session_timer is not None:
            self._session_timer.cancel()
        for waiter in self._awaiting_ack.values():
            if not waiter.done():
                waiter.cancel()
        self.ua._forget_dialog(self)

    async def bye(self) -> None:
        """Hang up (BYE); the dialog ends whatever the answer."""
        if self.ended.is_set():
            return
        if not self.confirmed:
            self._end("bye_sent")
            return
        request = self._request("BYE")
        self.end_reason = "bye_sent"
        try:
            await self.ua._send_authenticated(request, self.next_hop(), self.trunk)
        finally:
            self._end("bye_sent")

    # session timer -------------------------------------------------------------------------
    def _session_headers(self, response: Response, request: Request) -> int | None:
        """Put the session timer's answer into ``response`` (RFC 4028 9); the negotiated
        interval, or None when there is no session timer. Raises ValueError(min_se) when the
        asked interval is below our minimum (answer 422)."""
        asked = session_expires_of(request)
        if asked is None:
            return None
        interval, refresher = asked
        if interval < self.ua.min_se:
            raise ValueError(self.ua.min_se)
        supported = "timer" in request.tokens("Supported")
        if refresher not in ("uac", "uas"):
            refresher = "uac" if supported else "uas"
        response.set("Session-Expires", f"{interval};refresher={refresher}")
        if supported:
            response.set("Require", "timer")
        self.session_interval = interval
        self.we_refresh = refresher == "uas"
        return interval

    def _session_from_response(self, response: Response) -> None:
        """Our request was answered 2xx: who refreshes now (RFC 4028 7.2)."""
        found = session_expires_of(response)
        if found is None:
            self.session_interval = None
            return
        interval, refresher = found
        self.session_interval = interval
        self.we_refresh = refresher != "uas"

    def _start_session_timer(self) -> None:
        if self._session_timer is not None:
            self._session_timer.cancel()
            self._session_timer = None
        if not self.session_interval or self.ended.is_set():
            return
        loop = asyncio.get_running_loop()
        interval = float(self.session_interval)
        if self.we_refresh:
            self._session_timer = loop.call_later(interval / 2, self._refresh_due)
        else:
            wait = interval - min(32.0, interval / 3)
            self._session_timer = loop.call_later(wait, self._expired)

    def _refresh_due(self) -> None:
        self.ua._spawn(self._refresh())

    async def _refresh(self) -> None:
        if self.ended.is_set() or self.local_sdp is None:
            return
        status, _ = await self.reinvite(self.local_sdp, refresh=True)
        if status >= 300 and not self.ended.is_set():
            log.info("session refresh of %s answered %s: hanging up", self.call_id, status)
            await self.bye()
            self._end("session_expired")

    def _expired(self) -> None:
        log.info("session of %s expired without a refresh", self.call_id)
        self.ua._spawn(self._bye_expired())

    async def _bye_expired(self) -> None:
        with contextlib.suppress(Exception):
            await self.bye()
        self.end_reason = "session_expired"

    # re-INVITE (ours) ----------------------------------------------------------------------
    async def reinvite(
        self, sdp: SessionDescription, *, timeout: float = 10.0, refresh: bool = False
    ) -> tuple[int, SessionDescription | None]:
        """Offer ``sdp`` inside the call; the status and the far end's answer. A refusal
        (488...) is returned, not raised, and leaves the session as it was. Glare (491) is
        retried after RFC 3261 14.1's random wait. ``refresh``: a session timer refresh."""
        if self.ended.is_set() or not self.confirmed:
            return 481, None
        deadline = time.monotonic() + timeout
        async with self._invite_lock:
            attempts = 0
            while True:
                attempts += 1
                status, answer, stamped = await self._reinvite_once(sdp, deadline, refresh)
                if status != 491 or attempts >= 4 or self.ended.is_set():
                    break
                scale = self.ua.timers.t1 / 0.5
                low, high = (2.1, 4.0) if self.owns_call_id else (0.0, 2.0)
                wait = random.uniform(low, high) * scale  # noqa: S311
                if time.monotonic() + wait >= deadline:
                    break
                await asyncio.sleep(wait)
        if 200 <= status < 300:
            self.local_sdp = stamped
            if answer is not None:
                self.remote_sdp = answer
            self.refreshes += 1 if refresh else 0
        return status, answer

    async def _reinvite_once(
        self, sdp: SessionDescription, deadline: float, refresh: bool
    ) -> tuple[int, SessionDescription | None, SessionDescription]:
        stamped = self.stamp(sdp)
        request = self._request("INVITE")
        request.set("Content-Type", "application/sdp")
        request.body = stamped.to_bytes()
        self.ua.add_capabilities(request)
        if self.session_interval:
            request.set("Session-Expires", f"{self.session_interval};refresher=uac")
        self._outgoing_invite = True
        try:
            remaining = max(deadline - time.monotonic(), 0.1)
            try:
                response, sent = await asyncio.wait_for(
                    self.ua._send_authenticated(request, self.next_hop(), self.trunk),
                    remaining,
                )
            except TimeoutError:
                return 408, None, stamped
        finally:
            self._outgoing_invite = False
        self.local_cseq = max(self.local_cseq, sent.cseq.number)
        refused = not 200 <= response.status < 300
        if refused and self._origin is not None and self.local_sdp is not None:
            # the offer was refused: the version stays what the far end last accepted
            self._origin = (self._origin[0], self.local_sdp.origin.version)
        if 200 <= response.status < 300:
            self._update_target(response)
            self._ack(response, sent)
            self._session_from_response(response)
            self._start_session_timer()
            return response.status, sdp_of(response), stamped
        if response.status == 481:
            self._end("dialog_gone")
        return response.status, None, stamped

    def _update_target(self, message: Request | Response) -> None:
        try:
            contacts = message.contacts
        except ParseError:
            return
        if contacts and not contacts[0].wildcard:
            self.remote_target = contacts[0].uri

    def _ack(self, response: Response, invite: Request) -> None:
        """RFC 3261 13.2.2.4: the ACK of a 2xx, its own transaction-less request."""
        ack = self._request("ACK", cseq=invite.cseq.number)
        for name in ("Authorization", "Proxy-Authorization"):
            value = invite.get(name)
            if value:
                ack.add(name, value)
        self._last_ack = ack
        self._ack_cseq = invite.cseq.number
        self.ua._spawn(self.ua._send_stateless(ack, self.next_hop()))

    def _retransmitted_2xx(self, response: Response) -> None:
        if self._last_ack is not None and response.cseq.number == self._ack_cseq:
            self.ua._spawn(self.ua._send_stateless(self._last_ack, self.next_hop()))

    # the far end's requests ----------------------------------------------------------------
    def receive_ack(self, request: Request) -> None:
        waiter = self._awaiting_ack.get(request.cseq.number)
        if waiter is not None and not waiter.done():
            waiter.set_result(request)

    async def _send_2xx(self, transaction: ServerTransaction, response: Response) -> bool:
        """Send a 2xx to an INVITE and retransmit it (T1, doubling to T2) until its ACK, for
        at most 64*T1 (RFC 3261 13.3.1.4). True when the ACK came."""
        cseq = transaction.request.cseq.number
        waiter: asyncio.Future[Request] = asyncio.get_running_loop().create_future()
        self._awaiting_ack[cseq] = waiter
        timers = self.ua.timers
        await transaction.respond(response)
        interval = timers.t1
        deadline = time.monotonic() + timers.h
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                wait = remaining if transaction.reply_to.reliable else min(interval, remaining)
                try:
                    ack = await asyncio.wait_for(asyncio.shield(waiter), wait)
                except TimeoutError:
                    if not transaction.reply_to.reliable:
                        await self.ua._send_stateless(response, transaction.reply_to)
                        interval = min(interval * 2, timers.t2)
                    continue
                except asyncio.CancelledError:
                    if waiter.cancelled():
                        return False
                    raise
                answer = sdp_of(ack)
                if answer is not None:
                    self.remote_sdp = answer
                return True
        finally:
            self._awaiting_ack.pop(cseq, None)

    async def handle_request(self, request: Request, transaction: ServerTransaction) -> None:
        """A request of the far end inside this dialog."""
        method = request.method
        cseq = request.cseq.number
        stale = self.remote_cseq is not None and cseq <= self.remote_cseq
        if stale and method in ("INVITE", "UPDATE"):
            await self.ua.respond(transaction, 500, "Out of Order CSeq")
            return
        if method != "ACK":
            self.remote_cseq = max(cseq, self.remote_cseq or 0)
        if method == "BYE":
            await self.ua.respond(transaction, 200)
            self._end("bye_received")
        elif method == "INVITE":
            await self._handle_reinvite(request, transaction)
        elif method == "UPDATE":
            await self._handle_update(request, transaction)
        elif method in ("OPTIONS", "INFO", "NOTIFY"):
            response = self.ua.response(transaction.request, 200)
            if method == "OPTIONS":
                self.ua.add_capabilities(response)
            await transaction.respond(response)
        elif method in self.ua.known_methods:
            await self.ua.respond(transaction, 405, headers={"Allow": self.ua.allow})
        else:
            await self.ua.respond(transaction, 501)

    async def _offer_answer(
        self, offer: SessionDescription | None
    ) -> tuple[int, SessionDescription | None]:
        if self.on_reinvite is not None:
            try:
                return await self.on_reinvite(offer)
            except Exception:
                log.exception("re-INVITE handler failed")
                return 500, None
        return 200, self.local_sdp  # a session refresh: the same session

    async def _handle_reinvite(self, request: Request, transaction: ServerTransaction) -> None:
        if self._outgoing_invite:
            await self.ua.respond(transaction, 491)  # glare (RFC 3261 14.2)
            return
        if self._incoming_invite:
            retry = str(random.randint(0, 10))  # noqa: S311
            await self.ua.respond(transaction, 500, headers={"Retry-After": retry})
            return
        self._incoming_invite = True
        try:
            offer = sdp_of(request)
            if request.body and offer is None:
                await self.ua.respond(transaction, 488)
                return
            response = self.ua.response(request, 200)
            try:
                interval = self._session_headers(response, request)
            except ValueError:
                await self.ua.respond(transaction, 422, headers={"Min-SE": str(self.ua.min_se)})
                return
            status, answer = await self._offer_answer(offer)
            if not 200 <= status < 300:
                await self.ua.respond(transaction, status)
                return
            if answer is None:
                answer = self.local_sdp
            self._update_target(request)
            if answer is not None:
                answer = self.stamp(answer)
                self.local_sdp = answer
                response.set("Content-Type", "application/sdp")
                response.body = answer.to_bytes()
            if offer is not None:
                self.remote_sdp = offer
            response.set("Contact", self.ua.contact(self.next_hop()))
            self.ua.add_capabilities(response)
            if interval is None and session_expires_of(request) is None:
                self.session_interval = None
            self.refreshes += 1
            self._start_session_timer()
        finally:
            self._incoming_invite = False
        acked = await self._send_2xx(transaction, response)
        if not acked and not self.ended.is_set():
            log.info("no ACK for the 2xx of a re-INVITE of %s: hanging up", self.call_id)
            await self.bye()

    async def _handle_update(self, request: Request, transaction: ServerTransaction) -> None:
        response = self.ua.response(request, 200)
        try:
            self._session_headers(response, request)
        except ValueError:
            await self.ua.respond(transaction, 422, headers={"Min-SE": str(self.ua.min_se)})
            return
        offer = sdp_of(request)
        if offer is not None:
            status, answer = await self._offer_answer(offer)
            if not 200 <= status < 300 or answer is None:
                await self.ua.respond(transaction, status if status >= 300 else 488)
                return
            answer = self.stamp(answer)
            self.local_sdp, self.remote_sdp = answer, offer
            response.set("Content-Type", "application/sdp")
            response.body = answer.to_bytes()
        self._update_target(request)
        response.set("Contact", self.ua.contact(self.next_hop()))
        self.refreshes += 1
        self._start_session_timer()
        await transaction.respond(response)


class IncomingCall(Dialog):
    """An INVITE offered to us: ring, answer, or refuse it.

    ``request_user`` is the Request-URI's user (the called number as the carrier sends it).
    ``cancelled`` is set when the caller CANCELled before our final answer (we answered 487).
    """

    def __init__(self, ua: UserAgent, request: Request, transaction: ServerTransaction):
        from_ = request.from_
        to = request.to
        super().__init__(
            ua,
            call_id=request.call_id,
            local_tag=new_tag(),
            local_uri=NameAddr(to.uri, to.display),
            remote_uri=NameAddr(from_.uri, from_.display),
            transport=transaction.peer.transport,
        )
        self.remote_tag = from_.tag or ""
        self.invite = request
        self.transaction = transaction
        self.remote_cseq = request.cseq.number
        self.route_set = request.get_all("Record-Route")
        self._update_target(request)
        self.request_user = request.uri.user
        self.to_user = to.uri.user
        self.from_user = from_.uri.user
        self.from_display = from_.display
        self.offer = sdp_of(request)
        self.remote_sdp = self.offer
        self.cancelled = asyncio.Event()
        self.answered = False
        self._session_response: Response | None = None

    def _final_sent(self) -> bool:
        return self.transaction.answered or self.answered

    async def ringing(self, sdp: SessionDescription | None = None) -> None:
        """180 Ringing, or 183 Session Progress with ``sdp`` (early media)."""
        if self._final_sent() or self.ended.is_set():
            return
        status = 183 if sdp is not None else 180
        response = self.ua.response(self.invite, status, to_tag=self.local_tag)
        response.set("Contact", self.ua.contact(self.next_hop()))
        if sdp is not None:
            stamped = self.stamp(sdp)
            self.local_sdp = stamped
            response.set("Content-Type", "application/sdp")
            response.body = stamped.to_bytes()
        await self.transaction.respond(response)

    async def answer(self, sdp: SessionDescription) -> None:
        """200 OK with ``sdp``, retransmitted until the ACK; returns on the ACK. Raises
        :class:`CallFailed` when the call is gone (cancelled: 487; no ACK: 408, after which
        the call is hung up)."""
        if self.cancelled.is_set() or self.ended.is_set():
            raise CallFailed(487, "Request Terminated")
        if self._final_sent():
            raise CallFailed(500, "Already answered")
        response = self.ua.response(self.invite, 200, to_tag=self.local_tag)
        try:
            self._session_headers(response, self.invite)
        except ValueError:  # checked on arrival; kept for safety
            self.session_interval = None
        stamped = self.stamp(sdp)
        self.local_sdp = stamped
        response.set("Contact", self.ua.contact(self.next_hop()))
        self.ua.add_capabilities(response)
        response.set("Content-Type", "application/sdp")
        response.body = stamped.to_bytes()
        self.answered = True
        self.confirmed = True  # the far end may BYE as soon as it has our 2xx
        acked = await self._send_2xx(self.transaction, response)
        if self.ended.is_set():
            raise CallFailed(487, "Call ended before the ACK")
        if not acked:
            await self.bye()
            self._end("timeout")
            raise CallFailed(408, "ACK Timeout")
        self._start_session_timer()

    async def reject(
        self, status: int, reason: str = "", *, headers: Mapping[str, str] | None = None
    ) -> None:
        """A final refusal (486 Busy Here, 404 Not Found, 603 Decline...); ``headers``: more
        to write (a challenge, Retry-After)."""
        if self._final_sent() or self.ended.is_set():
            return
        response = self.ua.response(
            self.invite, status, reason, to_tag=self.local_tag, headers=headers
        )
        self._end("rejected")
        await self.transaction.respond(response)

    async def bye(self) -> None:
        if not self.answered:
            await self.reject(480)
            return
        await super().bye()

    async def cancel_received(self) -> None:
        """The caller CANCELled: 487 to the INVITE."""
        if self._final_sent():
            return
        response = self.ua.response(self.invite, 487, to_tag=self.local_tag)
        self.cancelled.set()
        self._end("cancelled")
        await self.transaction.respond(response)


class OutgoingCall(Dialog):
    """A call we place. ``start()`` sends the INVITE and returns the task that finishes when
    the call is answered (the call itself) or refused (:class:`CallFailed`); ``cancel()`` may
    be called at any time before (CANCEL; the task fails with 487) or after (BYE)::

        call = ua.prepare_invite(trunk, to_user=..., from_user=..., sdp=offer)
        task = call.start()
        ...
        await call.cancel()
    """

    def __init__(
        self,
        ua: UserAgent,
        trunk: TrunkConfig,
        *,
        request_uri: SipUri,
        local_uri: NameAddr,
        remote_uri: NameAddr,
        peer: Peer,
        sdp: SessionDescription,
        on_provisional: ProvisionalHandler | None,
        timeout: float,
        headers: Mapping[str, str] | None,
        routes: list[str],
    ):
        super().__init__(
            ua,
            call_id=new_call_id(ua.local_host(peer.host)),
            local_tag=new_tag(),
            local_uri=local_uri,
            remote_uri=remote_uri,
            transport=peer.transport,
            trunk=trunk,
        )
        self.request_uri = request_uri
        self.remote_target = request_uri
        self.peer = peer
        self.offer = sdp
        self.on_provisional = on_provisional
        self.timeout = timeout
        self.extra_headers = dict(headers or {})
        self.initial_routes = routes
        self.early_sdp: SessionDescription | None = None
        self.provisional_status = 0
        self._task: asyncio.Task[OutgoingCall] | None = None
        self._cancel_requested = False
        self._provisional = asyncio.Event()
        self._invite: Request | None = None
        self._cancel_sent = False

    def start(self) -> asyncio.Task[OutgoingCall]:
        """Send the INVITE; the task resolves to this call once answered."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
            self.ua._pending_calls.add(self)
            self._task.add_done_callback(lambda _t: self.ua._pending_calls.discard(self))
        return self._task

    async def cancel(self) -> None:
        """Give up the call: CANCEL before the answer (as soon as a provisional response
        allows it, RFC 3261 9.1), BYE after it."""
        if self.confirmed:
            await self.bye()
            return
        self._cancel_requested = True
        if self._task is None:
            self._end("cancelled")
            return
        if self._provisional.is_set():
            await self._send_cancel()

    async def bye(self) -> None:
        """Hang up: BYE once answered, CANCEL while the INVITE is pending."""
        if not self.confirmed and self._task is not None and not self._task.done():
            await self.cancel()
            return
        await super().bye()

    async def _send_cancel(self) -> None:
        invite = self._invite
        if invite is None or self._cancel_sent:
            return
        self._cancel_sent = True
        cancel = Request("CANCEL", invite.uri)
        cancel.add("Via", invite.get_all("Via")[0])
        for route in invite.get_all("Route"):
            cancel.add("Route", route)
        for name in ("From", "To", "Call-ID"):
            cancel.add(name, invite.get(name) or "")
        cancel.add("CSeq", f"{invite.cseq.number} CANCEL")
        cancel.add("Max-Forwards", "70")
        transaction = self.ua.transactions.client(cancel, self.peer)
        await transaction.final

    def _initial_invite(self, cseq: int, session_expires: int, min_se: int) -> Request:
        request = Request("INVITE", self.request_uri)
        for route in self.initial_routes:
            request.add("Route", route)
        request.add("From", self._from_header())
        request.add("To", str(self.remote_uri))
        request.add("Call-ID", self.call_id)
        request.add("CSeq", f"{cseq} INVITE")
        request.add("Contact", self.ua.contact(self.peer, user=self.local_uri.uri.user))
        request.add("P-Asserted-Identity", f"<{self.local_uri.uri}>")
        self.ua.add_capabilities(request)
        if session_expires:
            request.add("Session-Expires", str(session_expires))
            request.add("Min-SE", str(min_se))
        for name, value in self.extra_headers.items():
            request.add(name, value)
        stamped = self.stamp(self.offer)
        self.local_sdp = stamped
        request.set("Content-Type", "application/sdp")
        request.body = stamped.to_bytes()
        return request

    def _provisional_received(self, response: Response) -> None:
        self.provisional_status = response.status
        early = sdp_of(response) if response.status == 183 else None
        if early is not None:
            self.early_sdp = early
            self.remote_sdp = early
        if not self._provisional.is_set():
            self._provisional.set()
            if self._cancel_requested:
                self.ua._spawn(self._send_cancel())
        if self.on_provisional is not None:
            try:
                self.on_provisional(response.status, response.reason, early)
            except Exception:
                log.exception("on_provisional failed")

    async def _run(self) -> OutgoingCall:
        deadline = time.monotonic() + self.timeout
        session_expires = self.ua.session_expires
        min_se = self.ua.min_se
        authorization: tuple[str, str] | None = None
        challenged = False
        for _attempt in range(4):
            invite = self._initial_invite(self.local_cseq, session_expires, min_se)
            if authorization is not None:
                invite.add(*authorization)
            self._invite = invite
            transaction = self.ua._send_request(invite, self.peer, self._provisional_received)
            remaining = deadline - time.monotonic()
            try:
                response = await asyncio.wait_for(asyncio.shield(transaction.final), remaining)
            except TimeoutError:
                response = await self._give_up(transaction)
                if 200 <= response.status < 300:
                    self._established(response, invite)
                    await self.bye()
                raise CallFailed(408, "Request Timeout") from None
            if 200 <= response.status < 300:
                self._established(response, invite)
                if self._cancel_requested:
                    await self.bye()
                    self._end("cancelled")
                    raise CallFailed(487, "Request Terminated")
                return self
            if transaction.no_response:
                self._end("no_response")
                raise CallFailed(503, "Service Unavailable", no_response=True)
            if response.status in (401, 407) and not challenged and self._cancel_requested is False:
                header = self.ua.answer_challenge(response, invite, self.trunk)
                if header is not None:
                    challenged = True
                    authorization = header
                    self.local_cseq += 1
                    continue
            if response.status == 422:
                asked = min_se_of(response)
                if asked and asked > min_se and session_expires:
                    min_se = asked
                    session_expires = max(session_expires, asked)
                    self.local_cseq += 1
                    continue
            self._end("cancelled" if response.status == 487 else "rejected")
            raise CallFailed(response.status, response.reason)
        self._end("rejected")
        raise CallFailed(500, "Too many attempts")

    async def _give_up(self, transaction: ClientTransaction) -> Response:
        """The caller's timeout: CANCEL when we may (a provisional came), and wait a little
        for the INVITE's final answer; else stop retransmitting."""
        if self._provisional.is_set():
            await self._send_cancel()
            try:
                return await asyncio.wait_for(asyncio.shield(transaction.final), self.ua.timers.b)
            except TimeoutError:
                pass
        transaction.terminate()
        self._end("timeout")
        return Response(408, "Request Timeout")

    def _established(self, response: Response, invite: Request) -> None:
        self.remote_tag = response.to.tag or ""
        self.remote_uri = NameAddr(response.to.uri, response.to.display)
        self.route_set = list(reversed(response.get_all("Record-Route")))
        self._update_target(response)
        answer = sdp_of(response)
        if answer is not None:
            self.remote_sdp = answer
        self.local_cseq = invite.cseq.number
        self.confirmed = True
        self.ua._add_dialog(self)
        self._ack(response, invite)
        self._session_from_response(response)
        self._start_session_timer()
