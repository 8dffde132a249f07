"""The SMTP server of the email-to-fax gateway (aiosmtpd).

EHLO advertises SIZE (``FAXLINE_SMTPD_MAX_BYTES``; a larger message is refused with 552)
and STARTTLS when ``FAXLINE_SMTPD_TLS_CERT`` and ``FAXLINE_SMTPD_TLS_KEY`` are configured.
RCPT refuses another domain (550 5.7.1) and a malformed number (553 5.1.3), and more than
``MAX_RECIPIENTS`` recipients (452 4.5.3). At the end of DATA the message is kept
(:func:`faxline.gateway.services.message_receive`, in a thread: the ORM is synchronous)
and only then answered 250; if it could not be kept the answer is 451, so the sending server
tries again later. Everything else is the task worker's (``gateway/services.py``).

A process serves at most ``FAXLINE_SMTPD_MAX_CONNECTIONS`` sessions at once: the next client
is answered ``421 4.3.2`` and disconnected (it tries again later). A session waits at most
:data:`IDLE_SECONDS` for a valid command, and the whole DATA phase must fit in it too
(aiosmtpd's ``timeout``: only a valid command restarts it); each command may come at most
:data:`COMMAND_CALLS` times in a session (more: ``421 4.7.0``), so that no client holds a
session for ever with NOOPs; five unknown commands end it (aiosmtpd's own rule).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections, connections

from faxline.faxing.jobs.send import MAX_RECIPIENTS
from faxline.gateway.services import RecipientRefused, message_receive, recipient_number

log = logging.getLogger("faxline.gateway")
# aiosmtpd logs every command of every session (addresses included) at INFO: warnings only.
logging.getLogger("mail.log").setLevel(logging.WARNING)
STORE_THREADS = 4
IDLE_SECONDS = 120
# Per session: any command 20 times; enough MAIL/RCPT/DATA for a sending server's queue run.
COMMAND_CALLS = {"*": 20, "MAIL": 100, "RCPT": 100 * MAX_RECIPIENTS, "DATA": 100, "RSET": 200}
BUSY_REPLY = b"421 4.3.2 Too many connections, try again later\r\n"


def _store(
    content: bytes, mail_from: str, recipients: list[str], peer_ip: str | None, helo: str
) -> int:
    close_old_connections()
    try:
        return message_receive(
            content=content, mail_from=mail_from, recipients=recipients, peer_ip=peer_ip, helo=helo
        ).pk
    finally:
        # This thread's connection: closed, so that no idle session outlives the message.
        connections.close_all()


class GatewayHandler:
    """aiosmtpd's handler: the RCPT checks and the keeping of the message at DATA."""

    def __init__(self, *, store_threads: int = STORE_THREADS) -> None:
        self.executor = ThreadPoolExecutor(store_threads, thread_name_prefix="faxline-smtpd")

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        try:
            number = recipient_number(address)
        except RecipientRefused as refused:
            return refused.reply
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return f"452 4.5.3 Too many recipients: at most {MAX_RECIPIENTS} per message"
        envelope.rcpt_tos.append(address)
        numbers = getattr(envelope, "fax_numbers", [])
        numbers.append(number)
        envelope.fax_numbers = numbers  # type: ignore[attr-defined]
        return "250 2.1.5 Fax number OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", errors="surrogateescape")
        peer = session.peer[0] if isinstance(session.peer, tuple) else None
        loop = asyncio.get_running_loop()
        try:
            pk = await loop.run_in_executor(
                self.executor,
                functools.partial(
                    _store,
                    content,
                    envelope.mail_from or "",
                    list(getattr(envelope, "fax_numbers", [])),
                    peer,
                    session.host_name or "",
                ),
            )
        except Exception:
            log.exception("smtpd: could not keep a message from %s", envelope.mail_from)
            return "451 4.3.0 The message could not be stored; please try again later"
        log.info("smtpd: message %s kept (%d bytes)", pk, len(content))
        return "250 2.0.0 Message accepted for fax delivery"

    def close(self) -> None:
        """Wait for the messages being kept, then stop the threads."""
        self.executor.shutdown(wait=True)


def tls_context() -> ssl.SSLContext | None:
    """The server's TLS context when a certificate and its key are configured."""
    cert, key = settings.FAXLINE_SMTPD_TLS_CERT, settings.FAXLINE_SMTPD_TLS_KEY
    if not cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


class SessionCount:
    """The sessions open in one process, each a slot of ``limit``. Used only from the
    server's event loop thread (aiosmtpd's controller), so it needs no lock."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0

    def take(self) -> bool:
        if self.open >= self.limit:
            return False
        self.open += 1
        return True

    def give_back(self) -> None:
        self.open = max(0, self.open - 1)


class GatewaySMTP(SMTP):
    """aiosmtpd's SMTP session, refusing with 421 when the process has no slot left."""

    def __init__(self, handler: Any, *, sessions: SessionCount, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.sessions = sessions
        self.has_slot = False
        self.turned_away = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.transport is not None or self.has_slot:
            super().connection_made(transport)  # the same session after STARTTLS
            return
        if not self.sessions.take():
            log.warning("smtpd: %d sessions open, a connection refused", self.sessions.open)
            self.turned_away = True
            transport.write(BUSY_REPLY)  # type: ignore[attr-defined]
            transport.close()
            return
        self.has_slot = True
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self.turned_away:
            return  # aiosmtpd never started this session
        if self.has_slot:
            self.has_slot = False
            self.sessions.give_back()
        super().connection_lost(error)


class GatewayController(Controller):
    """The gateway's SMTP server on ``host:port``, in a thread of its own (aiosmtpd's
    controller): ``start()`` returns once it listens, ``stop()`` stops it."""

    def __init__(self, *, host: str, port: int, handler: GatewayHandler | None = None) -> None:
        self.gateway = handler or GatewayHandler()
        self.sessions = SessionCount(int(settings.FAXLINE_SMTPD_MAX_CONNECTIONS))
        context = tls_context()
        super().__init__(
            self.gateway,
            hostname=host,
            port=port,
            server_hostname=settings.FAXLINE_FAX_DOMAIN,
            ready_timeout=10.0,
            data_size_limit=int(settings.FAXLINE_SMTPD_MAX_BYTES),
            tls_context=context,
            # Mail only after STARTTLS (530 before), when the operator asks for it.
            require_starttls=bool(context) and bool(settings.FAXLINE_SMTPD_REQUIRE_TLS),
            ident="faxline email-to-fax",
            enable_SMTPUTF8=True,
            decode_data=False,
            timeout=IDLE_SECONDS,
            command_call_limit=COMMAND_CALLS,
        )

    def factory(self) -> SMTP:
        return GatewaySMTP(self.handler, sessions=self.sessions, **self.SMTP_kwargs)

    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert=no_assert)
        self.gateway.close()
