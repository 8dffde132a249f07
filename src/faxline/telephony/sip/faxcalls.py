"""One fax call over a SIP dialog: the media (G.711, then perhaps T.38), the switch between
them, and what the call came to. The transport (:mod:`.trunk`) chooses the trunk, places or
accepts the INVITE and hands the answered dialog to :class:`FaxCall`.

The switch to T.38 (see :class:`~faxline.telephony.sip.config.T38Mode`): the answering side
re-INVITEs to ``m=image udptl t38`` as soon as it has answered; the calling side, once it
hears fax tones, waits ``t38_wait_seconds`` for the far end's re-INVITE and then sends its
own. A far end's T.38 offer is accepted unless the mode is ``g711_only`` (488). When our
switch is refused or fails, the call stays in G.711 (``t38_fallback``), except in
``t38_only`` mode where it ends. On a switch the audio modem is dropped and a T.38 terminal
starts T.30 afresh, as gateways do: only tones have been exchanged by then.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from faxline.telephony.media import RtpEndpoint, UdptlEndpoint, run_audio, run_t38
from faxline.telephony.sip.config import Codec, T38Mode
from faxline.telephony.sip.sdp import (
    SessionDescription,
    T38Params,
    answer_audio,
    answer_t38,
    chosen_codec,
    chosen_payload_type,
    is_t38,
    media_address,
    t38_offer,
    t38_params,
)
from faxline.telephony.t30 import (
    AudioFaxSession,
    FaxOptions,
    FaxResult,
    PhaseEvent,
    T38FaxSession,
)
from faxline.telephony.tones import FRAME_SECONDS, AnswerClassifier, Heard, Hearing
from faxline.telephony.transport import CallProgress, MediaClock, ProgressEvent

log = logging.getLogger(__name__)

HEARD_PROGRESS = {
    Heard.FAX: CallProgress.FAX_TONES,
    Heard.VOICE: CallProgress.VOICE,
    Heard.SIT: CallProgress.SIT_TONES,
    Heard.SILENCE: CallProgress.SILENCE,
}

#: Frames of the RTP jitter buffer at real time (100 ms).
JITTER_FRAMES = 5

#: Our T.38 capabilities: version 0, 14400 bit/s, transferred TCF, redundancy.
OUR_T38 = T38Params()


@dataclass
class CallLog:
    """The progress of one call on its own clock, told to the request's callback."""

    clock: MediaClock
    on_progress: Callable[[ProgressEvent], object] | None = None
    events: list[ProgressEvent] = field(default_factory=list)

    def emit(self, kind: CallProgress, detail: str = "") -> None:
        event = ProgressEvent(kind, round(self.clock.seconds, 3), detail)
        self.events.append(event)
        if self.on_progress is not None:
            try:
                self.on_progress(event)
            except Exception:  # the caller's callback must not end our call
                log.exception("progress callback failed")


