"""SANDBOX PSTN: the embedded transport, a simulation of the telephone network we cannot reach.

Where a call goes depends on the number dialed:

1. **Test numbers** (NXX-555-0100 to 0199, see :mod:`.testnumbers`) give fixed outcomes. Busy,
   Fast Busy and No Answer come as network signalling (a SIP trunk would get 486, 503, a
   timeout). Voice Answer, Not a Fax Machine and SIT tones come *in band*: the far end answers
   and plays speech, silence or the three special information tones, and the transport
   decides what answered by listening (:class:`~faxline.telephony.tones.AnswerClassifier`)
   while the caller's T.30 waits in vain. The others are fax machines with a flaw: a noisy
   line (white noise added to the audio both ways), standard resolution only, a line that
   drops mid-page, V.27ter only, no ECM, a machine that hangs up after training.
2. **Numbers in service on this platform** (asked of the injected ``directory``) stay
   on-net: a real T.30 exchange, spandsp on both sides, and what the answering side receives
   goes to the injected ``inbound`` receiver.
3. **Every other number** reaches a simulated remote fax machine that receives with real
   T.30; what it received goes to the injected ``remote_store`` (so that an operator can look
   at it and a test can read the pages back). The fax machines among the test numbers keep
   what they received there too.

Calls use one of the sandbox's lines (``lines``, a count or a shared :class:`LinePool`); when
none is free the call is not placed and the outcome is **No Free Channel** (our congestion,
not the far end's). Calls run as fast as the CPU allows unless ``real_time`` is set (for
demonstrations): the call's clock is simulated either way, so ringing for 55 s costs nothing
unpaced.

The directory, the inbound receiver and the remote store are called outside the media loop:
in the calling thread by :meth:`SandboxPSTN.place_call_sync`, in a worker thread by
:meth:`SandboxPSTN.place_call`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from faxline.telephony.outcomes import Outcome, OutcomeName, outcome_named, outcome_of_t30
from faxline.telephony.sandbox import audio
from faxline.telephony.sandbox.testnumbers import Behaviour, TestNumber, fixed_test_number
from faxline.telephony.t30 import (
    AudioFaxSession,
    FaxOptions,
    FaxResult,
    Modem,
    PhaseEvent,
    T38FaxSession,
    WhiteNoise,
    run_back_to_back,
)
from faxline.telephony.tones import FRAME, FRAME_SECONDS, AnswerClassifier, Heard, Hearing
from faxline.telephony.transport import (
    CallOutcome,
    CallProgress,
    CallRequest,
    InboundReceiver,
    MediaClock,
    ProgressEvent,
    ReceivedFax,
    Transport,
    run_sync,
)

logger = logging.getLogger(__name__)

# The code with which the refusing test machine ends its side: it does not accept the call
# from this sender (T30_ERR_SID_UNACCEPTABLE, "Sender identification not accepted").
REFUSAL_CODE = 55

Directory = Callable[[str], bool]
"""Whether an E.164 number is in service on this platform (faxing answers from numbers)."""

RemoteFaxStore = Callable[[ReceivedFax], object]
"""Keeps what a simulated remote fax machine received; returns a reference (its id)."""


class LinePool(Protocol):
    """The sandbox's lines (concurrent channels): take one without waiting, give it back."""

    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class LocalLines:
    """``count`` lines shared by the calls of this process (threads and event loops alike)."""

    def __init__(self, count: int):
        if count < 1:
            raise ValueError("a sandbox needs at least one line")
        self.count = count
        self._busy = 0
        self._lock = threading.Lock()

    @property
    def busy(self) -> int:
        return self._busy

    def try_acquire(self) -> bool:
        with self._lock:
            if self._busy >= self.count:
                return False
            self._busy += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._busy = max(0, self._busy - 1)


@dataclass(frozen=True)
class SandboxTimings:
    """The simulated network's clock, in seconds of call time.

    ``listen_seconds``: how long the transport listens for a fax signal after the far end
    answered before it hangs up on silence (a real fax machine answers with CED within a few
    seconds; T.30's own T1 is 35 s). Tests shorten it.
    """

    post_dial_seconds: float = 0.5
    ring_seconds: float = 4.0
    no_answer_seconds: float = 55.0
    listen_seconds: float = 40.0
    hangup_grace_seconds: float = 5.0
    noise_dbm0: float = -48.0
    drop_after_training_seconds: float = 10.0


class _Emit(Protocol):
    def __call__(self, kind: CallProgress, detail: str = "", at: float | None = None) -> None: ...


