"""The transport interface: place a fax call from A to B, answer one, say what happened.

A transport has one job. :meth:`Transport.place_call` dials ``to_number`` from
``from_number`` carrying a TIFF-F image and returns a :class:`CallOutcome`: the network's
answer (Busy, Fast Busy, No Answer, no free channel), what was heard when the far end
answered (a fax machine, a voice, special information tones, silence), and for a fax call the
T.30 :class:`~faxline.telephony.t30.FaxResult` with its statistics. Call progress (dialing,
ringing, answered, fax tones detected, T.30 phases, hung up) is reported as it happens to the
request's ``on_progress`` callback. Calls a transport answers are handed, once received, to the
:data:`InboundReceiver` it was built with.

Media is timed, whatever the transport: 20 ms frames of 8 kHz audio (G.711 on a SIP trunk)
or T.38 IFP packets, exchanged by a loop that a :class:`MediaClock` paces at real time or lets
run as fast as the CPU allows. The sandbox PSTN (``telephony.sandbox``) is the embedded
transport; a SIP trunk (SIP, RTP G.711, T.38 over UDPTL) plugs in as a second one with the same
interface, so fax jobs do not change.

The interface is asyncio (many calls share one process: a call's modem needs a fraction of a
millisecond of CPU per 20 ms frame); :meth:`Transport.place_call_sync` is the convenience for
synchronous callers (the CLI, a task worker). Telephony knows calls and images, never jobs,
tenants or Django models: the callbacks are the caller's.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, TypeVar

from faxline.core.phone import fax_number_e164
from faxline.telephony.outcomes import Outcome, OutcomeName
from faxline.telephony.t30 import FaxOptions, FaxResult
from faxline.telephony.tones import FRAME_SECONDS, Hearing

T = TypeVar("T")


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end from synchronous code: in a new event loop, or, when this
    thread already runs one (a Jupyter kernel, Playwright's sync API), in a new loop of a
    helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="faxline-call") as pool:
        return pool.submit(asyncio.run, coroutine).result()


class CallProgress(StrEnum):
    """What a call is doing, in the order it usually happens."""

    DIALING = "dialing"
    NO_CHANNEL = "no_channel"  # all of our lines are in use: nothing was dialed
    RINGING = "ringing"
    BUSY = "busy"
    FAST_BUSY = "fast_busy"
    NO_ANSWER = "no_answer"
    ANSWERED = "answered"
    FAX_TONES = "fax_tones"  # CED or V.21 heard: a fax machine answered
    VOICE = "voice"  # speech heard
    SIT_TONES = "sit_tones"  # special information tones heard
    SILENCE = "silence"  # answered, but nothing a fax machine would send
    T38 = "t38"  # the media switched to T.38
    T30_PHASE = "t30_phase"  # a T.30 phase B, D or E event (detail: the frame or code)
    HUNG_UP = "hung_up"


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a call, ``at_seconds`` after dialing (the call's own clock, simulated or
    real)."""

    kind: CallProgress
    at_seconds: float
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"kind": str(self.kind), "at_seconds": self.at_seconds, "detail": self.detail}


ProgressCallback = Callable[[ProgressEvent], object]
"""Told of every :class:`ProgressEvent` as it happens, inside the media loop: it must return
quickly and must not block (no database writes: collect, and write after the call)."""


def normalized_number(raw: str, *, field_name: str) -> str:
    """``raw`` as an E.164 number (``+12125550100``), by the platform's one rule
    (:func:`faxline.core.phone.fax_number_e164`): "Invalid Fax Number" naming the field."""
    return fax_number_e164(raw, field=field_name)


@dataclass(frozen=True)
class CallRequest:
    """One outbound fax call.

    ``tiff`` is the TIFF-F image to send (bilevel, G3/G4, 1728 px wide, resolution tags set);
    ``options`` the T.30 options of our side (ident/TSI, ECM, modems, call time limit);
    ``t38`` asks for T.38 instead of audio when the far end is a fax machine that offers it.
    Numbers are checked and normalized to E.164 on creation (``ValidationFailed``,
    ``invalid_fax_number``, naming ``from`` or ``to``).
    """

    from_number: str
    to_number: str
    tiff: Path
    options: FaxOptions
    on_progress: ProgressCallback | None = None
    t38: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "from_number", normalized_number(self.from_number, field_name="from")
        )
        object.__setattr__(self, "to_number", normalized_number(self.to_number, field_name="to"))
        object.__setattr__(self, "tiff", Path(self.tiff))


@dataclass(frozen=True)
class ReceivedFax:
    """A fax a transport answered and received: who called whom, the received TIFF-F (a file
    the receiver must read or copy before it returns: the transport deletes it), the T.30
    result of the answering side."""

    to_number: str
    from_number: str
    tiff: Path
    result: FaxResult
    received_at: datetime


InboundReceiver = Callable[[ReceivedFax], object]
"""Takes a received fax (part 2 of the fax engine delivers it to the number's user). Called
outside the media loop, in the thread that placed the call (or a worker thread for
:meth:`Transport.place_call`): it may use the database."""


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a result object (dataclasses, enums, paths, sets)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, Enum):
        return value.value if isinstance(value.value, str | int) else value.name
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float):
        return round(value, 3)
    return value


def fax_result_dict(result: FaxResult, *, with_log: bool = False) -> dict[str, Any]:
    """The T.30 result as JSON-ready data (spandsp's log only when asked: it is long)."""
    data = _plain(result)
    if not with_log:
        data.pop("log", None)
    return data


