"""SIPp (Debian's sip-tester) plays the carrier against our user agent on loopback, as a
carrier would: challenges, refusals, CANCEL, BYE mid-call, a re-INVITE to T.38, session
timers, retransmissions and a malformed request. Each test checks SIPp's verdict (exit code 0:
every scripted message came as expected) and what our user agent saw."""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import Sequence
from pathlib import Path

import pytest
from sip_peers import FAST, Recorder, aio, free_port, trunk_to

from faxline.telephony.sip.config import Codec, SipTransportName
from faxline.telephony.sip.digest import digest_response, parse_auth_params
from faxline.telephony.sip.sdp import (
    SessionDescription,
    T38Params,
    answer_audio,
    answer_t38,
    audio_offer,
    chosen_codec,
)
from faxline.telephony.sip.ua import CallFailed, IncomingCall, UserAgent

SIPP = shutil.which("sipp")
SCENARIOS = Path(__file__).parent / "scenarios"

pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.skipif(SIPP is None, reason="SIPp (sip-tester) is not installed"),
]

OFFER = audio_offer("127.0.0.1", 40000, [Codec.PCMU, Codec.PCMA])


class Sipp:
    """One SIPp run (``-m 1``): started, awaited, and killed if the test ends first."""

    def __init__(
        self,
        scenario: str,
        workdir: Path,
        *args: str,
        transport: SipTransportName = SipTransportName.UDP,
    ):
        self.scenario = scenario
        self.workdir = workdir
        self.port = free_port()
        self.args = list(args)
        self.transport = transport
        self.process: asyncio.subprocess.Process | None = None
        self.output = b""

    async def start(self, target: Sequence[str] = ()) -> None:
        assert SIPP is not None
        mode = "u1" if self.transport is SipTransportName.UDP else "t1"
        self.process = await asyncio.create_subprocess_exec(
            SIPP,
            "-sf",
            str(SCENARIOS / self.scenario),
            *target,
            "-i",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-mp",
            str(free_port()),
            "-t",
            mode,
            "-m",
            "1",
            "-timeout",
            "20",
            "-timeout_error",
            "-trace_err",
            "-nostdin",
            *self.args,
            cwd=self.workdir,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        await self._bound()

    async def _bound(self) -> None:
        """Wait until SIPp listens on its port."""
        kind = socket.SOCK_DGRAM if self.transport is SipTransportName.UDP else socket.SOCK_STREAM
        for _ in range(200):
            with socket.socket(socket.AF_INET, kind) as probe:
                try:
                    probe.bind(("127.0.0.1", self.port))
                except OSError:
                    return
            await asyncio.sleep(0.02)
        raise AssertionError("SIPp did not start")

    async def finish(self, timeout: float = 15) -> int:
        assert self.process is not None
        try:
            self.output, _ = await asyncio.wait_for(self.process.communicate(), timeout)
        finally:
            if self.process.returncode is None:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode or 0

    def errors(self) -> str:
        logs = sorted(self.workdir.glob("*_errors.log"))
        return (
            "\n".join(p.read_text(errors="replace")[-3000:] for p in logs)
            + (self.output.decode(errors="replace")[-1500:])
        )


def _answer(call: IncomingCall) -> SessionDescription:
    assert call.offer is not None
    answer = answer_audio(call.offer, "127.0.0.1", 41000, [Codec.PCMU])
    assert answer is not None
    return answer


async def _agent(**kwargs: object) -> tuple[UserAgent, Recorder]:
    ua = UserAgent(timers=FAST, **kwargs)  # type: ignore[arg-type]
    await ua.start()
    return ua, Recorder(ua)


@pytest.mark.parametrize(
    "transport", [SipTransportName.UDP, SipTransportName.TCP], ids=["udp", "tcp"]
)
@aio
async def test_carrier_challenges_our_invite(tmp_path: Path, transport: SipTransportName) -> None:
    sipp = Sipp("uas_challenge.xml", tmp_path, transport=transport)
    await sipp.start()
    ua, log = await _agent()
    try:
        trunk = trunk_to(ua, transport, port=sipp.port, username="faxline", password="s3cret")
        provisional: list[int] = []
        call = await ua.invite(
            trunk,
            to_user="+12125550100",
            from_user="+12125550199",
            sdp=OFFER,
            on_provisional=lambda s, r, sdp: provisional.append(s),
        )
        assert 180 in provisional
        assert call.remote_sdp is not None and chosen_codec(call.remote_sdp) is Codec.PCMA
        assert call.route_set and call.route_set[0].endswith(";lr>")
        assert call.remote_target.user == "carrier"
        # the carrier asked us to refresh: it said refresher=uas on its own 2xx
        assert (call.session_interval, call.we_refresh) == (1800, False)
        invites = log.requests("sent", "INVITE")
        assert len(invites) == 2 and "Proxy-Authorization" not in dict(invites[0].headers)
        answer = parse_auth_params(
            (invites[1].get("Proxy-Authorization") or "").removeprefix("Digest ")
        )
        assert answer["response"] == digest_response(
            algorithm="MD5",
            username="faxline",
            realm="carrier.test",
            password="s3cret",
            method="INVITE",
            uri=answer["uri"],
            nonce="4a6f1c0e9b2d",
            qop="auth",
            nc=answer["nc"],
            cnonce=answer["cnonce"],
        )
        assert answer["uri"] == str(invites[1].uri)
        await call.bye()
        assert await sipp.finish() == 0, sipp.errors()
        assert log.responses("received", 200, "BYE")
    finally:
        await ua.close()


@pytest.mark.parametrize(
    ("scenario", "status", "reason"),
    [("uas_busy.xml", 486, "Busy Here"), ("uas_unavailable.xml", 503, "Service Unavailable")],
)
@aio
async def test_carrier_refuses_our_invite(
    tmp_path: Path, scenario: str, status: int, reason: str
) -> None:
    sipp = Sipp(scenario, tmp_path)
    await sipp.start()
    ua, log = await _agent()
    try:
        with pytest.raises(CallFailed) as failed:
            await ua.invite(trunk_to(ua, port=sipp.port), to_user="1", from_user="2", sdp=OFFER)
        assert (failed.value.status, failed.value.reason) == (status, reason)
        assert not failed.value.no_response  # the trunk answered: a refusal, not an outage
        assert await sipp.finish() == 0, sipp.errors()
        assert log.requests("sent", "ACK")
    finally:
        await ua.close()


@pytest.mark.parametrize(
    "transport", [SipTransportName.UDP, SipTransportName.TCP], ids=["udp", "tcp"]
)
@aio
async def test_carrier_hangs_up_mid_call(tmp_path: Path, transport: SipTransportName) -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.ringing()
        await call.answer(_answer(call))

    ua, log = await _agent(on_invite=on_invite)
    try:
        sipp = Sipp("uac_bye.xml", tmp_path, "-s", "+12125550100", transport=transport)
        await sipp.start([f"127.0.0.1:{ua.port}"])
        assert await sipp.finish() == 0, sipp.errors()
        assert len(calls) == 1
        call = calls[0]
        assert (call.request_user, call.from_user, call.from_display) == (
            "+12125550100",
            "+12125550199",
            "Carrier Caller",
        )
        await asyncio.wait_for(call.ended.wait(), 2)
        assert call.end_reason == "bye_received"
        assert log.responses("sent", 200, "BYE")
        assert not ua.dialogs
    finally:
        await ua.close()


@aio
async def test_carrier_cancels_before_answer(tmp_path: Path) -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.ringing()
        await asyncio.wait_for(call.cancelled.wait(), 5)

    ua, log = await _agent(on_invite=on_invite)
    try:
        sipp = Sipp("uac_cancel.xml", tmp_path, "-s", "+12125550100")
        await sipp.start([f"127.0.0.1:{ua.port}"])
        assert await sipp.finish() == 0, sipp.errors()
        assert calls[0].cancelled.is_set() and calls[0].end_reason == "cancelled"
        assert log.responses("sent", 487, "INVITE")
        assert log.responses("sent", 200, "CANCEL")
    finally:
        await ua.close()


@aio
async def test_carrier_reinvites_to_t38(tmp_path: Path) -> None:
    calls: list[IncomingCall] = []
    offers: list[SessionDescription | None] = []

    async def on_reinvite(
        offer: SessionDescription | None,
    ) -> tuple[int, SessionDescription | None]:
        offers.append(offer)
        assert offer is not None
        return 200, answer_t38(offer, "127.0.0.1", 41002, T38Params())

    async def on_invite(call: IncomingCall) -> None:
        call.on_reinvite = on_reinvite
        calls.append(call)
        await call.answer(_answer(call))

    ua, log = await _agent(on_invite=on_invite)
    try:
        sipp = Sipp("uac_reinvite_t38.xml", tmp_path, "-s", "+12125550100")
        await sipp.start([f"127.0.0.1:{ua.port}"])
        assert await sipp.finish() == 0, sipp.errors()
        assert len(offers) == 1
        answered = log.responses("sent", 200, "INVITE")[-1]
        assert b"m=image 41002 udptl t38" in answered.body
        assert answered.cseq.number == 2
        assert calls[0].local_sdp is not None and calls[0].local_sdp.origin.version == 2
        assert calls[0].end_reason == "bye_received"
    finally:
        await ua.close()


@aio
async def test_carrier_that_does_not_refresh_is_hung_up(tmp_path: Path) -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.answer(_answer(call))

    ua, log = await _agent(on_invite=on_invite, min_se=1)
    try:
        sipp = Sipp("uac_session_timer.xml", tmp_path, "-s", "+12125550100")
        await sipp.start([f"127.0.0.1:{ua.port}"])
        assert await sipp.finish() == 0, sipp.errors()
        assert calls[0].end_reason == "session_expired"
        assert log.requests("sent", "BYE")
    finally:
        await ua.close()


@aio
async def test_carrier_retransmissions_are_absorbed(tmp_path: Path) -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await asyncio.sleep(1.2)  # SIPp retransmits meanwhile
        await call.ringing()
        await call.answer(_answer(call))

    ua, log = await _agent(on_invite=on_invite)
    ua.sockets.drop_outgoing = 1  # our 100 Trying is lost
    try:
        sipp = Sipp("uac_retransmit.xml", tmp_path, "-s", "+12125550100")
        await sipp.start([f"127.0.0.1:{ua.port}"])
        assert await sipp.finish() == 0, sipp.errors()
        assert len(calls) == 1
        assert len(log.requests("received", "INVITE")) >= 2
        # the retransmitted INVITE got the transaction's last response, 100 Trying, again
        assert len(log.responses("sent", 100, "INVITE")) >= 2
        assert calls[0].end_reason == "bye_received"
    finally:
        await ua.close()


@aio
async def test_malformed_request_gets_400_and_calls_go_on(tmp_path: Path) -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.answer(_answer(call))

    ua, log = await _agent(on_invite=on_invite)
    try:
        sipp = Sipp("uac_malformed.xml", tmp_path, "-s", "+12125550100")
        await sipp.start([f"127.0.0.1:{ua.port}"])
        assert await sipp.finish() == 0, sipp.errors()
        assert ua.bad_requests == 1
        assert log.responses("sent", 200, "OPTIONS")  # the good OPTIONS after the 400
        assert len(calls) == 1 and calls[0].end_reason == "bye_received"
    finally:
        await ua.close()
