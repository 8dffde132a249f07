"""SIPp as the far end of lab calls: scenarios written here, a runner that keeps SIPp's
message trace, and a parser of that trace so that a test can read the SDP each side received.

SIPp is not a fax peer; it proves the signalling and what the carrier and rtpengine do to the
SDP. The scenarios are built by :func:`uac_scenario`, :func:`uas_scenario` and
:func:`register_scenario`; :class:`Sipp` runs one (in the background, or to the end).
"""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Self

from faxline.telephony.lab.lab import free_port
from faxline.telephony.sip.config import SipTransportName

SIPP = "/usr/bin/sipp"

AUDIO_SDP = """v=0
o=- 1 1 IN IP4 [media_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 8
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=sendrecv
"""

T38_SDP = """v=0
o=- 1 2 IN IP4 [media_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
m=image [media_port+2] udptl t38
a=T38FaxVersion:0
a=T38MaxBitRate:14400
a=T38FaxRateManagement:transferredTCF
a=T38FaxMaxBuffer:262
a=T38FaxMaxDatagram:176
a=T38FaxUdpEC:t38UDPRedundancy
"""


class Media(StrEnum):
    AUDIO = "audio"
    IMAGE = "image"


def _sdp(media: Media) -> str:
    return AUDIO_SDP if media is Media.AUDIO else T38_SDP


@dataclass
class _Builder:
    """Scenario elements with their indices (SIPp's ``[branch-N]`` counts elements back)."""

    elements: list[str] = field(default_factory=list)

    def add(self, element: str) -> int:
        self.elements.append(element)
        return len(self.elements) - 1

    def send(self, message: str, *, retrans: bool = False) -> int:
        attributes = ' retrans="500"' if retrans else ""
        text = message.strip("\n").replace("\n", "\r\n") + "\r\n\r\n"
        if "Content-Type: application/sdp" in message:
            head, _, body = message.strip("\n").partition("\n\n")
            text = head.replace("\n", "\r\n") + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n"
        return self.add(f"<send{attributes}><![CDATA[\n{text}]]></send>")

    def branch_of(self, index: int) -> str:
        back = len(self.elements) - index
        return f"[branch-{back}]" if back else "[branch]"

    def xml(self, name: str) -> str:
        body = "\n".join(self.elements)
        head = '<?xml version="1.0" encoding="ISO-8859-1" ?>'
        return f'{head}\n<scenario name="{name}">\n{body}\n</scenario>\n'


_HEADERS_OUT = """Via: SIP/2.0/[transport] [local_ip]:[local_port];branch={branch};rport
From: <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
Call-ID: [call_id]
Max-Forwards: 70
Contact: <sip:{caller}@[local_ip]:[local_port];transport=[transport]>"""


def _request(
    builder: _Builder,
    method: str,
    *,
    caller: str,
    uri: str,
    to: str,
    cseq: int,
    extra: str = "",
    sdp: Media | None = None,
    branch: str = "[branch]",
) -> str:
    headers = _HEADERS_OUT.format(branch=branch, caller=caller)
    lines = [f"{method} {uri} SIP/2.0", headers, to, f"CSeq: {cseq} {method}"]
    if extra:
        lines.append(extra)
    if sdp is None:
        lines.append("Content-Length: 0")
        return "\n".join(lines)
    lines += ["Content-Type: application/sdp", "Content-Length: [len]", "", _sdp(sdp)]
    return "\n".join(lines)


