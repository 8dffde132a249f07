"""The user agent's server side, driven by raw datagrams: what it answers to each request,
malformed input, retransmitted requests, and the transaction timers."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from sip_peers import FAST, aio

from faxline.telephony.sip.config import SipTransportName
from faxline.telephony.sip.message import Request, Response, SipUri, parse_message
from faxline.telephony.sip.transaction import Timers, TransactionLayer
from faxline.telephony.sip.transports import Peer
from faxline.telephony.sip.ua import IncomingCall, UserAgent

pytestmark = pytest.mark.database_independent


class RawPeer(asyncio.DatagramProtocol):
    """A UDP socket that sends what we write and queues what arrives."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None
        self.port = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.port = transport.get_extra_info("sockname")[1]

    def datagram_received(self, data: bytes, addr: object) -> None:
        self.queue.put_nowait(data)

    async def ask(self, ua: UserAgent, data: str | bytes) -> Response:
        assert self.transport is not None
        raw = data.encode() if isinstance(data, str) else data
        self.transport.sendto(raw.replace(b"PORT", str(self.port).encode()), ("127.0.0.1", ua.port))
        return await self.response()

    async def response(self, timeout: float = 2.0) -> Response:
        while True:
            message = parse_message(await asyncio.wait_for(self.queue.get(), timeout))
            if isinstance(message, Response):
                return message


async def raw_peer() -> RawPeer:
    loop = asyncio.get_running_loop()
    _, peer = await loop.create_datagram_endpoint(RawPeer, local_addr=("127.0.0.1", 0))
    return peer


def request(
    method: str,
    *extra: str,
    branch: str = "z9hG4bKraw1",
    to_tag: str = "",
    call_id: str = "raw-1",
    cseq: int = 1,
    body: str = "",
) -> str:
    to = "<sip:ua@127.0.0.1>" + (f";tag={to_tag}" if to_tag else "")
    lines = [
        f"{method} sip:ua@127.0.0.1 SIP/2.0",
        f"Via: SIP/2.0/UDP 127.0.0.1:PORT;branch={branch};rport",
        "Max-Forwards: 70",
        "From: <sip:carrier@127.0.0.1>;tag=c1",
        f"To: {to}",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} {method}",
        *extra,
        f"Content-Length: {len(body)}",
    ]
    return "\r\n".join(lines) + "\r\n\r\n" + body


@aio
async def test_out_of_dialog_answers() -> None:
    ua = UserAgent(timers=FAST)
    await ua.start()
    peer = await raw_peer()
    try:
        options = await peer.ask(ua, request("OPTIONS", branch="z9hG4bK1"))
        assert options.status == 200
        assert (
            "INVITE" in (options.get("Allow") or "") and options.get("Accept") == "application/sdp"
        )
        assert options.to.tag  # a tag of ours
        assert options.top_via.rport == peer.port  # RFC 3581: where it really came from
        invite = await peer.ask(ua, request("INVITE", branch="z9hG4bK2", call_id="i1"))
        assert invite.status == 480  # nobody takes calls here
        bye = await peer.ask(ua, request("BYE", branch="z9hG4bK3", to_tag="nope"))
        assert bye.status == 481
        info = await peer.ask(ua, request("INFO", branch="z9hG4bK4", to_tag="x", call_id="zz"))
        assert info.status == 481
        message = await peer.ask(ua, request("MESSAGE", branch="z9hG4bK5"))
        assert message.status == 405 and "INVITE" in (message.get("Allow") or "")
        unknown = await peer.ask(ua, request("FROBNICATE", branch="z9hG4bK6"))
        assert unknown.status == 501
        extension = await peer.ask(ua, request("OPTIONS", "Require: 100rel", branch="z9hG4bK7"))
        assert extension.status == 420 and extension.get("Unsupported") == "100rel"
        hops = await peer.ask(
            ua, request("INFO", branch="z9hG4bK8").replace("Max-Forwards: 70", "Max-Forwards: 0")
        )
        assert hops.status == 483
        cancel = await peer.ask(ua, request("CANCEL", branch="z9hG4bKnothing"))
        assert cancel.status == 481
        register = await peer.ask(ua, request("REGISTER", branch="z9hG4bK9"))
        assert register.status == 405
    finally:
        assert peer.transport is not None
        peer.transport.close()
        await ua.close()