class CallMedia:
    """A call's media endpoints and its answers to the far end's offers."""

    def __init__(self, host: str, mode: T38Mode, codecs: Sequence[Codec], *, speed: float = 1.0):
        self.host = host
        # 100 ms of jitter buffer (fax does not mind the delay; a process held up longer than
        # the buffer makes a G.711 modem lose its training), kept as wide in wall time when
        # the media is paced faster than real time.
        self.jitter_depth = max(JITTER_FRAMES, math.ceil(JITTER_FRAMES * speed / 2))
        self.mode = mode
        self.codecs = tuple(codecs)
        self.rtp: RtpEndpoint | None = None
        self.udptl: UdptlEndpoint | None = None
        self.local_sdp: SessionDescription | None = None
        self.t38_remote: asyncio.Future[SessionDescription] | None = None

    async def open(self) -> RtpEndpoint:
        capacity = max(64, 1 << (4 * self.jitter_depth - 1).bit_length())
        self.rtp = await RtpEndpoint.open(self.host, depth=self.jitter_depth, capacity=capacity)
        self.t38_remote = asyncio.get_running_loop().create_future()
        return self.rtp

    def close(self) -> None:
        for endpoint in (self.rtp, self.udptl):
            if endpoint is not None:
                endpoint.close()

    @property
    def switched(self) -> bool:
        return self.t38_remote is not None and self.t38_remote.done()

    def connect_audio(self, remote: SessionDescription | None) -> bool:
        """Send our audio where ``remote`` says, in the law it chose; False when it has no
        G.711 we know."""
        codec = chosen_codec(remote) if remote is not None else None
        if remote is None or codec is None or self.rtp is None:
            return False
        host, port, kind = media_address(remote)
        if kind != "audio" or not port:
            return False
        self.rtp.connect(host, port, codec, chosen_payload_type(remote, codec))
        return True

    async def _udptl(self) -> UdptlEndpoint:
        if self.udptl is None:
            self.udptl = await UdptlEndpoint.open(self.host)
        return self.udptl

    async def answer_offer(self, offer: SessionDescription) -> SessionDescription | None:
        """Our answer to an offer (initial or re-INVITE): T.38 when offered and allowed,
        else G.711; None to refuse (488)."""
        if is_t38(offer):
            if self.mode is T38Mode.G711_ONLY:
                return None
            udptl = await self._udptl()
            answer = answer_t38(offer, self.host, udptl.port, OUR_T38)
            if answer is not None:
                self._t38_agreed(offer)
            return answer
        assert self.rtp is not None
        answer = answer_audio(offer, self.host, self.rtp.port, self.codecs)
        if answer is not None:
            self.connect_audio(offer)
        return answer

    async def on_reinvite(self, offer: SessionDescription | None) -> tuple[int, Any]:
        """The far end's re-INVITE: a switch to T.38, a change of the audio, or a refresh."""
        if offer is None:  # a refresh without an offer: our current session again
            return 200, self.local_sdp
        answer = await self.answer_offer(offer)
        if answer is None:
            return 488, None
        self.local_sdp = answer
        return 200, answer

    async def ask_t38(self, dialog: Any) -> bool:
        """Our re-INVITE to T.38: True when the far end took it."""
        udptl = await self._udptl()
        offer = t38_offer(self.host, udptl.port, OUR_T38)
        try:
            status, answer = await dialog.reinvite(offer)
        except Exception:
            log.exception("re-INVITE to T.38 failed")
            return False
        if 200 <= status < 300 and answer is not None and is_t38(answer):
            self.local_sdp = offer
            self._t38_agreed(answer)
            return True
        return False

    def _t38_agreed(self, remote: SessionDescription) -> None:
        if self.t38_remote is not None and not self.t38_remote.done():
            self.t38_remote.set_result(remote)

    def connect_t38(self, remote: SessionDescription) -> UdptlEndpoint:
        assert self.udptl is not None
        host, port, _kind = media_address(remote)
        params = t38_params(remote) or OUR_T38
        self.udptl.connect(host, port, max_datagram=max(32, params.max_datagram))
        return self.udptl


@dataclass
class FaxCallResult:
    """What a fax call came to: T.30's result (None when T.30 never ran), what the caller
    heard, the media it ended in, whether a switch to T.38 was refused, and whether the far
    end hung up first."""

    fax: FaxResult | None
    hearing: Hearing | None = None
    hung_up_on_hearing: bool = False
    media: str = "audio"
    t38_refused: bool = False
    far_hung_up: bool = False
    media_stats: dict[str, Any] = field(default_factory=dict)


