"""The fax transport of this process: the SIP trunks when an operator enabled one, else the
sandbox PSTN.

:func:`trunk_directory` bundles faxing's answers to the SIP transport's questions
(``telephony.sip.config.TrunkDirectory``); :func:`fax_transport` builds the transport.
The SIP transport is made once per process (it owns a SIP socket on
``FAXLINE_SIP_HOST``:``FAXLINE_SIP_PORT``); it reads the trunks through
:func:`~faxline.faxing.trunks.selectors.enabled_trunks` on every call, so trunks added,
changed or disabled later reach it within ``selectors.CACHE_SECONDS``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import close_old_connections, connection

from faxline.faxing.sandbox.wiring import inbound_receive, sandbox_transport
from faxline.faxing.trunks.selectors import (
    any_trunk_enabled,
    enabled_trunks,
    inbound_answer,
    media_for,
    t38_fallback,
)
from faxline.faxing.trunks.services import t38_failure_learn, trunk_seen
from faxline.telephony.sip.config import TrunkDirectory
from faxline.telephony.sip.trunk import SipTrunkTransport
from faxline.telephony.transport import CallOutcome, CallRequest, Transport

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _learn(destination: str, reason: str) -> object:
    return t38_failure_learn(destination, reason)


def _database(function: Callable[..., T]) -> Callable[..., T]:
    """``function`` for the SIP transport's worker threads: a connection that went stale
    while the thread waited is replaced first (as Django does per request)."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> T:
        if not connection.in_atomic_block:  # never under a caller's transaction
            close_old_connections()
        return function(*args, **kwargs)

    return call


def trunk_directory() -> TrunkDirectory:
    """faxing's answers to the SIP transport: inbound admission, the learned fallbacks (read
    and learn) and the media of a call (destination rule > learned fallback > trunk)."""
    return TrunkDirectory(
        inbound_answer=_database(inbound_answer),
        t38_fallback=_database(t38_fallback),
        learn_t38_failure=_database(_learn),
        media_for=_database(media_for),
        trunk_seen=_database(trunk_seen),
    )


_lock = threading.Lock()
_sip: SipTrunkTransport | None = None


def _sip_transport() -> SipTrunkTransport:
    """This process's SIP trunk transport, made on first use (it binds its SIP port when it
    first places or answers a call, or :meth:`PlatformTransport.keep_serving` starts it)."""
    global _sip
    with _lock:
        if _sip is None:
            _sip = sip_transport(
                host=str(settings.FAXLINE_SIP_HOST), port=int(settings.FAXLINE_SIP_PORT)
            )
        return _sip


def sip_transport(*, host: str, port: int, **options: Any) -> SipTrunkTransport:
    """A SIP trunk transport on ``host:port`` with faxing's trunks, answers and inbound
    pipeline (``options``: the transport's own, e.g. ``speed`` for tests whose both ends
    are ours). The process's own is made once, by :func:`fax_transport`."""
    return SipTrunkTransport(
        trunks=_database(enabled_trunks),
        directory=trunk_directory(),
        inbound=_database(inbound_receive),
        host=host,
        port=port,
        **options,
    )


def fax_transport() -> Transport:
    """The transport this process's calls go through *now*: the SIP trunk transport when at
    least one trunk is enabled (and the SIP transport is installed), otherwise the sandbox
    PSTN (``faxing.sandbox.wiring.sandbox_transport``). Long-running processes use
    :class:`PlatformTransport`, which asks this for every call."""
    if any_trunk_enabled():
        return _sip_transport()
    return sandbox_transport()


class PlatformTransport(Transport):
    """The dispatcher's transport: each call goes through :func:`fax_transport` as it is at
    that moment, so that a trunk an operator enables (or disables) in the portal carries the
    next call without a restart. :meth:`keep_serving` (the dispatcher calls it every round)
    starts the SIP user agent once a trunk is enabled, so that the carrier's calls to our
    numbers are answered, and keeps the registrations in line with the trunks."""

    name = "platform"

    @property
    def lines(self) -> Any:
        return getattr(fax_transport(), "lines", None)

    @property
    def inbound(self) -> Any:  # type: ignore[override]
        return inbound_receive

    async def place_call(self, request: CallRequest) -> CallOutcome:
        transport = await asyncio.to_thread(fax_transport)
        return await transport.place_call(request)

    def place_call_sync(self, request: CallRequest) -> CallOutcome:
        return fax_transport().place_call_sync(request)

    def keep_serving(self) -> None:
        if not any_trunk_enabled():
            return
        sip = _sip_transport()
        sip.start()
        sip.keep_serving()


def fax_transport_reset() -> None:
    """Stop and forget the SIP transport made by this process (tests)."""
    global _sip
    with _lock:
        if _sip is not None:
            _sip.close()
        _sip = None