class Route(StrEnum):
    TEST_NUMBER = "test-number"
    ON_NET = "on-net"
    REMOTE = "remote-machine"


@dataclass
class _Call:
    """One call's state between the synchronous and the asynchronous parts."""

    request: CallRequest
    route: Route
    test: TestNumber | None
    workdir: Path
    progress: list[ProgressEvent] = field(default_factory=list)
    received: Path | None = None
    answer_result: FaxResult | None = None


def _phase_letter(event: PhaseEvent) -> str:
    phase = getattr(event.phase, "name", event.phase)
    return str(phase).strip().upper()[-1:]


class _FarEnd:
    """What answers a call: a fax machine (a spandsp session) or a sound."""

    def __init__(
        self,
        *,
        session: AudioFaxSession | None = None,
        sound: audio.Loop | None = None,
    ):
        self.session = session
        self.sound = sound
        self.dead = False  # hung up: silence both ways from now on

    @property
    def done(self) -> bool:
        return self.session is None or self.session.done or self.dead

    def transmit(self) -> bytes:
        if self.dead:
            return audio.SILENCE
        if self.session is not None:
            return self.session.transmit(FRAME)
        assert self.sound is not None
        return self.sound.next()

    def receive(self, frame: bytes) -> None:
        if self.session is not None and not self.dead:
            self.session.receive(frame)

    def hang_up(self) -> None:
        self.dead = True
        if self.session is not None and not self.session.done:
            self.session.terminate()


