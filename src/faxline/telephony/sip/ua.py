"""The SIP user agent of a carrier trunk: registers, qualifies, places and takes calls.

:class:`UserAgent` owns the sockets (:mod:`.transports`), the transaction tables
(:mod:`.transaction`) and the dialogs (:mod:`.dialog`). What it does with a request that
arrives, outside a call:

- ``INVITE``: a new :class:`~.dialog.IncomingCall` handed to ``on_invite`` (480 when there is
  none, 503 beyond ``max_dialogs``, 422 when the asked session interval is below ``min_se``);
- ``OPTIONS``: 200 with Allow, Accept and Supported (a carrier's qualify);
- ``CANCEL``: 200, and 487 to the INVITE it cancels (481 when there is none);
- a request naming a dialog we do not know: 481; a method we know but do not take: 405 with
  Allow; a method we do not know: 501; ``handlers[method]`` may take more (a test registrar);
- a message we cannot parse: 400 when it is a request with enough readable to answer,
  otherwise dropped. Nothing a peer sends stops the user agent.

Requests we send to a trunk go to its outbound proxy (with a loose Route to it) or to its
host, answer one 401/407 challenge with the trunk's credentials (:mod:`.digest`), and carry
our Via with ``rport`` (RFC 3581). Names are resolved by A/AAAA lookup only (no SRV/NAPTR).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable, Mapping, Sequence

from faxline.telephony.sip.config import SipTransportName, TrunkConfig
from faxline.telephony.sip.dialog import (
    CallFailed,
    Dialog,
    IncomingCall,
    OutgoingCall,
    ProvisionalHandler,
    session_expires_of,
)
from faxline.telephony.sip.digest import DigestError, authorization, best_challenge
from faxline.telephony.sip.message import (
    Message,
    NameAddr,
    ParseError,
    Request,
    Response,
    SipUri,
    Via,
    answerable,
    host_ref,
    new_branch,
    new_call_id,
    new_tag,
    parse_message,
    quote,
)
from faxline.telephony.sip.sdp import SessionDescription
from faxline.telephony.sip.transaction import (
    ClientTransaction,
    ServerTransaction,
    Timers,
    TransactionLayer,
    server_key,
)
from faxline.telephony.sip.transports import Peer, SipSockets, TransportError

__all__ = [
    "CallFailed",
    "Dialog",
    "IncomingCall",
    "OutgoingCall",
    "Registration",
    "Timers",
    "UserAgent",
]

log = logging.getLogger(__name__)

UDP = SipTransportName.UDP
TCP = SipTransportName.TCP

RequestHandler = Callable[[Request, ServerTransaction], Awaitable[None]]
TraceHandler = Callable[[str, Message, Peer], None]

KNOWN_METHODS = frozenset(
    {
        "INVITE",
        "ACK",
        "BYE",
        "CANCEL",
        "OPTIONS",
        "REGISTER",
        "INFO",
        "UPDATE",
        "PRACK",
        "SUBSCRIBE",
        "NOTIFY",
        "REFER",
        "MESSAGE",
        "PUBLISH",
    }
)
ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE"
SUPPORTED = frozenset({"timer"})


class Registration:
    """A registration with a trunk (RFC 3261 section 10), refreshed in the background at
    about half of the granted Expires until :meth:`stop` (which unregisters).

    ``ok``: the last REGISTER was accepted; ``last_status`` its status; ``expires`` the
    interval the registrar granted; ``count`` how many REGISTERs were accepted."""

    def __init__(self, ua: UserAgent, trunk: TrunkConfig, *, retry_seconds: float = 30.0):
        self.ua = ua
        self.trunk = trunk
        self.retry_seconds = retry_seconds
        self.requested = trunk.register_expires
        self.ok = False
        self.last_status = 0
        self.expires = 0
        self.count = 0
        self.call_id = new_call_id(ua.host)
        self.tag = new_tag()
        self.cseq = 0
        self._task: asyncio.Task[None] | None = None
        self._contact = ""

    async def _send(self, expires: int) -> Response:
        trunk = self.trunk
        peer, routes = self.ua._trunk_route(trunk)
        domain = trunk.domain or trunk.host
        aor = SipUri(host=domain, user=trunk.username or trunk.auth_username)
        port = trunk.port if not trunk.domain and trunk.port != 5060 else None
        response = Response(500)
        for _attempt in range(2):
            self.cseq += 1
            request = Request("REGISTER", SipUri(host=domain, port=port))
            for route in routes:
                request.add("Route", route)
            request.add("From", f"<{aor}>;tag={self.tag}")
            request.add("To", f"<{aor}>")
            request.add("Call-ID", self.call_id)
            request.add("CSeq", f"{self.cseq} REGISTER")
            self._contact = self.ua.contact(peer, user=aor.user)
            request.add("Contact", self._contact)
            request.add("Expires", str(expires))
            request.add("Allow", ALLOW)
            response, sent = await self.ua._send_authenticated(request, peer, trunk)
            self.cseq = sent.cseq.number
            if response.status == 423 and expires:
                minimum = (response.get("Min-Expires") or "").strip()
                if minimum.isdigit() and int(minimum) > expires:
                    expires = self.requested = int(minimum)
                    continue
            break
        return response

    def _granted(self, response: Response) -> int:
        ours = NameAddr.parse(self._contact).uri
        try:
            for contact in response.contacts:
                uri = contact.uri
                if (uri.user, uri.host, uri.port) == (ours.user, ours.host, ours.port):
                    value = contact.params.get("expires")
                    if value and value.isdigit():
                        return int(value)
        except ParseError:
            pass
        header = (response.get("Expires") or "").strip()
        return int(header) if header.isdigit() else self.requested

    async def attempt(self) -> None:
        """One REGISTER (with its challenge), updating ``ok``/``last_status``/``expires``."""
        response = await self._send(self.requested)
        self.last_status = response.status
        if 200 <= response.status < 300:
            self.ok = True
            self.expires = self._granted(response)
            self.count += 1
        else:
            self.ok = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._refresh_loop())

    async def _refresh_loop(self) -> None:
        while True:
            wait = self.expires / 2 if self.ok and self.expires else self.retry_seconds
            await asyncio.sleep(max(wait, 0.2))
            try:
                await self.attempt()
            except Exception:
                log.exception("REGISTER to %s failed", self.trunk.name)
                self.ok = False

    async def stop(self) -> None:
        """Stop refreshing and unregister (Expires: 0)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self.ok:
            self.ok = False
            with contextlib.suppress(Exception):
                response = await asyncio.wait_for(self._send(0), 5.0)
                self.last_status = response.status
        self.ua._registrations.discard(self)


