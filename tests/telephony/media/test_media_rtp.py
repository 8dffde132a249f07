"""RTP: the packets we send, the jitter buffer, what is ignored, latching."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from faxline.telephony.media import g711
from faxline.telephony.media.rtp import SILENCE, JitterBuffer, RtpEndpoint, RtpStats
from faxline.telephony.sip.config import Codec
from faxline.telephony.transport import run_sync

pytestmark = pytest.mark.database_independent

T = TypeVar("T")


def run(coro: Callable[[], Awaitable[T]]) -> T:
    return run_sync(coro())  # type: ignore[arg-type]


def frame_of(value: int) -> bytes:
    return struct.pack("<160h", *([value] * 160))


def rtp(seq: int, payload: bytes, *, pt: int = 0, ssrc: int = 0x1234, ts: int = 0) -> bytes:
    return struct.pack("!BBHII", 0x80, pt, seq & 0xFFFF, ts, ssrc) + payload


def raw_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2.0)
    return sock


async def settle(until: Callable[[], bool] | None = None) -> None:
    """Let the event loop read what was sent on loopback (until ``until()``, at most 2 s)."""
    for _ in range(400):
        await asyncio.sleep(0.005)
        if until is None or until():
            break


# --- the jitter buffer alone ----------------------------------------------------------------


def payload(n: int) -> bytes:
    return bytes([n & 0xFF]) * 160


def drain(buffer: JitterBuffer, count: int) -> list[int | None]:
    out: list[int | None] = []
    for _ in range(count):
        got = buffer.pop()
        out.append(None if got is None else got[0])
    return out


def test_jitter_buffer_waits_depth_then_plays_in_order() -> None:
    stats = RtpStats()
    buffer = JitterBuffer(stats, depth=3)
    assert buffer.pop() is None  # nothing yet: silence, not a loss
    for seq in (10, 12, 11):  # re-ordered on the way
        buffer.put(seq, payload(seq))
    assert drain(buffer, 2) == [None, None]  # playout starts depth - 1 pops after the first
    assert drain(buffer, 3) == [10, 11, 12]
    assert stats.received == 3 and stats.lost == 0 and stats.late == 0


def test_a_missing_frame_is_silence_and_counted_lost() -> None:
    stats = RtpStats()
    buffer = JitterBuffer(stats, depth=1)
    for seq in (1, 2, 4, 5):
        buffer.put(seq, payload(seq))
    assert drain(buffer, 5) == [1, 2, None, 4, 5]
    assert stats.lost == 1
    # Nothing more came: an underrun waits instead of counting losses.
    assert drain(buffer, 2) == [None, None]
    assert stats.lost == 1 and stats.underruns == 2
    buffer.put(6, payload(6))
    assert drain(buffer, 1) == [6]


def test_duplicates_and_late_packets_are_dropped() -> None:
    stats = RtpStats()
    buffer = JitterBuffer(stats, depth=1)
    buffer.put(100, payload(100))
    buffer.put(100, payload(100))  # held twice
    buffer.put(102, payload(102))
    assert drain(buffer, 3) == [100, None, 102]
    buffer.put(100, payload(100))  # already played
    buffer.put(101, payload(101))  # its frame was played as silence
    assert (stats.duplicates, stats.late, stats.lost) == (2, 1, 1)


def test_sequence_numbers_wrap() -> None:
    stats = RtpStats()
    buffer = JitterBuffer(stats, depth=2)
    for seq in (65534, 0, 65535, 1):
        buffer.put(seq, payload(seq))
    assert drain(buffer, 5) == [None, 0xFE, 0xFF, 0, 1]
    assert stats.lost == 0


def test_delay_stays_bounded_and_jumps_resync() -> None:
    stats = RtpStats()
    buffer = JitterBuffer(stats, depth=2, capacity=16)
    for seq in range(30):  # a burst: far more than the buffer should hold
        buffer.put(seq, payload(seq))
    assert buffer.level <= 2 + 8
    assert stats.dropped > 0
    buffer.put(5000, payload(5000 & 0xFF))  # a jump: a new numbering
    assert stats.resyncs == 1
    assert drain(buffer, 2) == [None, 5000 & 0xFF]


def test_jitter_buffer_arguments() -> None:
    with pytest.raises(ValueError):
        JitterBuffer(RtpStats(), depth=0)
    with pytest.raises(ValueError):
        JitterBuffer(RtpStats(), depth=3, capacity=48)


# --- over sockets ---------------------------------------------------------------------------


def test_packets_sent() -> None:
    async def scenario() -> list[bytes]:
        endpoint = await RtpEndpoint.open()
        assert endpoint.port % 2 == 0 and endpoint.host == "127.0.0.1"
        far = raw_socket()
        endpoint.connect(*far.getsockname(), Codec.PCMA)
        for value in (0, 1000, -1000):
            endpoint.send(frame_of(value))
        packets = [far.recv(2048) for _ in range(3)]
        assert endpoint.stats.sent == 3
        endpoint.close()
        far.close()
        return packets

    packets = run(scenario)
    headers = [struct.unpack("!BBHII", p[:12]) for p in packets]
    assert [len(p) for p in packets] == [172] * 3
    assert [h[0] for h in headers] == [0x80] * 3  # version 2, no padding, extension, CSRC
    assert [h[1] for h in headers] == [0x80 | 8, 8, 8]  # marker on the first; PCMA is 8
    assert [(h[2] - headers[0][2]) & 0xFFFF for h in headers] == [0, 1, 2]
    assert [(h[3] - headers[0][3]) & 0xFFFFFFFF for h in headers] == [0, 160, 320]
    assert len({h[4] for h in headers}) == 1
    assert packets[1][12:] == g711.encode(Codec.PCMA, frame_of(1000))
    assert packets[0][12:] == b"\xd5" * 160


def test_two_endpoints_carry_audio_and_a_negotiated_payload_type() -> None:
    async def scenario() -> list[bytes]:
        a, b = await RtpEndpoint.open(), await RtpEndpoint.open(depth=1)
        a.connect(b.host, b.port, Codec.PCMU, payload_type=96)
        b.connect(a.host, a.port, Codec.PCMU, payload_type=96)
        for value in (0, 2000, -2000):
            a.send(frame_of(value))
        await settle(lambda: b.stats.received == 3)
        got = [b.take() for _ in range(3)]
        a.close()
        b.close()
        return got

    got = run(scenario)
    assert got[0] == SILENCE
    assert got[1] == g711.decode(Codec.PCMU, g711.encode(Codec.PCMU, frame_of(2000)))
    assert struct.unpack("<160h", got[2])[0] < -1900


def test_telephone_events_and_others_are_ignored_and_the_first_source_is_latched() -> None:
    async def scenario() -> tuple[RtpStats, list[bytes]]:
        endpoint = await RtpEndpoint.open(depth=1)
        first, other = raw_socket(), raw_socket()
        endpoint.connect(*first.getsockname(), Codec.PCMU)
        target = (endpoint.host, endpoint.port)
        loud = g711.encode(Codec.PCMU, frame_of(3000))
        first.sendto(rtp(1, loud), target)
        first.sendto(rtp(2, b"\x05\x8a\x01\x40", pt=101), target)  # RFC 4733: digit 5
        first.sendto(rtp(3, b"\x0d", pt=13), target)  # comfort noise
        other.sendto(rtp(2, loud, ssrc=99), target)  # a second source: ignored
        first.sendto(rtp(2, loud), target)
        await settle(lambda: endpoint.stats.received + endpoint.stats.ignored == 5)
        taken = [endpoint.take() for _ in range(3)]
        endpoint.close()
        first.close()
        other.close()
        return endpoint.stats, taken

    stats, taken = run(scenario)
    assert stats.received == 2 and stats.ignored == 3
    assert taken[0] != SILENCE and taken[1] != SILENCE and taken[2] == SILENCE


def test_hostile_packets_are_ignored_without_raising() -> None:
    async def scenario() -> RtpStats:
        endpoint = await RtpEndpoint.open()
        far = raw_socket()
        endpoint.connect(*far.getsockname(), Codec.PCMU)
        target = (endpoint.host, endpoint.port)
        good = bytes(160)
        for datagram in (
            b"",
            b"\x80\x00",
            b"\x40" + bytes(171),  # version 1
            bytes((0xA0, 0)) + bytes(10) + good[:-1] + b"\xff",  # padding longer than the packet
            bytes((0x90, 0)) + bytes(10) + b"\x00\x00\xff\xff" + good,  # extension past the end
            bytes((0x8F, 0)) + bytes(10),  # 15 CSRCs announced, none there
            rtp(1, good[:80]),  # 10 ms: not taken
        ):
            far.sendto(datagram, target)
        await settle(lambda: endpoint.stats.ignored == 7)
        for _ in range(3):
            assert endpoint.take() == SILENCE
        endpoint.close()
        far.close()
        return endpoint.stats

    stats = run(scenario)
    assert stats.received == 0 and stats.ignored == 7


def test_reconnect_to_a_new_address_forgets_the_latched_source() -> None:
    async def scenario() -> RtpStats:
        endpoint = await RtpEndpoint.open(depth=1)
        first, second = raw_socket(), raw_socket()
        target = (endpoint.host, endpoint.port)
        endpoint.connect(*first.getsockname(), Codec.PCMU)
        first.sendto(rtp(1, bytes(160)), target)
        await settle(lambda: endpoint.stats.received == 1)
        endpoint.connect(*second.getsockname(), Codec.PCMU)
        second.sendto(rtp(500, bytes(160), ssrc=7), target)
        first.sendto(rtp(2, bytes(160)), target)
        await settle(lambda: endpoint.stats.received + endpoint.stats.ignored == 3)
        endpoint.close()
        first.close()
        second.close()
        return endpoint.stats

    stats = run(scenario)
    assert stats.received == 2 and stats.ignored == 1


def test_connect_checks_its_arguments() -> None:
    async def scenario() -> None:
        endpoint = await RtpEndpoint.open()
        with pytest.raises(ValueError, match="IP address"):
            endpoint.connect("carrier.example", 4000, Codec.PCMU)
        with pytest.raises(ValueError):
            endpoint.connect("127.0.0.1", 0, Codec.PCMU)
        with pytest.raises(ValueError):
            endpoint.connect("127.0.0.1", 4000, Codec.PCMU, payload_type=128)
        endpoint.send(frame_of(0))  # closed or not connected: nothing, no error
        endpoint.close()
        endpoint.close()

    run(scenario)


def test_the_address_the_sdp_gave_takes_the_latch_over() -> None:
    async def scenario() -> RtpStats:
        endpoint = await RtpEndpoint.open(depth=1)
        sdp_address, stranger = raw_socket(), raw_socket()
        endpoint.connect(*sdp_address.getsockname(), Codec.PCMU)
        target = (endpoint.host, endpoint.port)
        stranger.sendto(rtp(1, bytes(160), ssrc=5), target)  # heard first: latched
        await settle(lambda: endpoint.stats.received == 1)
        sdp_address.sendto(rtp(900, bytes(160)), target)  # the SDP's address: latched now
        await settle(lambda: endpoint.stats.received == 2)
        stranger.sendto(rtp(2, bytes(160), ssrc=5), target)  # ignored from now on
        await settle(lambda: endpoint.stats.ignored == 1)
        endpoint.close()
        sdp_address.close()
        stranger.close()
        return endpoint.stats

    stats = run(scenario)
    assert (stats.received, stats.ignored) == (2, 1)