@dataclass(frozen=True)
class CallOutcome:
    """What became of one call.

    ``outcome`` is the user-facing name with its retry advice and the raw T.30 code;
    ``connected`` is true when a fax machine answered and T.30 ran; ``fax`` is our side's T.30
    result (None when no fax exchange began); ``hearing`` what the transport heard when the
    far end answered (None when nobody answered); ``signalling`` the network's refusal
    (``486 Busy Here``...). ``far_end`` is what the sandbox knows of the other side (pages it
    received, where they went); a real network tells nothing of it (empty). ``trunk``: the
    name of the SIP trunk that carried the call (empty for the sandbox); ``t38_fallback``:
    the call went in G.711 because of a learned fallback or a refused switch to T.38.
    """

    outcome: Outcome
    connected: bool
    transport: str
    from_number: str
    to_number: str
    fax: FaxResult | None = None
    hearing: Hearing | None = None
    signalling: str | None = None
    media: str = "audio"
    seconds: float = 0.0
    progress: tuple[ProgressEvent, ...] = ()
    far_end: dict[str, Any] = field(default_factory=dict)
    trunk: str = ""
    t38_fallback: bool = False

    @property
    def name(self) -> OutcomeName:
        return self.outcome.name

    @property
    def success(self) -> bool:
        return self.outcome.success

    def as_dict(self, *, with_log: bool = False) -> dict[str, Any]:
        return {
            "transport": self.transport,
            "from": self.from_number,
            "to": self.to_number,
            "outcome": self.outcome.as_dict(),
            "connected": self.connected,
            "media": self.media,
            "trunk": self.trunk,
            "t38_fallback": self.t38_fallback,
            "seconds": round(self.seconds, 3),
            "signalling": self.signalling,
            "heard": None
            if self.hearing is None
            else {
                "what": str(self.hearing.heard),
                "at_seconds": self.hearing.at_seconds,
                "evidence": self.hearing.evidence,
            },
            "fax": None if self.fax is None else fax_result_dict(self.fax, with_log=with_log),
            "far_end": _plain(self.far_end),
            "progress": [event.as_dict() for event in self.progress],
        }


class MediaClock:
    """The pace of a call's media loop, one tick per 20 ms frame.

    Real time (``real_time=True``): each tick sleeps until its frame is due, as a SIP trunk
    must (a tick that is late yields to the event loop and runs at once, catching up);
    ``speed`` above 1 makes the frames due that many times sooner (``speed=4``: one
    every 5 ms), for tests whose both ends are ours and still go through real sockets.
    Otherwise as fast as the CPU allows, yielding to the event loop every ``yield_every``
    frames so that concurrent calls share it. ``seconds`` is the call's own clock (simulated
    time). ``late_ticks`` counts the real-time ticks that came more than one frame after
    their frame was due (the process could not keep up: media goes out late).
    """

    def __init__(self, *, real_time: bool = False, yield_every: int = 25, speed: float = 1.0):
        if not speed > 0:
            raise ValueError(f"speed must be positive, not {speed!r}")
        self.real_time = real_time
        self.yield_every = yield_every
        self.speed = float(speed)
        self.frames = 0
        self.offset = 0.0  # simulated seconds spent outside frames (ringing)
        self.late_ticks = 0
        self._frame_wall = FRAME_SECONDS / self.speed
        self._start = time.monotonic()

    @property
    def seconds(self) -> float:
        return self.offset + self.frames * FRAME_SECONDS

    def restart(self) -> None:
        """Count real time from now (a loop that begins after its clock was made)."""
        self._start = time.monotonic() - self.seconds / self.speed

    async def tick(self) -> None:
        self.frames += 1
        if self.real_time:
            due = self._start + self.seconds / self.speed
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                if delay < -self._frame_wall:
                    self.late_ticks += 1
                # Catching up: still let the event loop read packets between frames, or a
                # late loop would play a burst of silence before the far end's burst is read.
                await asyncio.sleep(0)
        elif self.frames % self.yield_every == 0:
            await asyncio.sleep(0)

    def skip_to(self, frames: int) -> None:
        """Move the clock to ``frames`` (media that another loop carried meanwhile)."""
        self.frames = max(self.frames, frames)

    async def wait(self, seconds: float) -> None:
        """Let ``seconds`` of call time pass with no media (ringing)."""
        self.offset += seconds
        if self.real_time:
            delay = self._start + self.seconds / self.speed - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        else:
            await asyncio.sleep(0)


class Transport(ABC):
    """A way to place and answer fax calls. See the module's description."""

    name: str = "transport"
    inbound: InboundReceiver
    """Where the faxes this transport answers and receives go."""

    @abstractmethod
    async def place_call(self, request: CallRequest) -> CallOutcome:
        """Dial, carry the fax, hang up; report progress to ``request.on_progress``."""

    async def serve(self) -> None:
        """Answer incoming calls until cancelled, handing each received fax to
        :attr:`inbound`. A SIP trunk listens for INVITEs here; the sandbox PSTN has no
        incoming calls of its own (it answers on-net calls inside :meth:`place_call`), so by
        default this returns at once."""
        return None

    def place_call_sync(self, request: CallRequest) -> CallOutcome:
        """:meth:`place_call` for synchronous code (the CLI, a task worker)."""
        return run_sync(self.place_call(request))