class FaxCall:
    """T.30 over an answered dialog: G.711 first, T.38 once both sides agree.

    ``calling``: we send ``send`` (and listen to what answered); otherwise we receive into
    ``receive``. ``listen_seconds``: how long the caller listens before deciding what
    answered. ``grace_seconds``: how long after our T.30 ends we wait for the far end's
    BYE before sending ours (its phase E may come a moment after ours).
    """

    def __init__(
        self,
        dialog: Any,
        media: CallMedia,
        clock: MediaClock,
        calllog: CallLog,
        *,
        calling: bool,
        options: FaxOptions,
        send: Path | None = None,
        receive: Path | None = None,
        listen_seconds: float = 8.0,
        t38_wait_seconds: float = 1.0,
        grace_seconds: float = 2.0,
    ):
        self.dialog = dialog
        self.media = media
        self.clock = clock
        self.calllog = calllog
        self.calling = calling
        self.options = options
        self.send = send
        self.receive = receive
        self.listen_frames = round(listen_seconds / FRAME_SECONDS)
        self.t38_wait_frames = round(t38_wait_seconds / FRAME_SECONDS)
        self.grace_seconds = grace_seconds
        self.result = FaxCallResult(None)
        self._classifier = AnswerClassifier() if calling else None
        self._fax_heard_at: int | None = None
        self._ask: asyncio.Task[bool] | None = None
        self._start = 0

    def _phase(self, event: PhaseEvent) -> None:
        """T.30 phases as call progress (B: negotiation, D: after each page, E: the end)."""
        letter = str(event.phase).strip().upper()[-1:]
        self.calllog.emit(CallProgress.T30_PHASE, f"{letter} {event.name}".strip())

    def _session_kwargs(self) -> dict[str, Any]:
        return {
            "calling": self.calling,
            "options": self.options,
            "send": self.send,
            "receive": self.receive,
        }

    async def run(self) -> FaxCallResult:
        """Carry the fax; the dialog is hung up (by us or the far end) when this returns."""
        media = self.media
        if media.switched:  # the initial offer was T.38 (a gateway forced it)
            await self._run_t38()
        else:
            await self._run_audio()
        await self._hang_up()
        return self.result

    # --- G.711 -----------------------------------------------------------------------------

    def _listen(self, frame: bytes) -> None:
        classifier = self._classifier
        if classifier is None or self.result.hearing is not None:
            return
        hearing = classifier.feed(frame)
        if hearing is None and self.clock.frames - self._start >= self.listen_frames:
            hearing = classifier.conclude()
        if hearing is None:
            return
        self.result.hearing = replace(hearing, at_seconds=round(self.clock.seconds, 3))
        self.calllog.emit(HEARD_PROGRESS[hearing.heard], hearing.evidence)
        if hearing.heard is Heard.FAX:
            self._fax_heard_at = self.clock.frames
        else:
            self.result.hung_up_on_hearing = True

    def _ask_t38(self) -> None:
        if self._ask is None and self.media.mode is not T38Mode.G711_ONLY:
            self._ask = asyncio.ensure_future(self.media.ask_t38(self.dialog))

    def _stop_audio(self) -> bool:
        """Checked every frame: whether the audio loop ends now."""
        result, media = self.result, self.media
        if self.dialog.ended.is_set() or result.hung_up_on_hearing or media.switched:
            return True
        if (
            self._fax_heard_at is not None
            and self.clock.frames - self._fax_heard_at >= self.t38_wait_frames
        ):
            self._ask_t38()  # the far end did not ask for T.38 in time: we do
        ask = self._ask
        refused = ask is not None and ask.done() and not ask.result()
        if refused and not result.t38_refused and not media.switched:
            result.t38_refused = True
            if media.mode is T38Mode.T38_ONLY:
                self.calllog.emit(CallProgress.T38, "T.38 refused: the call ends (T.38 only)")
                return True
            self.calllog.emit(CallProgress.T38, "T.38 refused: G.711 pass-through")
        return False

    async def _run_audio(self) -> None:
        media = self.media
        assert media.rtp is not None
        session = AudioFaxSession(**self._session_kwargs())
        session.on_phase = self._phase
        self._start = self.clock.frames
        if not self.calling:
            self._ask_t38()  # the answering side asks for T.38 at once
        try:
            stats = await run_audio(
                session, media.rtp, self.clock, listen=self._listen, until=self._stop_audio
            )
            self.result.media_stats["rtp"] = {"late_ticks": stats.late_ticks, **vars(stats.rtp)}
            if media.switched and not self.result.hung_up_on_hearing:
                session.close()
                await self._run_t38()
                return
            if not session.done:
                session.terminate()
            self.result.fax = session.result()
        finally:
            session.close()

    # --- T.38 ------------------------------------------------------------------------------

    async def _run_t38(self) -> None:
        media = self.media
        assert media.t38_remote is not None
        udptl = media.connect_t38(media.t38_remote.result())
        self.result.media = "t38"
        self.calllog.emit(CallProgress.T38, "T.38 (UDPTL)")
        # Paced: the IFPs go out at the rate of the modem they stand for, as a gateway on
        # the far side must play them out in real time.
        session = T38FaxSession(**self._session_kwargs(), paced=True)
        session.on_phase = self._phase
        try:
            stats = await run_t38(session, udptl, self.clock, until=self.dialog.ended.is_set)
            self.result.media_stats["udptl"] = {
                "late_ticks": stats.late_ticks,
                **vars(stats.udptl),
            }
            if not session.done:
                session.terminate()
            self.result.fax = session.result()
        finally:
            session.close()

    # --- the end ---------------------------------------------------------------------------

    async def _hang_up(self) -> None:
        dialog = self.dialog
        if dialog.ended.is_set():
            self.result.far_hung_up = True
            return
        if self.result.fax is not None and not self.result.hung_up_on_hearing:
            grace = self.grace_seconds / self.clock.speed
            try:
                await asyncio.wait_for(dialog.ended.wait(), grace)
                self.result.far_hung_up = True
                return
            except TimeoutError:
                pass
        try:
            await dialog.bye()
        except Exception:
            log.exception("BYE failed")


def clock_answered(clock: MediaClock, dialed_at: float) -> None:
    """Start the media clock at the answer: the ringing time counts on the call's clock, and
    real-time pacing starts now (not at the dial, which would make the first frames late)."""
    clock.offset += (time.monotonic() - dialed_at) * clock.speed
    clock.restart()