class SandboxPSTN(Transport):
    """SANDBOX: the simulated public telephone network (see the module's description)."""

    name = "sandbox"

    def __init__(
        self,
        *,
        directory: Directory,
        inbound: InboundReceiver,
        remote_store: RemoteFaxStore,
        lines: int | LinePool = 4,
        real_time: bool = False,
        timings: SandboxTimings | None = None,
        workdir: Path | None = None,
    ):
        self.directory = directory
        self.inbound = inbound
        self.remote_store = remote_store
        self.lines: LinePool = LocalLines(lines) if isinstance(lines, int) else lines
        self.real_time = real_time
        self.timings = timings or SandboxTimings()
        self.workdir = workdir

    # --- the interface ---------------------------------------------------------------------

    async def place_call(self, request: CallRequest) -> CallOutcome:
        call = await asyncio.to_thread(self._route, request)
        if isinstance(call, CallOutcome):
            return call
        try:
            outcome = await self._media(call)
        finally:
            self.lines.release()
        try:
            return await asyncio.to_thread(self._deliver, call, outcome)
        finally:
            shutil.rmtree(call.workdir, ignore_errors=True)

    def place_call_sync(self, request: CallRequest) -> CallOutcome:
        call = self._route(request)
        if isinstance(call, CallOutcome):
            return call
        try:
            outcome = run_sync(self._media(call))
        finally:
            self.lines.release()
        try:
            return self._deliver(call, outcome)
        finally:
            shutil.rmtree(call.workdir, ignore_errors=True)

    # --- before and after the media --------------------------------------------------------

    def _route(self, request: CallRequest) -> _Call | CallOutcome:
        """Where the call goes, and a line for it (or No Free Channel)."""
        test = fixed_test_number(request.to_number)
        if test is not None:
            route = Route.TEST_NUMBER
        elif self.directory(request.to_number):
            route = Route.ON_NET
        else:
            route = Route.REMOTE
        if not self.lines.try_acquire():
            event = ProgressEvent(CallProgress.NO_CHANNEL, 0.0, "all sandbox lines are in use")
            if request.on_progress is not None:
                request.on_progress(event)
            return CallOutcome(
                outcome=outcome_named(OutcomeName.NO_FREE_CHANNEL, cause="no_channel"),
                connected=False,
                transport=self.name,
                from_number=request.from_number,
                to_number=request.to_number,
                progress=(event,),
                far_end={"route": str(route)},
            )
        workdir = Path(tempfile.mkdtemp(prefix="faxline-sandbox-", dir=self.workdir))
        return _Call(request=request, route=route, test=test, workdir=workdir)

    def _deliver(self, call: _Call, outcome: CallOutcome) -> CallOutcome:
        """Hand what the answering fax machine received to its owner."""
        answer = call.answer_result
        far_end = dict(outcome.far_end)
        if answer is not None:
            far_end["received_pages"] = answer.pages
            far_end["completion_code"] = answer.completion_code
            far_end["completion_text"] = answer.completion_text
        received = call.received
        if answer is None or received is None or answer.pages < 1 or not received.exists():
            return replace(outcome, far_end=far_end)
        far_end["sha256"] = hashlib.sha256(received.read_bytes()).hexdigest()
        fax = ReceivedFax(
            to_number=call.request.to_number,
            from_number=call.request.from_number,
            tiff=received,
            result=answer,
            received_at=datetime.now(UTC),
        )
        if call.route is Route.ON_NET:
            reference = self.inbound(fax)
            far_end["delivered"] = "inbound"
            if isinstance(reference, int):
                far_end["stored"] = reference
        else:
            reference = self.remote_store(fax)
            far_end["delivered"] = "remote_store"
            far_end["stored"] = reference
        return replace(outcome, far_end=far_end)

    # --- the call itself --------------------------------------------------------------------

    async def _media(self, call: _Call) -> CallOutcome:
        request, timings = call.request, self.timings
        clock = MediaClock(real_time=self.real_time)
        behaviour = call.test.behaviour if call.test is not None else None
        far_end_info: dict[str, Any] = {"route": str(call.route)}
        if call.test is not None:
            far_end_info["behaviour"] = str(behaviour)
            far_end_info["test_number"] = call.test.far_end

        def emit(kind: CallProgress, detail: str = "", at: float | None = None) -> None:
            event = ProgressEvent(kind, round(clock.seconds if at is None else at, 3), detail)
            call.progress.append(event)
            if request.on_progress is not None:
                request.on_progress(event)

        def ended(
            outcome: Outcome,
            *,
            signalling: str | None = None,
            fax: FaxResult | None = None,
            hearing: Hearing | None = None,
            connected: bool = False,
            media: str = "audio",
        ) -> CallOutcome:
            emit(CallProgress.HUNG_UP, str(outcome.name))
            return CallOutcome(
                outcome=outcome,
                connected=connected,
                transport=self.name,
                from_number=request.from_number,
                to_number=request.to_number,
                fax=fax,
                hearing=hearing,
                signalling=signalling,
                media=media,
                seconds=clock.seconds,
                progress=tuple(call.progress),
                far_end=far_end_info,
            )

        emit(CallProgress.DIALING, request.to_number)
        await clock.wait(timings.post_dial_seconds)
        if behaviour is Behaviour.BUSY:
            emit(CallProgress.BUSY, "486 Busy Here")
            return ended(outcome_named(OutcomeName.BUSY, cause="busy"), signalling="486 Busy Here")
        if behaviour is Behaviour.FAST_BUSY:
            emit(CallProgress.FAST_BUSY, "503 Service Unavailable")
            return ended(
                outcome_named(OutcomeName.FAST_BUSY, cause="fast_busy"),
                signalling="503 Service Unavailable",
            )
        emit(CallProgress.RINGING, "180 Ringing")
        if behaviour is Behaviour.NO_ANSWER:
            await clock.wait(timings.no_answer_seconds)
            emit(CallProgress.NO_ANSWER, f"no answer in {timings.no_answer_seconds:g} s")
            return ended(
                outcome_named(OutcomeName.NO_ANSWER, cause="no_answer"),
                signalling="408 Request Timeout",
            )
        await clock.wait(timings.ring_seconds)
        emit(CallProgress.ANSWERED, "200 OK")

        is_fax_machine = behaviour not in (Behaviour.VOICE, Behaviour.SILENCE, Behaviour.SIT)
        if request.t38 and is_fax_machine and behaviour is not Behaviour.NOISY_LINE:
            return await self._t38_call(call, clock, emit, ended)
        return await self._audio_call(call, clock, emit, ended)

    def _answering_options(self, call: _Call) -> FaxOptions:
        behaviour = call.test.behaviour if call.test is not None else None
        options = FaxOptions(
            ident=call.request.to_number,
            max_call_seconds=call.request.options.max_call_seconds,
        )
        if behaviour is Behaviour.V27TER_ONLY:
            options = replace(options, modems=frozenset({Modem.V27TER}))
        elif behaviour is Behaviour.NO_ECM:
            options = replace(options, ecm=False)
        elif behaviour is Behaviour.STANDARD_ONLY:
            options = replace(options, accept_fine=False)
        elif behaviour is Behaviour.REFUSES_AFTER_TRAINING:
            options = replace(options, refuse_code=REFUSAL_CODE)
        return options

    async def _audio_call(
        self,
        call: _Call,
        clock: MediaClock,
        emit: _Emit,
        ended: Callable[..., CallOutcome],
    ) -> CallOutcome:
        request, timings = call.request, self.timings
        behaviour = call.test.behaviour if call.test is not None else None
        caller = AudioFaxSession(calling=True, options=request.options, send=request.tiff)
        far: _FarEnd
        if behaviour is Behaviour.VOICE:
            far = _FarEnd(sound=audio.Loop(audio.speech()))
        elif behaviour is Behaviour.SIT:
            far = _FarEnd(sound=audio.Loop(audio.intercept()))
        elif behaviour is Behaviour.SILENCE:
            far = _FarEnd(sound=audio.Loop((audio.SILENCE,)))
        else:
            call.received = call.workdir / "received.tif"
            far = _FarEnd(
                session=AudioFaxSession(
                    calling=False, options=self._answering_options(call), receive=call.received
                )
            )
        noise: tuple[WhiteNoise, WhiteNoise] | None = None
        if behaviour is Behaviour.NOISY_LINE:
            noise = (
                WhiteNoise(timings.noise_dbm0, seed=1),
                WhiteNoise(timings.noise_dbm0, seed=2),
            )

        caller_phase_b: list[int] = []
        answered_at = clock.seconds  # the sessions' clocks start now

        def on_caller_phase(event: PhaseEvent) -> None:
            letter = _phase_letter(event)
            if letter == "B" and not caller_phase_b:
                caller_phase_b.append(clock.frames)
            emit(
                CallProgress.T30_PHASE,
                f"{letter} {event.name}".strip(),
                at=answered_at + event.at_seconds,
            )

        caller.on_phase = on_caller_phase
        # Once a fax machine is heard, an unpaced call needs no more per-frame control
        # (except the line that drops): spandsp's own loop in C carries it to the end.
        hand_over = (
            not self.real_time
            and far.session is not None
            and behaviour is not Behaviour.DROPS_MID_PAGE
        )

        classifier = AnswerClassifier()
        listen_frames = round(timings.listen_seconds / FRAME_SECONDS)
        grace_frames = round(timings.hangup_grace_seconds / FRAME_SECONDS)
        max_frames = round((request.options.max_call_seconds + 10) / FRAME_SECONDS)
        drop_frames = round(timings.drop_after_training_seconds / FRAME_SECONDS)
        hearing: Hearing | None = None
        hung_up_on_hearing = False
        first_done: int | None = None
        start = clock.frames
        try:
            while True:
                to_far = caller.transmit(FRAME)
                to_caller = far.transmit()
                if noise is not None:
                    to_far = noise[0](to_far)
                    to_caller = noise[1](to_caller)
                caller.receive(to_caller)
                far.receive(to_far)
                if hearing is None:
                    hearing = classifier.feed(to_caller)
                    if hearing is None and clock.frames - start >= listen_frames:
                        hearing = classifier.conclude()
                    if hearing is not None:
                        # On the call's clock, like the progress events.
                        hearing = replace(hearing, at_seconds=round(clock.seconds, 3))
                        emit(_HEARD_PROGRESS[hearing.heard], hearing.evidence)
                        if hearing.heard is not Heard.FAX:
                            hung_up_on_hearing = True
                            break  # we hang up on anything but a fax machine
                        if hand_over and far.session is not None:
                            line = _alternating(noise) if noise is not None else None
                            run_back_to_back(
                                caller,
                                far.session,
                                line=line,
                                max_seconds=(max_frames - (clock.frames - start)) * FRAME_SECONDS,
                            )
                            clock.skip_to(start + round(caller.call_seconds / FRAME_SECONDS))
                            break
                if (
                    behaviour is Behaviour.DROPS_MID_PAGE
                    and not far.dead
                    and caller_phase_b
                    and clock.frames - caller_phase_b[0] >= drop_frames
                ):
                    far.hang_up()
                if caller.done:
                    # Our side has ended; the far end's phase E may still be on its way.
                    if far.done:
                        break
                    if first_done is None:
                        first_done = clock.frames
                    elif clock.frames - first_done >= grace_frames:
                        break
                if clock.frames - start >= max_frames:
                    break
                await clock.tick()
            if not caller.done:
                caller.terminate()
            if far.session is not None and not far.session.done:
                far.session.terminate()
            result = caller.result()
            if far.session is not None:
                call.answer_result = far.session.result()
        finally:
            caller.close()
            if far.session is not None:
                far.session.close()

        if hearing is None:
            hearing = replace(classifier.conclude(), at_seconds=round(clock.seconds, 3))
        if not hung_up_on_hearing:
            # A fax machine was heard, or T.30 ended before the listener decided: T.30
            # decides.
            outcome = outcome_of_t30(result.completion_code, result.completion_text)
            return ended(outcome, fax=result, hearing=hearing, connected=hearing.heard is Heard.FAX)
        name = _HEARD_OUTCOME[hearing.heard]
        outcome = replace(
            outcome_named(name, cause=f"heard:{hearing.heard}"),
            t30_code=result.completion_code,
            t30_text=result.completion_text,
        )
        return ended(outcome, fax=result, hearing=hearing)

    async def _t38_call(
        self,
        call: _Call,
        clock: MediaClock,
        emit: _Emit,
        ended: Callable[..., CallOutcome],
    ) -> CallOutcome:
        """A fax machine reached over T.38: IFP packets instead of audio (as after a SIP
        re-INVITE to ``m=image udptl t38``)."""
        request, timings = call.request, self.timings
        behaviour = call.test.behaviour if call.test is not None else None
        call.received = call.workdir / "received.tif"
        # Unpaced, a T.38 terminal sends a whole page at once: the line that drops mid-page
        # needs the packets paced (as a real gateway sends them) to drop in the middle.
        paced = self.real_time or behaviour is Behaviour.DROPS_MID_PAGE
        caller = T38FaxSession(
            calling=True, options=request.options, send=request.tiff, paced=paced
        )
        answerer = T38FaxSession(
            calling=False,
            options=self._answering_options(call),
            receive=call.received,
            paced=paced,
        )
        emit(CallProgress.T38, "re-INVITE to T.38")
        caller_phase_b: list[int] = []

        answered_at = clock.seconds

        def on_caller_phase(event: PhaseEvent) -> None:
            letter = _phase_letter(event)
            if letter == "B" and not caller_phase_b:
                caller_phase_b.append(clock.frames)
            emit(
                CallProgress.T30_PHASE,
                f"{letter} {event.name}".strip(),
                at=answered_at + event.at_seconds,
            )

        caller.on_phase = on_caller_phase
        grace_frames = round(timings.hangup_grace_seconds / FRAME_SECONDS)
        max_frames = round((request.options.max_call_seconds + 10) / FRAME_SECONDS)
        drop_frames = round(timings.drop_after_training_seconds / FRAME_SECONDS)
        dead = False
        first_done: int | None = None
        start = clock.frames
        try:
            while True:
                caller.advance(FRAME)
                answerer.advance(FRAME)
                to_far = caller.take_packets()
                to_caller = answerer.take_packets()
                if not dead:
                    for seq, ifp in to_far:
                        answerer.receive_packet(ifp, seq)
                    for seq, ifp in to_caller:
                        caller.receive_packet(ifp, seq)
                    if (
                        behaviour is Behaviour.DROPS_MID_PAGE
                        and caller_phase_b
                        and clock.frames - caller_phase_b[0] >= drop_frames
                    ):
                        dead = True
                        if not answerer.done:
                            answerer.terminate()
                if caller.done:
                    if answerer.done:
                        break
                    if first_done is None:
                        first_done = clock.frames
                    elif clock.frames - first_done >= grace_frames:
                        break
                if clock.frames - start >= max_frames:
                    break
                await clock.tick()
            for session in (caller, answerer):
                if not session.done:
                    session.terminate()
            result = caller.result()
            call.answer_result = answerer.result()
        finally:
            caller.close()
            answerer.close()
        outcome = outcome_of_t30(result.completion_code, result.completion_text)
        return ended(outcome, fax=result, connected=True, media="t38")


def _alternating(noise: tuple[WhiteNoise, WhiteNoise]) -> Callable[[bytes], bytes]:
    """A ``line`` for ``run_back_to_back``, which calls it for the caller's frame then the
    answerer's: each direction keeps its own noise generator, as in the sandbox's loop."""
    turn = [0]

    def line(frame: bytes) -> bytes:
        noisy = noise[turn[0]](frame)
        turn[0] ^= 1
        return noisy

    return line


_HEARD_PROGRESS = {
    Heard.FAX: CallProgress.FAX_TONES,
    Heard.VOICE: CallProgress.VOICE,
    Heard.SIT: CallProgress.SIT_TONES,
    Heard.SILENCE: CallProgress.SILENCE,
}
_HEARD_OUTCOME = {
    Heard.VOICE: OutcomeName.VOICE_ANSWER,
    Heard.SIT: OutcomeName.SIT_TONE,
    Heard.SILENCE: OutcomeName.NOT_A_FAX_MACHINE,
}
