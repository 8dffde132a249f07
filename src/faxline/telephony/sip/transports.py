"""Where SIP messages travel: one UDP socket and one TCP listener on the same port (RFC 3261
section 18), and the TCP (or TLS) connections we open or accept.

The user agent hands :meth:`SipSockets.send` the bytes and a :class:`Peer`; what arrives is
given to ``on_message`` with the peer it came from. A connection's bytes are cut into messages
by :class:`~faxline.telephony.sip.message.StreamFramer`; a stream that cannot be framed is
closed (its peer reconnects). Connections are reused both ways: a request to a trunk goes over
the connection already open to it, a response goes back over the connection its request came
on. Outgoing TLS (``sips``/``transport=tls`` trunks) needs ``tls_context``; we do not listen
for TLS.

``drop_outgoing``/``drop_incoming`` make the next N datagrams vanish, and ``drop_filter``
(``direction, data -> bool``, ``direction`` ``"in"`` or ``"out"``) the ones it picks: tests use
them to prove that the transaction layer retransmits and absorbs retransmissions.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faxline.telephony.sip.config import SipTransportName
from faxline.telephony.sip.message import ParseError, StreamFramer

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 1024
CONNECT_TIMEOUT = 5.0


class TransportError(OSError):
    """A message could not be sent (connection refused, no route, name not found)."""


@dataclass(frozen=True)
class Peer:
    """The other end of one hop: transport, address (an IP), port."""

    transport: SipTransportName
    host: str
    port: int

    @property
    def reliable(self) -> bool:
        return self.transport is not SipTransportName.UDP


MessageHandler = Callable[[bytes, Peer], None]
"""Told of every message that arrives (datagram or framed stream message)."""


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, owner: SipSockets):
        self.owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.owner._datagram(data, (str(addr[0]), int(str(addr[1]))))

    def error_received(self, exc: Exception) -> None:
        log.debug("SIP UDP error: %s", exc)


class Connection(asyncio.Protocol):
    """One TCP/TLS connection: frames the stream, answers CRLF keep-alive pings."""

    def __init__(self, owner: SipSockets, transport_name: SipTransportName):
        self.owner = owner
        self.transport_name = transport_name
        self.framer = StreamFramer()
        self.transport: asyncio.Transport | None = None
        self.peer: Peer | None = None
        self.keys: set[tuple[str, str, int]] = set()
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        address = transport.get_extra_info("peername")
        self.peer = Peer(self.transport_name, str(address[0]), int(address[1]))
        if len(self.owner._connections) >= MAX_CONNECTIONS:
            transport.close()
            return
        self.owner._register(self, self.peer.host, self.peer.port)

    def data_received(self, data: bytes) -> None:
        try:
            messages = self.framer.feed(data)
        except ParseError as error:
            log.info("closing SIP connection from %s: %s", self.peer, error.reason)
            if self.transport is not None:
                self.transport.close()
            return
        if self.framer.pings and self.transport is not None:
            self.transport.write(b"\r\n" * self.framer.pings)
            self.framer.pings = 0
        for message in messages:
            if self.peer is not None:
                self.owner._deliver(message, self.peer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.owner._forget(self)
        if not self.closed.done():
            self.closed.set_result(None)

    def write(self, data: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            raise TransportError("connection closed")
        self.transport.write(data)


class SipSockets:
    """The listening sockets and open connections of one user agent."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        transports: Sequence[SipTransportName],
        on_message: MessageHandler,
        tls_context: ssl.SSLContext | None = None,
    ):
        self.host = host
        self.port = port
        self.transports = tuple(transports)
        self.on_message = on_message
        self.tls_context = tls_context
        self._udp: asyncio.DatagramTransport | None = None
        self._server: asyncio.Server | None = None
        self._connections: dict[tuple[str, str, int], Connection] = {}
        self._connecting: dict[tuple[str, str, int], asyncio.Future[Connection]] = {}
        self._addresses: dict[str, str] = {}
        self.drop_outgoing = 0
        self.drop_incoming = 0
        self.drop_filter: Callable[[str, bytes], bool] | None = None
        self.dropped: list[bytes] = []

    async def start(self) -> int:
        """Bind (port 0: a port the OS chooses, free for UDP and TCP alike)."""
        loop = asyncio.get_running_loop()
        for _attempt in range(20):
            udp: asyncio.DatagramTransport | None = None
            try:
                chosen = self.port
                if SipTransportName.UDP in self.transports:
                    udp, _ = await loop.create_datagram_endpoint(
                        lambda: _Datagrams(self), local_addr=(self.host, self.port)
                    )
                    chosen = int(udp.get_extra_info("sockname")[1])
                if SipTransportName.TCP in self.transports:
                    self._server = await loop.create_server(
                        lambda: Connection(self, SipTransportName.TCP),
                        self.host,
                        chosen,
                        reuse_address=True,
                    )
                    chosen = int(self._server.sockets[0].getsockname()[1])
            except OSError:
                if udp is not None:
                    udp.close()
                if self.port:
                    raise
                continue
            self._udp = udp
            self.port = chosen
            return chosen
        raise TransportError("no port free for both UDP and TCP")

    async def close(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections.values()):
            if connection.transport is not None:
                connection.transport.close()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)
            self._server = None
        self._connections.clear()

    # receiving -----------------------------------------------------------------------------
    def _datagram(self, data: bytes, address: tuple[str, int]) -> None:
        if self.drop_incoming > 0 or (self.drop_filter and self.drop_filter("in", data)):
            self.drop_incoming = max(self.drop_incoming - 1, 0)
            self.dropped.append(data)
            return
        if not data.strip(b"\r\n\x00 "):
            return  # a keep-alive
        self._deliver(data, Peer(SipTransportName.UDP, address[0], address[1]))

    def _deliver(self, data: bytes, peer: Peer) -> None:
        try:
            self.on_message(data, peer)
        except Exception:  # the receive path must survive anything
            log.exception("SIP message handling failed")

    # connections ---------------------------------------------------------------------------
    def _register(self, connection: Connection, host: str, port: int) -> None:
        key = (connection.transport_name.value, host, port)
        self._connections[key] = connection
        connection.keys.add(key)

    def _forget(self, connection: Connection) -> None:
        for key in connection.keys:
            if self._connections.get(key) is connection:
                del self._connections[key]

    def has_connection(self, peer: Peer) -> bool:
        connection = self._connections.get((peer.transport.value, peer.host, peer.port))
        return connection is not None and connection.transport is not None

    async def _connection(self, peer: Peer) -> Connection:
        key = (peer.transport.value, peer.host, peer.port)
        existing = self._connections.get(key)
        if existing is not None and existing.transport and not existing.transport.is_closing():
            return existing
        pending = self._connecting.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Connection] = loop.create_future()
        self._connecting[key] = future
        try:
            context = None
            if peer.transport is SipTransportName.TLS:
                context = self.tls_context or ssl.create_default_context()
            _, connection = await asyncio.wait_for(
                loop.create_connection(
                    lambda: Connection(self, peer.transport),
                    peer.host,
                    peer.port,
                    ssl=context,
                    local_addr=(self.host, 0) if not _wildcard(self.host) else None,
                ),
                CONNECT_TIMEOUT,
            )
            self._register(connection, peer.host, peer.port)
            future.set_result(connection)
            return connection
        except (OSError, TimeoutError, ssl.SSLError) as error:
            failure = TransportError(f"cannot connect to {peer}: {error}")
            future.set_exception(failure)
            future.exception()  # retrieved: nobody else may be waiting
            raise failure from error
        finally:
            self._connecting.pop(key, None)

    # sending -------------------------------------------------------------------------------
    async def resolve(self, host: str) -> str:
        """An IP address for ``host`` (A/AAAA lookup, cached; no SRV/NAPTR)."""
        bare = host[1:-1] if host.startswith("[") else host
        try:
            ipaddress.ip_address(bare)
            return bare
        except ValueError:
            pass
        if bare in self._addresses:
            return self._addresses[bare]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(bare, None, type=socket.SOCK_DGRAM)
        except OSError as error:
            raise TransportError(f"cannot resolve {bare}: {error}") from error
        if not infos:
            raise TransportError(f"cannot resolve {bare}")
        address = str(infos[0][4][0])
        if len(self._addresses) > 256:
            self._addresses.clear()
        self._addresses[bare] = address
        return address

    async def send(self, data: bytes, peer: Peer) -> None:
        """Send one message to ``peer`` (a connection is opened when none is)."""
        host = await self.resolve(peer.host)
        peer = Peer(peer.transport, host, peer.port)
        if peer.transport is SipTransportName.UDP:
            if self._udp is None:
                raise TransportError("UDP is not open")
            if self.drop_outgoing > 0 or (self.drop_filter and self.drop_filter("out", data)):
                self.drop_outgoing = max(self.drop_outgoing - 1, 0)
                self.dropped.append(data)
                return
            try:
                self._udp.sendto(data, (peer.host, peer.port))
            except OSError as error:
                raise TransportError(str(error)) from error
            return
        connection = await self._connection(peer)
        connection.write(data)

    def local_address_for(self, host: str) -> str:
        """Our address as the peer at ``host`` sees it (for Via and Contact when we are bound
        to the wildcard address)."""
        if not _wildcard(self.host):
            return self.host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect((host, 9))
                return str(probe.getsockname()[0])
            except OSError:
                return "127.0.0.1"


def _wildcard(host: str) -> bool:
    return host in ("", "0.0.0.0", "::")  # noqa: S104 - comparing, not binding
