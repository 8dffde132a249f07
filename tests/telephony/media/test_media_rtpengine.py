"""A G.711 caller through rtpengine's T.38 gateway to a T.38 answerer: our RTP endpoint and
UDPTL endpoint against a media gateway we did not write (Debian's rtpengine-daemon, spandsp's
t38_gateway inside), in real time.

rtpengine runs in user space (``--table=-1``) on loopback and is driven by its NG protocol
(bencode over UDP) with a tiny client written here: ``offer`` of the caller's audio SDP with
``T.38: [force]`` (rtpengine turns it into an ``m=image udptl t38`` offer towards the
answerer and becomes a gateway between the two), ``answer`` with the answerer's T.38 SDP (it
returns the audio SDP for the caller), ``delete`` at the end.
"""

from __future__ import annotations

import asyncio
import random
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fax_calls import STANDARD, make_tiff, pages_of

from faxline.telephony.media import RtpEndpoint, UdptlEndpoint, run_audio, run_t38
from faxline.telephony.sip.config import Codec
from faxline.telephony.t30 import AudioFaxSession, FaxOptions, T38FaxSession
from faxline.telephony.transport import MediaClock

pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.skipif(shutil.which("rtpengine") is None, reason="rtpengine is not installed"),
]


def bencode(value: Any) -> bytes:
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(item) for item in value) + b"e"
    if isinstance(value, dict):
        return b"d" + b"".join(bencode(k) + bencode(value[k]) for k in sorted(value)) + b"e"
    raise TypeError(f"cannot bencode {value!r}")


def bdecode(data: bytes, pos: int = 0) -> tuple[Any, int]:
    head = data[pos : pos + 1]
    if head == b"i":
        end = data.index(b"e", pos)
        return int(data[pos + 1 : end]), end + 1
    if head in (b"l", b"d"):
        pos += 1
        items = []
        while data[pos : pos + 1] != b"e":
            item, pos = bdecode(data, pos)
            items.append(item)
        if head == b"l":
            return items, pos + 1
        return {items[i].decode(): items[i + 1] for i in range(0, len(items), 2)}, pos + 1
    colon = data.index(b":", pos)
    length = int(data[pos:colon])
    return data[colon + 1 : colon + 1 + length], colon + 1 + length


class NgClient:
    """rtpengine's NG protocol: ``<cookie> <bencoded dict>`` each way over UDP."""

    def __init__(self, port: int) -> None:
        self.address = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(0.5)

    def __call__(self, command: dict[str, Any]) -> dict[str, Any]:
        cookie = b"%d" % random.randrange(10**9)
        for _ in range(20):  # rtpengine may still be starting
            self.sock.sendto(cookie + b" " + bencode(command), self.address)
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            reply, _ = bdecode(data[len(cookie) + 1 :])
            assert reply.get("result") in (b"ok", b"pong"), reply
            return dict(reply)
        raise AssertionError(f"rtpengine did not answer {command['command']}")

    def close(self) -> None:
        self.sock.close()


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def rtpengine(tmp_path: Path) -> Iterator[NgClient]:
    port = free_udp_port()
    low = random.randrange(20000, 29000, 2)
    log = (tmp_path / "rtpengine.log").open("wb")
    process = subprocess.Popen(
        [
            "rtpengine",
            "--config-file=none",
            "--table=-1",
            "--interface=127.0.0.1",
            f"--listen-ng=127.0.0.1:{port}",
            f"--port-min={low}",
            f"--port-max={low + 200}",
            "--foreground",
            "--log-stderr",
            "--log-level=5",
        ],
        stdout=log,
        stderr=log,
    )
    client = NgClient(port)
    try:
        client({"command": "ping"})
        yield client
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


AUDIO_SDP = (
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n"
)
T38_SDP = (
    "v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=image {port} udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n"
    "a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxBuffer:1800\r\n"
    "a=T38FaxMaxDatagram:400\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n"
)


def media_port(sdp: bytes, kind: str) -> int:
    match = re.search(rb"^m=" + kind.encode() + rb" (\d+) ", sdp, re.MULTILINE)
    assert match, sdp
    return int(match.group(1))


def test_g711_caller_through_the_rtpengine_gateway_to_a_t38_answerer(
    rtpengine: NgClient, tmp_path: Path
) -> None:
    document = make_tiff(tmp_path / "standard.tif", dpi=STANDARD, pages=3)
    received = tmp_path / "received.tif"
    options = FaxOptions(ident="faxline gateway", log_flow=False, max_call_seconds=180)

    async def scenario() -> tuple[Any, ...]:
        rtp, udptl = await RtpEndpoint.open(), await UdptlEndpoint.open()
        caller = AudioFaxSession(calling=True, options=options, send=document)
        answerer = T38FaxSession(calling=False, options=options, receive=received, paced=True)
        call = {"call-id": f"faxline-{random.randrange(10**9)}", "from-tag": "caller"}
        try:
            offer = rtpengine(
                {
                    "command": "offer",
                    **call,
                    "sdp": AUDIO_SDP.format(port=rtp.port),
                    "T.38": ["force"],
                }
            )
            udptl.connect("127.0.0.1", media_port(offer["sdp"], "image"), max_datagram=400)
            answer = rtpengine(
                {
                    "command": "answer",
                    **call,
                    "to-tag": "answerer",
                    "sdp": T38_SDP.format(port=udptl.port),
                }
            )
            rtp.connect("127.0.0.1", media_port(answer["sdp"], "audio"), Codec.PCMU)
            audio, t38 = await asyncio.gather(
                run_audio(caller, rtp, MediaClock(real_time=True)),
                run_t38(answerer, udptl, MediaClock(real_time=True)),
            )
            rtpengine({"command": "delete", **call})
            return caller.result(), answerer.result(), audio, t38
        finally:
            for item in (rtp, udptl, caller, answerer):
                item.close()

    sent, got, audio, t38 = asyncio.run(scenario())
    assert (sent.completion_code, got.completion_code) == (0, 0), (sent.log[-5:], got.log[-5:])
    assert sent.pages == got.pages == 3
    assert pages_of(received) == pages_of(document)
    assert audio.rtp.received > 1000 and t38.udptl.received > 100
