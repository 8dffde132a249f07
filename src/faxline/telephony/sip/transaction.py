"""SIP transactions (RFC 3261 section 17, with RFC 6026's Accepted state).

A transaction is one request and its responses. Over UDP it is also what makes SIP reliable:
a client transaction retransmits its request (Timers A and E) until a response comes or its
time runs out (Timers B and F); a server transaction answers a retransmitted request again
with its last response and retransmits a non-2xx final response to an INVITE (Timer G) until
the ACK comes (Timer H). Completed transactions linger (Timers D, I, J, K) to absorb the
network's late copies, then leave the table, which is bounded.

A 2xx to an INVITE is the user agent core's business, not the transaction's: the UAS core
retransmits it until the ACK (:mod:`faxline.telephony.sip.dialog`), and the UAC core sends
the ACK (a new transaction of its own) and sends it again for each retransmitted 2xx.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from faxline.telephony.sip.config import SipTransportName
from faxline.telephony.sip.message import (
    BRANCH_COOKIE,
    ParseError,
    Request,
    Response,
)
from faxline.telephony.sip.transports import Peer, TransportError

log = logging.getLogger(__name__)

MAX_TRANSACTIONS = 4096


@dataclass(frozen=True)
class Timers:
    """RFC 3261's timer values (table 4). Tests shorten ``t1`` so that a whole exchange of
    retransmissions takes a fraction of a second; every other timer follows it except ``t4``
    (the time a message may stay in the network), which they may shorten too."""

    t1: float = 0.5
    t2: float = 4.0
    t4: float = 5.0

    @property
    def b(self) -> float:
        """INVITE transaction timeout (also F, H, J: 64 * T1)."""
        return 64 * self.t1

    f = h = j = b

    @property
    def d(self) -> float:
        """Wait for response retransmissions after a non-2xx final (>= 32 s on UDP)."""
        return max(64 * self.t1, 32.0) if self.t1 >= 0.5 else 64 * self.t1


class State(StrEnum):
    CALLING = "calling"
    TRYING = "trying"
    PROCEEDING = "proceeding"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    CONFIRMED = "confirmed"
    TERMINATED = "terminated"


SendFunction = Callable[[Request | Response, Peer], Awaitable[None]]


def _method_key(method: str) -> str:
    return "INVITE" if method == "ACK" else method


def client_key(branch: str, method: str) -> tuple[str, str]:
    return (branch, method)


def server_key(request: Request) -> tuple[str, ...]:
    """RFC 3261 17.2.3: the top Via's branch and sent-by, and the method (an ACK matches its
    INVITE); for an RFC 2543 branch, the dialog and CSeq identify it instead."""
    via = request.top_via
    method = _method_key(request.method)
    sent_by = f"{via.host}:{via.port or ''}"
    if via.branch.startswith(BRANCH_COOKIE):
        return ("3261", via.branch, sent_by, method)
    return (
        "2543",
        request.call_id,
        request.from_.tag or "",
        str(request.cseq.number),
        sent_by,
        method,
    )


class TransactionLayer:
    """The client and server transaction tables of one user agent."""

    def __init__(self, send: SendFunction, timers: Timers, *, limit: int = MAX_TRANSACTIONS):
        self.send = send
        self.timers = timers
        self.limit = limit
        self.clients: dict[tuple[str, str], ClientTransaction] = {}
        self.servers: dict[tuple[str, ...], ServerTransaction] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coroutine: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await coroutine
            except Exception:
                log.exception("SIP transaction task failed")

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def full(self) -> bool:
        return len(self.clients) + len(self.servers) >= self.limit

    def client(
        self,
        request: Request,
        peer: Peer,
        on_provisional: Callable[[Response], None] | None = None,
    ) -> ClientTransaction:
        """Start a client transaction for ``request`` (its top Via already written)."""
        transaction = ClientTransaction(self, request, peer, on_provisional)
        self.clients[transaction.key] = transaction
        transaction.start()
        return transaction

    def match_response(self, response: Response) -> ClientTransaction | None:
        try:
            key = client_key(response.top_via.branch, response.cseq.method)
        except ParseError:
            return None
        if key[1] == "ACK":
            return None
        return self.clients.get(key)

    def match_request(self, request: Request) -> ServerTransaction | None:
        return self.servers.get(server_key(request))

    def server(self, request: Request, peer: Peer, reply_to: Peer) -> ServerTransaction:
        transaction = ServerTransaction(self, request, peer, reply_to)
        self.servers[transaction.key] = transaction
        return transaction

    def close(self) -> None:
        for client in list(self.clients.values()):
            client.terminate()
        for server in list(self.servers.values()):
            server.terminate()
        for task in list(self._tasks):
            task.cancel()


class ClientTransaction:
    """RFC 3261 17.1: INVITE (figure 5) and non-INVITE (figure 6) client transactions.

    ``final`` resolves with the final response. When the far end never answers (Timer B/F)
    it resolves with a locally made ``408`` and ``no_response`` set; when the request could
    not be sent at all, with a ``503`` and ``transport_error`` set.
    """

    def __init__(
        self,
        layer: TransactionLayer,
        request: Request,
        peer: Peer,
        on_provisional: Callable[[Response], None] | None,
    ):
        self.layer = layer
        self.request = request
        self.peer = peer
        self.on_provisional = on_provisional
        self.invite = request.method == "INVITE"
        self.key = client_key(request.top_via.branch, request.method)
        self.state = State.CALLING if self.invite else State.TRYING
        loop = asyncio.get_running_loop()
        self.final: asyncio.Future[Response] = loop.create_future()
        self.provisional: Response | None = None
        self.no_response = False
        self.transport_error = False
        self.ack: Request | None = None
        self._interval = layer.timers.t1
        self._retransmit: asyncio.TimerHandle | None = None
        self._timeout: asyncio.TimerHandle | None = None
        self._linger: asyncio.TimerHandle | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.layer.spawn(self._send(self.request))
        if not self.peer.reliable:
            self._retransmit = loop.call_later(self._interval, self._on_retransmit)
        self._timeout = loop.call_later(self.layer.timers.b, self._on_timeout)

    async def _send(self, message: Request) -> None:
        try:
            await self.layer.send(message, self.peer)
        except TransportError as error:
            log.info("SIP %s to %s failed: %s", message.method, self.peer, error)
            if message is self.request and self.state in (State.CALLING, State.TRYING):
                self.transport_error = True
                self.no_response = True
                self._finish(self._local(503, "Service Unavailable"))

    def _local(self, status: int, reason: str) -> Response:
        response = Response.to_request(self.request, status, reason)
        return response

    def _on_retransmit(self) -> None:
        if self.state not in (State.CALLING, State.TRYING, State.PROCEEDING):
            return
        if self.invite and self.state is State.PROCEEDING:
            return  # Timer A stops at the first provisional response
        self.layer.spawn(self._send(self.request))
        if self.invite:
            self._interval *= 2
        elif self.state is State.PROCEEDING:
            self._interval = self.layer.timers.t2
        else:
            self._interval = min(self._interval * 2, self.layer.timers.t2)
        self._retransmit = asyncio.get_running_loop().call_later(
            self._interval, self._on_retransmit
        )

    def _on_timeout(self) -> None:
        if self.state in (State.CALLING, State.TRYING, State.PROCEEDING):
            self.no_response = self.provisional is None
            self._finish(self._local(408, "Request Timeout"))

    def receive(self, response: Response) -> None:
        if response.status < 200:
            if self.state in (State.CALLING, State.TRYING, State.PROCEEDING):
                self.state = State.PROCEEDING
                self.provisional = response
                if self.on_provisional is not None:
                    try:
                        self.on_provisional(response)
                    except Exception:
                        log.exception("provisional response handler failed")
            return
        if self.state is State.COMPLETED:
            if self.invite and self.ack is not None:
                self.layer.spawn(self._send(self.ack))  # the ACK was lost: again
            return
        if self.state not in (State.CALLING, State.TRYING, State.PROCEEDING):
            return
        if self.invite and response.status < 300:
            self._finish(response)  # 2xx: the core ACKs
            return
        if self.invite:
            self.ack = self._ack_for(response)
            self.layer.spawn(self._send(self.ack))
        self._finish(response, linger=True)

    def _ack_for(self, response: Response) -> Request:
        """RFC 3261 17.1.1.3: the ACK of a non-2xx final, in this transaction."""
        ack = Request("ACK", self.request.uri)
        ack.add("Via", self.request.get_all("Via")[0])
        for name in ("Max-Forwards", "From"):
            value = self.request.get(name)
            if value is not None:
                ack.add(name, value)
        ack.add("To", response.get("To") or self.request.get("To") or "")
        ack.add("Call-ID", self.request.call_id)
        ack.add("CSeq", f"{self.request.cseq.number} ACK")
        for route in self.request.get_all("Route"):
            ack.add("Route", route)
        return ack

    def _finish(self, response: Response, *, linger: bool = False) -> None:
        self._cancel_timers()
        if not self.final.done():
            self.final.set_result(response)
        if linger:
            self.state = State.COMPLETED
            wait = (
                0.0
                if self.peer.reliable
                else (self.layer.timers.d if self.invite else self.layer.timers.t4)
            )
            self._linger = asyncio.get_running_loop().call_later(wait, self.terminate)
        else:
            self.terminate()

    def _cancel_timers(self) -> None:
        for handle in (self._retransmit, self._timeout):
            if handle is not None:
                handle.cancel()

    def terminate(self) -> None:
        """Leave the table (and stop retransmitting: an abandoned request)."""
        self._cancel_timers()
        if self._linger is not None:
            self._linger.cancel()
        self.state = State.TERMINATED
        if not self.final.done():
            self.final.set_result(self._local(408, "Request Timeout"))
        if self.layer.clients.get(self.key) is self:
            del self.layer.clients[self.key]


class ServerTransaction:
    """RFC 3261 17.2: INVITE (figure 7, with RFC 6026) and non-INVITE (figure 8) server
    transactions. The core answers through :meth:`respond`; a retransmitted request is
    answered again with the last response; ``on_ack_timeout`` is told when the ACK of a
    non-2xx final answer never came (Timer H)."""

    def __init__(self, layer: TransactionLayer, request: Request, peer: Peer, reply_to: Peer):
        self.layer = layer
        self.request = request
        self.peer = peer
        self.reply_to = reply_to
        self.invite = request.method == "INVITE"
        self.key = server_key(request)
        self.state = State.PROCEEDING if self.invite else State.TRYING
        self.last_response: Response | None = None
        self.on_ack_timeout: Callable[[], None] | None = None
        self.acked = asyncio.get_running_loop().create_future()
        self._interval = layer.timers.t1
        self._retransmit: asyncio.TimerHandle | None = None
        self._timeout: asyncio.TimerHandle | None = None
        self._linger: asyncio.TimerHandle | None = None

    @property
    def answered(self) -> bool:
        """A final response was sent."""
        return self.last_response is not None and self.last_response.status >= 200

    async def respond(self, response: Response) -> None:
        if self.state in (State.COMPLETED, State.CONFIRMED, State.TERMINATED, State.ACCEPTED):
            return  # already answered finally
        self.last_response = response
        loop = asyncio.get_running_loop()
        if response.status < 200:
            self.state = State.PROCEEDING
        elif self.invite and response.status < 300:
            self.state = State.ACCEPTED
            self._linger = loop.call_later(self.layer.timers.b, self.terminate)
        elif self.invite:
            self.state = State.COMPLETED
            if not self.reply_to.reliable:
                self._retransmit = loop.call_later(self._interval, self._on_retransmit)
            self._timeout = loop.call_later(self.layer.timers.h, self._on_ack_timeout)
        else:
            self.state = State.COMPLETED
            wait = 0.0 if self.reply_to.reliable else self.layer.timers.j
            self._linger = loop.call_later(wait, self.terminate)
        await self._send(response)

    async def _send(self, response: Response) -> None:
        try:
            await self.layer.send(response, self.reply_to)
        except TransportError as error:
            log.info("SIP response to %s failed: %s", self.reply_to, error)
            if self.reply_to.reliable:
                # RFC 3261 18.2.2: the connection is gone: try the Via's address
                via = self.request.top_via
                host, port = via.response_address()
                with_via = Peer(SipTransportName(via.transport.lower()), host, port)
                if with_via != self.reply_to:
                    self.reply_to = with_via
                    with contextlib.suppress(TransportError):
                        await self.layer.send(response, with_via)

    def receive_retransmission(self) -> None:
        """The request came again: answer again (not in Trying nor after a 2xx)."""
        if self.last_response is not None and self.state in (
            State.PROCEEDING,
            State.COMPLETED,
        ):
            self.layer.spawn(self._send(self.last_response))

    def receive_ack(self) -> None:
        if self.state is State.COMPLETED and self.invite:
            self.state = State.CONFIRMED
            self._cancel_timers()
            if not self.acked.done():
                self.acked.set_result(None)
            wait = 0.0 if self.reply_to.reliable else self.layer.timers.t4
            self._linger = asyncio.get_running_loop().call_later(wait, self.terminate)

    def _on_retransmit(self) -> None:
        if self.state is not State.COMPLETED or self.last_response is None:
            return
        self.layer.spawn(self._send(self.last_response))
        self._interval = min(self._interval * 2, self.layer.timers.t2)
        self._retransmit = asyncio.get_running_loop().call_later(
            self._interval, self._on_retransmit
        )

    def _on_ack_timeout(self) -> None:
        if self.state is State.COMPLETED:
            callback = self.on_ack_timeout
            self.terminate()
            if callback is not None:
                callback()

    def _cancel_timers(self) -> None:
        for handle in (self._retransmit, self._timeout):
            if handle is not None:
                handle.cancel()

    def terminate(self) -> None:
        self._cancel_timers()
        if self._linger is not None:
            self._linger.cancel()
        self.state = State.TERMINATED
        if self.layer.servers.get(self.key) is self:
            del self.layer.servers[self.key]
