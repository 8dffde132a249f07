"""UDPTL: the packet codec against bytes derived from T.38 and X.691, recovery by redundancy,
and hostile input."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from faxline.telephony.media.udptl import (
    QUEUE_LIMIT,
    FecInfo,
    UdptlEndpoint,
    UdptlError,
    UdptlPacket,
    decode_packet,
    encode_fec_packet,
    encode_length,
    encode_packet,
)
from faxline.telephony.transport import run_sync

pytestmark = pytest.mark.database_independent

T = TypeVar("T")


def run(coro: Callable[[], Awaitable[T]]) -> T:
    return run_sync(coro())  # type: ignore[arg-type]


# --- the codec ------------------------------------------------------------------------------


def test_length_determinants() -> None:
    # X.691 10.9.3.6/10.9.3.7: one octet below 128, "10" and 14 bits below 16384.
    assert encode_length(0) == b"\x00"
    assert encode_length(127) == b"\x7f"
    assert encode_length(128) == b"\x80\x80"
    assert encode_length(300) == b"\x81\x2c"
    assert encode_length(16383) == b"\xbf\xff"
    with pytest.raises(UdptlError):
        encode_length(16384)  # would need fragmentation


def test_a_packet_without_redundancy() -> None:
    # seq-number 0x0102 in 16 bits; the primary IFP as an open type (length 2, its octets);
    # the CHOICE index 0 (secondary-ifp-packets) padded to an octet; a count of 0.
    wire = b"\x01\x02" + b"\x02\x00\x02" + b"\x00" + b"\x00"
    assert encode_packet(0x0102, b"\x00\x02") == wire
    assert decode_packet(wire) == UdptlPacket(0x0102, b"\x00\x02", ())


def test_a_packet_with_secondaries() -> None:
    wire = (
        b"\xff\xff"  # seq 65535
        + b"\x01\x06"  # primary: one octet
        + b"\x00"  # secondary-ifp-packets
        + b"\x02"  # two of them, seq 65534 then 65533
        + b"\x01\xaa"
        + b"\x02\xbb\xcc"
    )
    assert encode_packet(65535, b"\x06", [b"\xaa", b"\xbb\xcc"]) == wire
    assert decode_packet(wire) == UdptlPacket(65535, b"\x06", (b"\xaa", b"\xbb\xcc"))


def test_long_ifps_take_a_two_octet_length() -> None:
    primary = bytes(range(200))
    wire = b"\x00\x07" + b"\x80\xc8" + primary + b"\x00\x01" + b"\x81\x2c" + bytes(300)
    assert encode_packet(7, primary, [bytes(300)]) == wire
    assert decode_packet(wire).secondaries == (bytes(300),)


def test_a_packet_with_fec() -> None:
    # CHOICE index 1 (fec-info): 0x80; fec-npackets an unconstrained INTEGER (length 1, value
    # 3); fec-data a SEQUENCE OF OCTET STRING (count 1; length 2, octets).
    wire = b"\x00\x05" + b"\x01\x01" + b"\x80" + b"\x01\x03" + b"\x01" + b"\x02\x10\x11"
    assert encode_fec_packet(5, b"\x01", 3, [b"\x10\x11"]) == wire
    assert decode_packet(wire) == UdptlPacket(5, b"\x01", (), FecInfo(3, (b"\x10\x11",)))


def test_round_trips() -> None:
    rnd = random.Random(4)
    for _ in range(300):
        seq = rnd.randrange(65536)
        primary = rnd.randbytes(rnd.choice((0, 1, 5, 127, 128, 400)))
        secondaries = [rnd.randbytes(rnd.randrange(0, 200)) for _ in range(rnd.randrange(5))]
        packet = decode_packet(encode_packet(seq, primary, secondaries))
        assert packet == UdptlPacket(seq, primary, tuple(secondaries))


def test_trimming_to_the_largest_datagram_drops_the_oldest_secondaries() -> None:
    ifps = [bytes([n]) * 150 for n in range(4)]
    wire = encode_packet(9, ifps[0], ifps[1:], max_datagram=400)
    assert len(wire) <= 400
    assert decode_packet(wire).secondaries == (ifps[1],)
    alone = encode_packet(9, bytes(500), ifps[1:], max_datagram=400)
    assert decode_packet(alone).secondaries == ()  # the primary always goes


HOSTILE = [
    b"",
    b"\x00",
    b"\x00\x01\x05\x01",  # 5 octets announced, 1 there
    b"\x00\x01\xc1" + bytes(20),  # a fragmented length
    b"\x00\x01\x01\x00\x40\x00",  # error-recovery octet with bits past the CHOICE index
    b"\x00\x01\x01\x00\x00\x00\xee",  # an octet after the packet
    b"\x00\x01\x01\x00\x00\x7f" + b"\x01\x00" * 10,  # 127 secondaries announced
    b"\x00\x01\x01\x00\x00\x02\x01\x00",  # two secondaries, one there
    b"\x00\x01\x01\x00\x80\x09" + bytes(4),  # FEC integer of 9 octets
    b"\x00\x01\x01\x00\x80\x01\x03\x05\x01",  # 5 FEC entries, none complete
    b"\x00\x01\xbf\xff" + bytes(10),  # 16383 octets announced
]


@pytest.mark.parametrize("wire", HOSTILE)
def test_hostile_packets_raise_udptl_errors(wire: bytes) -> None:
    with pytest.raises(UdptlError):
        decode_packet(wire)


def test_every_truncation_is_refused() -> None:
    wire = encode_packet(300, b"\x01\x02\x03", [b"\x04", b"\x05\x06"])
    for cut in range(len(wire)):
        with pytest.raises(UdptlError):
            decode_packet(wire[:cut])


def test_random_garbage_never_raises_anything_else() -> None:
    rnd = random.Random(7)
    for _ in range(3000):
        with contextlib.suppress(UdptlError):
            decode_packet(rnd.randbytes(rnd.randrange(0, 40)))


# --- the endpoint -----------------------------------------------------------------------------


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.005)


async def lossy_pair(
    drop: Callable[[int], bool], ifps: list[bytes], *, redundancy: int = 3
) -> tuple[list[tuple[int, bytes]], UdptlEndpoint]:
    """Send ``ifps`` from one endpoint to another through a relay socket that drops the
    datagrams for which ``drop(index)`` is true; what the receiver took, and it."""
    sender, receiver = await UdptlEndpoint.open(), await UdptlEndpoint.open()
    relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    relay.bind(("127.0.0.1", 0))
    relay.settimeout(2.0)
    sender.connect(*relay.getsockname(), redundancy=redundancy)
    receiver.connect(*relay.getsockname())
    taken: list[tuple[int, bytes]] = []
    for index, ifp in enumerate(ifps):
        sender.send(ifp)
        datagram = relay.recv(2048)
        if not drop(index):
            relay.sendto(datagram, (receiver.host, receiver.port))
        if index % 10 == 9:
            await settle()
            taken += receiver.take()
    await settle()
    taken += receiver.take()
    sender.close()
    receiver.close()
    relay.close()
    return taken, receiver


IFPS = [bytes([n % 256]) * (1 + n % 40) for n in range(121)]  # the last one arrives


def test_every_third_packet_lost_all_recovered_with_redundancy_3() -> None:
    taken, receiver = run(lambda: lossy_pair(lambda i: i % 3 == 2, IFPS))
    assert taken == list(enumerate(IFPS))
    assert receiver.stats.recovered == 40 and receiver.stats.lost == 0


def test_a_burst_longer_than_the_redundancy_is_lost_in_order() -> None:
    taken, receiver = run(lambda: lossy_pair(lambda i: 50 <= i < 55, IFPS))
    # 55 carries 54, 53 and 52; 50 and 51 are gone.
    assert [seq for seq, _ in taken] == [*range(0, 50), *range(52, 121)]
    assert all(ifp == IFPS[seq] for seq, ifp in taken)
    assert receiver.stats.lost == 2 and receiver.stats.recovered == 3


def test_without_redundancy_a_loss_is_a_loss() -> None:
    taken, receiver = run(lambda: lossy_pair(lambda i: i == 7, IFPS[:20], redundancy=0))
    assert [seq for seq, _ in taken] == [n for n in range(20) if n != 7]
    assert receiver.stats.lost == 1


def test_reordered_duplicated_and_hostile_datagrams() -> None:
    async def scenario() -> tuple[list[tuple[int, bytes]], UdptlEndpoint]:
        receiver = await UdptlEndpoint.open()
        far = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        far.bind(("127.0.0.1", 0))
        other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        other.bind(("127.0.0.1", 0))
        receiver.connect(*far.getsockname())
        target = (receiver.host, receiver.port)
        sent = [
            encode_packet(0, b"a"),
            encode_packet(2, b"c", [b"b", b"a"]),  # 1 is late: recovered from here
            encode_packet(1, b"b", [b"a"]),  # then comes: a duplicate
            encode_packet(2, b"c", [b"b", b"a"]),  # a duplicate
            *HOSTILE,
            encode_fec_packet(3, b"d", 2, [b"\x00\x01"]),  # FEC: the primary is used
            encode_packet(4, b"e", [b"d"]),
        ]
        for datagram in sent:
            far.sendto(datagram, target)
        other.sendto(encode_packet(5, b"x"), target)  # not the latched source
        await settle()
        taken = receiver.take()
        receiver.close()
        far.close()
        other.close()
        return taken, receiver

    taken, receiver = run(scenario)
    assert taken == [(0, b"a"), (1, b"b"), (2, b"c"), (3, b"d"), (4, b"e")]
    stats = receiver.stats
    assert stats.duplicates == 2 and stats.recovered == 1 and stats.fec_packets == 1
    assert stats.malformed == len(HOSTILE) and stats.ignored == 1 and stats.lost == 0


def test_memory_is_bounded_when_nobody_takes() -> None:
    async def scenario() -> tuple[int, UdptlEndpoint]:
        receiver = await UdptlEndpoint.open()
        far = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        far.bind(("127.0.0.1", 0))
        receiver.connect(*far.getsockname())
        for seq in range(QUEUE_LIMIT + 100):
            far.sendto(encode_packet(seq, b"z"), (receiver.host, receiver.port))
            if seq % 50 == 0:
                await settle()
        await settle()
        far.close()
        receiver.close()
        return len(receiver.take()), receiver

    held, receiver = run(scenario)
    assert held == QUEUE_LIMIT
    assert receiver.stats.overflow == 100


def test_a_new_numbering_resyncs() -> None:
    async def scenario() -> list[tuple[int, bytes]]:
        receiver = await UdptlEndpoint.open()
        far = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        far.bind(("127.0.0.1", 0))
        receiver.connect(*far.getsockname())
        for seq, ifp in ((10, b"a"), (11, b"b"), (30000, b"c"), (30001, b"d")):
            far.sendto(encode_packet(seq, ifp), (receiver.host, receiver.port))
        await settle()
        far.close()
        receiver.close()
        return receiver.take()

    assert [seq for seq, _ in run(scenario)] == [10, 11, 30000, 30001]


def test_connect_checks_its_arguments() -> None:
    async def scenario() -> None:
        endpoint = await UdptlEndpoint.open()
        assert endpoint.port % 2 == 0
        with pytest.raises(ValueError):
            endpoint.connect("127.0.0.1", 4000, redundancy=-1)
        with pytest.raises(ValueError):
            endpoint.connect("127.0.0.1", 4000, max_datagram=10)
        with pytest.raises(ValueError):
            endpoint.connect("not-an-address", 4000)
        endpoint.close()

    run(scenario)
