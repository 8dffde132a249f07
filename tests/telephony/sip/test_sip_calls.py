"""Two user agents on loopback, over UDP and TCP: calls, cancels, re-INVITEs, digest,
registration, OPTIONS, session timers, retransmissions, limits."""

from __future__ import annotations

import asyncio

import pytest
from sip_peers import Agents, Registrar, aio, eventually, trunk_to

from faxline.telephony.sip.config import Codec, SipTransportName
from faxline.telephony.sip.digest import DigestChecker
from faxline.telephony.sip.sdp import (
    SessionDescription,
    T38Params,
    answer_audio,
    answer_t38,
    audio_offer,
    chosen_codec,
    is_t38,
    t38_offer,
)
from faxline.telephony.sip.ua import CallFailed, IncomingCall, OutgoingCall

pytestmark = pytest.mark.database_independent

UDP, TCP = SipTransportName.UDP, SipTransportName.TCP
BOTH = pytest.mark.parametrize("transport", [UDP, TCP], ids=["udp", "tcp"])
OFFER = audio_offer("127.0.0.1", 40000, [Codec.PCMU, Codec.PCMA])


def _answer(call: IncomingCall) -> SessionDescription:
    assert call.offer is not None
    answer = answer_audio(call.offer, "127.0.0.1", 41000, [Codec.PCMA])
    assert answer is not None
    return answer


@BOTH
@aio
async def test_call_rings_answers_and_hangs_up(transport: SipTransportName) -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.ringing()
        await call.ringing(_answer(call))  # 183 with early media
        await call.answer(_answer(call))

    async with Agents(b={"on_invite": on_invite}) as agents:
        a, b = agents.a, agents.b
        seen: list[tuple[int, str, SessionDescription | None]] = []
        call = await a.invite(
            trunk_to(b, transport),
            to_user="+12125550100",
            from_user="+12125550199",
            sdp=OFFER,
            on_provisional=lambda s, r, sdp: seen.append((s, r, sdp)),
            headers={"X-Faxline-Job": "42"},
        )
        assert [(s, r) for s, r, _ in seen] == [
            (100, "Trying"),
            (180, "Ringing"),
            (183, "Session Progress"),
        ]
        assert seen[1][2] is None and seen[2][2] is not None
        assert chosen_codec(seen[2][2]) is Codec.PCMA
        incoming = calls[0]
        assert incoming.request_user == "+12125550100"
        assert (incoming.to_user, incoming.from_user) == ("+12125550100", "+12125550199")
        invite = agents.b_log.requests("received", "INVITE")[0]
        assert invite.get("P-Asserted-Identity") == "<sip:+12125550199@127.0.0.1>"
        assert invite.get("X-Faxline-Job") == "42"
        assert invite.top_via.transport == transport.value.upper()
        assert "timer" in invite.tokens("Supported")
        assert call.remote_sdp is not None and chosen_codec(call.remote_sdp) is Codec.PCMA
        assert incoming.remote_sdp is not None and chosen_codec(incoming.remote_sdp) is Codec.PCMU
        await eventually(lambda: len(agents.b_log.requests("received", "ACK")) == 1)
        assert call.call_id == incoming.call_id
        assert len(a.dialogs) == len(b.dialogs) == 1
        await call.bye()
        await asyncio.wait_for(incoming.ended.wait(), 2)
        assert (call.end_reason, incoming.end_reason) == ("bye_sent", "bye_received")
        assert agents.a_log.responses("received", 200, "BYE")
        assert not a.dialogs and not b.dialogs
        if transport is TCP:
            # one connection from a to b carried the whole call
            opened = [k for k in a.sockets._connections if k[2] == b.port]
            assert len(opened) == 1


@BOTH
@aio
async def test_callee_hangs_up(transport: SipTransportName) -> None:
    async def on_invite(call: IncomingCall) -> None:
        await call.answer(_answer(call))
        await call.bye()

    async with Agents(b={"on_invite": on_invite}) as agents:
        call = await agents.a.invite(
            trunk_to(agents.b, transport), to_user="1", from_user="2", sdp=OFFER
        )
        await asyncio.wait_for(call.ended.wait(), 2)
        assert call.end_reason == "bye_received"
        assert agents.b_log.responses("received", 200, "BYE")


