"""The SIP trunk transport: fax calls to and from a carrier over SIP, G.711 audio or T.38.

:class:`SipTrunkTransport` is a :class:`~faxline.telephony.transport.Transport` like the sandbox
PSTN: jobs, the dispatcher and inbound delivery do not know which one carries their calls.

**One event loop per process.** The user agent's sockets, every call's media and the answering
of incoming calls live in one asyncio loop, run by a thread of this transport
(:meth:`start`). :meth:`place_call_sync` (the dispatcher's threads) and :meth:`place_call` (any
other loop) hand their call to it and wait; database work the transport asks of the platform
(:class:`~faxline.telephony.sip.config.TrunkDirectory`, the inbound receiver) runs in worker
threads, never in the media loop.

**An outbound call.** The trunks that carry the destination are tried by priority: a trunk
with no free channel is skipped; a trunk that fails the call itself (a 5xx, or no answer from
the trunk at all) hands it to the next; any other answer (busy, no answer, a wrong number, a
fax that failed) is the call's outcome. The INVITE offers G.711 (the trunk's codecs, in its
order); 180/183 are "Ringing"; early media is listened to for special information tones. Once
answered, the audio goes to a spandsp modem and to an
:class:`~faxline.telephony.tones.AnswerClassifier`: a voice, silence or SIT ends the call with
its outcome, fax tones let T.30 run.

**Switching to T.38** (:class:`~faxline.telephony.sip.config.T38Mode`). Whoever answers a fax
call usually asks for T.38, so the answering side of a faxline call re-INVITEs to
``m=image udptl t38`` as soon as it has answered, and the calling side, once it hears fax
tones, waits a moment for the far end's re-INVITE before sending its own. A re-INVITE from the
far end is accepted unless the mode is ``g711_only`` (488). A switch that is refused (488) or
fails leaves the call in G.711 (``t38_only``: the call ends, Negotiation Failed) and is
marked on the outcome (``t38_fallback``); a T.38 call that fails is remembered for the
destination (``learn_t38_failure``) so that the next attempt goes in G.711. On a switch the
audio modem is dropped and a T.38 terminal starts T.30 afresh, as gateways do: the switch
happens while only tones have been exchanged.

**An incoming call.** It must come from one of the enabled trunks (its host or outbound
proxy, resolved: anyone else gets 403), for one of the platform's numbers in service (404
otherwise) whose user is unlocked (486) and accepting (603); the call is
answered in G.711 and switched to T.38 as above; the received pages go to the inbound
receiver (the fax engine's inbound pipeline), in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faxline.core.errors import ValidationFailed
from faxline.core.phone import fax_number_e164
from faxline.telephony.outcomes import Outcome, OutcomeName, outcome_named, outcome_of_t30
from faxline.telephony.sip.config import (
    InboundAnswer,
    MediaChoice,
    T38Mode,
    TrunkConfig,
    TrunkDirectory,
)
from faxline.telephony.sip.dialog import CallFailed, IncomingCall, OutgoingCall
from faxline.telephony.sip.faxcalls import (
    CallLog,
    CallMedia,
    FaxCall,
    FaxCallResult,
    clock_answered,
)
from faxline.telephony.sip.sdp import SessionDescription, audio_offer
from faxline.telephony.sip.transaction import Timers
from faxline.telephony.sip.ua import Registration, UserAgent
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.tones import AnswerClassifier, Heard
from faxline.telephony.transport import (
    CallOutcome,
    CallProgress,
    CallRequest,
    InboundReceiver,
    MediaClock,
    ReceivedFax,
    Transport,
)

log = logging.getLogger(__name__)

#: Final answers to our INVITE that are the trunk's own failure: the next trunk is tried.
FAILOVER_STATUSES = frozenset({401, 403, 407, 500, 502, 503, 504})
#: What the user agent raises when this process holds as many calls as it may.
LOCAL_LIMIT = "Local call limit reached"

#: How often each enabled trunk is asked OPTIONS (keep-alive, and whether it answers at all).
KEEPALIVE_SECONDS = 30.0
#: A keep-alive answered with one of these: the trunk is down, tried after the others.
UNREACHABLE = frozenset({408, 503})

_BUSY = frozenset({486, 600, 603})
_INVALID = frozenset({404, 410, 484, 485, 604})
_NO_ANSWER = frozenset({408, 480, 487})
_NEGOTIATION = frozenset({415, 488, 606})

_HEARD_OUTCOME = {
    Heard.VOICE: OutcomeName.VOICE_ANSWER,
    Heard.SIT: OutcomeName.SIT_TONE,
    Heard.SILENCE: OutcomeName.NOT_A_FAX_MACHINE,
}
_REFUSALS = {
    InboundAnswer.UNKNOWN_NUMBER: (404, "Not Found"),
    InboundAnswer.USER_LOCKED: (486, "Busy Here"),
    InboundAnswer.DECLINED: (603, "Decline"),
}


def outcome_of_status(status: int) -> Outcome:
    """The guide's name for a final non-2xx answer to our INVITE."""
    cause = f"sip:{status}"
    if status in _BUSY:
        return outcome_named(OutcomeName.BUSY, cause=cause)
    if status in _INVALID:
        return outcome_named(OutcomeName.INVALID_FAX_NUMBER, cause=cause)
    if status in _NO_ANSWER:
        return outcome_named(OutcomeName.NO_ANSWER, cause=cause)
    if status in _NEGOTIATION:
        return outcome_named(OutcomeName.NEGOTIATION_FAILED, cause=cause)
    if status in (401, 407):
        return outcome_named(OutcomeName.GENERAL_ERROR, cause=f"{cause}:credentials refused")
    return outcome_named(OutcomeName.FAST_BUSY, cause=cause)