@aio
async def test_malformed_requests_get_400_and_the_agent_goes_on() -> None:
    ua = UserAgent(timers=FAST)
    await ua.start()
    peer = await raw_peer()
    assert peer.transport is not None
    try:
        broken = request("OPTIONS", branch="z9hG4bKb1").replace(
            "CSeq: 1 OPTIONS", "CSeq: x OPTIONS"
        )
        peer.transport.sendto(
            broken.replace("PORT", str(peer.port)).encode(), ("127.0.0.1", ua.port)
        )
        raw = await asyncio.wait_for(peer.queue.get(), 2)
        assert raw.startswith(b"SIP/2.0 400 Bad Request\r\n")
        assert b"\r\nCall-ID: raw-1\r\n" in raw and b"CSeq: x OPTIONS" in raw
        assert b'Warning: 399 127.0.0.1 "bad CSeq"' in raw
        short = request("OPTIONS", branch="z9hG4bKb2").replace(
            "Content-Length: 0", "Content-Length: 10"
        )
        assert (await peer.ask(ua, short)).status == 400
        # garbage without anything to answer with: dropped, silently
        for junk in (
            b"\x00\x01\x02garbage",
            b"INVITE\r\n\r\n",
            b"SIP/2.0 200\r\n\r\n",
            b"OPTIONS sip:a SIP/2.0\r\nVia: nonsense\r\n\r\n",
            b"OPTIONS sip:a@h SIP/2.0\r\nX: " + b"y" * 60000 + b"\r\n\r\n",
        ):
            peer.transport.sendto(junk, ("127.0.0.1", ua.port))
        with pytest.raises(TimeoutError):
            await peer.response(timeout=0.3)
        assert ua.bad_requests == 7
        assert (await peer.ask(ua, request("OPTIONS", branch="z9hG4bKb3"))).status == 200
    finally:
        peer.transport.close()
        await ua.close()


@aio
async def test_retransmitted_invite_is_absorbed_and_answered_again() -> None:
    calls: list[IncomingCall] = []
    answered = asyncio.Event()

    async def on_invite(call: IncomingCall) -> None:
        calls.append(call)
        await call.reject(486)
        answered.set()

    ua = UserAgent(timers=FAST, on_invite=on_invite)
    await ua.start()
    peer = await raw_peer()
    assert peer.transport is not None
    try:
        invite = request("INVITE", branch="z9hG4bKr1", call_id="r1")
        first = await peer.ask(ua, invite)
        assert first.status == 100
        busy = await peer.response()
        assert busy.status == 486
        # the 486 is retransmitted (Timer G) until the ACK
        again = await peer.response()
        assert again.status == 486
        # the INVITE once more: the transaction answers 486 again, no second call
        assert (await peer.ask(ua, invite)).status == 486
        ack = request("ACK", branch="z9hG4bKr1", call_id="r1", to_tag=busy.to.tag or "")
        peer.transport.sendto(ack.replace("PORT", str(peer.port)).encode(), ("127.0.0.1", ua.port))
        await asyncio.sleep(0.3)
        while not peer.queue.empty():  # what was in flight before the ACK
            peer.queue.get_nowait()
        with pytest.raises(TimeoutError):
            await peer.response(timeout=0.4)  # the ACK stopped Timer G
        assert len(calls) == 1
    finally:
        peer.transport.close()
        await ua.close()


@aio
async def test_client_transaction_timers() -> None:
    sent: list[tuple[float, str]] = []
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def send(message: Request | Response, peer: Peer) -> None:
        sent.append((loop.time() - start, message.start_line()))

    timers = Timers(t1=0.02, t2=0.08, t4=0.1)
    layer = TransactionLayer(send, timers)
    udp = Peer(SipTransportName.UDP, "127.0.0.1", 9)

    def make(method: str, branch: str) -> Request:
        r = Request(method, SipUri(host="127.0.0.1"))
        for name, value in (
            ("Via", f"SIP/2.0/UDP 127.0.0.1:1;branch={branch}"),
            ("From", "<sip:a@h>;tag=1"),
            ("To", "<sip:b@h>"),
            ("Call-ID", branch),
            ("CSeq", f"1 {method}"),
        ):
            r.add(name, value)
        return r

    invite = layer.client(make("INVITE", "z9hG4bKt1"), udp)
    response = await invite.final
    assert response.status == 408 and invite.no_response
    times = [t for t, line in sent if line.startswith("INVITE")]
    # Timer A: 0, T1, 3T1, 7T1... until Timer B (64 T1 = 1.28 s): 7 sends
    assert len(times) == 7
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(later > earlier * 1.5 for earlier, later in itertools.pairwise(gaps))
    assert 1.2 < loop.time() - start < 1.6
    assert not layer.clients

    sent.clear()
    start = loop.time()
    options = layer.client(make("OPTIONS", "z9hG4bKt2"), udp)
    await asyncio.sleep(0.5)
    gaps_e = [b[0] - a[0] for a, b in itertools.pairwise(sent)]
    assert max(gaps_e) < timers.t2 * 1.6  # Timer E is capped at T2
    provisional = Response.to_request(options.request, 100)
    options.receive(provisional)
    final = Response.to_request(options.request, 200, to_tag="x")
    options.receive(final)
    assert (await options.final).status == 200
    count = len(sent)
    await asyncio.sleep(0.2)
    assert len(sent) == count  # no more retransmissions after the final
    assert not layer.clients  # Timer K (T4) has passed
    layer.close()