@BOTH
@aio
async def test_cancel_before_answer(transport: SipTransportName) -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.ringing()

    async with Agents(b={"on_invite": on_invite}) as agents:
        ringing = asyncio.Event()
        call = agents.a.prepare_invite(
            trunk_to(agents.b, transport),
            to_user="1",
            from_user="2",
            sdp=OFFER,
            on_provisional=lambda s, r, sdp: ringing.set() if s == 180 else None,
        )
        task = call.start()
        await asyncio.wait_for(ringing.wait(), 2)
        await call.cancel()
        with pytest.raises(CallFailed) as failed:
            await task
        assert failed.value.status == 487
        await asyncio.wait_for(calls[0].cancelled.wait(), 2)
        assert calls[0].end_reason == "cancelled"
        assert agents.b_log.requests("received", "CANCEL")
        assert agents.b_log.responses("sent", 487, "INVITE")
        await eventually(lambda: len(agents.b_log.requests("received", "ACK")) == 1)
        with pytest.raises(CallFailed):
            await calls[0].answer(_answer(calls[0]))  # too late
        assert not agents.a.dialogs and not agents.b.dialogs


@aio
async def test_cancel_right_after_start_waits_for_a_provisional() -> None:
    async def on_invite(call: IncomingCall) -> None:
        await asyncio.sleep(5)

    async with Agents(b={"on_invite": on_invite}) as agents:
        call = agents.a.prepare_invite(trunk_to(agents.b), to_user="1", from_user="2", sdp=OFFER)
        task = call.start()
        await call.cancel()  # nothing heard yet: CANCEL goes once 100 Trying arrives
        with pytest.raises(CallFailed) as failed:
            await task
        assert failed.value.status == 487
        cancels = agents.a_log.requests("sent", "CANCEL")
        assert len(cancels) == 1
        invite = agents.a_log.requests("sent", "INVITE")[0]
        assert cancels[0].top_via.branch == invite.top_via.branch
        assert cancels[0].cseq.number == invite.cseq.number


@aio
async def test_timeout_cancels_the_call() -> None:
    async def on_invite(call: IncomingCall) -> None:
        await call.ringing()

    async with Agents(b={"on_invite": on_invite}) as agents:
        with pytest.raises(CallFailed) as failed:
            await agents.a.invite(
                trunk_to(agents.b), to_user="1", from_user="2", sdp=OFFER, timeout=0.3
            )
        assert (failed.value.status, failed.value.no_response) == (408, False)
        assert agents.b_log.requests("received", "CANCEL")


@BOTH
@aio
async def test_refusals_raise_call_failed_with_the_status(transport: SipTransportName) -> None:
    async def on_invite(call: IncomingCall) -> None:
        await call.reject(486 if call.request_user == "busy" else 503)

    async with Agents(b={"on_invite": on_invite}) as agents:
        trunk = trunk_to(agents.b, transport)
        with pytest.raises(CallFailed) as busy:
            await agents.a.invite(trunk, to_user="busy", from_user="2", sdp=OFFER)
        assert (busy.value.status, busy.value.reason, busy.value.no_response) == (
            486,
            "Busy Here",
            False,
        )
        with pytest.raises(CallFailed) as down:
            await agents.a.invite(trunk, to_user="down", from_user="2", sdp=OFFER)
        assert down.value.status == 503 and not down.value.no_response
        acks = agents.a_log.requests("sent", "ACK")
        assert len(acks) >= 2  # the non-2xx ACKs, inside their transactions
        invites = agents.a_log.requests("sent", "INVITE")
        assert acks[0].top_via.branch == invites[0].top_via.branch


