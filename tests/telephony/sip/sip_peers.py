"""Helpers of the SIP tests: run a coroutine test, trunks to a user agent, a message recorder,
a test registrar built on the user agent's server side, and free ports."""

from __future__ import annotations

import asyncio
import functools
import socket
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from faxline.telephony.sip.config import SipTransportName, TrunkConfig
from faxline.telephony.sip.digest import DigestChecker
from faxline.telephony.sip.message import Message, Request, Response
from faxline.telephony.sip.transaction import ServerTransaction, Timers
from faxline.telephony.sip.transports import Peer
from faxline.telephony.sip.ua import UserAgent
from faxline.telephony.transport import run_sync

F = TypeVar("F", bound=Callable[..., Awaitable[None]])

FAST = Timers(t1=0.02, t2=0.2, t4=0.2)
"""Timers for tests: a transaction times out in 64*T1 = 1.28 s."""


def aio(function: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test function in a fresh event loop, bounded in time."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> None:
        async def bounded() -> None:
            await asyncio.wait_for(function(*args, **kwargs), 30)

        run_sync(bounded())

    return run


def trunk_to(
    ua: UserAgent, transport: SipTransportName = SipTransportName.UDP, **fields: Any
) -> TrunkConfig:
    values: dict[str, Any] = {"key": "t1", "name": "test trunk", "host": "127.0.0.1"}
    values.update(port=ua.port, transport=transport)
    values.update(fields)
    return TrunkConfig(**values)


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    """A port free for UDP and TCP on 127.0.0.1 (the OS's choice)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port")


class Recorder:
    """Every message a user agent sent and received."""

    def __init__(self, ua: UserAgent):
        self.log: list[tuple[str, Message, Peer]] = []
        ua.on_trace = self.record

    def record(self, direction: str, message: Message, peer: Peer) -> None:
        self.log.append((direction, message, peer))

    def requests(self, direction: str, method: str) -> list[Request]:
        return [
            m
            for d, m, _ in self.log
            if d == direction and isinstance(m, Request) and m.method == method
        ]

    def responses(
        self, direction: str, status: int | None = None, method: str = ""
    ) -> list[Response]:
        return [
            m
            for d, m, _ in self.log
            if d == direction
            and isinstance(m, Response)
            and (status is None or m.status == status)
            and (not method or m.cseq.method == method)
        ]


class Registrar:
    """A registrar on a user agent's server side: digest-checked REGISTER, bindings with the
    granted expiry (``expires``), every REGISTER seen."""

    def __init__(
        self, ua: UserAgent, *, users: dict[str, str], expires: int = 2, min_expires: int = 0
    ):
        self.ua = ua
        self.checker = DigestChecker("faxline.test", users)
        self.expires = expires
        self.min_expires = min_expires
        self.bindings: dict[str, str] = {}
        self.seen: list[Request] = []
        self.accepted = 0
        ua.handlers["REGISTER"] = self.handle

    async def handle(self, request: Request, transaction: ServerTransaction) -> None:
        self.seen.append(request)
        if self.checker.check(request.get("Authorization"), method="REGISTER") is not True:
            await self.ua.respond(
                transaction, 401, headers={"WWW-Authenticate": self.checker.challenge()}
            )
            return
        asked = int(request.get("Expires") or "3600")
        if 0 < asked < self.min_expires:
            await self.ua.respond(transaction, 423, headers={"Min-Expires": str(self.min_expires)})
            return
        aor = str(request.to.uri)
        contact = request.get("Contact") or ""
        if asked == 0:
            self.bindings.pop(aor, None)
            await self.ua.respond(transaction, 200)
            return
        self.bindings[aor] = contact
        self.accepted += 1
        granted = min(asked, self.expires)
        await self.ua.respond(transaction, 200, headers={"Contact": f"{contact};expires={granted}"})


async def eventually(check: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait until ``check()`` is true (fail after ``seconds``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


class Agents:
    """Two user agents on loopback: ``a`` places calls to ``b``; close both on exit."""

    def __init__(self, *, a: dict[str, Any] | None = None, b: dict[str, Any] | None = None):
        self.a = UserAgent(**{"timers": FAST, **(a or {})})
        self.b = UserAgent(**{"timers": FAST, **(b or {})})
        self.a_log = Recorder(self.a)
        self.b_log = Recorder(self.b)

    async def __aenter__(self) -> Agents:
        await self.a.start()
        await self.b.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.a.close()
        await self.b.close()
