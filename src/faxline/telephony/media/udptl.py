"""T.38 over UDPTL (ITU-T T.38 clause 9): the packet codec and an asyncio endpoint.

A UDPTL packet, as T.38 defines it in ASN.1 and encodes it with ALIGNED PER (X.691)::

    UDPTLPacket ::= SEQUENCE {
        seq-number          INTEGER (0..65535),
        primary-ifp-packet  TYPE-IDENTIFIER.&Type(IFPPacket),          -- an open type
        error-recovery      CHOICE {
            secondary-ifp-packets  SEQUENCE OF TYPE-IDENTIFIER.&Type(IFPPacket),
            fec-info               SEQUENCE {
                fec-npackets  INTEGER,
                fec-data      SEQUENCE OF OCTET STRING } } }

which on the wire is: the sequence number in two octets (a constrained whole number of range
65536: 16 bits, octet-aligned); the primary IFP as an open type (a length determinant, then
its octets); one octet holding the CHOICE index in its top bit (the rest is the padding before
the next octet-aligned field: ``0x00`` redundancy, ``0x80`` FEC); then for redundancy a count
(a length determinant) and that many open types, for FEC an unconstrained integer (a length
determinant of its octets, then the two's-complement octets), a count and that many octet
strings (length determinant and octets).

A length determinant (X.691 10.9, unconstrained) is one octet ``0nnnnnnn`` below 128, two
octets ``10nnnnnn nnnnnnnn`` below 16384; above that X.691 fragments the value in 16K units
(``11mmmmmm``), which no UDPTL packet needs: it is refused as malformed.

Redundancy: each packet carries the IFPs of the packets before it, the most recent first
(the first secondary is ``seq - 1``), so the receiver recovers a lost packet from any of the
next few. :class:`UdptlEndpoint` sends that way and receives in order, each IFP exactly once.
FEC packets (``fec-info``) are decoded and their primary delivered; their parity is not used
for recovery (counted in ``fec_packets``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from faxline.telephony.media.rtp import DatagramHandoff, bind_udp, ip_literal

__all__ = [
    "FecInfo",
    "UdptlEndpoint",
    "UdptlError",
    "UdptlPacket",
    "UdptlStats",
    "decode_packet",
    "encode_length",
    "encode_packet",
]

MAX_LENGTH = 16383  # the largest length a one- or two-octet determinant carries
MAX_SECONDARIES = 32  # far more than anyone sends; a count beyond it is hostile
MAX_FEC_ENTRIES = 32
WINDOW = 1024  # sequence numbers within which packets are ordered; beyond: a new stream
QUEUE_LIMIT = 512  # received IFPs waiting for take(): older ones are dropped beyond it


class UdptlError(ValueError):
    """A packet that is not valid UDPTL (truncated, lengths past its end, fragmented)."""


@dataclass(frozen=True)
class FecInfo:
    """The forward error correction part of a packet: ``npackets`` packets spanned by each
    of the ``data`` parity entries."""

    npackets: int
    data: tuple[bytes, ...]


@dataclass(frozen=True)
class UdptlPacket:
    """One decoded UDPTL packet: secondaries most recent first (``seq - 1`` first)."""

    seq: int
    primary: bytes
    secondaries: tuple[bytes, ...] = ()
    fec: FecInfo | None = None


def encode_length(length: int) -> bytes:
    """An ALIGNED PER length determinant for ``length`` (0..16383)."""
    if 0 <= length < 0x80:
        return bytes((length,))
    if length <= MAX_LENGTH:
        return bytes((0x80 | (length >> 8), length & 0xFF))
    raise UdptlError(f"length {length} needs fragmentation: more than UDPTL carries")


def _length_size(length: int) -> int:
    return 1 if length < 0x80 else 2


def encode_packet(
    seq: int,
    primary: bytes,
    secondaries: Sequence[bytes] = (),
    *,
    max_datagram: int | None = None,
) -> bytes:
    """A redundancy UDPTL packet: ``secondaries`` most recent first; with ``max_datagram``
    the oldest secondaries are left out until the packet fits (the primary always goes)."""
    if not 0 <= seq <= 0xFFFF:
        raise UdptlError(f"sequence number {seq} is not 16 bits")
    if len(primary) > MAX_LENGTH:
        raise UdptlError(f"an IFP of {len(primary)} octets is more than UDPTL carries")
    count = min(len(secondaries), MAX_SECONDARIES)
    if max_datagram is not None:
        size = 2 + _length_size(len(primary)) + len(primary) + 1 + 1
        fits = 0
        for ifp in secondaries[:count]:
            size += _length_size(len(ifp)) + len(ifp)
            if size > max_datagram:
                break
            fits += 1
        count = fits
    out = bytearray(seq.to_bytes(2, "big"))
    out += encode_length(len(primary))
    out += primary
    out.append(0x00)  # CHOICE: secondary-ifp-packets
    out += encode_length(count)
    for ifp in secondaries[:count]:
        out += encode_length(len(ifp))
        out += ifp
    return bytes(out)


def encode_fec_packet(seq: int, primary: bytes, npackets: int, data: Sequence[bytes]) -> bytes:
    """A UDPTL packet with ``fec-info`` (the tests' far end that sends FEC)."""
    if not 0 <= npackets < 0x80:
        raise UdptlError("fec-npackets must be 0..127")
    out = bytearray(seq.to_bytes(2, "big"))
    out += encode_length(len(primary))
    out += primary
    out.append(0x80)  # CHOICE: fec-info
    out += b"\x01" + bytes((npackets,))  # unconstrained INTEGER: one octet of value
    out += encode_length(len(data))
    for entry in data:
        out += encode_length(len(entry))
        out += entry
    return bytes(out)


def _length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise UdptlError(f"truncated: a length expected at octet {pos}")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    if first < 0xC0:
        if pos + 1 >= len(data):
            raise UdptlError(f"truncated: a two-octet length at octet {pos}")
        return ((first & 0x3F) << 8) | data[pos + 1], pos + 2
    raise UdptlError(f"fragmented length at octet {pos}: not UDPTL")


def _octets(data: bytes, pos: int) -> tuple[bytes, int]:
    length, pos = _length(data, pos)
    end = pos + length
    if end > len(data):
        raise UdptlError(f"truncated: {length} octets announced at {pos}, {len(data) - pos} left")
    return data[pos:end], end


def decode_packet(data: bytes) -> UdptlPacket:
    """Decode one datagram; :class:`UdptlError` when it is not a valid UDPTL packet."""
    if len(data) < 4:
        raise UdptlError(f"truncated: {len(data)} octets")
    seq = (data[0] << 8) | data[1]
    primary, pos = _octets(data, 2)
    if pos >= len(data):
        raise UdptlError("truncated: no error-recovery field")
    choice = data[pos]
    pos += 1
    if choice & 0x7F:
        raise UdptlError(f"bad error-recovery octet {choice:#04x}")
    if not choice & 0x80:
        count, pos = _length(data, pos)
        if count > MAX_SECONDARIES:
            raise UdptlError(f"{count} secondary packets announced")
        secondaries = []
        for _ in range(count):
            ifp, pos = _octets(data, pos)
            secondaries.append(ifp)
        if pos != len(data):
            raise UdptlError(f"{len(data) - pos} octets after the packet")
        return UdptlPacket(seq, primary, tuple(secondaries))
    size, pos = _length(data, pos)
    if not 1 <= size <= 4 or pos + size > len(data):
        raise UdptlError(f"bad fec-npackets of {size} octets")
    npackets = int.from_bytes(data[pos : pos + size], "big", signed=True)
    pos += size
    count, pos = _length(data, pos)
    if count > MAX_FEC_ENTRIES:
        raise UdptlError(f"{count} FEC entries announced")
    entries = []
    for _ in range(count):
        entry, pos = _octets(data, pos)
        entries.append(entry)
    if pos != len(data):
        raise UdptlError(f"{len(data) - pos} octets after the packet")
    return UdptlPacket(seq, primary, (), FecInfo(npackets, tuple(entries)))


@dataclass
class UdptlStats:
    """``received``: valid packets; ``delivered``: IFPs handed to :meth:`UdptlEndpoint.take`;
    ``recovered``: of those, IFPs taken from a later packet's redundancy; ``lost``: sequence
    numbers skipped for good; ``duplicates``: packets whose IFP was already delivered (or
    given up); ``malformed``: datagrams that are not UDPTL; ``ignored``: from another source
    or before ``connect``; ``fec_packets``: packets with FEC instead of redundancy (their
    primary is used, their parity not); ``overflow``: IFPs dropped because ``take`` was not
    called; ``oversized``: IFPs sent alone because they did not fit ``max_datagram``."""

    sent: int = 0
    received: int = 0
    delivered: int = 0
    recovered: int = 0
    lost: int = 0
    duplicates: int = 0
    malformed: int = 0
    ignored: int = 0
    resyncs: int = 0
    fec_packets: int = 0
    overflow: int = 0
    oversized: int = 0
    send_errors: int = 0


class UdptlEndpoint:
    """T.38 IFPs over UDPTL with redundancy, asyncio UDP. See the module's description."""

    host: str
    port: int

    def __init__(self, transport: asyncio.DatagramTransport) -> None:
        self._transport = transport
        sockname = transport.get_extra_info("sockname")
        self.host, self.port = str(sockname[0]), int(sockname[1])
        self.stats = UdptlStats()
        self.remote: tuple[str, int] | None = None
        self.redundancy = 3
        self.max_datagram = 400
        self._seq = 0
        self._history: list[bytes] = []  # the last IFPs sent, most recent first
        self._source: tuple[Any, ...] | None = None
        self._next = -1  # the next sequence number to deliver; -1: nothing received yet
        self._queue: list[tuple[int, bytes]] = []
        self._closed = False

    @classmethod
    async def open(cls, host: str = "127.0.0.1", port: int = 0) -> UdptlEndpoint:
        """Bind ``host:port`` (port 0: an even port the OS chooses)."""
        sock = bind_udp(ip_literal(host), port, even=True)
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(DatagramHandoff, sock=sock)
        endpoint = cls(transport)
        protocol.endpoint = endpoint
        return endpoint

    def connect(
        self, host: str, port: int, *, redundancy: int = 3, max_datagram: int = 400
    ) -> None:
        """Send to ``host:port`` with ``redundancy`` previous IFPs in each packet, packets at
        most ``max_datagram`` octets (the far end's ``T38FaxMaxDatagram``). A changed address
        forgets the latched source."""
        remote = (ip_literal(host), int(port))
        if not 0 < remote[1] < 65536:
            raise ValueError(f"not a UDP port: {port!r}")
        if not 0 <= redundancy <= MAX_SECONDARIES:
            raise ValueError(f"redundancy must be 0..{MAX_SECONDARIES}, not {redundancy}")
        if max_datagram < 32:
            raise ValueError(f"max_datagram {max_datagram} is too small for any IFP")
        if remote != self.remote:
            self._source = None
        self.remote = remote
        self.redundancy = redundancy
        self.max_datagram = max_datagram
        del self._history[redundancy:]

    def send(self, ifp: bytes) -> None:
        """Send one IFP in the next packet, with the previous ones as redundancy."""
        if self.remote is None or self._closed:
            return
        packet = encode_packet(self._seq, ifp, self._history, max_datagram=self.max_datagram)
        if len(packet) > self.max_datagram:
            self.stats.oversized += 1
        self._seq = (self._seq + 1) & 0xFFFF
        if self.redundancy:
            self._history.insert(0, ifp)
            del self._history[self.redundancy :]
        try:
            self._transport.sendto(packet, self.remote)
        except OSError:
            self.stats.send_errors += 1
            return
        self.stats.sent += 1

    def take(self) -> list[tuple[int, bytes]]:
        """The IFPs received since the last call, in order, each once: ``(seq, ifp)``."""
        if not self._queue:
            return []
        queue, self._queue = self._queue, []
        return queue

    def _datagram(self, data: bytes, addr: tuple[Any, ...]) -> None:
        stats = self.stats
        if self.remote is None:
            stats.ignored += 1
            return
        if addr != self._source:
            # Latching: the first source heard is the far end's (a NAT may rewrite the
            # address the SDP gave), unless the address the SDP gave speaks up: it wins.
            if self._source is None or addr == self.remote:
                self._source = addr
            else:
                stats.ignored += 1
                return
        try:
            packet = decode_packet(data)
        except UdptlError:
            stats.malformed += 1
            return
        stats.received += 1
        if packet.fec is not None:
            stats.fec_packets += 1
        seq, secondaries = packet.seq, packet.secondaries
        if self._next < 0:  # the first packet: its redundancy reaches back before it
            self._next = (seq - len(secondaries)) & 0xFFFF
        ahead = (seq - self._next) & 0xFFFF
        if ahead >= 0x10000 - WINDOW:
            stats.duplicates += 1
            return
        queue = self._queue
        if ahead >= WINDOW:  # a jump: the far end started a new numbering
            stats.resyncs += 1
            ahead = 0
        else:
            for back in range(ahead, 0, -1):
                if back <= len(secondaries):
                    queue.append(((seq - back) & 0xFFFF, secondaries[back - 1]))
                    stats.recovered += 1
                else:
                    stats.lost += 1
        queue.append((seq, packet.primary))
        stats.delivered += 1 + min(ahead, len(secondaries))
        self._next = (seq + 1) & 0xFFFF
        if len(queue) > QUEUE_LIMIT:
            drop = len(queue) - QUEUE_LIMIT
            stats.overflow += drop
            del queue[:drop]

    def close(self) -> None:
        """Stop sending and receiving (idempotent)."""
        if not self._closed:
            self._closed = True
            self._transport.close()

    def __repr__(self) -> str:
        return f"<UdptlEndpoint {self.host}:{self.port} -> {self.remote}>"