@aio
async def test_unreachable_trunk_is_a_no_response_503() -> None:
    from sip_peers import free_port

    async with Agents() as agents:
        dead = free_port()
        udp = trunk_to(agents.b, UDP, port=dead)
        with pytest.raises(CallFailed) as failed:
            await agents.a.invite(udp, to_user="1", from_user="2", sdp=OFFER)
        assert (failed.value.status, failed.value.no_response) == (503, True)
        # Timer A retransmitted the INVITE until Timer B
        assert len(agents.a_log.requests("sent", "INVITE")) >= 5
        tcp = trunk_to(agents.b, TCP, port=dead)
        with pytest.raises(CallFailed) as refused:
            await agents.a.invite(tcp, to_user="1", from_user="2", sdp=OFFER)
        assert (refused.value.status, refused.value.no_response) == (503, True)
        assert await agents.a.options(udp, timeout=0.3) == 408


@BOTH
@aio
async def test_reinvite_to_t38_accepted_then_refused(transport: SipTransportName) -> None:
    calls: list[IncomingCall] = []
    offers: list[SessionDescription | None] = []

    async def on_reinvite(
        offer: SessionDescription | None,
    ) -> tuple[int, SessionDescription | None]:
        offers.append(offer)
        if offer is not None and len(offers) == 1:
            return 200, answer_t38(offer, "127.0.0.1", 41002, T38Params())
        return 488, None

    async def on_invite(call: IncomingCall) -> None:
        call.on_reinvite = on_reinvite
        calls.append(call)
        await call.answer(_answer(call))

    async with Agents(b={"on_invite": on_invite}) as agents:
        call = await agents.a.invite(
            trunk_to(agents.b, transport), to_user="1", from_user="2", sdp=OFFER
        )
        first_version = call.local_sdp.origin.version if call.local_sdp else -1
        t38 = t38_offer("127.0.0.1", 40002, T38Params(udp_ec="t38UDPFEC", max_bit_rate=9600))
        status, answer = await call.reinvite(t38)
        assert status == 200 and answer is not None and is_t38(answer)
        assert "a=T38FaxUdpEC:t38UDPRedundancy" in answer.to_text()
        assert "a=T38MaxBitRate:9600" in answer.to_text()
        assert call.remote_sdp is answer and is_t38(calls[0].local_sdp or OFFER)
        assert call.local_sdp is not None and call.local_sdp.origin.version == first_version + 1
        session_ids = {r.body.split(b"\r\n")[1] for r in agents.a_log.requests("sent", "INVITE")}
        assert len({line.split()[1] for line in session_ids}) == 1  # one o= session id
        status, answer = await call.reinvite(OFFER)
        assert (status, answer) == (488, None)
        assert call.remote_sdp is not None and is_t38(call.remote_sdp)  # unchanged
        assert agents.b_log.responses("sent", 488, "INVITE")
        await eventually(lambda: len(agents.b_log.requests("received", "ACK")) == 3)
        # the session lives on: a third offer goes through with the next version
        offers.clear()
        status, _ = await call.reinvite(t38)
        assert status == 200
        assert call.local_sdp is not None
        assert call.local_sdp.origin.version == first_version + 1  # same as last accepted
        await call.bye()


@aio
async def test_default_reinvite_answer_is_a_session_refresh() -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.answer(_answer(call))

    async with Agents(b={"on_invite": on_invite}) as agents:
        call = await agents.a.invite(trunk_to(agents.b), to_user="1", from_user="2", sdp=OFFER)
        status, answer = await call.reinvite(call.local_sdp or OFFER)
        assert status == 200 and answer is not None
        assert calls[0].local_sdp is not None
        assert answer.origin.version == calls[0].local_sdp.origin.version == 1  # unchanged


@aio
async def test_glare_is_resolved_by_retrying() -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.answer(_answer(call))

    async with Agents(b={"on_invite": on_invite}) as agents:
        call = await agents.a.invite(trunk_to(agents.b), to_user="1", from_user="2", sdp=OFFER)
        await eventually(
            lambda: calls[0].confirmed and bool(agents.b_log.requests("received", "ACK"))
        )
        t38 = t38_offer("127.0.0.1", 40002, T38Params())
        results = await asyncio.gather(
            call.reinvite(t38, timeout=5), calls[0].reinvite(t38, timeout=5)
        )
        assert [status for status, _ in results] == [200, 200]
        assert agents.a_log.responses("received", 491) or agents.b_log.responses("received", 491)


