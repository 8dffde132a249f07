"""The media loops of a SIP call: a T.30 session driven over RTP (G.711) or UDPTL (T.38).

:func:`run_audio` exchanges a 20 ms frame each tick of the call's :class:`MediaClock` between an
:class:`~faxline.telephony.t30.AudioFaxSession` and an :class:`RtpEndpoint`; :func:`run_t38`
advances a :class:`~faxline.telephony.t30.T38FaxSession` by 20 ms each tick and moves its IFP
packets through a :class:`UdptlEndpoint`. Each ends when the session is done (phase E, or its
watchdog on call time terminated it) or when ``until()`` says so (the transport stops the
audio loop to switch to T.38 after a re-INVITE, or on BYE); the session is left as it is (not
terminated, not closed): what comes next is the caller's decision.

The loops are deliberately plain: per tick a few calls into spandsp and one packet each way.
Their cost is measured by ``bench/sip_media.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from faxline.telephony.media.rtp import RtpEndpoint, RtpStats
from faxline.telephony.media.udptl import UdptlEndpoint, UdptlStats
from faxline.telephony.t30 import FRAME, AudioFaxSession, T38FaxSession
from faxline.telephony.transport import MediaClock

__all__ = ["AudioRunStats", "T38RunStats", "run_audio", "run_t38"]


@dataclass
class AudioRunStats:
    """One run of :func:`run_audio`: ``frames`` exchanged, ``late_ticks`` of the clock during
    the run, wall ``seconds``, why it ended (``done``: the session ended; ``stopped``:
    ``until()``), and the RTP stream's counters at the end."""

    frames: int = 0
    late_ticks: int = 0
    seconds: float = 0.0
    ended: str = ""
    rtp: RtpStats = field(default_factory=RtpStats)


@dataclass
class T38RunStats:
    """One run of :func:`run_t38`: ticks, IFPs sent and received, late ticks, why it ended,
    and the UDPTL counters at the end."""

    frames: int = 0
    packets_sent: int = 0
    packets_received: int = 0
    late_ticks: int = 0
    seconds: float = 0.0
    ended: str = ""
    udptl: UdptlStats = field(default_factory=UdptlStats)


async def run_audio(
    session: AudioFaxSession,
    rtp: RtpEndpoint,
    clock: MediaClock,
    *,
    listen: Callable[[bytes], object] | None = None,
    until: Callable[[], bool] | None = None,
) -> AudioRunStats:
    """Carry ``session`` over ``rtp`` until it is done or ``until()`` is true.

    Each tick: the session's next frame goes out as one RTP packet, the jitter buffer's next
    frame goes into the session and then to ``listen`` (an answer classifier).
    """
    stats = AudioRunStats()
    started = time.monotonic()
    late_before = clock.late_ticks
    transmit, receive, send, take, tick = (
        session.transmit,
        session.receive,
        rtp.send,
        rtp.take,
        clock.tick,
    )
    frames = 0
    while True:
        if session.done:
            stats.ended = "done"
            break
        if until is not None and until():
            stats.ended = "stopped"
            break
        send(transmit(FRAME))
        frame = take()
        receive(frame)
        if listen is not None:
            listen(frame)
        frames += 1
        await tick()
    stats.frames = frames
    stats.late_ticks = clock.late_ticks - late_before
    stats.seconds = time.monotonic() - started
    stats.rtp = RtpStats(**vars(rtp.stats))
    return stats


async def run_t38(
    session: T38FaxSession,
    udptl: UdptlEndpoint,
    clock: MediaClock,
    *,
    until: Callable[[], bool] | None = None,
) -> T38RunStats:
    """Carry ``session`` over ``udptl`` until it is done or ``until()`` is true.

    Each tick: the session's clock moves 20 ms, the IFPs it made go out (one UDPTL packet
    each, with redundancy), and the IFPs received go in, in order, with their sequence
    numbers.
    """
    stats = T38RunStats()
    started = time.monotonic()
    late_before = clock.late_ticks
    advance, take_packets, receive_packet = (
        session.advance,
        session.take_packets,
        session.receive_packet,
    )
    send, take, tick = udptl.send, udptl.take, clock.tick
    frames = sent = received = 0
    while True:
        if session.done:
            stats.ended = "done"
            break
        if until is not None and until():
            stats.ended = "stopped"
            break
        advance(FRAME)
        for _seq, ifp in take_packets():
            send(ifp)
            sent += 1
        for seq, ifp in take():
            receive_packet(ifp, seq)
            received += 1
        frames += 1
        await tick()
    stats.frames = frames
    stats.packets_sent = sent
    stats.packets_received = received
    stats.late_ticks = clock.late_ticks - late_before
    stats.seconds = time.monotonic() - started
    stats.udptl = UdptlStats(**vars(udptl.stats))
    return stats
