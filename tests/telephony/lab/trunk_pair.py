"""faxline endpoints on the lab carrier: SIP trunk transports that place and answer fax calls
through kamailio and rtpengine, and what they received (a module of its own so that test
modules can import it)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from PIL import Image, ImageDraw

from faxline.core.phone import fax_number_e164
from faxline.telephony.lab import Endpoint, SipLab
from faxline.telephony.media import RtpEndpoint
from faxline.telephony.sandbox import audio
from faxline.telephony.sip.config import Codec, InboundAnswer, T38Mode, TrunkConfig, TrunkDirectory
from faxline.telephony.sip.dialog import IncomingCall
from faxline.telephony.sip.sdp import answer_audio, chosen_codec, media_address
from faxline.telephony.sip.trunk import KEEPALIVE_SECONDS, SipTrunkTransport
from faxline.telephony.sip.ua import UserAgent
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.transport import (
    CallOutcome,
    CallRequest,
    MediaClock,
    ProgressEvent,
    ReceivedFax,
)
from telephony.fax_calls import STANDARD, WIDTH, pages_of

#: Media pacing of calls whose both ends are ours and rtpengine only relays: 8 times real
#: time (rtpengine forwards packets as they come). Through rtpengine's T.38 gateway the
#: media must be in real time: the gateway plays out audio on its own clock.
FAST = 8.0


def sparse_tiff(path: Path, *, pages: int = 3) -> Path:
    """A TIFF-F of ``pages`` pages with a few lines of text each: quick to send in real time
    (a dense page takes 15-20 s at 14400 bit/s)."""
    height = 1100
    images = []
    for number in range(1, pages + 1):
        image = Image.new("1", (WIDTH, height), 1)
        draw = ImageDraw.Draw(image)
        draw.text((40, 20), f"faxline over a SIP trunk, page {number} of {pages}", fill=0)
        for row in range(4):
            draw.text((80, 200 + 150 * row + 10 * number), f"line {row} of page {number}", fill=0)
        draw.rectangle((1200, 900, 1500, 980 + 20 * number), outline=0)
        images.append(image)
    images[0].save(
        path, compression="group4", dpi=STANDARD, save_all=True, append_images=images[1:]
    )
    return path


@dataclass
class Received:
    fax: ReceivedFax
    pages: list[tuple[tuple[int, int], bytes]]


@dataclass
class Party:
    """One faxline on the carrier: its transport, its lab endpoint, its numbers, its trunk's
    mode (changed by tests) and the faxes it received."""

    name: str
    port: int
    numbers: tuple[str, ...]
    username: str = ""
    password: str = ""
    mode: T38Mode = T38Mode.PREFERRED
    channels: int = 30
    register: bool = False
    locked: set[str] = field(default_factory=set)
    out_of_service: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    transport: SipTrunkTransport | None = None
    lab: SipLab | None = None
    arrived: threading.Event = field(default_factory=threading.Event)

    def trunk(self) -> TrunkConfig:
        assert self.lab is not None
        return TrunkConfig(
            key=self.name,
            name=f"lab ({self.name})",
            host=self.lab.sip_host,
            port=self.lab.sip_port,
            username=self.username,
            password=self.password,
            t38=self.mode,
            channels=self.channels,
            register=self.register,
        )

    def answer(self, did: str, caller: str) -> InboundAnswer:
        if did in self.locked:
            return InboundAnswer.USER_LOCKED
        if did in self.out_of_service:
            return InboundAnswer.UNKNOWN_NUMBER
        if any(did.startswith(n) for n in self.numbers):
            return InboundAnswer.ACCEPT
        return InboundAnswer.UNKNOWN_NUMBER

    def take(self, fax: ReceivedFax) -> None:
        self.received.append(Received(fax, pages_of(fax.tiff)))
        self.arrived.set()

    def start(self, lab: SipLab, *, speed: float) -> None:
        self.lab = lab
        self.transport = SipTrunkTransport(
            lambda: [self.trunk()],
            TrunkDirectory(inbound_answer=self.answer),
            self.take,
            port=self.port,
            speed=speed,
            listen_seconds=4.0,
        )
        self.transport.start()

    def set_speed(self, speed: float) -> None:
        assert self.transport is not None
        self.transport.speed = speed

    def call(
        self,
        to: str,
        tiff: Path,
        *,
        from_number: str,
        on_progress: Callable[[ProgressEvent], object] | None = None,
    ) -> CallOutcome:
        assert self.transport is not None
        self.arrived.clear()
        request = CallRequest(
            from_number=from_number,
            to_number=to,
            tiff=tiff,
            options=FaxOptions(ident="faxline lab"),
            on_progress=on_progress,
        )
        return self.transport.place_call_sync(request)

    def hang_up(self) -> None:
        """Hang up every call of this party now (a BYE from its side), from any thread."""
        transport = self.transport
        assert transport is not None and transport._loop is not None

        async def bye_all() -> None:
            for dialog in list(transport.ua.dialogs.values()):
                await dialog.bye()

        asyncio.run_coroutine_threadsafe(bye_all(), transport._loop)

    def endpoint(self, **options: object) -> Endpoint:
        return replace(
            Endpoint(
                self.name,
                port=self.port,
                numbers=self.numbers,
                username=self.username,
                password=self.password,
            ),
            **options,
        )

    def stop(self) -> None:
        if self.transport is not None:
            self.transport.close()


class Announcer:
    """A far end that is no fax machine, on the carrier: it answers with a sound
    (``answer``: speech or silence) or plays special information tones as early media
    (a 183 with SDP) and then refuses the call (``early_sit``), as a carrier's intercept
    does. Sounds come from the sandbox's (``telephony.sandbox.audio``)."""

    def __init__(self, port: int, *, speed: float = 1.0):
        self.port = port
        self.speed = speed
        self.plays: dict[str, str] = {}  # number -> "speech" | "silence" | "early_sit"
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        ua = UserAgent(port=self.port, on_invite=self._answer)
        loop.run_until_complete(ua.start())
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(ua.close())
            loop.close()

    async def _answer(self, call: IncomingCall) -> None:
        what = self.plays.get(fax_number_e164(call.request_user), "speech")
        rtp = await RtpEndpoint.open()
        try:
            assert call.offer is not None
            answer = answer_audio(call.offer, "127.0.0.1", rtp.port, (Codec.PCMU, Codec.PCMA))
            assert answer is not None
            codec = chosen_codec(call.offer)
            host, port, _kind = media_address(call.offer)
            assert codec is not None
            rtp.connect(host, port, codec)
            sound = audio.intercept() if what == "early_sit" else audio.speech()
            if what == "silence":
                sound = (audio.SILENCE,)
            if what == "early_sit":
                await call.ringing(answer)
                await self._play(rtp, sound, seconds=4.0, stop=call.ended)
                await call.reject(404, "Not Found")
                return
            await call.answer(answer)
            await self._play(rtp, sound, seconds=30.0, stop=call.ended)
            if not call.ended.is_set():
                await call.bye()
        finally:
            rtp.close()

    async def _play(
        self, rtp: RtpEndpoint, sound: tuple[bytes, ...], *, seconds: float, stop: asyncio.Event
    ) -> None:
        clock = MediaClock(real_time=True, speed=self.speed)
        loop = audio.Loop(sound)
        while clock.seconds < seconds and not stop.is_set():
            rtp.send(loop.next())
            rtp.take()
            await clock.tick()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


def caller_only(
    trunks: list[TrunkConfig],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    speed: float = FAST,
    answer: InboundAnswer = InboundAnswer.UNKNOWN_NUMBER,
    keepalive_seconds: float | None = KEEPALIVE_SECONDS,
    **directory: Callable[..., object],
) -> SipTrunkTransport:
    """A transport over ``trunks`` that places calls (incoming ones get ``answer``);
    ``directory``: more of the platform's answers (``trunk_seen``...);
    ``keepalive_seconds`` None: no keep-alive OPTIONS."""
    return SipTrunkTransport(
        lambda: trunks,
        TrunkDirectory(inbound_answer=lambda did, caller: answer, **directory),  # type: ignore[arg-type]
        lambda fax: None,
        host=host,
        port=port,
        speed=speed,
        keepalive_seconds=keepalive_seconds,
    )


def fax_to(transport: SipTrunkTransport, to: str, tiff: Path, *, from_number: str) -> CallOutcome:
    """Place one call and wait for its outcome."""
    request = CallRequest(
        from_number=from_number, to_number=to, tiff=tiff, options=FaxOptions(ident="lab")
    )
    return transport.place_call_sync(request)