def _progress_of_status(status: int) -> CallProgress:
    if status in _BUSY:
        return CallProgress.BUSY
    if status in _NO_ANSWER:
        return CallProgress.NO_ANSWER
    return CallProgress.FAST_BUSY


@dataclass(frozen=True)
class TrunkLines:
    """What the dispatcher reads as a transport's capacity (``lines.count``)."""

    count: int


class Channels:
    """Calls in progress per trunk against each trunk's ``channels`` (in this process)."""

    def __init__(self) -> None:
        self._busy: dict[str, int] = {}
        self._lock = threading.Lock()

    def try_acquire(self, trunk: TrunkConfig) -> bool:
        with self._lock:
            busy = self._busy.get(trunk.key, 0)
            if busy >= trunk.channels:
                return False
            self._busy[trunk.key] = busy + 1
            return True

    def release(self, trunk: TrunkConfig) -> None:
        with self._lock:
            self._busy[trunk.key] = max(0, self._busy.get(trunk.key, 0) - 1)

    def busy(self, key: str) -> int:
        with self._lock:
            return self._busy.get(key, 0)


class _Failover(Exception):
    """The trunk failed the call itself: the next trunk may carry it."""

    def __init__(self, outcome: Outcome, signalling: str):
        super().__init__(signalling)
        self.outcome = outcome
        self.signalling = signalling


