"""One RTP stream of G.711 audio over asyncio UDP (RFC 3550), 20 ms per packet.

:class:`RtpEndpoint` sends each 20 ms frame a fax session transmits as one RTP packet
(sequence number +1, timestamp +160, our SSRC, the marker bit on the first) and gives back,
once per tick, the next 20 ms of what the far end sent from a small :class:`JitterBuffer`:
packets re-ordered by sequence number, duplicates dropped, a frame that never came played as
silence. Packets of another payload type (RFC 4733 telephone events, comfort noise) are
ignored, and so is every packet from an address other than the first one heard (latching:
a carrier's media may come from behind a NAT, never from two places at once), except the
address the SDP gave, which takes the latch over when it is heard.

Cost matters: a provider runs 100+ calls in one process, each sending and receiving 50
packets a second. The packet header is packed into one buffer kept for the stream's life, the
payload is encoded into it in C, received payloads are kept as they came and decoded only
when played, and silence is one shared bytes object.

Only 20 ms packets (160 octets of G.711) are taken: that is what a fax call over G.711 uses
(``a=ptime:20``); other packet sizes are ignored and counted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import struct
from dataclasses import dataclass
from typing import Any
from typing import Protocol as TypingProtocol

from faxline.telephony.media import g711
from faxline.telephony.sip.config import Codec
from faxline.telephony.spandsp import ffi

__all__ = ["FRAME_BYTES", "FRAME_SAMPLES", "JitterBuffer", "RtpEndpoint", "RtpStats", "bind_udp"]

FRAME_SAMPLES = 160
FRAME_BYTES = 2 * FRAME_SAMPLES
HEADER = 12
SILENCE = bytes(FRAME_BYTES)
_HEADER = struct.Struct("!BBHII")
_SEQ_MOD = 1 << 16
_HALF = 1 << 15
BURST = 8  # frames a burst may add to the delay before the oldest are skipped


@dataclass
class RtpStats:
    """What happened to one stream's packets.

    ``received``: audio packets taken into the jitter buffer; ``lost``: frames played as
    silence because their packet never came while later ones had; ``late``: packets that came
    after their frame was played (dropped); ``duplicates``: copies of a packet already held or
    played; ``ignored``: packets of another payload type or size, from another source, before
    ``connect``, or not RTP at all; ``underruns``: ticks with nothing to play (the far end
    silent or slower than us); ``dropped``: frames skipped to keep the delay bounded (the far
    end faster than us); ``resyncs``: the far end's sequence jumped or its SSRC changed and
    the buffer started over.
    """

    sent: int = 0
    received: int = 0
    lost: int = 0
    late: int = 0
    duplicates: int = 0
    ignored: int = 0
    underruns: int = 0
    dropped: int = 0
    resyncs: int = 0
    send_errors: int = 0


class JitterBuffer:
    """Received frames held by sequence number until played, one per :meth:`pop`.

    Playout starts ``depth - 1`` pops after the first packet (so a packet may come up to that
    many frames behind the first one's pace and still be played in order). A missing frame is
    skipped (``None``, counted lost) when a later one is already here; when nothing is here
    the playout waits (an underrun) rather than declaring frames lost that may still come. The
    buffer holds at most ``capacity`` frames (a power of two) and keeps the delay under
    ``depth + 8`` frames by skipping the oldest (a burst after a stall of the network is
    played late rather than lost; beyond that the far end runs faster than we do), so memory
    and latency are bounded.
    """

    def __init__(self, stats: RtpStats, *, depth: int = 3, capacity: int = 64) -> None:
        if depth < 1:
            raise ValueError(f"depth must be at least 1, not {depth}")
        if capacity & (capacity - 1) or capacity < 4 * depth:
            raise ValueError(f"capacity must be a power of two >= 4 * depth, not {capacity}")
        self.stats = stats
        self.depth = depth
        self.capacity = capacity
        self._mask = capacity - 1
        self._max_level = min(depth + BURST, capacity)
        self._payloads: list[bytes | None] = [None] * capacity
        self._seqs: list[int] = [-1] * capacity
        self._next = -1  # extended sequence number of the next frame to play; -1: not started
        self._high = -1  # highest extended sequence number received
        self._prefill = 0

    def reset(self) -> None:
        """Forget everything (a new stream): the next packet starts playout again."""
        self._payloads = [None] * self.capacity
        self._seqs = [-1] * self.capacity
        self._next = -1
        self._high = -1
        self._prefill = 0

    @property
    def level(self) -> int:
        """Frames from the next to play to the highest received (held or missing)."""
        return 0 if self._next < 0 else max(0, self._high - self._next + 1)

    def put(self, seq: int, payload: bytes) -> None:
        """Take the packet with 16-bit sequence number ``seq``."""
        stats = self.stats
        if self._next < 0:
            self._start(seq)
        nxt = self._next
        diff = (seq - nxt) & 0xFFFF
        ext = nxt + diff if diff < _HALF else nxt + diff - _SEQ_MOD
        if ext < nxt:
            if nxt - ext > self.capacity:  # far behind: the far end restarted its numbering
                stats.resyncs += 1
                self.reset()
                self.put(seq, payload)
                return
            if self._seqs[ext & self._mask] == ext:
                stats.duplicates += 1
            else:
                stats.late += 1
            return
        if ext - nxt >= self.capacity:  # a jump of more than the buffer: start over there
            stats.resyncs += 1
            self.reset()
            self.put(seq, payload)
            return
        slot = ext & self._mask
        if self._seqs[slot] == ext:
            stats.duplicates += 1
            return
        self._seqs[slot] = ext
        self._payloads[slot] = payload
        stats.received += 1
        if ext > self._high:
            self._high = ext
            if ext - nxt + 1 > self._max_level:
                self._skip_to(ext - self.depth + 1)

    def _start(self, seq: int) -> None:
        self._next = seq
        self._high = seq - 1
        self._prefill = self.depth - 1

    def _skip_to(self, target: int) -> None:
        payloads, seqs, mask = self._payloads, self._seqs, self._mask
        while self._next < target:
            slot = self._next & mask
            if seqs[slot] == self._next and payloads[slot] is not None:
                payloads[slot] = None
                self.stats.dropped += 1
            self._next += 1

    def pop(self) -> bytes | None:
        """The payload of the next frame, or None for silence (missing, or not started)."""
        nxt = self._next
        if nxt < 0:
            return None
        if self._prefill > 0:
            self._prefill -= 1
            return None
        slot = nxt & self._mask
        payload = self._payloads[slot]
        if payload is not None and self._seqs[slot] == nxt:
            self._payloads[slot] = None
            self._next = nxt + 1
            return payload
        if self._high > nxt:
            self.stats.lost += 1
            self._next = nxt + 1
            return None
        self.stats.underruns += 1
        return None


def ip_literal(host: str) -> str:
    """``host`` checked to be an IP address (SDP gives addresses; a name would be resolved on
    every packet)."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        raise ValueError(f"an IP address is needed for media, not {host!r}") from None


def bind_udp(host: str, port: int, *, even: bool) -> socket.socket:
    """A non-blocking UDP socket bound to ``host:port``; with ``port`` 0 the OS chooses, and
    with ``even`` an even port is taken (RTP on even ports, RTCP on the odd one above)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    held: list[socket.socket] = []
    try:
        for _ in range(64):
            sock = socket.socket(family, socket.SOCK_DGRAM)
            try:
                sock.bind((host, port))
            except OSError:
                sock.close()
                raise
            if port or not even or sock.getsockname()[1] % 2 == 0:
                sock.setblocking(False)
                return sock
            held.append(sock)  # keep the odd one until done so the OS offers another
        raise OSError(f"no even UDP port found on {host}")
    finally:
        for sock in held:
            sock.close()


class _Receiver(TypingProtocol):
    """What a media endpoint offers its socket: take a datagram, count a send error."""

    stats: Any

    def _datagram(self, data: bytes, addr: tuple[Any, ...]) -> None: ...


class DatagramHandoff(asyncio.DatagramProtocol):
    """Hands datagrams to the endpoint (set once it is built): RTP's and UDPTL's."""

    def __init__(self) -> None:
        self.endpoint: _Receiver | None = None

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        if self.endpoint is not None:
            self.endpoint._datagram(data, addr)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable from a far end that has gone: counted, never raised.
        if self.endpoint is not None:
            self.endpoint.stats.send_errors += 1


class RtpEndpoint:
    """One RTP stream, asyncio UDP. See the module's description.

    Make one with :meth:`open`; :meth:`connect` says where to send and which codec (again
    after a re-INVITE that changes them); then once per 20 ms tick :meth:`send` a frame and
    :meth:`take` one.
    """

    host: str
    port: int

    def __init__(
        self, transport: asyncio.DatagramTransport, *, depth: int = 3, capacity: int = 64
    ) -> None:
        self._transport = transport
        sockname = transport.get_extra_info("sockname")
        self.host, self.port = str(sockname[0]), int(sockname[1])
        self.stats = RtpStats()
        self.jitter = JitterBuffer(self.stats, depth=depth, capacity=capacity)
        self.codec: Codec | None = None
        self.remote: tuple[str, int] | None = None
        self.payload_type = -1
        self._ulaw = 1
        self._source: tuple[Any, ...] | None = None
        self._far_ssrc: int | None = None
        rnd = random.SystemRandom()
        self.ssrc = rnd.getrandbits(32)
        self._seq = rnd.getrandbits(16)
        self._timestamp = rnd.getrandbits(32)
        self._marker = 0x80
        self._packet = bytearray(HEADER + FRAME_SAMPLES)
        self._payload_ptr = ffi.from_buffer("uint8_t[]", self._packet) + HEADER
        self._rx = ffi.new("int16_t[]", FRAME_SAMPLES)
        self._rx_bytes = ffi.buffer(self._rx)
        self._closed = False

    @classmethod
    async def open(
        cls, host: str = "127.0.0.1", port: int = 0, *, depth: int = 3, capacity: int = 64
    ) -> RtpEndpoint:
        """Bind ``host:port`` (port 0: an even port the OS chooses)."""
        sock = bind_udp(ip_literal(host), port, even=True)
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.create_datagram_endpoint(DatagramHandoff, sock=sock)
        endpoint = cls(transport, depth=depth, capacity=capacity)
        protocol.endpoint = endpoint
        return endpoint

    def connect(self, host: str, port: int, codec: Codec, payload_type: int | None = None) -> None:
        """Send to ``host:port`` in ``codec`` (``payload_type``: the negotiated number, else
        the codec's static one). A changed address forgets the latched source and what the
        jitter buffer held."""
        remote = (ip_literal(host), int(port))
        if not 0 < remote[1] < 65536:
            raise ValueError(f"not a UDP port: {port!r}")
        pt = codec.payload_type if payload_type is None else int(payload_type)
        if not 0 <= pt < 128:
            raise ValueError(f"not an RTP payload type: {payload_type!r}")
        if remote != self.remote or codec is not self.codec:
            self._source = None
            self._far_ssrc = None
            self.jitter.reset()
        self.remote = remote
        self.codec = Codec(codec)
        self.payload_type = pt
        self._ulaw = 1 if self.codec is Codec.PCMU else 0

    def send(self, pcm: bytes) -> None:
        """Send one 20 ms frame (160 native-endian int16 samples) as one RTP packet."""
        if self.remote is None or self._closed:
            return
        samples = len(pcm) // 2
        if samples == FRAME_SAMPLES:
            packet: bytearray = self._packet
            g711.encode_into(
                self._ulaw, self._payload_ptr, ffi.from_buffer("int16_t[]", pcm), FRAME_SAMPLES
            )
        else:
            packet = bytearray(HEADER + samples)
            if samples:
                g711.encode_into(
                    self._ulaw,
                    ffi.from_buffer("uint8_t[]", packet) + HEADER,
                    ffi.from_buffer("int16_t[]", pcm),
                    samples,
                )
        _HEADER.pack_into(
            packet, 0, 0x80, self._marker | self.payload_type, self._seq, self._timestamp, self.ssrc
        )
        self._marker = 0
        self._seq = (self._seq + 1) & 0xFFFF
        self._timestamp = (self._timestamp + samples) & 0xFFFFFFFF
        try:
            self._transport.sendto(packet, self.remote)
        except OSError:
            self.stats.send_errors += 1
            return
        self.stats.sent += 1

    def take(self) -> bytes:
        """The next 20 ms of the far end's audio (native-endian int16; silence when none)."""
        payload = self.jitter.pop()
        if payload is None:
            return SILENCE
        g711.decode_into(self._ulaw, self._rx, payload, FRAME_SAMPLES)
        return self._rx_bytes[:]

    def _datagram(self, data: bytes, addr: tuple[Any, ...]) -> None:
        stats = self.stats
        size = len(data)
        if self.remote is None or size < HEADER:
            stats.ignored += 1
            return
        first, second, seq, _timestamp, ssrc = _HEADER.unpack_from(data)
        if first & 0xC0 != 0x80:  # not RTP version 2 (STUN, RTCP on the wrong port, noise)
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
        if second & 0x7F != self.payload_type:
            stats.ignored += 1  # telephone-event, comfort noise, anything else
            return
        start = HEADER + 4 * (first & 0x0F)
        if first & 0x10:  # header extension: 16-bit profile, 16-bit length in words
            if size < start + 4:
                stats.ignored += 1
                return
            start += 4 + 4 * int.from_bytes(data[start + 2 : start + 4], "big")
        end = size - data[-1] if first & 0x20 else size
        if end - start != FRAME_SAMPLES:
            stats.ignored += 1
            return
        if ssrc != self._far_ssrc:
            if self._far_ssrc is not None:  # a new stream from the same place
                stats.resyncs += 1
                self.jitter.reset()
            self._far_ssrc = ssrc
        self.jitter.put(seq, data[start:end])

    def close(self) -> None:
        """Stop sending and receiving (idempotent)."""
        if not self._closed:
            self._closed = True
            self._transport.close()

    def __repr__(self) -> str:
        return f"<RtpEndpoint {self.host}:{self.port} -> {self.remote} {self.codec}>"