def uac_scenario(
    *,
    caller: str = "+12125550100",
    auth: bool = True,
    offer: Media = Media.AUDIO,
    expect: int = 200,
    reinvite: Media | None = None,
    reinvite_expect: int = 200,
    hold_ms: int = 200,
) -> str:
    """A caller: INVITE to ``[service]`` at the remote (the carrier), answering a 407 with
    its credentials when ``auth`` (``-au``/``-ap``); then, when the final answer ``expect`` is
    200, ACK, optionally a re-INVITE offering ``reinvite`` media answered with
    ``reinvite_expect`` (200: ACK; otherwise its ACK), and BYE after ``hold_ms``. A final
    answer other than 200 is ACKed and ends the scenario."""
    b = _Builder()
    to = "To: <sip:[service]@[remote_ip]:[remote_port]>"
    uri = "sip:[service]@[remote_ip]:[remote_port]"
    cseq = 1
    invite = b.send(
        _request(b, "INVITE", caller=caller, uri=uri, to=to, cseq=cseq, sdp=offer),
        retrans=True,
    )
    b.add('<recv response="100" optional="true"/>')
    if auth:
        b.add('<recv response="407" auth="true"/>')
        b.send(
            _request(
                b,
                "ACK",
                caller=caller,
                uri=uri,
                to="[last_To:]",
                cseq=cseq,
                branch=b.branch_of(invite),
            )
        )
        cseq += 1
        invite = b.send(
            _request(
                b,
                "INVITE",
                caller=caller,
                uri=uri,
                to=to,
                cseq=cseq,
                extra="[authentication]",
                sdp=offer,
            ),
            retrans=True,
        )
        b.add('<recv response="100" optional="true"/>')
    if expect != 200:
        b.add(f'<recv response="{expect}"/>')
        b.send(
            _request(
                b,
                "ACK",
                caller=caller,
                uri=uri,
                to="[last_To:]",
                cseq=cseq,
                branch=b.branch_of(invite),
            )
        )
        return b.xml("faxline lab caller")
    b.add('<recv response="180" optional="true"/>')
    b.add('<recv response="183" optional="true"/>')
    b.add('<recv response="200" rrs="true" rtd="true"/>')
    b.send(
        _request(
            b, "ACK", caller=caller, uri="[next_url]", to="[last_To:]", cseq=cseq, extra="[routes]"
        )
    )
    if reinvite is not None:
        cseq += 1
        reinvite_at = b.send(
            _request(
                b,
                "INVITE",
                caller=caller,
                uri="[next_url]",
                to="[last_To:]",
                cseq=cseq,
                extra="[routes]",
                sdp=reinvite,
            ),
            retrans=True,
        )
        b.add('<recv response="100" optional="true"/>')
        b.add(f'<recv response="{reinvite_expect}"/>')
        if reinvite_expect == 200:
            b.send(
                _request(
                    b,
                    "ACK",
                    caller=caller,
                    uri="[next_url]",
                    to="[last_To:]",
                    cseq=cseq,
                    extra="[routes]",
                )
            )
        else:
            b.send(
                _request(
                    b,
                    "ACK",
                    caller=caller,
                    uri="[next_url]",
                    to="[last_To:]",
                    cseq=cseq,
                    extra="[routes]",
                    branch=b.branch_of(reinvite_at),
                )
            )
    b.add(f'<pause milliseconds="{hold_ms}"/>')
    cseq += 1
    b.send(
        _request(
            b, "BYE", caller=caller, uri="[next_url]", to="[last_To:]", cseq=cseq, extra="[routes]"
        ),
        retrans=True,
    )
    b.add('<recv response="200" crlf="true"/>')
    return b.xml("faxline lab caller")


_REPLY = """SIP/2.0 {status}
[last_Via:]
[last_From:]
[last_To:]{tag}
[last_Call-ID:]
[last_CSeq:]
[last_Record-Route:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>"""


def _reply(status: str, *, sdp: Media | None = None, tag: bool = False) -> str:
    text = _REPLY.format(status=status, tag=";tag=[pid]SIPpTag01[call_number]" if tag else "")
    if sdp is None:
        return text + "\nContent-Length: 0"
    return text + "\nContent-Type: application/sdp\nContent-Length: [len]\n\n" + _sdp(sdp)


def uas_scenario(*, answer: Media = Media.AUDIO, reinvite: Media | None = None) -> str:
    """An answerer: takes one INVITE (180, then 200 with ``answer`` media), its ACK,
    optionally a re-INVITE (200 with ``reinvite`` media, then its ACK), and the BYE."""
    b = _Builder()
    b.add('<recv request="INVITE" crlf="true"/>')
    b.send(_reply("180 Ringing", tag=True))
    b.send(_reply("200 OK", sdp=answer, tag=True), retrans=True)
    b.add('<recv request="ACK" crlf="true"/>')
    if reinvite is not None:
        b.add('<recv request="INVITE" crlf="true"/>')
        b.send(_reply("200 OK", sdp=reinvite), retrans=True)
        b.add('<recv request="ACK" crlf="true"/>')
    b.add('<recv request="BYE"/>')
    b.send(_reply("200 OK"))
    return b.xml("faxline lab answerer")


def register_scenario(*, username: str, expires: int = 3600) -> str:
    """A REGISTER of ``username`` at the carrier, answering its 401 with the credentials,
    the Contact being SIPp's own address (where a later UAS on the same port takes calls)."""
    b = _Builder()
    contact = f"Contact: <sip:{username}@[local_ip]:[local_port];transport=[transport]>"
    for cseq, auth in ((1, ""), (2, "[authentication]\n")):
        b.send(
            "\n".join(
                [
                    "REGISTER sip:[remote_ip]:[remote_port] SIP/2.0",
                    "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport",
                    f"From: <sip:{username}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]",
                    f"To: <sip:{username}@[remote_ip]>",
                    "Call-ID: [call_id]",
                    f"CSeq: {cseq} REGISTER",
                    "Max-Forwards: 70",
                    contact,
                    f"Expires: {expires}",
                    auth + "Content-Length: 0",
                ]
            ),
            retrans=True,
        )
        b.add('<recv response="401" auth="true"/>' if not auth else '<recv response="200"/>')
    return b.xml("faxline lab register")


@dataclass(frozen=True)
class SipMessage:
    """One message of SIPp's trace: ``received`` or sent, and its text."""

    received: bool
    text: str

    @property
    def first_line(self) -> str:
        return self.text.split("\r\n", 1)[0].split("\n", 1)[0]

    @property
    def body(self) -> str:
        parts = re.split(r"\r?\n\r?\n", self.text, maxsplit=1)
        return parts[1] if len(parts) == 2 else ""

    def header(self, name: str) -> str | None:
        for line in re.split(r"\r?\n", self.text):
            key, sep, value = line.partition(":")
            if sep and key.strip().lower() == name.lower():
                return value.strip()
            if not line:
                break
        return None


