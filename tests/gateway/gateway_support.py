"""Real parts for the gateway's tests: its SMTP server on loopback, a DNS server on loopback
(dnspython's message module over a UDP socket) and an SMTP listener that receives the
notifications the task worker sends."""

from __future__ import annotations

import smtplib
import socket
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from typing import Any

import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from aiosmtpd.controller import Controller

from documents.document_files import pdf_bytes
from faxline.gateway.server import GatewayController

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DnsServer:
    """An authoritative DNS server on loopback (UDP) answering from ``records``:
    ``{("name.", "TXT"): ['"v=spf1 -all"'], ...}`` in zone-file text; a name it does not
    know at all is NXDOMAIN; ``fail`` makes it answer SERVFAIL to everything."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}
        self.queries: list[tuple[str, str]] = []
        self.fail = False
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def add(self, name: str, rdtype: str, *values: str) -> None:
        key = (name.lower().rstrip(".") + ".", rdtype.upper())
        self.records.setdefault(key, []).extend(values)

    def start(self) -> None:
        self.socket.settimeout(0.2)
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.thread.join()
        self.socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self.socket.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                query = dns.message.from_wire(wire)
            except Exception:
                continue
            self.socket.sendto(self.answer(query).to_wire(), peer)

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= 0x0400  # authoritative
        if self.fail:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response
        question = query.question[0]
        name = question.name.to_text().lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, rdtype))
        values = self.records.get((name, rdtype))
        if values:
            rdatas = [
                dns.rdata.from_text(dns.rdataclass.IN, question.rdtype, value) for value in values
            ]
            response.answer.append(dns.rrset.from_rdata_list(question.name, 60, rdatas))
        elif not any(known == name for known, _ in self.records):
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response


@pytest.fixture
def dns_server(settings: Any) -> Iterator[DnsServer]:
    server = DnsServer()
    server.start()
    settings.FAXLINE_DNS_SERVERS = [f"127.0.0.1:{server.port}"]
    try:
        yield server
    finally:
        server.stop()


class Inbox:
    """An SMTP listener keeping the notifications it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def texts(self) -> list[str]:
        return [content.decode("utf-8", errors="replace") for _f, _t, content in self.messages]


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def gateway(settings: Any) -> Iterator[GatewayController]:
    """The gateway's SMTP server on a free loopback port (settings as the test set them
    before asking for it)."""
    settings.FAXLINE_FAX_DOMAIN = "fax.localhost"
    controller = GatewayController(host="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def email_to_fax(
    sender: str,
    numbers: list[str],
    *,
    subject: str = "Lab results",
    body: str = "",
    pdf: bytes | None = None,
    message_id: str | None = None,
    domain: str = "fax.localhost",
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(f"{n}@{domain}" for n in numbers)
    message["Subject"] = subject
    message["Message-ID"] = message_id or f"<{threading.get_ident()}.{id(message)}@test>"
    message.set_content(body)
    if pdf is not None:
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename="labs.pdf")
    return message


def send(
    gateway: GatewayController,
    message: EmailMessage | bytes,
    *,
    mail_from: str,
    to: list[str],
) -> dict[str, tuple[int, bytes]]:
    """Deliver ``message`` over SMTP; returns the refused recipients (smtplib's answer)."""
    data = message if isinstance(message, bytes) else wire(message)
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.ehlo("client.test")
        return client.sendmail(mail_from, to, data)


def wire(message: EmailMessage) -> bytes:
    """``message`` as it travels: CRLF line ends."""
    return message.as_bytes(policy=policy.SMTP)


def a_pdf(text: str = "Confidential lab results") -> bytes:
    return pdf_bytes(1, text=text)