class UserAgent:
    """See the module's description. ``host``/``port``: where we listen (port 0: chosen by
    the OS, the same number for UDP and TCP; ``port`` is the bound one after :meth:`start`).
    ``public_host``: the address written in Via/Contact when it is not ``host`` (behind NAT,
    or bound to the wildcard). ``session_expires``: the session interval we ask for on our
    INVITEs (0: none); ``min_se``: the shortest we accept (RFC 4028)."""

    known_methods = KNOWN_METHODS
    allow = ALLOW

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        transports: Sequence[SipTransportName] = (UDP, TCP),
        user_agent: str = "faxline",
        on_invite: Callable[[IncomingCall], Awaitable[None]] | None = None,
        timers: Timers | None = None,
        max_dialogs: int = 500,
        session_expires: int = 1800,
        min_se: int = 90,
        public_host: str | None = None,
        tls_context: ssl.SSLContext | None = None,
    ):
        self.host = host
        self.port = port
        self.user_agent = user_agent
        self.on_invite = on_invite
        self.timers = timers or Timers()
        self.max_dialogs = max_dialogs
        self.session_expires = session_expires
        self.min_se = min_se
        self.public_host = public_host
        self.sockets = SipSockets(
            host=host,
            port=port,
            transports=transports,
            on_message=self._on_message,
            tls_context=tls_context,
        )
        self.transactions = TransactionLayer(self._send, self.timers)
        self.dialogs: dict[tuple[str, str, str], Dialog] = {}
        self.handlers: dict[str, RequestHandler] = {}
        self.on_trace: TraceHandler | None = None
        self.bad_requests = 0  # malformed messages seen (answered 400 or dropped)
        self._invites: dict[tuple[str, ...], IncomingCall] = {}
        self._pending_calls: set[OutgoingCall] = set()
        self._registrations: set[Registration] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False

    # life ----------------------------------------------------------------------------------
    async def start(self) -> None:
        self.port = await self.sockets.start()

    async def close(self) -> None:
        """Hang up every call (BYE, CANCEL, or 503 to an unanswered INVITE), unregister,
        close the sockets."""
        self._closing = True
        endings: list[Awaitable[None]] = [r.stop() for r in list(self._registrations)]
        endings += [call.cancel() for call in list(self._pending_calls)]
        for dialog in list(self.dialogs.values()):
            if isinstance(dialog, IncomingCall) and not dialog.answered:
                endings.append(dialog.reject(503))
            elif dialog.confirmed:
                endings.append(dialog.bye())
        if endings:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    asyncio.gather(*endings, return_exceptions=True), self.timers.t1 * 8
                )
        self.transactions.close()
        for task in list(self._tasks):
            task.cancel()
        await self.sockets.close()

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await coroutine
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("SIP task failed")

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # dialogs -------------------------------------------------------------------------------
    def _add_dialog(self, dialog: Dialog) -> None:
        self.dialogs[dialog.key] = dialog

    def _forget_dialog(self, dialog: Dialog) -> None:
        if self.dialogs.get(dialog.key) is dialog:
            del self.dialogs[dialog.key]
        if isinstance(dialog, IncomingCall):
            self._invites.pop(dialog.transaction.key, None)

    # addresses -----------------------------------------------------------------------------
    def local_host(self, remote_host: str) -> str:
        if self.public_host:
            return self.public_host
        return self.sockets.local_address_for(remote_host.strip("[]"))

    def contact(self, peer: Peer, *, user: str = "") -> str:
        host = host_ref(self.local_host(peer.host))
        userinfo = f"{user}@" if user else ""
        transport = "" if peer.transport is UDP else f";transport={peer.transport.value}"
        return f"<sip:{userinfo}{host}:{self.port}{transport}>"

    def _trunk_route(self, trunk: TrunkConfig) -> tuple[Peer, list[str]]:
        """The next hop of a trunk's requests and the Route set to reach it."""
        if trunk.outbound_proxy:
            host, _, port_text = trunk.outbound_proxy.rpartition(":")
            if not host or not port_text.isdigit():
                host, port_text = trunk.outbound_proxy, "5060"
            param = "" if trunk.transport is UDP else f";transport={trunk.transport.value}"
            route = f"<sip:{host}:{port_text}{param};lr>"
            return Peer(trunk.transport, host.strip("[]"), int(port_text)), [route]
        return Peer(trunk.transport, trunk.host.strip("[]"), trunk.port), []

    # capabilities ----------------------------------------------------------------------------
    def add_capabilities(self, message: Request | Response) -> None:
        message.set("Allow", ALLOW)
        message.set("Supported", ", ".join(sorted(SUPPORTED)))

    def response(
        self,
        request: Request,
        status: int,
        reason: str = "",
        *,
        to_tag: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """A response to ``request`` with a To tag (ours, or a fresh one outside a dialog)."""
        if to_tag is None and status > 100:
            to_tag = new_tag()
        response = Response.to_request(request, status, reason, to_tag=to_tag)
        response.set("Server", self.user_agent)
        for name, value in (headers or {}).items():
            response.set(name, value)
        return response

    async def respond(
        self,
        transaction: ServerTransaction,
        status: int,
        reason: str = "",
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        await transaction.respond(
            self.response(transaction.request, status, reason, headers=headers)
        )

    # sending -------------------------------------------------------------------------------
    async def _send(self, message: Message, peer: Peer) -> None:
        if self.on_trace is not None:
            self.on_trace("sent", message, peer)
        await self.sockets.send(message.to_bytes(), peer)

    async def _send_stateless(self, message: Message, peer: Peer) -> None:
        if isinstance(message, Request) and not message.has("Via"):
            self._prepare(message, peer)
        try:
            await self._send(message, peer)
        except TransportError as error:
            log.info("SIP send to %s failed: %s", peer, error)

    def _prepare(self, request: Request, peer: Peer) -> None:
        host = host_ref(self.local_host(peer.host))
        via = f"SIP/2.0/{peer.transport.value.upper()} {host}:{self.port};branch={new_branch()}"
        request.remove("Via")
        request.add("Via", via + ";rport", first=True)
        if not request.has("Max-Forwards"):
            request.add("Max-Forwards", "70")
        if not request.has("User-Agent"):
            request.add("User-Agent", self.user_agent)

    def _send_request(
        self,
        request: Request,
        peer: Peer,
        on_provisional: Callable[[Response], None] | None = None,
    ) -> ClientTransaction:
        """Start a client transaction for ``request`` with a fresh Via."""
        self._prepare(request, peer)
        return self.transactions.client(request, peer, on_provisional)

    def answer_challenge(
        self, response: Response, request: Request, trunk: TrunkConfig | None
    ) -> tuple[str, str] | None:
        """The header answering a 401/407 with the trunk's credentials, or None."""
        if trunk is None or not (trunk.auth_username or trunk.username) or not trunk.password:
            return None
        proxy = response.status == 407
        challenges = response.get_all("Proxy-Authenticate" if proxy else "WWW-Authenticate")
        try:
            challenge = best_challenge(challenges)
        except DigestError as error:
            log.info("cannot answer the challenge of %s: %s", trunk.name, error)
            return None
        value = authorization(
            challenge,
            method=request.method,
            uri=str(request.uri),
            username=trunk.auth_username or trunk.username,
            password=trunk.password,
            body=request.body,
        )
        return ("Proxy-Authorization" if proxy else "Authorization", value)

    async def _send_authenticated(
        self,
        request: Request,
        peer: Peer,
        trunk: TrunkConfig | None,
        on_provisional: Callable[[Response], None] | None = None,
    ) -> tuple[Response, Request]:
        """Send ``request``; answer one 401/407 with the trunk's credentials (a new CSeq).
        The final response and the request it answers."""
        transaction = self._send_request(request, peer, on_provisional)
        response = await transaction.final
        if response.status in (401, 407):
            header = self.answer_challenge(response, request, trunk)
            if header is not None:
                retry = Request(request.method, request.uri, request.headers, request.body)
                retry.remove("Authorization")
                retry.remove("Proxy-Authorization")
                retry.set("CSeq", f"{request.cseq.number + 1} {request.method}")
                retry.add(*header)
                transaction = self._send_request(retry, peer, on_provisional)
                response = await transaction.final
                request = retry
        return response, request

    # the public operations -----------------------------------------------------------------
    async def register(self, trunk: TrunkConfig) -> Registration:
        """REGISTER with the trunk (digest as asked), then keep it refreshed."""
        registration = Registration(self, trunk)
        self._registrations.add(registration)
        try:
            await registration.attempt()
        except Exception:
            log.exception("REGISTER to %s failed", trunk.name)
        registration.start()
        return registration

    async def options(self, trunk: TrunkConfig, *, timeout: float = 5.0) -> int:
        """OPTIONS to the trunk: its status (408 when nothing answered in ``timeout``)."""
        peer, routes = self._trunk_route(trunk)
        domain = trunk.domain or trunk.host
        port = trunk.port if not trunk.domain and trunk.port != 5060 else None
        request = Request("OPTIONS", SipUri(host=domain, port=port))
        for route in routes:
            request.add("Route", route)
        user = trunk.username or "faxline"
        request.add("From", f"<sip:{user}@{host_ref(self.local_host(peer.host))}>;tag={new_tag()}")
        request.add("To", f"<sip:{domain}>")
        request.add("Call-ID", new_call_id(self.host))
        request.add("CSeq", "1 OPTIONS")
        request.add("Accept", "application/sdp")
        try:
            response, _ = await asyncio.wait_for(
                self._send_authenticated(request, peer, trunk), timeout
            )
        except TimeoutError:
            return 408
        return response.status

    def prepare_invite(
        self,
        trunk: TrunkConfig,
        *,
        to_user: str,
        from_user: str,
        sdp: SessionDescription,
        on_provisional: ProvisionalHandler | None = None,
        timeout: float = 60.0,
        headers: Mapping[str, str] | None = None,
    ) -> OutgoingCall:
        """A call ready to be placed (``call.start()``) or cancelled (``call.cancel()``)."""
        peer, routes = self._trunk_route(trunk)
        domain = trunk.domain or trunk.host
        port = trunk.port if not trunk.domain and trunk.port != 5060 else None
        from_host = trunk.domain if trunk.register and trunk.domain else self.local_host(peer.host)
        return OutgoingCall(
            self,
            trunk,
            request_uri=SipUri(host=host_ref(domain), user=to_user, port=port),
            local_uri=NameAddr(SipUri(host=host_ref(from_host), user=from_user)),
            remote_uri=NameAddr(SipUri(host=host_ref(domain), user=to_user)),
            peer=peer,
            sdp=sdp,
            on_provisional=on_provisional,
            timeout=timeout,
            headers=headers,
            routes=routes,
        )

    async def invite(
        self,
        trunk: TrunkConfig,
        *,
        to_user: str,
        from_user: str,
        sdp: SessionDescription,
        on_provisional: ProvisionalHandler | None = None,
        timeout: float = 60.0,
        headers: Mapping[str, str] | None = None,
    ) -> OutgoingCall:
        """Place a call and wait for its answer (see :class:`OutgoingCall`); raises
        :class:`CallFailed` when it is refused, times out or cannot reach the trunk."""
        if len(self.dialogs) + len(self._pending_calls) >= self.max_dialogs:
            raise CallFailed(503, "Local call limit reached")
        call = self.prepare_invite(
            trunk,
            to_user=to_user,
            from_user=from_user,
            sdp=sdp,
            on_provisional=on_provisional,
            timeout=timeout,
            headers=headers,
        )
        return await call.start()

    # receiving -----------------------------------------------------------------------------
    def _on_message(self, data: bytes, peer: Peer) -> None:
        try:
            message = parse_message(data, stream=peer.reliable)
        except ParseError as error:
            self.bad_requests += 1
            partial = error.partial
            log.info("malformed SIP message from %s: %s", peer, error.reason)
            if partial is not None and partial.method != "ACK" and answerable(partial):
                self._fix_via(partial, peer)
                self._spawn(self._answer_malformed(partial, peer, error.reason))
            return
        if self.on_trace is not None:
            self.on_trace("received", message, peer)
        if isinstance(message, Request):
            self._fix_via(message, peer)
            self._on_request(message, peer)
        else:
            self._on_response(message)

    async def _answer_malformed(self, request: Request, peer: Peer, reason: str) -> None:
        response = self.response(request, 400, "Bad Request")
        response.set("Warning", f"399 {host_ref(self.host)} {quote(reason[:100])}")
        await self._send_stateless(response, self._reply_peer(request, peer))

    def _fix_via(self, request: Request, peer: Peer) -> None:
        """RFC 3261 18.2.1 and RFC 3581: note where the request really came from."""
        values = request.get_all("Via")
        if not values:
            return
        try:
            via = Via.parse(values[0])
        except ParseError:
            return
        if via.host.strip("[]") != peer.host:
            via.params["received"] = peer.host
        if "rport" in via.params and not via.params["rport"]:
            via.params["rport"] = str(peer.port)
        index = next(i for i, (name, _) in enumerate(request.headers) if name == "Via")
        request.remove("Via")
        for offset, value in enumerate([str(via), *values[1:]]):
            request.headers.insert(index + offset, ("Via", value))

    def _reply_peer(self, request: Request, peer: Peer) -> Peer:
        """Where responses to ``request`` go: its connection, else its Via."""
        if peer.reliable:
            return peer
        host, port = request.top_via.response_address()
        return Peer(UDP, host, port)

    def _on_response(self, response: Response) -> None:
        transaction = self.transactions.match_response(response)
        if transaction is not None:
            transaction.receive(response)
            return
        try:
            method = response.cseq.method
            if 200 <= response.status < 300 and method == "INVITE":
                key = (response.call_id, response.from_.tag or "", response.to.tag or "")
                dialog = self.dialogs.get(key)
                if dialog is not None:
                    dialog._retransmitted_2xx(response)
        except ParseError:
            return

    def _on_request(self, request: Request, peer: Peer) -> None:
        if request.method == "ACK":
            transaction = self.transactions.match_request(request)
            if transaction is not None:
                transaction.receive_ack()
                return
            key = (request.call_id, request.to.tag or "", request.from_.tag or "")
            dialog = self.dialogs.get(key)
            if dialog is not None:
                dialog.receive_ack(request)
            return
        transaction = self.transactions.match_request(request)
        if transaction is not None:
            transaction.receive_retransmission()
            return
        reply_to = self._reply_peer(request, peer)
        if self.transactions.full:
            response = self.response(request, 503, headers={"Retry-After": "5"})
            self._spawn(self._send_stateless(response, reply_to))
            return
        transaction = self.transactions.server(request, peer, reply_to)
        self._spawn(self._dispatch(request, transaction))

    async def _dispatch(self, request: Request, transaction: ServerTransaction) -> None:
        try:
            await self._handle(request, transaction)
        except Exception:
            log.exception("handling %s failed", request.method)
            if not transaction.answered:
                await self.respond(transaction, 500)

    async def _handle(self, request: Request, transaction: ServerTransaction) -> None:
        method = request.method
        if request.get("Max-Forwards") == "0" and method != "OPTIONS":
            await self.respond(transaction, 483)
            return
        if method != "CANCEL":
            unsupported = request.tokens("Require") - SUPPORTED
            if unsupported:
                await self.respond(
                    transaction, 420, headers={"Unsupported": ", ".join(sorted(unsupported))}
                )
                return
        if method == "CANCEL":
            await self._handle_cancel(request, transaction)
            return
        to_tag = request.to.tag
        if to_tag:
            dialog = self.dialogs.get((request.call_id, to_tag, request.from_.tag or ""))
            if dialog is None:
                await self.respond(transaction, 481)
            else:
                await dialog.handle_request(request, transaction)
            return
        if method == "INVITE":
            await self._handle_invite(request, transaction)
        elif method == "OPTIONS":
            response = self.response(request, 200, headers={"Accept": "application/sdp"})
            self.add_capabilities(response)
            await transaction.respond(response)
        elif method in self.handlers:
            await self.handlers[method](request, transaction)
        elif method in ("BYE", "UPDATE", "INFO", "PRACK", "NOTIFY"):
            await self.respond(transaction, 481)
        elif method in KNOWN_METHODS:
            await self.respond(transaction, 405, headers={"Allow": ALLOW})
        else:
            await self.respond(transaction, 501, headers={"Allow": ALLOW})

    async def _handle_cancel(self, request: Request, transaction: ServerTransaction) -> None:
        invite_key = (*server_key(request)[:-1], "INVITE")
        invite = self.transactions.servers.get(invite_key)
        if invite is None:
            await self.respond(transaction, 481)
            return
        await self.respond(transaction, 200)
        call = self._invites.get(invite_key)
        if call is not None:
            await call.cancel_received()

    async def _handle_invite(self, request: Request, transaction: ServerTransaction) -> None:
        if self.on_invite is None:
            await self.respond(transaction, 480)
            return
        if len(self.dialogs) + len(self._pending_calls) >= self.max_dialogs or self._closing:
            await self.respond(transaction, 503, headers={"Retry-After": "10"})
            return
        await transaction.respond(self.response(request, 100))
        if request.body and request.content_type != "application/sdp":
            await self.respond(transaction, 415, headers={"Accept": "application/sdp"})
            return
        call = IncomingCall(self, request, transaction)
        if request.body and call.offer is None:
            await self.respond(transaction, 488, "Unreadable SDP")
            return
        asked = session_expires_of(request)
        if asked is not None and asked[0] < self.min_se:
            await self.respond(transaction, 422, headers={"Min-SE": str(self.min_se)})
            return
        self._add_dialog(call)
        self._invites[transaction.key] = call
        try:
            await self.on_invite(call)
        except Exception:
            log.exception("on_invite failed")
            if not call._final_sent():
                await call.reject(500)