def parse_trace(text: str) -> list[SipMessage]:
    """The messages of a SIPp ``-message_file``, in order."""
    messages = []
    for chunk in re.split(r"^-{20,}.*$", text, flags=re.MULTILINE):
        head = re.match(r"\s*(\w+) message (received|sent)[^\n]*\n", chunk)
        if not head:
            continue
        body = chunk[head.end() :].strip("\r\n")
        messages.append(SipMessage(received=head.group(2) == "received", text=body))
    return messages


def sdp_media(sdp: str) -> tuple[str, int, str, str]:
    """(connection address, port, media type, transport) of the first ``m=`` line of ``sdp``
    (its media-level c= when it has one, else the session's)."""
    address = ""
    media: tuple[str, int, str] | None = None
    for raw in sdp.splitlines():
        line = raw.strip()
        if line.startswith("m="):
            if media is not None:
                break
            kind, port, transport = line[2:].split()[:3]
            media = (kind, int(port), transport)
        elif line.startswith("c="):
            address = line[2:].split()[-1]
    if media is None:
        raise ValueError("no m= line in the SDP")
    return address, media[1], media[0], media[2]


class Sipp:
    """One SIPp process running ``scenario`` (XML, or ``"builtin:uac"`` for one of SIPp's
    own scenarios) from ``workdir``, on loopback.

    ``port``: its SIP port (default: a free one); ``remote``: ``host:port`` it calls (none
    for an answerer); ``service``: the R-URI user it dials; ``username``/``password``: its
    digest credentials. ``sipp.messages()`` is the trace of what it sent and received.
    """

    def __init__(
        self,
        scenario: str,
        *,
        workdir: Path,
        name: str,
        remote: str | None = None,
        port: int | None = None,
        service: str = "service",
        username: str = "",
        password: str = "",
        transport: SipTransportName = SipTransportName.UDP,
        timeout: float = 15.0,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.workdir = workdir
        self.name = name
        self.port = port or free_port(tcp_too=transport is SipTransportName.TCP)
        self.media_port = _free_media_port()
        self.scenario_path = workdir / f"{name}.xml"
        self.scenario_path.write_text(scenario)
        self.trace_path = workdir / f"{name}.messages.log"
        self.error_path = workdir / f"{name}.errors.log"
        self.output_path = workdir / f"{name}.out"
        self.argv = [
            SIPP,
            *(["-sn", scenario[len("builtin:") :]] if scenario.startswith("builtin:")
              else ["-sf", str(self.scenario_path)]),
            "-i", "127.0.0.1",
            "-p", str(self.port),
            "-mp", str(self.media_port),
            "-t", "t1" if transport is SipTransportName.TCP else "u1",
            "-m", "1",
            "-nostdin",
            "-timeout", f"{timeout:.0f}s",
            "-timeout_error",
            "-trace_msg", "-message_file", str(self.trace_path),
            "-trace_err", "-error_file", str(self.error_path),
            "-s", service,
            *(["-au", username, "-ap", password] if username else []),
            *extra_args,
            *([remote] if remote else []),
        ]  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        with self.output_path.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 (fixed binary, our arguments)
                self.argv,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait(self, timeout: float = 30.0) -> int:
        """SIPp's exit code (0: the scenario ran to its end), stopping it after ``timeout``."""
        assert self.process is not None, "start() first"
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.process.wait()

    def run(self, timeout: float = 30.0) -> int:
        """Start, and wait for the end."""
        return self.start().wait(timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGKILL)

    def messages(self) -> list[SipMessage]:
        try:
            return parse_trace(self.trace_path.read_text(errors="replace"))
        except OSError:
            return []

    def received(self, first_line_start: str) -> list[SipMessage]:
        """The messages it received whose first line starts with ``first_line_start``
        (``"INVITE"``, ``"SIP/2.0 200"``)."""
        return [
            message
            for message in self.messages()
            if message.received and message.first_line.startswith(first_line_start)
        ]

    def report(self) -> str:
        """Its errors and trace, for a failing test's message."""
        parts = [f"--- sipp {self.name}: {' '.join(self.argv)}"]
        for path in (self.error_path, self.trace_path):
            with contextlib.suppress(OSError):
                parts.append(f"--- {path.name} ---\n" + path.read_text(errors="replace")[-6000:])
        return "\n".join(parts)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.kill()
        if self.process is not None:
            self.process.wait()


def _free_media_port() -> int:
    """An even port with the three after it free too (SIPp binds audio and video pairs)."""
    for _ in range(50):
        port = free_port() & ~1
        with contextlib.ExitStack() as stack:
            try:
                for offset in range(4):
                    sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
                    sock.bind(("127.0.0.1", port + offset))
            except OSError:
                continue
        return port
    raise RuntimeError("no free media port for SIPp")