class SipTrunkTransport(Transport):
    """Fax calls over the configured SIP trunks (see the module's description).

    ``trunks`` returns the enabled trunks in priority order; ``directory`` answers the
    transport's questions about the platform's numbers and destinations; ``inbound`` takes
    the received faxes. Both block (the database): they run in worker threads.
    ``host``/``port``: where our user agent listens for SIP (UDP and TCP; port 0: any free
    one) and the address in our SDP. ``speed``: media paced that many times faster than real
    time, for tests whose both ends are ours; never with a real carrier.
    """

    name = "sip"

    def __init__(
        self,
        trunks: Callable[[], Sequence[TrunkConfig]],
        directory: TrunkDirectory,
        inbound: InboundReceiver,
        *,
        host: str = "127.0.0.1",
        port: int = 5080,
        speed: float = 1.0,
        no_answer_seconds: float = 60.0,
        listen_seconds: float = 8.0,
        t38_wait_seconds: float = 1.0,
        timers: Timers | None = None,
        max_calls: int = 500,
        keepalive_seconds: float | None = KEEPALIVE_SECONDS,
    ):
        self.trunks = trunks
        self.directory = directory
        self.inbound = inbound
        self.host = host
        self.port = port
        self.speed = speed
        self.no_answer_seconds = no_answer_seconds
        self.listen_seconds = listen_seconds
        self.t38_wait_seconds = t38_wait_seconds
        self.timers = timers
        self.max_calls = max_calls
        self.channels = Channels()
        self.calls_answered = 0
        self.answers_inbound = True  # False when another process holds our SIP port
        # trunk key -> the status of its last keep-alive OPTIONS
        self.health: dict[str, int] = {}
        # host -> (until when, its IP addresses): who may send us INVITEs
        self._resolved: dict[str, tuple[float, frozenset[str]]] = {}
        # None: no keep-alive OPTIONS (for tests about something else: a trunk found
        # silent at the start would be ordered last before a call is placed).
        self.keepalive_seconds = keepalive_seconds
        self._keepalive_due = 0.0
        self.registrations: dict[str, Registration] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ua: UserAgent | None = None
        self._start_lock = threading.Lock()

    # --- capacity --------------------------------------------------------------------------

    @property
    def lines(self) -> TrunkLines:
        """All enabled trunks' channels: the dispatcher's concurrency."""
        return TrunkLines(max(1, sum(t.channels for t in self.trunks() if t.enabled)))

    # --- the loop thread -------------------------------------------------------------------

    @property
    def ua(self) -> UserAgent:
        if self._ua is None:
            raise RuntimeError("the SIP trunk transport is not started")
        return self._ua

    def start(self) -> None:
        """Start the transport's loop thread and its user agent (listening on
        ``host:port``); at most once. Raises what binding the port raised."""
        with self._start_lock:
            if self._thread is not None:
                return
            ready: Future[None] = Future()
            thread = threading.Thread(
                target=self._run_loop, args=(ready,), name="sip-trunk", daemon=True
            )
            thread.start()
            try:
                ready.result()
            except BaseException:
                thread.join()
                raise
            self._thread = thread
        self.keep_serving()

    def _run_loop(self, ready: Future[None]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            ua = loop.run_until_complete(self._bind())
        except BaseException as exc:
            loop.close()
            ready.set_exception(exc)
            return
        self._ua, self._loop = ua, loop
        if self.answers_inbound:
            self.port = ua.port  # the port asked for, or the OS's choice for port 0
        ready.set_result(None)
        try:
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(ua.close())
            finally:
                loop.close()

    async def _bind(self) -> UserAgent:
        """Our user agent on ``host:port``; when another process (a second dispatcher on
        this machine) holds that port, on a free one: this process then places calls but
        leaves answering (and registering) to the one the carrier knows."""
        for port in (self.port, 0):
            ua = UserAgent(
                host=self.host,
                port=port,
                on_invite=self._incoming,
                timers=self.timers,
                max_dialogs=self.max_calls,
            )
            try:
                await ua.start()
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE or port == 0:
                    raise
                log.warning(
                    "SIP port %s:%s is in use by another process: this one places calls "
                    "from a free port and leaves incoming calls to that process",
                    self.host,
                    port,
                )
                self.answers_inbound = False
                continue
            return ua
        raise AssertionError("unreachable")

    def keep_serving(self) -> None:
        """Register with the trunks that want it (and stop registering with those that no
        longer do): the dispatcher calls this every round."""
        if self._loop is None:
            return
        wanted = {
            t.key: t for t in self.trunks() if t.enabled and t.register and self.answers_inbound
        }
        asyncio.run_coroutine_threadsafe(self._registrations(wanted), self._loop).result()
        now = time.monotonic()
        if self.keepalive_seconds is not None and now >= self._keepalive_due:
            self._keepalive_due = now + self.keepalive_seconds
            enabled = [t for t in self.trunks() if t.enabled]
            asyncio.run_coroutine_threadsafe(self._keepalive(enabled), self._loop)

    async def _keepalive(self, trunks: Sequence[TrunkConfig]) -> None:
        """OPTIONS to every trunk at once: a trunk that does not answer is tried after the
        others (it still carries calls when no other can), and faxing is told."""

        async def ask(trunk: TrunkConfig) -> None:
            try:
                status = await self.ua.options(trunk)
            except Exception:
                log.exception("trunk %s: keep-alive failed", trunk.name)
                status = 503
            if status in UNREACHABLE and self.health.get(trunk.key) not in UNREACHABLE:
                log.warning("trunk %s does not answer (OPTIONS: %s)", trunk.name, status)
            self.health[trunk.key] = status
            await asyncio.to_thread(self.directory.trunk_seen, trunk.key, status)

        await asyncio.gather(*(ask(trunk) for trunk in trunks), return_exceptions=True)

    async def _registrations(self, wanted: dict[str, TrunkConfig]) -> None:
        for key in list(self.registrations):
            registration = self.registrations[key]
            if wanted.get(key) != registration.trunk:
                del self.registrations[key]
                await registration.stop()
        for key, trunk in wanted.items():
            if key not in self.registrations:
                try:
                    self.registrations[key] = await self.ua.register(trunk)
                except Exception:
                    log.exception("trunk %s: registration failed", trunk.name)

    def close(self) -> None:
        """Stop: hang up the calls, unregister, close the sockets."""
        with self._start_lock:
            loop, thread = self._loop, self._thread
            if loop is None or thread is None:
                return
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=15)
            self._thread = self._loop = self._ua = None
            self.registrations.clear()

    def _run(self, request: CallRequest) -> Future[CallOutcome]:
        self.start()
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(self._place(request), self._loop)

    async def place_call(self, request: CallRequest) -> CallOutcome:
        if self._loop is not None and asyncio.get_running_loop() is self._loop:
            return await self._place(request)
        future = await asyncio.to_thread(self._run, request)
        return await asyncio.wrap_future(future)

    def place_call_sync(self, request: CallRequest) -> CallOutcome:
        return self._run(request).result()

    async def serve(self) -> None:
        """Answer incoming calls until cancelled (the loop thread does the work)."""
        await asyncio.to_thread(self.start)
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.to_thread(self.close)

    # --- outbound --------------------------------------------------------------------------

    async def _place(self, request: CallRequest) -> CallOutcome:
        clock = MediaClock(real_time=True, speed=self.speed)
        calllog = CallLog(clock, request.on_progress)
        calllog.emit(CallProgress.DIALING, request.to_number)
        trunks = await asyncio.to_thread(self.trunks)
        carriers = sorted(
            (t for t in trunks if t.carries(request.to_number)),
            key=lambda t: self.health.get(t.key) in UNREACHABLE,  # stable: priority kept
        )
        if not carriers:
            calllog.emit(CallProgress.FAST_BUSY, "no trunk carries this destination")
            return self._ended(
                request,
                calllog,
                outcome_named(OutcomeName.FAST_BUSY, cause="no_route"),
                signalling="no route",
            )
        failed: _Failover | None = None
        for trunk in carriers:
            if not self.channels.try_acquire(trunk):
                continue
            try:
                choice = await asyncio.to_thread(self.directory.media_for, trunk, request.to_number)
                return await self._call(trunk, choice, request, calllog)
            except _Failover as exc:
                failed = exc
                calllog.emit(CallProgress.FAST_BUSY, f"trunk {trunk.name}: {exc.signalling}")
                log.warning("trunk %s failed a call (%s)", trunk.name, exc.signalling)
            finally:
                self.channels.release(trunk)
        if failed is not None:
            return self._ended(request, calllog, failed.outcome, signalling=failed.signalling)
        calllog.emit(CallProgress.NO_CHANNEL, "every channel of the trunks is in use")
        return self._ended(
            request, calllog, outcome_named(OutcomeName.NO_FREE_CHANNEL, cause="no_free_channel")
        )

    async def _call(
        self, trunk: TrunkConfig, choice: MediaChoice, request: CallRequest, calllog: CallLog
    ) -> CallOutcome:
        media = CallMedia(self.host, choice.mode, trunk.codecs, speed=self.speed)
        rtp = await media.open()
        dialed_at = time.monotonic()
        learned = choice.learned_fallback
        try:
            offer = audio_offer(self.host, rtp.port, trunk.codecs)
            media.local_sdp = offer
            early = _EarlyMedia(media, self.speed)

            def on_provisional(status: int, reason: str, sdp: SessionDescription | None) -> None:
                if status in (180, 183):
                    calllog.emit(CallProgress.RINGING, f"{status} {reason}")
                if sdp is not None and media.connect_audio(sdp):
                    early.listen()

            call = self.ua.prepare_invite(
                trunk,
                to_user=trunk.caller_id.written(request.to_number),
                from_user=trunk.caller_id.written(request.from_number),
                sdp=offer,
                on_provisional=on_provisional,
                timeout=self.no_answer_seconds,
            )
            try:
                await early.until_answered(call)
            except CallFailed as exc:
                return self._refused(exc, trunk, request, calllog, early)
            finally:
                early.stop()
            calllog.emit(CallProgress.ANSWERED, "200 OK")
            clock_answered(calllog.clock, dialed_at)
            call.on_reinvite = media.on_reinvite
            if not media.connect_audio(call.remote_sdp):
                await call.bye()
                return self._ended(
                    request,
                    calllog,
                    outcome_named(OutcomeName.NEGOTIATION_FAILED, cause="sip:no common codec"),
                    signalling="no common codec",
                    trunk=trunk,
                )
            fax_call = FaxCall(
                call,
                media,
                calllog.clock,
                calllog,
                calling=True,
                options=request.options,
                send=request.tiff,
                listen_seconds=self.listen_seconds,
                t38_wait_seconds=self.t38_wait_seconds,
            )
            result = await fax_call.run()
            return await self._finished(result, trunk, choice, learned, request, calllog)
        finally:
            media.close()

    def _refused(
        self,
        exc: CallFailed,
        trunk: TrunkConfig,
        request: CallRequest,
        calllog: CallLog,
        early: _EarlyMedia,
    ) -> CallOutcome:
        signalling = f"{exc.status} {exc.reason}".strip()
        if early.hearing is not None and early.hearing.heard is Heard.SIT:
            calllog.emit(CallProgress.SIT_TONES, early.hearing.evidence)
            return self._ended(
                request,
                calllog,
                outcome_named(OutcomeName.SIT_TONE, cause="heard:sit"),
                signalling=signalling,
                hearing=early.hearing,
                trunk=trunk,
            )
        if exc.status == 503 and exc.reason == LOCAL_LIMIT:
            calllog.emit(CallProgress.NO_CHANNEL, signalling)
            return self._ended(
                request,
                calllog,
                outcome_named(OutcomeName.NO_FREE_CHANNEL, cause="no_free_channel"),
                trunk=trunk,
            )
        outcome = outcome_of_status(exc.status)
        if exc.no_response or exc.status in FAILOVER_STATUSES:
            raise _Failover(outcome, signalling) from exc
        calllog.emit(_progress_of_status(exc.status), signalling)
        return self._ended(request, calllog, outcome, signalling=signalling, trunk=trunk)

    async def _finished(
        self,
        result: FaxCallResult,
        trunk: TrunkConfig,
        choice: MediaChoice,
        learned: bool,
        request: CallRequest,
        calllog: CallLog,
    ) -> CallOutcome:
        fax, hearing = result.fax, result.hearing
        common: dict[str, Any] = {
            "trunk": trunk,
            "media": result.media,
            "t38_fallback": learned or (result.t38_refused and result.media == "audio"),
            "fax": fax,
            "hearing": hearing,
            "extra": {
                "mode": str(choice.mode),
                "mode_from": str(choice.source),
                "far_hung_up": result.far_hung_up,
                **result.media_stats,
            },
        }
        if result.t38_refused and choice.mode is T38Mode.T38_ONLY and result.media == "audio":
            outcome = outcome_named(OutcomeName.NEGOTIATION_FAILED, cause="t38:refused")
            return self._ended(request, calllog, outcome, **common)
        if result.hung_up_on_hearing and hearing is not None:
            outcome = outcome_named(_HEARD_OUTCOME[hearing.heard], cause=f"heard:{hearing.heard}")
            return self._ended(request, calllog, outcome, **common)
        assert fax is not None
        outcome = outcome_of_t30(fax.completion_code, fax.completion_text)
        if not outcome.success and result.media == "t38":
            await asyncio.to_thread(
                self.directory.learn_t38_failure,
                request.to_number,
                f"T.38 call failed: {fax.completion_text}"[:200],
            )
        connected = hearing is None or hearing.heard is Heard.FAX
        return self._ended(request, calllog, outcome, connected=connected, **common)

    def _ended(
        self,
        request: CallRequest,
        calllog: CallLog,
        outcome: Outcome,
        *,
        signalling: str | None = None,
        fax: Any = None,
        hearing: Any = None,
        connected: bool = False,
        media: str = "audio",
        trunk: TrunkConfig | None = None,
        t38_fallback: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> CallOutcome:
        calllog.emit(CallProgress.HUNG_UP, str(outcome.name))
        return CallOutcome(
            outcome=outcome,
            connected=connected,
            transport=self.name,
            from_number=request.from_number,
            to_number=request.to_number,
            fax=fax,
            hearing=hearing,
            signalling=signalling,
            media=media if connected or fax is not None else "",
            seconds=calllog.clock.seconds,
            progress=tuple(calllog.events),
            far_end=dict(extra or {}),
            trunk=trunk.name if trunk is not None else "",
            t38_fallback=t38_fallback,
        )

    # --- inbound ---------------------------------------------------------------------------

    async def _trunk_of(self, trunks: Sequence[TrunkConfig], address: str) -> TrunkConfig | None:
        """The enabled trunk an INVITE from ``address`` (an IP) came through: the one whose
        host or outbound proxy is, or resolves to, that address; None for anyone else."""
        for trunk in trunks:
            if not trunk.enabled:
                continue
            proxy = (
                trunk.outbound_proxy.rsplit(":", 1)[0].strip("[]") if trunk.outbound_proxy else ""
            )
            for host in filter(None, (trunk.host, proxy)):
                if address in await self._addresses(host):
                    return trunk
        return None

    async def _addresses(self, host: str) -> frozenset[str]:
        """The IP addresses of ``host`` (a literal is itself), kept for a minute."""
        try:
            return frozenset({str(ipaddress.ip_address(host))})
        except ValueError:
            pass
        now = time.monotonic()
        cached = self._resolved.get(host)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None)
            found = frozenset(str(info[4][0]) for info in infos)
        except OSError:
            found = frozenset()
        self._resolved[host] = (now + 60.0, found)
        return found

    async def _incoming(self, call: IncomingCall) -> None:
        try:
            did = fax_number_e164(call.request_user, field="to")
        except ValidationFailed:
            await call.reject(404, "Not Found")
            return
        try:
            caller = fax_number_e164(call.from_user, field="from")
        except ValidationFailed:
            caller = call.from_user[:32]
        trunks = await asyncio.to_thread(self.trunks)
        trunk = await self._trunk_of(trunks, call.transaction.peer.host)
        if trunk is None:  # only our carriers may bring us faxes
            log.warning("INVITE from %s, not a trunk of ours: 403", call.transaction.peer.host)
            await call.reject(403, "Forbidden")
            return
        answer = await asyncio.to_thread(self.directory.inbound_answer, did, caller)
        if answer is not InboundAnswer.ACCEPT:
            await call.reject(*_REFUSALS[answer])
            return
        if not self.channels.try_acquire(trunk):
            await call.reject(503, "Service Unavailable")
            return
        try:
            await self._receive(call, did, caller, trunk)
        except CallFailed as exc:
            log.info("incoming call to %s ended before it was answered (%s)", did, exc)
        except Exception:
            log.exception("incoming call to %s failed", did)
            if not call.ended.is_set():
                await call.bye()
        finally:
            self.channels.release(trunk)

    async def _receive(self, call: IncomingCall, did: str, caller: str, trunk: TrunkConfig) -> None:
        media = CallMedia(self.host, trunk.t38, trunk.codecs, speed=self.speed)
        await media.open()
        folder = Path(tempfile.mkdtemp(prefix="faxline-sip-"))
        try:
            answer = None if call.offer is None else await media.answer_offer(call.offer)
            if answer is None:
                await call.reject(488, "Not Acceptable Here")
                return
            await call.ringing()
            call.on_reinvite = media.on_reinvite
            media.local_sdp = answer
            clock = MediaClock(real_time=True, speed=self.speed)
            await call.answer(answer)
            clock.restart()
            self.calls_answered += 1
            received = folder / "received.tif"
            fax_call = FaxCall(
                call,
                media,
                clock,
                CallLog(clock),
                calling=False,
                options=FaxOptions(ident=did, log_flow=False),
                receive=received,
            )
            result = await fax_call.run()
            fax = result.fax
            if fax is None or fax.pages < 1 or not received.exists():
                log.info("incoming call to %s ended without a page", did)
                return
            received_fax = ReceivedFax(
                to_number=did,
                from_number=caller,
                tiff=received,
                result=fax,
                received_at=datetime.now(UTC),
            )
            await asyncio.to_thread(self.inbound, received_fax)
        finally:
            media.close()
            shutil.rmtree(folder, ignore_errors=True)


