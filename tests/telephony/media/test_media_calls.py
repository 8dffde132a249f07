"""Fax calls end to end over loopback sockets: two spandsp endpoints, each with its own media
endpoint and loop, G.711 over RTP and T.38 over UDPTL.

Paced by a MediaClock at 8x real time (a frame due every 2.5 ms of wall time), or flat out
with the clock yielding to the event loop after every frame: on loopback a datagram is in the
far end's socket when ``sendto`` returns, so each frame is read in the next turn of the loop
and a flat-out call is exact and takes a fraction of a second. This machine is shared: the
paced G.711 call's jitter buffers hold 12 frames (30 ms of wall time) so that a scheduling
hiccup of either loop does not cut a modem signal.
"""

from __future__ import annotations

import asyncio
import random
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fax_calls import pages_of

from faxline.telephony.media import (
    AudioRunStats,
    RtpEndpoint,
    T38RunStats,
    UdptlEndpoint,
    run_audio,
    run_t38,
)
from faxline.telephony.sip.config import Codec
from faxline.telephony.t30 import AudioFaxSession, FaxOptions, FaxResult, T38FaxSession
from faxline.telephony.tones import AnswerClassifier, Heard, Hearing
from faxline.telephony.transport import MediaClock, run_sync

pytestmark = pytest.mark.database_independent

SPEED = 8.0
DEPTH = 12
OPTIONS = FaxOptions(ident="faxline media", log_flow=False, max_call_seconds=300)


def clock(paced: bool = True) -> MediaClock:
    return MediaClock(real_time=True, speed=SPEED) if paced else MediaClock(yield_every=1)


async def audio_call(
    document: Path, received: Path, codec: Codec, *, paced: bool
) -> tuple[FaxResult, FaxResult, AudioRunStats, AudioRunStats]:
    caller = AudioFaxSession(calling=True, options=OPTIONS, send=document)
    answerer = AudioFaxSession(calling=False, options=OPTIONS, receive=received)
    a, b = await RtpEndpoint.open(depth=DEPTH), await RtpEndpoint.open(depth=DEPTH)
    try:
        a.connect(b.host, b.port, codec)
        b.connect(a.host, a.port, codec)
        stats_a, stats_b = await asyncio.gather(
            run_audio(caller, a, clock(paced)), run_audio(answerer, b, clock(paced))
        )
        return caller.result(), answerer.result(), stats_a, stats_b
    finally:
        a.close()
        b.close()
        caller.close()
        answerer.close()


class LossyRelay(asyncio.DatagramProtocol):
    """Forwards datagrams between two endpoints, losing ``loss`` of them each way."""

    def __init__(self, loss: float) -> None:
        self.loss = loss
        self.peers: list[tuple[str, int]] = []
        self.random = {0: random.Random(1), 1: random.Random(2)}
        self.dropped = 0
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        side = self.peers.index((addr[0], addr[1]))
        if self.random[side].random() < self.loss:
            self.dropped += 1
            return
        self.transport.sendto(data, self.peers[1 - side])


async def t38_call(
    document: Path, received: Path, *, loss: float = 0.0
) -> tuple[FaxResult, FaxResult, T38RunStats, T38RunStats, int]:
    caller = T38FaxSession(calling=True, options=OPTIONS, send=document, paced=True)
    answerer = T38FaxSession(calling=False, options=OPTIONS, receive=received, paced=True)
    a, b = await UdptlEndpoint.open(), await UdptlEndpoint.open()
    loop = asyncio.get_running_loop()
    relay_transport, relay = await loop.create_datagram_endpoint(
        lambda: LossyRelay(loss), local_addr=("127.0.0.1", 0)
    )
    try:
        relay.peers = [(a.host, a.port), (b.host, b.port)]
        host, port = relay_transport.get_extra_info("sockname")[:2]
        a.connect(host, port, redundancy=3)
        b.connect(host, port, redundancy=3)
        stats_a, stats_b = await asyncio.gather(
            run_t38(caller, a, clock()), run_t38(answerer, b, clock())
        )
        return caller.result(), answerer.result(), stats_a, stats_b, relay.dropped
    finally:
        relay_transport.close()
        a.close()
        b.close()
        caller.close()
        answerer.close()


def delivered(results: tuple[FaxResult, FaxResult], document: Path, received: Path) -> None:
    sent, got = results
    assert (sent.completion_code, got.completion_code) == (0, 0), (sent.log[-5:], got.log[-5:])
    assert sent.success and got.success
    assert sent.pages == 3 and got.pages == 3
    assert got.remote_ident == "faxline media"
    assert pages_of(received) == pages_of(document)