@BOTH
@pytest.mark.parametrize("status", [401, 407])
@aio
async def test_digest_challenge_is_answered_once(transport: SipTransportName, status: int) -> None:
    checker = DigestChecker("carrier.test", {"faxline": "s3cret"})
    header = "Authorization" if status == 401 else "Proxy-Authorization"
    challenge = "WWW-Authenticate" if status == 401 else "Proxy-Authenticate"

    async def on_invite(call: IncomingCall) -> None:
        if checker.check(call.invite.get(header), method="INVITE") is not True:
            await call.reject(status, headers={challenge: checker.challenge()})
            return
        await call.answer(_answer(call))

    async with Agents(b={"on_invite": on_invite}) as agents:
        good = trunk_to(agents.b, transport, username="faxline", password="s3cret")
        call = await agents.a.invite(good, to_user="1", from_user="2", sdp=OFFER)
        invites = agents.a_log.requests("sent", "INVITE")
        assert len(invites) == 2 and invites[1].get(header)
        assert invites[1].cseq.number == invites[0].cseq.number + 1
        assert invites[1].call_id == invites[0].call_id
        assert invites[1].from_.tag == invites[0].from_.tag
        ack = agents.a_log.requests("sent", "ACK")[-1]
        assert ack.get(header) == invites[1].get(header)
        await call.bye()
        bad = trunk_to(agents.b, transport, username="faxline", password="wrong")
        with pytest.raises(CallFailed) as failed:
            await agents.a.invite(bad, to_user="1", from_user="2", sdp=OFFER)
        assert failed.value.status == status
        assert len(agents.a_log.requests("sent", "INVITE")) == 4  # one retry only


@BOTH
@aio
async def test_register_with_digest_and_refresh(transport: SipTransportName) -> None:
    async with Agents() as agents:
        registrar = Registrar(agents.b, users={"+12125550100": "pw"}, expires=1, min_expires=30)
        trunk = trunk_to(
            agents.b,
            transport,
            username="+12125550100",
            password="pw",
            register=True,
            register_expires=20,
            domain="faxline.test",
        )
        registration = await agents.a.register(trunk)
        assert registration.ok and registration.last_status == 200
        assert registration.expires == 1
        # 401, then 423 asking for 30 s at least: the REGISTERs said 30 after that
        assert [r.get("Expires") for r in registrar.seen[:4]] == ["20", "20", "30", "30"]
        assert [bool(r.get("Authorization")) for r in registrar.seen[:4]] == [
            False,
            True,
            False,
            True,
        ]
        aor = "sip:+12125550100@faxline.test"
        assert aor in registrar.bindings
        await eventually(lambda: registration.count >= 3, 4)  # refreshed at half of 1 s
        call_ids = {r.call_id for r in registrar.seen}
        assert len(call_ids) == 1
        cseqs = [r.cseq.number for r in registrar.seen]
        assert cseqs == sorted(cseqs) and len(set(cseqs)) == len(cseqs)
        await registration.stop()
        assert aor not in registrar.bindings
        assert registrar.seen[-1].get("Expires") == "0"
        count = registration.count
        await asyncio.sleep(0.8)
        assert registration.count == count and not registration.ok
        wrong = trunk_to(
            agents.b,
            transport,
            username="+12125550100",
            password="x",
            register=True,
            domain="faxline.test",
        )
        failed = await agents.a.register(wrong)
        assert not failed.ok and failed.last_status == 401


@BOTH
@aio
async def test_options_qualify(transport: SipTransportName) -> None:
    async with Agents() as agents:
        assert await agents.a.options(trunk_to(agents.b, transport)) == 200
        answer = agents.a_log.responses("received", 200, "OPTIONS")[0]
        assert "INVITE" in (answer.get("Allow") or "")
        assert answer.get("Accept") == "application/sdp"
        assert "timer" in answer.tokens("Supported")