class _EarlyMedia:
    """Listens to early media (a 183 with SDP) while the INVITE is pending: special
    information tones there mean the number cannot be reached, and we give up the call."""

    def __init__(self, media: CallMedia, speed: float):
        self.media = media
        self.speed = speed
        self.hearing: Any = None
        self._task: asyncio.Task[None] | None = None
        self._sit = asyncio.Event()

    def listen(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._listen())

    async def _listen(self) -> None:
        rtp = self.media.rtp
        assert rtp is not None
        classifier = AnswerClassifier()
        clock = MediaClock(real_time=True, speed=self.speed)
        silence = bytes(320)
        while self.hearing is None:
            rtp.send(silence)
            hearing = classifier.feed(rtp.take())
            if hearing is not None and hearing.heard is Heard.SIT:
                self.hearing = hearing
                self._sit.set()
                return
            if hearing is not None:  # ringback, an announcement that is no SIT: keep on
                classifier = AnswerClassifier()
            await clock.tick()

    async def until_answered(self, call: OutgoingCall) -> None:
        """Place ``call`` and wait for its answer; raises :class:`CallFailed` when it is
        refused, or cancelled because SIT tones were heard."""
        task = call.start()
        sit = asyncio.ensure_future(self._sit.wait())
        try:
            await asyncio.wait({task, sit}, return_when=asyncio.FIRST_COMPLETED)
            if not task.done():
                await call.cancel()
                with contextlib.suppress(CallFailed, TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), 5)
                raise CallFailed(487, "Request Terminated (special information tones)")
            task.result()
        finally:
            sit.cancel()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