@pytest.mark.parametrize(
    ("codec", "paced"), [(Codec.PCMU, False), (Codec.PCMA, False), (Codec.PCMU, True)]
)
def test_g711_call_delivers_three_pages(
    codec: Codec, paced: bool, documents: dict[str, Path], tmp_path: Path
) -> None:
    received = tmp_path / "received.tif"
    sent, got, stats_a, stats_b = run_sync(
        audio_call(documents["fine"], received, codec, paced=paced)
    )
    delivered((sent, got), documents["fine"], received)
    assert stats_a.ended == stats_b.ended == "done"
    for stats in (stats_a, stats_b):
        assert stats.rtp.sent == stats.frames
        assert stats.rtp.lost == 0 and stats.rtp.late == 0 and stats.rtp.ignored == 0
    if paced:  # 8x real time: the call's tens of seconds took a few
        assert sent.call_seconds / 16 < stats_a.seconds < sent.call_seconds / 4
    else:  # every frame went through the sockets, each in time and in order
        assert stats_b.rtp.received >= stats_b.frames - 3
        assert stats_b.rtp.underruns == stats_b.rtp.dropped == 0
        assert stats_a.seconds < 5


def test_t38_call_delivers_three_pages(documents: dict[str, Path], tmp_path: Path) -> None:
    received = tmp_path / "received.tif"
    sent, got, stats_a, stats_b, _ = run_sync(t38_call(documents["fine"], received))
    delivered((sent, got), documents["fine"], received)
    # All but what the caller sent after the answerer had ended (its last DCN copies).
    assert stats_a.packets_sent > 100
    assert stats_a.packets_sent - 5 <= stats_b.packets_received <= stats_a.packets_sent
    assert stats_b.udptl.lost == stats_b.udptl.recovered == 0


def test_t38_call_with_ten_percent_loss_is_recovered_by_redundancy(
    documents: dict[str, Path], tmp_path: Path
) -> None:
    received = tmp_path / "received.tif"
    sent, got, stats_a, stats_b, dropped = run_sync(
        t38_call(documents["fine"], received, loss=0.10)
    )
    delivered((sent, got), documents["fine"], received)
    assert dropped > 100
    assert stats_b.udptl.recovered > 80
    # Only a run of four losses in a row loses an IFP for good.
    assert stats_b.udptl.lost <= 2 and stats_a.udptl.lost <= 2


def test_listening_and_stopping_the_audio_loop(documents: dict[str, Path], tmp_path: Path) -> None:
    """What the lead's transport does before a T.38 switch: listen to the far end until a
    fax machine is heard, then stop the loop (the sessions are left as they are)."""

    async def scenario() -> tuple[Hearing | None, AudioRunStats, AudioRunStats, int]:
        caller = AudioFaxSession(calling=True, options=OPTIONS, send=documents["one"])
        answerer = AudioFaxSession(calling=False, options=OPTIONS, receive=tmp_path / "r.tif")
        a, b = await RtpEndpoint.open(depth=DEPTH), await RtpEndpoint.open(depth=DEPTH)
        a.connect(b.host, b.port, Codec.PCMU)
        b.connect(a.host, a.port, Codec.PCMU)
        classifier = AnswerClassifier()
        heard: list[Hearing] = []
        frames = [0]

        def listen(frame: bytes) -> None:
            frames[0] += 1
            if not heard and (hearing := classifier.feed(frame)) is not None:
                heard.append(hearing)

        stop: Callable[[], bool] = lambda: bool(heard)  # noqa: E731
        stats_a, stats_b = await asyncio.gather(
            run_audio(caller, a, clock(), listen=listen, until=stop),
            run_audio(answerer, b, clock(), until=stop),
        )
        done = caller.done
        for item in (a, b, caller, answerer):
            item.close()
        assert not done
        return (heard[0] if heard else None), stats_a, stats_b, frames[0]

    hearing, stats_a, stats_b, frames = run_sync(scenario())
    assert hearing is not None and hearing.heard is Heard.FAX
    assert stats_a.ended == stats_b.ended == "stopped"
    assert frames == stats_a.frames < 50 * 10  # within ten seconds of call time


def test_receiving_leaves_the_frame_unchanged() -> None:
    """spandsp's fax_rx restores the DC level in place: the binding copies first, so the shared
    silence frame of the jitter buffer (and what a listener is given) stays as it was."""
    session = AudioFaxSession(calling=False, options=OPTIONS)
    frame = struct.pack("<160h", *([1000] * 160))
    silence = bytes(320)
    for _ in range(3):
        session.receive(frame)
        session.receive(silence)
    session.close()
    assert frame == struct.pack("<160h", *([1000] * 160)) and silence == bytes(320)