@aio
async def test_session_timer_refreshes_by_reinvite() -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.answer(_answer(call))

    async with Agents(
        a={"session_expires": 1, "min_se": 1}, b={"on_invite": on_invite, "min_se": 1}
    ) as agents:
        call = await agents.a.invite(trunk_to(agents.b), to_user="1", from_user="2", sdp=OFFER)
        assert (call.session_interval, call.we_refresh) == (1, True)
        ok = agents.a_log.responses("received", 200, "INVITE")[0]
        assert ok.get("Session-Expires") == "1;refresher=uac"
        assert ok.get("Require") == "timer"
        await asyncio.sleep(1.8)
        assert calls[0].refreshes >= 2 and call.refreshes >= 2
        assert not call.ended.is_set() and not calls[0].ended.is_set()
        refreshes = agents.a_log.requests("sent", "INVITE")[1:]
        assert all(r.get("Session-Expires") == "1;refresher=uac" for r in refreshes)
        versions = {r.body.split(b"\r\n")[1] for r in refreshes}
        assert len(versions) == 1  # the same SDP, the same o= version


@aio
async def test_session_expires_without_refresh_hangs_up() -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.answer(_answer(call))

    async with Agents(
        a={"session_expires": 1, "min_se": 1}, b={"on_invite": on_invite, "min_se": 1}
    ) as agents:
        call = await agents.a.invite(trunk_to(agents.b), to_user="1", from_user="2", sdp=OFFER)
        if call._session_timer is not None:
            call._session_timer.cancel()  # a refresher that forgets to refresh
        await asyncio.wait_for(calls[0].ended.wait(), 2)
        assert agents.b_log.requests("sent", "BYE")
        await asyncio.wait_for(call.ended.wait(), 1)
        assert call.end_reason == "bye_received"


@aio
async def test_session_interval_too_small_is_retried_with_min_se() -> None:
    async def on_invite(call: IncomingCall) -> None:
        await call.answer(_answer(call))

    async with Agents(
        a={"session_expires": 2, "min_se": 1}, b={"on_invite": on_invite, "min_se": 5}
    ) as agents:
        call = await agents.a.invite(trunk_to(agents.b), to_user="1", from_user="2", sdp=OFFER)
        assert agents.a_log.responses("received", 422)
        invites = agents.a_log.requests("sent", "INVITE")
        assert [i.get("Session-Expires") for i in invites] == ["2", "5"]
        assert invites[1].get("Min-SE") == "5"
        assert call.session_interval == 5
        await call.bye()


@aio
async def test_udp_losses_are_recovered_by_retransmission() -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.ringing()
        await asyncio.sleep(0.3)
        await call.answer(_answer(call))

    async with Agents(b={"on_invite": on_invite}) as agents:
        a, b = agents.a, agents.b
        a.sockets.drop_outgoing = 2  # the INVITE, twice
        lost_ok = [False]

        def drop_first_ok(direction: str, data: bytes) -> bool:
            if (
                direction == "in"
                and data.startswith(b"SIP/2.0 200")
                and b"INVITE" in data
                and not lost_ok[0]
            ):
                lost_ok[0] = True
                return True
            return False

        a.sockets.drop_filter = drop_first_ok
        b.sockets.drop_outgoing = 2  # its 100 Trying and 180 Ringing: a retransmits the INVITE
        call = await a.invite(trunk_to(b), to_user="1", from_user="2", sdp=OFFER)
        assert len(calls) == 1  # b took the retransmitted INVITEs as one
        assert len(agents.b_log.requests("received", "INVITE")) >= 2
        # the retransmitted INVITE was answered with the last response, 180, again
        assert len(agents.b_log.responses("sent", 180, "INVITE")) >= 2
        assert len(agents.b_log.responses("sent", 200, "INVITE")) >= 2  # 2xx until ACK
        # a BYE whose 200 is lost: retransmitted, answered again by b's transaction
        b.sockets.drop_outgoing = 1
        await call.bye()
        assert len(agents.b_log.requests("received", "BYE")) == 2
        assert [r.status for r in agents.b_log.responses("sent", method="BYE")] == [200, 200]
        assert call.end_reason == "bye_sent"


@aio
async def test_lost_ack_is_sent_again_for_the_retransmitted_2xx() -> None:
    async def on_invite(call: IncomingCall) -> None:
        await call.answer(_answer(call))

    async with Agents(b={"on_invite": on_invite}) as agents:
        dropped = [0]

        def drop_first_ack(direction: str, data: bytes) -> bool:
            if direction == "out" and data.startswith(b"ACK ") and not dropped[0]:
                dropped[0] = 1
                return True
            return False

        agents.a.sockets.drop_filter = drop_first_ack
        await agents.a.invite(trunk_to(agents.b), to_user="1", from_user="2", sdp=OFFER)
        await eventually(lambda: len(agents.b_log.requests("received", "ACK")) == 1)
        assert len(agents.a_log.requests("sent", "ACK")) == 2
        assert len(agents.b_log.responses("sent", 200, "INVITE")) >= 2


@aio
async def test_no_ack_ends_the_answered_call() -> None:
    results: list[BaseException] = []

    async def on_invite(call: IncomingCall) -> None:
        try:
            await call.answer(_answer(call))
        except CallFailed as failure:
            results.append(failure)

    async with Agents(b={"on_invite": on_invite}) as agents:
        agents.a.sockets.drop_filter = lambda d, data: d == "out" and data.startswith(b"ACK ")
        call = await agents.a.invite(trunk_to(agents.b), to_user="1", from_user="2", sdp=OFFER)
        await eventually(lambda: bool(results), 4)
        assert isinstance(results[0], CallFailed) and results[0].status == 408
        await asyncio.wait_for(call.ended.wait(), 2)  # b hung up with BYE
        assert call.end_reason == "bye_received"


@aio
async def test_dialog_limit_answers_503() -> None:
    async def on_invite(call: IncomingCall) -> None:
        await call.answer(_answer(call))

    async with Agents(b={"on_invite": on_invite, "max_dialogs": 1}) as agents:
        trunk = trunk_to(agents.b)
        first = await agents.a.invite(trunk, to_user="1", from_user="2", sdp=OFFER)
        with pytest.raises(CallFailed) as failed:
            await agents.a.invite(trunk, to_user="1", from_user="2", sdp=OFFER)
        assert failed.value.status == 503
        await first.bye()
        second = await agents.a.invite(trunk, to_user="1", from_user="2", sdp=OFFER)
        assert isinstance(second, OutgoingCall)


@aio
async def test_close_hangs_up_calls() -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.answer(_answer(call))

    async with Agents(b={"on_invite": on_invite}) as agents:
        call = await agents.a.invite(trunk_to(agents.b), to_user="1", from_user="2", sdp=OFFER)
        await agents.a.close()
        assert call.end_reason == "bye_sent"
        await asyncio.wait_for(calls[0].ended.wait(), 1)


@aio
async def test_close_is_quick_and_cancels_pending_calls() -> None:
    calls: list[IncomingCall] = []

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.ringing()

    async with Agents(b={"on_invite": on_invite}) as agents:
        ringing = asyncio.Event()
        call = agents.a.prepare_invite(
            trunk_to(agents.b),
            to_user="1",
            from_user="2",
            sdp=OFFER,
            on_provisional=lambda s, r, sdp: ringing.set() if s == 180 else None,
        )
        task = call.start()
        await asyncio.wait_for(ringing.wait(), 2)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await agents.a.close()
        assert loop.time() - started < 0.5  # the CANCEL's 200 was heard while closing
        with pytest.raises(CallFailed) as failed:
            await task
        assert failed.value.status in (487, 408)
        await asyncio.wait_for(calls[0].cancelled.wait(), 1)
